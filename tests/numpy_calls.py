"""Count the numpy calls a piece of code makes: a hook for checking the cost model's call tables.

The rule is the cost model's (see the tables in :mod:`jacobian_bp.cost_model`): a ufunc call
(operators, ``np.exp``, reductions such as ``.sum()``) or a call that makes a new array counts
once; views (indexing, ``reshape``, ``.T``, ``np.broadcast_to``) do not, and nor do the calls numpy
makes inside a counted one. Arrays handed to the code are wrapped in :class:`Counted`, an ndarray
subclass whose ``__array_ufunc__`` / ``__array_function__`` hooks count; results stay wrapped, so
the count follows them through the code. ``np.eye``, ``np.zeros`` and ``np.full`` take no array to
dispatch on, so :func:`counting` wraps them for the duration; and it lets ``np.asarray`` hand a
:class:`Counted` array through unchanged (it is not a call: no new array), so that the arrays the
library wraps in its Jacobian objects are still counted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

#: Array functions that return a view or no array: not numpy calls in the cost model's sense.
VIEWS = {np.broadcast_to, np.reshape, np.moveaxis, np.atleast_1d, np.atleast_2d, np.transpose, np.shape, np.ndim}


class _State:
    calls = 0
    depth = 0  # > 0 inside a counted call: what numpy does inside it is not counted again


def _plain(value: Any) -> Any:
    if isinstance(value, Counted):
        return value.view(np.ndarray)
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, np.ndarray) and not isinstance(value, Counted):
        return value.view(Counted)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    return value


def _counted_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    if _State.depth == 0:
        _State.calls += 1
    _State.depth += 1
    try:
        return function(*_plain(args), **{key: _plain(v) for key, v in kwargs.items()})
    finally:
        _State.depth -= 1


class Counted(np.ndarray):
    """An ndarray whose numpy calls are counted (see the module docstring)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        result = _counted_call(getattr(ufunc, method), *inputs, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in VIEWS:
            return _wrap(func(*_plain(args), **{key: _plain(v) for key, v in kwargs.items()}))
        return _wrap(_counted_call(func, *args, **kwargs))

    def astype(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(_counted_call(np.ndarray.astype, self, *args, **kwargs))

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(_counted_call(np.ndarray.copy, self, *args, **kwargs))


def counted(value: Any) -> Any:
    """``value`` as a :class:`Counted` array (a view: nothing is copied)."""
    return np.asarray(value, dtype=float).view(Counted)


@contextlib.contextmanager
def counting() -> Iterator[_State]:
    """Count from zero while the block runs; ``state.calls`` holds the count."""
    originals = {name: getattr(np, name) for name in ("eye", "zeros", "full", "asarray")}

    def counting_version(original: Any) -> Any:
        return lambda *args, **kwargs: _wrap(_counted_call(original, *args, **kwargs))

    _State.calls, _State.depth = 0, 0
    try:
        for name in ("eye", "zeros", "full"):
            setattr(np, name, counting_version(originals[name]))
        plain_asarray = originals["asarray"]
        np.asarray = lambda value, *args, **kwargs: (  # type: ignore[assignment]
            value if isinstance(value, Counted) and not args and not kwargs else plain_asarray(value, *args, **kwargs)
        )
        yield _State
    finally:
        for name, original in originals.items():
            setattr(np, name, original)
