"""A batch of examples: the chain of Jacobians with a batch axis, in two views.

The notes stop where a batch adds a dimension to every tensor. With ``N``
examples stacked as rows, ``X`` is ``(N, n0)``, ``A¹`` and ``H¹`` are ``(N, 3)``
for the notes' network, and the batch-mean loss

    J = (1/N) [J⁽¹⁾ … J⁽ᴺ⁾] · 1

adds one more factor at the front of every chain: ``∂J/∂J⁽ᵖ⁾``, the vector of
``N`` weights ``1/N``. From there the chain can be materialized two ways.

*Full view* — each factor is the generalized Jacobian of one stacked quantity
with respect to another, with *both* batch axes: ``∂H¹/∂A¹`` has shape
``(N, 3, N, 3)`` and ``∂A²/∂H¹`` shape ``(N, 1, N, 3)``. Example ``p``'s
output never depends on example ``q``'s input, so every block ``[p, :, q, :]``
with ``p ≠ q`` is exactly zero: ``N² − N`` blocks of memory spent on nothing.
Jacobians *into* a parameter have one batch axis only — ``∂A¹/∂W¹`` is
``(N, 3, 3, 2)`` — because every example shares ``W¹``. These are ordinary
:class:`~jacobian_bp.jacobian.Jacobian` objects and chain with any method.

*Per-example view* — keep only the diagonal blocks: ``∂h¹/∂a¹`` as
``(N, 3, 3)``, one ``3×3`` block per example. Each factor is a
:class:`BatchedJacobian`, a stack of ``N`` per-example Jacobians, and
:func:`chain_per_example` contracts them *with* the batch axis: the batch index
is carried through every product (einsum ``"n o m, n m i -> n o i"``, a batched
matrix product) and summed only where the chain reaches a parameter that every
example shares (``"n o, n o i j -> i j"``). That sum is the multivariable
chain rule adding up the paths through the ``N`` examples.

Both views give ``∂J/∂θ`` exactly, equal to every gradient method.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import einops
import numpy as np

from jacobian_bp import affine
from jacobian_bp.budget import check_budget, resolve_max_bytes
from jacobian_bp.chaining import CHAIN_METHODS
from jacobian_bp.errors import ChainError, InputTypeError, ShapeError, UnknownNameError
from jacobian_bp.jacobian import (
    STRUCTURES,
    EntryCounts,
    Jacobian,
    compose_names,
    nonzero_mask,
    space_notation,
    superscript,
)
from jacobian_bp.losses import Loss, finite_gradient
from jacobian_bp.mlp import MLP, Trace, parse_param_name

Array = np.ndarray
Shape = tuple[int, ...]

#: The two ways :func:`~jacobian_bp.jacobian_chain.jacobian_chain` can materialize a batch's chain.
BATCH_VIEWS = ("full", "per_example")

# Per-example quantities are lower case; their batch stacks are upper case (a¹ → A¹).
_STACKED = str.maketrans({"a": "A", "h": "H", "z": "Z", "x": "X"})


def stacked_name(name: str) -> str:
    """The name of a per-example Jacobian with the batch stacks in capitals, as the full view writes it.

    >>> stacked_name("∂h¹/∂a¹"), stacked_name("∂a¹/∂W¹"), stacked_name("∂J⁽ᵖ⁾/∂z")
    ('∂H¹/∂A¹', '∂A¹/∂W¹', '∂J⁽ᵖ⁾/∂Z')
    """
    return name.translate(_STACKED)


def block_diagonal(blocks: Array, out_shape: Shape, in_shape: Shape) -> Array:
    """Place ``N`` per-example blocks on the diagonal of a full batch Jacobian.

    ``blocks`` has shape ``(N,) + out_shape + in_shape``; the result has shape
    ``(N,) + out_shape + (N,) + in_shape`` and is exactly zero between different examples.

    >>> full = block_diagonal(np.array([[[1.0]], [[2.0]]]), (1,), (1,))
    >>> full.shape, full[:, 0, :, 0]
    ((2, 1, 2, 1), array([[1., 0.],
           [0., 2.]]))
    """
    batch_size = blocks.shape[0]
    out_size, in_size = math.prod(out_shape), math.prod(in_shape)
    full = np.zeros((batch_size, *out_shape, batch_size, *in_shape), dtype=blocks.dtype)
    example = np.arange(batch_size)
    # Two index arrays around a slice: the indexed view is (N, out, in), block p at [p, :, p, :].
    full.reshape(batch_size, out_size, batch_size, in_size)[example, :, example, :] = blocks.reshape(
        batch_size, out_size, in_size
    )
    return full


class BatchedJacobian(EntryCounts):
    """A stack of ``N`` per-example Jacobians ``∂u⁽ᵖ⁾/∂v⁽ᵖ⁾``: the per-example view of a batch.

    ``array`` has shape ``(N,) + out_shape + in_shape``; ``out_shape`` and
    ``in_shape`` are the shapes of *one* example's Jacobian, and ``array[p]`` is
    example ``p``'s block. It is not a :class:`Jacobian` (no single function has
    it as its derivative), so :func:`~jacobian_bp.chaining.chain` does not take
    it; :func:`chain_per_example` does. Two flags say how the stack sits in the
    batch:

    * ``shared_input`` — the input is the same for every example (a parameter
      such as ``W¹``), so chaining into this factor sums over the batch;
    * ``shared_output`` — the output is the same for every example (the batch
      loss ``J``), as in the mean factor ``∂J/∂J⁽ᵖ⁾``.

    >>> h = np.array([[0.5, 0.25], [0.75, 0.5]])  # sigmoid outputs of two examples
    >>> d_h_d_a = BatchedJacobian(np.stack([np.diag(r * (1 - r)) for r in h]), (2,), (2,), "∂h¹/∂a¹")
    >>> d_h_d_a.batch_size, d_h_d_a.notation, d_h_d_a.structure
    (2, '(R^{2×2})^{2}', 'diagonal')
    >>> d_h_d_a.full().shape, d_h_d_a.full().name
    ((2, 2, 2, 2), '∂H¹/∂A¹')
    """

    def __init__(
        self,
        array: Any,
        out_shape: Shape,
        in_shape: Shape,
        name: str = "∂y/∂x",
        shared_input: bool = False,
        shared_output: bool = False,
    ) -> None:
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise InputTypeError(f"a batched Jacobian holds real numbers, got dtype {array.dtype} for {name}")
        out_shape, in_shape = tuple(int(n) for n in out_shape), tuple(int(n) for n in in_shape)
        if array.ndim < 1 or array.shape[1:] != out_shape + in_shape:
            raise ShapeError(
                f"{name}: a stack of per-example Jacobians needs shape (N,) + out_shape {out_shape} + "
                f"in_shape {in_shape}; got an array of shape {array.shape}"
            )
        self.array = array
        self.out_shape: Shape = out_shape
        self.in_shape: Shape = in_shape
        self.name = name
        self.shared_input = shared_input
        self.shared_output = shared_output

    @property
    def batch_size(self) -> int:
        """``N``, the number of stacked examples (the length of the leading axis)."""
        return int(self.array.shape[0])

    @property
    def shape(self) -> Shape:
        """``(N,) + out_shape + in_shape``, the shape of :attr:`array`."""
        return tuple(self.array.shape)

    @property
    def matrix(self) -> Array:
        """The stack of matrix forms, shape ``(N, prod(out_shape), prod(in_shape))``: what batched matmul takes."""
        return self.array.reshape(self.batch_size, math.prod(self.out_shape), math.prod(self.in_shape))

    @property
    def notation(self) -> str:
        """``N`` copies of one example's space, e.g. ``(R^{3×3})^{4}``."""
        return f"({space_notation(self.out_shape, self.in_shape)})^{{{self.batch_size}}}"

    @property
    def structure(self) -> str:
        """The structure of the blocks' combined non-zero pattern, one of :data:`STRUCTURES`.

        ``identity`` only if every block is the identity.
        """
        if self.batch_size == 0:
            return "zero"
        nonzero = nonzero_mask(self.array)
        # One block standing for all: 0 where every block is 0, 1 where every block is 1, 2 elsewhere.
        representative = np.where((self.array == 1).all(axis=0), 1.0, np.where(nonzero.any(axis=0), 2.0, 0.0))
        structure = Jacobian(representative, self.out_shape, self.in_shape).structure
        assert structure in STRUCTURES
        return structure

    def block(self, p: int) -> Jacobian:
        """Example ``p``'s own Jacobian."""
        return Jacobian(self.array[p], self.out_shape, self.in_shape, f"{self.name} (example {p})")

    def full(self, max_bytes: int | None = None) -> Jacobian:
        """The full-view Jacobian whose diagonal blocks this stack holds, zeros included.

        Into a shared input (a parameter) the stack already *is* the full
        Jacobian, with out shape ``(N,) + out_shape``; from a shared output
        (the loss ``J``) the batch axis joins the input; otherwise the blocks
        go on the diagonal of an ``(N,) + out_shape + (N,) + in_shape`` array.
        """
        N, name = self.batch_size, stacked_name(self.name)
        if self.shared_output:
            array = np.moveaxis(self.array, 0, len(self.out_shape))
            return Jacobian(array, self.out_shape, (N, *self.in_shape), name)
        if self.shared_input:
            return Jacobian(self.array, (N, *self.out_shape), self.in_shape, name)
        check_budget(name, (N, *self.out_shape, N, *self.in_shape), max_bytes, self.array.dtype)
        array = block_diagonal(self.array, self.out_shape, self.in_shape)
        return Jacobian(array, (N, *self.out_shape), (N, *self.in_shape), name)

    def __repr__(self) -> str:
        return f"BatchedJacobian({self.name} ∈ {self.notation}, shape {self.shape}, {self.structure})"


