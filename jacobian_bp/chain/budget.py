"""A memory budget for materialized Jacobians (the price of the notes' "long way").

Every step that materializes an array first works out its bytes and, over the
budget, raises :class:`~jacobian_bp.errors.MemoryBudgetError` instead of
allocating. The budget is the ``max_bytes=`` argument, else the environment
variable ``JACOBIAN_BP_MAX_BYTES``, else 1 GiB; it applies to each array alone.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence

import numpy as np

from jacobian_bp.errors import InputTypeError, InvalidArgumentError, MemoryBudgetError

#: The budget when neither ``max_bytes=`` nor the environment variable sets one: 1 GiB.
DEFAULT_MAX_BYTES = 2**30

#: The environment variable that sets the budget for a whole session.
MAX_BYTES_ENV = "JACOBIAN_BP_MAX_BYTES"

#: What to do about a Jacobian over the budget, in Python terms (the command line words it in flags).
BUDGET_ADVICE = (
    "Use method='outer' or method='backprop', which never materialize a Jacobian, a smaller batch, "
    f"or a larger budget (max_bytes=... or the environment variable {MAX_BYTES_ENV})"
)

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"^\s*(?P<number>\d+)\s*(?P<unit>[KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


def parse_bytes(text: str, source: str = MAX_BYTES_ENV) -> int:
    """Read a byte count such as ``"1048576"``, ``"512M"``, ``"2GiB"`` (units are powers of 1024).

    >>> parse_bytes("512M"), parse_bytes("2GiB"), parse_bytes("4096")
    (536870912, 2147483648, 4096)
    """
    match = _SIZE.match(text)
    size = int(match["number"]) * _UNITS[match["unit"].upper()] if match else 0
    if size <= 0:
        raise InvalidArgumentError(
            f"{source} must be a positive whole number of bytes, optionally followed by K, M, G or T "
            f"(powers of 1024), e.g. 536870912 or 512M; got {text!r}"
        )
    return size


class Budget(int):
    """A memory budget in bytes that has been resolved and checked: what the entry points hand inward.

    Each public entry point resolves ``max_bytes`` once (:func:`resolve_max_bytes`); the functions it
    calls take the :class:`Budget` as it is, without reading the environment or checking it again.

    >>> Budget(4096) == 4096, isinstance(resolve_max_bytes(4096), Budget)
    (True, True)
    """


#: The default budget, resolved once: most calls use it.
_DEFAULT_BUDGET = Budget(DEFAULT_MAX_BYTES)


def resolve_max_bytes(max_bytes: int | None = None) -> Budget:
    """The budget in bytes: ``max_bytes`` if given, else ``$JACOBIAN_BP_MAX_BYTES``, else 1 GiB.

    An already resolved :class:`Budget` is returned as it is.

    >>> resolve_max_bytes(4096), resolve_max_bytes() == DEFAULT_MAX_BYTES
    (4096, True)
    """
    if isinstance(max_bytes, Budget):
        return max_bytes
    if max_bytes is None:
        from_env = os.environ.get(MAX_BYTES_ENV)
        return _DEFAULT_BUDGET if from_env is None else Budget(parse_bytes(from_env))
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int | np.integer):
        raise InputTypeError(f"max_bytes must be a whole number of bytes or None, got {max_bytes!r}")
    if max_bytes <= 0:
        raise InvalidArgumentError(f"max_bytes must be positive, got {max_bytes}")
    return Budget(max_bytes)


def format_bytes(size: int) -> str:
    """A byte count for people: ``1.5 KiB``, ``3.0 GiB``.

    >>> format_bytes(1536), format_bytes(100)
    ('1.5 KiB', '100 B')
    """
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def check_budget(name: str, shape: Sequence[int], max_bytes: int | None = None, dtype: type = np.float64) -> int:
    """The bytes an array of ``shape`` takes; :class:`MemoryBudgetError` if that exceeds the budget.

    Call it *before* allocating: it only multiplies the shape out.

    >>> check_budget("∂H¹/∂A¹", (4, 3, 4, 3), max_bytes=2**20)
    1152
    >>> check_budget("∂H¹/∂A¹", (1000, 3, 1000, 3), max_bytes=2**20)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.MemoryBudgetError: materializing ∂H¹/∂A¹ of shape (1000, 3, 1000, 3) would take ...
    """
    budget = max_bytes if isinstance(max_bytes, Budget) else resolve_max_bytes(max_bytes)
    shape = tuple(map(int, shape))
    size = math.prod(shape) * np.dtype(dtype).itemsize
    if size > budget:
        raise MemoryBudgetError(
            f"materializing {name} of shape {shape} would take {size:,} bytes ({format_bytes(size)}), more than "
            f"the memory budget of {budget:,} bytes ({format_bytes(budget)}); nothing was allocated.",
            advice=BUDGET_ADVICE,
        )
    return size
