"""Which exercises there are: the catalogue's, and any a teacher registers; each one today's or a variant.

:func:`register` checks a new :class:`~jacobian_bp.exercises.exercise.Definition`
with the same test the catalogue passes (:func:`validate`): on today's setting
and on a few variants, its answer is graded correct and its classic mistake is not.
"""

from __future__ import annotations

from dataclasses import replace

from jacobian_bp.errors import InvalidArgumentError, UnknownNameError
from jacobian_bp.exercises.catalogue import DEFINITIONS
from jacobian_bp.exercises.drawing import check_seed, generator
from jacobian_bp.exercises.exercise import KINDS, Definition, Exercise

#: Every exercise's definition, by number; the catalogue's first, then the registered ones.
_DEFINITIONS: dict[int, Definition] = {definition.number: definition for definition in DEFINITIONS}
#: Today's exercises (no seed), built once each: ``get(7) is get(7)``.
_TODAY: dict[int, Exercise] = {}

#: The variants :func:`validate` tries besides today's exercise.
VALIDATION_SEEDS = (0, 1, 2)


def definition(number: int | str) -> Definition:
    """The definition of exercise ``number`` (1-based, as listed) or of the one with that slug.

    >>> jbp.exercises.definition("a-times-B").number
    7
    """
    for known in _DEFINITIONS.values():
        if str(number) in (str(known.number), known.slug):
            return known
    raise UnknownNameError.for_choice("exercise", number, [str(n) for n in sorted(_DEFINITIONS)])


def bind(known: Definition, seed: int | None) -> Exercise:
    """``known`` on today's setting (``seed=None``) or on variant ``seed``'s."""
    if seed is None:
        return known.bind(known.draw(None))
    setting = known.draw(generator(check_seed(seed), known.number))
    return known.bind(replace(setting, seed=seed))


def get(number: int | str, seed: int | None = None) -> Exercise:
    """Exercise ``number`` (1-based, as listed) or the one with that slug; with a ``seed``, that variant of it.

    A variant of a numeric exercise has its own network and example, of a
    formula exercise another weight or unit; ``seed=None`` is today's exercise.
    An unknown exercise lists the valid choices.

    >>> jbp.exercises.get(2).title, jbp.exercises.get("a-times-B").number
    ('∂J/∂w²₁ for one example', 7)
    >>> jbp.exercises.get(3, seed=5).wrt
    'w¹₃₂'
    """
    known = definition(number)
    if seed is not None:
        return bind(known, seed)
    if known.number not in _TODAY:
        _TODAY[known.number] = bind(known, None)
    return _TODAY[known.number]


def every(seed: int | None = None) -> tuple[Exercise, ...]:
    """Every exercise, in order: today's (``seed=None``) or those of variant ``seed`` — one student's sheet.

    >>> [e.number for e in jbp.exercises.every(seed=3)]
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    """
    return tuple(get(number, seed) for number in sorted(_DEFINITIONS))


def validate(new: Definition, seeds: tuple[int, ...] = VALIDATION_SEEDS) -> None:
    """Check a definition as the catalogue's are checked: its answer is right and its mistake is not, today and
    in the variants of ``seeds``; else :class:`~jacobian_bp.errors.InvalidArgumentError` saying which.

    >>> validate(jbp.exercises.definition(7))
    """
    if new.kind not in KINDS:
        raise InvalidArgumentError(f"exercise {new.number}: kind {new.kind!r} is not one of {', '.join(KINDS)}")
    for seed in (None, *seeds):
        which = "today's exercise" if seed is None else f"variant {seed}"
        try:
            exercise = bind(new, seed)
        except KeyError as missing:
            raise InvalidArgumentError(
                f"exercise {new.number} ({which}): a template names ${missing.args[0]}, which the setting's "
                "words do not have"
            ) from None
        if not exercise.check(exercise.solution).correct:
            raise InvalidArgumentError(f"exercise {new.number} ({which}): its answer is not graded correct")
        if exercise.check(exercise.mistake).correct:
            raise InvalidArgumentError(f"exercise {new.number} ({which}): its classic mistake is graded correct")


def register(new: Definition) -> Definition:
    """Add an exercise of your own: after :func:`validate`, it is listed, drawn, sheeted and graded as the others.

    Its number must be a whole number ≥ 1 that no exercise has, its slug new too.
    :func:`unregister` takes it away again.

    >>> shape = jbp.exercises.definition(4)
    >>> from dataclasses import replace
    >>> mine = jbp.exercises.register(replace(shape, number=11, slug="shape-again"))
    >>> jbp.exercises.get(11).check("1x3").correct
    True
    >>> jbp.exercises.unregister(11)
    """
    if isinstance(new.number, bool) or not isinstance(new.number, int) or new.number < 1:
        raise InvalidArgumentError(f"an exercise's number is a whole number ≥ 1, got {new.number!r}")
    if new.number in _DEFINITIONS:
        raise InvalidArgumentError(
            f"there is already an exercise {new.number} ({_DEFINITIONS[new.number].title!r}); "
            f"the next free number is {max(_DEFINITIONS) + 1}"
        )
    if any(known.slug == new.slug for known in _DEFINITIONS.values()):
        raise InvalidArgumentError(f"there is already an exercise named {new.slug!r}")
    validate(new)
    _DEFINITIONS[new.number] = new
    return new


def unregister(number: int) -> None:
    """Take a registered exercise away again (the catalogue's own cannot be).

    >>> jbp.exercises.unregister(1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: exercise 1 is one of the catalogue's; only registered ones ...
    """
    if any(known.number == number for known in DEFINITIONS):
        raise InvalidArgumentError(
            f"exercise {number} is one of the catalogue's; only registered ones can be taken away"
        )
    if number not in _DEFINITIONS:
        raise UnknownNameError.for_choice("registered exercise", number, [str(n) for n in sorted(_DEFINITIONS)])
    del _DEFINITIONS[number]
    _TODAY.pop(number, None)
