"""Diagnosis by edit, on numbers: each edit of the chain, made by hand in numpy, is named with where it is.

The edited gradients are computed here by a forward pass and backprop in rows
with a switch per edit — not with the library's chain or edit code — so an edit
the library mis-builds cannot agree with itself. Every test also checks that the
truth is never diagnosed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.answers.edits import MAX_PAIRS
from jacobian_bp.chain.jacobian import superscript

from ..strategies import Problem, sigmoid_batches


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


@dataclass(frozen=True)
class Edit:
    """The switches of :func:`by_hand` (layers 1-based)."""

    function_for_derivative: int | None = None  # σ(aʲ) where σ′(aʲ) belongs
    borrowed: tuple[int, int] | None = None  # (j, m): σ′(aᵐ) where σ′(aʲ) belongs
    pre_activation: bool = False  # aᵏ⁻¹ where hᵏ⁻¹ belongs, in ∂J/∂Wᵏ
    drop_loss: bool = False  # ∂J/∂z left out (taken as 1)
    drop_weights: int | None = None  # Wᵏ left out on the way down (taken as ones)
    drop_input: bool = False  # hᵏ⁻¹ left out of ∂J/∂Wᵏ
    double_loss: bool = False
    double_derivative: int | None = None
    double_weights: int | None = None
    double_input: bool = False
    weights: tuple[float, ...] | None = None  # the batch weights, 1/N each when None
    shift: int = 0  # example p's row paired with example p + shift's input
    factor: float = 1.0  # the whole gradient times a constant
    skip: int | None = None  # σ′(aʲ) left out
    # (what, layer, i, j): units i and j (0-based) of one quantity exchanged: "input" (hᵏ⁻¹ or x in ∂J/∂Wᵏ),
    # "delta" (the row ∂J/∂aᵏ at the parameter), "derivative" (σ′(aᵏ)), "weights" (columns of Wᵏ on the way down)
    exchanged: tuple[str, int, int, int] | None = None


def swap(values: np.ndarray, what: str, layer: int, edit: Edit) -> np.ndarray:
    """``values`` (examples × units) with the units of ``edit.exchanged`` swapped, if it is ``what`` at ``layer``."""
    if edit.exchanged is None or edit.exchanged[:2] != (what, layer):
        return values
    i, j = edit.exchanged[2:]
    swapped = values.copy()
    swapped[..., [i, j]] = values[..., [j, i]]
    return swapped


def by_hand(problem: Problem, wrt: str, edit: Edit = Edit()) -> np.ndarray:
    params, X, T, L = problem.net.params, problem.X, problem.T, problem.net.depth
    a, h, N = {}, {0: X}, len(X)
    for k in range(1, L + 1):
        a[k] = h[k - 1] @ params[f"W{k}"].T + params[f"b{k}"]
        h[k] = sigmoid(a[k])
    weights = np.full(N, 1.0 / N) if edit.weights is None else np.array(edit.weights)
    loss = np.ones_like(h[L]) if edit.drop_loss else h[L] - T
    g = loss * (loss if edit.double_loss else 1.0) * weights[:, None]
    layer = int(wrt[1:])
    for k in range(L, layer - 1, -1):
        derivative = sigmoid(a[k]) * (1 - sigmoid(a[k]))
        if edit.function_for_derivative == k:
            derivative = sigmoid(a[k])
        if edit.borrowed is not None and edit.borrowed[0] == k:
            m = edit.borrowed[1]
            derivative = np.broadcast_to(sigmoid(a[m]) * (1 - sigmoid(a[m])), derivative.shape)
        if edit.skip == k:
            derivative = np.ones_like(derivative)
        if edit.double_derivative == k:
            derivative = derivative**2
        g = g * swap(derivative, "derivative", k, edit)
        if k > layer:
            W = swap(params[f"W{k}"], "weights", k, edit)
            W = np.ones_like(W) if edit.drop_weights == k else W
            W = W * W if edit.double_weights == k else W
            g = g @ W
    g = swap(g, "delta", layer, edit)
    if wrt[0] == "b":
        return edit.factor * g.sum(axis=0)
    below = swap(a[layer - 1] if edit.pre_activation else h[layer - 1], "input", layer, edit)
    below = np.ones_like(below) if edit.drop_input else below
    below = below * below if edit.double_input else below
    return edit.factor * (g.T @ np.roll(below, -edit.shift, axis=0))


def candidates(verdict: jbp.Verdict) -> list[tuple[str, dict]]:
    return [(c.key, dict(c.detail)) for c in verdict.candidates]


def named(verdict: jbp.Verdict, key: str, **detail: object) -> bool:
    return any(k == key and all(d.get(n) == v for n, v in detail.items()) for k, d in candidates(verdict))


def named_pair(verdict: jbp.Verdict, first: str, second: str) -> bool:
    return any(k == "two_mistakes" and set(d["mistakes"]) == {first, second} for k, d in candidates(verdict)) or (
        first == second and any(k == "two_mistakes" and d["mistakes"] == (first, first) for k, d in candidates(verdict))
    )


def differs(answer: np.ndarray, truth: np.ndarray) -> bool:
    return np.shape(answer) != np.shape(truth) or float(np.max(np.abs(answer - truth))) > 1e-4 * float(
        np.max(np.abs(truth))
    )


def check(problem: Problem, answer: np.ndarray, wrt: str, **options: object) -> jbp.Verdict:
    return jbp.check_answer(answer, problem.net, problem.X, problem.T, wrt=wrt, **options)


@st.composite
def problem_and_parameter(draw: st.DrawFn) -> tuple[Problem, str]:
    problem = draw(sigmoid_batches())
    return problem, draw(st.sampled_from(problem.net.param_names))


def graded(problem: Problem, wrt: str, edit: Edit, **options: object) -> jbp.Verdict:
    """The verdict on ``edit``'s answer, once the truth is checked to be accepted and the edit to change it."""
    truth = by_hand(problem, wrt)
    assert np.allclose(truth, jbp.gradient(problem.net, problem.X, problem.T)[wrt], rtol=1e-9, atol=1e-14)
    answer = by_hand(problem, wrt, edit)
    assume(differs(answer, truth))
    assert check(problem, truth, wrt, **options).correct, (
        repr(truth.tolist()),
        str(check(problem, truth, wrt, **options)),
    )  # the truth is never diagnosed
    verdict = check(problem, answer, wrt, **options)
    assert not verdict.correct
    return verdict


