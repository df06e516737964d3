"""The ``"structured"`` path: contract the full Jacobians by the structure they turn out to have.

The notes end by noticing two things about the chain of full Jacobians: a
diagonal activation Jacobian can be applied as an element-wise product, and the
sparse ``∂a/∂W`` turns the last product into an outer product. This module makes
that observation mechanical. It materializes every factor, like the
``"reshape"`` path, but before each product it looks at the factors'
:attr:`~jacobian_bp.jacobian.Jacobian.structure` and picks the cheapest exact
*kernel* the structure allows:

============ ===================================================== =====================
kernel       when                                                  multiply-adds
============ ===================================================== =====================
``skip``     one factor is the identity: the product is the other  0
``scale``    one factor is diagonal (or 1×1): scale rows/columns   ``r·n`` or ``n·c``
``outer``    one factor has ``∂a/∂W``'s δ·x block pattern          ``r·(m·n)``, ``(m·n)·c``
``matmul``   anything else: multiply the matrix forms              ``r·s·c``
============ ===================================================== =====================

(``r×s`` and ``s×c`` are the two matrix forms; a block-sparse ``∂a/∂W`` with
output ``m`` and input ``m×n`` holds ``m·n`` structurally non-zero entries.)
A factor that is exactly zero is treated as the most specific pattern its shape
allows (diagonal if square, block-sparse if shaped like ``∂a/∂W``).

Counting convention: one *multiply-add* is one scalar multiplication, whether or
not an addition accumulates it; a kernel is charged for the multiplications it
performs, nothing for copies, reshapes or additions alone. Forming the factors
themselves is not charged — every materializing path pays that alike.

Run left to right on one example, the row vector ``∂J/∂z`` meets ``⊙ f'(a)``
at each diagonal factor, ``δ W`` at each weight matrix, and ``δᵀ h`` at
``∂a/∂W``: the ``"outer"`` path's algorithm, derived from the full Jacobians.
:func:`structured_gradient` shares work the way the ``"outer"`` path does:
for each layer ``k`` the chains of ``∂J/∂W^k`` and ``∂J/∂b^k`` share every
factor but the last, so that prefix (giving ``δ^k = ∂J/∂a^k``) is contracted
once per layer, and the chain front is recomputed for every layer. A batch goes
through as stacks of per-example blocks (:class:`Stack`) — every kernel runs on
all examples at once — while each example is still contracted and charged by the
patterns of its *own* blocks (:func:`block_patterns`, :func:`stack_product`).
Where the two paths do the same arithmetic — for every activation, softmax's
dense Jacobian included — their counts agree exactly; where they do not (a
factor that is the identity only by its values, such as a ReLU layer with every
unit active) the difference is spelled out in
:mod:`jacobian_bp.cost_model` and tested.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from jacobian_bp import affine
from jacobian_bp.batch import BatchedJacobian, batch_factors
from jacobian_bp.chain_order import contract_in_order
from jacobian_bp.chaining import check_chain, check_chainable
from jacobian_bp.errors import InputTypeError
from jacobian_bp.jacobian import Jacobian, compose_names
from jacobian_bp.losses import Loss
from jacobian_bp.mlp import MLP, Trace

Array = np.ndarray
Shape = tuple[int, ...]

#: The kernels a structured product can use, cheapest kind first.
KERNELS = ("skip", "scale", "outer", "matmul")

#: The patterns a factor is contracted as (a coarsening of :data:`jacobian_bp.jacobian.STRUCTURES`).
PATTERNS = ("identity", "diagonal", "block-sparse", "dense")


def _is_square(factor: Jacobian) -> bool:
    return math.prod(factor.out_shape) == math.prod(factor.in_shape)


def _is_weight_like(out_shape: Shape, in_shape: Shape) -> bool:
    """Shaped like ``∂a/∂W``: output ``(…, m)``, input ``(m, n)``."""
    return len(in_shape) == 2 and out_shape[-1:] == in_shape[:1]


def pattern(factor: Jacobian) -> str:
    """How :func:`structured_pair` treats ``factor``: one of :data:`PATTERNS`.

    >>> net = jbp.notes_network()
    >>> [pattern(f) for f in jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1").factors]
    ['diagonal', 'diagonal', 'dense', 'diagonal', 'block-sparse']
    """
    structure = factor.structure
    if structure in ("identity", "diagonal", "block-sparse"):
        return structure
    if structure == "scalar":  # a 1×1 matrix is a diagonal one, and [1] is the identity
        return "identity" if factor.matrix[0, 0] == 1 else "diagonal"
    if structure == "zero":
        if _is_square(factor):
            return "diagonal"
        if _is_weight_like(factor.out_shape, factor.in_shape):
            return "block-sparse"
    return "dense"


@dataclass(frozen=True)
class Stack:
    """``N`` blocks of one Jacobian shape: ``array`` is ``(N,) + out_shape + in_shape``.

    The kernels work on stacks, so one example's Jacobian (a stack of one) and the
    per-example blocks of a whole batch (:class:`~jacobian_bp.batch.BatchedJacobian`)
    go through the same code.

    >>> stack = Stack(np.ones((4, 3, 3, 2)), (3,), (3, 2))
    >>> stack.size, stack.rows, stack.cols, stack.matrices.shape
    (4, 3, 6, (4, 3, 6))
    """

    array: Array
    out_shape: Shape
    in_shape: Shape

    @classmethod
    def of(cls, factor: Jacobian | BatchedJacobian) -> Stack:
        """A Jacobian as a stack of one; a batched Jacobian as the stack it already is."""
        if isinstance(factor, BatchedJacobian):
            return cls(factor.array, factor.out_shape, factor.in_shape)
        return cls(factor.array[None], factor.out_shape, factor.in_shape)

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

    @property
    def weight_like(self) -> bool:
        return _is_weight_like(self.out_shape, self.in_shape)

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

    >>> d_a_d_W = Jacobian(affine.d_a_d_W(np.array([1.0, 2.0]), 3), (3,), (3, 2))
    >>> block_values(d_a_d_W)
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    return _block_values(Stack.of(factor))[0]


def _nonzero_only_where_allowed(stack: Stack, allowed: str) -> Array:
    """For each block: are all its non-zero entries on the ``"diagonal"`` (or in the δ_ik ``"blocks"``)?

    Mark the non-zero entries, clear the marks the pattern allows (through a
    writeable einsum view of the diagonal), and look for any mark left: one pass
    over the values.
    """
    nonzero = stack.array != 0
    if allowed == "diagonal":
        np.einsum("pii->pi", nonzero.reshape(stack.size, stack.rows, stack.cols))[...] = False
    else:  # ∂a/∂W-like: output (…, m), input (m, n); D[p, …, k, j] = J[p, …, k, k, j]
        m, n = stack.in_shape
        np.einsum("plkkj->plkj", nonzero.reshape(stack.size, -1, m, m, n))[...] = False
    return ~nonzero.reshape(stack.size, -1).any(axis=1)


def block_patterns(stack: Stack) -> Array:
    """:func:`pattern` of every block of a stack, found by one pass over the values (no loop over blocks).

    A block has a sparse pattern when each of its non-zero entries sits where the
    pattern allows one: on the diagonal of a square block (the identity when that
    diagonal is all 1s), or in the ``δ_ik`` blocks of a factor shaped like
    ``∂a/∂W``. Anything else is dense. An all-zero block passes every test and so
    gets the most specific pattern its shape allows, as :func:`pattern` gives it.

    >>> relu_jacobians = np.stack([np.diag([1.0, 1.0]), np.diag([0.0, 1.0]), np.ones((2, 2))])
    >>> block_patterns(Stack(relu_jacobians, (2,), (2,))).tolist()
    ['identity', 'diagonal', 'dense']
    """
    patterns = np.full(stack.size, "dense", dtype=object)
    if stack.weight_like:
        patterns[_nonzero_only_where_allowed(stack, "blocks")] = "block-sparse"
    if stack.rows == stack.cols:  # checked last: a square block on its diagonal is diagonal first
        on_diagonal = _nonzero_only_where_allowed(stack, "diagonal")
        ones = (np.diagonal(stack.matrices, axis1=1, axis2=2) == 1).all(axis=1)
        patterns[on_diagonal] = "diagonal"
        patterns[on_diagonal & ones] = "identity"
    return patterns


@dataclass(frozen=True)
class Step:
    """One product of a structured contraction: which factors, which kernel, how many multiply-adds."""

    outer: str
    inner: str
    kernel: str
    multiply_adds: int

    def __str__(self) -> str:
        return f"{self.outer} · {self.inner}: {self.kernel}, {self.multiply_adds} multiply-adds"


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
        lines = [f"{self.result.name} ∈ {self.result.notation}: {self.multiply_adds} multiply-adds"]
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
    >>> d_a_d_W = Jacobian(affine.d_a_d_W(np.array([1.0, 4.0]), 3), (3,), (3, 2), "∂a¹/∂W¹")
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
    kernel, side, count = _cheapest(outer_stack, inner_stack, pattern(outer), pattern(inner))
    matrix = _apply(kernel, side, outer_stack, inner_stack)[0]
    name = compose_names(outer.name, inner.name)
    product = Jacobian.from_matrix(matrix, outer.out_shape, inner.in_shape, name)
    return product, Step(outer.name, inner.name, kernel, count)


def contract_structured(factors: Sequence[Jacobian], order: str = "reverse") -> StructuredContraction:
    """Contract a chain with :func:`structured_pair`, in ``order`` (see :mod:`jacobian_bp.chain_order`).

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


def structured_gradient_counted(
    net: MLP, trace: Trace, T: Array, loss: Loss, max_bytes: int | None = None
) -> tuple[dict[str, Array], int]:
    """The gradient by structured contraction, and the multiply-adds its kernels counted.

    The whole batch goes through each product at once, as stacks of per-example
    blocks (:func:`~jacobian_bp.batch.batch_factors`, per-example view; one example
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
