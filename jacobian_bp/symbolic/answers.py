"""Grading a formula: :func:`check_answer` for ``∂J/∂θ`` written in the notes' symbols, one example.

A formula is read by the package's own grammar (:mod:`jacobian_bp.symbolic.grammar`)
or, when it is a SymPy object already, walked node by node and kept only if it
is made of the notes' symbols, numbers, ``+ × ^`` and ``σ, σ′, exp, log``: a
student's text is never evaluated (no ``eval``, ``sympify`` or ``parse_expr``).

*Correct* is exact: the answer and the truth are both written out — every kept
``a``, ``h``, ``z`` replaced by the forward pass, every ``σ′(u)`` by
``σ(u)(1 − σ(u))`` — and their difference expands to zero. So ``z``, ``σ(a²)``
and ``σ(b² + w²₁h₁ + …)`` are all the same thing to the checker. How many
terms that expansion may produce is estimated first and bounded
(:data:`MAX_TERMS`).

*Which mistake* is found the way numbers are graded: the formula is evaluated
at :data:`PROBES` random points of the network (random parameters, input and
target) and the same search of edits runs there
(:mod:`jacobian_bp.answers.edits`), with the edits a formula adds: a symbol
replaced by its neighbour (``h₂`` for ``h₁``, ``σ′(a¹₁)`` for ``σ′(a²)``, ``a``
for ``h``, ``σ`` for ``σ′``), a factor of the product left out or taken twice.

:func:`check_formula` grades one step of the forward pass (``a²``, ``h¹₁``, ``z``) the same way.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from jacobian_bp.answers.edits import Search
from jacobian_bp.answers.edits import compose as compose_variants
from jacobian_bp.answers.layout import read_as
from jacobian_bp.answers.numeric import NumericChains
from jacobian_bp.answers.variants import LocalJacobians, Variant, build, variants
from jacobian_bp.answers.verdict import Diagnosis, Verdict, equals, grade
from jacobian_bp.chain.factors import net_factors
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import JacobianChain, display_name, example_chain
from jacobian_bp.errors import AnswerTooLargeError, InputTypeError, UnknownNameError
from jacobian_bp.network import mlp as numeric_mlp
from jacobian_bp.network.losses import Loss, get_loss
from jacobian_bp.network.sympy_functions import map_entries, object_array, sigma, sigma_prime
from jacobian_bp.symbolic.chain import expand_sigmoid, substitute_forward
from jacobian_bp.symbolic.grammar import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_EXPONENT,
    name_key,
    name_table,
    notes_names,
    notes_text,
    read_formula,
    resolve,
)
from jacobian_bp.symbolic.network import MLP, notes_network

Array = np.ndarray

#: A ratio longer than this (in characters) stays in the detail but out of the sentence: it would not help.
SHORT = 40
#: Most terms the written-out answer may expand to (the notes' ∂J/∂W¹ entries have a few hundred).
MAX_TERMS = 20_000
#: Most nodes a SymPy answer may have, and most entries an answer array may have.
MAX_NODES, MAX_ENTRIES = 5_000, 400
#: Random points of the network at which a wrong formula is compared with every edit.
PROBES = 2
#: Two values at a probe are the same edit when they agree to this relative tolerance.
PROBE_RTOL = 1e-9

#: What a SymPy answer may be made of, besides the network's symbols and numbers.
_ALLOWED_FUNCTIONS = (sigma, sigma_prime, sympy.exp, sympy.log)


@dataclass(frozen=True)
class SymbolicChains:
    """The chain of ``∂J/∂wrt`` for the symbolic example, with ``a``, ``h``, ``z`` kept as names.

    >>> import jacobian_bp.symbolic as sym
    >>> chains = SymbolicChains(sym.notes_network(), jbp.get_loss("mse"), "W2")
    >>> chains.contract(chains.local_jacobians(chains.net))
    array([[h¹₁*(-t + z)*σ′(a²), h¹₂*(-t + z)*σ′(a²), h¹₃*(-t + z)*σ′(a²)]], dtype=object)
    """

    net: MLP
    loss: Loss
    wrt: str

    def local_jacobians(self, net: MLP) -> LocalJacobians:
        """The engine's chain of the example, as for the symbolic walkthrough."""
        trace = net.trace(keep_symbols=True)
        chain = example_chain(net, trace, net.t, self.wrt, self.loss)
        arrays = tuple(factor.array for factor in chain.factors)
        return LocalJacobians(net, trace, tuple(net_factors(net, self.wrt)), arrays, None)

    def contract(self, local: LocalJacobians) -> Array:
        """The chain multiplied out by einsum, entries left as the engine builds them."""
        pairs = zip(local.factors, local.arrays, strict=True)
        factors = [Jacobian(array, factor.out_shape, factor.in_shape, factor.name) for factor, array in pairs]
        return JacobianChain(factors, self.wrt, self.loss.name).contract(method="einsum").array


# ---------------------------------------------------------------------------------------------
# Exact comparison, bounded.


