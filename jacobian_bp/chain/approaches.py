"""Multiplying a Jacobian by a Jacobian: the notes' Approach 1, Approach 2 (their a·B example), and einsum.

``∂y/∂x = ∂y/∂u · ∂u/∂x`` sums over the axes of ``u``, which the left factor
has last and the right factor has first. Each approach is one function that
takes two Jacobians — or two stacks of per-example Jacobians, whose batch axis
it carries along, and sums where the right factor ends at a parameter every
example shares (:mod:`jacobian_bp.chain.batch`). :func:`chain`,
:meth:`JacobianChain.contract <jacobian_bp.chain.jacobian_chain.JacobianChain.contract>`
and ``gradient(method=...)`` all call these three functions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import einops
import numpy as np

from jacobian_bp.chain.budget import Budget, check_budget, resolve_max_bytes
from jacobian_bp.chain.jacobian import EntryCounts, Jacobian, compose_names
from jacobian_bp.chain.order import check_order, contract_in_order
from jacobian_bp.errors import ChainError, InputTypeError, UnknownNameError

Array = np.ndarray
Shape = tuple[int, ...]

#: The approaches :func:`chain` can contract two Jacobians with.
CHAIN_METHODS = ("reshape", "slices", "einsum")


def result_batch_axes(outer: EntryCounts, inner: EntryCounts) -> Shape:
    """The product's batch axes: the carried ``(N,)``, or none once ``inner`` ends at a shared parameter."""
    return () if inner.shared_input else outer.batch_axes


def _matmul(left: Array, right: Array, sum_batch: bool) -> Array:
    """Matrix forms multiplied: ``(O, M) @ (M, I)``, or ``(N, O, M) @ (N, M, I)`` example by example.

    Summing over the batch too is one plain product once the batch axis joins
    the contracted one: ``(O, N·M) @ (N·M, I)``.
    """
    if not sum_batch:
        return left @ right
    batch_size, out_size, mid_size = left.shape
    return left.transpose(1, 0, 2).reshape(out_size, batch_size * mid_size) @ right.reshape(batch_size * mid_size, -1)


def reshape(outer: EntryCounts, inner: EntryCounts) -> Array:
    """Approach 2: flatten both factors to matrices, multiply, reshape the product back.

    This is the notes' ``a B̄``: ``∂a¹/∂W¹`` flattened to a ``3×6`` matrix, a row
    vector times it, and the ``1×6`` result reshaped to ``3×2``.

    >>> a = Jacobian(np.array([1.0, 2.0, 3.0]), (), (3,), "a")
    >>> B = Jacobian(np.arange(12.0).reshape(3, 2, 2), (3,), (2, 2), "B")
    >>> reshape(a, B)
    array([[32., 38.],
           [44., 50.]])
    """
    sum_batch = bool(outer.batch_axes) and inner.shared_input
    product = _matmul(outer.matrix, inner.matrix, sum_batch)
    # The matrix product keeps the batch axis it carries (none once summed) before its two matrix axes.
    return product.reshape(product.shape[:-2] + outer.out_shape + inner.in_shape)


def slices(outer: EntryCounts, inner: EntryCounts) -> Array:
    """Approach 1: multiply by each slice of the right factor along its first input axis, then collate.

    The notes' ``a B = [a B¹; a B²]``: each slice is an ordinary matrix, so each
    piece is an ordinary product; stacking the pieces restores the lost axis.

    >>> a = Jacobian(np.array([1.0, 2.0, 3.0]), (), (3,), "a")
    >>> B = Jacobian(np.arange(12.0).reshape(3, 2, 2), (3,), (2, 2), "B")
    >>> slices(a, B)
    array([[32., 38.],
           [44., 50.]])
    """
    if not inner.in_shape:  # nothing to slice: a single piece
        return reshape(outer, inner)
    sum_batch = bool(outer.batch_axes) and inner.shared_input
    batch_axes = result_batch_axes(outer, inner)
    slice_axis = len(inner.batch_axes) + len(inner.out_shape)
    mid_size = outer.matrix.shape[-1]
    pieces = []
    for index in range(inner.in_shape[0]):
        inner_slice = np.take(inner.array, index, axis=slice_axis)
        piece = _matmul(outer.matrix, inner_slice.reshape(*inner.batch_axes, mid_size, -1), sum_batch)
        pieces.append(piece.reshape(batch_axes + outer.out_shape + inner.in_shape[1:]))
    return np.stack(pieces, axis=len(batch_axes) + len(outer.out_shape))


def einsum_pattern(outer: EntryCounts, inner: EntryCounts) -> str:
    """The einops pattern that sums the shared axes; ``n`` (the example) is summed only into a parameter.

    >>> a = Jacobian(np.ones((1, 3)), (1,), (3,))
    >>> b = Jacobian(np.ones((3, 3, 2)), (3,), (3, 2))
    >>> einsum_pattern(a, b)
    'out0 mid0, mid0 in0 in1 -> out0 in0 in1'
    """
    batch = ["n"] if outer.batch_axes else []
    out_axes = [f"out{d}" for d in range(len(outer.out_shape))]
    mid_axes = [f"mid{d}" for d in range(len(outer.in_shape))]
    in_axes = [f"in{d}" for d in range(len(inner.in_shape))]
    kept = [] if inner.shared_input else batch
    return f"{' '.join(batch + out_axes + mid_axes)}, {' '.join(batch + mid_axes + in_axes)} -> " + " ".join(
        kept + out_axes + in_axes
    )


