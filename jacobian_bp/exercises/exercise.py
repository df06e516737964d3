"""An exercise as data: a :class:`Definition` (one record of named fields), and an :class:`Exercise` of it.

A :class:`Definition` says everything about one exercise: its place in the
notes, its statement as a template, how a variant's numbers are drawn
(``draw``), how the correct answer and the classic mistake follow from them,
how an answer is graded, and the worked solution. Binding it to a
:class:`Setting` — today's numbers, or a variant's — gives the
:class:`Exercise` a student reads and answers.

Templates are :class:`string.Template` text: ``$name`` is replaced by
``setting.words["name"]``, the setting's numbers as the statement prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Template
from typing import Any

import numpy as np

from jacobian_bp.answers.verdict import Verdict
from jacobian_bp.network.mlp import MLP

Array = np.ndarray

#: What an answer to an exercise is: a formula (text or SymPy), a shape (``3x3x2``), or numbers (an array).
KINDS = ("formula", "shape", "numbers")


@dataclass(frozen=True)
class Setting:
    """The numbers of one variant of an exercise, and the words its statement prints them with.

    ``words`` fills the ``$name`` fields of the templates; ``net``, ``x``, ``t``
    are the network and the example (exercises on the network), ``wrt`` what
    is asked for where it is one parameter or one entry, ``data`` any other
    numbers an exercise needs (the ``a`` and ``B`` of exercise 7). ``seed`` is
    ``None`` for today's exercise.

    >>> setting = Setting(words={"unit": "₂"}, wrt="w²₂")
    >>> setting.fill("∂J/∂w²$unit"), setting.seed
    ('∂J/∂w²₂', None)
    """

    words: Mapping[str, str] = field(default_factory=dict)
    net: MLP | None = None
    x: Array | None = None
    t: Array | None = None
    wrt: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None

    def fill(self, template: str) -> str:
        """``template`` with every ``$name`` replaced by ``words[name]`` (a name it lacks is a ``KeyError``)."""
        return Template(template).substitute(self.words)


#: ``draw(rng)``: a variant's setting from a random generator, or today's setting when ``rng`` is None.
Draw = Callable[[np.random.Generator | None], Setting]


@dataclass(frozen=True)
class Definition:
    """One exercise as a record: where it belongs, what it asks, how its answer follows from a setting.

    ``statement``, ``title``, ``hints`` and ``worked`` are templates (``$name``
    from the setting's words). ``answer(setting)`` computes the correct answer
    of a variant, ``mistake(setting)`` the classic wrong one, and
    ``check(setting, answer)`` grades an answer (a
    :class:`~jacobian_bp.answers.verdict.Verdict`). ``draw`` makes the setting
    (see :data:`Draw`); the default is one without numbers, the same question
    for every seed. Register a definition of your own with
    :func:`jacobian_bp.exercises.register`.

    >>> definition = jbp.exercises.definition(4)
    >>> definition.kind, definition.answer(definition.draw(None))
    ('shape', '1x3')
    """

    number: int
    slug: str
    section: str
    title: str
    kind: str
    statement: str
    hints: tuple[str, ...]
    answer: Callable[[Setting], Any]
    check: Callable[[Setting, Any], Verdict]
    mistake: Callable[[Setting], Any]
    worked: str
    draw: Draw = lambda rng: Setting()

    def bind(self, setting: Setting) -> Exercise:
        """The exercise a student reads on ``setting``: templates filled, answer and mistake computed."""
        return Exercise(
            number=self.number,
            slug=self.slug,
            section=self.section,
            title=setting.fill(self.title),
            statement=setting.fill(self.statement),
            hints=tuple(setting.fill(hint) for hint in self.hints),
            kind=self.kind,
            checker=lambda answer: self.check(setting, answer),
            solution=self.answer(setting),
            worked=setting.fill(self.worked),
            mistake=self.mistake(setting),
            setting=setting,
        )


@dataclass(frozen=True)
class Exercise:
    """An exercise on the notes: ``statement``, ``hints``, a ``checker`` and a ``solution`` it accepts.

    ``kind`` says what an answer is (:data:`KINDS`); ``solution`` is an answer
    of that kind and ``worked`` the reasoning that leads to it. ``mistake`` is
    a wrong answer a student often gives, which the checker diagnoses. A
    variant (``jbp.exercises.get(n, seed=...)``) shows its numbers as ``net``,
    ``x``, ``t``, ``wrt`` and its ``seed``: exactly the numbers its statement prints.

    >>> exercise = jbp.exercises.get(4)
    >>> exercise.kind, exercise.check(exercise.solution).correct, exercise.check("3x1").mistake
    ('shape', True, 'transposed')
    >>> variant = jbp.exercises.get(6, seed=7)
    >>> variant.seed, variant.net.sizes, variant.check(variant.solution).correct
    (7, (2, 3, 1), True)
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
    setting: Setting = field(default_factory=Setting, repr=False)

    @property
    def seed(self) -> int | None:
        """The variant's seed, ``None`` for today's exercise."""
        return self.setting.seed

    @property
    def net(self) -> MLP | None:
        """The network the statement prints (exercises on the network), else None."""
        return self.setting.net

    @property
    def x(self) -> Array | None:
        """The example's input (or the batch's inputs) the statement gives, else None."""
        return self.setting.x

    @property
    def t(self) -> Array | None:
        """The example's target (or the batch's targets) the statement gives, else None."""
        return self.setting.t

    @property
    def wrt(self) -> str | None:
        """What the exercise differentiates by, where it asks for one parameter or one entry, else None."""
        return self.setting.wrt

    def check(self, answer: Any) -> Verdict:
        """Grade ``answer`` (a formula, a shape or numbers, as :attr:`kind` says)."""
        return self.checker(answer)

    def __str__(self) -> str:
        hints = "\n".join(f"  hint {i}: {hint}" for i, hint in enumerate(self.hints, start=1))
        return f"Exercise {self.number} — {self.title} ({self.section})\n\n{self.statement}\n\n{hints}"
