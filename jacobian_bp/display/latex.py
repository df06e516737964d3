"""Jacobians as LaTeX, laid out as the notes draw them.

``"stacked"`` draws ``∂a¹/∂W¹`` as a column of ``3×2`` blocks; ``"flattened"``
draws its matrix form (the notes' B̄) with the column groups ruled off. Numbers
take significant digits or fixed decimals; SymPy entries are printed with the
notes' names, each product in chain order (:func:`notes_latex`). A product of
Jacobians breaks across ``aligned`` lines beyond a width (:func:`product_latex`).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np

from jacobian_bp.errors import InvalidArgumentError, ShapeError, UnknownNameError
from jacobian_bp.network.dispatch import is_symbolic

if TYPE_CHECKING:
    from jacobian_bp.chain.jacobian import Jacobian

#: The two ways :func:`jacobian_latex` can lay out a Jacobian whose input is a matrix (or more).
LAYOUTS = ("stacked", "flattened")

#: Above this many entries :func:`jacobian_latex` refuses, rather than write pages of LaTeX.
MAX_LATEX_ENTRIES = 2500

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
_GREEK = {"σ": r"\sigma", "δ": r"\delta", "θ": r"\theta"}
_NOTES_NAME = re.compile(r"^(?P<base>[^⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉,]+)(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]*)(?P<sub>[₀₁₂₃₄₅₆₇₈₉,]*)$")
_DERIVATIVE = re.compile(r"^∂(?P<num>[^/]+)/∂(?P<den>[^/]+)$")


def tex_name(name: str) -> str:
    """A name written with Unicode scripts, as the notes print it, in TeX.

    >>> tex_name("w¹₁₂"), tex_name("a²"), tex_name("x₁"), tex_name("t")
    ('w^{1}_{12}', 'a^{2}', 'x_{1}', 't')
    >>> tex_name("w²₁₀,₃")
    'w^{2}_{10,3}'
    """
    match = _NOTES_NAME.match(name)
    if match is None:
        return name
    base = _GREEK.get(match["base"], match["base"])
    sup = "".join(str(_SUPERSCRIPTS.index(c)) for c in match["sup"])
    sub = "".join("," if c == "," else str(_SUBSCRIPTS.index(c)) for c in match["sub"])
    return base + (f"^{{{sup}}}" if sup else "") + (f"_{{{sub}}}" if sub else "")


def name_latex(name: str) -> str:
    r"""A Jacobian's name ``∂a¹/∂W¹`` as the fraction ``\frac{\partial a^{1}}{\partial W^{1}}``.

    >>> print(name_latex("∂J/∂W¹"), name_latex("A·B"))
    \frac{\partial J}{\partial W^{1}} \text{A·B}
    """
    match = _DERIVATIVE.match(name)
    if match is None:
        return rf"\text{{{name}}}"
    return rf"\frac{{\partial {tex_name(match['num'])}}}{{\partial {tex_name(match['den'])}}}"


def space_latex(out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> str:
    r"""The space of a Jacobian as the notes write it, in TeX: ``\mathbb{R}^{3\times(3\times2)}``.

    >>> print(space_latex((3,), (3, 2)), space_latex((), (1,)))
    \mathbb{R}^{3\times(3\times2)} \mathbb{R}^{1\times1}
    """

    def group(shape: tuple[int, ...]) -> str:
        if len(shape) <= 1:
            return str(shape[0]) if shape else "1"
        return "(" + r"\times".join(str(n) for n in shape) + ")"

    return rf"\mathbb{{R}}^{{{group(out_shape)}\times{group(in_shape)}}}"


def number_latex(value: float, precision: int = 4, decimals: int | None = None) -> str:
    r"""One number with ``precision`` significant digits; ``1e-05`` becomes ``1 \times 10^{-5}``.

    ``decimals`` writes it with that many fixed decimals instead, so that the
    entries of one matrix line up (``-0.024`` beside ``0.006``); an exact zero
    stays ``0``, as the structure of a Jacobian shows it.

    >>> print(number_latex(0.25), number_latex(-0.0), number_latex(1.5e-5), number_latex(3), sep=" | ")
    0.25 | 0 | 1.5 \times 10^{-5} | 3
    >>> print(number_latex(-0.0237, decimals=3), number_latex(0.2, decimals=2), number_latex(-1e-9, decimals=3))
    -0.024 0.20 0.000
    """
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    if decimals is not None:
        if decimals < 0:
            raise InvalidArgumentError(f"decimals must be a whole number ≥ 0, got {decimals}")
        text = "0" if value == 0 else format(float(value), f".{decimals}f")
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text
    text = format(float(value), f".{precision}g")
    if text == "-0":
        return "0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex_printer(entries: list[Any]) -> Any:
    """A SymPy LaTeX printer that writes every symbol of ``entries`` with the notes' name (``w^{1}_{12}``)."""
    from sympy.printing.latex import LatexPrinter

    symbols = set().union(*(entry.free_symbols for entry in entries)) if entries else set()
    return LatexPrinter({"symbol_names": {s: tex_name(s.name) for s in symbols}})


