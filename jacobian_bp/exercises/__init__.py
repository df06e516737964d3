"""Exercises on the notes, each with a statement, hints, a checker and a worked solution.

>>> [(e.number, e.kind) for e in jbp.exercises.EXERCISES][:4]
[(1, 'formula'), (2, 'formula'), (3, 'formula'), (4, 'shape')]
>>> exercise = jbp.exercises.get(7)
>>> exercise.check([[8, 10], [20, 22]]).correct, exercise.check([[8, 20], [10, 22]]).mistake
(True, 'transposed')

From the shell: ``jacobian-bp exercise list``, ``jacobian-bp exercise show 7``,
``jacobian-bp exercise check 7 answer.npy`` (exit status 0 when right, 1 when not).
"""

from __future__ import annotations

from jacobian_bp.errors import UnknownNameError
from jacobian_bp.exercises.catalogue import EXERCISES
from jacobian_bp.exercises.exercise import KINDS, Exercise


def get(number: int | str) -> Exercise:
    """Exercise ``number`` (1-based, as listed) or the one with that slug; an unknown one lists the valid choices.

    >>> jbp.exercises.get(2).title, jbp.exercises.get("a-times-B").number
    ('∂J/∂w²₁ for one example', 7)
    """
    for exercise in EXERCISES:
        if str(number) in (str(exercise.number), exercise.slug):
            return exercise
    raise UnknownNameError.for_choice("exercise", number, [str(e.number) for e in EXERCISES])


__all__ = ["EXERCISES", "KINDS", "Exercise", "get"]