# ---------------------------------------------------------------------------------------------
# Contracting a per-example chain: the batch axis is carried along, and summed at a parameter.


def _batched_matmul(left: Array, right: Array, sum_batch: bool) -> Array:
    """``(N, O, M) @ (N, M, R)``: ``(N, O, R)``, or summed over the batch, ``(O, R)``.

    Summing over the batch is one plain matrix product once the batch axis is
    folded into the contracted one: ``(O, N·M) @ (N·M, R)``.
    """
    if not sum_batch:
        return left @ right
    batch_size, out_size, mid_size = left.shape
    folded_left = left.transpose(1, 0, 2).reshape(out_size, batch_size * mid_size)
    return folded_left @ right.reshape(batch_size * mid_size, -1)


def _pair_reshape(outer: BatchedJacobian, inner: BatchedJacobian, sum_batch: bool) -> Array:
    batch_axes = () if sum_batch else (outer.batch_size,)
    product = _batched_matmul(outer.matrix, inner.matrix, sum_batch)
    return product.reshape(batch_axes + outer.out_shape + inner.in_shape)


def _pair_slices(outer: BatchedJacobian, inner: BatchedJacobian, sum_batch: bool) -> Array:
    if not inner.in_shape:
        return _pair_reshape(outer, inner, sum_batch)
    batch_axes = () if sum_batch else (outer.batch_size,)
    mid_size = math.prod(outer.in_shape)
    pieces = []
    for index in range(inner.in_shape[0]):
        inner_slice = np.take(inner.array, index, axis=1 + len(inner.out_shape))
        piece = _batched_matmul(outer.matrix, inner_slice.reshape(outer.batch_size, mid_size, -1), sum_batch)
        pieces.append(piece.reshape(batch_axes + outer.out_shape + inner.in_shape[1:]))
    return np.stack(pieces, axis=len(batch_axes) + len(outer.out_shape))