def expansion_size(expr: Any, cap: int = MAX_TERMS) -> int:
    """An upper estimate of the terms ``sympy.expand`` makes of ``expr`` (products of sums multiply out),
    stopping at ``cap + 1``: computed on the tree, before any expansion is done.

    >>> import jacobian_bp.symbolic as sym
    >>> s = sym.notes_network().symbols
    >>> expansion_size((s["h¹₁"] + s["h¹₂"]) * (s["x₁"] + s["x₂"] + 1)), expansion_size((s["z"] + 1) ** 12)
    (6, 4096)
    """
    memo: dict[Any, int] = {}

    def size(node: Any) -> int:
        if node in memo:
            return memo[node]
        if isinstance(node, sympy.Add):
            result = sum(size(arg) for arg in node.args)
        elif isinstance(node, sympy.Mul):
            result = 1
            for arg in node.args:
                result = min(result * size(arg), cap + 1)
        elif isinstance(node, sympy.Pow):
            base = size(node.base)
            power = abs(int(node.exp)) if node.exp.is_Integer else 1
            result = cap + 1 if base > 1 and power * math.log(base) > math.log(cap + 1) else base**power
        elif node.args:
            inner = max(size(arg) for arg in node.args)  # a function: its argument expands inside it
            result = 1 if inner <= cap else cap + 1
        else:
            result = 1
        memo[node] = min(result, cap + 1)
        return memo[node]

    return size(sympy.sympify(expr) if not isinstance(expr, sympy.Basic) else expr)


def _prepared(value: Any, net: MLP) -> Array:
    """Entries in the parameters, ``x`` and ``t`` alone, ``σ′`` rewritten as ``σ(1 − σ)``, not yet expanded."""
    return map_entries(expand_sigmoid, substitute_forward(object_array(value), net))


def check_size(answer: Array, net: MLP) -> None:
    """Refuse an answer whose written-out entries would expand beyond :data:`MAX_TERMS` terms, before any work.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> sums = sympy.Mul(*[snet.x[0] + snet.x[1] + i for i in range(12)], evaluate=False)
    >>> check_size(object_array(sums), snet)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.AnswerTooLargeError: written out, the answer would expand to more than 20000 terms; ...
    """
    for entry in np.ravel(_prepared(answer, net)):
        _expanded(entry, expand=False)


def _expanded(entry: sympy.Expr, expand: bool = True) -> sympy.Expr:
    if expansion_size(entry) > MAX_TERMS:
        raise AnswerTooLargeError(
            f"written out, the answer would expand to more than {MAX_TERMS} terms; a gradient of the notes' network "
            "has a few hundred at most — multiply fewer sums"
        )
    return sympy.expand(entry) if expand else entry


def written_out(value: Any, net: MLP) -> Array:
    """Entries in the parameters, ``x`` and ``t`` alone, ``σ′`` rewritten as ``σ(1 − σ)``, expanded.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> written_out(sym.sigma_prime(snet.a[2][0]), snet)[()] == written_out(snet.h[2][0] * (1 - snet.h[2][0]), snet)[()]
    True
    """
    return map_entries(_expanded, _prepared(value, net))


def _zero(difference: sympy.Expr) -> bool:
    """Whether a written-out difference is zero.

    Expanded, a difference in σ and σ′ is a polynomial in the σ(…) of the forward pass, and zero
    exactly when it expands to 0. An answer that spells the sigmoid with ``exp`` has no such
    normal form (and ``simplify`` can take minutes on it), so it is evaluated instead, exactly,
    at three points drawn at random: a non-zero formula vanishes at all three with probability 0.
    """
    if sympy.expand(difference) == 0:
        return True
    if not difference.has(sympy.exp):
        return False
    draw = random.Random(0)
    as_exp = difference.rewrite(sympy.exp)
    for _ in range(3):
        point = {s: sympy.Rational(draw.randint(-900, 900), 1000) for s in as_exp.free_symbols}
        if abs(as_exp.evalf(30, subs=point)) > 1e-20:
            return False
    return True


def same_on(net: MLP, points: list[Probe] | None = None) -> Callable[[Array, Array], bool]:
    """``same(answer, value)``: every entry's difference is zero once both are written out on ``net``.

    With ``points`` (:func:`probes` of ``net``), two values that differ at one of them are told apart
    there first, without expanding anything; equal ones are still proved equal by expansion.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> z, a2 = snet.h[2][0], snet.a[2][0]
    >>> same_on(snet)(np.array([z * (1 - z)]), np.array([sym.sigma_prime(a2)]))
    True
    """

    def same(answer: Array, value: Array) -> bool:
        if points and not all(_close(1e-6)(_numbers(answer, p.values), _numbers(value, p.values)) for p in points):
            return False  # different at a point of the network: no need to expand anything
        kept = map_entries(lambda entry: _expanded(expand_sigmoid(entry)), object_array(answer - value))
        if all(entry == 0 for entry in np.ravel(kept)):
            return True  # zero already in the kept names a, h, z: zero whatever they stand for
        difference = _prepared(answer, net) - _prepared(value, net)
        return all(_zero(_expanded(entry)) for entry in np.ravel(difference))

    return same


