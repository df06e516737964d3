"""The ``"numeric"`` path: central finite differences, the referee of every other path.

``∂J/∂θ ≈ (J(θ + ε) − J(θ − ε)) / 2ε`` with ``ε = 1e-6 · max(1, |θ|)``: the
truncation error is ``O(ε²)`` and the rounding error ``O(1e-16 / ε)``, both
around ``1e-10`` for well-scaled values — far below the ``atol=1e-6,
rtol=1e-5`` the comparisons use.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray

#: Relative step of the central differences.
RELATIVE_STEP = 1e-6


def step_size(theta: float) -> float:
    """``1e-6 · max(1, |θ|)``: relative for large parameters, absolute near zero.

    >>> step_size(0.1), step_size(-64.0)
    (1e-06, 6.4e-05)
    """
    return RELATIVE_STEP * max(1.0, abs(theta))


def numeric_gradient(net: MLP, trace: Trace, T: Array, loss: Loss) -> dict[str, Array]:
    """Perturb each parameter entry both ways and difference the batch loss.

    >>> import jacobian_bp as jbp
    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5]]), np.array([[1.0]])
    >>> numeric = numeric_gradient(net, net.forward(X), T, jbp.get_loss("mse"))
    >>> exact = jbp.gradient(net, X, T, method="backprop")
    >>> bool(np.allclose(numeric["W1"], exact["W1"], atol=1e-8))
    True
    """
    X = trace.h[0]
    probe = net.copy()

    def batch_loss() -> float:
        probed = probe._forward(X)
        return loss.value(probed.z, T, probed.a[probe.depth])

    grads = {}
    for name in net.param_names:
        values = probe.params[name]
        grad = np.zeros_like(values)
        for index in np.ndindex(values.shape):
            original = values[index]
            # Divide by the step actually taken: θ ± ε rounds, and 2ε would be off by that rounding.
            plus, minus = original + step_size(original), original - step_size(original)
            values[index] = plus
            loss_plus = batch_loss()
            values[index] = minus
            loss_minus = batch_loss()
            values[index] = original
            grad[index] = (loss_plus - loss_minus) / (plus - minus)
        grads[name] = grad
    return grads
