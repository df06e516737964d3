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
from jacobian_bp.display.latex import latex_printer
from jacobian_bp.network.dispatch import is_symbolic
from jacobian_bp.network.sympy_functions import object_array
from jacobian_bp.symbolic.names import subscript

Array = np.ndarray


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


#: How :func:`notes_latex` writes the sigmoid's derivative: ``σ′(a²)`` as it is, ``z(1 − z)`` with the
#: names of the outputs the forward pass kept, or ``σ(a²)(1 − σ(a²))`` with every kept output as ``σ(a)``.
SIGMOID_FORMS = ("prime", "outputs", "sigma")

_SCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _layer(symbol: sympy.Symbol) -> float:
    """Where a symbol sits in the chain: the loss's ``t`` and ``z`` first, then layers from the output down."""
    name = symbol.name
    if name[0] in "tz":
        return float("inf")
    if name[0] == "x":
        return 0.0
    digits = "".join(c for c in name if c in "⁰¹²³⁴⁵⁶⁷⁸⁹").translate(_SCRIPT_DIGITS)
    return float(digits) if digits else 0.0


def _chain_position(factor: sympy.Expr) -> tuple[float, int, int, str]:
    """Sort key of one factor of a product: chain order (outermost first), then kind, then the name.

    Within a layer the loss's ``(t − z)`` comes first, then the activation's
    derivative (``σ′(a)``, or ``σ(a)`` / ``h`` before ``(1 − σ(a))`` / ``(1 − h)``), then
    the weights.
    """
    from jacobian_bp.network.sympy_functions import sigma, sigma_prime

    # An activation's derivative is a function of a pre-activation: σ′(a), 1 − tanh²(a), or the kept h(1 − h).
    core = factor.as_coeff_Mul()[1]
    symbols = core.free_symbols
    layer = max((_layer(s) for s in symbols), default=float("inf"))
    if any(s.name.startswith("t") for s in symbols):
        kind = 0
    elif core.has(sigma, sigma_prime) or core.atoms(sympy.Function) or any(s.name[0] in "hz" for s in symbols):
        kind = 1
    elif core.free_symbols and all(s.name.startswith("b") for s in symbols):
        kind = 3  # a bias closes a sum, as in a = w x + b
    else:
        kind = 2
    return (-layer, kind, int(isinstance(core, sympy.Add)), str(core))


def _sum_order(term: sympy.Expr) -> tuple[int, tuple[float, int, int, str]]:
    """Sort key of one term of a sum: a constant first (``1 − z``), then chain order (``t − z``)."""
    return (0 if term.is_number else 1, _chain_position(term))


def _kept_outputs(expression: sympy.Expr) -> dict[sympy.Symbol, sympy.Symbol]:
    """Each pre-activation symbol of ``expression`` paired with the output the forward pass kept for it.

    ``a¹₂ ↔ h¹₂``; the highest layer's ``a^L ↔ z`` (with ``z``'s subscript, if any).
    """
    from jacobian_bp.symbolic.names import symbol

    names = {s.name: s for s in expression.free_symbols}
    pre_activations = [s for s in expression.atoms(sympy.Symbol) if s.name.startswith("a")]
    top = max((_layer(s) for s in pre_activations), default=0.0)
    pairs = {}
    for a in pre_activations:
        rest = a.name[1:].lstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")
        is_output = _layer(a) == top and any(n.startswith("z") for n in names)
        pairs[a] = symbol("z" + rest) if is_output else symbol("h" + a.name[1:])
    return pairs


