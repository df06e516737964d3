"""What each gradient path costs (notes' closing remark on efficiency), counted from the chain's factors.

Every number follows from the layer widths, the batch size and the structure
of each factor of :func:`~jacobian_bp.chain.factors.chain_factors`; nothing is
measured or replayed from the code. Conventions:

``multiply_adds``
    Scalar multiplications: ``(r×s)(s×c)`` is ``r·s·c``, a row times a diagonal
    ``n``, an outer product ``m·n``. Additions alone, divisions by ``N`` and
    evaluating ``f(a)``, ``f'(a)`` or ``∂L/∂z`` are not charged: every path
    needs those numbers. Finite differences are charged their affine maps.
``entries``, ``nonzero_entries``
    Entries of the local Jacobians a path forms, as it stores them (every
    factor as ``N`` per-example blocks for the materializing paths, the vector
    ``f'(a)`` for the ⊙ paths), and how many of them the structure allows to be
    non-zero.
``peak_bytes``
    Bytes of derivative arrays alive at once: the gradient, plus the operands
    and result of the most demanding product (float64).
``stored_bytes``
    Bytes of every ``a^k`` and ``h^k`` the forward pass keeps for the backward
    pass; ``0`` for finite differences.
``largest_jacobian_bytes``
    Bytes of the largest single Jacobian a materializing path builds (the
    stack of ``N`` per-example blocks of the largest factor): the number the
    memory budget is checked against, array by array. ``0`` for the paths
    that materialize none. :meth:`CostTable.measure` reads it to skip a path
    over the budget before running anything.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jacobian_bp.chain.budget import format_bytes, resolve_max_bytes
from jacobian_bp.chain.factors import Factor, chain_factors
from jacobian_bp.chain.structure import pattern
from jacobian_bp.display import html as html_view
from jacobian_bp.methods.checking import MethodRow, compare
from jacobian_bp.methods.gradient import METHODS, TABLE, check_method
from jacobian_bp.network.activations import get_activation
from jacobian_bp.network.losses import get_loss
from jacobian_bp.network.mlp import MLP, check_data

#: Bytes of one float64 entry.
ENTRY_BYTES = 8


@dataclass(frozen=True)
class Cost:
    """The cost of one gradient computation by one path.

    >>> net = jbp.notes_network()
    >>> c = jbp.cost(net, [1.0, 0.5], 1.0, method="outer")
    >>> c.multiply_adds, c.entries, c.nonzero_entries, c.stored_bytes
    (17, 5, 5, 80)
    """

    method: str
    multiply_adds: int
    entries: int
    nonzero_entries: int
    peak_bytes: int
    stored_bytes: int = 0
    largest_jacobian_bytes: int = 0

    def over_budget(self, max_bytes: int) -> bool:
        """Whether running this path would raise :class:`~jacobian_bp.errors.MemoryBudgetError` under ``max_bytes``.

        >>> jbp.cost(jbp.notes_network(), np.zeros((4, 2)), np.zeros(4), method="einsum").over_budget(512)
        True
        """
        return self.largest_jacobian_bytes > max_bytes


@dataclass(frozen=True)
class Architecture:
    """What a path's cost depends on: the widths, each layer's activation, the loss and the batch size ``N``."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # activations[k - 1] is f_k
    loss: str
    batch: int

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    @property
    def gradient_entries(self) -> int:
        """Entries of every ``W^k`` and ``b^k``: what the gradient itself holds."""
        return sum(self.sizes[k] * (self.sizes[k - 1] + 1) for k in range(1, self.depth + 1))

    @property
    def fused(self) -> bool:
        """Whether the loss is defined on the output activation, so backprop starts from ``z − t``."""
        return get_loss(self.loss).output_activation == self.activations[-1]

    def factors(self, wrt: str) -> list[Factor]:
        """The chain of ``∂J/∂wrt`` for one example (:func:`~jacobian_bp.chain.factors.chain_factors`)."""
        return chain_factors(self.sizes, self.activations, wrt)

    def layers(self) -> range:
        return range(1, self.depth + 1)

    @classmethod
    def of(cls, net: MLP, loss: str, batch: int) -> Architecture:
        """What ``net`` costs with ``loss`` on ``batch`` examples: no data needed.

        >>> Architecture.of(jbp.notes_network(), "mse", 4)
        Architecture(sizes=(2, 3, 1), activations=('sigmoid', 'sigmoid'), loss='mse', batch=4)
        """
        return cls(tuple(net.sizes), tuple(net.activations), loss, batch)

    @property
    def stored_bytes(self) -> int:
        """Bytes of the forward pass's trace: ``x`` and every ``a^k`` and ``h^k``, for each example.

        >>> Architecture((2, 3, 1), ("sigmoid", "sigmoid"), "mse", 2).stored_bytes  # 8 · 2 · (2 + 3 + 3 + 1 + 1)
        160
        """
        return ENTRY_BYTES * self.batch * (self.sizes[0] + 2 * sum(self.sizes[1:]))


