"""The ``"structured"`` gradient path: the materialized chains, contracted by their structure.

Every factor is built as for ``reshape``, but each product uses the cheapest
kernel its factors' structure allows (:mod:`jacobian_bp.chain.structured`), so
the outer path's arithmetic falls out of the full Jacobians.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.chain.batch import batch_factors
from jacobian_bp.chain.structured import Stack, stack_product
from jacobian_bp.network import affine
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray


def structured_gradient_counted(
    net: MLP, trace: Trace, T: Array, loss: Loss, max_bytes: int | None = None
) -> tuple[dict[str, Array], int]:
    """The gradient by structured contraction, and the multiply-adds its kernels counted.

    The whole batch goes through each product at once, as stacks of per-example
    blocks (:func:`~jacobian_bp.chain.batch.batch_factors`, per-example view; one example
    is a batch of one), but every example is charged — and contracted by — the
    kernels its own blocks allow. For each layer ``k``: contract the shared prefix
    of the chains of ``W^k`` and ``b^k`` once (giving ``δ^k = ∂J/∂a^k`` of every
    example), then apply each chain's last factor — ``∂a^k/∂W^k`` (an outer
    product) and ``∂a^k/∂b^k = I`` (free) — and sum over the batch.

    >>> net = jbp.notes_network()
    >>> grads, count = structured_gradient_counted(net, net.forward(np.array([1.0, 0.5])), np.array([1.0]),
    ...                                            jbp.get_loss("mse"))
    >>> count  # layer 2: 1 + 1·3; layer 1: 1 + 3 + 3 + 3·2 — the same as the outer path
    17
    """
    if trace.h[0].ndim == 1:  # one example: a batch of one
        trace, T = trace.as_batch(), T[None]
    grads = {}
    multiply_adds = 0
    for k in range(1, net.depth + 1):
        grads[f"W{k}"], grads[f"b{k}"], count = _layer_gradients(net, trace, T, loss, k, max_bytes)
        multiply_adds += count
    return {name: grads[name] for name in net.param_names}, multiply_adds


def _layer_gradients(
    net: MLP, trace: Trace, T: Array, loss: Loss, k: int, max_bytes: int | None = None
) -> tuple[Array, Array, int]:
    """``∂J/∂W^k``, ``∂J/∂b^k`` and their multiply-adds; the layer's stacks are freed on return."""
    # The chain of W^k: the batch mean, ∂J⁽ᵖ⁾/∂z, activations and weights down to layer k, ∂a^k/∂W^k.
    mean, d_L_d_z, *prefix, d_a_d_W = batch_factors(net, trace, T, f"W{k}", loss, "per_example", max_bytes)
    # Each example's share 1/N of the batch mean goes into its ∂J/∂z: a division by N, not counted.
    delta = Stack(mean.array[:, None] * d_L_d_z.array, (), d_L_d_z.in_shape)
    multiply_adds = 0
    for factor in prefix:
        delta, count = stack_product(delta, Stack.of(factor))
        multiply_adds += count
    n, batch_size = net.sizes[k], mean.batch_size
    d_a_d_b = Stack(np.broadcast_to(affine.d_a_d_b(n), (batch_size, n, n)).copy(), (n,), (n,))
    gradients = []
    for last in (Stack.of(d_a_d_W), d_a_d_b):
        product, count = stack_product(delta, last)
        gradients.append(product.array.sum(axis=0))  # the chain rule's sum over the examples
        multiply_adds += count
    return gradients[0], gradients[1], multiply_adds


def structured_gradient(net: MLP, trace: Trace, T: Array, loss: Loss, max_bytes: int | None = None) -> dict[str, Array]:
    """The ``"structured"`` gradient path: :func:`structured_gradient_counted` without the count.

    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5], [-0.5, 2.0]]), np.array([1.0, 0.0])
    >>> by_structure = jbp.gradient(net, X, T, method="structured")
    >>> by_outer = jbp.gradient(net, X, T, method="outer")
    >>> all(np.allclose(by_structure[k], by_outer[k], rtol=1e-10, atol=1e-12) for k in net.params)
    True
    """
    return structured_gradient_counted(net, trace, T, loss, max_bytes)[0]
