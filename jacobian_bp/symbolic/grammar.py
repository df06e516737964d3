"""Formulas typed as text, in the notes' names: a small grammar, read without ``eval``.

A formula is what a student writes by hand, on one line::

    -(t - z) σ′(a²) h₁            -(t - z)*sigma_prime(a2)*h1
    (z - t) z (1 - z) w²₁ h₁ (1 - h₁) x₁
    [[0, x1], [0, x2]]           (a matrix: a list of rows)

The grammar (from loosest to tightest binding)::

    answer   := expr | "[" row ("," row)* "]"          a matrix is a list of rows, a row a list of exprs
    expr     := term (("+" | "-" | "−") term)*
    term     := unary (("*" | "/" | "·" | "×" | nothing) unary)*   nothing: "2 h₁", "(t − z)σ′(a²)"
    unary    := ("-" | "−" | "+") unary | power
    power    := atom (("^" | "**") unary)?
    atom     := number | function "(" expr ")" | name | "(" expr ")"

* **numbers** — ``2``, ``0.5``, ``1e-3``, read exactly (``0.5`` is ½);
* **functions** — ``σ``, ``sigma``, ``f`` (the sigmoid); ``σ′``, ``σ'``, ``sigma'``, ``sigma_prime``,
  ``dsigma``, ``f′``, ``f'`` (its derivative); ``exp``, ``log``;
* **names** — the network's symbols as the library prints them (``w¹₁₁``, ``w²₁``, ``b¹₂``, ``b²``,
  ``x₁``, ``t``, ``a¹₁``, ``a²``, ``h¹₁``, ``z``), or in ASCII: a letter, then for ``w``, ``b`` and ``a``
  the layer, then ``_`` and the unit indices (``w1_11`` or ``w1_1_1`` is ``w¹₁₁``, ``w2_1`` is ``w²₁``,
  ``b1_2`` is ``b¹₂``, ``a2`` is ``a²``, ``b2`` is ``b²``); ``x``, ``t``, ``z`` have no layer (``x1`` or
  ``x_1`` is ``x₁``), and ``h`` takes the unit alone as the notes write ``h₁`` (``h1``, ``h_1`` and
  ``h₁`` are ``h¹₁``; ``h1_2`` is ``h¹₂``). ``W`` may be capital.

Two names side by side need a space or an operator between them (``z t`` or ``z*t``, not ``zt``).
Anything else raises :class:`~jacobian_bp.errors.ParseError`, showing where.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from jacobian_bp.errors import ParseError
from jacobian_bp.network.sympy_functions import sigma, sigma_prime

Array = np.ndarray

_SUPERSCRIPTS, _SUBSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉"
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    |(?P<name>[A-Za-zσ]+(?:_prime|_?\d+)*[{_SUPERSCRIPTS}]*[{_SUBSCRIPTS}]*(?:,[{_SUBSCRIPTS}]+)*['′]?)
    |(?P<op>\*\*|[-+*/^()\[\],·×−])""",
    re.VERBOSE,
)

_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(("σ", "sigma", "f"), sigma),
    **dict.fromkeys(("σ′", "σ'", "sigma'", "sigma′", "sigma_prime", "dsigma", "f′", "f'"), sigma_prime),
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
}

#: Letters whose first ASCII digits are a layer (``w2_1``); the others' are unit indices (``x1``).
_LAYERED = ("w", "b", "a")

