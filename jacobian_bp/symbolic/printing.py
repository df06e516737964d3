"""Printing symbolic entries: LaTeX with the notes' names, and matrices as plain text.

The symbols are named with Unicode scripts (``w¹₁₂``) so that they read well
in a terminal; for LaTeX each name is rewritten as ``w^{1}_{12}`` and ``σ′`` as
``\\sigma'``. :func:`jacobian_bp.display.latex.jacobian_latex` calls
:func:`~jacobian_bp.display.latex.latex_entries` for every object-array Jacobian.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.display.latex import SIGMOID_FORMS, latex_printer, notes_latex, rewrite_sigmoid
from jacobian_bp.network.dispatch import is_symbolic
from jacobian_bp.network.sympy_functions import object_array
from jacobian_bp.symbolic.names import subscript

Array = np.ndarray

__all__ = ["SIGMOID_FORMS", "latex", "notes_latex", "pretty_block", "rewrite_sigmoid", "to_text"]


def latex(value: Any) -> str:
    r"""One expression in LaTeX, with the notes' names.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> print(latex(snet.params["W1"][0, 1] * sym.sigma_prime(snet.a[1][0])))
    w^{1}_{12} \sigma'\left(a^{1}_{1}\right)
    """
    entry = sympy.sympify(value)
    return latex_printer([entry]).doprint(entry)


def pretty_block(block: Array) -> str:
    """A 0-, 1- or 2-D block as a bracketed matrix; a vector is a row, as the notes write gradients."""
    rows = np.atleast_2d(object_array(block))
    rows = rows.reshape(rows.shape[0], -1)
    text = sympy.pretty(sympy.Matrix(rows.tolist()), use_unicode=True, wrap_line=False)
    # SymPy leaves an empty bracket line between rows; drop it to keep tensors on one screen.
    return "\n".join(line for line in text.splitlines() if line.strip(" ⎢⎥"))


def to_text(jacobian: Jacobian, indent: int = 4) -> str:
    """A symbolic (or numeric) Jacobian as plain text; a tensor as one labelled block per output entry.

    >>> import jacobian_bp.symbolic as sym
    >>> d_a_d_W = sym.jacobian_chain(sym.notes_network()).factors[-1]
    >>> print(to_text(d_a_d_W, indent=0).splitlines()[0])
    ∂a¹₁/∂W¹ =
    """
    pad = " " * indent
    if not is_symbolic(jacobian.array):
        text = np.array2string(jacobian.array, precision=4, suppress_small=True, max_line_width=100)
        return "\n".join(pad + line for line in text.splitlines())
    array = object_array(jacobian.array)
    if len(jacobian.in_shape) < 2 or not jacobian.out_shape:
        block = array.reshape(int(np.prod(jacobian.out_shape, dtype=int)), -1) if jacobian.out_shape else array
        return "\n".join(pad + line for line in pretty_block(block).splitlines())
    numerator, _, denominator = jacobian.name.partition("/")
    lines = []
    for index in np.ndindex(jacobian.out_shape):
        lines.append(f"{pad}{numerator}{subscript(*(i + 1 for i in index))}/{denominator} =")
        lines += [pad + "  " + line for line in pretty_block(array[index]).splitlines()]
    return "\n".join(lines)
