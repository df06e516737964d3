"""Chaining generalized Jacobians: the chain rule as a product of tensors.

``∂y/∂x = ∂y/∂u · ∂u/∂x`` contracts the axes of ``u``, which the left factor
has last and the right factor has first. Three ways to do it, all exact:

* ``"reshape"`` — the notes' Approach 2: flatten both factors to matrices,
  multiply, reshape the product back to ``y.shape + x.shape``;
* ``"slices"`` — the notes' Approach 1: multiply the left factor by each slice
  of the right factor along its first input axis and collate the results;
* ``"einsum"`` — name every axis and let ``einops.einsum`` sum over the shared
  ones.

Longer chains are contracted pairwise from the left (the loss end) by default,
which for a scalar loss keeps every intermediate result a vector: reverse
accumulation. ``order="forward"`` or ``"optimal"`` picks another
parenthesization (see :mod:`jacobian_bp.chain_order`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import einops
import numpy as np

from jacobian_bp.budget import check_budget, resolve_max_bytes
from jacobian_bp.chain_order import check_order, contract_in_order
from jacobian_bp.errors import ChainError, InputTypeError, UnknownNameError
from jacobian_bp.jacobian import Jacobian, compose_names

#: The ways :func:`chain` can contract two Jacobians.
CHAIN_METHODS = ("reshape", "slices", "einsum")


def chain_reshape(outer: Jacobian, inner: Jacobian) -> np.ndarray:
    """Flatten, multiply the matrix forms, reshape back (Approach 2)."""
    product = outer.matrix @ inner.matrix
    return product.reshape(outer.out_shape + inner.in_shape)


def chain_slices(outer: Jacobian, inner: Jacobian) -> np.ndarray:
    """Multiply by each slice of ``inner`` along its first input axis, then collate (Approach 1)."""
    if not inner.in_shape:
        return chain_reshape(outer, inner)
    shared_size = outer.matrix.shape[1]
    slice_axis = len(inner.out_shape)
    pieces = []
    for index in range(inner.in_shape[0]):
        inner_slice = np.take(inner.array, index, axis=slice_axis)
        piece = outer.matrix @ inner_slice.reshape(shared_size, -1)
        pieces.append(piece.reshape(outer.out_shape + inner.in_shape[1:]))
    return np.stack(pieces, axis=len(outer.out_shape))


def einsum_pattern(outer: Jacobian, inner: Jacobian) -> str:
    """The einops pattern that contracts the shared axes, with readable names.

    >>> a = Jacobian(np.ones((1, 3)), (1,), (3,))
    >>> b = Jacobian(np.ones((3, 3, 2)), (3,), (3, 2))
    >>> einsum_pattern(a, b)
    'out0 mid0, mid0 in0 in1 -> out0 in0 in1'
    """
    out_axes = [f"out{d}" for d in range(len(outer.out_shape))]
    mid_axes = [f"mid{d}" for d in range(len(outer.in_shape))]
    in_axes = [f"in{d}" for d in range(len(inner.in_shape))]
    left = " ".join(out_axes + mid_axes)
    right = " ".join(mid_axes + in_axes)
    result = " ".join(out_axes + in_axes)
    return f"{left}, {right} -> {result}"


def chain_einsum(outer: Jacobian, inner: Jacobian) -> np.ndarray:
    """Sum over the named shared axes with ``einops.einsum``."""
    return np.asarray(einops.einsum(outer.array, inner.array, einsum_pattern(outer, inner)))


_PAIRWISE: dict[str, Callable[[Jacobian, Jacobian], np.ndarray]] = {
    "reshape": chain_reshape,
    "slices": chain_slices,
    "einsum": chain_einsum,
}


def check_chainable(outer: Jacobian, inner: Jacobian) -> None:
    """Raise :class:`ChainError` unless ``outer``'s input is ``inner``'s output."""
    if outer.in_shape != inner.out_shape:
        raise ChainError(
            f"cannot chain {outer.name} (shape {outer.shape}, input axes {outer.in_shape}) "
            f"with {inner.name} (shape {inner.shape}, output axes {inner.out_shape}): "
            f"the input of the first must be the output of the second"
        )


def check_chain(factors: Sequence[Jacobian], order: str = "reverse") -> None:
    """Raise unless ``factors`` is a non-empty list of chainable Jacobians and ``order`` a known order."""
    if not factors:
        raise ChainError("chain needs at least one Jacobian")
    for position, factor in enumerate(factors):
        if not isinstance(factor, Jacobian):
            raise InputTypeError(f"chain takes Jacobian objects; factor {position} is a {type(factor).__name__}")
    check_order(order)
    for outer, inner in itertools.pairwise(factors):
        check_chainable(outer, inner)


def chain_pair(outer: Jacobian, inner: Jacobian, method: str = "reshape") -> Jacobian:
    """Contract two Jacobians into ``∂(outer's output)/∂(inner's input)``.

    >>> outer = Jacobian(np.array([[1.0, 2.0]]), (1,), (2,), "∂y/∂u")
    >>> inner = Jacobian(np.array([[3.0], [4.0]]), (2,), (1,), "∂u/∂x")
    >>> chain_pair(outer, inner, "slices")
    Jacobian(∂y/∂x ∈ R^{1×1}, shape (1, 1), scalar)
    """
    if method not in _PAIRWISE:
        raise UnknownNameError.for_choice("chaining method", method, CHAIN_METHODS)
    if not isinstance(outer, Jacobian) or not isinstance(inner, Jacobian):
        raise InputTypeError(f"chain takes Jacobian objects, got {type(outer).__name__} and {type(inner).__name__}")
    check_chainable(outer, inner)
    array = _PAIRWISE[method](outer, inner)
    return Jacobian(array, outer.out_shape, inner.in_shape, compose_names(outer.name, inner.name))


def chain(
    *factors: Jacobian, method: str = "reshape", order: str = "reverse", max_bytes: int | None = None
) -> Jacobian:
    """Chain any number of compatible Jacobians, outermost first, in ``order`` (left to right by default).

    Before each product is allocated its size is checked against the memory
    budget (``max_bytes``, see :mod:`jacobian_bp.budget`).

    >>> d_J_d_h = Jacobian(np.array([0.5, -1.0, 2.0]), (), (3,), "∂J/∂h")
    >>> d_h_d_a = Jacobian(np.diag([0.25, 0.5, 1.0]), (3,), (3,), "∂h/∂a")
    >>> chain(d_J_d_h, d_h_d_a, method="einsum").array
    array([ 0.125, -0.5  ,  2.   ])
    """
    if method not in _PAIRWISE:
        raise UnknownNameError.for_choice("chaining method", method, CHAIN_METHODS)
    check_chain(factors, order)
    budget = resolve_max_bytes(max_bytes)

    def budgeted_pair(outer: Jacobian, inner: Jacobian) -> Jacobian:
        check_budget(compose_names(outer.name, inner.name), outer.out_shape + inner.in_shape, budget)
        return chain_pair(outer, inner, method)

    return contract_in_order(factors, budgeted_pair, order)