def row_price(factor: Factor) -> int:
    """Multiplications of a row vector times ``factor`` by the kernel its structure allows.

    Nothing for the identity; one per structurally non-zero entry otherwise
    (``n`` for a diagonal, ``m·n`` for ``∂a/∂W``'s blocks, every entry if dense).

    >>> [row_price(f) for f in chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W1")]
    [1, 1, 3, 3, 6]
    """
    if pattern(factor.structure, factor.out_shape, factor.in_shape) == "identity":
        return 0
    return factor.nonzero


def _materialized(network: Architecture, method: str) -> Cost:
    """reshape, slices, einsum: every parameter's chain as stacks of ``N`` blocks, contracted left to right.

    The batch mean ``∂J/∂J⁽ᵖ⁾`` is stored too; scaling by it is a division by
    ``N``, not a multiply-add. ``slices`` cuts each factor along its first input
    axis, so it also holds a slice and the stacked pieces.
    """
    N = network.batch
    multiply_adds = entries = nonzero = peak = 0
    for name in (f"{kind}{k}" for k in network.layers() for kind in ("W", "b")):
        factors = network.factors(name)
        entries += N * (1 + sum(f.stored for f in factors))
        nonzero += N * (1 + sum(f.nonzero for f in factors))
        multiply_adds += sum(N * f.rows * f.cols for f in factors[1:])
        operand, largest_product = 1, 0  # entries per example of the running row
        for position, factor in enumerate(factors):
            result = factor.cols if position == len(factors) - 1 else N * factor.cols
            if method == "slices":
                piece = N * factor.stored // (factor.in_shape[0] if factor.in_shape else 1)
                largest_product = max(largest_product, N * operand + piece + 2 * result)
            else:
                largest_product = max(largest_product, N * operand + result)
            operand = factor.cols
        peak = max(peak, N * (1 + sum(f.stored for f in factors)) + largest_product)
    return _materializing_cost(network, method, multiply_adds, entries, nonzero, peak)


def _structured(network: Architecture) -> Cost:
    """Per layer: the chain of ``W^k`` as stacks, its shared prefix once, then ``∂a/∂W`` and ``∂a/∂b``.

    Each product costs :func:`row_price` per example, which is what the kernels
    of :mod:`jacobian_bp.chain.structured` count.
    """
    N = network.batch
    multiply_adds = entries = nonzero = peak = 0
    for k in network.layers():
        d_J_d_z, *prefix, d_a_d_W = network.factors(f"W{k}")
        d_a_d_b = network.factors(f"b{k}")[-1]
        formed = [d_J_d_z, *prefix, d_a_d_W, d_a_d_b]
        entries += N * (1 + sum(f.stored for f in formed))
        nonzero += N * (1 + sum(f.nonzero for f in formed))
        multiply_adds += N * sum(row_price(f) for f in (*prefix, d_a_d_W, d_a_d_b))
        widths = [d_J_d_z.cols] + [f.cols for f in prefix]
        largest_product = max(N * (rows + f.cols) for rows, f in zip(widths, [*prefix, d_a_d_W], strict=True))
        peak = max(peak, N * (1 + sum(f.stored for f in formed)) + largest_product)
    return _materializing_cost(network, "structured", multiply_adds, entries, nonzero, peak)


