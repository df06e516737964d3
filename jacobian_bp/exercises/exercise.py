"""One exercise: what to do, hints, a checker that grades an answer, and a worked solution."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jacobian_bp.answers.verdict import Verdict

#: What an answer to an exercise is: a formula (text or SymPy), a shape (``3x3x2``), or numbers (an array).
KINDS = ("formula", "shape", "numbers")


@dataclass(frozen=True)
class Exercise:
    """An exercise on the notes: ``statement``, ``hints``, a ``checker`` and a ``solution`` it accepts.

    ``kind`` says what an answer is (:data:`KINDS`); ``solution`` is an answer
    of that kind and ``worked`` the reasoning that leads to it. ``mistake`` is
    a wrong answer a student often gives, which the checker diagnoses.

    >>> exercise = jbp.exercises.get(4)
    >>> exercise.kind, exercise.check(exercise.solution).correct, exercise.check("3x1").mistake
    ('shape', True, 'transposed')
    """

    number: int
    slug: str
    section: str
    title: str
    statement: str
    hints: tuple[str, ...]
    kind: str
    checker: Callable[[Any], Verdict]
    solution: Any
    worked: str
    mistake: Any

    def check(self, answer: Any) -> Verdict:
        """Grade ``answer`` (a formula, a shape or numbers, as :attr:`kind` says)."""
        return self.checker(answer)

    def __str__(self) -> str:
        hints = "\n".join(f"  hint {i}: {hint}" for i, hint in enumerate(self.hints, start=1))
        return f"Exercise {self.number} — {self.title} ({self.section})\n\n{self.statement}\n\n{hints}"
