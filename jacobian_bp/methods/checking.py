"""Checking that the paths agree: :func:`compare` side by side, :func:`gradcheck` against finite differences.

Tolerances (float64):

* exact paths differ only in summation order: ``|a − b| ≤ 1e-12 + 1e-10·|b|``;
* finite differences: ``|a − n| ≤ 1e-6 + 1e-5·|n|``, between PyTorch
  ``gradcheck``'s and JAX ``check_grads``' defaults.
"""

from __future__ import annotations

import math
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.chain.budget import resolve_max_bytes
from jacobian_bp.display import html as html_view
from jacobian_bp.display.words import TEXT_WIDTH, counted
from jacobian_bp.errors import GradcheckError, JacobianBPError
from jacobian_bp.methods.gradient import METHODS, check_method, path_for, prepare
from jacobian_bp.methods.numeric import KinkCrossing, numeric_gradient
from jacobian_bp.network.mlp import MLP

Array = np.ndarray

EXACT_RTOL, EXACT_ATOL = 1e-10, 1e-12
NUMERIC_RTOL, NUMERIC_ATOL = 1e-5, 1e-6


def tolerances(method: str) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing ``method`` with an exact path."""
    return (NUMERIC_RTOL, NUMERIC_ATOL) if method == "numeric" else (EXACT_RTOL, EXACT_ATOL)


@dataclass
class MethodRow:
    """One line of a :class:`Comparison`.

    A method that raised instead of giving a gradient has ``error`` set to
    ``"ErrorClass: message"``, ``ok`` False and both differences infinite: it
    differs from the reference by an unknown amount, so no bound holds.

    >>> row = jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("outer",)).rows[0]
    >>> row.method, row.ok, row.max_abs_diff < 1e-12, row.error
    ('outer', True, True, None)
    """

    method: str
    max_abs_diff: float
    max_rel_diff: float
    ok: bool
    seconds: float | None = None
    error: str | None = None


@dataclass
class Comparison:
    """Every method's gradient beside a reference, with the largest differences.

    ``max_rel_diff`` is norm-wise: ``max |a − r| / max |r|`` over each parameter.
    A method that raised has a row holding its error and no entry in ``gradients``.

    >>> report = jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("einsum", "numeric"))
    >>> [(row.method, row.ok) for row in report.rows]
    [('einsum', True), ('numeric', True)]
    >>> report.gradients["einsum"]["W1"].shape
    (3, 2)
    """

    reference: str
    rows: list[MethodRow]
    gradients: dict[str, dict[str, Array]] = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether every method gave a gradient that agrees with the reference within its tolerance."""
        return all(row.ok for row in self.rows)

    @property
    def max_abs_diff(self) -> float:
        """The largest absolute difference from the reference, over every method and entry.

        Infinite when a method raised: its difference is unknown, and ``report.max_abs_diff < tol``
        must not pass for a table with a failed row in it.
        """
        return max((row.max_abs_diff for row in self.rows), default=0.0)

    @property
    def failed(self) -> list[MethodRow]:
        """The rows of the methods that raised instead of giving a gradient."""
        return [row for row in self.rows if row.error is not None]

    def __repr__(self) -> str:
        verdict = "all agree" if self.ok else "DISAGREEMENT"
        count = f"{len(self.rows)} method{'' if len(self.rows) == 1 else 's'}"
        return f"Comparison({count} against {self.reference!r}: {verdict}, max |Δ| {self.max_abs_diff:.1e})"

    def _repr_html_(self) -> str:
        """In a notebook: one row per method, its largest differences, its tolerance and whether it agrees."""
        timed = any(row.seconds is not None for row in self.rows)
        header = ["method", "max |Δ|", "max rel Δ", "tolerance", "agrees"] + (["seconds"] if timed else [])
        rows = []
        for row in self.rows:
            rtol, atol = tolerances(row.method)
            cells = [
                row.method,
                f"{row.max_abs_diff:.2e}",
                f"{row.max_rel_diff:.2e}",
                f"atol {atol:.0e}, rtol {rtol:.0e}",
            ]
            rows.append([*cells, "yes" if row.ok else "NO"] + ([f"{row.seconds:.2e}"] if timed else []))
        return html_view.table(header, rows, caption=repr(self))

    def __str__(self) -> str:
        timed = any(row.seconds is not None for row in self.rows)
        header = f"{'method':<10} {'max |Δ|':>10} {'max rel Δ':>10}  {'tolerance':<22} agrees"
        lines = [f"every method against {self.reference!r}", header + ("   seconds" if timed else "")]
        for row in self.rows:
            rtol, atol = tolerances(row.method)
            if row.error is not None:
                # The error's explanation is long: it goes under the row, wrapped to the width of a terminal.
                lines += textwrap.wrap(
                    f"{row.method:<10} NO, raised {row.error}", width=TEXT_WIDTH, subsequent_indent=" " * 11
                )
                continue
            line = (
                f"{row.method:<10} {row.max_abs_diff:>10.2e} {row.max_rel_diff:>10.2e}  "
                f"{f'atol {atol:.0e}, rtol {rtol:.0e}':<22} {'yes' if row.ok else 'NO'}"
            )
            if timed:
                line += f"   {row.seconds:.2e}"
            lines.append(line)
        disagree = sum(1 for row in self.rows if not row.ok and row.error is None)
        problems = []
        if disagree:
            problems.append(f"{counted(disagree, 'method')} {'disagrees' if disagree == 1 else 'disagree'}")
        if self.failed:
            problems.append(f"{counted(len(self.failed), 'method')} raised instead of giving a gradient")
        lines.append("DISAGREEMENT: " + "; ".join(problems) if problems else "all agree")
        return "\n".join(lines)


