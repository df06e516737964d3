"""What each gradient path costs: multiply-adds, entries, bytes.

:func:`cost` predicts, from the network's architecture and the batch size, what
one gradient computation by a path costs. The numbers follow each path's code,
step by step, under one set of conventions:

``multiply_adds``
    Scalar multiplications, each counted once whether or not an addition
    accumulates it: a matrix product ``(r×s)(s×c)`` is ``r·s·c``, an
    element-wise product of ``n`` numbers is ``n``, an outer product ``m×n`` is
    ``m·n``. Not counted: additions or subtractions alone (``z − t``, sums over
    the batch), divisions by the batch size, and evaluating functions and local
    derivatives (``σ(a)``, ``f'(a)``, ``∂L/∂z``, the entries of a materialized
    Jacobian) — every path needs those same numbers. Finite differences are
    charged the affine maps ``W h`` of their forward passes.
``entries``, ``nonzero_entries``
    Entries of the local Jacobians a path forms, in the form it stores them —
    the full array for the materializing paths, the vector ``f'(a)`` for the
    ``⊙`` paths, nothing for a factor a path never forms (``W`` is used in
    place, ``∂a/∂W`` and ``∂a/∂b`` never appear in the efficient paths) — and
    how many of them the Jacobian's structure allows to be non-zero. Summed over
    the whole computation.
``peak_bytes``
    Bytes of derivative arrays alive at once: the gradient accumulators, plus,
    at the most demanding product, its operand, its factor (for the
    materializing paths: every factor of the chain being contracted) and its
    result. float64 throughout; temporaries inside numpy are not modelled.
``stored_bytes``
    Bytes of every ``a^k`` and ``h^k`` (input included) the forward pass keeps
    for the backward pass (:attr:`Trace.stored_bytes`); ``0`` for finite
    differences, which keep nothing and re-run the forward pass instead.

The ``"structured"`` path counts the kernels it runs
(:func:`jacobian_bp.structured.structured_gradient_counted`); the prediction
here matches that count whenever no factor has more structure than its role
gives it (generic values). It equals the ``"outer"`` path's count for every
activation and loss — both skip the identity, scale by a diagonal, multiply by
softmax's dense Jacobian — except where the two paths do different arithmetic:
a factor that is *by its values* the identity — a ReLU layer with every unit
active, or ``∂a/∂W`` when the layer below is a single unit holding exactly 1 —
which ``structured`` skips and ``outer`` multiplies through. (Both start from
``∂J/∂z`` times ``∂z/∂a^L``; only ``backprop`` uses the fused ``(z − t)/N`` of a
cross-entropy on its own output activation.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jacobian_bp.activations import Activation, get_activation
from jacobian_bp.checking import compare
from jacobian_bp.gradients import METHODS, check_method, prepare
from jacobian_bp.losses import Loss, get_loss
from jacobian_bp.mlp import MLP

#: Bytes of one float64 entry.
ENTRY_BYTES = 8


@dataclass(frozen=True)
class Cost:
    """The predicted cost of one gradient computation by one path.

    >>> net = jbp.notes_network()
    >>> c = jbp.cost(net, [1.0, 0.5], 1.0, method="outer")
    >>> c.multiply_adds, c.entries, c.stored_bytes
    (17, 5, 80)
    """

    method: str
    multiply_adds: int
    entries: int
    nonzero_entries: int
    peak_bytes: int
    stored_bytes: int


@dataclass(frozen=True)
class FactorSpec:
    """A local Jacobian described by its role: matrix shape, entries stored, structural non-zeros, pattern."""

    rows: int
    cols: int
    stored: int
    nonzero: int
    pattern: str  # "identity" | "diagonal" | "block-sparse" | "dense"


@dataclass(frozen=True)
class Architecture:
    """What the cost of a path depends on: the widths, each layer's activation, the loss and ``N``."""

    sizes: tuple[int, ...]
    activations: tuple[Activation, ...]  # activations[k - 1] is f_k
    fused: bool  # the output delta is the loss's fused z − t
    batch: int

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    @property
    def param_counts(self) -> dict[int, int]:
        """Entries of ``W^k`` and ``b^k`` together, per layer."""
        return {k: self.sizes[k] * (self.sizes[k - 1] + 1) for k in range(1, self.depth + 1)}

    @property
    def gradient_entries(self) -> int:
        return sum(self.param_counts.values())

    def act(self, k: int) -> Activation:
        return self.activations[k - 1]


