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
    """Materializing a Jacobian would exceed the memory budget."""


class InvalidArgumentError(JacobianBPError, ValueError):
    """An argument has the right type and shape but a value that is not allowed.

    Targets outside [0, 1] for a cross-entropy, a loss used with an output
    activation it is not defined on, a non-positive learning rate.
    """


class MissingDependencyError(JacobianBPError, ImportError):
    """An optional feature needs a package that is not installed; the message names the extra to install."""


class ParseError(JacobianBPError, ValueError):
    """A formula given as text does not parse: the message shows where, and what is allowed there."""
