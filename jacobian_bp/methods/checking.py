"""Checking that the paths agree: :func:`compare` side by side, :func:`gradcheck` against finite differences.

Tolerances (float64):

* exact paths differ only in summation order: ``|a − b| ≤ 1e-12 + 1e-10·|b|``;
* finite differences: ``|a − n| ≤ 1e-6 + 1e-5·|n|``, between PyTorch
  ``gradcheck``'s and JAX ``check_grads``' defaults.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.display import html as html_view
from jacobian_bp.errors import GradcheckError
from jacobian_bp.methods.gradient import METHODS, PATHS, check_method, prepare
from jacobian_bp.network.mlp import MLP

Array = np.ndarray

EXACT_RTOL, EXACT_ATOL = 1e-10, 1e-12
NUMERIC_RTOL, NUMERIC_ATOL = 1e-5, 1e-6


def tolerances(method: str) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing ``method`` with an exact path."""
    return (NUMERIC_RTOL, NUMERIC_ATOL) if method == "numeric" else (EXACT_RTOL, EXACT_ATOL)


@dataclass
class MethodRow:
    """One line of a :class:`Comparison`."""

    method: str
    max_abs_diff: float
    max_rel_diff: float
    ok: bool
    seconds: float | None = None


@dataclass
class Comparison:
    """Every method's gradient beside a reference, with the largest differences.

    ``max_rel_diff`` is norm-wise: ``max |a − r| / max |r|`` over each parameter.

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
        """Whether every method agrees with the reference within its tolerance."""
        return all(row.ok for row in self.rows)

    @property
    def max_abs_diff(self) -> float:
        """The largest absolute difference from the reference, over every method and entry."""
        return max(row.max_abs_diff for row in self.rows)

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
            line = (
                f"{row.method:<10} {row.max_abs_diff:>10.2e} {row.max_rel_diff:>10.2e}  "
                f"{f'atol {atol:.0e}, rtol {rtol:.0e}':<22} {'yes' if row.ok else 'NO'}"
            )
            if timed:
                line += f"   {row.seconds:.2e}"
            lines.append(line)
        lines.append("all agree" if self.ok else "DISAGREEMENT")
        return "\n".join(lines)


def compare(
    net: MLP,
    X: Any,
    T: Any,
    loss: str = "mse",
    methods: Sequence[str] = METHODS,
    reference: str = "backprop",
    timings: bool = False,
) -> Comparison:
    """Run every method in ``methods`` and compare each with ``reference``.

    >>> net = jbp.notes_network()
    >>> report = jbp.compare(net, np.array([[1.0, 0.5], [0.2, -1.0]]), np.array([1.0, 0.0]))
    >>> report.ok, report.max_abs_diff < 1e-8
    (True, True)
    >>> print(report)  # doctest: +ELLIPSIS
    every method against 'backprop'
    method        max |Δ|  max rel Δ  tolerance              agrees
    scalar     ...
    """
    for method in (*methods, reference):
        check_method(method)
    trace, T, loss_fn = prepare(net, X, T, loss)
    gradients: dict[str, dict[str, Array]] = {}
    seconds: dict[str, float] = {}
    for method in dict.fromkeys((reference, *methods)):
        start = time.perf_counter()
        gradients[method] = PATHS[method](net, trace, T, loss_fn)
        seconds[method] = time.perf_counter() - start
    expected = gradients[reference]
    rows = []
    for method in methods:
        got = gradients[method]
        rtol, atol = tolerances(method)
        abs_diff = max(float(np.max(np.abs(got[k] - expected[k]), initial=0.0)) for k in expected)
        rel_diff = max(
            float(np.max(np.abs(got[k] - expected[k]), initial=0.0) / max(np.max(np.abs(expected[k])), 1e-300))
            for k in expected
        )
        ok = all(np.allclose(got[k], expected[k], rtol=rtol, atol=atol) for k in expected)
        rows.append(MethodRow(method, abs_diff, rel_diff, ok, seconds[method] if timings else None))
    return Comparison(reference, rows, gradients)


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
    both values and the difference.

    >>> jbp.gradcheck(jbp.notes_network(), [1.0, 0.5], 1.0, loss="mse", method="einsum")
    True
    """
    check_method(method)
    trace, T, loss_fn = prepare(net, X, T, loss)
    analytic = PATHS[method](net, trace, T, loss_fn)
    numeric = PATHS["numeric"](net, trace, T, loss_fn)
    worst: tuple[float, str, tuple[int, ...]] | None = None
    for name in net.param_names:
        excess = np.abs(analytic[name] - numeric[name]) - (atol + rtol * np.abs(numeric[name]))
        index = np.unravel_index(int(np.argmax(excess)), excess.shape)
        if excess[index] > 0 and (worst is None or excess[index] > worst[0]):
            worst = (float(excess[index]), name, tuple(int(i) for i in index))
    if worst is None:
        return True
    _, name, index = worst
    a, n = analytic[name][index], numeric[name][index]
    raise GradcheckError(
        f"{name}{list(index)}: {method} gives {a:.10g}, finite differences give {n:.10g}; "
        f"|difference| = {abs(a - n):.3g} exceeds atol + rtol·|numeric| = {atol + rtol * abs(n):.3g}"
    )
