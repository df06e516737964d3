"""The element-wise functions over object arrays of SymPy expressions, and σ, σ′ as SymPy functions.

The engine's activations and losses call these (through
:mod:`jacobian_bp.network.dispatch`) when they meet an object array, so the very same
registry entries work on symbols. The notes keep the sigmoid as a function —
they write ``σ′(a¹₁)``, not a page of exponentials — so :class:`sigma` and
:class:`sigma_prime` are SymPy functions that print as ``σ`` and ``σ′``, with
``σ′ = σ(1 − σ)`` one ``.rewrite(sigma)`` away and
the exponential form one ``.rewrite(sympy.exp)`` away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy.printing.pretty.stringpict import prettyForm

Array = np.ndarray


class _NotesFunction(sympy.Function):
    """What σ and σ′ share: one real argument, positive on the reals, numeric through ``exp``, printed by name."""

    nargs = 1
    #: How the function is printed: plain text and LaTeX.
    text_name = ""
    latex_name = ""

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self.rewrite(sympy.exp)._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _sympystr(self, printer: Any) -> str:
        return f"{self.text_name}({printer._print(self.args[0])})"

    def _pretty(self, printer: Any) -> prettyForm:
        return printer._print_Function(self, func_name=self.text_name)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"{self.latex_name}{power}\left({printer._print(self.args[0])}\right)"


class sigma(_NotesFunction):  # noqa: N801 — SymPy spells its functions in lower case (exp, tanh)
    """The logistic sigmoid ``σ(u) = 1 / (1 + e^{−u})``, kept as a function the way the notes write it.

    >>> u = sympy.Symbol("u", real=True)
    >>> sigma(u).diff(u)
    σ′(u)
    >>> sigma(u).rewrite(sympy.exp)
    1/(1 + exp(-u))
    >>> sigma(0).evalf()
    0.500000000000000
    """

    text_name = "σ"
    latex_name = r"\sigma"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sigma_prime(self.args[0])

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **hints: Any) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-u))


class sigma_prime(_NotesFunction):  # noqa: N801
    """The sigmoid's derivative ``σ′(u)``, which equals ``σ(u)(1 − σ(u))``.

    >>> u = sympy.Symbol("u", real=True)
    >>> sigma_prime(u).rewrite(sigma)
    (1 - σ(u))*σ(u)
    >>> sympy.simplify(sigma_prime(u).rewrite(sympy.exp) - sigma(u).rewrite(sympy.exp).diff(u))
    0
    """

    text_name = "σ′"
    latex_name = r"\sigma'"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return sigma_prime(u) * (1 - 2 * sigma(u))

    def _eval_rewrite_as_sigma(self, u: sympy.Expr, **hints: Any) -> sympy.Expr:
        return sigma(u) * (1 - sigma(u))

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **hints: Any) -> sympy.Expr:
        return sympy.exp(-u) / (1 + sympy.exp(-u)) ** 2


def map_entries(function: Callable[[Any], Any], array: Array) -> Array:
    """``function`` applied to every entry, as an object array of the same shape (0-d included).

    >>> map_entries(sympy.exp, np.array([0, 1], dtype=object))
    array([1, E], dtype=object)
    """
    source = object_array(array)
    out = np.empty(source.shape, dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = function(source[index])
    return out


def object_array(value: Any) -> Array:
    """``value`` as an object array; a single expression becomes a 0-d array (never iterated over).

    >>> object_array(sympy.Symbol("u")).shape, object_array([1, 2]).dtype
    ((), dtype('O'))
    """
    if isinstance(value, np.ndarray):
        return value.astype(object)
    if isinstance(value, (list, tuple)):
        return np.array(value, dtype=object)
    out = np.empty((), dtype=object)
    out[()] = value
    return out


# The SymPy versions of the engine's element-wise functions, called by the
# registries in jacobian_bp.network.activations and jacobian_bp.network.losses for object arrays.


def sigmoid(a: Array) -> Array:
    """``σ(a)`` entry by entry."""
    return map_entries(sigma, a)


def sigmoid_derivative(a: Array) -> Array:
    """``σ′(a)`` entry by entry."""
    return map_entries(sigma_prime, a)


def tanh(a: Array) -> Array:
    """``tanh(a)`` entry by entry."""
    return map_entries(sympy.tanh, a)


def tanh_derivative(a: Array) -> Array:
    """``1 − tanh²(a)`` entry by entry."""
    return map_entries(lambda u: 1 - sympy.tanh(u) ** 2, a)


def relu(a: Array) -> Array:
    """``max(a, 0)`` entry by entry."""
    return map_entries(lambda u: sympy.Max(u, 0), a)


def relu_derivative(a: Array) -> Array:
    """The step ``H(a)``, with the engine's subgradient 0 at ``a = 0``."""
    return map_entries(lambda u: sympy.Heaviside(u, 0), a)


def softmax(a: Array, axis: int = -1) -> Array:
    """``e^{a_i} / Σ_j e^{a_j}`` along ``axis``."""
    exps = map_entries(sympy.exp, a)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def softplus(a: Array) -> Array:
    """``log(1 + e^a)`` entry by entry."""
    return map_entries(lambda u: sympy.log(1 + sympy.exp(u)), a)


def log_sum_exp(a: Array) -> Array:
    """``log Σ_j e^{a_j}`` over the last axis."""
    return map_entries(sympy.log, np.sum(map_entries(sympy.exp, a), axis=-1))


def bce_gradient(z: Array, t: Array) -> Array:
    """``∂L/∂z = (1 − t)/(1 − z) − t/z`` for the binary cross-entropy."""
    return (1 - t) / (1 - z) - t / z
