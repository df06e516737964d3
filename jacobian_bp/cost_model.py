"""What each gradient path costs: multiply-adds, entries, bytes, operations — and seconds.

:func:`cost` predicts, from the network's architecture and the batch size, what
one gradient computation by a path costs. The numbers follow each path's code,
step by step (a :class:`Ledger` of its kernels), under one set of conventions:

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
    for the materializing paths every factor as a stack of ``N`` per-example
    blocks (the batch mean ``∂J/∂J⁽ᵖ⁾`` included), the vector ``f'(a)`` for the
    ``⊙`` paths, nothing for a factor a path never forms (``W`` is used in
    place, ``∂a/∂W`` and ``∂a/∂b`` never appear in the efficient paths) — and
    how many of them the Jacobian's structure allows to be non-zero. Summed over
    the whole computation.
``peak_bytes``
    Bytes of derivative arrays alive at once: the gradient accumulators, plus,
    at the most demanding product, its operand, its factor (for the
    materializing paths: every stack of the chain being contracted, all ``N``
    examples) and its result. float64 throughout; temporaries inside numpy are
    not modelled.
``stored_bytes``
    Bytes of every ``a^k`` and ``h^k`` (input included) the forward pass keeps
    for the backward pass (:attr:`Trace.stored_bytes`); ``0`` for finite
    differences, which keep nothing and re-run the forward pass instead.
``bytes_written``, ``bytes_read``, ``operations``
    The memory traffic and the number of calls of the path's *kernels*:
    forming an array writes it; a product reads both operands once and writes
    its result once; a structure scan reads the factor. ``operations`` counts
    the numpy calls each kernel really makes, read off its code (the tables
    below, :data:`VALUE_CALLS` and its neighbours: the numerically stable
    ``σ'(a)`` is 9 calls, not one), plus, in the paths that materialize
    Jacobians, one per library call that checks or wraps an array (a budget
    check, a :class:`~jacobian_bp.jacobian.Jacobian` or
    :class:`~jacobian_bp.batch.BatchedJacobian` built and validated, a composed
    name). Numpy's temporaries and the rest of the Python around the calls are
    not counted.

The time model (:mod:`jacobian_bp.time_model`) turns the work into seconds:
its ``calibrate`` measures a ``Machine`` — seconds per multiply-add (a large
matrix product), per byte written (filling fresh memory), per byte read
(summing a large array) and per operation (a numpy call on tiny arrays) — and
:meth:`Cost.predicted_seconds`
adds up ``multiply_adds``, ``bytes_written``, ``bytes_read`` and
``operations``, each at its price. A pure multiply-add count says the
materializing paths are slow because of arithmetic; most of their time goes to
forming and streaming the ``m·m·n`` entries of ``∂a/∂W``, and the time model
says so.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jacobian_bp.activations import Activation, get_activation
from jacobian_bp.checking import compare
from jacobian_bp.gradients import METHODS, check_method, prepare
from jacobian_bp.losses import Loss, get_loss
from jacobian_bp.mlp import MLP
from jacobian_bp.time_model import ENTRY_BYTES, Machine


@dataclass(frozen=True)
class Cost:
    """The predicted cost of one gradient computation by one path.

    >>> net = jbp.notes_network()
    >>> c = jbp.cost(net, [1.0, 0.5], 1.0, method="outer")
    >>> c.multiply_adds, c.entries, c.stored_bytes
    (17, 5, 80)
    >>> c.operations, c.bytes_written, c.bytes_read
    (43, 240, 232)
    """

    method: str
    multiply_adds: int
    entries: int
    nonzero_entries: int
    peak_bytes: int
    stored_bytes: int
    bytes_written: int
    bytes_read: int
    operations: int

    def time_terms(self, machine: Machine) -> dict[str, float]:
        """The predicted seconds, term by term: ``arithmetic``, ``writing``, ``reading`` and ``overhead``.

        >>> machine = Machine(1e-10, 1e-10, 2e-11, 1e-6)
        >>> terms = jbp.cost(jbp.notes_network(), [1.0, 0.5], 1.0, method="outer").time_terms(machine)
        >>> max(terms, key=terms.get)  # a tiny network: the fixed price of each numpy call dominates
        'overhead'
        """
        return {
            "arithmetic": self.multiply_adds * machine.seconds_per_multiply_add,
            "writing": self.bytes_written * machine.seconds_per_byte_written,
            "reading": self.bytes_read * machine.seconds_per_byte_read,
            "overhead": self.operations * machine.seconds_per_operation,
        }

    def predicted_seconds(self, machine: Machine) -> float:
        """How long the path should take on ``machine``: the sum of :meth:`time_terms`.

        >>> machine = Machine(1e-10, 1e-10, 2e-11, 1e-6)
        >>> net = jbp.MLP([64, 64, 64, 64], seed=0)
        >>> X = np.zeros((8, 64))
        >>> reshape, outer = (jbp.cost(net, X, X, method=m).predicted_seconds(machine) for m in ("reshape", "outer"))
        >>> reshape > 10 * outer
        True
        """
        return sum(self.time_terms(machine).values())


@dataclass(frozen=True)
class FactorSpec:
    """A local Jacobian described by its role: matrix shape, entries stored, structural non-zeros, pattern.

    ``leading_input`` is the length of its first input axis: how many slices the
    ``slices`` method cuts it into.
    """

    rows: int
    cols: int
    stored: int
    nonzero: int
    pattern: str  # "identity" | "diagonal" | "block-sparse" | "dense"
    leading_input: int


@dataclass(frozen=True)
class Architecture:
    """What the cost of a path depends on: the widths, each layer's activation, the loss and ``N``."""

    sizes: tuple[int, ...]
    activations: tuple[Activation, ...]  # activations[k - 1] is f_k
    fused: bool  # the output delta is the loss's fused z − t
    batch: int
    loss: str = "mse"

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
    return Architecture(
        tuple(net.sizes), activations, loss.output_activation == net.output_activation, batch, loss.name
    )


