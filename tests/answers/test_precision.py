"""Numbers at the precision they were given: hand-rounded answers accepted, and said to how many digits.

The rounding is done here with Python's own decimal formatting (``f"{v:.{d}g}"``),
the way a student copies a number off a calculator, not with the package's code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.answers import read_numbers
from jacobian_bp.answers.precision import given_numbers, resolution_of

from ..strategies import sigmoid_batches


def rounded_text(values: np.ndarray, digits: int) -> str:
    """The array as a student types it: every entry to ``digits`` significant digits, rows in brackets."""
    rows = np.atleast_2d(values)
    text = "[" + ", ".join("[" + ", ".join(f"{v:#.{digits}g}" for v in row) + "]" for row in rows) + "]"
    return text if values.ndim == 2 else text[1:-1]


@given(sigmoid_batches(), st.data(), st.sampled_from([3, 4]))
def test_a_hand_rounded_answer_is_correct_and_says_its_digits(problem, data, digits) -> None:
    net, X, T = problem.net, problem.X, problem.T
    wrt = data.draw(st.sampled_from(net.param_names))
    truth = jbp.gradient(net, X, T)[wrt]
    assume(float(np.max(np.abs(truth))) > 1e-8)
    assume(np.min(np.abs(truth[truth != 0]), initial=1.0) > 1e-3 * float(np.max(np.abs(truth))))  # no tiny entries
    typed = rounded_text(truth, digits)
    verdict = jbp.check_answer(read_numbers(typed), net, X, T, wrt=wrt)
    if verdict.mistake == "too_few_digits":  # a mistake as close as the truth at this precision: never "correct"
        assert "give more digits" in verdict.explanation and verdict.detail["also"]
        return
    assert verdict.correct, (typed, str(verdict))
    assert any("significant digits, as given" in note for note in verdict.notes)
    floats = np.array([float(f"{v:.{digits}g}") for v in truth.ravel()]).reshape(truth.shape)
    as_floats = jbp.check_answer(floats, net, X, T, wrt=wrt)
    assert as_floats.correct or as_floats.mistake == "too_few_digits", str(as_floats)


@given(sigmoid_batches(), st.data())
def test_a_rounded_mistake_is_still_a_mistake(problem, data) -> None:
    net, X, T = problem.net, problem.X, problem.T
    wrt = data.draw(st.sampled_from(net.param_names))
    truth = jbp.gradient(net, X, T)[wrt]
    assume(float(np.max(np.abs(truth))) > 1e-8)
    verdict = jbp.check_answer(read_numbers(rounded_text(-truth, 4)), net, X, T, wrt=wrt)
    assert not verdict.correct and verdict.mistake in ("sign", "too_few_digits")


def test_the_notes_example_to_four_digits() -> None:
    net, x, t = jbp.notes_network(seed=0), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)["W1"]
    verdict = jbp.check_answer(np.round(truth, 4), net, x, t, wrt="W1")  # 4 decimal places, as from a page
    assert verdict.correct and "checked to" in str(verdict)
    assert not jbp.check_answer(truth, net, x, t, wrt="W1").notes  # full precision: nothing to say


def test_too_few_digits_is_never_correct() -> None:
    net, x, t = jbp.notes_network(seed=0), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)["b2"]
    verdict = jbp.check_answer(read_numbers(f"{truth[0]:.2g}"), net, x, t, wrt="b2")
    assert not verdict.correct and verdict.mistake == "too_few_digits" and verdict.detail["digits"] == 2
    assert "give at least 3" in verdict.explanation


def test_when_a_mistake_is_as_close_as_the_truth_it_asks_for_more_digits() -> None:
    # A network where the notes' extra (1 − σ(a²)) is a factor 0.5004: at 3 digits it and the truth look alike
    # only to a factor; to 3 digits of a value 2000 times smaller the difference disappears.
    net, x, t = jbp.notes_network(seed=0), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)["b2"]
    answer = read_numbers(f"{truth[0]:.3g}")
    from jacobian_bp.answers.numeric import with_precision

    fake = jbp.check_answer(answer, net, x, t, wrt="b2")
    assert fake.correct
    verdict = with_precision(
        jbp.check_answer(truth, net, x, t, wrt="b2"), 3, lambda: [jbp.Diagnosis("scale", {"factor": 1.001}, "…")]
    )
    assert not verdict.correct and verdict.mistake == "too_few_digits" and verdict.detail["also"] == ("scale",)
    assert "cannot tell them apart" in verdict.explanation and "more digits" in verdict.report(reveal=False)


@pytest.mark.parametrize(
    ("text", "values", "resolution", "digits"),
    [
        ("0.1235", [0.1235], [1e-4], 4),
        ("[0.1235, -0.0012]", [0.1235, -0.0012], [1e-4, 1e-4], 4),
        ("[[1.5e-3, 2.25e-3]]", [[1.5e-3, 2.25e-3]], [[1e-4, 1e-5]], 2),
        ("0.10,0.20\n0.30,0.40\n", [[0.1, 0.2], [0.3, 0.4]], [[0.01] * 2] * 2, 2),
        ("1 2 3", [1, 2, 3], [1, 1, 1], 1),
        ("[0.250, 0]", [0.25, 0.0], [1e-3, 1e-3], 3),
        ("−0.5", [-0.5], [0.1], 1),
    ],
)
def test_read_numbers_keeps_the_digits_as_typed(text, values, resolution, digits) -> None:
    given = read_numbers(text)
    np.testing.assert_allclose(
        given.values, np.squeeze(values) if np.ndim(values) == 1 and len(values) == 1 else values
    )
    np.testing.assert_allclose(
        given.resolution, np.squeeze(resolution) if np.ndim(resolution) == 1 and len(resolution) == 1 else resolution
    )
    assert given.digits == digits


@pytest.mark.parametrize(
    "text",
    ["[1, 2", "1, 2]", "[[1, 2], [3]]", "0.1, abc", "__import__('os').system('true')", "[" * 50 + "1" + "]" * 50],
)
def test_read_numbers_refuses_what_is_not_numbers(text) -> None:
    with pytest.raises(jbp.ParseError):
        read_numbers(text)


def test_floats_carry_the_digits_of_their_repr() -> None:
    assert given_numbers([0.1235, 0.0005]).digits == 4  # each float's digits as its repr writes them
    assert given_numbers([0.1235, 0.5]).digits == 4  # no trailing zeros in a float: 0.5 is 0.5000
    assert given_numbers([0.123, 2.0]).digits == 3  # 2.0 is 2.00, as precise as the rest
    assert given_numbers([0.1 + 0.2]).digits is None  # a computed float: full precision
    assert given_numbers(np.array([1, 2])).digits is None  # integers are exact
    assert resolution_of("1.20e-3") == (1e-5, 3)


def test_a_text_answer_must_be_read_first() -> None:
    with pytest.raises(jbp.InputTypeError, match="read_numbers"):
        jbp.check_answer("0.1", jbp.notes_network(), [1.0, 0.5], 1.0, wrt="b2")