def describe(net: MLP, loss: Loss, batch: int) -> Architecture:
    """The :class:`Architecture` of ``net`` with ``loss`` on a batch of ``batch`` examples."""
    activations = tuple(net.layer_activation(k) for k in range(1, net.depth + 1))
    return Architecture(tuple(net.sizes), activations, loss.output_activation == net.output_activation, batch)


# ---------------------------------------------------------------- the factors of a chain, by role


def activation_spec(activation: Activation, n: int) -> FactorSpec:
    """``∂h/∂a`` of one layer: diagonal (the identity for the identity activation) or dense (softmax)."""
    if not activation.elementwise:
        return FactorSpec(n, n, n * n, n * n, "dense")
    return FactorSpec(n, n, n * n, n, "identity" if activation.name == "identity" else "diagonal")


def chain_specs(network: Architecture, name: str) -> list[FactorSpec]:
    """The factors of the chain of ``∂J/∂name`` for one example, outermost first.

    >>> from jacobian_bp.losses import get_loss
    >>> net = describe(jbp.notes_network(), get_loss("mse"), 1)
    >>> [(s.rows, s.cols, s.pattern) for s in chain_specs(net, "W1")][-2:]
    [(3, 3, 'diagonal'), (3, 6, 'block-sparse')]
    """
    kind, layer = name[0], int(name[1:])
    sizes, L = network.sizes, network.depth
    specs = [FactorSpec(1, sizes[L], sizes[L], sizes[L], "dense"), activation_spec(network.act(L), sizes[L])]
    for j in range(L, layer, -1):
        m, n = sizes[j], sizes[j - 1]
        specs += [FactorSpec(m, n, m * n, m * n, "dense"), activation_spec(network.act(j - 1), n)]
    m, n = sizes[layer], sizes[layer - 1]
    if kind == "W":
        specs.append(FactorSpec(m, m * n, m * m * n, m * n, "block-sparse"))
    else:
        specs.append(FactorSpec(m, m, m * m, m, "identity"))
    return specs


def _product_sizes(specs: Sequence[FactorSpec]) -> list[tuple[int, int]]:
    """``(operand, result)`` entries of each product of a reverse contraction starting from a row."""
    sizes = []
    running = 0  # the first operand is factor 0 itself, already counted among the factors
    for spec in specs[1:]:
        sizes.append((running, spec.cols))
        running = spec.cols
    return sizes


# ---------------------------------------------------------------- the paths


@dataclass(frozen=True)
class ActivationPrice:
    """How a vector path multiplies by ``∂h/∂a``: multiply-adds and entries of the Jacobian it forms."""

    multiply_adds: int
    entries: int


def _vjp_price(activation: Activation, n: int) -> ActivationPrice:
    """Backprop and the scalar path: nothing for the identity, ``g ⊙ f'(a)`` (forming ``f'(a)``), or softmax's
    ``s ⊙ (g − ⟨g,s⟩)``."""
    if activation.name == "identity":
        return ActivationPrice(0, 0)
    return ActivationPrice(n, n) if activation.elementwise else ActivationPrice(2 * n, 0)


def _shortcut_price(activation: Activation, n: int) -> ActivationPrice:
    """The outer path's :func:`~jacobian_bp.outer_product.times_jacobian`: nothing, ``⊙ f'(a)``, or dense."""
    if activation.name == "identity":
        return ActivationPrice(0, 0)
    return ActivationPrice(n, n) if activation.elementwise else ActivationPrice(n * n, n * n)


