"""``jbp.check_answer`` on numbers: every catalogue mistake, made by hand, is named with its detail.

The mistaken answers are built here with a few lines of numpy (a forward pass
and Algorithm 6.4 in rows, with a switch for each mistake), not with the
library's chain code, so a mistake the library mis-builds cannot agree with
itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobian_bp as jbp

from ..strategies import Problem, sigmoid_batches, square_sigmoid_batches


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


@dataclass(frozen=True)
class Slip:
    """The switches of :func:`by_hand`: which mistake, and where."""

    flip: float = 1.0  # −1: t − z for z − t
    half: float = 1.0  # 2: the ½ of J dropped
    weights: tuple[float, ...] | None = None  # the batch weights, 1/N each when None
    skip: int | None = None  # layer whose σ′ is left out
    extra: int | None = None  # layer whose σ′ is multiplied by 1 − σ
    at_output: int | None = None  # layer whose σ′ is taken at h
    no_bias: int | None = None  # layer whose bias the forward pass leaves out
    transpose: int | None = None  # layer whose W is used transposed on the way down


def by_hand(problem: Problem, wrt: str, slip: Slip = Slip()) -> np.ndarray:
    """∂J/∂wrt of a sigmoid MSE network by a forward pass and backprop in rows, with ``slip`` made."""
    params, X, T = problem.net.params, problem.X, problem.T
    L = problem.net.depth
    h, N = {0: X}, len(X)
    for k in range(1, L + 1):
        bias = 0.0 if k == slip.no_bias else params[f"b{k}"]
        h[k] = sigmoid(h[k - 1] @ params[f"W{k}"].T + bias)
    weights = np.full(N, 1.0 / N) if slip.weights is None else np.array(slip.weights)
    g = slip.flip * slip.half * (h[L] - T) * weights[:, None]
    grads = {}
    for k in range(L, 0, -1):
        a = np.log(h[k] / (1.0 - h[k]))  # the pre-activation, recovered from the stored output
        derivative = h[k] * (1.0 - h[k])
        if k == slip.skip:
            derivative = np.ones_like(derivative)
        if k == slip.extra:
            derivative = derivative * (1.0 - sigmoid(a))
        if k == slip.at_output:
            derivative = sigmoid(h[k]) * (1.0 - sigmoid(h[k]))
        g = g * derivative
        grads[f"W{k}"], grads[f"b{k}"] = g.T @ h[k - 1], g.sum(axis=0)
        W = params[f"W{k}"]
        g = g @ (W.T if k == slip.transpose else W)
    return grads[wrt]


def candidates(verdict: jbp.Verdict) -> list[tuple[str, dict]]:
    return [(c.key, dict(c.detail)) for c in verdict.candidates]


def named(verdict: jbp.Verdict, key: str, **detail: object) -> bool:
    """Whether ``key`` with (at least) ``detail`` is among the verdict's candidates."""
    return any(k == key and all(d.get(name) == value for name, value in detail.items()) for k, d in candidates(verdict))


def differs(answer: np.ndarray, truth: np.ndarray) -> bool:
    """A mistake that leaves the gradient as it was is no mistake on this network."""
    if np.shape(answer) != np.shape(truth):
        return True
    return float(np.max(np.abs(answer - truth))) > 1e-4 * float(np.max(np.abs(truth)))


def check(problem: Problem, answer: np.ndarray, wrt: str) -> jbp.Verdict:
    return jbp.check_answer(answer, problem.net, problem.X, problem.T, wrt=wrt, loss="mse")


def layer_of(wrt: str) -> int:
    return int(wrt[1:])


@st.composite
def problem_and_parameter(draw: st.DrawFn) -> tuple[Problem, str]:
    problem = draw(sigmoid_batches())
    wrt = draw(st.sampled_from(problem.net.param_names))
    return problem, wrt


# ── the truth ────────────────────────────────────────────────────────────────