# ---------------------------------------------------------------- the factors of a chain, by role


def activation_spec(activation: Activation, n: int) -> FactorSpec:
    """``∂h/∂a`` of one layer: diagonal (the identity for the identity activation) or dense (softmax)."""
    if not activation.elementwise:
        return FactorSpec(n, n, n * n, n * n, "dense", n)
    return FactorSpec(n, n, n * n, n, "identity" if activation.name == "identity" else "diagonal", n)


def chain_specs(network: Architecture, name: str) -> list[FactorSpec]:
    """The factors of the chain of ``∂J/∂name`` for one example, outermost first.

    >>> from jacobian_bp.losses import get_loss
    >>> net = describe(jbp.notes_network(), get_loss("mse"), 1)
    >>> [(s.rows, s.cols, s.pattern) for s in chain_specs(net, "W1")][-2:]
    [(3, 3, 'diagonal'), (3, 6, 'block-sparse')]
    """
    kind, layer = name[0], int(name[1:])
    sizes, L = network.sizes, network.depth
    n_out = sizes[L]
    specs = [FactorSpec(1, n_out, n_out, n_out, "dense", n_out), activation_spec(network.act(L), n_out)]
    for j in range(L, layer, -1):
        m, n = sizes[j], sizes[j - 1]
        specs += [FactorSpec(m, n, m * n, m * n, "dense", n), activation_spec(network.act(j - 1), n)]
    m, n = sizes[layer], sizes[layer - 1]
    if kind == "W":
        specs.append(FactorSpec(m, m * n, m * m * n, m * n, "block-sparse", m))
    else:
        specs.append(FactorSpec(m, m, m * m, m, "identity", m))
    return specs