#: How :func:`notes_latex` writes the sigmoid's derivative: ``σ′(a²)`` as it is, ``z(1 − z)`` with the
#: names of the outputs the forward pass kept, or ``σ(a²)(1 − σ(a²))`` with every kept output as ``σ(a)``.
SIGMOID_FORMS = ("prime", "outputs", "sigma")

_SCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _layer(symbol: Any) -> float:
    """Where a symbol sits in the chain: the loss's ``t`` and ``z`` first, then layers from the output down."""
    name = symbol.name
    if name[0] in "tz":
        return float("inf")
    if name[0] == "x":
        return 0.0
    digits = "".join(c for c in name if c in "⁰¹²³⁴⁵⁶⁷⁸⁹").translate(_SCRIPT_DIGITS)
    return float(digits) if digits else 0.0


def _chain_position(factor: Any) -> tuple[float, int, int, str]:
    """Sort key of one factor of a product: chain order (outermost first), then kind, then the name.

    Within a layer the loss's ``(t − z)`` comes first, then the activation's
    derivative (``σ′(a)``, or ``σ(a)`` / ``h`` before ``(1 − σ(a))`` / ``(1 − h)``), then
    the weights.
    """
    import sympy

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


def _sum_order(term: Any) -> tuple[int, tuple[float, int, int, str]]:
    """Sort key of one term of a sum: a constant first (``1 − z``), then chain order (``t − z``)."""
    return (0 if term.is_number else 1, _chain_position(term))


def _kept_outputs(expression: Any) -> dict[Any, Any]:
    """Each pre-activation symbol of ``expression`` paired with the output the forward pass kept for it.

    ``a¹₂ ↔ h¹₂``; the highest layer's ``a^L ↔ z`` (with ``z``'s subscript, if any).
    """
    import sympy

    names = {s.name: s for s in expression.free_symbols}
    pre_activations = [s for s in expression.atoms(sympy.Symbol) if s.name.startswith("a")]
    top = max((_layer(s) for s in pre_activations), default=0.0)
    pairs = {}
    for a in pre_activations:
        rest = a.name[1:].lstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")
        is_output = _layer(a) == top and any(n.startswith("z") for n in names)
        # The kept output's symbol, with the same assumptions (real) as the pre-activation's.
        pairs[a] = type(a)("z" + rest if is_output else "h" + a.name[1:], **a.assumptions0)
    return pairs


def rewrite_sigmoid(expression: Any, form: str = "prime") -> Any:
    """``σ′`` written one of the ways of :data:`SIGMOID_FORMS`, the same way everywhere in ``expression``.

    >>> import jacobian_bp.symbolic as sym
    >>> entry = sym.gradient(sym.notes_network())["b2"][0]
    >>> rewrite_sigmoid(entry, "outputs"), rewrite_sigmoid(entry, "sigma")
    (z*(1 - z)*(-t + z), (1 - σ(a²))*(-t + σ(a²))*σ(a²))
    """
    import sympy

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


