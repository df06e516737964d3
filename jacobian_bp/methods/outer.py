"""The ``"outer"`` method: the notes' ⊙ and outer-product shortcuts, layer by layer.

A row ``δ = ∂J/∂a^k`` times ``∂a/∂W`` is the outer product ``δᵀ hᵀ``, and times a
diagonal activation Jacobian it is ``δ ⊙ f'(a)`` (softmax's dense Jacobian is
multiplied in full). Like the notes, each layer's ``δ`` is computed afresh from
the loss; backprop is what stopping that gives.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.network import affine
from jacobian_bp.network.activations import Activation
from jacobian_bp.network.losses import Loss, finite_gradient
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray


def delta(net: MLP, trace: Trace, T: Array, loss: Loss, layer: int) -> Array:
    """``∂J/∂a^layer`` as rows ``(N, n_layer)`` (or ``(n_layer,)`` for one example), from the loss inwards.

    >>> import jacobian_bp as jbp
    >>> net = jbp.notes_network()
    >>> trace = net.forward(np.array([1.0, 0.5]))
    >>> delta(net, trace, np.array([1.0]), jbp.get_loss("mse"), 1).shape
    (3,)
    """
    L = net.depth
    z, a = trace.h[L], trace.a[L]
    # ∂J/∂z, then times ∂z/∂a^L, as the notes write it — not the fused z − t that backprop uses.
    d_J_d_z = finite_gradient(loss, z, T, a) / trace.batch_size
    d_J_d_a = times_jacobian(net.layer_activation(L), a, z, d_J_d_z)
    for k in range(L, layer, -1):
        d_J_d_h = affine.vjp_h(net.params[f"W{k}"], d_J_d_a)
        d_J_d_a = times_jacobian(net.layer_activation(k - 1), trace.a[k - 1], trace.h[k - 1], d_J_d_h)
    return d_J_d_a


def times_jacobian(activation: Activation, a: Array, h: Array, g: Array) -> Array:
    """``g ∂h/∂a`` the way the notes' shortcuts allow: nothing, ``⊙ f'(a)``, or the full Jacobian.

    The identity's Jacobian is ``I`` (nothing to do); an element-wise activation's
    is diagonal (the ``⊙`` shortcut); softmax's is dense, so the shortcut does not
    apply and each row is multiplied by the whole ``diag(s) − s sᵀ``. (Backprop
    uses softmax's cheaper product ``s ⊙ (g − ⟨g, s⟩)`` instead.)

    >>> import jacobian_bp as jbp
    >>> softmax = jbp.get_activation("softmax")
    >>> a = np.array([0.5, -1.0, 2.0])
    >>> g = np.array([1.0, 0.0, -1.0])
    >>> bool(np.allclose(times_jacobian(softmax, a, softmax.value(a), g), softmax.vjp(a, softmax.value(a), g)))
    True
    """
    if activation.elementwise:
        return activation.vjp(a, h, g)
    # Each example's row times its own n × n Jacobian: a batched matrix product.
    return (g[..., None, :] @ activation.jacobian(a, h))[..., 0, :]


def outer_gradient(net: MLP, trace: Trace, T: Array, loss: Loss) -> dict[str, Array]:
    """Each layer's ``∂J/∂W = δᵀ h`` (an outer product, summed over the batch) and ``∂J/∂b = Σ δ``."""
    grads = {}
    for k, W, b, _ in net.layers:
        d_J_d_a = delta(net, trace, T, loss, k)
        grads[W] = affine.vjp_W(trace.h[k - 1], d_J_d_a)
        grads[b] = affine.vjp_b(d_J_d_a)
    return grads