def _ratio(answer: Array, truth: Array) -> sympy.Expr | None:
    """answer / truth simplified (for one entry, or the first entry where they differ), if the truth is not 0."""
    if any(expansion_size(a) > MAX_TERMS // 10 for a in np.ravel(answer)):
        return None  # too big to simplify quickly, and too big to help a student
    pairs = [(a, t) for a, t in zip(np.ravel(answer), np.ravel(truth), strict=True) if sympy.expand(a - t) != 0]
    if not pairs or sympy.sympify(pairs[0][1]) == 0:
        return None
    a, t = pairs[0]
    if expansion_size(a) * expansion_size(t) > MAX_TERMS // 10:
        return None  # too big to simplify quickly, and too big to help a student
    return sympy.factor(sympy.cancel(expand_sigmoid(a) / expand_sigmoid(t)))


def _with_ratio(diagnosis: Diagnosis, answer: Array, truth: Array) -> Diagnosis:
    """A chain mistake's diagnosis with the ratio answer / truth in its detail (and sentence, when short)."""
    fitted = read_as(answer, truth.shape)
    ratio = _ratio(fitted, truth) if fitted is not None else None
    if ratio is None:
        return diagnosis
    shown = f" (answer / truth simplifies to {ratio}.)" if len(str(ratio)) <= SHORT else ""
    return dataclasses.replace(
        diagnosis, detail={**diagnosis.detail, "ratio": ratio}, explanation=diagnosis.explanation + shown
    )


# ---------------------------------------------------------------------------------------------
# Reading an answer: text through the grammar, SymPy objects walked, nothing evaluated.


def checked_expression(expr: Any, snet: MLP) -> sympy.Expr:
    """A SymPy expression kept only if made of the network's symbols, numbers, ``+ × ^`` and σ, σ′, exp, log.

    A symbol is taken by its name (``sympy.Symbol("z")`` is the network's ``z``); anything else —
    another function, a symbol the network does not have, an exponent beyond
    :data:`~jacobian_bp.symbolic.grammar.MAX_EXPONENT` — is refused.

    >>> import jacobian_bp.symbolic as sym
    >>> checked_expression(sympy.Symbol("z") * 2, sym.notes_network())
    2*z
    >>> checked_expression(sympy.Function("system")(1), sym.notes_network())
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InputTypeError: the answer holds system(1), which a gradient's formula does not: ...
    """
    symbols = snet.symbols
    replacements: dict[sympy.Basic, sympy.Basic] = {}
    stack: list[tuple[Any, int]] = [(expr, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or depth > 4 * MAX_DEPTH:
            raise AnswerTooLargeError(
                f"the answer has more than {MAX_NODES} parts or nests deeper than {4 * MAX_DEPTH} levels"
            )
        _check_node(node, symbols, replacements)
        stack.extend((arg, depth + 1) for arg in getattr(node, "args", ()))
    return expr.xreplace(replacements) if replacements else expr


_WHAT_IS_ALLOWED = "only the network's symbols, numbers, +, ×, powers and σ, σ′, exp, log"


def _check_node(node: Any, symbols: Mapping[str, sympy.Symbol], replacements: dict[Any, Any]) -> None:
    if isinstance(node, sympy.Symbol):
        if node.name not in symbols:
            raise InputTypeError(
                f"the answer holds the symbol {node.name[:40]!r}, which is not a name of this network "
                f"({', '.join(list(symbols)[:12])}, …)"
            )
        if symbols[node.name] != node:
            replacements[node] = symbols[node.name]
        return
    if isinstance(node, sympy.Rational):
        if max(len(str(abs(node.p))), len(str(node.q))) > MAX_DIGITS:
            raise AnswerTooLargeError(f"the answer holds a number with more than {MAX_DIGITS} digits")
        return
    if isinstance(node, sympy.Float):
        if not math.isfinite(float(node)):
            raise InputTypeError("the answer holds a number that is not finite")
        return
    if isinstance(node, (sympy.Add, sympy.Mul)):
        return
    if isinstance(node, sympy.Pow):
        exponent = node.exp
        if not isinstance(exponent, sympy.Rational):
            raise InputTypeError(f"the answer raises to the power {str(exponent)[:40]}: an exponent must be a number")
        if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
            raise AnswerTooLargeError(f"the answer raises to the power {str(exponent)[:20]}, beyond ±{MAX_EXPONENT}")
        return
    if isinstance(node, _ALLOWED_FUNCTIONS) and len(node.args) == 1:
        return
    raise InputTypeError(f"the answer holds {str(node)[:60]}, which a gradient's formula does not: {_WHAT_IS_ALLOWED}")


def _entry(value: Any, snet: MLP) -> sympy.Expr:
    """One entry of an answer array: text read by the grammar, a number kept exactly, a SymPy expression walked."""
    if isinstance(value, str):
        read = read_formula(value, snet.symbols).value
        if isinstance(read, np.ndarray):
            raise InputTypeError("an entry of an answer array must be one formula, not a matrix")
        return read
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError("an entry of the answer is True or False, not a number or a formula")
    if isinstance(value, (int, np.integer)):
        return checked_expression(sympy.Integer(int(value)), snet)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise InputTypeError("an entry of the answer is not finite")
        return sympy.Rational(Fraction(repr(float(value))))
    if isinstance(value, Fraction):
        return checked_expression(sympy.Rational(value.numerator, value.denominator), snet)
    if isinstance(value, sympy.Basic):
        return checked_expression(value, snet)
    raise InputTypeError(
        f"an entry of the answer is a {type(value).__name__}; an answer is a formula (text), a SymPy expression, "
        "a number, or a list / array / Matrix of them"
    )


def read_answer(answer: Any, snet: MLP) -> Array:
    """The answer as an object array of expressions: text is parsed, SymPy objects walked, numbers kept.

    >>> import jacobian_bp.symbolic as sym
    >>> read_answer("[h1, h2]", sym.notes_network())
    array([h¹₁, h¹₂], dtype=object)
    """
    return _read(answer, snet)[0]


def _read(answer: Any, snet: MLP) -> tuple[Array, str]:
    """The answer as an object array, and how it was read (in the notes' notation)."""
    if isinstance(answer, str):
        reading = read_formula(answer, snet.symbols)
        return object_array(reading.value), (f"∂J/∂{reading.lhs} = " if reading.lhs else "") + reading.text
    if isinstance(answer, sympy.MatrixBase):
        if answer.rows * answer.cols > MAX_ENTRIES:
            raise AnswerTooLargeError(f"the answer has {answer.rows * answer.cols} entries; at most {MAX_ENTRIES}")
        array = np.empty((answer.rows, answer.cols), dtype=object)
        for i, j in np.ndindex(array.shape):
            array[i, j] = checked_expression(answer[i, j], snet)
    elif isinstance(answer, sympy.Basic):
        array = object_array(checked_expression(answer, snet))
    elif isinstance(answer, (list, tuple, np.ndarray)) or _is_number(answer):
        array = _array(answer, snet)
    else:
        raise InputTypeError(
            f"answer must be a formula (text), a SymPy expression, or a list / array / Matrix of them; got "
            f"{type(answer).__name__}"
        )
    return array, notes_text(array, snet.symbols)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction, np.number)) and not isinstance(value, bool)


def _array(answer: Any, snet: MLP) -> Array:
    if isinstance(answer, np.ndarray) and answer.size > MAX_ENTRIES:
        raise AnswerTooLargeError(f"the answer has {answer.size} entries; at most {MAX_ENTRIES}")
    try:
        holder = np.array(answer, dtype=object)
    except (ValueError, TypeError, RecursionError):
        raise InputTypeError("answer must be a rectangular list of formulas (rows of the same length)") from None
    if holder.size > MAX_ENTRIES:
        raise AnswerTooLargeError(f"the answer has {holder.size} entries; at most {MAX_ENTRIES}")
    array = np.empty(holder.shape, dtype=object)
    for index, value in np.ndenumerate(holder):
        array[index] = _entry(value, snet)
    return array


# ---------------------------------------------------------------------------------------------
# Probes: the network at random numbers, where every edit is cheap to build.


@dataclass(frozen=True)
class Probe:
    """The network at one random point: numeric chains of the same architecture, and every symbol's value."""

    chains: NumericChains
    values: dict[sympy.Basic, float]


def probes(snet: MLP, parameter: str, loss: str, count: int = PROBES) -> list[Probe]:
    """``count`` random points of ``snet``: parameters, input and target drawn at random (seeded: repeatable).

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> point = probes(snet, "W2", "mse", 1)[0]
    >>> bool(0 < point.values[snet.h[2][0]] < 1)
    True
    """
    rng = np.random.default_rng(20_26)
    found = []
    for _ in range(count):
        net = numeric_mlp.MLP(snet.sizes, snet.activation, snet.output_activation, seed=None)
        net.params = {name: rng.uniform(-1.5, 1.5, size=net.param_shape(name)) for name in net.param_names}
        x = rng.uniform(-1.0, 1.0, size=snet.sizes[0])
        t = rng.uniform(0.1, 0.9, size=snet.sizes[-1])
        chains = NumericChains.of(net, x[None, :], t[None, :], parameter, loss)
        trace = net.forward(x)
        values: dict[sympy.Basic, float] = {}
        for name in snet.param_names:
            values.update(zip(snet.params[name].ravel(), net.params[name].ravel(), strict=True))
        values.update(zip(snet.x, x, strict=True))
        values.update(zip(snet.t, t, strict=True))
        for k in range(1, snet.depth + 1):
            values.update(zip(snet.a[k], trace.a[k], strict=True))
            values.update(zip(snet.h[k], trace.h[k], strict=True))
        found.append(Probe(chains, values))
    return found


def evaluate(expr: Any, values: Mapping[sympy.Basic, float]) -> float:
    """A checked expression's value at one probe, computed by walking its tree (no code is generated).

    >>> import jacobian_bp.symbolic as sym
    >>> u = sym.notes_network().h[2][0]
    >>> evaluate(2 * sym.sigma(u) + u**2, {u: 0.0})
    1.0
    """
    node = sympy.sympify(expr) if not isinstance(expr, sympy.Basic) else expr
    with np.errstate(all="ignore"):
        return float(_evaluate(node, values))


def _evaluate(node: sympy.Basic, values: Mapping[sympy.Basic, float]) -> float:
    if node in values:
        return values[node]
    if isinstance(node, sympy.Number):
        return float(node)
    args = [_evaluate(arg, values) for arg in node.args]
    if isinstance(node, sympy.Add):
        return float(np.sum(args))
    if isinstance(node, sympy.Mul):
        return float(np.prod(args))
    if isinstance(node, sympy.Pow):
        return float(np.float64(args[0]) ** args[1])
    if isinstance(node, sigma):
        return float(1.0 / (1.0 + np.exp(-args[0])))
    if isinstance(node, sigma_prime):
        s = 1.0 / (1.0 + np.exp(-args[0]))
        return float(s * (1.0 - s))
    if isinstance(node, sympy.exp):
        return float(np.exp(args[0]))
    if isinstance(node, sympy.log):
        return float(np.log(args[0]))
    return math.nan  # a symbol without a value: matches nothing


@dataclass(frozen=True)
class FormulaEdit(Variant):
    """An edit made on the correct formula itself (a symbol replaced, a factor dropped or doubled)."""

    edit: Callable[[sympy.Expr], sympy.Expr] | None = None


def _compose(first: Variant, second: Variant) -> Variant | None:
    """Two edits at once: two chain edits, or two formula edits (the two kinds do not mix)."""
    if isinstance(first, FormulaEdit) != isinstance(second, FormulaEdit):
        return None
    pair = compose_variants(first, second)
    if isinstance(first, FormulaEdit) and isinstance(second, FormulaEdit):
        f, g = first.edit, second.edit
        assert f is not None and g is not None
        return FormulaEdit(pair.diagnosis, edit=lambda e: g(f(e)))
    return pair


# ---------------------------------------------------------------------------------------------
# Formula edits: the neighbours of each symbol, the factors of the product.


def _neighbours(symbol: sympy.Symbol, snet: MLP) -> list[tuple[str, sympy.Symbol]]:
    """Symbols of the same kind as ``symbol`` (another unit, another layer; ``a`` for ``h``), with the edit's key."""
    table = name_table(snet.symbols)
    key = _kind(symbol, snet)
    if key is None:
        return []
    letter, layer, units = key
    found = []
    for other in snet.symbols.values():
        other_key = _kind(other, snet)
        if other_key is None or other == symbol:
            continue
        o_letter, o_layer, o_units = other_key
        if o_letter == letter and o_layer == layer and len(o_units) == len(units):
            found.append(("wrong_unit", other))
        elif o_letter == letter and o_layer != layer and letter in "ahw":
            found.append(("wrong_layer", other))
        elif letter == "h" and o_letter == "a" and o_layer == layer and o_units == units:
            found.append(("pre_activation_for_activation", other))
    del table
    return found


def _kind(symbol: sympy.Symbol, snet: MLP) -> tuple[str, int | None, tuple[int, ...]] | None:
    """``(letter, layer, units)`` with the output ``z`` seen as ``h`` of the last layer."""
    if symbol in set(snet.h[snet.depth].ravel()):
        return "h", snet.depth, tuple(int(i) for i in np.argwhere(snet.h[snet.depth] == symbol)[0])
    return name_key(symbol.name)


def formula_edits(truth: Array, snet: MLP, chain_names: tuple[str, ...]) -> list[FormulaEdit]:
    """Every one-symbol or one-factor edit of the correct formula, each as a :class:`FormulaEdit`.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> truth = object_array((snet.h[2][0] - snet.t[0]) * sym.sigma_prime(snet.a[2][0]) * snet.h[1][0])
    >>> sorted({e.diagnosis.key for e in formula_edits(truth, snet, ())})  # doctest: +NORMALIZE_WHITESPACE
    ['activation_for_derivative', 'doubled_factor', 'missing_factor', 'pre_activation_for_activation',
     'wrong_layer', 'wrong_unit']
    """
    shown = notes_names(snet.symbols)
    symbols = sorted(set().union(*(sympy.sympify(e).free_symbols for e in truth.ravel())), key=str)
    found: list[FormulaEdit] = []
    for symbol in symbols:
        for key, other in _neighbours(symbol, snet):
            found.append(_replacement(key, {symbol: other}, shown[symbol], shown.get(other, str(other)), chain_names))
    applications = sorted({f for e in truth.ravel() for f in sympy.sympify(e).atoms(sigma_prime)}, key=str)
    for f in applications:
        replaced = _text(f, shown)
        found.append(
            _replacement(
                "activation_for_derivative", {f: sigma(f.args[0])}, replaced, replaced.replace("σ′", "σ"), chain_names
            )
        )
        for key, other in _neighbours(f.args[0], snet) if isinstance(f.args[0], sympy.Symbol) else []:
            if key == "wrong_layer":
                moved = sigma_prime(other)
                found.append(_replacement(key, {f: moved}, replaced, _text(moved, shown), chain_names))
    if truth.size == 1:
        entry = sympy.sympify(truth.ravel()[0])
        factors = sympy.Mul.make_args(entry)
        if len(factors) > 1:
            for factor in factors:
                if factor.is_Number:
                    continue
                found += [_factor_edit(entry, factor, twice, shown, chain_names) for twice in (False, True)]
    return found


def _text(expr: sympy.Expr, shown: Mapping[sympy.Symbol, str]) -> str:
    symbols = {str(s): s for s in shown}
    return notes_text(expr, symbols)


def _factor_of(replaced: str, chain_names: tuple[str, ...]) -> str:
    """The chain written with the factor that holds ``replaced`` marked, where it can be told."""
    if replaced.startswith(("σ′(a", "σ(a", "a")):
        sup = replaced.split("(")[-1].lstrip("a")[:1] if "(" in replaced else replaced[1:2]
        target = next((n for n in chain_names if n.endswith(f"/∂a{sup}")), "")
    elif replaced.startswith("w"):
        target = next((n for n in chain_names if "/∂h" in n and n.startswith(f"∂a{replaced[1]}")), "")
    elif replaced.startswith(("x", "h")):
        target = next((n for n in chain_names if "/∂W" in n or "/∂w" in n), "")
    elif replaced.startswith(("z", "t")):
        target = chain_names[0] if chain_names else ""
    else:
        target = ""
    return " · ".join(f"[{n}]" if n == target else n for n in chain_names) if target else ""


_REPLACED = {
    "wrong_unit": "another unit's index",
    "wrong_layer": "another layer's quantity",
    "pre_activation_for_activation": "the pre-activation for the activation",
    "activation_for_derivative": "the function for its derivative",
}


def _replacement(
    key: str, change: Mapping[Any, Any], replaced: str, by: str, chain_names: tuple[str, ...]
) -> FormulaEdit:
    diagnosis = Diagnosis(
        key,
        {"replaced": replaced, "by": by},
        f"{by} was used where {replaced} belongs ({_REPLACED[key]}).",
        _factor_of(replaced, chain_names),
        hidden=f"{by} is used where another quantity belongs ({_REPLACED[key]}).",
    )
    return FormulaEdit(diagnosis, edit=lambda e: e.xreplace(dict(change)))


def _factor_edit(
    entry: sympy.Expr, factor: sympy.Expr, twice: bool, shown: Mapping[sympy.Symbol, str], chain_names: tuple[str, ...]
) -> FormulaEdit:
    text = _text(factor, shown)
    key = "doubled_factor" if twice else "missing_factor"
    said = "taken twice" if twice else "missing"
    diagnosis = Diagnosis(
        key,
        {"factor": text},
        f"the factor {text} is {said}.",
        _factor_of(text, chain_names),
        hidden=f"a factor of the product is {said}.",
    )

    def edit(e: sympy.Expr) -> sympy.Expr:
        return e * factor if twice else e / factor

    return FormulaEdit(diagnosis, edit=edit)


# ---------------------------------------------------------------------------------------------
# What was asked, and the grading.


def _question(snet: MLP, wrt: str) -> tuple[str, tuple[int, ...] | None]:
    """``wrt`` as a parameter and an entry of it: ``"W1"`` → ``("W1", None)``, ``"w²₁"`` → ``("W2", (0, 0))``."""
    if wrt in snet.param_names:
        return wrt, None
    found = resolve(wrt, name_table(snet.symbols)) if isinstance(wrt, str) else []
    for name in snet.param_names:
        for index in np.ndindex(snet.params[name].shape):
            if len(found) == 1 and snet.params[name][index] == found[0]:
                return name, index
    entries = [str(s) for name in snet.param_names for s in snet.params[name].ravel()]
    raise UnknownNameError(
        f"wrt={wrt!r} names neither a parameter ({', '.join(snet.param_names)}) nor one of its entries "
        f"({', '.join(entries[:8])}, …; ASCII spellings such as w1_11, w2_1, b1_2, b2 work too)"
    )


def check_answer(
    answer: Any, wrt: str, snet: MLP | None = None, loss: str = "mse", *, learning_rate: float | None = None
) -> Verdict:
    """Grade a formula for ``∂J/∂wrt`` on the notes' network in symbols (one example).

    ``answer`` is text in the grammar of :mod:`jacobian_bp.symbolic.grammar`, a
    SymPy expression, or an array / ``Matrix`` / nested list of them for a whole
    parameter. ``wrt`` is a parameter (``"W1"``, ``"b2"``) or one entry of it
    (``"w²₁"`` or ``"w2_1"``, ``"w¹₁₁"`` or ``"w1_11"``). ``snet`` defaults to
    :func:`~jacobian_bp.symbolic.notes_network`. The verdict's notes say how the
    answer was read, in the notes' notation.

    >>> import jacobian_bp.symbolic as sym
    >>> boxed = "-(t - z) * σ′(a²) * (1 - σ(a²)) * h₁"  # the notes' boxed ∂J/∂w²₁, one example
    >>> verdict = sym.check_answer(boxed, wrt="w²₁")
    >>> verdict.mistake, verdict.detail["layer"], verdict.detail["ratio"]
    ('extra_one_minus_sigma', 2, 1 - σ(a²))
    >>> verdict.notes
    ('read as: −(t − z) σ′(a²) (1 − σ(a²)) h₁',)
    >>> sym.check_answer("(z - t) z (1 - z) h1", wrt="w2_1").correct  # σ′(a²) = z(1 − z)
    True
    >>> verdict = sym.check_answer("(z - t) σ′(a²) h₂", wrt="w2_1")
    >>> verdict.mistake, verdict.detail["replaced"], verdict.detail["by"]
    ('wrong_unit', 'h₁', 'h₂')
    """
    snet = notes_network() if snet is None else snet
    if not isinstance(snet, MLP):
        raise InputTypeError(f"snet must be a symbolic network (jacobian_bp.symbolic.MLP), got {type(snet).__name__}")
    parameter, index = _question(snet, wrt)
    chains = SymbolicChains(snet, get_loss(loss), parameter)
    array, echo = _read(answer, snet)
    check_size(array, snet)

    def pick(value: Array) -> Array:
        array = np.asarray(value)
        return array if index is None else array[tuple(slice(i, i + 1) for i in index)].reshape(())

    truth = object_array(pick(build(chains)[0]))
    found: list[Variant] = [v for v in variants(snet, parameter, 1) if index is None or v.layout is None]
    if truth.size == 1:  # the formula's own edits name the factor as written (h₁, not h¹)
        found = [v for v in found if v.diagnosis.key not in ("missing_factor", "doubled_factor", "wrong_unit")]
    names = tuple(f.name for f in net_factors(snet, parameter))
    if truth.size == 1:  # one entry, as a student writes it: its symbols and factors can be edited one by one
        found += formula_edits(truth, snet, names)
    points = probes(snet, parameter, loss)

    def further(candidate: Array) -> tuple[Diagnosis, ...]:
        at_points = [_numbers(candidate, point.values) for point in points]

        def value(variant: Variant) -> list[tuple[Array, Array]]:
            """The edit's value at each point, with the answer's value there (on the edit's forward pass)."""
            if isinstance(variant, FormulaEdit):
                assert variant.edit is not None
                edited = map_entries(variant.edit, truth)
                return [(_numbers(edited, p.values), a) for p, a in zip(points, at_points, strict=True)]
            pairs = []
            for point, answer_there in zip(points, at_points, strict=True):
                built, net = build(point.chains, variant)
                if net is not point.chains.net:  # the answer's a, h, z are those of the changed forward pass
                    answer_there = _numbers(candidate, {**point.values, **_forward_values(snet, net, point)})
                pairs.append((pick(built), answer_there))
            return pairs

        def matches(values: list[tuple[Array, Array]]) -> bool:
            return all(equals(v, _close(PROBE_RTOL))(a) for v, a in values)

        def times(values: list[tuple[Array, Array]], factor: float) -> list[tuple[Array, Array]]:
            return [(v * factor, a) for v, a in values]

        truth_values = [(_numbers(truth, p.values), a) for p, a in zip(points, at_points, strict=True)]
        search = Search(value, matches, times, truth_values, _compose)
        found_here = search.run(found, learning_rate)
        first = [_with_ratio(d, candidate, truth) if d.key in _CHAIN_KEYS else d for d in found_here[:1]]
        return (*first, *found_here[1:])

    mistakes = _missing_terms(truth, snet, points)
    question = f"∂J/∂{display_name(parameter) if index is None else snet.params[parameter][index]}"
    reason = f"in numerator layout the gradient of the scalar J has the shape of {display_name(parameter)}"
    same = same_on(snet, points)
    verdict = grade(question, array, truth, mistakes, same, _difference_on(snet, same), reason, further)
    notes = [f"read as: {echo}"]
    written = echo.partition(" = ")[0] if echo.startswith("∂J/∂") else ""
    asked = f"∂J/∂{notes_text(snet.params[parameter][index], snet.symbols)}" if index is not None else question
    if written and written != asked:
        notes.append(f"the left-hand side {written} is not what was asked: graded as {asked}")
    return dataclasses.replace(verdict, notes=tuple(notes), shown=notes_text(truth, snet.symbols))


#: Keys of the chain's catalogue mistakes, whose verdicts keep the ratio answer / truth in their detail.
_CHAIN_KEYS = (
    "sign",
    "scale",
    "missing_activation_derivative",
    "extra_one_minus_sigma",
    "derivative_at_output",
    "bias_dropped",
    "transposed_weight_in_backward",
)


def _forward_values(snet: MLP, net: numeric_mlp.MLP, point: Probe) -> dict[sympy.Basic, float]:
    """The values of ``a``, ``h``, ``z`` on ``net``'s forward pass of the point's input."""
    x = np.array([point.values[s] for s in snet.x], dtype=float)
    trace = net.forward(x)
    values: dict[sympy.Basic, float] = {}
    for k in range(1, snet.depth + 1):
        values.update(zip(snet.a[k], trace.a[k], strict=True))
        values.update(zip(snet.h[k], trace.h[k], strict=True))
    return values


def _numbers(value: Array, values: Mapping[sympy.Basic, float]) -> Array:
    array = object_array(value)
    return np.array([evaluate(e, values) for e in array.ravel()], dtype=float).reshape(array.shape)


def _close(rtol: float) -> Callable[[Array, Array], bool]:
    def same(answer: Array, value: Array) -> bool:
        if not (np.all(np.isfinite(answer)) and np.all(np.isfinite(value))):
            return False
        scale = float(np.max(np.abs(value), initial=0.0))
        return float(np.max(np.abs(answer - value), initial=0.0)) <= rtol * max(scale, 1e-12)

    return same


def _difference_on(
    snet: MLP, same: Callable[[Array, Array], bool] | None = None
) -> Callable[[Array, Array], tuple[dict[str, Any], str]]:
    """An unexplained wrong formula: which entries (or which of its terms) are right, and which are not."""
    same = same_on(snet) if same is None else same
    shown = snet.symbols

    def difference(answer: Array, truth: Array) -> tuple[dict[str, Any], str]:
        if truth.size > 1:
            right = [i for i in np.ndindex(truth.shape) if same(object_array(answer[i]), object_array(truth[i]))]
            wrong = [i for i in np.ndindex(truth.shape) if i not in right]
            detail: dict[str, Any] = {"index": wrong[0], "right_entries": right, "wrong_entries": wrong}
            said = ", ".join(str(list(i)) for i in wrong)
            return detail, f"no edit of the chain explains it; entries {said} are not right, the others are."
        given = sympy.Add.make_args(_expanded(answer.ravel()[0]))
        expected = set(sympy.Add.make_args(_expanded(truth.ravel()[0])))
        right_terms = [notes_text(term, shown) for term in given if term in expected]
        wrong_terms = [notes_text(term, shown) for term in given if term not in expected]
        missing = [notes_text(term, shown) for term in expected if term not in set(given)]
        detail = {"index": (), "right_terms": right_terms, "wrong_terms": wrong_terms, "missing_terms": missing}
        sentence = "no edit of the chain (nor two) explains it. "
        sentence += (
            f"Of its terms, {', '.join(right_terms)} {'is' if len(right_terms) == 1 else 'are'} right; "
            if (right_terms)
            else "None of its terms is a term of the truth; "
        )
        sentence += f"{', '.join(wrong_terms)} {'is' if len(wrong_terms) == 1 else 'are'} not"
        sentence += f"; missing: {', '.join(missing)}." if missing and right_terms else "."
        return detail, sentence

    return difference


def _missing_terms(
    truth: Array, snet: MLP, points: list[Probe] | None = None
) -> list[tuple[Diagnosis, Callable[[Array], bool]]]:
    """For a one-entry truth that is a sum: the truth short of each of its terms (as the kept names write it)."""
    if truth.size != 1:
        return []
    expression = sympy.expand(truth.ravel()[0])
    terms = sympy.Add.make_args(expression)
    if len(terms) < 2:
        return []
    return [
        (
            Diagnosis(
                "missing_term", {"term": term}, f"the term {term} of the sum is missing.", hidden="a term is missing."
            ),
            equals(object_array(expression - term).reshape(truth.shape), same_on(snet, points)),
        )
        for term in terms
    ]


# ---------------------------------------------------------------------------------------------
# One step of the forward pass.


def forward_formula(snet: MLP, quantity: str) -> tuple[sympy.Expr, int]:
    """The forward pass's formula for ``quantity`` (``"a²"``, ``"a1_2"``, ``"h₁"``, ``"z"``) and its layer.

    >>> import jacobian_bp.symbolic as sym
    >>> forward_formula(sym.notes_network(), "a2")
    (b² + h¹₁*w²₁ + h¹₂*w²₂ + h¹₃*w²₃, 2)
    """
    found = resolve(quantity, name_table(snet.symbols)) if isinstance(quantity, str) else []
    for k in range(1, snet.depth + 1):
        below = snet.x if k == 1 else snet.h[k - 1]
        a = snet.params[f"W{k}"] @ below + snet.params[f"b{k}"]
        for i in range(snet.sizes[k]):
            if len(found) == 1 and found[0] == snet.a[k][i]:
                return sympy.sympify(a[i]), k
            if len(found) == 1 and found[0] == snet.h[k][i]:
                return snet.layer_activation(k).value(object_array([snet.a[k][i]]))[0], k
    names = [str(s) for k in range(1, snet.depth + 1) for s in (*snet.a[k], *snet.h[k])]
    raise UnknownNameError(f"quantity {quantity!r} is not one of this network's a, h or z: {', '.join(names)}")


def check_formula(answer: Any, quantity: str, snet: MLP | None = None) -> Verdict:
    """Grade a formula for one step of the forward pass: ``a^k_i`` from the layer below, or ``h^k_i``, ``z``.

    Mistakes recognised: ``bias_dropped`` (no ``bᵏ``), ``missing_term`` (one term of the sum left out).

    >>> import jacobian_bp.symbolic as sym
    >>> printed = "w²₁ h₁ + w²₂ h₂ + b²"  # the notes' first a², short of a term
    >>> verdict = sym.check_formula(printed, "a²")
    >>> verdict.mistake, verdict.detail["term"]
    ('missing_term', h¹₃*w²₃)
    >>> sym.check_formula("w2_1 h1 + w2_2 h2 + w2_3 h3 + b2", "a2").correct
    True
    """
    snet = notes_network() if snet is None else snet
    formula, layer = forward_formula(snet, quantity)
    truth = object_array(formula)
    array, echo = _read(answer, snet)
    check_size(array, snet)
    bias = {b: 0 for b in snet.params[f"b{layer}"]}
    without_bias = Diagnosis(
        "bias_dropped",
        {"layer": layer, "parameter": f"b{layer}"},
        f"the bias {display_name(f'b{layer}')} is left out of the sum.",
        hidden=f"the bias of layer {layer} is left out.",
    )
    same = same_on(snet, probes(snet, "W1", "mse"))
    mistakes = [(without_bias, equals(object_array(formula.xreplace(bias)), same))]
    mistakes += _missing_terms(truth, snet)
    verdict = grade(quantity, array, truth, mistakes, same, _difference_on(snet, same))
    return dataclasses.replace(verdict, notes=(f"read as: {echo}",), shown=notes_text(truth, snet.symbols))