def chain_calls(network: Architecture, name: str) -> list[int]:
    """Numpy calls that form each factor of :func:`chain_specs` as a stack (:func:`~jacobian_bp.batch.batch_factors`).

    >>> from jacobian_bp.losses import get_loss
    >>> net = describe(jbp.notes_network(), get_loss("mse"), 1)
    >>> chain_calls(net, "W1")  # ∂L/∂z (checked), σ'·I, W² copied, σ'·I, ∂a¹/∂W¹
    [3, 11, 1, 11, 2]
    """
    kind, layer = name[0], int(name[1:])
    L = network.depth
    calls = [LOSS_GRADIENT_CALLS[network.loss] + FINITE_CHECK_CALLS, activation_jacobian_calls(network.act(L))]
    for j in range(L, layer, -1):
        calls += [1, activation_jacobian_calls(network.act(j - 1))]  # W^j copied N times; ∂h^{j−1}/∂a^{j−1}
    calls.append(D_A_D_W_CALLS if kind == "W" else D_A_D_B_CALLS)
    return calls


# ---------------------------------------------------------------- numpy calls of each kernel
#
# One "numpy call" is a ufunc call (an operator such as ``*`` or ``-``, ``np.exp``, a reduction such as
# ``.sum()`` or ``np.max``) or a call that makes a new array (``np.eye``, ``np.zeros``, ``np.full``,
# ``np.ones_like``, ``.astype``, ``.copy``, ``np.take``, ``np.stack``); views (indexing, ``[..., None]``,
# ``reshape``, ``.T``, ``np.broadcast_to``) are not calls. The counts are read off the code named beside
# each; tests/test_operation_counts.py counts the same calls on that code with a hook on numpy, so a
# change to the code that changes a count fails there.

#: ``f(a)``, :mod:`jacobian_bp.activations`: sigmoid is ``exp(minimum(a, 0)) / (1 + exp(−abs(a)))``.
VALUE_CALLS = {"sigmoid": 7, "tanh": 1, "relu": 1, "identity": 1, "softmax": 5}
#: ``f'(a)``: sigmoid ``h · σ(−a)`` (a negation and the 7 of σ, then ``·``); tanh
#: ``4 e / (1 + e)²`` with ``e = exp(−2|a|)``; relu ``(a > 0).astype``; identity ``ones_like``.
DERIVATIVE_CALLS = {"sigmoid": 9, "tanh": 7, "relu": 2, "identity": 1}
#: :func:`~jacobian_bp.activations.diagonal_matrices`: ``np.eye`` and one product.
DIAGONAL_MATRICES_CALLS = 2
#: softmax's dense Jacobian ``diag(s) − s sᵀ``: diagonal_matrices, the outer product, the difference.
SOFTMAX_JACOBIAN_CALLS = DIAGONAL_MATRICES_CALLS + 2
#: softmax's product ``s ⊙ (g − ⟨g, s⟩)``: ``g · s``, its sum, ``−``, ``·``.
SOFTMAX_PRODUCT_CALLS = 4
#: ``∂L/∂z`` from ``loss.gradient(z, t, a)`` (:mod:`jacobian_bp.losses`): mse ``z − t``; bce the two
#: weighted divisions (``zeros``, ``!= 0``, ``divide`` each) of ``1 − t`` by ``σ(−a)`` (8) and of ``t``
#: by ``z``, and their difference; cross_entropy one weighted division, negated.
LOSS_GRADIENT_CALLS = {"mse": 1, "bce": 8 + 1 + 3 + 3 + 1, "cross_entropy": 3 + 1}
#: :func:`~jacobian_bp.losses.finite_gradient` checks the gradient: ``isfinite`` and ``.all()``.
FINITE_CHECK_CALLS = 2
#: :func:`~jacobian_bp.affine.d_a_d_W` (``np.eye`` times ``h``) and the bias factor (``np.eye``, copied
#: ``N`` times).
D_A_D_W_CALLS, D_A_D_B_CALLS = 2, 2
#: Library calls around each materialized factor (:meth:`batch._Local.materialize`: a budget check, a
#: :class:`~jacobian_bp.batch.BatchedJacobian` built) and each product of a per-example chain
#: (:func:`~jacobian_bp.batch.chain_per_example`: a composed name, a budget check, the result wrapped).
FACTOR_BOOKKEEPING_CALLS, PRODUCT_BOOKKEEPING_CALLS = 2, 3