def _vjp_cost(activation: Activation, n: int) -> int:
    return _vjp_price(activation, n).multiply_adds


def _f_prime_entries(activation: Activation, n: int) -> int:
    return _vjp_price(activation, n).entries


def _materialized(network: Architecture, method: str) -> Cost:
    """reshape, slices, einsum: every factor of every chain, dense products, example by example."""
    names = [f"{kind}{k}" for k in range(1, network.depth + 1) for kind in ("W", "b")]
    multiply_adds = entries = nonzero = peak = 0
    for name in names:
        specs = chain_specs(network, name)
        multiply_adds += sum(spec.rows * spec.cols for spec in specs[1:])  # a row times each factor
        entries += sum(spec.stored for spec in specs)
        nonzero += sum(spec.nonzero for spec in specs)
        held = sum(spec.stored for spec in specs)
        peak = max(peak, held + max(operand + result for operand, result in _product_sizes(specs)))
    N = network.batch
    peak_bytes = ENTRY_BYTES * (network.gradient_entries + peak)
    return Cost(method, N * multiply_adds, N * entries, N * nonzero, peak_bytes, 0)


def _row_price(spec: FactorSpec) -> int:
    """Multiplications of a row vector times ``spec`` by the structured kernels."""
    if spec.pattern == "identity":
        return 0
    return spec.nonzero  # scale: n; outer: m·n; matmul: rows·cols, all of which can be non-zero


def _structured(network: Architecture) -> Cost:
    """Per example and layer: the shared prefix once, then ``∂a/∂W`` (outer product) and ``∂a/∂b`` (skipped)."""
    multiply_adds = entries = nonzero = peak = 0
    for k in range(1, network.depth + 1):
        *prefix, d_a_d_W = chain_specs(network, f"W{k}")
        d_a_d_b = chain_specs(network, f"b{k}")[-1]
        multiply_adds += sum(_row_price(spec) for spec in prefix[1:]) + _row_price(d_a_d_W)
        held = [*prefix, d_a_d_W, d_a_d_b]
        entries += sum(spec.stored for spec in held)
        nonzero += sum(spec.nonzero for spec in held)
        products = [*_product_sizes(prefix), (prefix[-1].cols, d_a_d_W.cols)]  # the b product is a view
        peak = max(peak, sum(spec.stored for spec in held) + max(operand + result for operand, result in products))
    N = network.batch
    peak_bytes = ENTRY_BYTES * (network.gradient_entries + peak)
    return Cost("structured", N * multiply_adds, N * entries, N * nonzero, peak_bytes, 0)


PriceRule = Callable[[Activation, int], ActivationPrice]


def _head(network: Architecture, price: PriceRule, fused: bool) -> tuple[int, int]:
    """Multiply-adds and ``f'`` entries of ``∂J/∂a^L`` per example: nothing if the loss gradient is fused."""
    L, n = network.depth, network.sizes[-1]
    if fused:
        return 0, 0
    head = price(network.act(L), n)
    return head.multiply_adds, head.entries


def _step_down(network: Architecture, j: int, price: PriceRule) -> tuple[int, int, int]:
    """From ``δ^j`` to ``δ^{j−1}``: ``δ W^j`` then ``∂h/∂a``; multiply-adds, f' entries, peak entries."""
    m, n = network.sizes[j], network.sizes[j - 1]
    activation = price(network.act(j - 1), n)
    peak = max(m + n, n + activation.entries + n)  # δ W: operand and result; ⊙: operand, f'(a), result
    return m * n + activation.multiply_adds, activation.entries, peak


