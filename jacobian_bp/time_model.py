"""The time model: seconds per unit of work on this machine, measured, not fitted.

A :class:`~jacobian_bp.cost_model.Cost` counts a path's work — multiply-adds,
bytes written and read, numpy operations. :func:`calibrate` measures what each
unit costs here with micro-benchmarks that know nothing of the gradient paths,
and :meth:`~jacobian_bp.cost_model.Cost.predicted_seconds` multiplies the two.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.errors import InputTypeError, InvalidArgumentError

#: Bytes of one float64 entry.
ENTRY_BYTES = np.dtype(np.float64).itemsize


@dataclass(frozen=True)
class Machine:
    """Seconds per unit of work on one machine: the constants of the time model.

    ``predicted seconds = multiply-adds · seconds_per_multiply_add
    + bytes written · seconds_per_byte_written + bytes read · seconds_per_byte_read
    + operations · seconds_per_operation`` (:meth:`Cost.predicted_seconds`).
    :func:`calibrate` measures the four constants with micro-benchmarks that know
    nothing of the gradient paths.

    >>> Machine(seconds_per_multiply_add=5e-11, seconds_per_byte_written=1e-10,
    ...         seconds_per_byte_read=3e-11, seconds_per_operation=4e-7).seconds_per_operation
    4e-07
    >>> Machine(5e-11, 1e-10, 3e-11, 0.0)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: seconds_per_operation must be a positive finite number of seconds, ...
    """

    seconds_per_multiply_add: float
    seconds_per_byte_written: float
    seconds_per_byte_read: float
    seconds_per_operation: float

    def __post_init__(self) -> None:
        for constant in dataclasses.fields(self):
            _check_seconds(constant.name, getattr(self, constant.name))

    def __str__(self) -> str:
        return (
            f"{1e9 * self.seconds_per_multiply_add:.3g} ns per multiply-add, "
            f"{1e9 * self.seconds_per_byte_written:.3g} ns per byte written, "
            f"{1e9 * self.seconds_per_byte_read:.3g} ns per byte read, "
            f"{1e6 * self.seconds_per_operation:.3g} µs per operation"
        )


def _check_seconds(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputTypeError(f"{name} must be a number of seconds, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"{name} must be a positive finite number of seconds, got {value!r}")


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputTypeError(f"{name} must be a whole number, got {value!r}")
    if value <= 0:
        raise InvalidArgumentError(f"{name} must be positive, got {value}")
    return int(value)


def best_time(run: Callable[[], Any], repeats: int) -> float:
    """The shortest of ``repeats`` timings of ``run()``: the run least disturbed by everything else.

    >>> best_time(lambda: sum(range(100)), repeats=3) > 0
    True
    """
    best = math.inf
    for _ in range(_check_count("repeats", repeats)):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def calibrate(
    repeats: int = 5, matmul_size: int = 512, stream_bytes: int = 64 * 2**20, small_calls: int = 2000
) -> Machine:
    """Measure this machine's :class:`Machine` constants with four path-independent micro-benchmarks.

    * multiply-adds: a square matrix product of ``matmul_size`` (BLAS at full speed);
    * bytes written: filling a freshly allocated array of ``stream_bytes`` —
      larger than the caches, so page faults and memory bandwidth are included, as
      when a large Jacobian is materialized;
    * bytes read: summing an existing array of ``stream_bytes``;
    * operations: one numpy call on tiny arrays, the fixed price every call pays.

    Each is the best of ``repeats`` runs. Nothing here runs a gradient path, so
    the constants cannot be tuned to one.

    >>> machine = calibrate(repeats=1, matmul_size=64, stream_bytes=2**20, small_calls=10)
    >>> machine.seconds_per_multiply_add > 0 and machine.seconds_per_operation > 0
    True
    """
    repeats, size = _check_count("repeats", repeats), _check_count("matmul_size", matmul_size)
    entries = _check_count("stream_bytes", stream_bytes) // ENTRY_BYTES
    small_calls = _check_count("small_calls", small_calls)
    if entries == 0:
        raise InvalidArgumentError(
            f"stream_bytes must hold at least one float64 ({ENTRY_BYTES} bytes), got {stream_bytes}"
        )
    rng = np.random.default_rng(0)
    left, right = rng.random((size, size)), rng.random((size, size))
    streamed = np.full(entries, 1.0)
    tiny = np.ones(4)

    def small_operations() -> None:
        for _ in range(small_calls):
            np.multiply(tiny, tiny)

    nbytes = entries * ENTRY_BYTES
    return Machine(
        seconds_per_multiply_add=best_time(lambda: left @ right, repeats) / size**3,
        seconds_per_byte_written=best_time(lambda: np.full(entries, 1.0), repeats) / nbytes,
        seconds_per_byte_read=best_time(streamed.sum, repeats) / nbytes,
        seconds_per_operation=best_time(small_operations, repeats) / small_calls,
    )
