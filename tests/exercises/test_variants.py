"""Variants: each student's numbers, exactly as printed, graded against answers computed here in plain numpy."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp

SEEDS = range(20)
#: The numeric exercises on the network, and the parameter each asks the gradient of.
ON_THE_NETWORK = {6: "b1", 8: "W1", 10: "W1"}


def plain_gradient(net: jbp.MLP, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """∂J/∂b¹ and ∂J/∂W¹ of J = ½(t − z)² for the 2-3-1 sigmoid network, by hand in numpy (not the package)."""
    sigma = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    W1, b1, W2, b2 = (np.asarray(net.params[name]) for name in ("W1", "b1", "W2", "b2"))
    a1 = W1 @ x + b1
    h1 = sigma(a1)
    z = sigma(W2 @ h1 + b2)
    delta = (z - t) * z * (1 - z)  # ∂J/∂a², one entry
    d_a1 = (W2.T @ delta) * h1 * (1 - h1)
    return {"b1": d_a1, "W1": np.outer(d_a1, x)}


@pytest.mark.parametrize("number", sorted(ON_THE_NETWORK))
@pytest.mark.parametrize("seed", SEEDS)
def test_a_variants_answer_computed_in_numpy_is_correct_and_its_negative_is_sign(number, seed) -> None:
    exercise = jbp.exercises.get(number, seed=seed)
    truth = plain_gradient(exercise.net, exercise.x, exercise.t)[ON_THE_NETWORK[number]]
    assert exercise.check(truth).correct
    assert exercise.check(-truth).mistake == "sign"
    assert not exercise.check(exercise.mistake).correct


def printed_numbers(statement: str) -> dict[str, np.ndarray]:
    """The parameters and the example read back from a statement's text."""
    found = {}
    for name in ("W1", "b1", "W2", "b2"):
        block = re.search(rf"{name} = (\[[^=]*?\]\]?)\n", statement).group(1)
        found[name] = np.array([float(v) for v in re.findall(r"-?\d+\.\d\d", block)])
    x = re.search(r"x = \((-?\d+\.\d\d), (-?\d+\.\d\d)\), t = ", statement).groups()
    found["x"] = np.array([float(v) for v in x])
    found["t"] = np.array([float(re.search(r"t = (-?\d+\.\d\d)\.", statement).group(1))])
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_a_variants_numbers_are_exactly_the_printed_ones(seed) -> None:
    for number in ON_THE_NETWORK:
        exercise = jbp.exercises.get(number, seed=seed)
        printed = printed_numbers(exercise.statement)
        for name in ("W1", "b1", "W2", "b2"):
            assert np.array_equal(printed[name], exercise.net.params[name].ravel()), (number, name)
        assert np.array_equal(printed["x"], exercise.x) and np.array_equal(printed["t"], exercise.t)
        assert "4 significant digits" in exercise.statement


def test_the_same_seed_gives_the_same_statements_in_another_process() -> None:
    code = "import jacobian_bp as jbp; print(jbp.exercises.sheet(seed=1234, key=True), end='')"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert other == jbp.exercises.sheet(seed=1234, key=True)