def _materializing_cost(
    network: Architecture, method: str, multiply_adds: int, entries: int, nonzero: int, peak: int
) -> Cost:
    """The cost of a path that materializes Jacobians: its peak beside the gradient, and its largest stack."""
    peak_bytes = ENTRY_BYTES * (network.gradient_entries + peak)
    return Cost(
        method, multiply_adds, entries, nonzero, peak_bytes, largest_jacobian_bytes=_largest_stack_bytes(network)
    )


def _largest_stack_bytes(network: Architecture) -> int:
    """Bytes of the largest per-example stack of any factor of any parameter's chain.

    Every array the materializing paths check against the budget is a stack of
    ``N`` blocks of one factor, the batch mean (``N`` entries, no more than a
    stack) or a product of the running row with a factor (``N·cols``, no more
    than that factor's stack): the largest stack is the largest array.
    """
    names = (f"{kind}{k}" for k in network.layers() for kind in ("W", "b"))
    return ENTRY_BYTES * network.batch * max(f.stored for name in names for f in network.factors(name))


def _outer(network: Architecture) -> Cost:
    """The outer path: for every layer, ``δ`` afresh from the loss, then ``δᵀ h`` and ``Σ δ``.

    The same products as ``structured`` (:func:`row_price` of every factor but
    the loss), but only ``f'(a)`` — or softmax's dense Jacobian — is formed;
    ``W`` is used in place and ``∂a/∂W``, ``∂a/∂b`` never appear.
    """
    N, n_out = network.batch, network.sizes[-1]
    multiply_adds = entries = peak = 0
    for k in network.layers():
        _loss, *prefix, d_a_d_W = network.factors(f"W{k}")
        multiply_adds += N * sum(row_price(f) for f in (*prefix, d_a_d_W))
        formed = [row_price(f) for f in prefix if f.kind == "activation"]  # f'(a), or softmax's n×n
        entries += N * sum(formed)
        peak = max(peak, 2 * n_out + formed[0], network.sizes[k])  # the head: operand, ∂z/∂a, result
        for weights, activation in zip(prefix[1::2], prefix[2::2], strict=True):  # δ W, then ⊙ f'(a)
            m, n = weights.rows, weights.cols
            peak = max(peak, m + n, n + row_price(activation) + n)
    return Cost("outer", multiply_adds, entries, entries, ENTRY_BYTES * (network.gradient_entries + N * peak))


def _activation_product(activation: str, n: int) -> tuple[int, int]:
    """``(multiply-adds, entries formed)`` of a row times ``∂h/∂a`` without the matrix, for one example.

    ``⊙ f'(a)`` for an element-wise activation, nothing for the identity, and
    softmax's ``s ⊙ (g − ⟨g, s⟩)`` (two products, nothing formed).
    """
    if activation == "identity":
        return 0, 0
    if get_activation(activation).elementwise:
        return n, n
    return 2 * n, 0


def _backprop(network: Architecture) -> Cost:
    """Algorithm 6.4: ``g`` once, carried down; each layer's ``g hᵀ`` from the same running ``g``."""
    L, sizes, N = network.depth, network.sizes, network.batch
    multiply_adds, entries = (0, 0) if network.fused else _activation_product(network.activations[-1], sizes[L])
    peak = 2 * sizes[L] + entries
    for k in range(L, 0, -1):
        m, n = sizes[k], sizes[k - 1]
        if k < L:
            products, formed = _activation_product(network.activations[k - 1], m)
            multiply_adds, entries = multiply_adds + products, entries + formed
            peak = max(peak, m + formed + m)
        multiply_adds += m * n  # ∇W = g hᵀ
        if k > 1:
            multiply_adds += m * n  # g ← Wᵀ g
            peak = max(peak, m + n)
    return Cost(
        "backprop", N * multiply_adds, N * entries, N * entries, ENTRY_BYTES * (network.gradient_entries + N * peak)
    )