#: What a parse error says is allowed, in one line.
ALLOWED = (
    "numbers, + − * / ^, parentheses, σ(…) σ′(…) exp(…) log(…), and the network's names "
    "(w¹₁₁ or w1_11, w²₁ or w2_1, b¹₁ or b1_1, b² or b2, x₁ or x1, t, a¹₁ or a1_1, a² or a2, h₁ or h1, z)"
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def name_key(name: str) -> tuple[str, int | None, tuple[int, ...]] | None:
    """``(letter, layer, units)`` of a name in the notes' Unicode or in the ASCII spelling; ``None`` if neither.

    >>> name_key("w¹₁₂"), name_key("w1_12"), name_key("w1_1_2"), name_key("W1_12")
    (('w', 1, (1, 2)), ('w', 1, (1, 2)), ('w', 1, (1, 2)), ('w', 1, (1, 2)))
    >>> name_key("h₁"), name_key("h1"), name_key("h1_1"), name_key("a2"), name_key("x1"), name_key("z")
    (('h', 1, (1,)), ('h', 1, (1,)), ('h', 1, (1,)), ('a', 2, ()), ('x', None, (1,)), ('z', None, ()))
    """
    match = re.fullmatch(
        rf"(?P<letter>[A-Za-z])(?P<ascii>(?:_?\d+)*)(?P<sup>[{_SUPERSCRIPTS}]*)(?P<sub>[{_SUBSCRIPTS},]*)", name
    )
    if match is None or (match["ascii"] and (match["sup"] or match["sub"])):
        return None
    letter = match["letter"].lower()
    if match["ascii"]:
        layer, units = _ascii_indices(letter, re.findall(r"_?\d+", match["ascii"]))
    else:
        layer = int(match["sup"].translate(_FROM_SUPERSCRIPT)) if match["sup"] else None
        units = _units(match["sub"].translate(_FROM_SUBSCRIPT))
    if letter == "h" and layer is None:
        layer = 1  # the notes' h₁, h₂, h₃ are the hidden layer's h¹₁, h¹₂, h¹₃
    return letter, layer, units


_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_FROM_SUBSCRIPT = str.maketrans(_SUBSCRIPTS, "0123456789")


def _units(digits: str) -> tuple[int, ...]:
    """``"12"`` → ``(1, 2)``; ``"10,2"`` → ``(10, 2)``: commas only where an index has two digits."""
    if "," in digits:
        return tuple(int(d) for d in digits.split(","))
    return tuple(int(d) for d in digits)


def _ascii_indices(letter: str, groups: list[str]) -> tuple[int | None, tuple[int, ...]]:
    """Layer and units of an ASCII name's digit groups (``["2", "_1"]`` for ``w2_1``)."""
    head = groups[0] if groups and not groups[0].startswith("_") else None
    rest = [g.lstrip("_") for g in groups[1:]] if head is not None else [g.lstrip("_") for g in groups]
    units = tuple(int(d) for d in rest[0]) if len(rest) == 1 else tuple(int(g) for g in rest)
    if head is None:
        return None, units
    if letter in _LAYERED or (letter == "h" and rest):
        return int(head), units
    return None, (*(int(d) for d in head), *units)  # x1, h1: the digits are units


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
    if not isinstance(text, str):
        raise ParseError(f"a formula must be given as text, got {type(text).__name__}")
    parser = _Parser(text, _tokens(text), _names(symbols))
    return parser.answer()


def _names(symbols: Mapping[str, sympy.Symbol]) -> dict[tuple[str, int | None, tuple[int, ...]], sympy.Symbol]:
    keys = {}
    for name, symbol in symbols.items():
        key = name_key(name)
        if key is not None:
            keys[key] = symbol
    return keys


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
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


class _Parser:
    """Recursive descent over the tokens, one method per rule of the grammar."""

    def __init__(self, text: str, tokens: list[_Token], names: Mapping[Any, sympy.Symbol]) -> None:
        self.text, self.tokens, self.names, self.at = text, tokens, names, 0

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

    def answer(self) -> Any:
        if not self.tokens:
            raise _error(self.text, 0, "the formula is empty")
        value = self.matrix() if self.peek_is("[") else self.expr()
        if self.peek() is not None:
            raise self.fail(f"{self.peek().text!r} cannot follow here")  # type: ignore[union-attr]
        return value

    def peek_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == text

    def matrix(self) -> Array:
        rows = self.bracketed(lambda: self.bracketed(self.expr) if self.peek_is("[") else self.expr())
        nested = [isinstance(row, list) for row in rows]
        if any(nested) and (not all(nested) or len({len(row) for row in rows}) > 1):
            raise _error(self.text, 0, "the rows of a matrix must all have the same length")
        return np.array(rows, dtype=object)

    def bracketed(self, item: Callable[[], Any]) -> list[Any]:
        if not self.take("["):
            raise self.fail("a '[' should come here")
        items = [item()]
        while self.take(","):
            items.append(item())
        if not self.take("]"):
            raise self.fail("a ',' or ']' should come here")
        return items

    def expr(self) -> sympy.Expr:
        value = self.term()
        while (op := self.take("+", "-", "−")) is not None:
            right = self.term()
            value = value + right if op.text == "+" else value - right
        return value

    def term(self) -> sympy.Expr:
        value = self.unary()
        while True:
            if (op := self.take("*", "/", "·", "×")) is not None:
                right = self.unary()
                value = value / right if op.text == "/" else value * right
            elif self.starts_atom():
                value = value * self.unary()  # side by side: a product, as on paper
            else:
                return value

    def starts_atom(self) -> bool:
        token = self.peek()
        return token is not None and (token.kind in ("number", "name") or token.text == "(")

    def unary(self) -> sympy.Expr:
        if self.take("-", "−") is not None:
            return -self.unary()
        if self.take("+") is not None:
            return self.unary()
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if self.take("^", "**") is not None:
            return base ** self.unary()
        return base

    def atom(self) -> sympy.Expr:
        token = self.peek()
        if token is None:
            raise self.fail("the formula ends where a term should come")
        if self.take("(") is not None:
            value = self.expr()
            if self.take(")") is None:
                raise self.fail("a ')' should come here")
            return value
        if token.kind == "number":
            self.at += 1
            return sympy.Rational(token.text)
        if token.kind == "name":
            self.at += 1
            return self.function(token) if self.peek_is("(") and token.text in _FUNCTIONS else self.name(token)
        raise self.fail(f"{token.text!r} cannot start a term")

    def function(self, token: _Token) -> sympy.Expr:
        self.take("(")
        argument = self.expr()
        if self.take(")") is None:
            raise self.fail(f"a ')' should close {token.text}(")
        return _FUNCTIONS[token.text](argument)

    def name(self, token: _Token) -> sympy.Symbol:
        if token.text in _FUNCTIONS:
            raise _error(self.text, token.position, f"{token.text} is a function: write {token.text}(…)")
        key = name_key(token.text)
        if key is None or key not in self.names:
            raise _error(self.text, token.position, f"{token.text!r} is not a name of this network")
        return self.names[key]
