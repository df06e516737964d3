"""A batch of examples (the notes' "Extension to multiple examples"): the chain with a batch axis, two views.

The batch-mean loss ``J = (1/N) [J⁽¹⁾ … J⁽ᴺ⁾] · 1`` puts one more factor at the
front of every chain, ``∂J/∂J⁽ᵖ⁾`` (``N`` weights ``1/N``); every other factor
is the one-example factor of :mod:`jacobian_bp.chain.factors`, built for all
examples at once. The *full view* materializes each as a Jacobian with both
batch axes (zero between different examples); the *per-example view* keeps the
diagonal blocks as a :class:`BatchedJacobian` stack and contracts the stacks
with the batch axis carried along, summed where the chain reaches a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from jacobian_bp.chain.approaches import Approach, approach, check_factors
from jacobian_bp.chain.budget import Budget, check_budget, resolve_max_bytes
from jacobian_bp.chain.factors import net_factors
from jacobian_bp.chain.jacobian import EntryCounts, Jacobian, compose_names, space_notation
from jacobian_bp.chain.structure import nonzero_mask, ones_mask, structure_of
from jacobian_bp.errors import ChainError, ShapeError, UnknownNameError
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray
Shape = tuple[int, ...]

#: The two ways :func:`~jacobian_bp.chain.jacobian_chain.jacobian_chain` can materialize a batch's chain.
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
    it as its derivative), so :func:`~jacobian_bp.chain.approaches.chain` does not take
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
        self._store(array, out_shape, in_shape, name, stacked=True)
        self.shared_input = shared_input
        self.shared_output = shared_output
        self.batch_axes = self.array.shape[:1]  # (N,): the stack's own leading axis

    @classmethod
    def _checked(
        cls,
        array: Array,
        out_shape: Shape,
        in_shape: Shape,
        name: str,
        shared_input: bool = False,
        shared_output: bool = False,
    ) -> BatchedJacobian:
        """A stack whose array the package has just built with the right shape: kept without checking it again."""
        stack = cls.__new__(cls)
        stack.array, stack.out_shape, stack.in_shape, stack.name = array, out_shape, in_shape, name
        stack.shared_input, stack.shared_output, stack.batch_axes = shared_input, shared_output, array.shape[:1]
        return stack

    @property
    def batch_size(self) -> int:
        """``N``, the number of stacked examples (the length of the leading axis)."""
        return int(self.array.shape[0])

    @property
    def shape(self) -> Shape:
        """``(N,) + out_shape + in_shape``, the shape of :attr:`array`."""
        return tuple(self.array.shape)

    @property
    def notation(self) -> str:
        """``N`` copies of one example's space, e.g. ``(R^{3×3})^{4}``."""
        return f"({space_notation(self.out_shape, self.in_shape)})^{{{self.batch_size}}}"

    @property
    def structure(self) -> str:
        """The structure of the blocks' combined non-zero pattern (see :mod:`jacobian_bp.chain.structure`).

        ``identity`` only if every block is the identity.
        """
        if self.batch_size == 0:
            return "zero"
        # One block standing for all: 1 where every block holds 1, 2 where any other is non-zero, else 0.
        ones, nonzero = ones_mask(self.array).all(axis=0), nonzero_mask(self.array).any(axis=0)
        return structure_of(np.where(ones, 1.0, np.where(nonzero, 2.0, 0.0)), self.out_shape, self.in_shape)

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


def _check_per_example_chain(factors: Sequence[BatchedJacobian]) -> None:
    """:func:`~jacobian_bp.chain.approaches.check_factors`, and what a batch adds: one ``N``, the sum last."""
    check_factors(factors, BatchedJacobian, "chain_per_example")
    sizes = {factor.batch_size for factor in factors}
    if len(sizes) > 1:
        raise ChainError(f"every factor must stack the same number of examples; got batch sizes {sorted(sizes)}")
    for position, factor in enumerate(factors[:-1]):
        if factor.shared_input:
            raise ChainError(
                f"{factor.name} (factor {position}) ends at a shared parameter, where the batch is summed; "
                f"it must be the last factor"
            )


