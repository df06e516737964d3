"""The notes' names as SymPy symbols: ``w¹₁₂`` is row 1, column 2 of ``W¹`` (layer up, unit down).

A layer of one unit drops its subscript (``a²``, ``b²``, ``z``, ``t``) and a
one-row weight matrix is indexed by column (the notes' ``w²₁, w²₂, w²₃``).
Names depend only on the widths, so networks and ``evaluate`` agree on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy

from jacobian_bp.chain.jacobian import subscript, superscript

Array = np.ndarray


def symbol(name: str) -> sympy.Symbol:
    """The real SymPy symbol called ``name``; the same name always gives the same symbol.

    >>> symbol("x₁") == sympy.Symbol("x₁", real=True)
    True
    """
    return sympy.Symbol(name, real=True)


def vector_symbols(base: str, layer: int | None, size: int) -> Array:
    """``base^layer_i`` for ``i = 1..size`` as an object array; no subscript for a single unit.

    >>> vector_symbols("a", 1, 3), vector_symbols("a", 2, 1), vector_symbols("x", None, 2)
    (array([a¹₁, a¹₂, a¹₃], dtype=object), array([a²], dtype=object), array([x₁, x₂], dtype=object))
    """
    head = base + ("" if layer is None else superscript(layer))
    names = [head] if size == 1 else [head + subscript(i + 1) for i in range(size)]
    return np.array([symbol(name) for name in names], dtype=object)


def weight_symbols(layer: int, rows: int, cols: int) -> Array:
    """``W^layer`` of shape ``(rows, cols)``: ``w^k_ij``, ``w^k_j`` for a single row (as the notes do), ``w^k`` for 1×1.

    >>> weight_symbols(2, 1, 3)
    array([[w²₁, w²₂, w²₃]], dtype=object)
    >>> weight_symbols(1, 3, 2)[2]
    array([w¹₃₁, w¹₃₂], dtype=object)
    """
    head = "w" + superscript(layer)
    W = np.empty((rows, cols), dtype=object)
    for i, j in np.ndindex(rows, cols):
        if rows == cols == 1:
            W[i, j] = symbol(head)
        else:
            W[i, j] = symbol(head + (subscript(j + 1) if rows == 1 else subscript(i + 1, j + 1)))
    return W


def network_symbols(sizes: Sequence[int]) -> dict[str, Array]:
    """Every symbol of a network with these layer sizes, by role.

    Keys: the parameter names ``"W1", "b1", ...``, ``"x"`` and ``"t"`` (one
    example and its target), and ``"a1", "h1", ...`` for the pre-activations
    and activations of each layer; the last layer's activations are ``z``.

    >>> names = network_symbols([2, 3, 1])
    >>> names["b1"], names["W2"]
    (array([b¹₁, b¹₂, b¹₃], dtype=object), array([[w²₁, w²₂, w²₃]], dtype=object))
    >>> names["t"], names["h2"], names["h1"]
    (array([t], dtype=object), array([z], dtype=object), array([h¹₁, h¹₂, h¹₃], dtype=object))
    """
    depth = len(sizes) - 1
    symbols = {"x": vector_symbols("x", None, sizes[0]), "t": vector_symbols("t", None, sizes[-1])}
    for k in range(1, depth + 1):
        symbols[f"W{k}"] = weight_symbols(k, sizes[k], sizes[k - 1])
        symbols[f"b{k}"] = vector_symbols("b", k, sizes[k])
        symbols[f"a{k}"] = vector_symbols("a", k, sizes[k])
        symbols[f"h{k}"] = vector_symbols("z", None, sizes[k]) if k == depth else vector_symbols("h", k, sizes[k])
    return symbols
