"""The ``"backprop"`` method: Algorithm 6.4 of Goodfellow et al., in the book's column convention.

``g ← ∇_ŷ J``; for ``k = L … 1``: ``g ← g ⊙ f'(a^k)``, ``∇_{b^k} J = g``,
``∇_{W^k} J = g h^{k−1 ᵀ}``, ``g ← W^kᵀ g``. Each column of ``g`` is one example,
and the running ``g`` is reused from layer to layer: the front of the chain is
computed once. In the notes' row layout the last step is ``g ← g W^k``.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.network.losses import Loss, output_delta
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray

#: Columns are examples; activation functions act along this axis.
UNITS_AXIS = 0


def backprop_gradient(net: MLP, trace: Trace, T: Array, loss: Loss) -> dict[str, Array]:
    """Algorithm 6.4 with one column per example.

    >>> import jacobian_bp as jbp
    >>> net = jbp.notes_network()
    >>> trace = net.forward(np.array([[1.0, 0.5]]))
    >>> backprop_gradient(net, trace, np.array([[1.0]]), jbp.get_loss("mse"))["W1"].shape
    (3, 2)
    """
    # Work with (units, examples) columns, as the book does: the transposes of the stored rows, views.
    trace = trace.as_batch()
    L, N = net.depth, trace.batch_size
    a, h = trace.a, trace.h
    # Looked up once per call, not once per layer (the parameters themselves can be replaced between calls).
    params = net.params
    # g ← ∇_ŷ J, then g ← g ⊙ f'(a^L): merged for a loss on its own output activation.
    g = output_delta(loss, net.layers[-1].activation, h[L].T, T.reshape(N, -1).T, a[L].T, axis=UNITS_AXIS) / N
    grads: dict[str, Array] = dict.fromkeys(net.param_shapes)  # W1, b1, ..., in the order of net.params
    for k, W, b, f in reversed(net.layers):
        if k < L:
            g = f.vjp(a[k].T, h[k].T, g, axis=UNITS_AXIS)
        # The ufunc's own reduction, bit for bit g.sum(axis=1) without ndarray.sum's Python layer.
        grads[b] = np.add.reduce(g, axis=1)
        grads[W] = g @ h[k - 1]  # g h^{k−1 ᵀ}: the transpose of the column h^{k−1} is the stored row
        if k > 1:
            # g ← Wᵀ g, computed as (gᵀ W)ᵀ — the notes' row form g W — so that g keeps the memory
            # layout of the stored columns (transposed rows): mixing layouts slows down every ⊙.
            g = (g.T @ params[W]).T
    return grads