def chain_per_example(
    factors: Sequence[BatchedJacobian], method: str = "reshape", max_bytes: int | None = None
) -> Jacobian | BatchedJacobian:
    """Contract a per-example chain, outermost first, keeping the batch axis until a shared parameter.

    Each product is the same approach function that chains two Jacobians
    (:mod:`jacobian_bp.chain.approaches`). The result is ``∂J/∂θ`` as a
    :class:`Jacobian` when the last factor ends at a parameter (the batch is
    summed there), ``∂J/∂X`` with input shape ``(N, ...)`` when the first factor
    starts at the shared loss, and otherwise the stack of per-example products.

    >>> mean = BatchedJacobian(np.full(2, 0.5), (), (), "∂J/∂J⁽ᵖ⁾", shared_output=True)
    >>> d_L_d_a = BatchedJacobian(np.array([[1.0, 2.0], [3.0, 4.0]]), (), (2,), "∂J⁽ᵖ⁾/∂a")
    >>> d_a_d_b = BatchedJacobian(np.stack([np.eye(2)] * 2), (2,), (2,), "∂a/∂b", shared_input=True)
    >>> chain_per_example([mean, d_L_d_a, d_a_d_b], method="einsum").array  # the mean of the rows
    array([2., 3.])
    """
    contract = approach(method)
    _check_per_example_chain(factors)
    return contract_stacks(factors, contract, resolve_max_bytes(max_bytes))


def contract_stacks(
    factors: Sequence[BatchedJacobian], contract: Approach, budget: Budget, built_within: bool = False
) -> Jacobian | BatchedJacobian:
    """:func:`chain_per_example` on a chain already checked, with its approach and budget already resolved.

    ``built_within`` says the stacks were just built within this same ``budget`` (as a gradient path
    builds them): then a row times a stack, no larger than that stack, needs no second check.
    """
    result = factors[0]
    for inner in factors[1:]:
        name, shape = compose_names(result.name, inner.name), result.out_shape + inner.in_shape
        if result.out_shape or not built_within:
            check_budget(name, shape if inner.shared_input else result.batch_axes + shape, budget)
        if inner.shared_input:  # the batch is summed here: the product has no batch axis
            return Jacobian._checked(contract(result, inner), result.out_shape, inner.in_shape, name)
        array = contract(result, inner)
        result = BatchedJacobian._checked(array, result.out_shape, inner.in_shape, name, False, result.shared_output)
    if result.shared_output and len(factors) > 1:
        # The loss is shared, the input is not: ∂J/∂X has one row per example.
        return result.full(budget)
    return result


# ---------------------------------------------------------------------------------------------
# Building the chain of a batch from the one-example factors.


def batch_factors(
    net: MLP, trace: Trace, T: Array, wrt: str, loss: Loss, view: str = "full", max_bytes: int | None = None
) -> list[Any]:
    """Materialize the chain of ``∂J/∂wrt`` for a batch traced as ``trace`` (rows are examples).

    The batch mean ``∂J/∂J⁽ᵖ⁾`` first, then every factor of
    :func:`~jacobian_bp.chain.factors.chain_factors`, built for all examples at
    once. ``view="full"`` gives :class:`Jacobian` factors with both batch axes,
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
    N = trace.batch_size
    check_budget("∂J/∂J⁽ᵖ⁾", (N,), budget)
    stacks = [BatchedJacobian._checked(np.full(N, 1.0 / N), (), (), "∂J/∂J⁽ᵖ⁾", shared_output=True)]
    for factor in net_factors(net, wrt):
        name = "∂J⁽ᵖ⁾/∂z" if factor.kind == "loss" else factor.name
        per_example_shape = (N, *factor.out_shape, *factor.in_shape)
        if view == "full" and not factor.shared_input:
            check_budget(stacked_name(name), (N, *factor.out_shape, N, *factor.in_shape), budget)
        check_budget(name, per_example_shape, budget)
        array = factor.build(net, trace, T, loss)
        stacks.append(BatchedJacobian._checked(array, factor.out_shape, factor.in_shape, name, factor.shared_input))
    return stacks if view == "per_example" else [stack.full(budget) for stack in stacks]
