"""``Verdict.report(reveal=False)``: what is wrong and where, but no correct value a student could copy.

A report that reveals nothing must not hold any entry of the truth as the report
prints it (six significant digits, and the shorter roundings a student would
recognise), nor the correct formula, nor the correct shape.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.answers.verdict import format_value

from ..strategies import sigmoid_batches


def truth_texts(truth: np.ndarray) -> set[str]:
    """Every way the report (or a rounding of it) could print an entry of the truth, sign dropped."""
    texts = set()
    for value in np.ravel(truth):
        magnitude = abs(float(value))
        if magnitude == 0.0:
            continue
        texts |= {f"{magnitude:.{digits}g}" for digits in (4, 5, 6)} | {f"{magnitude:.6f}"}
    texts |= {piece.strip("[]-,") for piece in format_value(truth).split()}
    return {text for text in texts if len(text) > 3 and any(c in text for c in "123456789")}


def assert_reveals_nothing(verdict: jbp.Verdict) -> None:
    hidden = verdict.report(reveal=False)
    for text in truth_texts(np.asarray(verdict.expected, dtype=float)):
        assert text not in hidden, (text, hidden)
    assert "The correct value" not in hidden


@given(sigmoid_batches(), st.data())
def test_a_hidden_report_holds_no_entry_of_the_truth(problem, data) -> None:
    net, X, T = problem.net, problem.X, problem.T
    wrt = data.draw(st.sampled_from(net.param_names))
    truth = jbp.gradient(net, X, T)[wrt]
    slip = data.draw(st.sampled_from(["sign", "double", "transpose", "off", "shape"]))
    answer = {
        "sign": -truth,
        "double": 2 * truth,
        "transpose": truth.T if truth.ndim == 2 else truth[:, None],
        "off": truth + 7.0,
        "shape": np.zeros((*truth.shape, 2)),
    }[slip]
    verdict = jbp.check_answer(answer, net, X, T, wrt=wrt)
    if verdict.correct:
        return  # a transposed 1×1 or a one-entry row is the truth itself
    assert_reveals_nothing(verdict)
    assert verdict.report(reveal=False).splitlines()[0] == f"{verdict.question}: not correct ({verdict.mistake})."
    assert str(verdict) == verdict.report(reveal=True)
    assert "The correct value" in str(verdict)


def test_a_hidden_report_keeps_what_is_wrong_and_where() -> None:
    net, x, t = jbp.notes_network(), np.array([1.0, 0.5]), 1.0
    chain = jbp.jacobian_chain(net, x, t, wrt="W1")
    without = jbp.chain(*chain.factors[:3], chain.factors[4]).array  # ∂h¹/∂a¹ left out
    verdict = jbp.check_answer(without, net, x, t, wrt="W1")
    hidden = verdict.report(reveal=False)
    assert "missing_activation_derivative" in hidden
    assert "∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · [∂h¹/∂a¹] · ∂a¹/∂W¹" in hidden
    assert_reveals_nothing(verdict)


def test_a_hidden_report_on_a_wrong_shape_does_not_give_the_shape() -> None:
    verdict = jbp.check_answer(np.zeros((3, 3)), jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    hidden = verdict.report(reveal=False)
    assert "3×3" in hidden and "3×2" not in hidden and "2×3" not in hidden
    assert "3×2" in str(verdict)


def test_a_hidden_report_on_an_unexplained_answer_says_which_entries_are_wrong() -> None:
    net, x, t = jbp.notes_network(), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)["W1"]
    off = truth.copy()
    off[2, 1] += 1.0
    verdict = jbp.check_answer(off, net, x, t, wrt="W1")
    hidden = verdict.report(reveal=False)
    assert verdict.mistake == "unknown" and "[2, 1]" in hidden and "[0, 0]" in hidden
    assert_reveals_nothing(verdict)


def test_a_correct_answer_reports_the_same_either_way() -> None:
    net, x, t = jbp.notes_network(), [1.0, 0.5], 1.0
    verdict = jbp.check_answer(jbp.gradient(net, x, t)["b1"], net, x, t, wrt="b1")
    assert verdict.report(reveal=False) == verdict.report() == str(verdict) == "∂J/∂b¹: correct."


@pytest.mark.parametrize(
    "answer",
    [
        "(t - z) z (1 - z) h1",  # sign
        "(z - t) z (1 - z) h2",  # another unit
        "(z - t) h1",  # σ′ left out
        "(z - t) z (1 - z) (1 - z) h1",  # the notes' boxed slip
        "(z - t) z h1 + 17",  # far off
    ],
)
def test_a_hidden_report_on_a_formula_holds_no_correct_formula(answer) -> None:
    sym = pytest.importorskip("jacobian_bp.symbolic", reason="formulas need the symbolic extra (SymPy)")
    verdict = sym.check_answer(answer, wrt="w2_1")
    assert not verdict.correct
    hidden = verdict.report(reveal=False)
    truth = np.ravel(verdict.expected)[0]
    for shown in {str(truth), str(-truth), "σ′(a²)", "h₁*(-t + z)", "(z − t) σ′(a²) h₁", "−(t − z) σ′(a²) h₁"}:
        assert shown not in hidden.split("read as:")[-1] or shown in answer, (shown, hidden)
    assert "The correct value" not in hidden and "answer / truth" not in hidden