def per_example_einsum_pattern(outer: BatchedJacobian, inner: BatchedJacobian) -> str:
    """The einops pattern that chains two stacks; ``n`` (the example) is dropped only into a parameter.

    >>> d_J_d_h = BatchedJacobian(np.ones((4, 3)), (), (3,))
    >>> d_h_d_a = BatchedJacobian(np.ones((4, 3, 3)), (3,), (3,))
    >>> d_a_d_W = BatchedJacobian(np.ones((4, 3, 3, 2)), (3,), (3, 2), shared_input=True)
    >>> per_example_einsum_pattern(d_J_d_h, d_h_d_a)
    'n mid0, n mid0 in0 -> n in0'
    >>> per_example_einsum_pattern(d_J_d_h, d_a_d_W)
    'n mid0, n mid0 in0 in1 -> in0 in1'
    """
    out_axes = [f"out{d}" for d in range(len(outer.out_shape))]
    mid_axes = [f"mid{d}" for d in range(len(outer.in_shape))]
    in_axes = [f"in{d}" for d in range(len(inner.in_shape))]
    kept = [] if inner.shared_input else ["n"]
    return f"{' '.join(['n', *out_axes, *mid_axes])}, {' '.join(['n', *mid_axes, *in_axes])} -> " + " ".join(
        kept + out_axes + in_axes
    )


def _pair_einsum(outer: BatchedJacobian, inner: BatchedJacobian, sum_batch: bool) -> Array:
    return np.asarray(einops.einsum(outer.array, inner.array, per_example_einsum_pattern(outer, inner)))


