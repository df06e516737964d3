"""Structured contraction: each product done by the structure of its factors (the notes' ⊙ and outer product).

The notes notice that a diagonal ``∂h/∂a`` is an element-wise product and that
``∂a/∂W`` turns the last product into an outer product. Here that is mechanical:
before each product the factors' structures pick the cheapest exact kernel —
``skip`` an identity, ``scale`` by a diagonal, ``outer`` for ``∂a/∂W``'s blocks,
``matmul`` otherwise — and the multiply-adds it performs are counted. Stacks of
per-example blocks (:class:`Stack`) let a batch go through each kernel at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from jacobian_bp.chain.approaches import check_chain, check_chainable
from jacobian_bp.chain.jacobian import EntryCounts, Jacobian, compose_names
from jacobian_bp.chain.order import contract_in_order
from jacobian_bp.chain.structure import block_structures, pattern
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InputTypeError

Array = np.ndarray
Shape = tuple[int, ...]

#: The kernels a structured product can use, cheapest kind first.
KERNELS = ("skip", "scale", "outer", "matmul")


def factor_pattern(factor: Jacobian) -> str:
    """How :func:`structured_pair` treats ``factor``: the :func:`~jacobian_bp.chain.structure.pattern` of its structure.

    >>> net = jbp.notes_network()
    >>> [factor_pattern(f) for f in jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1").factors]
    ['diagonal', 'diagonal', 'dense', 'diagonal', 'block-sparse']
    """
    return pattern(factor.structure, factor.out_shape, factor.in_shape)


@dataclass(frozen=True)
class Stack:
    """``N`` blocks of one Jacobian shape: ``array`` is ``(N,) + out_shape + in_shape``.

    The kernels work on stacks, so one example's Jacobian (a stack of one) and the
    per-example blocks of a whole batch (:class:`~jacobian_bp.chain.batch.BatchedJacobian`)
    go through the same code.

    >>> stack = Stack(np.ones((4, 3, 3, 2)), (3,), (3, 2))
    >>> stack.size, stack.rows, stack.cols, stack.matrices.shape
    (4, 3, 6, (4, 3, 6))
    """

    array: Array
    out_shape: Shape
    in_shape: Shape

    @classmethod
    def of(cls, factor: EntryCounts) -> Stack:
        """A Jacobian as a stack of one; a batched Jacobian as the stack it already is."""
        array = factor.array if factor.batch_axes else factor.array[None]
        return cls(array, factor.out_shape, factor.in_shape)

    @property
    def size(self) -> int:
        """``N``, the number of blocks."""
        return int(self.array.shape[0])

    @property
    def rows(self) -> int:
        return math.prod(self.out_shape)

    @property
    def cols(self) -> int:
        return math.prod(self.in_shape)

    @property
    def matrices(self) -> Array:
        """Every block's matrix form: shape ``(N, rows, cols)``."""
        return self.array.reshape(self.size, self.rows, self.cols)

    def select(self, members: Array) -> Stack:
        """The blocks at positions ``members`` only."""
        return Stack(self.array[members], self.out_shape, self.in_shape)


def _block_values(stack: Stack) -> Array:
    """``D[p, …, k, j] = J[p, …, k, k, j]`` for every block of an ``∂a/∂W``-like stack."""
    unit_axis = len(stack.out_shape)  # the last output axis, after the stack's own axis
    return np.moveaxis(np.diagonal(stack.array, axis1=unit_axis, axis2=unit_axis + 1), -1, -2)


def block_values(factor: Jacobian) -> Array:
    """The entries a block-sparse ``∂a/∂W``-like factor can hold: ``D[…, k, j] = J[…, k, k, j]``.

    For ``∂a/∂W = δ_ik h_j`` every row of ``D`` is ``h``.

    >>> d_a_d_W = Jacobian(np.einsum("ik,j->ikj", np.eye(3), [1.0, 2.0]), (3,), (3, 2))
    >>> block_values(d_a_d_W)
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    return _block_values(Stack.of(factor))[0]


def block_patterns(stack: Stack) -> Array:
    """:func:`~jacobian_bp.chain.structure.pattern` of every block of a stack, from one pass over its values.

    >>> relu_jacobians = np.stack([np.diag([1.0, 1.0]), np.diag([0.0, 1.0]), np.ones((2, 2))])
    >>> block_patterns(Stack(relu_jacobians, (2,), (2,))).tolist()
    ['identity', 'diagonal', 'dense']
    """
    structures = block_structures(stack.array, stack.out_shape, stack.in_shape)
    return np.array([pattern(s, stack.out_shape, stack.in_shape) for s in structures], dtype=object)


@dataclass(frozen=True)
class Step:
    """One product of a structured contraction: which factors, which kernel, how many multiply-adds."""

    outer: str
    inner: str
    kernel: str
    multiply_adds: int

    def __str__(self) -> str:
        return f"{self.outer} · {self.inner}: {self.kernel}, {counted(self.multiply_adds, 'multiply-add')}"


@dataclass
class StructuredContraction:
    """The contracted Jacobian and the record of every product that made it.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> contraction = contract_structured(chain.factors)
    >>> [step.kernel for step in contraction.steps]
    ['scale', 'scale', 'scale', 'outer']
    >>> contraction.multiply_adds  # 1 + 1·3 + 3 + 3·2
    13
    """

    result: Jacobian
    steps: list[Step] = field(default_factory=list)

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds of every product, by the kernels' counts."""
        return sum(step.multiply_adds for step in self.steps)

    def __str__(self) -> str:
        lines = [f"{self.result.name} ∈ {self.result.notation}: {counted(self.multiply_adds, 'multiply-add')}"]
        lines += [f"  {step}" for step in self.steps]
        return "\n".join(lines)


def _candidates(outer: Stack, inner: Stack, outer_pattern: str, inner_pattern: str) -> Iterator[tuple[str, str, int]]:
    """Every kernel the two patterns allow for one pair of blocks, as ``(kernel, side, multiply-adds)``."""
    rows, shared, cols = outer.rows, outer.cols, inner.cols
    for side, this in (("inner", inner_pattern), ("outer", outer_pattern)):
        if this == "identity":
            yield "skip", side, 0
    if outer_pattern == inner_pattern == "diagonal":
        yield "scale", "both", shared
    if inner_pattern == "diagonal":
        yield "scale", "inner", rows * shared
    if outer_pattern == "diagonal":
        yield "scale", "outer", shared * cols
    if inner_pattern == "block-sparse":
        yield "outer", "inner", rows * inner.rows * inner.in_shape[1]
    if outer_pattern == "block-sparse":
        yield "outer", "outer", outer.rows * outer.in_shape[1] * cols
    yield "matmul", "both", rows * shared * cols


def _cheapest(outer: Stack, inner: Stack, outer_pattern: str, inner_pattern: str) -> tuple[str, str, int]:
    """The cheapest candidate; on a tie the earlier (simpler) kernel of :data:`KERNELS` wins."""
    return min(_candidates(outer, inner, outer_pattern, inner_pattern), key=lambda c: (c[2], KERNELS.index(c[0])))


def _apply(kernel: str, side: str, outer: Stack, inner: Stack) -> Array:
    """Carry out one kernel on every pair of blocks; returns the products' matrix forms ``(N, rows, cols)``."""
    size, rows, cols = outer.size, outer.rows, inner.cols
    if kernel == "skip":  # the identity side contributes nothing: reuse the other one's numbers
        return (outer.array if side == "inner" else inner.array).reshape(size, rows, cols)
    if kernel == "scale":
        if side == "both":
            product = np.diagonal(outer.matrices, axis1=1, axis2=2) * np.diagonal(inner.matrices, axis1=1, axis2=2)
            diagonal = np.zeros((size, rows, cols), dtype=product.dtype)  # object arrays get exact 0s, as np.diag
            diagonal[:, np.arange(rows), np.arange(cols)] = product
            return diagonal
        if side == "inner":  # (rows × n) · diag(d): scale column j by d_j
            return outer.matrices * np.diagonal(inner.matrices, axis1=1, axis2=2)[:, None, :]
        return np.diagonal(outer.matrices, axis1=1, axis2=2)[:, :, None] * inner.matrices  # diag(d) · (n × cols)
    if kernel == "outer":
        if side == "inner":
            # g · ∂a/∂W: result[r, k, j] = Σ_lead g[r, lead, k] · D[lead, k, j] — the outer product gᵀ h
            m, n = inner.in_shape
            g = outer.matrices.reshape(size, rows, -1, m)
            blocks = _block_values(inner).reshape(size, -1, m, n)
            return np.einsum("prlk,plkj->prkj", g, blocks).reshape(size, rows, cols)
        # ∂a/∂W · B: result[lead, k, c] = Σ_j D[lead, k, j] · B[k, j, c]
        m, n = outer.in_shape
        blocks = _block_values(outer).reshape(size, -1, m, n)
        right = inner.matrices.reshape(size, m, n, cols)
        return np.einsum("plkj,pkjc->plkc", blocks, right).reshape(size, rows, cols)
    return outer.matrices @ inner.matrices


def structured_pair(outer: Jacobian, inner: Jacobian) -> tuple[Jacobian, Step]:
    """Multiply two Jacobians with the cheapest kernel their structures allow.

    >>> g = Jacobian(np.array([2.0, -1.0, 0.5]), (), (3,), "∂J/∂a¹")
    >>> d_a_d_W = Jacobian(np.einsum("ik,j->ikj", np.eye(3), [1.0, 4.0]), (3,), (3, 2), "∂a¹/∂W¹")
    >>> product, step = structured_pair(g, d_a_d_W)
    >>> product.array  # the outer product of g and h = (1, 4)
    array([[ 2. ,  8. ],
           [-1. , -4. ],
           [ 0.5,  2. ]])
    >>> step.kernel, step.multiply_adds
    ('outer', 6)
    """
    if not isinstance(outer, Jacobian) or not isinstance(inner, Jacobian):
        raise InputTypeError(f"chain takes Jacobian objects, got {type(outer).__name__} and {type(inner).__name__}")
    check_chainable(outer, inner)
    outer_stack, inner_stack = Stack.of(outer), Stack.of(inner)
    kernel, side, count = _cheapest(outer_stack, inner_stack, factor_pattern(outer), factor_pattern(inner))
    matrix = _apply(kernel, side, outer_stack, inner_stack)[0]
    name = compose_names(outer.name, inner.name)
    product = Jacobian.from_matrix(matrix, outer.out_shape, inner.in_shape, name)
    return product, Step(outer.name, inner.name, kernel, count)


def contract_structured(factors: Sequence[Jacobian], order: str = "reverse") -> StructuredContraction:
    """Contract a chain with :func:`structured_pair`, in ``order`` (see :mod:`jacobian_bp.chain.order`).

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="b1")
    >>> contraction = contract_structured(chain.factors)
    >>> contraction.steps[-1].kernel, contraction.steps[-1].multiply_adds  # ∂a¹/∂b¹ = I costs nothing
    ('skip', 0)
    >>> bool(np.allclose(contraction.result.array, chain.contract(method="reshape").array))
    True
    """
    factors = list(factors)
    check_chain(factors, order)
    steps: list[Step] = []

    def pair(outer: Jacobian, inner: Jacobian) -> Jacobian:
        product, step = structured_pair(outer, inner)
        steps.append(step)
        return product

    return StructuredContraction(contract_in_order(factors, pair, order), steps)


def stack_product(outer: Stack, inner: Stack) -> tuple[Stack, int]:
    """Each block of ``outer`` times the same block of ``inner``, by the cheapest kernel *its own* patterns allow.

    The blocks' patterns can differ from example to example (a ReLU layer may have
    every unit active for one example only), so the examples are grouped by their
    pair of patterns and each group gets its kernel; usually there is one group.
    Returns the stacked products and the multiply-adds of every example together.

    >>> relu = Stack(np.stack([np.eye(2), np.diag([0.0, 3.0])]), (2,), (2,))
    >>> g = Stack(np.array([[1.0, 2.0], [1.0, 2.0]]), (), (2,))
    >>> product, count = stack_product(g, relu)
    >>> product.array, count  # example 0 skips its identity, example 1 scales by its diagonal
    (array([[1., 2.],
           [0., 6.]]), 2)
    """
    outer_patterns, inner_patterns = block_patterns(outer), block_patterns(inner)
    shape = (outer.size, *outer.out_shape, *inner.in_shape)
    groups = sorted(set(zip(outer_patterns, inner_patterns, strict=True)))
    if len(groups) == 1:  # the usual case: every example's blocks have the same patterns
        kernel, side, count = _cheapest(outer, inner, *groups[0])
        products = _apply(kernel, side, outer, inner).reshape(shape)
        return Stack(products, outer.out_shape, inner.in_shape), count * outer.size
    products = np.empty((outer.size, outer.rows, inner.cols), dtype=np.result_type(outer.array, inner.array))
    multiply_adds = 0
    for outer_pattern, inner_pattern in groups:
        members = np.flatnonzero((outer_patterns == outer_pattern) & (inner_patterns == inner_pattern))
        kernel, side, count = _cheapest(outer, inner, outer_pattern, inner_pattern)
        products[members] = _apply(kernel, side, outer.select(members), inner.select(members))
        multiply_adds += count * len(members)
    return Stack(products.reshape(shape), outer.out_shape, inner.in_shape), multiply_adds
