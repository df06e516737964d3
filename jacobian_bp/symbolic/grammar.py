"""Formulas typed as text, in the notes' names: a small grammar, read without ``eval``.

A formula is what a student writes by hand, on one line::

    -(t - z) σ′(a²) h₁            -(t - z)*sigma_prime(a2)*h1
    (z - t) z (1 - z) w²₁ h₁ (1 - h₁) x₁
    dJ/dw2_1 = (z - t) sigmoid'(a^2) h_1
    [[0, x1], [0, x2]]           (a matrix: a list of rows)

The grammar (from loosest to tightest binding)::

    answer   := (lhs "=")? (expr | "[" row ("," row)* "]")   a matrix is a list of rows, a row a list of exprs
    lhs      := ("∂" | "d") "J" "/" ("∂" | "d") name         optional: dJ/dw2_1 =, ∂J/∂w²₁ =
    expr     := term (("+" | "-" | "−") term)*
    term     := unary (("*" | "/" | "·" | "×" | nothing) unary)*   nothing: "2 h₁", "(t − z)σ′(a²)"
    unary    := ("-" | "−" | "+")* power
    power    := atom (("^" | "**") unary)?                  the exponent a number: h1^2, 2^-1
    atom     := number | function "(" expr ")" | name | "(" expr ")"

* **numbers** — ``2``, ``0.5``, ``1e-3``, read exactly (``0.5`` is ½);
* **functions** — the sigmoid ``σ``, ``sigma``, ``sigmoid``, ``f``; its derivative ``σ′``, ``σ'``,
  ``sigma'``, ``sigmoid'``, ``sigma_prime``, ``sigmoid_prime``, ``dsigma``, ``dsigmoid``, ``f′``, ``f'``;
  ``exp``, ``log`` (``ln``);
* **names** — the network's symbols as the library prints them (``w¹₁₁``, ``w²₁``, ``b¹₂``, ``b²``,
  ``x₁``, ``t``, ``a¹₁``, ``a²``, ``h¹₁``, ``z``) or as typed: the layer as ``a²``, ``a^2``, ``a^{2}`` or
  ``a2``, the units as ``a¹₁``, ``a^1_1``, ``a_1^1``, ``a^{1}_{1}`` or ``a1_1`` (``w1_11`` or ``w1_1_1``
  is ``w¹₁₁``, ``w^2_1``, ``w_1^2`` and ``w2_1`` are ``w²₁``); ``x``, ``t``, ``z`` have no layer (``x1``,
  ``x_1``, ``x₁``); ``h`` takes the unit alone as the notes write ``h₁`` (``h1``, ``h_1``, ``h₁``).
  ``W`` may be capital. A name whose layer is not written (``a_2``, ``b₁``) is read as the one name of
  the network it can be; where it could be two (``a_2``: ``a²`` or ``a¹₂``?) it is an error listing both.

Two names side by side need a space or an operator between them (``z t`` or ``z*t``, not ``zt``).
Anything else raises :class:`~jacobian_bp.errors.ParseError`, showing where. A formula longer than
:data:`MAX_LENGTH` characters, nested deeper than :data:`MAX_DEPTH`, or with an exponent beyond
:data:`MAX_EXPONENT` raises :class:`~jacobian_bp.errors.AnswerTooLargeError` before any work is done.

What was read comes back with its echo in the notes' notation (:class:`Reading`): a student sees
``read as: −(t − z) σ′(a²) h₁`` and can tell whether the grader understood.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from sympy.printing.str import StrPrinter

from jacobian_bp.errors import AnswerTooLargeError, ParseError
from jacobian_bp.network.sympy_functions import sigma, sigma_prime

Array = np.ndarray
Key = tuple[str, int | None, tuple[int, ...]]

#: Most characters a formula may have (a 3×2 matrix of long products is a few hundred).
MAX_LENGTH = 2_000
#: Deepest nesting of parentheses, brackets, signs and powers the parser follows.
MAX_DEPTH = 40
#: Largest power a formula may raise to (``σ(a)²`` needs 2; nothing in a gradient needs more than a few).
MAX_EXPONENT = 12
#: Most digits a number may be written with, and the largest power of ten its exponent may give.
MAX_DIGITS, MAX_TEN_POWER = 30, 30

_SUPERSCRIPTS, _SUBSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉"
_LAYERED_LETTERS = "wWbBaAhH"
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<name>[{_LAYERED_LETTERS}](?:_\{{?[\d,]+\}}?\^\{{?\d+\}}?|\^\{{?\d+\}}?(?:_\{{?[\d,]+\}}?)?)
      |[A-Za-zσ]+(?:_prime|_?\d+|_\{{[\d,]+\}})*[{_SUPERSCRIPTS}]*[{_SUBSCRIPTS}]*(?:,[{_SUBSCRIPTS}]+)*['′]?)
    |(?P<op>\*\*|[-+*/^()\[\],·×−])""",
    re.VERBOSE,
)