def _scalar(network: Architecture) -> Cost:
    """One forward-mode sweep per parameter entry, from its layer to the output, then ``· ∂L/∂z``."""
    L, sizes, N = network.depth, network.sizes, network.batch
    multiply_adds = entries = peak = 0
    for k in network.layers():
        sweep_products = sweep_entries = 0
        for j in range(k, L + 1):
            products, formed = _activation_product(network.activations[j - 1], sizes[j])
            sweep_products, sweep_entries = sweep_products + products, sweep_entries + formed
            if j < L:
                sweep_products += sizes[j + 1] * sizes[j]  # · W^{j+1}ᵀ
            peak = max(peak, 3 * sizes[j], sizes[j] + (sizes[j + 1] if j < L else 0))
        sweep_products += sizes[L]  # ∂L/∂z · ∂z/∂θ
        entries_of_layer = sizes[k] * (sizes[k - 1] + 1)
        multiply_adds += entries_of_layer * N * sweep_products
        entries += entries_of_layer * N * sweep_entries
    return Cost("scalar", multiply_adds, entries, entries, ENTRY_BYTES * (network.gradient_entries + N * peak))


def _numeric(network: Architecture) -> Cost:
    """Two forward passes per parameter entry; only the affine maps ``W h`` are charged."""
    sizes, N = network.sizes, network.batch
    forward = sum(N * sizes[k] * sizes[k - 1] for k in network.layers())
    activations = max(sizes[k - 1] + 2 * sizes[k] for k in network.layers())
    peak = network.gradient_entries + N * activations
    return Cost("numeric", 2 * network.gradient_entries * forward, 0, 0, ENTRY_BYTES * peak)


def predict(network: Architecture, method: str) -> Cost:
    """The cost of ``method`` on an :class:`Architecture` (no data needed; ``stored_bytes`` left at 0).

    >>> notes = Architecture((2, 3, 1), ("sigmoid", "sigmoid"), "mse", 1)
    >>> predict(notes, "reshape").multiply_adds, predict(notes, "structured").multiply_adds
    (59, 17)
    """
    check_method(method)
    if TABLE[method].contracts_chains:
        return _materialized(network, method)
    return _COUNTS[method](network)


#: How each method that does not contract whole chains is counted (every other one: :func:`_materialized`).
_COUNTS: dict[str, Callable[[Architecture], Cost]] = {
    "scalar": _scalar,
    "structured": _structured,
    "outer": _outer,
    "backprop": _backprop,
    "numeric": _numeric,
}


def _predict_with_trace(network: Architecture, method: str) -> Cost:
    """:func:`predict`, with the bytes the forward pass keeps (finite differences keep none)."""
    stored = 0 if method == "numeric" else network.stored_bytes
    return dataclasses.replace(predict(network, method), stored_bytes=stored)


def _architecture(net: MLP, X: Any, T: Any, loss: str) -> Architecture:
    """Check ``net``, ``X``, ``T`` and ``loss`` as :func:`gradient` would, without running the network.

    The counts depend on the shapes alone: checking the data is one pass over it, and no forward pass.
    """
    X, _, loss_fn = check_data(net, X, T, loss)
    return Architecture.of(net, loss_fn.name, 1 if X.ndim == 1 else X.shape[0])


