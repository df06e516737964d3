"""compare shows every method, failures included; gradcheck explains a mismatch at a kink."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jacobian_bp as jbp

from ..network.test_saturation import REFUSE, WORKS, saturated_sigmoid


def test_compare_gives_a_failing_method_a_row_and_runs_the_rest() -> None:
    report = jbp.compare(saturated_sigmoid(), [1.0], [0.0], loss="bce")
    assert [row.method for row in report.rows] == list(jbp.METHODS)
    assert sorted(row.method for row in report.failed) == sorted(REFUSE)
    for row in report.failed:
        assert row.error.startswith("NonFiniteError: ") and not row.ok
        assert math.isinf(row.max_abs_diff) and math.isinf(row.max_rel_diff)
        assert row.method not in report.gradients
    for method in WORKS:
        row = next(r for r in report.rows if r.method == method)
        assert row.ok and row.error is None and method in report.gradients
    # A table with a failed row is not ok, and no finite bound holds for its largest difference.
    assert not report.ok and math.isinf(report.max_abs_diff)
    text = str(report)
    assert text.count("NO, raised NonFiniteError") == len(REFUSE)
    assert text.splitlines()[-1] == "DISAGREEMENT: 6 methods raised instead of giving a gradient"


def test_compare_records_a_memory_budget_refusal_too() -> None:
    X, T = np.ones((4, 2)), np.ones(4)
    rows = []
    report = jbp.compare(jbp.notes_network(), X, T, methods=("einsum", "outer"), max_bytes=64, on_row=rows.append)
    assert [row.method for row in rows] == ["einsum", "outer"]  # each row handed over as it completes
    assert rows[0].error.startswith("MemoryBudgetError: materializing") and rows[1].ok
    assert not report.ok


def test_compare_still_raises_for_bad_arguments_and_a_failing_reference() -> None:
    with pytest.raises(jbp.UnknownNameError, match="gradient method 'adam'"):
        jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("adam",))
    with pytest.raises(jbp.NonFiniteError, match="saturated"):
        jbp.compare(saturated_sigmoid(), [1.0], [0.0], loss="bce", reference="einsum")


def test_a_report_with_one_disagreeing_method_says_so_in_the_singular(monkeypatch: pytest.MonkeyPatch) -> None:
    from jacobian_bp.methods import gradient as gradients

    honest = gradients.PATHS["outer"]
    monkeypatch.setitem(gradients.PATHS, "outer", lambda *args: {k: g + 1 for k, g in honest(*args).items()})
    report = jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("outer", "einsum"))
    assert str(report).splitlines()[-1] == "DISAGREEMENT: 1 method disagrees"
    assert report.max_abs_diff == pytest.approx(1.0)