def rewrite_sigmoid(expression: Any, form: str = "prime") -> sympy.Expr:
    """``σ′`` written one of the ways of :data:`SIGMOID_FORMS`, the same way everywhere in ``expression``.

    >>> import jacobian_bp.symbolic as sym
    >>> entry = sym.gradient(sym.notes_network())["b2"][0]
    >>> rewrite_sigmoid(entry, "outputs"), rewrite_sigmoid(entry, "sigma")
    (z*(1 - z)*(-t + z), (1 - σ(a²))*(-t + σ(a²))*σ(a²))
    """
    from jacobian_bp.errors import UnknownNameError
    from jacobian_bp.network.sympy_functions import sigma

    if form not in SIGMOID_FORMS:
        raise UnknownNameError.for_choice("sigmoid form", form, SIGMOID_FORMS)
    expression = sympy.sympify(expression)
    if form == "prime":
        return expression
    kept = _kept_outputs(expression.rewrite(sigma))
    expanded = expression.rewrite(sigma)
    if form == "outputs":
        return expanded.xreplace({sigma(a): output for a, output in kept.items()})
    return expanded.xreplace({output: sigma(a) for a, output in kept.items()})


def _sum_latex(terms: list[sympy.Expr], printer: Any) -> str:
    """A sum with its terms in chain order (``t`` before ``z``), signs written between them."""
    text = ""
    for term in sorted(terms, key=_sum_order):
        negative = term.as_coeff_Mul()[0] < 0
        body = _product_latex(-term if negative else term, printer)
        text += ("-" if negative else "+") + " " + body + " " if text else ("-" if negative else "") + body + " "
    return text.strip()


def _product_latex(expression: sympy.Expr, printer: Any) -> str:
    """A product with its factors in chain order; a sum inside it signed so that its first term is positive."""
    if isinstance(expression, sympy.Add):
        return _sum_latex(list(expression.args), printer)
    coefficient, rest = expression.as_coeff_Mul()
    factors = list(sympy.Mul.make_args(rest)) if rest != 1 else []
    sign = -1 if coefficient < 0 else 1
    written = []
    for factor in sorted(factors, key=_chain_position):
        if isinstance(factor, sympy.Add):
            first = min(factor.args, key=_sum_order)
            if first.as_coeff_Mul()[0] < 0:
                factor, sign = -factor, -sign
            written.append(rf"\left({_sum_latex(list(factor.args), printer)}\right)")
        else:
            written.append(printer.doprint(factor))
    magnitude = abs(coefficient)
    if magnitude != 1 or not written:
        written.insert(0, printer.doprint(magnitude))
    text = " ".join(written)
    return ("-" if sign < 0 else "") + text


def notes_latex(expression: Any, sigmoid: str = "prime") -> str:
    r"""One entry in LaTeX as the notes write it: the factors of a product in chain order, outermost first.

    ``sigmoid`` picks how ``σ′`` is written (:data:`SIGMOID_FORMS`), the same
    way in the whole entry.

    >>> import jacobian_bp.symbolic as sym
    >>> entry = sym.jacobian_chain(sym.notes_network()).contract().array[0, 0]
    >>> print(notes_latex(entry))
    -\left(t - z\right) \sigma'\left(a^{2}\right) w^{2}_{1} \sigma'\left(a^{1}_{1}\right) x_{1}
    >>> print(notes_latex(sym.notes_network().loss().diff(sym.symbol("z"))), notes_latex(sym.notes_network().a[1][0]))
    -\left(t - z\right) a^{1}_{1}
    >>> print(notes_latex(entry, sigmoid="outputs"))
    -\left(t - z\right) z \left(1 - z\right) w^{2}_{1} h^{1}_{1} \left(1 - h^{1}_{1}\right) x_{1}
    """
    entry = rewrite_sigmoid(expression, sigmoid)
    printer = latex_printer([entry])
    if entry.is_number or not isinstance(entry, (sympy.Mul, sympy.Add)):
        return printer.doprint(entry)
    if isinstance(entry, sympy.Add) and min(entry.args, key=_sum_order).as_coeff_Mul()[0] < 0:
        return rf"-\left({_sum_latex(list((-entry).args), printer)}\right)"
    return _product_latex(entry, printer)