def cost(net: MLP, X: Any, T: Any, loss: str = "mse", method: str = "backprop") -> Cost:
    """The cost of computing ``∂J/∂θ`` for ``(X, T)`` by ``method``.

    >>> net = jbp.MLP([4, 16, 16, 2], activation="tanh", seed=0)
    >>> X, T = np.zeros((8, 4)), np.zeros((8, 2))
    >>> reshape, outer = jbp.cost(net, X, T, method="reshape"), jbp.cost(net, X, T, method="outer")
    >>> reshape.multiply_adds > 10 * outer.multiply_adds, outer.entries < reshape.nonzero_entries < reshape.entries
    (True, True)
    """
    check_method(method)
    return _predict_with_trace(_architecture(net, X, T, loss), method)


#: A cost table's counted columns, each title in two lines.
COUNTED_COLUMNS = (
    ("", "method"),
    ("multiply-", "adds"),
    ("×", "least"),
    ("", "entries"),
    ("", "non-zero"),
    ("peak", "bytes"),
    ("stored", "bytes"),
)
#: The columns :meth:`CostTable.measure` adds.
MEASURED_COLUMNS = (("", "seconds"), ("", "agrees"))
#: Counts below this are printed in full; larger ones in two significant digits.
EXACT_BELOW = 10**6
#: Widest a printed table may be: a terminal's 80 columns, less one (documentation pages show the tables).
TABLE_WIDTH = 79


def _count_text(count: int) -> str:
    """``59``, ``123,456``, ``1.2e+07``: in full below :data:`EXACT_BELOW`, else two significant digits."""
    return f"{count:,}" if count < EXACT_BELOW else f"{count:.1e}"