def activation_jacobian_calls(activation: Activation) -> int:
    """Numpy calls of ``activation.jacobian(a, h)``: a materialized ``∂h/∂a`` (a stack of them for a batch).

    >>> activation_jacobian_calls(get_activation("sigmoid")), activation_jacobian_calls(get_activation("softmax"))
    (11, 4)
    """
    if not activation.elementwise:
        return SOFTMAX_JACOBIAN_CALLS
    return DERIVATIVE_CALLS[activation.name] + DIAGONAL_MATRICES_CALLS


# ---------------------------------------------------------------- what the kernels of a path do


@dataclass
class Ledger:
    """A path's work, kernel by kernel, in entries (``ENTRY_BYTES`` each): the tally behind a :class:`Cost`.

    A *kernel* is one step of a path on arrays of the problem's size. Forming an
    array writes its entries; a product reads both operands once and writes its
    result once. ``calls`` is how many numpy calls the kernel's code makes (one
    for a plain product; see the tables above for the rest); the time model
    charges each the fixed price of an operation. Numpy's internal temporaries
    are not tallied.

    >>> ledger = Ledger()
    >>> ledger.jacobian(9, nonzero=3)  # a 3×3 diagonal Jacobian, materialized
    >>> ledger.product(3, read=3 + 3, written=3)  # a row times its diagonal
    >>> ledger.entries, ledger.written, ledger.read, ledger.operations
    (9, 12, 6, 2)
    """

    multiply_adds: int = 0
    entries: int = 0  # of local Jacobians (or f'(a)) formed
    nonzero: int = 0  # of those, how many the structure allows to be non-zero
    written: int = 0
    read: int = 0
    operations: int = 0

    def jacobian(self, stored: int, nonzero: int | None = None, calls: int = 1) -> None:
        """Form a local Jacobian (or the vector ``f'(a)`` that stands for a diagonal one) in ``calls`` numpy calls."""
        self.entries += stored
        self.nonzero += stored if nonzero is None else nonzero
        self.array(stored, calls)

    def array(self, entries: int, calls: int = 1) -> None:
        """Form any other array: ``∂L/∂z``, ``z − t``, ``f(a)``, in ``calls`` numpy calls."""
        self.written += entries
        self.operations += calls

    def product(self, multiply_adds: int, read: int, written: int, times: int = 1, calls: int = 1) -> None:
        """``times`` kernels, each reading ``read`` entries and writing ``written`` with ``multiply_adds``."""
        self.multiply_adds += times * multiply_adds
        self.read += times * read
        self.written += times * written
        self.operations += times * calls

    def bookkeeping(self, calls: int) -> None:
        """Library calls that check or wrap arrays without touching their entries."""
        self.operations += calls

    def scan(self, entries: int) -> None:
        """Read an array to find its structure."""
        self.read += entries
        self.operations += 1

    def repeat(self, other: Ledger, times: int) -> None:
        """Add ``other``'s work ``times`` over (a sweep per parameter entry)."""
        for name in ("multiply_adds", "entries", "nonzero", "written", "read", "operations"):
            setattr(self, name, getattr(self, name) + times * getattr(other, name))

    def cost(self, method: str, peak_entries: int) -> Cost:
        """The :class:`Cost` of this work; ``peak_entries`` is the most alive at once (``stored_bytes`` left at 0)."""
        return Cost(
            method,
            self.multiply_adds,
            self.entries,
            self.nonzero,
            ENTRY_BYTES * peak_entries,
            0,
            ENTRY_BYTES * self.written,
            ENTRY_BYTES * self.read,
            self.operations,
        )