@given(problem_and_parameter(), st.integers(0, 2**32 - 1))
def test_the_correct_answer_is_accepted(drawn, seed) -> None:
    problem, wrt = drawn
    truth = by_hand(problem, wrt)
    wobble = 1.0 + 1e-8 * np.random.default_rng(seed).uniform(-1.0, 1.0, size=truth.shape)
    verdict = check(problem, truth * wobble, wrt)
    assert verdict.correct, str(verdict)
    assert verdict.mistake is None and verdict.candidates == () and str(verdict).endswith("correct.")
    np.testing.assert_allclose(verdict.expected, truth, rtol=1e-10, atol=1e-15)


# ── one test per catalogue mistake ───────────────────────────────────────────


@given(problem_and_parameter())
def test_transposed(drawn) -> None:
    problem, wrt = drawn
    truth = by_hand(problem, wrt)
    answer = truth[:, None] if truth.ndim == 1 else truth.T
    assume(truth.size > 1 and (answer.shape != truth.shape or differs(answer, truth)))
    assert named(check(problem, answer, wrt), "transposed", parameter=wrt)


@given(problem_and_parameter())
def test_sign(drawn) -> None:
    problem, wrt = drawn
    answer = by_hand(problem, wrt, Slip(flip=-1.0))
    assume(differs(answer, by_hand(problem, wrt)))
    verdict = check(problem, answer, wrt)
    assert verdict.mistake == "sign" and named(verdict, "sign", jacobian="∂J⁽ᵖ⁾/∂z")


@given(problem_and_parameter(), st.sampled_from(["half", "sum", "both", "twice", "mean twice"]))
def test_scale(drawn, slip_name) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    slips = {
        "half": (Slip(half=2.0), 2.0),  # the ½ of J forgotten
        "sum": (Slip(weights=(1.0,) * N), N),  # the sum over the examples, not their mean
        "both": (Slip(half=2.0, weights=(1.0,) * N), 2.0 * N),
        "twice": (Slip(half=0.5), 0.5),  # the ½ applied twice
        "mean twice": (Slip(weights=(1.0 / N**2,) * N), 1.0 / N),
    }
    slip, factor = slips[slip_name]
    answer = by_hand(problem, wrt, slip)
    assume(differs(answer, by_hand(problem, wrt)))
    verdict = check(problem, answer, wrt)
    assert verdict.mistake == "scale", str(verdict)
    assert verdict.detail["factor"] == pytest.approx(factor)


@given(problem_and_parameter(), st.data())
def test_missing_activation_derivative(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(layer_of(wrt), problem.net.depth))  # the layers the chain goes through
    answer = by_hand(problem, wrt, Slip(skip=layer))
    assume(differs(answer, by_hand(problem, wrt)))
    verdict = check(problem, answer, wrt)
    assert named(verdict, "missing_activation_derivative", layer=layer), str(verdict)


@given(problem_and_parameter(), st.data())
def test_extra_one_minus_sigma(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(layer_of(wrt), problem.net.depth))
    answer = by_hand(problem, wrt, Slip(extra=layer))
    assume(differs(answer, by_hand(problem, wrt)))
    assert named(check(problem, answer, wrt), "extra_one_minus_sigma", layer=layer)


@given(problem_and_parameter(), st.data())
def test_derivative_at_output(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(layer_of(wrt), problem.net.depth))
    answer = by_hand(problem, wrt, Slip(at_output=layer))
    assume(differs(answer, by_hand(problem, wrt)))
    assert named(check(problem, answer, wrt), "derivative_at_output", layer=layer)


@given(problem_and_parameter(), st.data())
def test_bias_dropped(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(1, problem.net.depth))  # any layer: the whole forward pass above it moves
    answer = by_hand(problem, wrt, Slip(no_bias=layer))
    assume(differs(answer, by_hand(problem, wrt)))
    assert named(check(problem, answer, wrt), "bias_dropped", layer=layer)