# ── one edit ─────────────────────────────────────────────────────────────────


@given(problem_and_parameter(), st.data())
def test_the_function_for_its_derivative(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(int(wrt[1:]), problem.net.depth))
    verdict = graded(problem, wrt, Edit(function_for_derivative=layer))
    assert named(verdict, "activation_for_derivative", layer=layer, by=f"σ(a{superscript(layer)})")


@given(problem_and_parameter(), st.data())
def test_another_layers_derivative(drawn, data) -> None:
    problem, wrt = drawn
    sizes = problem.net.sizes
    layers = range(int(wrt[1:]), problem.net.depth + 1)
    pairs = [(j, m) for j in layers for m in layers if m != j and sizes[m] in (sizes[j], 1)]
    assume(pairs)
    j, m = data.draw(st.sampled_from(pairs))
    verdict = graded(problem, wrt, Edit(borrowed=(j, m)))
    assert named(verdict, "wrong_layer", layer=j), str(verdict)


@given(sigmoid_batches(), st.data())
def test_the_pre_activation_for_the_activation(problem, data) -> None:
    # Only W² … Wᴸ have a layer below whose aᵏ⁻¹ can stand for hᵏ⁻¹: drawn from those directly, not filtered
    # out of every parameter name (three draws in four were, and hypothesis's health check failed now and then).
    wrt = data.draw(st.sampled_from([f"W{k}" for k in range(2, problem.net.depth + 1)]))
    verdict = graded(problem, wrt, Edit(pre_activation=True))
    assert named(verdict, "pre_activation_for_activation", layer=int(wrt[1:]) - 1), str(verdict)


@given(problem_and_parameter(), st.sampled_from(["input", "delta", "derivative", "weights"]), st.data())
def test_two_units_exchanged(drawn, what, data) -> None:
    # x₂ for x₁ (a gradient column paired with the wrong input entry), another unit's delta, σ′ of another
    # unit, w²₂ for w²₁ on the way down: each is named with its quantity and its units, 1-based.
    problem, wrt = drawn
    sizes, layer = problem.net.sizes, int(wrt[1:])
    assume(what != "input" or wrt[0] == "W")
    lowest = layer + (what == "weights")  # the weights on the way down sit above the parameter's layer
    assume(lowest <= problem.net.depth)
    k = layer if what in ("input", "delta") else data.draw(st.integers(lowest, problem.net.depth))
    width = sizes[k - 1] if what in ("input", "weights") else sizes[k]
    assume(width > 1)
    i, j = sorted(data.draw(st.lists(st.integers(0, width - 1), min_size=2, max_size=2, unique=True)))
    verdict = graded(problem, wrt, Edit(exchanged=(what, k, i, j)))
    sup, below = superscript(k), ("x" if k == 1 else f"h{superscript(k - 1)}")
    quantity = {"input": below, "delta": f"∂J/∂a{sup}", "derivative": f"σ′(a{sup})", "weights": f"W{sup}"}[what]
    assert named(verdict, "wrong_unit", quantity=quantity, units=(i + 1, j + 1)), str(verdict)


