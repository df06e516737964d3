"""Exercises on the notes, each with a statement, hints, a checker and a worked solution; a variant per student.

>>> [(e.number, e.kind) for e in jbp.exercises.EXERCISES][:4]
[(1, 'formula'), (2, 'formula'), (3, 'formula'), (4, 'shape')]
>>> exercise = jbp.exercises.get(7)
>>> exercise.check([[8, 10], [20, 22]]).correct, exercise.check([[8, 20], [10, 22]]).mistake
(True, 'transposed')

A teacher gives each student a variant: ``jbp.exercises.get(6, seed=jbp.exercises.seed_for("s1234567"))``
has its own network and example, printed in its statement.

From the shell: ``jacobian-bp exercise list``, ``jacobian-bp exercise show 7 --student s1234567``,
``jacobian-bp exercise check 7 answer.npy`` (exit status 0 when right, 1 when not),
``jacobian-bp exercise sheet --student s1234567 --key``, ``jacobian-bp exercise grade FOLDER``.
"""

from __future__ import annotations

from typing import Any

from jacobian_bp.exercises.drawing import SEEDS, seed_for
from jacobian_bp.exercises.exercise import KINDS, Definition, Exercise, Setting
from jacobian_bp.exercises.grading import Row, grade_folder
from jacobian_bp.exercises.handout import sheet
from jacobian_bp.exercises.registry import definition, every, get, register, unregister, validate


def __getattr__(name: str) -> Any:
    # EXERCISES follows the registry: an exercise registered later is listed too.
    if name == "EXERCISES":
        return every()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXERCISES",
    "KINDS",
    "SEEDS",
    "Definition",
    "Exercise",
    "Row",
    "Setting",
    "definition",
    "every",
    "get",
    "grade_folder",
    "register",
    "seed_for",
    "sheet",
    "unregister",
    "validate",
]