def test_seed_for_is_a_stable_hash_of_the_text() -> None:
    assert jbp.exercises.seed_for("s1234567") == 193120605  # SHA-256: the same on every machine and run
    assert jbp.exercises.seed_for(" s1234567\n") == jbp.exercises.seed_for("s1234567")
    code = "import jacobian_bp as jbp; print(jbp.exercises.seed_for('s1234567'))"
    env = {"PYTHONHASHSEED": "123"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert int(other.stdout) == 193120605
    for bad in ("", "   ", None, 5):
        with pytest.raises(jbp.InvalidArgumentError, match="a student's identifier is a non-empty text"):
            jbp.exercises.seed_for(bad)


def test_different_students_get_different_numbers() -> None:
    students = [f"s{n:07d}" for n in range(30)]
    nets = {s: jbp.exercises.get(6, seed=jbp.exercises.seed_for(s)).net.params["W1"].tobytes() for s in students}
    assert len(set(nets.values())) == len(students)
    texts = {jbp.exercises.sheet(student=s) for s in students[:5]}
    assert len(texts) == 5


def test_today_is_seed_none_and_unchanged() -> None:
    today = jbp.exercises.get(6)
    assert today.seed is None and today.net.params["W1"].tolist() == jbp.notes_network(seed=0).params["W1"].tolist()
    assert today.x.tolist() == [1.0, 0.5] and today.t.tolist() == [1.0]
    assert "jbp.notes_network(seed=0)" in today.statement
    assert jbp.exercises.get(2).wrt == "w²₁" and jbp.exercises.get(3).wrt == "w¹₁₁"
    assert jbp.exercises.get(7).solution.tolist() == [[8, 10], [20, 22]]


@pytest.mark.parametrize("seed", range(6))  # the formula checks take a second each: six variants of each
def test_every_variant_accepts_its_answer_and_names_its_classic_mistake(seed) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    for exercise in jbp.exercises.every(seed):
        assert exercise.seed == seed
        assert exercise.check(exercise.solution).correct, (exercise.number, seed)
        verdict = exercise.check(exercise.mistake)
        assert not verdict.correct and verdict.mistake != "unknown", (exercise.number, seed, str(verdict))


def test_formula_variants_ask_for_other_weights_and_units() -> None:
    asked = {n: {jbp.exercises.get(n, seed=s).wrt for s in SEEDS} for n in (1, 2, 3)}
    assert asked[1] == {"a²", "a¹₁", "a¹₂", "a¹₃"}
    assert asked[2] == {"w²₁", "w²₂", "w²₃"}
    assert len(asked[3]) == 6
    exercise = jbp.exercises.get(2, seed=next(s for s in SEEDS if jbp.exercises.get(2, seed=s).wrt == "w²₃"))
    assert (
        "∂J/∂w²₃" in exercise.statement and "h₃" in exercise.statement and exercise.title == "∂J/∂w²₃ for one example"
    )


@given(st.integers(0, jbp.exercises.SEEDS - 1))
def test_a_variant_of_exercise_7_has_whole_numbers_and_is_not_symmetric(seed) -> None:
    exercise = jbp.exercises.get(7, seed=seed)
    a, B = exercise.setting.data["a"], exercise.setting.data["B"]
    by_hand = np.array([[sum(a[i] * B[k][i][j] for i in range(3)) for j in range(2)] for k in range(2)])
    assert exercise.check(by_hand).correct and not np.array_equal(by_hand, by_hand.T)
    minus = lambda v: str(int(v)).replace("-", "−")  # noqa: E731
    assert f"= [{minus(by_hand[0, 0])}, {minus(by_hand[0, 1])}] and aB²" in exercise.worked


@pytest.mark.parametrize("seed", [-1, 10**9, 2.5, "3", True])
def test_a_bad_seed_names_the_valid_range(seed) -> None:
    with pytest.raises(jbp.InvalidArgumentError, match="a variant's seed is a whole number from 0 to 999999999"):
        jbp.exercises.get(6, seed=seed)


def test_a_teachers_exercise_is_registered_checked_and_taken_away() -> None:
    shape = jbp.exercises.definition(4)
    mine = replace(shape, number=11, slug="my-shape", title="The shape of ∂J/∂W¹", answer=lambda s: "3x2")
    with pytest.raises(jbp.InvalidArgumentError, match=r"exercise 11 \(today's exercise\): its answer is not graded"):
        jbp.exercises.register(mine)  # its checker still wants 1x3: the same test as the catalogue's refuses it
    with pytest.raises(jbp.InvalidArgumentError, match="there is already an exercise 4"):
        jbp.exercises.register(replace(shape, slug="other"))
    jbp.exercises.register(replace(shape, number=11, slug="my-shape"))
    try:
        assert [e.number for e in jbp.exercises.EXERCISES][-1] == 11
        assert "Exercise 11" in jbp.exercises.sheet(seed=3)
    finally:
        jbp.exercises.unregister(11)
    assert len(jbp.exercises.EXERCISES) == 10
