"""The ``"reshape"``, ``"slices"`` and ``"einsum"`` paths: materialize every chain, then contract it.

For each parameter the chain of :mod:`jacobian_bp.chain.factors` is built as
stacks of per-example Jacobians (one example is a batch of one) and contracted
left to right by the chosen approach of :mod:`jacobian_bp.chain.approaches`,
the batch axis carried along and summed at the parameter: no Python loop over
examples.
"""

from __future__ import annotations

import numpy as np

from jacobian_bp.chain.approaches import Approach, approach
from jacobian_bp.chain.batch import batch_factors, contract_stacks
from jacobian_bp.chain.budget import Budget, resolve_max_bytes
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray


def chained_gradient(
    net: MLP, trace: Trace, T: Array, loss: Loss, method: str, max_bytes: int | None = None
) -> dict[str, Array]:
    """``∂J/∂θ`` for every parameter by contracting its materialized chain with approach ``method``.

    >>> net = jbp.notes_network()
    >>> trace = net.forward(np.array([[1.0, 0.5], [0.0, 2.0]]))
    >>> chained_gradient(net, trace, np.array([[1.0], [0.0]]), jbp.get_loss("mse"), "slices")["W1"].shape
    (3, 2)
    """
    trace, T = trace.as_batch(), T.reshape(trace.batch_size, -1)
    budget, contract = resolve_max_bytes(max_bytes), approach(method)
    return {name: _contract(net, trace, T, name, loss, contract, budget) for name in net.param_names}


def _contract(net: MLP, trace: Trace, T: Array, name: str, loss: Loss, contract: Approach, budget: Budget) -> Array:
    """One parameter's gradient; its stacks are freed on return, before the next chain is built."""
    stacks = batch_factors(net, trace, T, name, loss, "per_example", budget)
    return contract_stacks(stacks, contract, budget, built_within=True).array
