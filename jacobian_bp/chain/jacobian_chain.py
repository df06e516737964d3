"""The chain of ∂J/∂θ built for real (the notes' matrix notation): every local Jacobian, then their product.

For the notes' network and ``wrt="W1"``: ``∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · ∂h¹/∂a¹ ·
∂a¹/∂W¹``, in ``R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)}``. A batch gets the
full or per-example view of :mod:`jacobian_bp.chain.batch`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.chain.approaches import CHAIN_METHODS, chain
from jacobian_bp.chain.batch import BATCH_VIEWS, batch_factors, chain_per_example
from jacobian_bp.chain.budget import check_budget, resolve_max_bytes
from jacobian_bp.chain.factors import INPUT_NAME, net_factors, parse_wrt
from jacobian_bp.chain.jacobian import Jacobian, superscript
from jacobian_bp.chain.order import order_cost
from jacobian_bp.chain.structured import contract_structured
from jacobian_bp.display import html as html_view
from jacobian_bp.display.latex import MAX_LATEX_ENTRIES, product_latex
from jacobian_bp.display.words import aligned, counted, wrap_product
from jacobian_bp.errors import InvalidArgumentError, UnknownNameError
from jacobian_bp.network.losses import Loss, get_loss
from jacobian_bp.network.mlp import MLP, Trace, prepare

Array = np.ndarray


@dataclass
class JacobianChain:
    """The local Jacobians of ``∂J/∂θ``, outermost (``∂J/∂z``) first.

    ``batch`` says how a batch is laid out: ``None`` for one example (no batch
    axis), ``"full"`` (every factor a :class:`Jacobian` with both batch axes) or
    ``"per_example"`` (every factor a :class:`~jacobian_bp.chain.batch.BatchedJacobian`,
    a stack of ``batch_size`` per-example blocks). For a batch the first factor
    is the mean ``∂J/∂J⁽ᵖ⁾`` of shape ``(N,)``.

    >>> net = jbp.notes_network()
    >>> chain_ = jbp.jacobian_chain(net, np.array([1.0, 0.5]), 1.0, wrt="W1")
    >>> [f.shape for f in chain_.factors]
    [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]
    >>> chain_.notation
    'R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)}'
    >>> chain_.contract(method="slices").shape
    (3, 2)
    >>> chain_
    JacobianChain(∂J/∂W¹: 5 factors R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)})
    """

    factors: list[Any]  # list[Jacobian], or list[BatchedJacobian] for batch == "per_example"
    wrt: str
    loss: str
    batch: str | None = None
    batch_size: int | None = None

    def contract(self, method: str = "reshape", *, order: str = "reverse", max_bytes: int | None = None) -> Jacobian:
        """Multiply the chain out with a method of :data:`CHAIN_METHODS` or ``"structured"``, in ``order``.

        ``order`` is ``"reverse"`` (left to right), ``"forward"`` or ``"optimal"``.
        Gives ``∂J/∂θ`` with ``θ``'s shape in every view (``∂J/∂X`` of shape
        ``(N, n0)`` for ``wrt="x"`` and a batch). Each intermediate product is
        checked against the memory budget (``max_bytes``) before it is allocated.
        """
        if self.batch == "per_example":
            if method == "structured" or order != "reverse":
                raise InvalidArgumentError(
                    f"the per-example batch view contracts left to right with one of {CHAIN_METHODS}; "
                    f"got method={method!r}, order={order!r}: use batch='full' for other methods and orders"
                )
            result = chain_per_example(self.factors, method, max_bytes)
            assert isinstance(result, Jacobian)  # the chain starts at J and ends at wrt
            return result
        if method == "structured":
            return contract_structured(self.factors, order).result
        if method not in CHAIN_METHODS:
            raise UnknownNameError.for_choice("contraction method", method, (*CHAIN_METHODS, "structured"))
        return chain(*self.factors, method=method, order=order, max_bytes=max_bytes)

    def cost(self, order: str = "reverse") -> int:
        """Multiply-adds of multiplying the factors' matrix forms in ``order`` (dense products).

        >>> chain_ = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
        >>> chain_.cost("reverse"), chain_.cost("forward"), chain_.cost("optimal")
        (31, 84, 31)
        """
        return order_cost(self.factors, order)

    @property
    def notation(self) -> str:
        """Each factor's space in the notes' notation, separated by spaces."""
        return " ".join(factor.notation for factor in self.factors)

    def __iter__(self) -> Iterator[Jacobian]:
        return iter(self.factors)

    def __len__(self) -> int:
        return len(self.factors)

    @property
    def stored_entries(self) -> int:
        """How many numbers the materialized factors hold together."""
        return sum(factor.stored_entries for factor in self.factors)

    @property
    def zero_entries(self) -> int:
        """How many of them are exactly zero: the price of materializing sparse Jacobians."""
        return sum(factor.zero_entries for factor in self.factors)

    def __repr__(self) -> str:
        view = f", {self.batch.replace('_', '-')} view of {self.batch_size} examples" if self.batch else ""
        return f"JacobianChain(∂J/∂{display_name(self.wrt)}: {len(self)} factors {self.notation}{view})"

    def _repr_html_(self) -> str:
        """In a notebook: the chain as a product of typeset Jacobians (when small), and a row per factor."""
        rows = [
            [f.name, f.notation, str(f.shape), f.structure, f"{f.structural_zero_entries} of {f.stored_entries}"]
            for f in self.factors
        ]
        header = ["factor", "space", "shape", "structure", "zero by structure"]
        caption = repr(self)
        typeset = ""
        if not self.batch and self.stored_entries <= MAX_LATEX_ENTRIES:
            typeset = html_view.display_math(product_latex(self.factors, label=f"∂J/∂{display_name(self.wrt)}"))
        return f"<div>{typeset}{html_view.table(header, rows, caption)}</div>"

    def __str__(self) -> str:
        """The product, then a row per factor — space, shape, structure, zeros by structure — within 79 columns.

        Zeros that are zero only by their values (an input of exactly 0) are counted as ``(+N)``.

        >>> print(jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.0], 1.0, wrt="W1"))
        ∂J/∂W¹ = ∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · ∂h¹/∂a¹ · ∂a¹/∂W¹
          factor   space        shape      structure     zero by structure
          ∂J/∂z    R^{1×1}      (1,)       scalar        0 of 1
          ∂z/∂a²   R^{1×1}      (1, 1)     scalar        0 of 1
          ∂a²/∂h¹  R^{1×3}      (1, 3)     dense         0 of 3
          ∂h¹/∂a¹  R^{3×3}      (3, 3)     diagonal      6 of 9
          ∂a¹/∂W¹  R^{3×(3×2)}  (3, 3, 2)  block-sparse  12 of 18 (+3)
          stored 32 numbers, 18 of them zero by structure, 3 more by value (+)
        """
        wrt = display_name(self.wrt).upper() if self.wrt == INPUT_NAME and self.batch else display_name(self.wrt)
        lines = wrap_product(f"∂J/∂{wrt} = ", [f.name for f in self.factors])
        if self.batch:
            lines.append(
                f"  a batch of {counted(self.batch_size or 0, 'example')}, {self.batch.replace('_', '-')} view"
            )
        rows = [["factor", "space", "shape", "structure", "zero by structure"]]
        for factor in self.factors:
            by_value = factor.zero_entries - factor.structural_zero_entries
            zeros = f"{factor.structural_zero_entries} of {factor.stored_entries}" + (
                f" (+{by_value})" if by_value else ""
            )
            rows.append([factor.name, factor.notation, str(factor.shape), factor.structure, zeros])
        lines += aligned(rows)
        structural = sum(f.structural_zero_entries for f in self.factors)
        by_value = self.zero_entries - structural
        lines.append(
            f"  stored {self.stored_entries} numbers, {structural} of them zero by structure"
            + (f", {by_value} more by value (+)" if by_value else "")
        )
        return "\n".join(lines)


def display_name(name: str) -> str:
    """``"W1"`` as the notes write it, ``W¹``; ``"x"`` stays ``x``.

    >>> display_name("b2")
    'b²'
    """
    return name if name == INPUT_NAME else name[0] + superscript(int(name[1:]))


def example_chain(
    net: MLP, trace: Trace, t: Array, wrt: str, loss: Loss, max_bytes: int | None = None
) -> JacobianChain:
    """The chain of ``∂J/∂wrt`` for the one example whose forward pass is ``trace`` (1-D arrays).

    Every factor of :func:`~jacobian_bp.chain.factors.chain_factors`, built as a
    :class:`Jacobian` after its size is checked against the memory budget.
    Symbolic mode calls this same function with a trace of SymPy symbols.
    """
    factors = []
    for factor in net_factors(net, wrt):
        check_budget(factor.name, factor.out_shape + factor.in_shape, max_bytes)
        factors.append(Jacobian(factor.build(net, trace, t, loss), factor.out_shape, factor.in_shape, factor.name))
    return JacobianChain(factors, wrt, loss.name)


def jacobian_chain(
    net: MLP,
    x: Any,
    t: Any,
    wrt: str = "W1",
    loss: str = "mse",
    batch: str | None = "full",
    max_bytes: int | None = None,
) -> JacobianChain:
    """Materialize every local Jacobian of ``∂J/∂wrt`` for one example ``(n0,)`` or a batch ``(N, n0)``.

    ``wrt`` is a parameter name (``"W1"``, ``"b2"``, ...) or ``"x"`` for the input.
    For a batch, ``batch`` picks the view (see :mod:`jacobian_bp.chain.batch`):
    ``"full"`` Jacobians with both batch axes, or ``"per_example"`` stacks of
    per-example blocks. One example has no batch axis, whatever ``batch`` says,
    and ``batch=None`` asks for exactly that (the chain's own ``batch`` is then
    ``None``): given a batch, it is an error. Every factor is checked
    against the memory budget (``max_bytes``, default 1 GiB) before it is
    allocated.

    >>> net = jbp.notes_network()
    >>> chain_ = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
    >>> [f.structure for f in chain_.factors]
    ['scalar', 'scalar', 'dense', 'diagonal', 'block-sparse']
    >>> X, T = [[1.0, 0.5], [0.0, -1.0], [2.0, 1.0], [-1.0, 0.0]], [1.0, 0.0, 0.0, 1.0]
    >>> full = jbp.jacobian_chain(net, X, T, wrt="W1", batch="full")
    >>> full.factors[4].name, full.factors[4].shape, full.contract(method="einsum").shape
    ('∂H¹/∂A¹', (4, 3, 4, 3), (3, 2))
    >>> jbp.jacobian_chain(net, X, T, wrt="W1", batch="per_example").factors[4].shape
    (4, 3, 3)
    >>> jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1", batch=None).batch is None
    True
    """
    get_loss(loss)
    parse_wrt(net.sizes, wrt)
    if batch is not None and batch not in BATCH_VIEWS:
        raise UnknownNameError.for_choice("batch view", batch, (*BATCH_VIEWS, None))
    budget = resolve_max_bytes(max_bytes)
    trace, t, loss_fn = prepare(net, x, t, loss)
    if trace.h[0].ndim == 1:
        return example_chain(net, trace, t, wrt, loss_fn, max_bytes=budget)
    if batch is None:
        raise InvalidArgumentError(
            f"batch=None means no batch axis, which fits one example x of shape ({net.sizes[0]},); this x holds "
            f"{counted(trace.batch_size, 'example')} (shape {trace.h[0].shape}). Choose batch='full' (Jacobians "
            f"with both batch axes) or batch='per_example' (stacks of per-example blocks)"
        )
    factors = batch_factors(net, trace, t, wrt, loss_fn, batch, budget)
    return JacobianChain(factors, wrt, loss_fn.name, batch, trace.h[0].shape[0])
