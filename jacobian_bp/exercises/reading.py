"""Answers as the command line and a folder of answers give them: typed text, a file, or standard input.

A file is data, never code: a ``.npy`` file is loaded without pickles after its
header says it holds at most :data:`MAX_ENTRIES` real numbers, text is read
as UTF-8 up to :data:`MAX_BYTES`, a symbolic link or a device is refused, and
a formula's text goes to the grammar of :mod:`jacobian_bp.symbolic.grammar`
when it is graded. Whatever a file holds, reading it ends in an answer or in
:class:`~jacobian_bp.errors.InvalidArgumentError` saying why it cannot be read.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from jacobian_bp.answers.precision import GivenNumbers
from jacobian_bp.answers.precision import read_numbers as read_numbers_as_typed
from jacobian_bp.errors import InvalidArgumentError, ParseError

Array = np.ndarray

#: The files ``jacobian-bp exercise check`` reads numbers from.
NUMBER_FILES = (".npy", ".csv", ".txt")
#: The files an answer can be in: numbers in all three, a formula or a shape in ``.txt``.
ANSWER_FILES = NUMBER_FILES
#: The largest answer file read (an exercise's answer has at most a few hundred numbers).
MAX_BYTES = 1_000_000
#: The most numbers a ``.npy`` answer may hold.
MAX_ENTRIES = 100_000


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


def read_numbers(text: str) -> Array | GivenNumbers:
    """Numbers from a ``.npy``, ``.csv`` or ``.txt`` file (by name), or written out: ``0.25``, ``[[0.1, 0.2]]``.

    A ``.csv`` file holds a table (one row per line, commas between columns) or a
    single row; arrays with more than two axes need a ``.npy`` file.

    >>> read_numbers("[[0.5, 1], [2, -1e-3]]").values
    array([[ 5.e-01,  1.e+00],
           [ 2.e+00, -1.e-03]])
    """
    path = Path(text)
    if path.suffix.lower() in NUMBER_FILES:
        return read_file(path, "numbers")
    return numbers_from_text(text, repr(text))


def numbers_from_text(text: str, what: str) -> GivenNumbers:
    """Numbers written out — a list as ``[[0.1, 0.2], [0.3, 0.4]]``, or rows of a table, commas between columns —
    never a file's name: what a file holds is read as it is, by the grader's reader of numbers
    (:func:`jacobian_bp.answers.precision.read_numbers`), which keeps the digits typed. ``what`` names the
    text in an error.

    >>> numbers_from_text("0.5, 1\\n2, 3\\n", "the file").values
    array([[0.5, 1. ],
           [2. , 3. ]])
    """
    try:
        return read_numbers_as_typed(text)
    except ParseError as error:
        raise InvalidArgumentError(
            f"cannot read {what} as numbers ({error}): give a .npy or .csv file, or a list such as "
            "[[0.1, 0.2], [0.3, 0.4]]"
        ) from None


def read_file(path: Path, kind: str) -> Any:
    """The answer in the file ``path`` for an exercise of ``kind``, or an error saying why it cannot be read.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "4.txt").write_text("1x3\\n")
    ...     read_file(Path(folder) / "4.txt", "shape")
    4
    (1, 3)
    """
    where = f"the answer file {str(path)!r}"
    suffix = path.suffix.lower()
    if suffix not in ANSWER_FILES or (kind != "numbers" and suffix != ".txt"):
        valid = ", ".join(ANSWER_FILES) if kind == "numbers" else ".txt"
        raise InvalidArgumentError(f"cannot read {where}: a {kind} answer is in a {valid} file")
    if path.is_symlink():
        raise InvalidArgumentError(f"cannot read {where}: it is a symbolic link; give the file itself")
    if not path.exists():
        raise InvalidArgumentError(f"cannot read {where}: no such file")
    if not path.is_file():
        raise InvalidArgumentError(f"cannot read {where}: it is not a regular file")
    try:
        with path.open("rb") as stream:
            if suffix == ".npy":
                return _npy(stream, where)
            return text_answer(_bounded(stream, where), kind, where)
    except OSError as error:
        raise InvalidArgumentError(f"cannot read {where}: {error.strerror or error}") from None


def read_stdin(kind: str) -> Any:
    """The answer typed or piped on standard input (``-`` on the command line)."""
    return text_answer(_bounded(sys.stdin.buffer, "standard input"), kind, "standard input")


def text_answer(data: bytes, kind: str, where: str) -> Any:
    """An answer from a file's bytes: UTF-8 text, read as a shape, numbers, or a formula (kept as text).

    >>> text_answer(b"-(t - z) h1\\n", "formula", "the file")
    '-(t - z) h1'
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgumentError(f"cannot read {where}: it is not UTF-8 text") from None
    if "\x00" in text:
        raise InvalidArgumentError(f"cannot read {where}: it holds NUL bytes, so it is not text")
    if not text.strip():
        raise InvalidArgumentError(f"cannot read {where}: it is empty")
    if kind == "numbers":
        return numbers_from_text(text, where)
    if kind == "shape":
        return read_shape(text.strip())
    return text.strip()


def _bounded(stream: BinaryIO, where: str) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidArgumentError(f"cannot read {where}: it is larger than {MAX_BYTES:,} bytes; an answer is smaller")
    return data


def _npy(stream: BinaryIO, where: str) -> Array:
    """A ``.npy`` file of real numbers: the header is checked before any data is read, and pickles are refused."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format version {version} is not one this reader knows")
        if dtype.hasobject or dtype.kind not in "biuf":
            raise ValueError(f"it holds {dtype}, not real numbers")
        if int(np.prod(shape, dtype=object)) > MAX_ENTRIES:
            raise ValueError(f"its header claims shape {shape}, over {MAX_ENTRIES:,} numbers")
        stream.seek(0)
        return np.asarray(np.load(io.BytesIO(_bounded(stream, where)), allow_pickle=False), dtype=float)
    except (ValueError, EOFError, OSError, TypeError) as error:
        raise InvalidArgumentError(f"cannot read {where}: {error}") from None


def read_answer(text: str, kind: str) -> Any:
    """An answer given on the command line, read the way an exercise of ``kind`` needs it (a formula stays text).

    ``-`` reads standard input; the name of a ``.txt`` file (or ``.npy``, ``.csv``
    for numbers) reads that file; anything else is the answer itself.

    >>> read_answer("3x3x2", "shape"), read_answer("[0.5]", "numbers").values, read_answer("h1", "formula")
    ((3, 3, 2), array([0.5]), 'h1')
    """
    if text == "-":
        return read_stdin(kind)
    if Path(text).suffix.lower() in (NUMBER_FILES if kind == "numbers" else (".txt",)):
        return read_file(Path(text), kind)
    if kind == "shape":
        return read_shape(text)
    if kind == "numbers":
        return read_numbers(text)
    return text