def compare(
    net: MLP,
    X: Any,
    T: Any,
    loss: str = "mse",
    methods: Sequence[str] = METHODS,
    reference: str = "backprop",
    timings: bool = False,
    max_bytes: int | None = None,
    on_row: Callable[[MethodRow], None] | None = None,
) -> Comparison:
    """Run every method in ``methods`` and compare each with ``reference``.

    A method that raises one of the package's errors — a saturated output
    the materializing paths cannot represent (:class:`~jacobian_bp.errors.NonFiniteError`),
    a Jacobian over the memory budget ``max_bytes`` — gets a row holding its
    error, and the other methods still run; ``report.ok`` is then False. The
    reference itself must give a gradient (its error is raised). ``on_row(row)``
    is called as soon as each method's row is complete, in the order of ``methods``.

    >>> net = jbp.notes_network()
    >>> report = jbp.compare(net, np.array([[1.0, 0.5], [0.2, -1.0]]), np.array([1.0, 0.0]))
    >>> report.ok, report.max_abs_diff < 1e-8
    (True, True)
    >>> print(report)  # doctest: +ELLIPSIS
    every method against 'backprop'
    method        max |Δ|  max rel Δ  tolerance              agrees
    scalar     ...
    >>> saturated = jbp.MLP([1, 1], params={"W1": [[800.0]], "b1": [0.0]})  # σ(800) = 1 against the target 0
    >>> report = jbp.compare(saturated, [1.0], [0.0], loss="bce", methods=("einsum", "numeric"))
    >>> report.ok, report.max_abs_diff, [row.method for row in report.failed]
    (False, inf, ['einsum'])
    >>> print(report)  # doctest: +ELLIPSIS
    every method against 'backprop'
    ...
    einsum     NO, raised NonFiniteError: ∂L/∂z is not finite at output unit 0 of
               example 0: the output has saturated at z = 1 ...
    numeric    ... yes
    DISAGREEMENT: 1 method raised instead of giving a gradient
    """
    for method in (*methods, reference):
        check_method(method)
    budget = resolve_max_bytes(max_bytes)  # once per call; each path takes it as it is
    paths = {method: path_for(method, budget) for method in dict.fromkeys((reference, *methods))}
    trace, T, loss_fn = prepare(net, X, T, loss)
    start = time.perf_counter()
    expected = paths[reference](net, trace, T, loss_fn)
    reference_seconds = time.perf_counter() - start
    gradients: dict[str, dict[str, Array]] = {reference: expected}
    rows = []
    for method in methods:
        start = time.perf_counter()
        try:
            got = expected if method == reference else paths[method](net, trace, T, loss_fn)
        except JacobianBPError as error:  # the package's own, explained refusals; a bug still propagates
            seconds = time.perf_counter() - start
            row = MethodRow(method, math.inf, math.inf, False, seconds if timings else None, _describe(error))
        else:
            seconds = reference_seconds if method == reference else time.perf_counter() - start
            gradients[method] = got
            row = _row(method, got, expected, seconds if timings else None)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return Comparison(reference, rows, gradients)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _row(method: str, got: dict[str, Array], expected: dict[str, Array], seconds: float | None) -> MethodRow:
    """How far ``got`` is from ``expected``, and whether that is within ``method``'s tolerance."""
    rtol, atol = tolerances(method)
    abs_diff = max(float(np.max(np.abs(got[k] - expected[k]), initial=0.0)) for k in expected)
    rel_diff = max(
        float(np.max(np.abs(got[k] - expected[k]), initial=0.0) / max(np.max(np.abs(expected[k])), 1e-300))
        for k in expected
    )
    ok = all(np.allclose(got[k], expected[k], rtol=rtol, atol=atol) for k in expected)
    return MethodRow(method, abs_diff, rel_diff, ok, seconds)