def _sum_latex(terms: list[Any], printer: Any) -> str:
    """A sum with its terms in chain order (``t`` before ``z``), signs written between them."""
    text = ""
    for term in sorted(terms, key=_sum_order):
        negative = term.as_coeff_Mul()[0] < 0
        body = _product_latex(-term if negative else term, printer)
        text += ("-" if negative else "+") + " " + body + " " if text else ("-" if negative else "") + body + " "
    return text.strip()


def _product_latex(expression: Any, printer: Any) -> str:
    """A product with its factors in chain order; a sum inside it signed so that its first term is positive."""
    import sympy

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
    import sympy

    entry = rewrite_sigmoid(expression, sigmoid)
    printer = latex_printer([entry])
    if entry.is_number or not isinstance(entry, (sympy.Mul, sympy.Add)):
        return printer.doprint(entry)
    if isinstance(entry, sympy.Add) and min(entry.args, key=_sum_order).as_coeff_Mul()[0] < 0:
        return rf"-\left({_sum_latex(list((-entry).args), printer)}\right)"
    return _product_latex(entry, printer)


def latex_entries(array: np.ndarray, sigmoid: str = "prime") -> np.ndarray:
    """Every entry of an object array of SymPy expressions in LaTeX: an array of strings of the same shape.

    Products are written in chain order with the notes' names
    (:func:`notes_latex`); ``sigmoid`` says how ``σ′`` is written.
    """
    source = np.asarray(array, dtype=object)
    entries = [notes_latex(entry, sigmoid) for entry in source.ravel()]
    return np.array(entries, dtype=object).reshape(source.shape)


def entry_strings(
    array: np.ndarray, precision: int = 4, decimals: int | None = None, sigmoid: str = "prime"
) -> np.ndarray:
    """Every entry of ``array`` as LaTeX: an array of strings of the same shape.

    >>> entry_strings(np.array([[0.5, 0.0]])).tolist(), entry_strings(np.array([0.25, 0.2]), decimals=2).tolist()
    ([['0.5', '0']], ['0.25', '0.20'])
    """
    if is_symbolic(array):
        return latex_entries(array, sigmoid)
    strings = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        strings[index] = number_latex(array[index].item(), precision, decimals)
    return strings


def bmatrix(rows: list[list[str]]) -> str:
    r"""A ``bmatrix`` from rows of already formatted entries.

    >>> print(bmatrix([["1", "0"], ["0", "1"]]))
    \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}
    """
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in rows) + r" \end{bmatrix}"


def _as_rows(strings: np.ndarray) -> list[list[str]]:
    """A 0-, 1- or 2-D array of strings as matrix rows; a vector is a row, as the notes write gradients."""
    if strings.ndim == 0:
        return [[strings.item()]]
    if strings.ndim == 1:
        return [list(strings)]
    return [list(row) for row in strings.reshape(strings.shape[0], -1)]