def _outer(network: Architecture) -> Cost:
    """The outer path: for every layer, δ afresh from the loss, then ``δᵀ h`` and ``Σ δ``."""
    L, sizes = network.depth, network.sizes
    head_madds, head_entries = _head(network, _shortcut_price, fused=False)
    multiply_adds = entries = peak = 0
    for k in range(1, L + 1):
        multiply_adds += head_madds + sizes[k] * sizes[k - 1]
        entries += head_entries
        peak = max(peak, 2 * sizes[L] + head_entries, sizes[k])  # head: operand, f', result; δᵀh: δ
        for j in range(L, k, -1):
            madds, f_prime, step_peak = _step_down(network, j, _shortcut_price)
            multiply_adds, entries, peak = multiply_adds + madds, entries + f_prime, max(peak, step_peak)
    return _vector_path("outer", network, multiply_adds, entries, peak)


def _backprop(network: Architecture) -> Cost:
    """Algorithm 6.4: δ once, carried down; each layer's ``g hᵀ`` from the same running ``g``."""
    L, sizes = network.depth, network.sizes
    multiply_adds, entries = _head(network, _vjp_price, fused=network.fused)
    peak = 2 * sizes[L] + entries
    for k in range(L, 0, -1):
        multiply_adds += sizes[k] * sizes[k - 1]
        if k > 1:
            madds, f_prime, step_peak = _step_down(network, k, _vjp_price)
            multiply_adds, entries, peak = multiply_adds + madds, entries + f_prime, max(peak, step_peak)
    return _vector_path("backprop", network, multiply_adds, entries, peak)


def _scalar(network: Architecture) -> Cost:
    """One forward-mode sweep per parameter entry, from its layer to the output, then ``· ∂L/∂z``."""
    L, sizes = network.depth, network.sizes
    multiply_adds = entries = peak = 0
    for k, count in network.param_counts.items():
        sweep = sizes[L]  # ∂L/∂z · ∂z/∂θ at the end
        f_primes = 0
        for j in range(k, L + 1):
            sweep += _vjp_cost(network.act(j), sizes[j]) + (sizes[j] * sizes[j + 1] if j < L else 0)
            f_primes += _f_prime_entries(network.act(j), sizes[j])
            peak = max(peak, 3 * sizes[j], sizes[j] + (sizes[j + 1] if j < L else 0))
        multiply_adds += count * sweep
        entries += count * f_primes
    return _vector_path("scalar", network, multiply_adds, entries, peak)


def _vector_path(method: str, network: Architecture, multiply_adds: int, entries: int, peak: int) -> Cost:
    """A path that works on whole batches of row vectors: everything scales with ``N``."""
    N = network.batch
    peak_bytes = ENTRY_BYTES * (network.gradient_entries + N * peak)
    return Cost(method, N * multiply_adds, N * entries, N * entries, peak_bytes, 0)


def _numeric(network: Architecture) -> Cost:
    """Two forward passes per parameter entry; only the affine maps are charged."""
    forward = sum(network.sizes[k] * network.sizes[k - 1] for k in range(1, network.depth + 1))
    multiply_adds = 2 * network.gradient_entries * network.batch * forward
    activations = max(network.sizes[k - 1] + 2 * network.sizes[k] for k in range(1, network.depth + 1))
    peak_bytes = ENTRY_BYTES * (network.gradient_entries + network.batch * activations)
    return Cost("numeric", multiply_adds, 0, 0, peak_bytes, 0)


def predict(network: Architecture, method: str) -> Cost:
    """The cost of ``method`` on a :class:`Architecture` (no data needed; ``stored_bytes`` left at 0)."""
    check_method(method)
    if method in ("reshape", "slices", "einsum"):
        return _materialized(network, method)
    return {
        "structured": _structured,
        "outer": _outer,
        "backprop": _backprop,
        "scalar": _scalar,
        "numeric": _numeric,
    }[method](network)


