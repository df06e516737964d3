"""The ``"outer"`` path: the notes' outer-product shortcut, layer by layer.

The notes notice that ``∂a/∂W`` is so sparse that multiplying the row vector
``δ = ∂J/∂a^k`` by it is just the outer product ``δᵀ (h^{k−1})ᵀ``, and that
multiplying by a diagonal activation Jacobian is ``⊙ f'(a)``. This path applies
both shortcuts in the notes' numerator layout (row vectors, ``δ ← δ W``).

Like the notes' derivation, it computes each layer's ``δ`` from the loss
inwards, *afresh for every layer*: the front of the chain is recomputed. Backprop
(:mod:`jacobian_bp.backprop`) is what you get when you stop doing that.
Rows are examples: a whole batch is one matrix product, with no Python loop
over examples.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp import affine
from jacobian_bp.losses import Loss, output_delta
from jacobian_bp.mlp import MLP, Trace

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
    batch_size = trace.h[0].shape[0] if trace.h[0].ndim == 2 else 1
    output = net.layer_activation(L)
    d_J_d_a = output_delta(loss, output.name, trace.z, T, trace.a[L], output.vjp) / batch_size
    for k in range(L, layer, -1):
        d_J_d_h = affine.vjp_h(net.params[f"W{k}"], d_J_d_a)
        d_J_d_a = net.layer_activation(k - 1).vjp(trace.a[k - 1], trace.h[k - 1], d_J_d_h)
    return d_J_d_a


def outer_gradient(net: MLP, trace: Trace, T: Array, loss: Loss) -> dict[str, Array]:
    """Each layer's ``∂J/∂W = δᵀ h`` (an outer product, summed over the batch) and ``∂J/∂b = Σ δ``."""
    grads = {}
    for k in range(1, net.depth + 1):
        d_J_d_a = delta(net, trace, T, loss, k)
        grads[f"W{k}"] = affine.vjp_W(trace.h[k - 1], d_J_d_a)
        grads[f"b{k}"] = affine.vjp_b(d_J_d_a)
    return grads