def _grouped_matrix(matrix: np.ndarray, column_group: int, row_group: int) -> str:
    """The matrix form with a rule every ``column_group`` columns and every ``row_group`` rows."""
    rows, cols = matrix.shape
    if column_group >= cols and row_group >= rows:
        return bmatrix(_as_rows(matrix))
    spec = "|".join("c" * column_group for _ in range(cols // column_group))
    lines = []
    for r in range(rows):
        line = " & ".join(matrix[r])
        if r > 0 and r % row_group == 0:
            line = r"\hline " + line
        lines.append(line)
    return rf"\left[\begin{{array}}{{{spec}}} " + r" \\ ".join(lines) + r" \end{array}\right]"


def _flattened(jacobian: Jacobian, strings: np.ndarray) -> str:
    in_shape, out_shape = jacobian.in_shape, jacobian.out_shape
    matrix = strings.reshape(math.prod(out_shape), math.prod(in_shape))
    column_group = in_shape[-1] if len(in_shape) >= 2 else matrix.shape[1]
    row_group = out_shape[-1] if len(out_shape) >= 2 else matrix.shape[0]
    return _grouped_matrix(matrix, max(column_group, 1), max(row_group, 1))


def _stacked(jacobian: Jacobian, strings: np.ndarray) -> str:
    """One block per output entry, each block shaped like the input, arranged along the output axes."""
    out_shape, in_shape = jacobian.out_shape, jacobian.in_shape
    if len(in_shape) < 2:
        return _flattened(jacobian, strings)
    blocks = np.empty(out_shape, dtype=object)
    for index in np.ndindex(out_shape):
        blocks[index] = bmatrix(_as_rows(strings[index]))
    if not out_shape:
        return blocks.item()
    # One output axis: a column of blocks, as the notes stack ∂a¹ᵢ/∂W¹; more: a grid, last axis across.
    return bmatrix(_as_rows(blocks.reshape(-1, out_shape[-1] if len(out_shape) >= 2 else 1)))


def jacobian_latex(
    jacobian: Jacobian,
    layout: str = "stacked",
    label: bool = True,
    precision: int = 4,
    max_entries: int = MAX_LATEX_ENTRIES,
    decimals: int | None = None,
    sigmoid: str = "prime",
) -> str:
    r"""The Jacobian as a LaTeX math expression (no ``$`` delimiters).

    ``layout="stacked"`` draws a Jacobian whose input is a matrix as a column
    of matrices, one per output entry; ``"flattened"`` draws its matrix form
    with the column groups ruled off. ``label`` puts ``∂y/∂x =`` in front.
    Numbers keep ``precision`` significant digits, or ``decimals`` fixed
    decimals; symbolic entries write ``σ′`` as ``sigmoid`` says
    (:data:`jacobian_bp.symbolic.printing.SIGMOID_FORMS`).

    >>> J = jbp.Jacobian(np.array([[0.5, 0.0], [0.0, 0.25]]), (2,), (2,), "∂h¹/∂a¹")
    >>> print(jacobian_latex(J))
    \frac{\partial h^{1}}{\partial a^{1}} = \begin{bmatrix} 0.5 & 0 \\ 0 & 0.25 \end{bmatrix}
    >>> d_a_d_W = jbp.Jacobian(np.einsum("ik,j->ikj", np.eye(2), [1.0, 2.0]), (2,), (2, 2), "∂a¹/∂W¹")
    >>> print(jacobian_latex(d_a_d_W, layout="flattened", label=False))
    \left[\begin{array}{cc|cc} 1 & 2 & 0 & 0 \\ 0 & 0 & 1 & 2 \end{array}\right]
    """
    if layout not in LAYOUTS:
        raise UnknownNameError.for_choice("LaTeX layout", layout, LAYOUTS)
    if jacobian.stored_entries > max_entries:
        raise ShapeError(
            f"{jacobian.name} has {jacobian.stored_entries} entries (shape {jacobian.shape}), more than "
            f"max_entries={max_entries} to render as LaTeX; pass a larger max_entries or render a slice of it"
        )
    strings = entry_strings(jacobian.array, precision, decimals, sigmoid)
    if strings.ndim == 0:
        return f"{name_latex(jacobian.name)} = {strings.item()}" if label else strings.item()
    body = _stacked(jacobian, strings) if layout == "stacked" else _flattened(jacobian, strings)
    return f"{name_latex(jacobian.name)} = {body}" if label else body


def jacobian_html(jacobian: Jacobian, layout: str = "stacked", precision: int = 4) -> str | None:
    r"""A small HTML card for notebooks: a caption and the LaTeX (typeset by the notebook's MathJax).

    ``None`` — so the notebook falls back to the plain ``repr`` — when the
    Jacobian is too large to render.

    >>> J = jbp.Jacobian(np.eye(2), (2,), (2,), "∂a¹/∂b¹")
    >>> card = jacobian_html(J)
    >>> card.startswith("<div") and "identity" in card and r"\begin{bmatrix}" in card
    True
    """
    if jacobian.stored_entries > MAX_LATEX_ENTRIES:
        return None
    caption = f"{jacobian.name} ∈ {jacobian.notation}, shape {jacobian.shape}, {jacobian.structure}"
    math_text = jacobian_latex(jacobian, layout=layout, precision=precision)
    return (
        '<div class="jacobian-bp-jacobian">'
        f"<div><code>{html.escape(caption)}</code></div>"
        f"<div>$$ {html.escape(math_text)} $$</div>"
        "</div>"
    )


def visible_width(tex: str) -> int:
    r"""Roughly how many characters wide ``tex`` reads once typeset: a command is one, scripts count in full.

    >>> visible_width(r"-\left(t - z\right) \sigma'\left(a^{2}\right)"), visible_width("0.125")
    (14, 5)
    """
    text = re.sub(r"\\(left|right|[,;:!]|quad)", "", tex)
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    text = re.sub(r"[{}^_\s]", "", text)
    return len(text) + 2 * len(re.findall(r"(?<=[^(\s])[-+=]", text))


def grid_width(strings: np.ndarray) -> int:
    """The width of a matrix of formatted entries: its widest entry per column, a gap each, and the brackets."""
    rows = np.array(_as_rows(strings), dtype=object)
    widths = np.vectorize(visible_width, otypes=[int])(rows)
    return int(widths.max(axis=0).sum()) + 2 * rows.shape[1]


def jacobian_width(
    jacobian: Jacobian,
    layout: str = "stacked",
    precision: int = 4,
    decimals: int | None = None,
    sigmoid: str = "prime",
) -> int:
    """How many characters wide :func:`jacobian_latex` draws ``jacobian`` (without its label), roughly.

    >>> d_a_d_W = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0).factors[-1]
    >>> jacobian_width(d_a_d_W) < jacobian_width(d_a_d_W, layout="flattened")
    True
    """
    strings = entry_strings(jacobian.array, precision, decimals, sigmoid)
    if strings.ndim == 0:
        return visible_width(strings.item())
    in_shape, out_shape = jacobian.in_shape, jacobian.out_shape
    if not out_shape:
        return grid_width(strings)
    if layout == "flattened" or len(in_shape) < 2:
        return grid_width(strings.reshape(math.prod(out_shape), math.prod(in_shape)))
    block = max(grid_width(strings[index]) for index in np.ndindex(out_shape))
    across = out_shape[-1] if len(out_shape) >= 2 else 1
    return block * across + 2


def product_latex(
    factors: list[Jacobian],
    label: str | None = None,
    result: Jacobian | None = None,
    width: int | None = None,
    **options: Any,
) -> str:
    r"""A chain of Jacobians written as a product of matrices, outermost first, and its ``result``.

    ``options`` go to :func:`jacobian_latex` (``layout``, ``precision``,
    ``decimals``, ``sigmoid``). Wider than ``width`` characters
    (:func:`jacobian_width`), the product breaks across the lines of an
    ``aligned`` environment, and the result goes on a line of its own.

    >>> a = jbp.Jacobian(np.array([2.0]), (), (1,), "∂J/∂z")
    >>> b = jbp.Jacobian(np.array([[0.5]]), (1,), (1,), "∂z/∂a²")
    >>> print(product_latex([a, b], label="∂J/∂a²"))
    \frac{\partial J}{\partial a^{2}} = \begin{bmatrix} 2 \end{bmatrix} \begin{bmatrix} 0.5 \end{bmatrix}
    >>> print(product_latex([a, b], label="∂J/∂a²", result=jbp.chain(a, b), width=6))
    \begin{aligned} \frac{\partial J}{\partial a^{2}} &= \begin{bmatrix} 2 \end{bmatrix} \\
     &\quad \begin{bmatrix} 0.5 \end{bmatrix} \\
     &= \begin{bmatrix} 1 \end{bmatrix} \end{aligned}
    """
    pieces = [
        (jacobian_latex(f, label=False, **options), jacobian_width(f, **_width_options(options))) for f in factors
    ]
    tail = None if result is None else jacobian_latex(result, label=False, **options)
    return broken_product(name_latex(label) if label else "", pieces, tail, width)


def broken_product(head: str, pieces: list[tuple[str, int]], tail: str | None = None, width: int | None = None) -> str:
    r"""``head = piece piece ... = tail`` on one line, or across the lines of ``aligned`` beyond ``width`` characters.

    ``pieces`` are the factors' LaTeX with their widths (:func:`visible_width`);
    the pieces are packed greedily, and ``tail`` (the result) gets a line of its own.

    >>> print(broken_product("y", [("a", 1), ("b", 1)], "c"))
    y = a b = c
    >>> print(broken_product("y", [("a", 1), ("b", 1)], "c", width=2))
    \begin{aligned} y &= a \\
     &\quad b \\
     &= c \end{aligned}
    """
    equals = f"{head} = " if head else ""
    one_line = equals + " ".join(tex for tex, _ in pieces) + (f" = {tail}" if tail else "")
    total = sum(w for _, w in pieces) + 2 * len(pieces) + (visible_width(tail) if tail else 0)
    if width is None or total <= width:
        return one_line
    lines: list[list[str]] = [[]]
    used = 0
    for tex, piece_width in pieces:
        if lines[-1] and used + piece_width > width:
            lines.append([])
            used = 0
        lines[-1].append(tex)
        used += piece_width + 2
    body = [(f"{head} " if head else "") + "&= " + " ".join(lines[0])]
    body += [r" &\quad " + " ".join(line) for line in lines[1:]]
    if tail:
        body.append(f" &= {tail}")
    return r"\begin{aligned} " + " \\\\\n".join(body) + r" \end{aligned}"


def _width_options(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if key in ("layout", "precision", "decimals", "sigmoid")}


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}
_TEXT_ESCAPES |= {"{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEXT_ESCAPES |= {"<": r"\textless{}", ">": r"\textgreater{}"}  # in T1/OT1 text, < and > print ¡ and ¿
_TEXT_SYMBOLS = {
    "σ": r"\sigma", "δ": r"\delta", "θ": r"\theta", "ε": r"\varepsilon", "η": r"\eta", "λ": r"\lambda",
    "∂": r"\partial", "∇": r"\nabla", "∈": r"\in", "−": "-", "⊙": r"\odot", "·": r"\cdot", "×": r"\times",
    "←": r"\leftarrow", "→": r"\rightarrow", "′": "'", "½": r"\tfrac12", "≈": r"\approx", "≤": r"\le",
    "≥": r"\ge", "≠": r"\ne", "∑": r"\sum", "Σ": r"\Sigma", "‖": r"\|", "…": r"\dots", "ℝ": r"\mathbb{R}",
}  # fmt: skip
_TEXT_WORDS = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~"}
_SUPERSCRIPT_RUN = "⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵀ⁽⁾⁻⁺"
_SUBSCRIPT_RUN = "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙₚ,"
_SCRIPT_PLAIN = str.maketrans(_SUPERSCRIPT_RUN + _SUBSCRIPT_RUN[:-1], "0123456789iT()-+" + "0123456789ijknp")
_SUB = _SUBSCRIPT_RUN[:-1]
_SCRIPTS = re.compile(f"([{_SUPERSCRIPT_RUN}]+)?([{_SUB}](?:[{_SUBSCRIPT_RUN}]*[{_SUB}])?)?")
#: Greek letters LaTeX has a command for, by their Unicode name (which spells λ "LAMDA"); the capitals
#: that look like Latin ones (Α, Β, Ε …) have none and are written as those.
_GREEK_LETTERS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau"
_GREEK_SMALL = {name.upper(): name for name in (_GREEK_LETTERS + " upsilon phi chi psi omega").split()}
_GREEK_SMALL |= {"LAMDA": "lambda", "FINAL SIGMA": "varsigma", "OMICRON": "o"}
_GREEK_CAPITAL = {"GAMMA", "DELTA", "THETA", "LAMDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}


def text_latex(text: str) -> str:
    r"""Plain text with the notes' Unicode (``∂J/∂w²₁``, ``σ′``, ``B̄``) as LaTeX text in plain ASCII, specials escaped.

    Any other Greek letter becomes its command, any other super- or subscript
    its ``\textsuperscript``/``\textsubscript``, an accented letter its plain
    letter, and a character LaTeX has no command for a bold ``?``: the result
    compiles with ``pdflatex`` and no extra package.

    >>> print(text_latex("∂J/∂w²₁ = −(t − z)"))
    \ensuremath{\partial}J/\ensuremath{\partial}w\ensuremath{^{2}_{1}} = \ensuremath{-}(t \ensuremath{-} z)
    >>> print(text_latex("σ′(a²), 50% & B̄"))
    \ensuremath{\sigma}\ensuremath{'}(a\ensuremath{^{2}}), 50\% \& \ensuremath{\bar{B}}
    >>> print(text_latex("α < β, Ω, xⁿ, é"))
    \ensuremath{\alpha} \textless{} \ensuremath{\beta}, \ensuremath{\Omega}, x\textsuperscript{n}, e
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        scripts = _SCRIPTS.match(text, i) if char in _SUPERSCRIPT_RUN + _SUBSCRIPT_RUN[:-1] else None
        if scripts and scripts.group(0):
            sup, sub = scripts.group(1), scripts.group(2)
            out.append(
                r"\ensuremath{"
                + (f"^{{{sup.translate(_SCRIPT_PLAIN)}}}" if sup else "")
                + (f"_{{{sub.translate(_SCRIPT_PLAIN)}}}" if sub else "")
                + "}"
            )
            i = scripts.end()
            continue
        if i + 1 < len(text) and text[i + 1] == "\u0304" and char.isascii() and char.isalpha():
            out.append(rf"\ensuremath{{\bar{{{char}}}}}")  # a combining bar on a letter: the notes' B̄
            i += 2
            continue
        if char == "\u0304":  # a bar on anything else, or on nothing
            out.append(r"\={}")
            i += 1
            continue
        out.append(_char_latex(char))
        i += 1
    return "".join(out)


def _char_latex(char: str) -> str:
    """One character of text in ASCII LaTeX (the scripts and bars :func:`text_latex` handles before)."""
    if char in _TEXT_SYMBOLS:
        return rf"\ensuremath{{{_TEXT_SYMBOLS[char]}}}"
    if char.isascii() or char in _TEXT_WORDS:
        return _TEXT_ESCAPES.get(char) or _TEXT_WORDS.get(char) or char
    decomposition = unicodedata.decomposition(char).split()
    if len(decomposition) == 2 and decomposition[0] in ("<super>", "<sub>"):
        command = r"\textsuperscript" if decomposition[0] == "<super>" else r"\textsubscript"
        return command + "{" + _char_latex(chr(int(decomposition[1], 16))) + "}"
    name = unicodedata.name(char, "")
    letter = name.removeprefix("GREEK SMALL LETTER ")
    if letter != name and letter in _GREEK_SMALL:
        command = _GREEK_SMALL[letter]
        return command if len(command) == 1 else rf"\ensuremath{{\{command}}}"
    letter = name.removeprefix("GREEK CAPITAL LETTER ")
    if letter != name and letter in _GREEK_CAPITAL:
        return rf"\ensuremath{{\{'Lambda' if letter == 'LAMDA' else letter.capitalize()}}}"
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if not plain and letter != name:  # a Greek capital that looks like a Latin one: Α, Β, Ε, Ζ, Η, Ι …
        plain = {"ETA": "H", "CHI": "X", "RHO": "P"}.get(letter, letter[:1])
    return "".join(_char_latex(c) for c in plain) if plain else r"\textbf{?}"  # no command for it in LaTeX


def code_latex(text: str) -> str:
    r"""A fragment of code (an answer as a student types it) as ``\texttt``, breakable after ``*`` and ``,``.

    A long typed formula has no space to break at; a line may break after
    each operator instead, so that it never runs into the margin.

    >>> print(code_latex("sigma_prime(a1_2)*w2_2"))
    \texttt{sigma\_prime(a1\_2)*\allowbreak{}w2\_2}
    """
    body = text_latex(text)
    for mark in ("*", ","):
        body = body.replace(mark, mark + r"\allowbreak{}")
    return r"\texttt{" + body + "}"