@given(problem_and_parameter(), st.sampled_from(["loss", "weights", "input"]), st.booleans(), st.data())
def test_a_factor_left_out_or_taken_twice(drawn, which, twice, data) -> None:
    problem, wrt = drawn
    layer = int(wrt[1:])
    if which == "weights":
        assume(layer < problem.net.depth)
        k = data.draw(st.integers(layer + 1, problem.net.depth))
        edit = Edit(double_weights=k) if twice else Edit(drop_weights=k)
        expected = {"jacobian": f"∂a{superscript(k)}/∂h{superscript(k - 1)}"}
    elif which == "input":
        assume(wrt[0] == "W")
        edit = Edit(double_input=True) if twice else Edit(drop_input=True)
        expected = {"layer": layer}
    else:
        edit = Edit(double_loss=True) if twice else Edit(drop_loss=True)
        expected = {"jacobian": "∂J⁽ᵖ⁾/∂z"}
    verdict = graded(problem, wrt, edit)
    assert named(verdict, "doubled_factor" if twice else "missing_factor", **expected), str(verdict)


@given(problem_and_parameter(), st.data())
def test_a_derivative_taken_twice(drawn, data) -> None:
    problem, wrt = drawn
    layer = data.draw(st.integers(int(wrt[1:]), problem.net.depth))
    verdict = graded(problem, wrt, Edit(double_derivative=layer))
    assert named(verdict, "doubled_factor", layer=layer), str(verdict)


@given(problem_and_parameter(), st.data(), st.booleans())
def test_the_batch_cut_short(drawn, data, over_the_rest) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    assume(N > 2 or not over_the_rest)
    left_out = data.draw(st.integers(0, N - 1))
    divided_by = N - 1 if over_the_rest else N
    weights = tuple(0.0 if p == left_out else 1.0 / divided_by for p in range(N))
    verdict = graded(problem, wrt, Edit(weights=weights))
    assert named(verdict, "batch_cut_short", example=left_out, divided_by=divided_by), str(verdict)