def einsum(outer: EntryCounts, inner: EntryCounts) -> Array:
    """Name every axis and let ``einops.einsum`` sum over the shared ones (and over ``n`` into a parameter).

    >>> a = Jacobian(np.array([1.0, 2.0, 3.0]), (), (3,), "a")
    >>> B = Jacobian(np.arange(12.0).reshape(3, 2, 2), (3,), (2, 2), "B")
    >>> einsum(a, B)
    array([[32., 38.],
           [44., 50.]])
    """
    return np.asarray(einops.einsum(outer.array, inner.array, einsum_pattern(outer, inner)))


#: What an approach is: two Jacobians (or stacks) in, the array of their product out.
Approach = Callable[[EntryCounts, EntryCounts], Array]

APPROACHES: dict[str, Approach] = {
    "reshape": reshape,
    "slices": slices,
    "einsum": einsum,
}


def approach(method: str) -> Approach:
    """The function of ``method``, one of :data:`CHAIN_METHODS`; an unknown name lists them.

    >>> approach("slices").__name__
    'slices'
    """
    if method not in APPROACHES:
        raise UnknownNameError.for_choice("chaining method", method, CHAIN_METHODS)
    return APPROACHES[method]


def check_chainable(outer: EntryCounts, inner: EntryCounts) -> None:
    """Raise :class:`ChainError` unless ``outer``'s input is ``inner``'s output."""
    if outer.in_shape != inner.out_shape:
        shape = "per-example shape" if outer.batch_axes else "shape"
        raise ChainError(
            f"cannot chain {outer.name} ({shape} {outer.out_shape + outer.in_shape}, input axes {outer.in_shape}) "
            f"with {inner.name} ({shape} {inner.out_shape + inner.in_shape}, output axes {inner.out_shape}): "
            f"the input of the first must be the output of the second"
        )


def check_factors(factors: Sequence[EntryCounts], kind: type, entry: str) -> None:
    """Raise unless ``factors`` is a non-empty list of ``kind`` objects, each one's input the next one's output.

    What :func:`chain` (Jacobians) and :func:`~jacobian_bp.chain.batch.chain_per_example` (stacks) both
    check, named after ``entry``, the function that was called.
    """
    if not factors:
        raise ChainError(f"{entry} needs at least one {kind.__name__}")
    for position, factor in enumerate(factors):
        if not isinstance(factor, kind):
            raise InputTypeError(
                f"{entry} takes {kind.__name__} objects; factor {position} is a {type(factor).__name__}"
            )
    for outer, inner in itertools.pairwise(factors):
        check_chainable(outer, inner)


def check_chain(factors: Sequence[Jacobian], order: str = "reverse") -> None:
    """Raise unless ``factors`` is a non-empty list of chainable Jacobians and ``order`` a known order."""
    check_factors(factors, Jacobian, "chain")
    check_order(order)


def chain_pair(outer: Jacobian, inner: Jacobian, method: str = "reshape", max_bytes: int | None = None) -> Jacobian:
    """Contract two Jacobians into ``∂(outer's output)/∂(inner's input)``, within the memory budget.

    >>> outer = Jacobian(np.array([[1.0, 2.0]]), (1,), (2,), "∂y/∂u")
    >>> inner = Jacobian(np.array([[3.0], [4.0]]), (2,), (1,), "∂u/∂x")
    >>> chain_pair(outer, inner, "slices")
    Jacobian(∂y/∂x ∈ R^{1×1}, shape (1, 1), scalar)
    """
    contract = approach(method)
    if not isinstance(outer, Jacobian) or not isinstance(inner, Jacobian):
        raise InputTypeError(f"chain takes Jacobian objects, got {type(outer).__name__} and {type(inner).__name__}")
    check_chainable(outer, inner)
    return _product(outer, inner, contract, resolve_max_bytes(max_bytes))


def _product(outer: Jacobian, inner: Jacobian, contract: Approach, budget: Budget) -> Jacobian:
    """Two checked, chainable Jacobians contracted, the product's size checked against the budget first."""
    name = compose_names(outer.name, inner.name)
    check_budget(name, outer.out_shape + inner.in_shape, budget)
    return Jacobian._checked(contract(outer, inner), outer.out_shape, inner.in_shape, name)


def chain(
    *factors: Jacobian, method: str = "reshape", order: str = "reverse", max_bytes: int | None = None
) -> Jacobian:
    """Chain any number of compatible Jacobians, outermost first, in ``order`` (left to right by default).

    Before each product is allocated its size is checked against the memory
    budget (``max_bytes``, see :mod:`jacobian_bp.chain.budget`).

    >>> d_J_d_h = Jacobian(np.array([0.5, -1.0, 2.0]), (), (3,), "∂J/∂h")
    >>> d_h_d_a = Jacobian(np.diag([0.25, 0.5, 1.0]), (3,), (3,), "∂h/∂a")
    >>> chain(d_J_d_h, d_h_d_a, method="einsum").array
    array([ 0.125, -0.5  ,  2.   ])
    """
    contract = approach(method)
    check_chain(factors, order)
    budget = resolve_max_bytes(max_bytes)
    return contract_in_order(factors, lambda outer, inner: _product(outer, inner, contract, budget), order)