_PAIRWISE: dict[str, Callable[[BatchedJacobian, BatchedJacobian, bool], Array]] = {
    "reshape": _pair_reshape,
    "slices": _pair_slices,
    "einsum": _pair_einsum,
}


def _check_per_example_chain(factors: Sequence[BatchedJacobian]) -> None:
    if not factors:
        raise ChainError("chain_per_example needs at least one BatchedJacobian")
    for position, factor in enumerate(factors):
        if not isinstance(factor, BatchedJacobian):
            raise InputTypeError(
                f"chain_per_example takes BatchedJacobian objects; factor {position} is a {type(factor).__name__}"
            )
    sizes = {factor.batch_size for factor in factors}
    if len(sizes) > 1:
        raise ChainError(f"every factor must stack the same number of examples; got batch sizes {sorted(sizes)}")
    for position, (outer, inner) in enumerate(itertools.pairwise(factors)):
        if outer.in_shape != inner.out_shape:
            raise ChainError(
                f"cannot chain {outer.name} (per-example shape {outer.out_shape + outer.in_shape}, input axes "
                f"{outer.in_shape}) with {inner.name} (per-example output axes {inner.out_shape})"
            )
        if outer.shared_input:
            raise ChainError(
                f"{outer.name} (factor {position}) ends at a shared parameter, where the batch is summed; "
                f"it must be the last factor"
            )


def chain_per_example(
    factors: Sequence[BatchedJacobian], method: str = "reshape", max_bytes: int | None = None
) -> Jacobian | BatchedJacobian:
    """Contract a per-example chain, outermost first, keeping the batch axis until a shared parameter.

    The result is ``∂J/∂θ`` as a :class:`Jacobian` when the last factor ends
    at a parameter (the batch is summed there), ``∂J/∂X`` with input shape
    ``(N, ...)`` when the first factor starts at the shared loss, and otherwise
    the stack of per-example products.

    >>> mean = BatchedJacobian(np.full(2, 0.5), (), (), "∂J/∂J⁽ᵖ⁾", shared_output=True)
    >>> d_L_d_a = BatchedJacobian(np.array([[1.0, 2.0], [3.0, 4.0]]), (), (2,), "∂J⁽ᵖ⁾/∂a")
    >>> d_a_d_b = BatchedJacobian(np.stack([np.eye(2)] * 2), (2,), (2,), "∂a/∂b", shared_input=True)
    >>> chain_per_example([mean, d_L_d_a, d_a_d_b], method="einsum").array  # the mean of the rows
    array([2., 3.])
    """
    if method not in _PAIRWISE:
        raise UnknownNameError.for_choice("chaining method", method, CHAIN_METHODS)
    _check_per_example_chain(factors)
    budget = resolve_max_bytes(max_bytes)
    result = factors[0]
    for inner in factors[1:]:
        name = compose_names(result.name, inner.name)
        batch_axes = () if inner.shared_input else (result.batch_size,)
        check_budget(name, batch_axes + result.out_shape + inner.in_shape, budget)
        array = _PAIRWISE[method](result, inner, inner.shared_input)
        if inner.shared_input:
            return Jacobian(array, result.out_shape, inner.in_shape, name)
        result = BatchedJacobian(array, result.out_shape, inner.in_shape, name, shared_output=result.shared_output)
    if result.shared_output and len(factors) > 1:
        # The loss is shared, the input is not: ∂J/∂X has one row per example.
        return result.full(budget)
    return result


# ---------------------------------------------------------------------------------------------
# Building the chain of a batch.


@dataclass
class _Local:
    """One local Jacobian of the chain, before it is materialized in either view."""

    name: str  # the per-example name; the full view capitalizes the stacked quantities
    out_shape: Shape  # of one example
    in_shape: Shape  # of one example
    blocks: Callable[[], Array]  # builds the (N,) + out_shape + in_shape stack
    shared_input: bool = False
    shared_output: bool = False

    def full_shape(self, batch_size: int) -> Shape:
        if self.shared_input or self.shared_output:
            return (batch_size, *self.out_shape, *self.in_shape)
        return (batch_size, *self.out_shape, batch_size, *self.in_shape)

    def materialize(self, view: str, batch_size: int, max_bytes: int) -> Jacobian | BatchedJacobian:
        shape = (batch_size, *self.out_shape, *self.in_shape) if view == "per_example" else self.full_shape(batch_size)
        check_budget(stacked_name(self.name) if view == "full" else self.name, shape, max_bytes)
        stack = BatchedJacobian(
            self.blocks(), self.out_shape, self.in_shape, self.name, self.shared_input, self.shared_output
        )
        return stack if view == "per_example" else stack.full(max_bytes)