@given(problem_and_parameter(), st.data())
def test_the_examples_mispaired(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    assume(wrt[0] == "W")
    shift = data.draw(st.integers(1, min(N, 3) - 1)) if N > 2 else 1
    verdict = graded(problem, wrt, Edit(shift=shift))
    assert named(verdict, "mispaired_examples", shift=shift), str(verdict)


@given(problem_and_parameter(), st.sampled_from([0.1, 0.5, 0.01]), st.booleans())
def test_a_learning_rate(drawn, rate, as_the_step) -> None:
    problem, wrt = drawn
    factor = -rate if as_the_step else rate
    verdict = graded(problem, wrt, Edit(factor=factor), learning_rate=rate)
    assert named(verdict, "learning_rate", factor=factor) or named(verdict, "two_mistakes"), str(verdict)
    assert named(verdict, "learning_rate", factor=factor) or not as_the_step


# ── two edits at once ────────────────────────────────────────────────────────


@settings(max_examples=40)
@given(problem_and_parameter(), st.data())
def test_a_sign_and_a_sum(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    verdict = graded(problem, wrt, Edit(factor=-1.0, weights=(1.0,) * N))
    assert verdict.mistake == "two_mistakes" and named_pair(verdict, "sign", "scale"), str(verdict)


@settings(max_examples=40)
@given(problem_and_parameter(), st.data())
def test_a_missing_derivative_and_a_sum(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    layer = data.draw(st.integers(int(wrt[1:]), problem.net.depth))
    verdict = graded(problem, wrt, Edit(skip=layer, weights=(1.0,) * N))
    assert named_pair(verdict, "missing_activation_derivative", "scale"), str(verdict)


@settings(max_examples=30)
@given(problem_and_parameter(), st.data())
def test_two_edits_of_the_chain(drawn, data) -> None:
    problem, wrt = drawn
    N = len(problem.X)
    layer = data.draw(st.integers(int(wrt[1:]), problem.net.depth))
    example = data.draw(st.integers(0, N - 1))
    one = tuple(float(p == example) for p in range(N))
    answer_edit = Edit(function_for_derivative=layer, weights=one)
    verdict = graded(problem, wrt, answer_edit)
    for single in (Edit(function_for_derivative=layer), Edit(weights=one)):
        assume(differs(by_hand(problem, wrt, answer_edit), by_hand(problem, wrt, single)))
    assert named_pair(verdict, "activation_for_derivative", "one_example"), str(verdict)


def test_the_pair_search_is_bounded() -> None:
    # A wide, deep network has more pairs than MAX_PAIRS: the search stops there (no hang) and says unknown.
    net = jbp.MLP([4, 6, 6, 6, 3], seed=1)
    X, T = np.random.default_rng(0).normal(size=(6, 4)), np.random.default_rng(1).uniform(size=(6, 3))
    from jacobian_bp.answers.variants import variants

    structural = [v for v in variants(net, "W1", 6) if v.diagnosis.key not in ("sign", "scale")]
    assert len(structural) * (len(structural) - 1) // 2 > MAX_PAIRS
    truth = jbp.gradient(net, X, T)["W1"]
    assert jbp.check_answer(truth + 1.0, net, X, T, wrt="W1").mistake == "unknown"


def test_unit_exchanges_are_bounded_and_do_not_crowd_out_older_pairs() -> None:
    # A wide layer tries only its nearest units; the older pairs (two edits of the chain) are tried first.
    from collections import Counter

    from jacobian_bp.answers.variants import MAX_UNIT_SWAPS, edits

    net = jbp.MLP([9, 12, 1], seed=0)
    quantities = Counter(v.diagnosis.detail["quantity"] for v in edits(net, "W1", 3) if v.diagnosis.key == "wrong_unit")
    assert quantities == {q: MAX_UNIT_SWAPS for q in ("x", "∂J/∂a¹", "σ′(a¹)", "W²")}
    problem = Problem(jbp.notes_network(), np.array([[1.0, 0.5], [-0.5, 2.0]]), np.array([[1.0], [0.0]]), "mse")
    answer = by_hand(problem, "W1", Edit(function_for_derivative=1, exchanged=("input", 1, 0, 1)))
    assert differs(answer, by_hand(problem, "W1"))
    verdict = check(problem, answer, "W1")
    assert named_pair(verdict, "activation_for_derivative", "wrong_unit"), str(verdict)


def test_every_new_edit_has_a_one_line_explanation() -> None:
    new = [
        "missing_factor",
        "doubled_factor",
        "activation_for_derivative",
        "pre_activation_for_activation",
        "wrong_layer",
        "wrong_unit",
        "batch_cut_short",
        "mispaired_examples",
        "learning_rate",
        "two_mistakes",
        "too_few_digits",
    ]
    assert set(new) <= set(jbp.MISTAKES)
    assert all(jbp.MISTAKES[key] and "\n" not in jbp.MISTAKES[key] for key in new)


def test_a_batch_verdict_explains_j_p() -> None:
    net, X, T = jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0]
    verdict = jbp.check_answer(-jbp.gradient(net, X, T)["W2"], net, X, T, wrt="W2")
    assert "J⁽ᵖ⁾ is the loss of example p alone" in str(verdict)
    assert "J⁽ᵖ⁾ is the loss" not in str(jbp.check_answer(-jbp.gradient(net, X[0], T[0])["W2"], net, X[0], T[0], "W2"))


@pytest.mark.parametrize("wrt", ["W1", "b1", "W2", "b2"])
def test_unknown_says_which_entries_are_right(wrt) -> None:
    net, X, T = jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0]
    truth = jbp.gradient(net, X, T)[wrt]
    answer = truth.copy()
    answer.flat[0] += 1.0
    verdict = jbp.check_answer(answer, net, X, T, wrt=wrt)
    assert verdict.mistake == "unknown"
    if truth.size > 1:
        first = list(np.unravel_index(0, truth.shape))
        assert verdict.detail["wrong_entries"] == [tuple(first)]
        assert f"entries {[int(i) for i in first]} are not" in verdict.report(reveal=False)