def cost(net: MLP, X: Any, T: Any, loss: str = "mse", method: str = "backprop") -> Cost:
    """The predicted cost of computing ``∂J/∂θ`` for ``(X, T)`` by ``method``.

    >>> net = jbp.MLP([4, 16, 16, 2], activation="tanh", seed=0)
    >>> X, T = np.zeros((8, 4)), np.zeros((8, 2))
    >>> reshape, outer = jbp.cost(net, X, T, method="reshape"), jbp.cost(net, X, T, method="outer")
    >>> reshape.multiply_adds > 10 * outer.multiply_adds, outer.entries < reshape.nonzero_entries < reshape.entries
    (True, True)
    """
    check_method(method)
    trace, _, loss_fn = prepare(net, X, T, loss)
    batch = trace.h[0].shape[0] if trace.h[0].ndim == 2 else 1
    predicted = predict(describe(net, loss_fn, batch), method)
    stored = 0 if method == "numeric" else trace.stored_bytes
    return dataclasses.replace(predicted, stored_bytes=stored)


@dataclass
class CostTable:
    """Every path's predicted cost, with measured seconds beside it when asked for.

    >>> table = jbp.cost_table(jbp.notes_network(), [[1.0, 0.5]], [1.0])
    >>> table["reshape"].multiply_adds > table["backprop"].multiply_adds
    True
    """

    costs: list[Cost]
    seconds: dict[str, float] = field(default_factory=dict)
    agrees: dict[str, bool] = field(default_factory=dict)

    def __getitem__(self, method: str) -> Cost:
        for row in self.costs:
            if row.method == method:
                return row
        raise KeyError(method)

    def __str__(self) -> str:
        fastest = min(row.multiply_adds for row in self.costs) or 1
        header = f"{'method':<10} {'multiply-adds':>13} {'× least':>8} {'entries':>10} {'non-zero':>10}"
        header += f" {'peak bytes':>11} {'stored bytes':>12}"
        if self.seconds:
            header += f" {'seconds':>9} {'agrees':>6}"
        lines = [header]
        for row in self.costs:
            line = (
                f"{row.method:<10} {row.multiply_adds:>13,} {row.multiply_adds / fastest:>8.1f} {row.entries:>10,} "
                f"{row.nonzero_entries:>10,} {row.peak_bytes:>11,} {row.stored_bytes:>12,}"
            )
            if self.seconds:
                line += f" {self.seconds[row.method]:>9.2e} {'yes' if self.agrees[row.method] else 'NO':>6}"
            lines.append(line)
        return "\n".join(lines)


def cost_table(
    net: MLP, X: Any, T: Any, loss: str = "mse", methods: Sequence[str] = METHODS, timings: bool = False
) -> CostTable:
    """:func:`cost` for every method; with ``timings=True`` also run each one (via :func:`compare`).

    >>> table = jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0, timings=True)
    >>> print(table)  # doctest: +ELLIPSIS
    method     multiply-adds  × least    entries   non-zero  peak bytes stored bytes   seconds agrees
    scalar     ...
    >>> table["structured"].multiply_adds == table["outer"].multiply_adds
    True
    """
    for method in methods:
        check_method(method)
    table = CostTable([cost(net, X, T, loss, method) for method in methods])
    if timings:
        report = compare(net, X, T, loss, methods=methods, timings=True)
        table.seconds = {row.method: float(row.seconds or 0.0) for row in report.rows}
        table.agrees = {row.method: row.ok for row in report.rows}
    return table


def widths_costs(
    widths: Sequence[int], methods: Sequence[str] = METHODS, depth: int = 3, batch: int = 1, activation: str = "sigmoid"
) -> dict[str, list[int]]:
    """Multiply-adds of each method for a ``depth``-layer network of every width in ``widths``.

    >>> costs = widths_costs([8, 16], methods=("reshape", "outer"))
    >>> [round(r / o, 1) for r, o in zip(costs["reshape"], costs["outer"])]
    [6.7, 10.8]
    """
    mse = get_loss("mse")
    act = get_activation(activation)
    result: dict[str, list[int]] = {method: [] for method in methods}
    for width in widths:
        network = Architecture((width,) * (depth + 1), (act,) * depth, mse.output_activation == act.name, batch)
        for method in methods:
            result[method].append(predict(network, method).multiply_adds)
    return result
