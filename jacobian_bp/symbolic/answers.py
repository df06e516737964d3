"""Grading a formula: :func:`check_answer` for ``∂J/∂θ`` written in the notes' symbols, one example.

The truth and every catalogue mistake come from the engine's own chain over
symbols (:func:`~jacobian_bp.chain.jacobian_chain.example_chain`), each mistake
one change to it (:mod:`jacobian_bp.answers.variants`), exactly as for numbers.
An answer equals one of them when their difference simplifies to zero:
both are written out — every kept ``a``, ``h``, ``z`` replaced by the forward
pass of the network the chain ran on (without ``bʲ`` for ``bias_dropped``),
every ``σ′(u)`` by ``σ(u)(1 − σ(u))`` — and expanded. So ``z``, ``σ(a²)`` and
``σ(b² + w²₁h₁ + …)`` are all the same thing to the checker. A diagnosis also
reports the simplified ratio answer / truth, which is what a mistake looks
like on paper: the notes' boxed ∂J/∂w²₁ is the truth times ``1 − σ(a²)``.

:func:`check_formula` grades one step of the forward pass (``a²``, ``h¹₁``, ``z``) the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from jacobian_bp.answers.layout import read_as
from jacobian_bp.answers.variants import LocalJacobians, Variant, build, variants
from jacobian_bp.answers.verdict import Diagnosis, Verdict, equals, grade
from jacobian_bp.chain.factors import net_factors
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import JacobianChain, display_name, example_chain
from jacobian_bp.errors import InputTypeError, UnknownNameError
from jacobian_bp.network.losses import Loss, get_loss
from jacobian_bp.network.sympy_functions import map_entries, object_array
from jacobian_bp.symbolic.chain import expand_sigmoid, substitute_forward
from jacobian_bp.symbolic.grammar import name_key, parse
from jacobian_bp.symbolic.network import MLP, notes_network

Array = np.ndarray

#: A ratio longer than this (in characters) stays in the detail but out of the sentence: it would not help.
SHORT = 40


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


def written_out(value: Any, net: MLP) -> Array:
    """Entries in the parameters, ``x`` and ``t`` alone, ``σ′`` rewritten as ``σ(1 − σ)``, expanded.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> written_out(sym.sigma_prime(snet.a[2][0]), snet)[()] == written_out(snet.h[2][0] * (1 - snet.h[2][0]), snet)[()]
    True
    """
    return map_entries(lambda entry: sympy.expand(expand_sigmoid(entry)), substitute_forward(object_array(value), net))


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


def same_on(net: MLP) -> Callable[[Array, Array], bool]:
    """``same(answer, value)``: every entry's difference is zero once both are written out on ``net``.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> z, a2 = snet.h[2][0], snet.a[2][0]
    >>> same_on(snet)(np.array([z * (1 - z)]), np.array([sym.sigma_prime(a2)]))
    True
    """

    def same(answer: Array, value: Array) -> bool:
        difference = written_out(answer, net) - written_out(value, net)
        return all(_zero(entry) for entry in np.ravel(difference))

    return same


def _ratio(answer: Array, truth: Array) -> sympy.Expr | None:
    """answer / truth simplified (for one entry, or the first entry where they differ), if the truth is not 0."""
    pairs = [(a, t) for a, t in zip(np.ravel(answer), np.ravel(truth), strict=True) if sympy.expand(a - t) != 0]
    if not pairs or sympy.sympify(pairs[0][1]) == 0:
        return None
    a, t = pairs[0]
    return sympy.factor(sympy.cancel(expand_sigmoid(a) / expand_sigmoid(t)))


def _with_ratio(diagnosis: Diagnosis, answer: Array, truth: Array) -> Diagnosis:
    ratio = _ratio(read_as(answer, truth.shape), truth) if read_as(answer, truth.shape) is not None else None
    if ratio is None:
        return diagnosis
    shown = f" (answer / truth simplifies to {ratio}.)" if len(str(ratio)) <= SHORT else ""
    return Diagnosis(
        diagnosis.key, {**diagnosis.detail, "ratio": ratio}, diagnosis.explanation + shown, diagnosis.where
    )


def _difference(answer: Array, truth: Array) -> tuple[dict[str, Any], str]:
    """An unexplained wrong formula: the first entry that differs, by how much, and the ratio."""
    index = next(i for i in np.ndindex(truth.shape) if sympy.expand(answer[i] - truth[i]) != 0) if truth.shape else ()
    difference = sympy.factor(sympy.simplify(answer[index] - truth[index]))
    detail: dict[str, Any] = {"index": index, "difference": difference}
    where = f"entry {list(index)}" if index else "it"
    sentence = f"{where} differs from the truth by {difference}"
    ratio = _ratio(answer[index], truth[index])
    if ratio is not None:
        detail["ratio"] = ratio
        sentence += f"; answer / truth = {ratio}" if len(str(ratio)) <= SHORT else ""
    return detail, sentence + "."


# ---------------------------------------------------------------------------------------------
# What was asked, and the answer as an array of expressions.


def _question(snet: MLP, wrt: str) -> tuple[str, tuple[int, ...] | None]:
    """``wrt`` as a parameter and an entry of it: ``"W1"`` → ``("W1", None)``, ``"w²₁"`` → ``("W2", (0, 0))``."""
    if wrt in snet.param_names:
        return wrt, None
    key = name_key(wrt) if isinstance(wrt, str) else None
    for name in snet.param_names:
        for index in np.ndindex(snet.params[name].shape):
            if key is not None and name_key(str(snet.params[name][index])) == key:
                return name, index
    entries = [str(s) for name in snet.param_names for s in snet.params[name].ravel()]
    raise UnknownNameError(
        f"wrt={wrt!r} names neither a parameter ({', '.join(snet.param_names)}) nor one of its entries "
        f"({', '.join(entries[:8])}, …; ASCII spellings such as w1_11, w2_1, b1_2, b2 work too)"
    )


def read_answer(answer: Any, snet: MLP) -> Array:
    """The answer as an object array of expressions: text is parsed, SymPy objects and numbers kept.

    >>> import jacobian_bp.symbolic as sym
    >>> read_answer("[h1, h2]", sym.notes_network())
    array([h¹₁, h¹₂], dtype=object)
    """
    if isinstance(answer, str):
        return object_array(parse(answer, snet.symbols))
    if isinstance(answer, sympy.MatrixBase):
        return np.array(answer.tolist(), dtype=object)
    array = object_array(answer)
    try:
        return map_entries(lambda e: parse(e, snet.symbols) if isinstance(e, str) else sympy.sympify(e), array)
    except (sympy.SympifyError, TypeError) as error:
        raise InputTypeError(f"answer must be a formula, a SymPy expression or an array of them: {error}") from None


def check_answer(answer: Any, wrt: str, snet: MLP | None = None, loss: str = "mse") -> Verdict:
    """Grade a formula for ``∂J/∂wrt`` on the notes' network in symbols (one example).

    ``answer`` is text in the grammar of :mod:`jacobian_bp.symbolic.grammar`, a
    SymPy expression, or an array / ``Matrix`` / nested list of them for a whole
    parameter. ``wrt`` is a parameter (``"W1"``, ``"b2"``) or one entry of it
    (``"w²₁"`` or ``"w2_1"``, ``"w¹₁₁"`` or ``"w1_11"``). ``snet`` defaults to
    :func:`~jacobian_bp.symbolic.notes_network`.

    >>> import jacobian_bp.symbolic as sym
    >>> boxed = "-(t - z) * σ′(a²) * (1 - σ(a²)) * h₁"  # the notes' boxed ∂J/∂w²₁, one example
    >>> verdict = sym.check_answer(boxed, wrt="w²₁")
    >>> verdict.mistake, verdict.detail["layer"], verdict.detail["ratio"]
    ('extra_one_minus_sigma', 2, 1 - σ(a²))
    >>> sym.check_answer("(z - t) z (1 - z) h1", wrt="w2_1").correct  # σ′(a²) = z(1 − z)
    True
    """
    snet = notes_network() if snet is None else snet
    if not isinstance(snet, MLP):
        raise InputTypeError(f"snet must be a symbolic network (jacobian_bp.symbolic.MLP), got {type(snet).__name__}")
    parameter, index = _question(snet, wrt)
    chains = SymbolicChains(snet, get_loss(loss), parameter)
    array = read_answer(answer, snet)

    def pick(value: Array) -> Array:
        return value if index is None else object_array(value[index])

    truth = pick(build(chains)[0])
    found = [v for v in variants(snet, parameter, 1) if index is None or v.layout is None]
    mistakes = [_mistake(chains, variant, pick, array, truth) for variant in found]
    mistakes += _missing_terms(truth, snet)
    question = f"∂J/∂{display_name(parameter) if index is None else snet.params[parameter][index]}"
    reason = f"in numerator layout the gradient of the scalar J has the shape of {display_name(parameter)}"
    return grade(question, array, truth, mistakes, same_on(snet), _difference, reason)


def _mistake(
    chains: SymbolicChains, variant: Variant, pick: Callable[[Array], Array], answer: Array, truth: Array
) -> tuple[Diagnosis, Callable[[Array], bool]]:
    """A variant's value, built lazily, compared on the network it ran on; the diagnosis carries the ratio."""
    built: dict[str, Any] = {}

    def matches(candidate: Array) -> bool:
        if "value" not in built:
            value, net = build(chains, variant)
            built["value"], built["net"] = pick(value), net
        return equals(built["value"], same_on(built["net"]))(candidate)

    return _with_ratio(variant.diagnosis, answer, truth), matches


