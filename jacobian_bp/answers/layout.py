"""Shapes of answers: when two layouts hold the same numbers, and what the transposed layout is.

The notes write every gradient as a row (``R^{1×n}``) and a scalar as a plain
number, while the library gives ``∂J/∂b`` the shape ``(n,)`` of ``b``. Leading
axes of length one change neither the entries nor their order, so an answer is
read in the expected shape whenever the two agree once those axes are dropped:
``(1, 3)``, ``(3,)`` and ``(1, 1, 3)`` are one layout, a column ``(3, 1)`` is
another (the transposed one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray
Shape = tuple[int, ...]


def core_shape(shape: Shape) -> Shape:
    """``shape`` without its leading axes of length one.

    >>> core_shape((1, 3)), core_shape((3, 1)), core_shape((1,)), core_shape(())
    ((3,), (3, 1), (), ())
    """
    start = 0
    while start < len(shape) and shape[start] == 1:
        start += 1
    return tuple(shape[start:])


def read_as(answer: Array, shape: Shape) -> Array | None:
    """``answer`` reshaped to ``shape`` if it is the same layout, else ``None``.

    >>> read_as(np.array([[1.0, 2.0, 3.0]]), (3,))
    array([1., 2., 3.])
    >>> read_as(np.array([[1.0], [2.0], [3.0]]), (3,)) is None
    True
    """
    if core_shape(tuple(answer.shape)) != core_shape(tuple(shape)):
        return None
    return answer.reshape(shape)


def transposed(value: Any) -> Array:
    """The denominator layout of a gradient: a matrix transposed, a vector made a column.

    >>> transposed(np.arange(6).reshape(2, 3)).shape, transposed(np.arange(3)).shape
    ((3, 2), (3, 1))
    """
    array = np.asarray(value)
    return array[:, None] if array.ndim == 1 else array.T


def shape_text(shape: Shape) -> str:
    """A shape the way the notes write a space: ``3×2``, ``3``, or ``a scalar`` for no axes.

    >>> shape_text((3, 2)), shape_text((3,)), shape_text(())
    ('3×2', '3', 'a scalar')
    """
    return "×".join(str(n) for n in shape) if shape else "a scalar"


def has_shape(shape: Shape) -> str:
    """``has shape 3×2``, or ``is a scalar`` for no axes: the phrase a sentence about a shape needs.

    >>> has_shape((3, 2)), has_shape(())
    ('has shape 3×2', 'is a scalar')
    """
    return f"has shape {shape_text(shape)}" if shape else "is a scalar"