_SIGMA = ("σ", "sigma", "sigmoid", "f")
_SIGMA_PRIME = (
    *(f"{name}{mark}" for name in _SIGMA for mark in "′'"),
    "sigma_prime",
    "sigmoid_prime",
    "dsigma",
    "dsigmoid",
)
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(_SIGMA, sigma),
    **dict.fromkeys(_SIGMA_PRIME, sigma_prime),
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
}
#: How the echo writes each function.
_FUNCTION_TEXT = {**dict.fromkeys(_SIGMA, "σ"), **dict.fromkeys(_SIGMA_PRIME, "σ′"), "exp": "exp", "log": "log"}
_FUNCTION_TEXT["ln"] = "log"

#: Letters whose first ASCII digits are a layer (``w2_1``); the others' are unit indices (``x1``).
_LAYERED = ("w", "b", "a")

#: What a parse error says is allowed, in one line: every spelling that works.
ALLOWED = (
    "numbers; + - − * · × / ^ **; parentheses; σ(…) sigma(…) sigmoid(…); σ′(…) σ'(…) sigma'(…) sigmoid'(…) "
    "sigma_prime(…) dsigmoid(…); exp(…) log(…); an optional 'dJ/dw2_1 =' in front; and the network's names "
    "(w¹₁₁ or w1_11 or w^1_{11}; w²₁ or w2_1 or w^2_1 or w_1^2; b¹₁ or b1_1; b² or b2 or b^2; x₁ or x1 or x_1; "
    "t; a¹₁ or a1_1 or a^1_1; a² or a2 or a^2; h₁ or h1 or h_1; z)"
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


@dataclass(frozen=True)
class Reading:
    """A formula as read: its value (a SymPy expression, or an object array for a matrix) and its echo.

    ``text`` is the formula written back in the notes' notation (Unicode names, ``−``, products
    side by side), ``lhs`` the name of its left-hand side (``"w²₁"`` for ``dJ/dw2_1 = …``) or ``""``.

    >>> import jacobian_bp.symbolic as sym
    >>> reading = read_formula("dJ/dw2_1 = -(t-z)*sigmoid'(a^2)*h_1", sym.notes_network().symbols)
    >>> reading.text, reading.lhs
    ('−(t − z) σ′(a²) h₁', 'w²₁')
    """

    value: Any
    text: str
    lhs: str = ""


def name_key(name: str) -> Key | None:
    """``(letter, layer, units)`` of a name in the notes' Unicode or a typed spelling; ``None`` if neither.

    The layer is ``None`` where it is not written (``h₁``, ``a_2``); :func:`resolve` finds which
    name of a network that is.

    >>> name_key("w¹₁₂"), name_key("w1_12"), name_key("w1_1_2"), name_key("W1_12"), name_key("w^1_{12}")
    (('w', 1, (1, 2)), ('w', 1, (1, 2)), ('w', 1, (1, 2)), ('w', 1, (1, 2)), ('w', 1, (1, 2)))
    >>> name_key("h₁"), name_key("h1"), name_key("h1_1"), name_key("a2"), name_key("x1"), name_key("z")
    (('h', None, (1,)), ('h', None, (1,)), ('h', 1, (1,)), ('a', 2, ()), ('x', None, (1,)), ('z', None, ()))
    >>> name_key("a_1^2"), name_key("a^{1}_{1}"), name_key("a_2")
    (('a', 2, (1,)), ('a', 1, (1,)), ('a', None, (2,)))
    """
    tex = re.fullmatch(
        r"(?P<letter>[A-Za-z])(?:_\{?(?P<sub1>[\d,]+)\}?\^\{?(?P<sup1>\d+)\}?|\^\{?(?P<sup2>\d+)\}?"
        r"(?:_\{?(?P<sub2>[\d,]+)\}?)?)",
        name,
    )
    if tex is not None:
        sup, sub = tex["sup1"] or tex["sup2"], tex["sub1"] or tex["sub2"] or ""
        return tex["letter"].lower(), int(sup), _units(sub)
    match = re.fullmatch(
        rf"(?P<letter>[A-Za-z])(?P<ascii>(?:_?\d+|_\{{[\d,]+\}})*)(?P<sup>[{_SUPERSCRIPTS}]*)(?P<sub>[{_SUBSCRIPTS},]*)",
        name,
    )
    if match is None or (match["ascii"] and (match["sup"] or match["sub"])):
        return None
    letter = match["letter"].lower()
    if match["ascii"]:
        groups = [g.replace("{", "").replace("}", "") for g in re.findall(r"_\{[\d,]+\}|_?\d+", match["ascii"])]
        layer, units = _ascii_indices(letter, groups)
    else:
        layer = int(match["sup"].translate(_FROM_SUPERSCRIPT)) if match["sup"] else None
        units = _units(match["sub"].translate(_FROM_SUBSCRIPT))
    return letter, layer, units


_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_FROM_SUBSCRIPT = str.maketrans(_SUBSCRIPTS, "0123456789")


def _units(digits: str) -> tuple[int, ...]:
    """``"12"`` → ``(1, 2)``; ``"10,2"`` → ``(10, 2)``: commas only where an index has two digits."""
    if "," in digits:
        return tuple(int(d) for d in digits.split(",") if d)
    return tuple(int(d) for d in digits)


def _ascii_indices(letter: str, groups: list[str]) -> tuple[int | None, tuple[int, ...]]:
    """Layer and units of an ASCII name's digit groups (``["2", "_1"]`` for ``w2_1``)."""
    head = groups[0] if groups and not groups[0].startswith("_") else None
    rest = [g.lstrip("_") for g in (groups[1:] if head is not None else groups)]
    units = _units(rest[0]) if len(rest) == 1 else tuple(int(g) for g in rest if g.isdigit())
    if head is None:
        return None, units
    if letter in _LAYERED or (letter == "h" and rest):
        return int(head), units
    return None, (*(int(d) for d in head), *units)  # x1, h1: the digits are units


def resolve(name: str, names: Mapping[Key, sympy.Symbol]) -> list[sympy.Symbol]:
    """Every symbol of ``names`` (see :func:`name_table`) that ``name`` can mean: one, none, or several.

    >>> import jacobian_bp.symbolic as sym
    >>> table = name_table(sym.notes_network().symbols)
    >>> resolve("h_1", table), resolve("a^2", table), resolve("a_2", table), resolve("q", table)
    ([h¹₁], [a²], [a², a¹₂], [])
    """
    key = name_key(name)
    if key is None:
        return []
    if key in names:
        return [names[key]]
    letter, layer, units = key
    if layer is not None:  # a^2_1: the one unit of a layer, written with its index
        one_unit = (letter, layer, ())
        return [names[one_unit]] if units == (1,) and one_unit in names else []
    found = [s for (l_, k, u), s in names.items() if l_ == letter and u == units and k is not None]
    if len(units) == 1:  # a_2 may be a² written with a subscript
        found = [s for (l_, k, u), s in names.items() if l_ == letter and k == units[0] and u == ()] + found
    return found


def name_table(symbols: Mapping[str, sympy.Symbol]) -> dict[Key, sympy.Symbol]:
    """The network's symbols by :func:`name_key`."""
    keys = {}
    for name, symbol in symbols.items():
        key = name_key(name)
        if key is not None:
            keys[key] = symbol
    return keys


# ---------------------------------------------------------------------------------------------
# Writing back in the notes' notation.


def notes_names(symbols: Mapping[str, sympy.Symbol]) -> dict[sympy.Symbol, str]:
    """How the notes write each symbol: as printed, but ``h¹ᵢ`` as ``hᵢ`` when there is one hidden layer.

    >>> import jacobian_bp.symbolic as sym
    >>> shown = notes_names(sym.notes_network().symbols)
    >>> shown[sym.notes_network().h[1][0]], shown[sym.notes_network().a[1][0]]
    ('h₁', 'a¹₁')
    """
    one_hidden = not any(name.startswith("h²") for name in symbols)
    return {
        symbol: (name.replace("h¹", "h", 1) if one_hidden and name.startswith("h¹") else name)
        for name, symbol in symbols.items()
    }


class _NotesPrinter(StrPrinter):
    """SymPy's text printer with the notes' names."""

    def __init__(self, names: Mapping[sympy.Symbol, str]) -> None:
        super().__init__()
        self.names = names

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self.names.get(expr, expr.name)


def notes_text(value: Any, symbols: Mapping[str, sympy.Symbol]) -> str:
    """An expression (or an array of them) in the notes' notation: ``hᵢ``, ``−``, products side by side.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> notes_text(snet.h[1][0] * (snet.h[2][0] - snet.t[0]) * sym.sigma_prime(snet.a[2][0]), snet.symbols)
    'h₁ (−t + z) σ′(a²)'
    """
    printer = _NotesPrinter(notes_names(symbols))
    array = np.asarray(value, dtype=object)
    if array.ndim == 0:
        return _plain(printer.doprint(array[()]))
    return _plain(str(np.vectorize(lambda e: _plain(printer.doprint(e)), otypes=[object])(array).tolist())).replace(
        "'", ""
    )


def _plain(text: str) -> str:
    return text.replace("**", "^").replace("*", " ").replace("-", "−")


# ---------------------------------------------------------------------------------------------
# Reading.


def parse(text: str, symbols: Mapping[str, sympy.Symbol]) -> Any:
    """Read ``text`` (see the module's grammar) into a SymPy expression, or an object array for a matrix.

    ``symbols`` maps the network's printed names to its symbols (``snet.symbols``).

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> parse("-(t - z)*sigma_prime(a2)*h1", snet.symbols)
    h¹₁*(-t + z)*σ′(a²)
    >>> by_hand = parse("(z − t) σ′(a²) w²₁ σ′(a¹₁) x₁", snet.symbols)
    >>> by_hand == parse("(z-t)*sigma'(a2)*w2_1*sigma'(a1_1)*x1", snet.symbols)
    True
    >>> parse("[[x1, x2], [0, 0]]", snet.symbols)
    array([[x₁, x₂],
           [0, 0]], dtype=object)
    >>> parse("2 h1 +", snet.symbols)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.ParseError: cannot read the formula '2 h1 +': the formula ends where a term should come
      2 h1 +
            ^
    allowed: ...
    """
    return read_formula(text, symbols).value


_LHS = re.compile(r"\s*(?:∂|d|\\partial\s*)\s*J\s*/\s*(?:∂|d|\\partial\s*)\s*(?P<name>[^=\s]+)\s*=")


def read_formula(text: str, symbols: Mapping[str, sympy.Symbol]) -> Reading:
    """Read ``text`` into a :class:`Reading`: the value, and the formula written back in the notes' notation.

    >>> import jacobian_bp.symbolic as sym
    >>> read_formula("(z-t)*sigma'(a2)*h_1", sym.notes_network().symbols).text
    '(z − t) σ′(a²) h₁'
    """
    if not isinstance(text, str):
        raise ParseError(f"a formula must be given as text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerTooLargeError(
            f"the formula has {len(text)} characters; at most {MAX_LENGTH} are read (a gradient of the notes' "
            "network takes a few hundred)"
        )
    names = name_table(symbols)
    start, lhs = 0, ""
    if "=" in text:
        match = _LHS.match(text)
        if match is None:
            raise _error(text, text.index("="), "'=' may only follow a left-hand side such as dJ/dw2_1 or ∂J/∂w²₁")
        found = resolve(match["name"], names)
        if len(found) != 1:
            raise _error(text, match.start("name"), f"{match['name']!r} in the left-hand side is not one name")
        start, lhs = match.end(), notes_names(symbols)[found[0]]
    parser = _Parser(text, _tokens(text, start), names, notes_names(symbols))
    value, echo = parser.answer()
    return Reading(value, echo, lhs)


def _tokens(text: str, start: int = 0) -> list[_Token]:
    tokens, position = [], start
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _error(text, position, f"{text[position]!r} is not part of the grammar")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


def _error(text: str, position: int, problem: str) -> ParseError:
    return ParseError(f"cannot read the formula {text!r}: {problem}\n  {text}\n  {' ' * position}^\nallowed: {ALLOWED}")


def _number(text: str) -> sympy.Rational:
    """A number token read exactly, refused if it is too long or too large to be a hand-written number."""
    mantissa, _, exponent = text.lower().partition("e")
    if len(mantissa.replace(".", "")) > MAX_DIGITS or (exponent and abs(int(exponent)) > MAX_TEN_POWER):
        raise AnswerTooLargeError(
            f"the number {text[:40]!r} is longer than {MAX_DIGITS} digits or beyond 10^±{MAX_TEN_POWER}"
        )
    return sympy.Rational(Fraction(text))


Read = tuple[Any, str]  # a value and its echo


class _Parser:
    """Recursive descent over the tokens, one method per rule of the grammar; each returns a value and its echo."""

    def __init__(
        self, text: str, tokens: list[_Token], names: Mapping[Key, sympy.Symbol], shown: Mapping[sympy.Symbol, str]
    ) -> None:
        self.text, self.tokens, self.names, self.shown, self.at, self.depth = text, tokens, names, shown, 0, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, *texts: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in texts:
            self.at += 1
            return token
        return None

    def fail(self, problem: str) -> ParseError:
        token = self.peek()
        return _error(self.text, len(self.text) if token is None else token.position, problem)

    def deeper(self) -> None:
        """One level of nesting more; refused beyond :data:`MAX_DEPTH` (no formula by hand nests so deep)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.peek()
            where = len(self.text) if token is None else token.position
            raise AnswerTooLargeError(
                f"cannot read the formula: it nests deeper than {MAX_DEPTH} levels (parentheses, brackets, signs "
                f"or powers) at character {where}"
            )

    def answer(self) -> Read:
        if not self.tokens:
            raise _error(self.text, len(self.text), "the formula is empty")
        value = self.matrix() if self.peek_is("[") else self.expr()
        if self.peek() is not None:
            raise self.fail(f"{self.peek().text!r} cannot follow here")  # type: ignore[union-attr]
        return value

    def peek_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == text

    def matrix(self) -> Read:
        rows = self.bracketed(lambda: self.bracketed(self.expr) if self.peek_is("[") else self.expr())
        values = [[v for v, _ in row] if isinstance(row, list) else row[0] for row in rows]
        nested = [isinstance(row, list) for row in rows]
        if any(nested) and (not all(nested) or len({len(row) for row in values}) > 1):
            raise _error(self.text, 0, "the rows of a matrix must all have the same length")
        texts = ["[" + ", ".join(t for _, t in row) + "]" if isinstance(row, list) else row[1] for row in rows]
        return np.array(values, dtype=object), "[" + ", ".join(texts) + "]"

    def bracketed(self, item: Callable[[], Any]) -> list[Any]:
        if not self.take("["):
            raise self.fail("a '[' should come here")
        self.deeper()
        items = [item()]
        while self.take(","):
            items.append(item())
        if not self.take("]"):
            raise self.fail("a ',' or ']' should come here")
        self.depth -= 1
        return items

    def expr(self) -> Read:
        value, text = self.term()
        while (op := self.take("+", "-", "−")) is not None:
            right, right_text = self.term()
            value = value + right if op.text == "+" else value - right
            text += f" {'+' if op.text == '+' else '−'} {right_text}"
        return value, text

    def term(self) -> Read:
        value, text = self.unary()
        while True:
            if (op := self.take("*", "/", "·", "×")) is not None:
                right, right_text = self.unary()
                value = value / right if op.text == "/" else value * right
                text += f" / {right_text}" if op.text == "/" else f" {right_text}"
            elif self.starts_atom():
                right, right_text = self.unary()
                value, text = value * right, f"{text} {right_text}"  # side by side: a product, as on paper
            else:
                return value, text

    def starts_atom(self) -> bool:
        token = self.peek()
        return token is not None and (token.kind in ("number", "name") or token.text == "(")

    def unary(self) -> Read:
        signs = []
        while (op := self.take("-", "−", "+")) is not None:  # a loop, not recursion: "- - - - x" nests nothing
            signs.append(op.text)
        value, text = self.power()
        negative = sum(s != "+" for s in signs) % 2 == 1
        return (-value if negative else value), ("−" if negative else "") + text

    def power(self) -> Read:
        base, text = self.atom()
        token = self.peek()
        if self.take("^", "**") is None:
            return base, text
        self.deeper()
        exponent, exponent_text = self.unary()
        self.depth -= 1
        assert token is not None
        if not (isinstance(exponent, sympy.Rational) and exponent.q <= MAX_EXPONENT):
            raise _error(self.text, token.position, "an exponent must be a number (h1^2, 2^-1)")
        if abs(exponent) > MAX_EXPONENT:
            raise AnswerTooLargeError(
                f"cannot read the formula: the exponent {str(exponent)[:20]} at character {token.position} is "
                f"beyond ±{MAX_EXPONENT}; no gradient of the notes needs a higher power"
            )
        if isinstance(base, sympy.Rational) and exponent.q != 1:
            raise _error(self.text, token.position, "a number's root is not part of a gradient")
        shown = exponent_text if exponent_text.lstrip("−").isdigit() else f"({exponent_text})"
        return base**exponent, f"{text}^{shown}"

    def atom(self) -> Read:
        token = self.peek()
        if token is None:
            raise self.fail("the formula ends where a term should come")
        if self.take("(") is not None:
            self.deeper()
            value, text = self.expr()
            if self.take(")") is None:
                raise self.fail("a ')' should come here")
            self.depth -= 1
            return value, f"({text})"
        if token.kind == "number":
            self.at += 1
            return _number(token.text), token.text
        if token.kind == "name":
            self.at += 1
            return self.function(token) if self.peek_is("(") and token.text in _FUNCTIONS else self.name(token)
        raise self.fail(f"{token.text!r} cannot start a term")

    def function(self, token: _Token) -> Read:
        self.take("(")
        self.deeper()
        argument, text = self.expr()
        if self.take(")") is None:
            raise self.fail(f"a ')' should close {token.text}(")
        self.depth -= 1
        return _FUNCTIONS[token.text](argument), f"{_FUNCTION_TEXT[token.text]}({text})"

    def name(self, token: _Token) -> Read:
        if token.text in _FUNCTIONS:
            raise _error(self.text, token.position, f"{token.text} is a function: write {token.text}(…)")
        found = resolve(token.text, self.names)
        if not found:
            raise _error(self.text, token.position, f"{token.text!r} is not a name of this network")
        if len(found) > 1:
            readings = " or ".join(f"{self.shown[s]} ({_ascii(s)})" for s in found)
            raise _error(self.text, token.position, f"{token.text!r} can be read two ways: {readings}; write which")
        return found[0], self.shown[found[0]]


def _ascii(symbol: sympy.Symbol) -> str:
    """The ASCII spelling of a network symbol that the grammar reads back as it: ``a¹₂`` → ``a^1_2``."""
    key = name_key(symbol.name)
    assert key is not None
    letter, layer, units = key
    sub = "_" + ("".join(map(str, units)) if all(u < 10 for u in units) else "{" + ",".join(map(str, units)) + "}")
    return letter + (f"^{layer}" if layer is not None else "") + (sub if units else "")