@given(square_sigmoid_batches(), st.sampled_from(["W1", "b1"]))
def test_transposed_weight_in_backward(problem, wrt) -> None:
    # W² is square: the chains of W¹ and b¹ go down through it, and W²ᵀ fits where W² belongs.
    layer = 2
    answer = by_hand(problem, wrt, Slip(transpose=layer))
    assume(differs(answer, by_hand(problem, wrt)))
    assert named(check(problem, answer, wrt), "transposed_weight_in_backward", layer=layer)


@given(problem_and_parameter(), st.data())
def test_one_example(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    example = data.draw(st.integers(0, N - 1))
    answer = by_hand(problem, wrt, Slip(weights=tuple(float(p == example) for p in range(N))))
    assume(differs(answer, by_hand(problem, wrt)))
    assert named(check(problem, answer, wrt), "one_example", example=example)


# ── several explanations at once ─────────────────────────────────────────────


@given(problem_and_parameter(), st.data())
def test_two_examples_alike_both_explain_one_example(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    p, q = data.draw(st.lists(st.integers(0, N - 1), min_size=2, max_size=2, unique=True))
    problem.X[q], problem.T[q] = problem.X[p], problem.T[p]  # two examples the same: their gradients are too
    answer = by_hand(problem, wrt, Slip(weights=tuple(float(r == p) for r in range(N))))
    assume(differs(answer, by_hand(problem, wrt)))
    verdict = check(problem, answer, wrt)
    assert named(verdict, "one_example", example=p) and named(verdict, "one_example", example=q)


@given(sigmoid_batches(), st.data())
def test_where_two_mistakes_give_the_same_array_both_are_candidates(problem, data) -> None:
    # With z = ½ for every example (a^L = 0), the notes' extra (1 − σ(a^L)) is a factor ½: the same
    # array as applying the ½ of J twice.
    net = problem.net
    assume(net.sizes[-1] == 1)
    problem.X[:] = problem.X[0]
    L = net.depth
    h_below = net.forward(problem.X[0]).h[L - 1]
    net.params[f"b{L}"] = -(net.params[f"W{L}"] @ h_below)
    wrt = data.draw(st.sampled_from(net.param_names))
    answer = by_hand(problem, wrt, Slip(extra=L))
    assume(differs(answer, by_hand(problem, wrt)))
    verdict = check(problem, answer, wrt)
    assert named(verdict, "extra_one_minus_sigma", layer=L) and named(verdict, "scale", factor=0.5)
    assert "Also explained by" in str(verdict)


# ── what is not a catalogue mistake ──────────────────────────────────────────


@given(problem_and_parameter(), st.integers(0, 2**32 - 1))
def test_an_unexplained_answer_points_at_its_largest_difference(drawn, seed) -> None:
    problem, wrt = drawn
    truth = by_hand(problem, wrt)
    rng = np.random.default_rng(seed)
    answer = truth.copy()
    index = tuple(int(rng.integers(n)) for n in truth.shape)
    answer[index] += 10.0 * (1.0 + float(np.max(np.abs(truth))))
    verdict = check(problem, answer, wrt)
    assert verdict.mistake == "unknown" and verdict.detail["index"] == index
    assert f"entry {list(index)}" in str(verdict)


def test_wrong_shape_says_what_shape_and_why() -> None:
    net = jbp.notes_network()
    verdict = jbp.check_answer(np.zeros((3, 3)), net, [1.0, 0.5], 1.0, wrt="W1")
    assert verdict.mistake == "wrong_shape"
    assert verdict.detail == {"shape": (3, 3), "expected_shape": (3, 2)}
    assert "has shape 3×2" in verdict.explanation and "numerator layout" in verdict.explanation


def test_the_notes_row_and_a_plain_number_are_read_in_the_parameter_shape() -> None:
    net, x, t = jbp.notes_network(), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)
    assert jbp.check_answer(truth["b1"][None, :], net, x, t, wrt="b1").correct  # R^{1×3}
    assert jbp.check_answer(float(truth["b2"][0]), net, x, t, wrt="b2").correct
    assert jbp.check_answer(truth["W2"][0], net, x, t, wrt="W2").correct  # w² as a flat row
    assert jbp.check_answer(truth["b1"][:, None], net, x, t, wrt="b1").mistake == "transposed"  # a column


def test_a_scaled_answer_outside_the_catalogue_says_its_ratio() -> None:
    net, X, T = jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0]
    truth = jbp.gradient(net, X, T)["W1"]
    verdict = jbp.check_answer(3.5 * truth, net, X, T, wrt="W1")
    assert verdict.mistake == "unknown" and verdict.detail["ratio"] == pytest.approx(3.5)
    assert "3.5 times the truth" in str(verdict)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_an_answer_with_nan_or_inf_gets_a_verdict_saying_so(bad) -> None:
    net = jbp.notes_network()
    answer = np.zeros((3, 2))
    answer[1, 0] = bad
    verdict = jbp.check_answer(answer, net, [1.0, 0.5], 1.0, wrt="W1")
    assert not verdict.correct and verdict.mistake == "not_finite" and verdict.detail["index"] == (1, 0)
    assert f"entry [1, 0] of the answer is {bad}" in str(verdict)