def _times_activation(ledger: Ledger, activation: Activation, n: int, batch: int, dense: bool) -> int:
    """Rows ``g`` times ``∂h/∂a`` for a batch; returns the entries of the Jacobian formed.

    Nothing for the identity; ``g ⊙ f'(a)`` (forming ``f'(a)``) for an element-wise
    activation; for softmax the dense Jacobian (``dense=True``, the outer path) or
    the product ``s ⊙ (g − ⟨g,s⟩)`` without it (backprop and the scalar path).
    """
    if activation.name == "identity":
        return 0
    if activation.elementwise:
        ledger.jacobian(batch * n, calls=DERIVATIVE_CALLS[activation.name])
        ledger.product(batch * n, read=2 * batch * n, written=batch * n)
        return batch * n
    if dense:
        ledger.jacobian(batch * n * n, calls=SOFTMAX_JACOBIAN_CALLS)
        ledger.product(batch * n * n, read=batch * n + batch * n * n, written=batch * n)
        return batch * n * n
    ledger.product(2 * batch * n, read=2 * batch * n, written=batch * n, calls=SOFTMAX_PRODUCT_CALLS)
    return 0


def _head(ledger: Ledger, network: Architecture, dense: bool, fused: bool) -> int:
    """``∂J/∂a^L`` for the batch: the fused ``z − t`` (backprop only), or ``∂L/∂z`` times ``∂z/∂a^L``; then ``/ N``.

    The outer path checks ``∂L/∂z`` is finite (:func:`~jacobian_bp.losses.finite_gradient`); backprop
    takes ``loss.gradient`` as it is. Returns the entries of the Jacobian formed.
    """
    n, N = network.sizes[-1], network.batch
    if fused:
        ledger.array(N * n)  # z − t
    else:
        ledger.array(N * n, LOSS_GRADIENT_CALLS[network.loss] + (FINITE_CHECK_CALLS if dense else 0))
    formed = 0 if fused else _times_activation(ledger, network.act(network.depth), n, N, dense)
    ledger.product(0, read=N * n, written=N * n)  # / N: a division by the batch size, not a multiply-add
    return formed


# ---------------------------------------------------------------- the paths


def _materialized(network: Architecture, method: str) -> Cost:
    """reshape, slices, einsum: every chain's stacks of per-example factors, contracted left to right.

    Follows :func:`~jacobian_bp.jacobian_chain.chain_gradient`: per parameter, the
    chain's factors are formed as stacks of ``N`` blocks — the batch mean
    ``∂J/∂J⁽ᵖ⁾`` first — all alive together while a row per example runs through
    them; the batch is summed in the last product. ``slices`` cuts each factor
    into slices along its first input axis, copies each, multiplies it and
    stacks the pieces.
    """
    N = network.batch
    names = [f"{kind}{k}" for k in range(1, network.depth + 1) for kind in ("W", "b")]
    ledger = Ledger()
    peak = 0
    for name in names:
        specs = chain_specs(network, name)
        ledger.jacobian(N)  # ∂J/∂J⁽ᵖ⁾: 1/N for every example
        for spec, calls in zip(specs, chain_calls(network, name), strict=True):
            ledger.jacobian(N * spec.stored, N * spec.nonzero, calls)
        ledger.bookkeeping(FACTOR_BOOKKEEPING_CALLS * (1 + len(specs)))
        ledger.bookkeeping(PRODUCT_BOOKKEEPING_CALLS * len(specs))
        operand = 1  # entries per example of the running row, starting from the mean factor
        largest_product = 0
        for position, spec in enumerate(specs):
            last = position == len(specs) - 1
            result = spec.cols if last else N * spec.cols
            # Scaling ∂J⁽ᵖ⁾/∂z by the mean's 1/N is a division by the batch size: no multiply-adds.
            multiply_adds = 0 if position == 0 else N * spec.rows * spec.cols
            pieces = spec.leading_input
            if method == "slices":
                piece = N * spec.stored // pieces
                ledger.product(0, read=piece, written=piece, times=pieces)  # copy out one slice
                ledger.product(
                    multiply_adds // pieces, read=N * operand + piece, written=result // pieces, times=pieces
                )
                ledger.product(0, read=result, written=result)  # stack the pieces
                largest_product = max(largest_product, N * operand + piece + 2 * result)
            else:
                ledger.product(multiply_adds, read=N * operand + N * spec.stored, written=result)
                largest_product = max(largest_product, N * operand + result)
            operand = spec.cols
        held = N * (1 + sum(spec.stored for spec in specs))
        peak = max(peak, held + largest_product)
    return ledger.cost(method, network.gradient_entries + peak)


