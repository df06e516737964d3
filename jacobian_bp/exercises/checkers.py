"""Checkers for answers that are not a gradient of the notes' network: a shape, a pattern, a product of arrays.

Each one returns a :class:`~jacobian_bp.answers.verdict.Verdict` built by
:func:`~jacobian_bp.answers.verdict.grade`, as the gradient checkers do. Shapes
a student is known to give for a reason (the 3×6 flattening where the 3×3×2
tensor was asked) get that reason in their ``wrong_shape`` verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from jacobian_bp.answers.layout import shape_text, transposed
from jacobian_bp.answers.numeric import close, largest_difference
from jacobian_bp.answers.precision import GivenNumbers
from jacobian_bp.answers.verdict import Diagnosis, Verdict, equals, grade, not_finite
from jacobian_bp.errors import InputTypeError
from jacobian_bp.network.validation import as_real_array

Array = np.ndarray
Shape = tuple[int, ...]

#: Answers to the exercises are graded more loosely than :func:`jbp.check_answer`: numbers read off a page
#: or rounded to four digits must pass, and no catalogue mistake is within 0.1 % of the truth.
RTOL, ATOL = 1e-3, 1e-9


def known_wrong_shape(question: str, answer: Array, truth: Any, reasons: Mapping[Shape, str]) -> Verdict | None:
    """The ``wrong_shape`` verdict for a shape listed in ``reasons`` (shape → why a student gives it), else None.

    >>> reasons = {(3, 6): "the flattening"}
    >>> known_wrong_shape("∂a¹/∂W¹", np.zeros((3, 6)), np.zeros((3, 3, 2)), reasons).explanation
    '3×6 is the flattening.'
    >>> known_wrong_shape("∂a¹/∂W¹", np.zeros((2, 2)), np.zeros((3, 3, 2)), reasons) is None
    True
    """
    reason = reasons.get(tuple(answer.shape))
    if reason is None:
        return None
    detail = {"shape": tuple(answer.shape), "expected_shape": tuple(np.shape(truth)), "reason": reason}
    sentence = f"{shape_text(answer.shape)} is {reason}."
    return Verdict(
        False, "wrong_shape", detail, (Diagnosis("wrong_shape", detail, sentence),), question, truth, sentence
    )


def shape_checker(question: str, expected: Shape, reasons: Mapping[Shape, str], why: str) -> Callable[[Any], Verdict]:
    """Grade a shape (a tuple, or text such as ``3x3x2``): right, transposed, a known slip, or wrong.

    >>> check = shape_checker("the shape of ∂J/∂w²", (1, 3), {}, "a row, as every gradient")
    >>> check("1x3").correct, check((3, 1)).mistake, check("2x2").mistake
    (True, 'transposed', 'wrong_shape')
    """
    from jacobian_bp.exercises.reading import read_shape

    def check(answer: Any) -> Verdict:
        shape = read_shape(answer) if isinstance(answer, str) else tuple(int(n) for n in answer)
        if shape == expected:
            return Verdict(True, None, {}, (), question, shape_text(expected))
        detail = {"shape": shape, "expected_shape": expected}
        if shape == expected[::-1]:
            sentence = f"{shape_text(shape)} is the transpose: the book's column layout; in the notes' rows, {why}."
            diagnosis = Diagnosis("transposed", detail, sentence)
            return Verdict(False, "transposed", detail, (diagnosis,), question, shape_text(expected), sentence)
        if shape in reasons:
            sentence = f"{shape_text(shape)} is {reasons[shape]}; {why}."
            detail["reason"] = reasons[shape]
        else:
            sentence = f"the shape is {shape_text(expected)}, not {shape_text(shape)}: {why}."
        diagnosis = Diagnosis("wrong_shape", detail, sentence)
        return Verdict(False, "wrong_shape", detail, (diagnosis,), question, shape_text(expected), sentence)

    return check


def numbers(answer: Any) -> Array:
    """An answer as float64 numbers, or :class:`~jacobian_bp.errors.InputTypeError` naming it.

    >>> numbers([1, 2])
    array([1., 2.])
    """
    if isinstance(answer, str):
        raise InputTypeError(f"this exercise's answer is numbers (an array), got the text {answer!r}")
    if isinstance(answer, GivenNumbers):  # typed text, read with its digits
        return answer.values
    return as_real_array(answer, "answer")


def array_checker(
    question: str, truth: Array, reasons: Mapping[Shape, str], transposable: bool = True
) -> Callable[[Any], Verdict]:
    """Grade an array against ``truth``: right, its transpose, a known wrong shape, or the largest difference.

    >>> check = array_checker("a·B", np.array([[1.0, 2.0], [3.0, 4.0]]), {})
    >>> check([[1.0, 2.0], [3.0, 4.0]]).correct, check([[1.0, 3.0], [2.0, 4.0]]).mistake
    (True, 'transposed')
    """

    def check(answer: Any) -> Verdict:
        array = numbers(answer)
        if not np.isfinite(array).all():
            return not_finite(question, array, truth)
        known = known_wrong_shape(question, array, truth, reasons)
        if known is not None:
            return known
        same = close(RTOL, ATOL)
        flipped = Diagnosis(
            "transposed", {"shape": tuple(array.shape)}, "the answer is the transpose of the right one.", "the layout"
        )
        mistakes = [(flipped, equals(transposed(truth), same))] if transposable else []
        return grade(question, array, truth, mistakes, same, largest_difference)

    return check


def pattern_checker(question: str, truth: Array, reasons: Mapping[Shape, str]) -> Callable[[Any], Verdict]:
    """Grade which entries are non-zero: the answer's pattern (its values, or 0s and 1s) against the truth's.

    >>> check = pattern_checker("which entries are non-zero", np.eye(2), {})
    >>> check([[5.0, 0.0], [0.0, 1.0]]).correct, check(np.ones((2, 2))).detail["index"]
    (True, (0, 1))
    """

    def check(answer: Any) -> Verdict:
        array = numbers(answer)
        known = known_wrong_shape(question, array, truth, reasons)
        if known is not None:
            return known
        expected = (truth != 0).astype(float)
        return grade(question, (array != 0).astype(float), expected, [], close(0.0, 0.0), _pattern_difference)

    return check


def _pattern_difference(answer: Array, truth: Array) -> tuple[dict[str, Any], str]:
    index = tuple(int(i) for i in np.argwhere(answer != truth)[0])
    said = "non-zero" if answer[index] else "zero"
    truly = "non-zero" if truth[index] else "zero for every input"
    return {"index": index}, f"entry {list(index)} is {truly}, and the answer has it {said}."