@dataclass
class CostTable:
    """Every path's cost, with measured seconds beside it when asked for.

    After :meth:`measure`, ``seconds`` and ``agrees`` hold each path that ran,
    ``errors`` the error of a path that raised instead, and ``skipped`` why a
    path was not run at all (its largest Jacobian is over the memory budget).

    >>> table = jbp.cost_table(jbp.notes_network(), [[1.0, 0.5]], [1.0])
    >>> table["reshape"].multiply_adds > table["backprop"].multiply_adds
    True
    """

    costs: list[Cost]
    seconds: dict[str, float] = field(default_factory=dict)
    agrees: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def predicted(cls, network: Architecture, methods: Sequence[str] = METHODS) -> CostTable:
        """The counted cost of every one of ``methods`` on ``network``: arithmetic, for any batch size.

        >>> table = CostTable.predicted(Architecture((2, 3, 1), ("sigmoid", "sigmoid"), "mse", 10**12))
        >>> table["backprop"].multiply_adds
        16000000000000
        """
        return cls([_predict_with_trace(network, method) for method in methods])

    def __getitem__(self, method: str) -> Cost:
        for row in self.costs:
            if row.method == method:
                return row
        raise KeyError(method)

    def __repr__(self) -> str:
        cheapest = min(self.costs, key=lambda row: row.multiply_adds)
        return (
            f"CostTable({len(self.costs)} methods, fewest multiply-adds: {cheapest.method} {cheapest.multiply_adds:,})"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the same table as :meth:`__str__`, as HTML."""
        columns = COUNTED_COLUMNS + (MEASURED_COLUMNS if self.timed else ())
        header = [f"{top} {bottom}".strip() for top, bottom in columns]
        notes = self.skipped or self.errors
        rows = [self.cells(cost.method) + ([self.note(cost.method) or ""] if notes else []) for cost in self.costs]
        return html_view.table(header + (["note"] if notes else []), rows, caption=repr(self))

    @property
    def timed(self) -> bool:
        """Whether :meth:`measure` has run (then every row has a time, an error or a reason it was skipped).

        >>> jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("outer",), timings=True).timed
        True
        """
        return bool(self.seconds or self.errors or self.skipped)

    def cells(self, method: str) -> list[str]:
        """One method's row as text, column by column; the measured columns once :meth:`measure` ran.

        Counts up to a million are printed in full, larger ones in two significant digits, so that
        every column stays narrow whatever the network and the batch.

        >>> table = jbp.cost_table(jbp.notes_network(), np.zeros((10**5, 2)), np.zeros(10**5))
        >>> table.cells("reshape")
        ['reshape', '5.9e+06', '3.7', '6.7e+06', '3.7e+06', '3.1e+07', '8.0e+06']
        """
        fewest = min(row.multiply_adds for row in self.costs) or 1
        cost = self[method]
        ratio = cost.multiply_adds / fewest
        counted = [cost.multiply_adds, cost.entries, cost.nonzero_entries, cost.peak_bytes, cost.stored_bytes]
        cells = [method, *(_count_text(n) for n in counted)]
        cells.insert(2, f"{ratio:.1f}" if ratio < 1000 else f"{ratio:.1e}")
        if not self.timed:
            return cells
        if method in self.seconds:
            return [*cells, f"{self.seconds[method]:.2e}", "yes" if self.agrees.get(method) else "NO"]
        return [*cells, "—", "—"]

    def note(self, method: str) -> str | None:
        """Why ``method`` has no time (skipped), or what it raised; ``None`` if it has neither."""
        if method in self.skipped:
            return f"skipped: {self.skipped[method]}"
        if method in self.errors:
            return f"raised {self.errors[method]}"
        return None

    def _widths(self, timed: bool) -> list[int]:
        """Each column's width: its title's or its widest counted cell's (the measured cells have fixed widths)."""
        columns = COUNTED_COLUMNS + (MEASURED_COLUMNS if timed else ())
        widths = [max(len(top), len(bottom)) for top, bottom in columns]
        for cost in self.costs:
            for index, cell in enumerate(self.cells(cost.method)[: len(COUNTED_COLUMNS)]):
                widths[index] = max(widths[index], len(cell))
        if timed:
            widths[len(COUNTED_COLUMNS)] = max(widths[len(COUNTED_COLUMNS)], len(f"{1.0:.2e}"))
        return widths

    @staticmethod
    def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
        """The method left-aligned, every number right-aligned under its title."""
        first, *rest = cells
        return " ".join(
            [f"{first:<{widths[0]}}", *(f"{cell:>{width}}" for cell, width in zip(rest, widths[1:], strict=True))]
        )

    def header(self, timed: bool | None = None) -> str:
        """The column titles, in two lines; with ``seconds`` and ``agrees`` if ``timed`` (default: :attr:`timed`).

        >>> print(jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0).header(timed=True))
                   multiply-     ×                     peak stored
        method          adds least entries non-zero   bytes  bytes  seconds agrees
        """
        timed = self.timed if timed is None else timed
        columns = COUNTED_COLUMNS + (MEASURED_COLUMNS if timed else ())
        widths = self._widths(timed)
        return "\n".join(self._line([column[line] for column in columns], widths).rstrip() for line in (0, 1))

    def row(self, method: str) -> str:
        """One method's line: its predicted cost, then its time, with why it has none on the next line.

        >>> table = jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("outer", "backprop"))
        >>> table.row("outer")
        'outer             17   1.1       5        5     176     80'
        """
        line = self._line(self.cells(method), self._widths(self.timed))
        note = self.note(method)
        if note is None:
            return line
        indent = " " * (self._widths(self.timed)[0] + 1)
        return "\n".join([line, *textwrap.wrap(note, TABLE_WIDTH, initial_indent=indent, subsequent_indent=indent)])

    def __str__(self) -> str:
        return "\n".join([self.header(), *(self.row(cost.method) for cost in self.costs)])

    def skip_over_budget(self, max_bytes: int | None = None) -> int:
        """Mark every path whose largest Jacobian exceeds the budget as skipped, with why; return the budget.

        Paths already skipped for another reason stay skipped.

        >>> table = jbp.cost_table(jbp.notes_network(), np.zeros((4, 2)), np.zeros(4), methods=("einsum", "outer"))
        >>> table.skip_over_budget(512), list(table.skipped)
        (512, ['einsum'])
        """
        budget = resolve_max_bytes(max_bytes)
        self.skipped |= {
            cost.method: (
                f"its largest Jacobian, {format_bytes(cost.largest_jacobian_bytes)}, is over the memory budget "
                f"of {format_bytes(budget)}"
            )
            for cost in self.costs
            if cost.over_budget(budget) and cost.method not in self.skipped
        }
        return budget

    def measure(
        self,
        net: MLP,
        X: Any,
        T: Any,
        loss: str = "mse",
        max_bytes: int | None = None,
        on_row: Callable[[str], None] | None = None,
    ) -> None:
        """Run and time every path of the table (via :func:`compare`), skipping those over the memory budget.

        Every path is checked against the budget *before* anything runs
        (:meth:`skip_over_budget`): one whose :attr:`Cost.largest_jacobian_bytes`
        exceeds it is skipped with a note instead of failing after the paths
        before it have run. Then each
        path runs, and ``on_row(method)`` is called as soon as every row up to
        ``method``'s is complete, in the table's order — so a caller can print
        rows as they finish.

        >>> table = jbp.cost_table(jbp.notes_network(), np.zeros((4, 2)), np.zeros(4), methods=("einsum", "outer"))
        >>> table.measure(jbp.notes_network(), np.zeros((4, 2)), np.zeros(4), max_bytes=512)
        >>> table.skipped["einsum"], table.agrees["outer"]
        ('its largest Jacobian, 576 B, is over the memory budget of 512 B', True)
        """
        budget = self.skip_over_budget(max_bytes)
        order = [cost.method for cost in self.costs]
        complete = set(self.skipped)
        shown = 0

        def show_finished_rows() -> None:
            nonlocal shown
            while shown < len(order) and order[shown] in complete:
                if on_row is not None:
                    on_row(order[shown])
                shown += 1

        def record(row: MethodRow) -> None:
            self.seconds[row.method] = float(row.seconds or 0.0)
            self.agrees[row.method] = row.ok
            if row.error is not None:
                self.errors[row.method] = row.error
            complete.add(row.method)
            show_finished_rows()

        show_finished_rows()
        to_run = [method for method in order if method not in self.skipped]
        if to_run:
            compare(net, X, T, loss, methods=to_run, timings=True, max_bytes=budget, on_row=record)