@pytest.mark.parametrize("answer", ["0.1", [["a", "b"]], [[1, 2], [3]], {"W1": 0.0}, 1j])
def test_an_answer_that_is_not_numbers_is_an_input_type_error(answer) -> None:
    with pytest.raises(jbp.InputTypeError, match="answer"):
        jbp.check_answer(answer, jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")


def test_an_unknown_parameter_lists_the_valid_ones() -> None:
    with pytest.raises(jbp.UnknownNameError, match=r"unknown parameter 'W3'; valid choices are 'W1', 'b1'"):
        jbp.check_answer(np.zeros((3, 2)), jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W3")


def test_the_report_names_the_mistake_the_place_and_the_corrected_value() -> None:
    net, x, t = jbp.notes_network(), np.array([1.0, 0.5]), 1.0
    truth = jbp.gradient(net, x, t)["W1"]
    chain = jbp.jacobian_chain(net, x, t, wrt="W1")
    without = jbp.chain(*chain.factors[:3], chain.factors[4]).array  # ∂h¹/∂a¹ left out
    verdict = jbp.check_answer(without, net, x, t, wrt="W1")
    assert verdict.mistake == "missing_activation_derivative"
    assert verdict.detail == {"layer": 1, "jacobian": "∂h¹/∂a¹"}
    report = str(verdict)
    assert "∂J/∂W¹: not correct (missing_activation_derivative)." in report
    assert "∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · [∂h¹/∂a¹] · ∂a¹/∂W¹" in report
    assert f"{truth[0, 0]:.6f}"[:8] in report


def test_every_mistake_has_a_one_line_description() -> None:
    assert list(jbp.MISTAKES)[:9] == [
        "transposed",
        "sign",
        "scale",
        "missing_activation_derivative",
        "extra_one_minus_sigma",
        "derivative_at_output",
        "bias_dropped",
        "transposed_weight_in_backward",
        "one_example",
    ]
    assert {"wrong_shape", "unknown", "not_finite"} <= set(jbp.MISTAKES)
    assert all(isinstance(line, str) and "\n" not in line and line for line in jbp.MISTAKES.values())


def test_a_wrong_answer_in_the_transposed_layout_is_read_back_before_it_is_compared() -> None:
    net, x, t = jbp.notes_network(), [1.0, 0.5], 1.0
    truth = jbp.gradient(net, x, t)["W1"]
    off = truth.copy()
    off[2, 1] += 1.0
    verdict = jbp.check_answer(off.T, net, x, t, wrt="W1")
    assert verdict.mistake == "unknown" and verdict.detail["index"] == (2, 1)
    assert verdict.explanation.startswith("it is laid out as the transpose (2×3), and even read back")
    column = jbp.check_answer(jbp.gradient(net, x, t)["b1"][:, None] + 1.0, net, x, t, wrt="b1")
    assert column.mistake == "unknown" and column.detail["index"] == (0,)
