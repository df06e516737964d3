"""``jbp.gradient``: one entry point for the eight methods of :data:`METHODS`, and the validation they share.

``scalar`` (one partial derivative at a time), ``reshape``, ``slices``, ``einsum``
(every Jacobian built and multiplied out), ``structured`` (contracted by
structure), ``outer`` (the notes' shortcuts), ``backprop`` (Algorithm 6.4) and
``numeric`` (finite differences, the referee).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.chain.approaches import CHAIN_METHODS
from jacobian_bp.chain.budget import resolve_max_bytes
from jacobian_bp.errors import UnknownNameError
from jacobian_bp.methods.backprop import backprop_gradient
from jacobian_bp.methods.materialized import chained_gradient
from jacobian_bp.methods.numeric import numeric_gradient
from jacobian_bp.methods.outer import outer_gradient
from jacobian_bp.methods.scalar import scalar_gradient
from jacobian_bp.methods.structured import structured_gradient
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace, prepare

Array = np.ndarray
GradientPath = Callable[[MLP, Trace, Array, Loss], dict[str, Array]]


def _chained_with(method: str) -> Callable[..., dict[str, Array]]:
    def path(net: MLP, trace: Trace, T: Array, loss: Loss, max_bytes: int | None = None) -> dict[str, Array]:
        return chained_gradient(net, trace, T, loss, method, max_bytes)

    path.__name__ = f"{method}_gradient"
    return path


@dataclass(frozen=True)
class Method:
    """One way to compute ``∂J/∂θ``: its path, and what the rest of the package needs to know about it.

    >>> TABLE["einsum"].contracts_chains, TABLE["outer"].materializes, TABLE["backprop"].symbolic
    (True, False, True)
    """

    #: The function that computes the gradient from a checked trace.
    path: GradientPath
    #: Materializes every parameter's chain and contracts it by the approach of the same name.
    contracts_chains: bool = False
    #: Materializes Jacobians, and so answers to the memory budget (its path takes ``max_bytes``).
    materializes: bool = False
    #: Computes the gradient exactly (all but finite differences).
    exact: bool = True
    #: Runs on SymPy entries too (:func:`jacobian_bp.symbolic.gradient`).
    symbolic: bool = False


#: The one table of gradient methods, from the most literal to the most efficient, then the referee: the
#: numeric paths, the cost counts (:mod:`jacobian_bp.costs`) and the symbolic engine read it.
TABLE: dict[str, Method] = {
    "scalar": Method(scalar_gradient),
    **{
        name: Method(_chained_with(name), contracts_chains=True, materializes=True, symbolic=True)
        for name in CHAIN_METHODS
    },
    "structured": Method(structured_gradient, materializes=True),
    "outer": Method(outer_gradient, symbolic=True),
    "backprop": Method(backprop_gradient, symbolic=True),
    "numeric": Method(numeric_gradient, exact=False),
}

#: Each method's path, looked up when a gradient is asked for (tests replace entries to spy on a path).
PATHS: dict[str, GradientPath] = {name: method.path for name, method in TABLE.items()}

#: Every gradient method, from the most literal to the most efficient, then the referee.
METHODS: tuple[str, ...] = tuple(TABLE)

#: The methods that compute the gradient exactly (all but finite differences).
EXACT_METHODS: tuple[str, ...] = tuple(m for m in METHODS if TABLE[m].exact)

#: The methods that materialize Jacobians, and so answer to the memory budget: their paths take ``max_bytes``.
MATERIALIZING_METHODS: tuple[str, ...] = tuple(m for m in METHODS if TABLE[m].materializes)

#: The methods that run on SymPy entries (:func:`jacobian_bp.symbolic.gradient`).
SYMBOLIC_METHODS: tuple[str, ...] = tuple(m for m in METHODS if TABLE[m].symbolic)


def path_for(method: str, max_bytes: int | None = None) -> GradientPath:
    """The gradient path of ``method``, held to the budget ``max_bytes`` if it materializes Jacobians.

    The budget is resolved — and a bad ``max_bytes`` or ``JACOBIAN_BP_MAX_BYTES``
    refused — for every method, including those that never use it.

    >>> path_for("einsum", max_bytes=2**20).__name__
    'einsum_gradient'
    """
    check_method(method)
    # Read for every method, so that a bad JACOBIAN_BP_MAX_BYTES is the same clear error everywhere,
    # not only on the paths where the budget happens to bite.
    budget = resolve_max_bytes(max_bytes)
    if method not in MATERIALIZING_METHODS:
        return PATHS[method]
    return functools.wraps(PATHS[method])(functools.partial(PATHS[method], max_bytes=budget))


def check_method(method: str) -> None:
    """Raise :class:`UnknownNameError` listing :data:`METHODS` unless ``method`` is one."""
    if method not in PATHS:
        raise UnknownNameError.for_choice("gradient method", method, METHODS)


def gradient(
    net: MLP, X: Any, T: Any, loss: str = "mse", method: str = "backprop", max_bytes: int | None = None
) -> dict[str, Array]:
    """``∂J/∂θ`` for every parameter, as a dict shaped exactly like ``net.params``.

    ``X`` is one example ``(n0,)`` or a batch ``(N, n0)``; ``J`` is the mean loss over the batch.
    The materializing methods (``reshape``, ``slices``, ``einsum``, ``structured``) check
    every Jacobian against the memory budget ``max_bytes`` (default: the environment
    variable ``JACOBIAN_BP_MAX_BYTES``, else 1 GiB) before allocating it; every method
    refuses a budget that is not a positive number of bytes.

    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5], [-0.5, 2.0]]), np.array([1.0, 0.0])
    >>> by_einsum = jbp.gradient(net, X, T, loss="mse", method="einsum")
    >>> by_backprop = jbp.gradient(net, X, T, loss="mse", method="backprop")
    >>> {name: g.shape for name, g in by_einsum.items()}
    {'W1': (3, 2), 'b1': (3,), 'W2': (1, 3), 'b2': (1,)}
    >>> all(np.allclose(by_einsum[k], by_backprop[k], rtol=1e-10, atol=1e-12) for k in net.params)
    True
    """
    path = path_for(method, max_bytes)
    trace, T, loss_fn = prepare(net, X, T, loss)
    return path(net, trace, T, loss_fn)