def cost_table(
    net: MLP,
    X: Any,
    T: Any,
    loss: str = "mse",
    methods: Sequence[str] = METHODS,
    timings: bool = False,
    max_bytes: int | None = None,
) -> CostTable:
    """:func:`cost` for every method; with ``timings=True`` also run and time each path (:meth:`CostTable.measure`).

    A path whose largest Jacobian is over the memory budget ``max_bytes`` is
    not run; its row says so.

    >>> table = jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0, timings=True)
    >>> print(table)  # doctest: +ELLIPSIS
               multiply-     ×                   peak stored
    method          adds least entries non-zero bytes  bytes  seconds agrees
    scalar            80   5.0      40       40   176     80 ...
    >>> table["structured"].multiply_adds == table["outer"].multiply_adds
    True
    """
    for method in methods:
        check_method(method)
    table = CostTable.predicted(_architecture(net, X, T, loss), methods)
    if timings:
        table.measure(net, X, T, loss, max_bytes)
    return table


def widths_costs(
    widths: Sequence[int], methods: Sequence[str] = METHODS, depth: int = 3, batch: int = 1, activation: str = "sigmoid"
) -> dict[str, list[int]]:
    """Multiply-adds of each method for a ``depth``-layer network of every width in ``widths``.

    >>> costs = widths_costs([8, 16], methods=("reshape", "outer"))
    >>> [round(r / o, 1) for r, o in zip(costs["reshape"], costs["outer"])]
    [6.7, 10.8]
    """
    result: dict[str, list[int]] = {method: [] for method in methods}
    for width in widths:
        network = Architecture((width,) * (depth + 1), (activation,) * depth, "mse", batch)
        for method in methods:
            result[method].append(predict(network, method).multiply_adds)
    return result
