"""Every exercise: its solution passes its own checker, its classic mistake is diagnosed, its statement reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.exercises import EXERCISES, KINDS

SECTIONS = (  # the notes' sections, in order: each has at least one exercise
    "Forward pass",
    "One weight at a time",
    "Gradient computation in matrix notation",
    "The activation Jacobian",
    "Vector–tensor multiplication",
    "The outer product",
    "Extension to multiple examples",
    "From gradient computation to backpropagation",
)

MISTAKE_KEYS = {
    1: "missing_term",
    2: "extra_one_minus_sigma",
    3: "bias_dropped",
    4: "transposed",
    5: "wrong_shape",
    6: "missing_activation_derivative",
    7: "transposed",
    8: "transposed",
    9: "wrong_shape",
    10: "wrong_shape",
}


def needs_sympy(exercise: jbp.exercises.Exercise) -> None:
    if exercise.kind == "formula":
        pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")


def test_one_exercise_per_section_at_least_in_the_notes_order() -> None:
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    sections = list(dict.fromkeys(e.section for e in EXERCISES))
    assert sections == list(SECTIONS)
    assert all(e.kind in KINDS and e.hints and e.statement and e.worked for e in EXERCISES)
    assert len({e.slug for e in EXERCISES}) == len(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_the_solution_passes_its_checker(exercise) -> None:
    needs_sympy(exercise)
    verdict = exercise.check(exercise.solution)
    assert verdict.correct, str(verdict)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_the_classic_mistake_is_diagnosed(exercise) -> None:
    needs_sympy(exercise)
    verdict = exercise.check(exercise.mistake)
    assert not verdict.correct and verdict.mistake == MISTAKE_KEYS[exercise.number], str(verdict)
    assert str(verdict).startswith(verdict.question)


def test_numbers_rounded_to_four_significant_digits_pass() -> None:
    for number in (6, 8, 10):
        exercise = jbp.exercises.get(number)
        rounded = np.vectorize(lambda v: float(f"{v:.4g}"))(exercise.solution)
        assert exercise.check(rounded).correct


def test_the_notes_printed_b_bar_gives_a_wrong_entry_at_0_1() -> None:
    B1, B2 = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    printed = np.hstack([B1, B2])
    printed[2, 1] = B1[2, 0]  # b¹₃₁ where b¹₃₂ belongs
    verdict = jbp.exercises.get(7).check((np.array([1.0, -1.0, 2.0]) @ printed).reshape(2, 2))
    assert verdict.mistake == "unknown" and verdict.detail["index"] == (0, 1)


def test_dense_blocks_point_at_a_block_between_two_examples() -> None:
    exercise = jbp.exercises.get(9)
    every_block = np.einsum("pij,q->piqj", exercise.mistake, np.ones(4))  # block p repeated for every q
    verdict = exercise.check(every_block)
    assert verdict.mistake == "unknown" and verdict.detail["index"] == (0, 0, 1, 0)


def test_get_by_number_or_name_and_unknown_ones() -> None:
    assert jbp.exercises.get("7") is jbp.exercises.get(7) is jbp.exercises.get("a-times-B")
    with pytest.raises(jbp.UnknownNameError, match=r"unknown exercise 11; valid choices are '1', '2'"):
        jbp.exercises.get(11)


def test_numbers_exercises_refuse_text() -> None:
    with pytest.raises(jbp.InputTypeError, match="this exercise's answer is numbers"):
        jbp.exercises.get(6).check("0.1 0.2 0.3")


def test_the_exercises_page_folds_each_solution_and_shows_it_as_the_checker_takes_it() -> None:
    page = (Path(__file__).parents[2] / "docs" / "exercises.md").read_text()
    folded = page.split('<details class="note" markdown>\n<summary>Solution</summary>')[1:]
    assert len(folded) == len(EXERCISES)
    for exercise, note in zip(EXERCISES, folded, strict=True):
        body = note.split("\n```")[0]  # the fold's prose, up to its fence
        if isinstance(exercise.solution, str):  # a formula or a shape: typed in the note as the checker reads it
            assert f"`{exercise.solution}`" in body, exercise.slug
