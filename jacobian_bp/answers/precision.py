"""Numbers at the precision they were given: an answer rounded by hand is checked to its own digits.

Every entry of an answer carries a *resolution*: one unit of its last digit
(``0.1235`` → ``0.0001``, ``-1.2e-3`` → ``0.0001``). The rule for where that
comes from:

* **text** (:func:`read_numbers`: a list, nested lists, or CSV rows) — the digits as typed, exactly;
* **floats** (a list or array of numbers) — the shortest decimal that gives each float, which is what
  ``repr`` prints, read as carrying at least as many significant digits as the most precise entry and
  never a finer decimal place than the finest entry: a float does not keep trailing zeros, so
  ``np.round(g, 4)`` holding ``0.01`` is ``0.0100``, and ``[0.123, 2.0]`` rounded to 3 digits is
  ``[0.123, 2.00]``. A float computed by numpy (``0.12345678901234566``) carries 12 or more digits,
  and an answer holding one is checked at full precision;
* **integers** are exact.

A zero carries no significant digits; it is held to the finest resolution of the
answer's other entries (as if written to the same decimal place). The answer's
*digits* are those of its largest entry at the coarsest resolution it has:
``[0.1235, 0.0012]`` carries 4. Below :data:`MIN_DIGITS` digits an answer
cannot be told from a mistake and is not accepted as correct.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.errors import AnswerTooLargeError, InputTypeError, ParseError
from jacobian_bp.network.validation import as_real_array

Array = np.ndarray

#: Fewest significant digits an answer must carry to be accepted at its own precision.
MIN_DIGITS = 3
#: From this many significant digits on, an answer is held to the checker's full tolerance.
FULL_DIGITS = 12
#: Most characters and entries a numeric answer given as text may have.
MAX_TEXT, MAX_ENTRIES = 100_000, 10_000

_NUMBER = r"[-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"\s*(?:(?P<number>{_NUMBER})|(?P<open>\[)|(?P<close>\])|(?P<sep>[,;]))")


@dataclass(frozen=True)
class GivenNumbers:
    """An answer's numbers and each entry's resolution (one unit of its last digit; 0 for full precision).

    >>> given = read_numbers("[0.1235, -0.0012]")
    >>> given.values, given.resolution, given.digits
    (array([ 0.1235, -0.0012]), array([0.0001, 0.0001]), 4)
    """

    values: Array
    resolution: Array

    @property
    def digits(self) -> int | None:
        """Significant digits the answer carries (of its largest entry, at its coarsest resolution); None: full."""
        coarsest = float(np.max(self.resolution, initial=0.0))
        largest = float(np.max(np.abs(self.values), initial=0.0))
        if coarsest == 0.0 or largest == 0.0:
            return None
        return math.floor(math.log10(largest / coarsest) + 1e-9) + 1

    def reshape(self, shape: tuple[int, ...]) -> GivenNumbers:
        return GivenNumbers(self.values.reshape(shape), self.resolution.reshape(shape))


def resolution_of(text: str) -> tuple[float, int]:
    """One unit of the last digit of a decimal number as written, and its significant digits.

    >>> resolution_of("0.1235"), resolution_of("-1.20e-3"), resolution_of("42"), resolution_of("0.000")
    ((0.0001, 4), (1e-05, 3), (1.0, 2), (0.001, 0))
    """
    mantissa, _, exponent = text.strip().lstrip("+-−").lower().partition("e")
    whole, _, decimals = mantissa.partition(".")
    significant = (whole + decimals).lstrip("0")
    return float(10.0 ** (int(exponent or 0) - len(decimals))), len(significant)


def _with_zeros_held(values: Array, resolution: Array) -> Array:
    """Zeros take the finest resolution of the non-zero entries: as if written to the same decimal place."""
    nonzero = values != 0
    if not nonzero.any() or nonzero.all():
        return resolution
    finest = float(np.min(resolution[nonzero]))
    return np.where(nonzero, resolution, np.minimum(resolution, finest))


def given_numbers(answer: Any) -> GivenNumbers:
    """An answer as :class:`GivenNumbers`: text keeps its digits, floats have those of their ``repr``.

    >>> given_numbers([0.1235, 0.01]).resolution, given_numbers([0.123, 2.0]).resolution
    (array([0.0001, 0.0001]), array([0.001, 0.01 ]))
    >>> given_numbers([0.1 + 0.2]).digits, given_numbers([3, 4]).digits
    (None, None)
    """
    if isinstance(answer, GivenNumbers):
        return answer
    if isinstance(answer, str):
        raise InputTypeError(
            "a numeric answer given as text must be read first: jacobian_bp.answers.read_numbers(text) keeps its "
            f"digits; got the text {answer[:40]!r}"
        )
    values = as_real_array(answer, "answer")
    if np.asarray(answer).dtype.kind in "iub":
        return GivenNumbers(values, np.zeros_like(values))
    texts = [repr(float(value)) if np.isfinite(value) else "0" for value in values.ravel()]
    units = [resolution_of(text) for text in texts]
    if any(significant >= FULL_DIGITS for _, significant in units):
        return GivenNumbers(values, np.zeros_like(values))
    nonzero = [(unit, significant) for (unit, significant), v in zip(units, values.ravel(), strict=True) if v != 0]
    if not nonzero:
        return GivenNumbers(values, np.zeros_like(values))
    most_digits = max(significant for _, significant in nonzero)
    finest = min(unit for unit, _ in nonzero)
    resolution = np.zeros_like(values)
    for (unit, _), (index, value) in zip(units, np.ndenumerate(values), strict=True):
        if value != 0:
            at_most_digits = 10.0 ** (math.floor(math.log10(abs(value))) - most_digits + 1)
            resolution[index] = max(finest, min(unit, at_most_digits))
    return GivenNumbers(values, _with_zeros_held(values, resolution))


def read_numbers(text: str) -> GivenNumbers:
    """Numbers typed as text, keeping the digits of each: ``0.12``, ``[1, 2.5]``, ``[[1, 2], [3, 4]]``, CSV rows.

    Rows of a matrix are bracketed lists, or lines of comma- (or space-) separated numbers. Nothing is
    evaluated: the text is read by a tokenizer of numbers, brackets and separators.

    >>> read_numbers("0.1,0.2\\n0.3,0.4").values
    array([[0.1, 0.2],
           [0.3, 0.4]])
    >>> read_numbers("[[1.25e-2, 3]]").resolution
    array([[1.e-04, 1.e+00]])
    >>> read_numbers("[1, 2")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.ParseError: cannot read the numbers '[1, 2': a ']' is missing at the end
    """
    if not isinstance(text, str):
        raise InputTypeError(f"read_numbers reads text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise AnswerTooLargeError(f"the numbers take {len(text)} characters; at most {MAX_TEXT} are read")
    stripped = text.strip()
    if not stripped.startswith("[") and "\n" in stripped:  # CSV: one row a line
        rows = [_flat(line, text) for line in stripped.splitlines() if line.strip()]
        if len({len(row) for row in rows}) > 1:
            raise ParseError(f"cannot read the numbers {text[:60]!r}: the rows have different lengths")
        return _as_given(rows, text)
    return _as_given(_nested(stripped, text), text)


def _flat(line: str, text: str) -> list[str]:
    items = [item for item in re.split(r"[,;\s]+", line.strip()) if item]
    for item in items:
        if not re.fullmatch(_NUMBER, item):
            raise ParseError(f"cannot read the numbers {text[:60]!r}: {item[:20]!r} is not a number")
    return items


def _nested(stripped: str, text: str) -> Any:
    """Bracketed lists read with an explicit stack (no recursion, so any nesting is safe)."""
    if not stripped.startswith("["):
        return _flat(stripped, text) if len(_flat(stripped, text)) > 1 else _flat(stripped, text)[0]
    stack: list[list[Any]] = [[]]
    position = 0
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            if stripped[position:].strip() == "":
                break
            raise ParseError(
                f"cannot read the numbers {text[:60]!r}: {stripped[position : position + 10]!r} is not a number"
            )
        position = match.end()
        if match["open"]:
            if len(stack) > 8:
                raise AnswerTooLargeError(f"cannot read the numbers {text[:60]!r}: nested deeper than 8 brackets")
            stack.append([])
        elif match["close"]:
            if len(stack) < 2:
                raise ParseError(f"cannot read the numbers {text[:60]!r}: a ']' without its '['")
            inner = stack.pop()
            stack[-1].append(inner)
        elif match["number"]:
            stack[-1].append(match["number"])
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ParseError(f"cannot read the numbers {text[:60]!r}: a ']' is missing at the end")
    return stack[0][0]


def _as_given(items: Any, text: str) -> GivenNumbers:
    try:
        strings = np.array(items, dtype=object)
    except ValueError:
        raise ParseError(f"cannot read the numbers {text[:60]!r}: the rows have different lengths") from None
    if strings.size > MAX_ENTRIES or strings.dtype != object or any(isinstance(s, list) for s in strings.ravel()):
        raise ParseError(f"cannot read the numbers {text[:60]!r}: the rows have different lengths")
    normal = np.vectorize(lambda s: s.replace("−", "-"), otypes=[object])(strings) if strings.size else strings
    values = np.array([float(s) for s in normal.ravel()], dtype=float).reshape(strings.shape)
    resolution = np.array([resolution_of(s)[0] for s in normal.ravel()], dtype=float).reshape(strings.shape)
    return GivenNumbers(values, _with_zeros_held(values, resolution))


def at_precision(resolution: Array, rtol: float, atol: float) -> Any:
    """``same(answer, value)``: each entry within one unit of its last digit, or within the usual tolerance.

    >>> same = at_precision(np.array([1e-4, 1e-4]), 1e-6, 0.0)
    >>> same(np.array([0.1235, 0.5]), np.array([0.12345678, 0.5]))
    True
    >>> same(np.array([0.1237, 0.5]), np.array([0.1235, 0.5]))
    False
    """

    def same(answer: Array, value: Array) -> bool:
        if answer.size != resolution.size:
            return False
        scale = float(np.max(np.abs(value), initial=0.0))
        bound = np.maximum(resolution.reshape(answer.shape) * (1 + 1e-9), atol + rtol * scale)
        return bool(np.all(np.abs(answer - value) <= bound))

    return same
