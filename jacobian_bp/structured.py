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
once per layer and example, and the chain front is recomputed for every layer.
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
from jacobian_bp.chain_order import contract_in_order
from jacobian_bp.chaining import check_chain, check_chainable
from jacobian_bp.errors import InputTypeError
from jacobian_bp.jacobian import Jacobian, compose_names, superscript
from jacobian_bp.jacobian_chain import example_chain
from jacobian_bp.losses import Loss
from jacobian_bp.mlp import MLP, Trace

Array = np.ndarray

#: The kernels a structured product can use, cheapest kind first.
KERNELS = ("skip", "scale", "outer", "matmul")

#: The patterns a factor is contracted as (a coarsening of :data:`jacobian_bp.jacobian.STRUCTURES`).
PATTERNS = ("identity", "diagonal", "block-sparse", "dense")


def _is_square(factor: Jacobian) -> bool:
    return math.prod(factor.out_shape) == math.prod(factor.in_shape)


def _is_weight_like(factor: Jacobian) -> bool:
    """Shaped like ``∂a/∂W``: output ``(…, m)``, input ``(m, n)``."""
    return len(factor.in_shape) == 2 and factor.out_shape[-1:] == factor.in_shape[:1]


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
        if _is_weight_like(factor):
            return "block-sparse"
    return "dense"


def block_values(factor: Jacobian) -> Array:
    """The entries a block-sparse ``∂a/∂W``-like factor can hold: ``D[…, k, j] = J[…, k, k, j]``.

    For ``∂a/∂W = δ_ik h_j`` every row of ``D`` is ``h``.

    >>> d_a_d_W = Jacobian(affine.d_a_d_W(np.array([1.0, 2.0]), 3), (3,), (3, 2))
    >>> block_values(d_a_d_W)
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    unit_axis = len(factor.out_shape) - 1
    return np.moveaxis(np.diagonal(factor.array, axis1=unit_axis, axis2=unit_axis + 1), -1, -2)


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


def _candidates(outer: Jacobian, inner: Jacobian) -> Iterator[tuple[str, str, int]]:
    """Every kernel the two patterns allow, as ``(kernel, side, multiply-adds)``."""
    rows, shared = outer.matrix.shape
    cols = math.prod(inner.in_shape)
    outer_pattern, inner_pattern = pattern(outer), pattern(inner)
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
        yield "outer", "inner", rows * math.prod(inner.out_shape) * inner.in_shape[1]
    if outer_pattern == "block-sparse":
        yield "outer", "outer", math.prod(outer.out_shape) * outer.in_shape[1] * cols
    yield "matmul", "both", rows * shared * cols


def _apply(kernel: str, side: str, outer: Jacobian, inner: Jacobian) -> Array:
    """Carry out one kernel; returns the product as a matrix ``(rows, cols)``."""
    rows, cols = math.prod(outer.out_shape), math.prod(inner.in_shape)
    if kernel == "skip":  # the identity side contributes nothing: reuse the other one's numbers
        return (outer.array if side == "inner" else inner.array).reshape(rows, cols)
    if kernel == "scale":
        if side == "both":
            return np.diag(np.diagonal(outer.matrix) * np.diagonal(inner.matrix))
        if side == "inner":  # (rows × n) · diag(d): scale column j by d_j
            return outer.matrix * np.diagonal(inner.matrix)
        return np.diagonal(outer.matrix)[:, None] * inner.matrix  # diag(d) · (n × cols): scale row i by d_i
    if kernel == "outer":
        if side == "inner":
            # g · ∂a/∂W: result[r, k, j] = Σ_lead g[r, lead, k] · D[lead, k, j] — the outer product gᵀ h
            blocks = block_values(inner)
            m, n = inner.in_shape
            g = outer.matrix.reshape(rows, -1, m)
            return np.einsum("rlk,lkj->rkj", g, blocks.reshape(-1, m, n)).reshape(rows, cols)
        # ∂a/∂W · B: result[lead, k, c] = Σ_j D[lead, k, j] · B[k, j, c]
        blocks = block_values(outer)
        m, n = outer.in_shape
        right = inner.matrix.reshape(m, n, cols)
        return np.einsum("lkj,kjc->lkc", blocks.reshape(-1, m, n), right).reshape(rows, cols)
    return outer.matrix @ inner.matrix


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
    # The cheapest candidate; on a tie the earlier (simpler) kernel of KERNELS wins.
    kernel, side, count = min(_candidates(outer, inner), key=lambda c: (c[2], KERNELS.index(c[0])))
    matrix = _apply(kernel, side, outer, inner)
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


def _examples(trace: Trace, T: Array) -> Iterator[tuple[Trace, Array]]:
    """One ``(trace, target)`` per example; a single example is its own batch of one."""
    if trace.h[0].ndim == 1:
        yield trace, T
        return
    for p in range(trace.h[0].shape[0]):
        yield Trace({k: v[p] for k, v in trace.a.items()}, {k: v[p] for k, v in trace.h.items()}), T[p]


def structured_gradient_counted(
    net: MLP, trace: Trace, T: Array, loss: Loss, max_bytes: int | None = None
) -> tuple[dict[str, Array], int]:
    """The gradient by structured contraction, and the multiply-adds its kernels counted.

    For each example and layer ``k``: contract the shared prefix of the chains of
    ``W^k`` and ``b^k`` once (giving ``δ^k = ∂J/∂a^k``), then apply each chain's
    last factor — ``∂a^k/∂W^k`` (an outer product) and ``∂a^k/∂b^k = I`` (free).

    >>> net = jbp.notes_network()
    >>> grads, count = structured_gradient_counted(net, net.forward(np.array([1.0, 0.5])), np.array([1.0]),
    ...                                            jbp.get_loss("mse"))
    >>> count  # layer 2: 1 + 1·3; layer 1: 1 + 3 + 3 + 3·2 — the same as the outer path
    17
    """
    examples = list(_examples(trace, T))
    grads = {name: np.zeros(net.param_shape(name)) for name in net.param_names}
    multiply_adds = 0
    for example, t in examples:
        for k in range(1, net.depth + 1):
            w_chain = example_chain(net, example, t, f"W{k}", loss, len(examples), max_bytes)
            *prefix, d_a_d_W = w_chain.factors
            n = net.sizes[k]
            d_a_d_b = Jacobian(affine.d_a_d_b(n), (n,), (n,), f"∂a{superscript(k)}/∂b{superscript(k)}")
            delta = contract_structured(prefix)
            multiply_adds += delta.multiply_adds
            for name, last in ((f"W{k}", d_a_d_W), (f"b{k}", d_a_d_b)):
                product, step = structured_pair(delta.result, last)
                grads[name] += product.array
                multiply_adds += step.multiply_adds
    return grads, multiply_adds


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