def _row_price(spec: FactorSpec) -> int:
    """Multiplications of a row vector times ``spec`` by the structured kernels."""
    if spec.pattern == "identity":
        return 0
    return spec.nonzero  # scale: n; outer: m·n; matmul: rows·cols, all of which can be non-zero


def _structured_product(ledger: Ledger, operand: int, spec: FactorSpec, batch: int) -> None:
    """Rows of ``operand`` entries times a stack of ``spec``: scan both for structure, then the kernel.

    The kernel reads the entries its pattern can use; the identity's product is a
    view of the rows, with nothing read or written.
    """
    ledger.scan(batch * operand)
    ledger.scan(batch * spec.stored)
    if spec.pattern != "identity":
        read = batch * (operand + spec.nonzero)
        ledger.product(batch * _row_price(spec), read=read, written=batch * spec.cols)


def _structured(network: Architecture) -> Cost:
    """Per layer: the chain of ``W^k`` as stacks, its prefix once, then ``∂a/∂W`` (outer product) and ``∂a/∂b``.

    Follows :func:`~jacobian_bp.structured.structured_gradient_counted`, product
    by product (:func:`_structured_product`); the last products are summed over
    the batch.
    """
    N = network.batch
    ledger = Ledger()
    peak = 0
    for k in range(1, network.depth + 1):
        d_J_d_z, *prefix, d_a_d_W = chain_specs(network, f"W{k}")
        d_a_d_b = chain_specs(network, f"b{k}")[-1]
        ledger.jacobian(N)  # the batch mean
        for spec, calls in zip((d_J_d_z, *prefix, d_a_d_W), chain_calls(network, f"W{k}"), strict=True):
            ledger.jacobian(N * spec.stored, N * spec.nonzero, calls)
        ledger.bookkeeping(FACTOR_BOOKKEEPING_CALLS * (2 + len(prefix)))  # the mean, ∂J⁽ᵖ⁾/∂z, the prefix
        ledger.bookkeeping(FACTOR_BOOKKEEPING_CALLS)  # ∂a^k/∂W^k
        ledger.jacobian(N * d_a_d_b.stored, N * d_a_d_b.nonzero, D_A_D_B_CALLS)  # not via batch_factors
        ledger.product(0, read=N + N * d_J_d_z.cols, written=N * d_J_d_z.cols)  # ∂J/∂z: each example's 1/N
        operand = d_J_d_z.cols
        for spec in prefix:
            _structured_product(ledger, operand, spec, N)
            operand = spec.cols
        for last in (d_a_d_W, d_a_d_b):  # both chains end here, from the same δ^k
            _structured_product(ledger, operand, last, N)
            ledger.product(0, read=N * last.cols, written=last.cols)  # the sum over the batch
        widths = [d_J_d_z.cols] + [spec.cols for spec in prefix]
        largest_product = max(N * (rows + spec.cols) for rows, spec in zip(widths, [*prefix, d_a_d_W], strict=True))
        held = N * (1 + d_J_d_z.stored + sum(spec.stored for spec in (*prefix, d_a_d_W, d_a_d_b)))
        peak = max(peak, held + largest_product)
    return ledger.cost("structured", network.gradient_entries + peak)