def gradcheck(
    net: MLP,
    X: Any,
    T: Any,
    loss: str = "mse",
    method: str = "backprop",
    atol: float = NUMERIC_ATOL,
    rtol: float = NUMERIC_RTOL,
) -> bool:
    """``True`` if ``method`` matches finite differences everywhere, else :class:`GradcheckError`.

    The error names the worst entry (the one furthest past its tolerance),
    both values and the difference. Where finite differences cannot measure the
    derivative — the step of a parameter carries a ReLU pre-activation across
    its kink at 0, so the difference quotient averages two slopes — every
    mismatch is explained by such a crossing, and the error says so, naming the
    layer, the unit and the example, instead of reporting a bare mismatch.

    >>> jbp.gradcheck(jbp.notes_network(), [1.0, 0.5], 1.0, loss="mse", method="einsum")
    True
    >>> relu = jbp.MLP([1, 1, 1], activation="relu", output_activation="identity",
    ...                params={"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "b2": [0.0]})
    >>> jbp.gradcheck(relu, [0.0], 1.0)  # a¹ = 0: exactly at ReLU's kink
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.GradcheckError: b1[0]: backprop gives 0, finite differences give -0.4999997..., but the \
finite differences straddle a kink: the step ±1e-06 of b1[0] carries the relu pre-activation a¹[0] at layer 1, \
unit 0 (a = 0) across a kink of relu...
    """
    check_method(method)
    path = path_for(method)
    trace, T, loss_fn = prepare(net, X, T, loss)
    analytic = path(net, trace, T, loss_fn)
    crossings: list[KinkCrossing] = []
    numeric = numeric_gradient(net, trace, T, loss_fn, crossings)
    straddled = {(c.parameter, c.index): c for c in reversed(crossings)}  # the first crossing of each entry
    worst: dict[bool, tuple[float, str, tuple[int, ...]]] = {}  # kinked or not -> the worst mismatch
    for name in net.param_names:
        excess = np.abs(analytic[name] - numeric[name]) - (atol + rtol * np.abs(numeric[name]))
        for position in np.argwhere(excess > 0):
            index = tuple(int(i) for i in position)
            kinked = (name, index) in straddled
            if kinked not in worst or excess[index] > worst[kinked][0]:
                worst[kinked] = (float(excess[index]), name, index)
    if not worst:
        return True
    # A mismatch the kinks cannot explain is a real one: report it first.
    kinked = False not in worst
    _, name, index = worst[kinked]
    a, n = analytic[name][index], numeric[name][index]
    values = f"{name}{list(index)}: {method} gives {a:.10g}, finite differences give {n:.10g}"
    if kinked:
        raise GradcheckError(
            f"{values}, but the finite differences straddle a kink: {straddled[name, index]}, where the "
            f"one-sided slopes differ, so the difference quotient measures no derivative (the gradient takes the "
            f"subgradient there). Move the example or the parameters further from the kink than the step to check "
            f"this entry"
        )
    raise GradcheckError(
        f"{values}; |difference| = {abs(a - n):.3g} exceeds atol + rtol·|numeric| = {atol + rtol * abs(n):.3g}"
    )