def _repeat(matrix: Array, batch_size: int) -> Array:
    """``N`` copies of a matrix that every example shares, as a real (writable) stack."""
    return np.broadcast_to(matrix, (batch_size, *matrix.shape)).copy()


def local_factors(net: MLP, trace: Trace, T: Array, wrt: str, loss: Loss) -> list[_Local]:
    """The local Jacobians of ``∂J/∂wrt`` for a batch, outermost first, as unbuilt stacks.

    The one list of the chain's factors: both batch views materialize it, and a
    single example's chain (:func:`~jacobian_bp.jacobian_chain.example_chain`) is
    its batch of one.
    """
    # "x" (the input) is the one name besides the parameters; jacobian_chain.INPUT_NAME.
    kind, layer = ("x", 1) if wrt == "x" else parse_param_name(net, wrt)
    N, L = trace.h[0].shape[0], net.depth
    Z, n_out = trace.z, net.sizes[L]
    sup = superscript
    locals_ = [
        _Local("∂J/∂J⁽ᵖ⁾", (), (), lambda: np.full(N, 1.0 / N), shared_output=True),
        _Local("∂J⁽ᵖ⁾/∂z", (), (n_out,), lambda: finite_gradient(loss, Z, T, trace.a[L])),
    ]
    for k in range(L, layer - 1, -1):
        n, activation = net.sizes[k], net.layer_activation(k)
        output = "z" if k == L else f"h{sup(k)}"
        locals_.append(
            _Local(
                f"∂{output}/∂a{sup(k)}",
                (n,),
                (n,),
                lambda activation=activation, k=k: activation.jacobian(trace.a[k], trace.h[k]),
            )
        )
        if k > layer or kind == "x":
            W, below = net.params[f"W{k}"], "x" if k == 1 else f"h{sup(k - 1)}"
            locals_.append(_Local(f"∂a{sup(k)}/∂{below}", (n,), W.shape[1:], lambda W=W: _repeat(W, N)))
    n = net.sizes[layer]
    if kind == "W":
        H = trace.h[layer - 1]
        name = f"∂a{sup(layer)}/∂W{sup(layer)}"
        locals_.append(_Local(name, (n,), (n, H.shape[1]), lambda: affine.d_a_d_W(H, n), shared_input=True))
    elif kind == "b":
        name = f"∂a{sup(layer)}/∂b{sup(layer)}"
        # The trace's dtype: object for symbolic traces, whose identity must hold exact 1s.
        identity = affine.d_a_d_b(n, dtype=trace.a[layer].dtype)
        locals_.append(_Local(name, (n,), (n,), lambda: _repeat(identity, N), shared_input=True))
    return locals_


def batch_factors(
    net: MLP, trace: Trace, T: Array, wrt: str, loss: Loss, view: str = "full", max_bytes: int | None = None
) -> list[Any]:
    """Materialize the chain of ``∂J/∂wrt`` for a batch traced as ``trace`` (rows are examples).

    ``view="full"`` gives :class:`Jacobian` factors with both batch axes,
    ``view="per_example"`` gives :class:`BatchedJacobian` stacks. Each factor is
    checked against the memory budget before it is allocated.

    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5], [0.0, -1.0]]), np.array([[1.0], [0.0]])
    >>> full = batch_factors(net, net.forward(X), T, "W1", jbp.get_loss("mse"), "full")
    >>> [f.shape for f in full]
    [(2,), (2, 2, 1), (2, 1, 2, 1), (2, 1, 2, 3), (2, 3, 2, 3), (2, 3, 3, 2)]
    >>> [f.shape for f in batch_factors(net, net.forward(X), T, "W1", jbp.get_loss("mse"), "per_example")]
    [(2,), (2, 1), (2, 1, 1), (2, 1, 3), (2, 3, 3), (2, 3, 3, 2)]
    """
    if view not in BATCH_VIEWS:
        raise UnknownNameError.for_choice("batch view", view, BATCH_VIEWS)
    if trace.h[0].ndim != 2:
        raise ShapeError(f"batch_factors needs a batch X of shape (N, n0); got shape {trace.h[0].shape}")
    budget = resolve_max_bytes(max_bytes)
    batch_size = trace.h[0].shape[0]
    return [local.materialize(view, batch_size, budget) for local in local_factors(net, trace, T, wrt, loss)]
