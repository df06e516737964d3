"""The package's own exceptions.

Every error a user can trigger is one of these. Each subclasses the matching
built-in (``ValueError`` or ``TypeError``), so ``except ValueError`` keeps
working, and each message says what was wrong and, where there is a choice,
what the valid choices are.
"""

from __future__ import annotations

from collections.abc import Iterable


class JacobianBPError(Exception):
    """Base class of every error raised by ``jacobian_bp``."""


class ShapeError(JacobianBPError, ValueError):
    """An array or a Jacobian has a shape that does not fit where it is used."""


class ChainError(ShapeError):
    """Two Jacobians cannot be chained: the inner shapes differ."""


class UnknownNameError(JacobianBPError, ValueError):
    """An activation, loss, method or parameter name is not one we know."""

    @classmethod
    def for_choice(cls, what: str, got: object, valid: Iterable[str]) -> UnknownNameError:
        choices = ", ".join(repr(v) for v in valid)
        return cls(f"unknown {what} {got!r}; valid choices are {choices}")


class NonFiniteError(JacobianBPError, ValueError):
    """An input, target or parameter holds NaN or infinity, or a result overflowed."""


class InputTypeError(JacobianBPError, TypeError):
    """An argument is not a real numeric array (strings, objects, complex numbers)."""


class GradcheckError(JacobianBPError, ValueError):
    """An analytic gradient disagrees with finite differences."""


class MemoryBudgetError(JacobianBPError, ValueError, MemoryError):
    """Materializing a Jacobian would exceed the memory budget.

    ``fact`` says what would not fit and ``advice`` what to do instead, in
    Python terms (``method='outer'``); the message is the two together. The
    command line keeps the fact and gives the same advice in flags.

    >>> error = MemoryBudgetError("X would take 2 GiB.", advice="Use method='outer'.")
    >>> str(error), error.fact
    ("X would take 2 GiB. Use method='outer'.", 'X would take 2 GiB.')
    """

    def __init__(self, fact: str, advice: str | None = None) -> None:
        super().__init__(fact if advice is None else f"{fact} {advice}")
        self.fact = fact
        self.advice = advice


class InvalidArgumentError(JacobianBPError, ValueError):
    """An argument has the right type and shape but a value that is not allowed.

    Targets outside [0, 1] for a cross-entropy, a loss used with an output
    activation it is not defined on, a non-positive learning rate.
    """


class MissingDependencyError(JacobianBPError, ImportError):
    """An optional feature needs a package that is not installed; the message names the extra to install."""


class TrainingWarning(UserWarning):
    """Training runs but is not making progress: the loss has not decreased after many epochs.

    A warning, not an error (the run goes on and returns its history); silence
    it with ``warnings.simplefilter("ignore", jbp.TrainingWarning)``.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", jbp.TrainingWarning)
    ...     history = jbp.train(jbp.notes_network(), *jbp.datasets.xor(), lr=1e6, epochs=60)
    >>> history.final_loss > history.initial_loss
    True
    """


class ParseError(JacobianBPError, ValueError):
    """A formula given as text does not parse: the message shows where, and what is allowed there."""


class AnswerTooLargeError(ParseError):
    """An answer is beyond what the grader reads: too long, nested too deep, a power too high, or too much to expand.

    A :class:`ParseError` (the command line's "unreadable", exit 2); raised before the work it would cause.
    """