def _outer(network: Architecture) -> Cost:
    """The outer path: for every layer, δ afresh from the loss, then ``δᵀ h`` and ``Σ δ``."""
    L, sizes, N = network.depth, network.sizes, network.batch
    ledger = Ledger()
    peak = 0
    for k in range(1, L + 1):
        head_entries = _head(ledger, network, dense=True, fused=False) // N
        peak = max(peak, 2 * sizes[L] + head_entries, sizes[k])  # head: operand, f', result; δᵀh: δ
        for j in range(L, k, -1):
            m, n = sizes[j], sizes[j - 1]
            ledger.product(N * m * n, read=N * m + m * n, written=N * n)  # δ W^j
            f_prime = _times_activation(ledger, network.act(j - 1), n, N, dense=True) // N
            peak = max(peak, m + n, n + f_prime + n)  # δ W: operand and result; ⊙: operand, f'(a), result
        m, n = sizes[k], sizes[k - 1]
        ledger.product(N * m * n, read=N * m + N * n, written=m * n)  # δᵀ h, summed over the batch
        ledger.product(0, read=N * m, written=m)  # Σ δ
    return ledger.cost("outer", network.gradient_entries + N * peak)


def _backprop(network: Architecture) -> Cost:
    """Algorithm 6.4: δ once, carried down; each layer's ``g hᵀ`` from the same running ``g``."""
    L, sizes, N = network.depth, network.sizes, network.batch
    ledger = Ledger()
    peak = 2 * sizes[L] + _head(ledger, network, dense=False, fused=network.fused) // N
    for k in range(L, 0, -1):
        m, n = sizes[k], sizes[k - 1]
        if k < L:
            f_prime = _times_activation(ledger, network.act(k), m, N, dense=False) // N
            peak = max(peak, m + f_prime + m)
        ledger.product(0, read=N * m, written=m)  # ∇b = Σ g
        ledger.product(N * m * n, read=N * m + N * n, written=m * n)  # ∇W = g hᵀ
        if k > 1:
            ledger.product(N * m * n, read=N * m + m * n, written=N * n)  # g ← Wᵀ g
            peak = max(peak, m + n)
    return ledger.cost("backprop", network.gradient_entries + N * peak)


def _scalar(network: Architecture) -> Cost:
    """One forward-mode sweep per parameter entry, from its layer to the output, then ``· ∂L/∂z``."""
    L, sizes, N = network.depth, network.sizes, network.batch
    ledger = Ledger()
    peak = 0
    for k, count in network.param_counts.items():
        sweep = Ledger()
        sweep.array(N * sizes[k])  # ∂a^k/∂θ: one unit moves
        for j in range(k, L + 1):
            _times_activation(sweep, network.act(j), sizes[j], N, dense=False)
            if j < L:
                m, n = sizes[j + 1], sizes[j]
                sweep.product(N * m * n, read=N * n + m * n, written=N * m)  # · W^{j+1}ᵀ
            peak = max(peak, 3 * sizes[j], sizes[j] + (sizes[j + 1] if j < L else 0))
        sweep.array(N * sizes[L], LOSS_GRADIENT_CALLS[network.loss] + FINITE_CHECK_CALLS)  # ∂L/∂z, checked
        sweep.product(N * sizes[L], read=2 * N * sizes[L], written=N * sizes[L])  # ∂L/∂z · ∂z/∂θ
        sweep.product(0, read=N * sizes[L], written=N)  # summed over the units, then the examples
        ledger.repeat(sweep, count)
    return ledger.cost("scalar", network.gradient_entries + N * peak)


def _numeric(network: Architecture) -> Cost:
    """Two forward passes per parameter entry; only the affine maps are charged multiply-adds."""
    sizes, N = network.sizes, network.batch
    forward = Ledger()
    for k in range(1, network.depth + 1):
        m, n = sizes[k], sizes[k - 1]
        forward.product(N * m * n, read=N * n + m * n, written=N * m)  # W h
        forward.product(0, read=N * m + m, written=N * m)  # + b
        forward.array(N * m, VALUE_CALLS[network.act(k).name])  # f(a)
    forward.product(0, read=2 * N * sizes[-1], written=N)  # the loss
    ledger = Ledger()
    ledger.repeat(forward, 2 * network.gradient_entries)
    activations = max(sizes[k - 1] + 2 * sizes[k] for k in range(1, network.depth + 1))
    return ledger.cost("numeric", network.gradient_entries + N * activations)


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
    predicted = predict(describe(net, loss_fn, trace.batch_size), method)
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
