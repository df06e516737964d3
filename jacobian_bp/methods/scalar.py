"""The ``"scalar"`` method: one partial derivative at a time, as the notes begin (the notes' "Gradient computation").

For each weight or bias ``θ`` the derivative ``∂a^k/∂θ`` (non-zero in one unit)
is carried forward through the later layers, met by ``∂L/∂z`` and averaged over
the examples — the notes' ``∂J/∂w¹₁₁`` for every entry of a network of any depth.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.network.losses import Loss, finite_gradient
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray


def partial_derivative(net: MLP, trace: Trace, T: Array, loss: Loss, name: str, index: tuple[int, ...]) -> float:
    """``∂J/∂θ`` for the single parameter entry ``params[name][index]``.

    >>> import jacobian_bp as jbp
    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5], [-1.0, 2.0]]), np.array([[1.0], [0.0]])
    >>> trace = net.forward(X)
    >>> d = partial_derivative(net, trace, T, jbp.get_loss("mse"), "W1", (0, 0))
    >>> bool(np.isclose(d, jbp.gradient(net, X, T, method="backprop")["W1"][0, 0]))
    True
    """
    layer = int(name[1:])
    trace, T = trace.as_batch(), np.atleast_2d(T)
    # ∂a^k/∂θ: only unit i of layer k moves; by h_j for a weight W_ij, by 1 for a bias b_i.
    d_a_d_theta = np.zeros((trace.batch_size, net.sizes[layer]))
    d_a_d_theta[:, index[0]] = trace.h[layer - 1][:, index[1]] if name[0] == "W" else 1.0
    for k in range(layer, net.depth + 1):
        d_h_d_theta = net.layer_activation(k).jvp(trace.a[k], trace.h[k], d_a_d_theta)
        if k < net.depth:
            d_a_d_theta = d_h_d_theta @ net.params[f"W{k + 1}"].T
    d_z_d_theta = d_h_d_theta
    per_example = np.sum(finite_gradient(loss, trace.z, T, trace.a[net.depth]) * d_z_d_theta, axis=1)
    return float(np.sum(per_example) / trace.batch_size)


def scalar_gradient(net: MLP, trace: Trace, T: Array, loss: Loss) -> dict[str, Array]:
    """Every entry of every parameter, each as its own :func:`partial_derivative`."""
    grads = {}
    for name in net.param_names:
        grad = np.zeros(net.param_shape(name))
        for index in np.ndindex(grad.shape):
            grad[index] = partial_derivative(net, trace, T, loss, name, index)
        grads[name] = grad
    return grads
