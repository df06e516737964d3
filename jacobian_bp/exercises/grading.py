"""A class's answers graded at once: ``FOLDER/<student>/<N>.<ext>``, each against that student's variant.

Every (student, exercise) gets one :class:`Row`: graded (right, or the mistake
named), ``missing`` when there is no file for it, ``unreadable`` (with the
reason) when its file cannot be read or graded. A file is read as data
(:func:`~jacobian_bp.exercises.reading.read_file`), never run, and one bad
file never stops the others.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jacobian_bp.errors import InvalidArgumentError, JacobianBPError
from jacobian_bp.exercises.drawing import seed_for
from jacobian_bp.exercises.exercise import Exercise
from jacobian_bp.exercises.reading import ANSWER_FILES, read_file
from jacobian_bp.exercises.registry import every

#: The columns of the CSV that :func:`grade_folder` writes.
COLUMNS = ("student", "exercise", "correct", "mistake", "detail")


@dataclass(frozen=True)
class Row:
    """One student's answer to one exercise: ``correct``, and otherwise the ``mistake`` and its ``detail``.

    ``mistake`` is a key of ``jbp.MISTAKES``, ``"missing"`` or ``"unreadable"``.

    >>> Row("ada", 4, False, "missing", "no file 4.txt").as_csv()
    ['ada', '4', 'false', 'missing', 'no file 4.txt']
    """

    student: str
    exercise: int
    correct: bool
    mistake: str = ""
    detail: str = ""

    def as_csv(self) -> list[str]:
        """The row's cells, in the order of :data:`COLUMNS`."""
        return [self.student, str(self.exercise), "true" if self.correct else "false", self.mistake, self.detail]


def grade_answer(exercise: Exercise, student: str, files: list[Path], reveal: bool = False) -> Row:
    """The row for one exercise of one student, given the files named after it (none, one, or too many).

    The detail is the verdict's report on one line, without the correct value unless ``reveal``.
    """
    if not files:
        wanted = ".txt" if exercise.kind != "numbers" else "/".join(ANSWER_FILES)
        return Row(student, exercise.number, False, "missing", f"no file {exercise.number}{wanted}")
    if len(files) > 1:
        names = ", ".join(sorted(path.name for path in files))
        return Row(student, exercise.number, False, "unreadable", f"more than one answer file: {names}; keep one")
    try:
        verdict = exercise.check(read_file(files[0], exercise.kind))
    except (JacobianBPError, RecursionError, MemoryError, OverflowError) as error:
        return Row(student, exercise.number, False, "unreadable", _one_line(str(error)))
    except Exception as error:
        reason = f"the grader could not grade it ({type(error).__name__}: {error})"
        return Row(student, exercise.number, False, "unreadable", _one_line(reason))
    if verdict.correct:
        return Row(student, exercise.number, True)
    return Row(student, exercise.number, False, verdict.mistake or "", _one_line(verdict.report(reveal=reveal)))


def _one_line(text: str) -> str:
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def students(folder: Path) -> list[Path]:
    """The student folders of ``folder``: its sub-folders, hidden ones and symbolic links left out, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def grade_folder(folder: str | Path, reveal: bool = False) -> Iterator[Row]:
    """One :class:`Row` per (student, exercise) of ``folder``, as each is graded; student ``s`` answers
    variant ``seed_for(s)``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "ada").mkdir()
    ...     _ = (Path(folder) / "ada" / "4.txt").write_text("1x3")
    ...     rows = list(grade_folder(folder))
    >>> rows[3], rows[0].mistake
    (Row(student='ada', exercise=4, correct=True, mistake='', detail=''), 'missing')
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidArgumentError(f"cannot grade {str(folder)!r}: it is not a folder")
    for student_folder in students(root):
        exercises = every(seed_for(student_folder.name))
        by_number: dict[int, list[Path]] = {exercise.number: [] for exercise in exercises}
        for path in student_folder.iterdir():
            if path.stem.isascii() and path.stem.isdigit() and int(path.stem) in by_number:
                by_number[int(path.stem)].append(path)
            else:
                warnings.warn(f"ignored {path}: not named after an exercise (1.txt, 6.npy, …)", stacklevel=2)
        for exercise in exercises:
            yield grade_answer(exercise, student_folder.name, by_number[exercise.number], reveal)


def csv_text(rows: list[Row], header: bool = True) -> str:
    """Rows as CSV text (the header line first when ``header``).

    >>> print(csv_text([Row("ada", 4, True)]), end="")
    student,exercise,correct,mistake,detail
    ada,4,true,,
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(row.as_csv() for row in rows)
    return out.getvalue()