def _missing_terms(truth: Array, snet: MLP) -> list[tuple[Diagnosis, Callable[[Array], bool]]]:
    """For a one-entry truth that is a sum: the truth short of each of its terms (as the kept names write it)."""
    if truth.size != 1:
        return []
    expression = sympy.expand(truth.ravel()[0])
    terms = sympy.Add.make_args(expression)
    if len(terms) < 2:
        return []
    return [
        (
            Diagnosis("missing_term", {"term": term}, f"the term {term} of the sum is missing."),
            equals(object_array(expression - term).reshape(truth.shape), same_on(snet)),
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
    key = name_key(quantity) if isinstance(quantity, str) else None
    for k in range(1, snet.depth + 1):
        below = snet.x if k == 1 else snet.h[k - 1]
        a = snet.params[f"W{k}"] @ below + snet.params[f"b{k}"]
        for i in range(snet.sizes[k]):
            if key == name_key(str(snet.a[k][i])):
                return sympy.sympify(a[i]), k
            if key == name_key(str(snet.h[k][i])):
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
    array = read_answer(answer, snet)
    bias = {b: 0 for b in snet.params[f"b{layer}"]}
    without_bias = Diagnosis(
        "bias_dropped",
        {"layer": layer, "parameter": f"b{layer}"},
        f"the bias {display_name(f'b{layer}')} is left out of the sum.",
    )
    mistakes = [(without_bias, equals(object_array(formula.xreplace(bias)), same_on(snet)))]
    mistakes += _missing_terms(truth, snet)
    return grade(quantity, array, truth, mistakes, same_on(snet), _difference)
