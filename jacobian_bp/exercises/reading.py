"""Answers as the command line receives them: a shape such as ``3x3x2``, numbers in a file or a list."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from jacobian_bp.errors import InvalidArgumentError

Array = np.ndarray

#: The files ``jacobian-bp exercise check`` reads numbers from.
NUMBER_FILES = (".npy", ".csv", ".txt")


def read_shape(text: str) -> tuple[int, ...]:
    """``"3x3x2"``, ``"3×3×2"``, ``"(3, 3, 2)"`` or ``"3,3,2"`` as ``(3, 3, 2)``; ``"1"`` or ``"()"`` is a scalar.

    >>> read_shape("3x3x2"), read_shape("(1, 3)"), read_shape("3 × 2")
    ((3, 3, 2), (1, 3), (3, 2))
    """
    cleaned = text.strip().strip("()[]").strip()
    if cleaned == "":
        return ()
    parts = re.split(r"\s*[x×,*]\s*", cleaned)
    if not all(part.isdigit() for part in parts):
        raise InvalidArgumentError(f"cannot read {text!r} as a shape; write the axes' lengths as in 3x3x2 or (3, 3, 2)")
    return tuple(int(part) for part in parts)


def read_numbers(text: str) -> Array:
    """Numbers from a ``.npy`` or ``.csv`` file (by name), or written out: ``0.25``, ``[[0.1, 0.2], [0.3, 0.4]]``.

    A ``.csv`` file holds a table (one row per line, commas between columns) or a
    single row; arrays with more than two axes need a ``.npy`` file.

    >>> read_numbers("[[0.5, 1], [2, -1e-3]]")
    array([[ 5.e-01,  1.e+00],
           [ 2.e+00, -1.e-03]])
    """
    path = Path(text)
    if path.suffix.lower() in NUMBER_FILES:
        return _load(path)
    try:
        return np.asarray(json.loads(text), dtype=float)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            f"cannot read {text!r} as numbers: give a .npy or .csv file, or a list such as [[0.1, 0.2], [0.3, 0.4]]"
        ) from None


def _load(path: Path) -> Array:
    if not path.is_file():
        raise InvalidArgumentError(f"cannot read the answer file {str(path)!r}: no such file")
    try:
        if path.suffix.lower() == ".npy":
            return np.asarray(np.load(path, allow_pickle=False), dtype=float)
        return np.loadtxt(path, delimiter=",", dtype=float, ndmin=1)
    except (OSError, ValueError) as error:
        raise InvalidArgumentError(f"cannot read the answer file {str(path)!r}: {error}") from None


def read_answer(text: str, kind: str) -> Any:
    """An answer given as text, read the way an exercise of ``kind`` needs it (a formula stays text).

    >>> read_answer("3x3x2", "shape"), read_answer("[0.5]", "numbers"), read_answer("h1", "formula")
    ((3, 3, 2), array([0.5]), 'h1')
    """
    if kind == "shape":
        return read_shape(text)
    if kind == "numbers":
        return read_numbers(text)
    return text
