"""The exercises, one or more per section of the notes, in the notes' order: one :class:`Definition` each.

Today's numeric exercises use the notes' network with seed 0 and the example
``x = (1, 0.5)``, ``t = 1`` of the walkthrough; a variant draws its own network
and example (:func:`~jacobian_bp.exercises.drawing.network_setting`), and a
formula exercise's variant asks for another weight or unit. Formula answers
are graded by :mod:`jacobian_bp.symbolic.answers` (SymPy, the ``symbolic``
extra), imported only when such an answer is checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobian_bp.answers.numeric import check_answer
from jacobian_bp.answers.precision import GivenNumbers
from jacobian_bp.answers.verdict import Verdict
from jacobian_bp.chain.jacobian_chain import display_name, jacobian_chain
from jacobian_bp.exercises.checkers import (
    ATOL,
    RTOL,
    array_checker,
    known_wrong_shape,
    numbers,
    pattern_checker,
    shape_checker,
)
from jacobian_bp.exercises.drawing import (
    DIGITS_SENTENCE,
    NET,
    network_setting,
    sigma_prime,
    subscript,
)
from jacobian_bp.exercises.exercise import Definition, Setting
from jacobian_bp.methods.gradient import gradient
from jacobian_bp.network import affine
from jacobian_bp.training.datasets import xor

Array = np.ndarray

ORDINALS = ("first", "second", "third")


# ---------------------------------------------------------------------------------------------
# Formula exercises: which unit or weight a variant asks for.


def _unit_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 1: a² (today's), or a hidden unit's a¹ᵢ from the inputs."""
    unit = 0 if rng is None else int(rng.integers(0, 4))
    if unit == 0:
        words = {
            "unit": "a²",
            "whose": "the output unit's pre-activation a²",
            "below": "the hidden\nactivations h₁, h₂, h₃",
            "weights": "the output weights w²₁, w²₂, w²₃",
            "bias": "b²",
            "from": "the hidden layer",
            "feeds": "Every hidden unit feeds the output, each through its own weight.",
            "matrix": "The matrix form is (w²)ᵀh + b²: multiply the row of weights by the column h.",
            "solution": "w²₁ h₁ + w²₂ h₂ + w²₃ h₃ + b²",
            "mistake": "w²₁ h₁ + w²₂ h₂ + b²",
            "why": "(w²)ᵀh is a row of three weights times a column of three activations: one product per "
            "hidden unit, summed.",
        }
        return Setting(words=words, wrt="a²")
    i = subscript(unit)
    words = {
        "unit": f"a¹{i}",
        "whose": f"the pre-activation a¹{i} of hidden unit {unit}",
        "below": "the inputs x₁, x₂",
        "weights": f"the weights w¹{i}₁, w¹{i}₂",
        "bias": f"b¹{i}",
        "from": "the inputs",
        "feeds": f"Each input feeds hidden unit {unit} through its own weight.",
        "matrix": f"a¹ = W¹x + b¹; a¹{i} takes row {unit} of W¹ and entry {unit} of b¹.",
        "solution": f"w¹{i}₁ x₁ + w¹{i}₂ x₂ + b¹{i}",
        "mistake": f"w¹{i}₁ x₁ + b¹{i}",
        "why": f"Row {unit} of W¹ times the column x: one product per input, summed.",
    }
    return Setting(words=words, wrt=f"a¹{i}")


def _output_weight_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 2: ∂J/∂w²ⱼ, j = 1 today."""
    j = subscript(1 if rng is None else int(rng.integers(1, 4)))
    return Setting(words={"j": j}, wrt=f"w²{j}")


def _hidden_weight_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 3: ∂J/∂w¹ᵢⱼ, the weight from xⱼ to hidden unit i; w¹₁₁ today."""
    i, j = (1, 1) if rng is None else (int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    words = {"i": subscript(i), "j": subscript(j), "nth": ORDINALS[i - 1]}
    return Setting(words=words, wrt=f"w¹{subscript(i)}{subscript(j)}")


def _formula(setting: Setting, answer: Any) -> Verdict:
    from jacobian_bp.symbolic.answers import check_answer as check_formula_answer

    return check_formula_answer(answer, setting.wrt)


def _forward(setting: Setting, answer: Any) -> Verdict:
    from jacobian_bp.symbolic.answers import check_formula

    return check_formula(answer, setting.wrt)


# ---------------------------------------------------------------------------------------------
# Numeric exercises on the network.


def _truth(setting: Setting, wrt: str) -> Array:
    return gradient(setting.net, setting.x, setting.t)[wrt]


def _gradient(wrt: str, reasons: dict[tuple[int, ...], str]) -> Any:
    """:func:`jbp.check_answer` on the setting's network and example at the exercises' tolerance; known slips
    of shape first."""

    def check(setting: Setting, answer: Any) -> Verdict:
        array = numbers(answer)
        known = known_wrong_shape(f"∂J/∂{display_name(wrt)}", array, _truth(setting, wrt), reasons)
        if known is not None:
            return known
        given = answer if isinstance(answer, GivenNumbers) else array  # typed digits, checked at their precision
        return check_answer(given, setting.net, setting.x, setting.t, wrt, rtol=RTOL, atol=ATOL)

    return check


def _example_chain(setting: Setting, wrt: str) -> list[Array]:
    return [factor.array for factor in jacobian_chain(setting.net, setting.x, setting.t, wrt=wrt).factors]


def _without_activation_derivative(setting: Setting) -> Array:
    """∂J/∂b¹ with ∂h¹/∂a¹ left out of the chain: a row times W² times the identity."""
    d_J_d_z, d_z_d_a2, d_a2_d_h, _, d_a1_d_b1 = _example_chain(setting, "b1")
    return (d_J_d_z @ d_z_d_a2 @ d_a2_d_h) @ d_a1_d_b1


def _hidden_row(setting: Setting) -> Array:
    """δ (w²)ᵀ ⊙ σ′(a¹)ᵀ, with δ = [−(t − z)][σ′(a²)]: the row the outer product of exercise 8 starts from."""
    trace = setting.net.forward(setting.x)
    delta = (trace.z - setting.t) * sigma_prime(trace.a[2])
    return delta[0] * setting.net.params["W2"][0] * sigma_prime(trace.a[1])


def _second_pass_with_k_2(setting: Setting) -> Array:
    """Algorithm 6.4's second pass run on the k = 2 quantities: σ′(a²) again and h¹ for x (the notes' label)."""
    trace = setting.net.forward(setting.x)
    a2, h1 = trace.a[2][0], trace.h[1]
    g = setting.net.params["W2"][0] * (trace.z[0] - setting.t[0]) * sigma_prime(a2)
    return np.outer(g * sigma_prime(a2), h1)


# ---------------------------------------------------------------------------------------------
# Numeric exercises off the network.


def _tensor_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 5: the example's input only."""
    setting = network_setting(rng)
    return Setting(words={"x": setting.words["x"]}, x=setting.x)


def _d_a_d_W(setting: Setting) -> Array:
    return affine.d_a_d_W(setting.x, 3)


def _pattern(question: str, truth: Any, reasons: dict[tuple[int, ...], str]) -> Any:
    def check(setting: Setting, answer: Any) -> Verdict:
        return pattern_checker(question, truth(setting), reasons)(answer)

    return check


A_ROW = np.array([1, -1, 2])
B_STACK = np.array([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]])


def _minus(number: int) -> str:
    return f"−{-number}" if number < 0 else str(number)


def _list_text(values: Any) -> str:
    """Whole numbers as the statement writes them: ``[1, −1, 2]``, ``[[1, 2], [3, 4]]``."""
    if np.ndim(values) == 0:
        return _minus(int(values))
    return "[" + ", ".join(_list_text(v) for v in values) + "]"


def _sum_text(terms: Array) -> str:
    """``1 − 3 + 10``: the products of a row and a column, written out."""
    text = _minus(int(terms[0]))
    return text + "".join(f" − {-int(v)}" if v < 0 else f" + {int(v)}" for v in terms[1:])


def _product_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 7: a row a of three whole numbers and a stack B of two 3×2 matrices; the notes' own today."""
    a, B = A_ROW, B_STACK
    while rng is not None:  # a·B must differ from its transpose, or the classic mistake would be right
        a = rng.integers(1, 4, size=3) * np.where(rng.integers(0, 2, size=3) == 1, 1, -1)
        B = rng.integers(-4, 10, size=(2, 3, 2), endpoint=True)
        a_B = np.stack([a @ Bi for Bi in B])
        if not np.array_equal(a_B, a_B.T):
            break
    rows = [np.stack([a * Bi[:, c] for c in range(2)]) for Bi in B]  # rows[i][c]: the terms of (aBⁱ)_c
    products = [f"[{_sum_text(r[0])}, {_sum_text(r[1])}] = {_list_text(r.sum(axis=1))}" for r in rows]
    words = {
        "a": _list_text(a),
        "B1": _list_text(B[0]),
        "B2": _list_text(B[1]),
        "products": f"aB¹ = {products[0]} and aB² = {products[1]}",
        "flat": _list_text(np.concatenate([r.sum(axis=1) for r in rows])),
    }
    return Setting(words=words, data={"a": a.astype(float), "B": B.astype(float)})


def _a_B(setting: Setting) -> Array:
    return np.stack([setting.data["a"] @ B for B in setting.data["B"]])


def _xor_setting(rng: np.random.Generator | None) -> Setting:
    """Exercise 9: the notes' network on the four XOR corners, the same for every seed (only zeros are asked)."""
    X, T = xor()
    return Setting(net=NET, x=X, t=T)


def _xor_activation_jacobian(setting: Setting) -> Array:
    return jacobian_chain(setting.net, setting.x, setting.t, wrt="W1", batch="full").factors[4].array  # 4×3×4×3


def _per_example_blocks(setting: Setting) -> Array:
    return np.stack([np.diag(sigma_prime(a)) for a in setting.net.forward(setting.x).a[1]])


# ---------------------------------------------------------------------------------------------
# The table.

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        number=1,
        slug="forward-a2",
        section="Forward pass",
        title="$unit from $from",
        kind="formula",
        statement="Write $whose of the notes' network in terms of $below, $weights and the bias $bias.",
        hints=("$feeds", "$matrix"),
        draw=_unit_setting,
        answer=lambda s: s.words["solution"],
        check=_forward,
        mistake=lambda s: s.words["mistake"],
        worked="$why The bias is added once.",
    ),
    Definition(
        number=2,
        slug="dJ-dw2-1",
        section="One weight at a time",
        title="∂J/∂w²$j for one example",
        kind="formula",
        statement="For one example with target t and J = ½(t − z)², derive ∂J/∂w²$j by hand. Write it with\n"
        "t, z, a², h$j and σ′ (or σ).",
        hints=(
            "The power rule on ½(t − z)² gives (t − z) times the derivative of (t − z).",
            "Then the chain rule through z = σ(a²), and a² = w²₁h₁ + w²₂h₂ + w²₃h₃ + b².",
            "σ′(a²) = σ(a²)(1 − σ(a²)): write one or the other, not both.",
        ),
        draw=_output_weight_setting,
        answer=lambda s: s.fill("-(t - z) σ′(a²) h$j"),
        check=_formula,
        mistake=lambda s: s.fill("-(t - z) σ′(a²) (1 - σ(a²)) h$j"),
        worked="∂J/∂z = −(t − z); ∂z/∂a² = σ′(a²); ∂a²/∂w²$j = h$j, the activation that w²$j multiplies. "
        "Their product is −(t − z) σ′(a²) h$j, which is also (z − t) z (1 − z) h$j.",
    ),
    Definition(
        number=3,
        slug="dJ-dw1-11",
        section="One weight at a time",
        title="∂J/∂w¹$i$j for one example",
        kind="formula",
        statement="Same loss, one layer further down: derive ∂J/∂w¹$i$j, the weight from x$j to the $nth\n"
        "hidden unit. Write it with t, z, a², w²$i, a¹$i, x$j and σ′.",
        hints=(
            "w¹$i$j reaches J along one path only: a¹$i → h$i → a² → z → J.",
            "Each step of the path contributes one factor; the first one, ∂a¹$i/∂w¹$i$j, is x$j.",
            "σ′ is evaluated at the whole pre-activation, bias included.",
        ),
        draw=_hidden_weight_setting,
        answer=lambda s: s.fill("-(t - z) σ′(a²) w²$i σ′(a¹$i) x$j"),
        check=_formula,
        mistake=lambda s: s.fill("-(t - z) σ′(w²₁ h₁ + w²₂ h₂ + w²₃ h₃) w²$i σ′(a¹$i) x$j"),
        worked="From the loss down: −(t − z), then σ′(a²), then ∂a²/∂h$i = w²$i, then ∂h$i/∂a¹$i = σ′(a¹$i), "
        "then ∂a¹$i/∂w¹$i$j = x$j.",
    ),
    Definition(
        number=4,
        slug="shape-dJ-dw2",
        section="Gradient computation in matrix notation",
        title="The shape of ∂J/∂w²",
        kind="shape",
        statement="In the notes' layout, where a gradient is a row, what is the shape of ∂J/∂w², the\n"
        "derivative of the loss by the three output weights? Answer with a shape such as 2x5.",
        hints=("J is a single number and w² has three entries.", "One row, one column per entry of w²."),
        answer=lambda s: "1x3",
        check=lambda s, answer: shape_checker(
            "the shape of ∂J/∂w²",
            (1, 3),
            {(3,): "a list of three numbers; the notes make the row explicit"},
            "∂J/∂w² is a row, one entry per weight",
        )(answer),
        mistake=lambda s: "3x1",
        worked="A scalar differentiated by a vector of three entries gives one row of three partial "
        "derivatives, R^{1×3}: the shape of (w²)ᵀ.",
    ),
    Definition(
        number=5,
        slug="tensor-da1-dW1",
        section="Gradient computation in matrix notation",
        title="∂a¹/∂W¹: its shape and its non-zero entries",
        kind="numbers",
        statement="∂a¹/∂W¹ collects ∂a¹ᵢ/∂w¹ⱼₖ for every hidden unit i and every weight (j, k). Give it as an\n"
        "array in numerator layout (a .npy file from the command line): its values for x = $x\n"
        "(each to 4 significant digits), or simply 1 where an entry can be non-zero and 0 where it is\n"
        "zero for every input.",
        hints=(
            "Numerator layout: the shape of a¹, then the shape of W¹.",
            "a¹ᵢ = w¹ᵢ₁x₁ + w¹ᵢ₂x₂ + b¹ᵢ involves row i of W¹ and no other.",
        ),
        draw=_tensor_setting,
        answer=_d_a_d_W,
        check=_pattern(
            "the non-zero entries of ∂a¹/∂W¹",
            _d_a_d_W,
            {
                (3, 6): "its matrix form, the notes' flattening B̄; the tensor has shape 3×(3×2), "
                "the shape of a¹ then that of W¹",
                (6, 3): "a transposed flattening; the tensor has shape 3×(3×2), the shape of a¹ then that of W¹",
            },
        ),
        mistake=lambda s: _d_a_d_W(s).reshape(3, 6),
        worked="Slice i is ∂a¹ᵢ/∂W¹, a 3×2 matrix of zeros except for row i, which holds xᵀ = (x₁, x₂). "
        "Of the 18 entries, 6 can be non-zero.",
    ),
    Definition(
        number=6,
        slug="dJ-db1-chain",
        section="The activation Jacobian",
        title="∂J/∂b¹ through the chain",
        kind="numbers",
        statement="$parameters\nCompute ∂J/∂b¹ (three numbers) as the product of the local Jacobians\n"
        "∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · ∂h¹/∂a¹ · ∂a¹/∂b¹. " + DIGITS_SENTENCE,
        hints=(
            "∂a¹/∂b¹ is the 3×3 identity, so the answer is ∂J/∂a¹.",
            "∂h¹/∂a¹ is diagonal: multiplying a row by it is ⊙ σ′(a¹).",
        ),
        draw=network_setting,
        answer=lambda s: _truth(s, "b1"),
        check=_gradient("b1", {}),
        mistake=_without_activation_derivative,
        worked="∂J/∂z · ∂z/∂a² = (z − t) σ′(a²); times ∂a²/∂h¹ = W² gives a row of three; ⊙ σ′(a¹) and the "
        "identity leave ∂J/∂b¹ = (z − t) σ′(a²) (w²)ᵀ ⊙ σ′(a¹)ᵀ.",
    ),
    Definition(
        number=7,
        slug="a-times-B",
        section="Vector–tensor multiplication",
        title="a·B by both approaches",
        kind="numbers",
        statement="Let a = $a and let B stack B¹ = $B1 and\nB² = $B2. Compute aB ∈ R^{2×2} twice: collating "
        "aB¹ and aB²\n(approach 1), and flattening B to B̄ (3×4), multiplying, reshaping (approach 2). "
        "The entries\nare whole numbers.",
        hints=(
            "aBⁱ is a row of two numbers; aB stacks the two rows.",
            "Row r of B̄ is row r of B¹ followed by row r of B².",
        ),
        draw=_product_setting,
        answer=_a_B,
        check=lambda s, answer: array_checker("aB", _a_B(s), {(1, 4): "the product a B̄ before it is reshaped to 2×2"})(
            answer
        ),
        mistake=lambda s: _a_B(s).T,
        worked="$products; a B̄ = $flat, which reshapes to the same 2×2.",
    ),
    Definition(
        number=8,
        slug="outer-product",
        section="The outer product",
        title="∂J/∂W¹ as an outer product",
        kind="numbers",
        statement="$parameters\nCompute ∂J/∂W¹ (3×2) without the tensor ∂a¹/∂W¹: as the outer product of\n"
        "the column (δ (w²)ᵀ ⊙ σ′(a¹)ᵀ)ᵀ with the input, where δ = [−(t − z)][σ′(a²)]. " + DIGITS_SENTENCE,
        hints=(
            "The column has three entries and x has two: the product must come out 3×2.",
            "Multiply a 3×1 column by a 1×2 row: xᵀ, not x.",
        ),
        draw=network_setting,
        answer=lambda s: _truth(s, "W1"),
        check=_gradient("W1", {}),
        mistake=lambda s: np.outer(s.x, _hidden_row(s)),
        worked="With the column c = (δ w²ᵢ σ′(a¹ᵢ))ᵢ, ∂J/∂W¹ = c xᵀ: entry (i, j) is δ w²ᵢ σ′(a¹ᵢ) xⱼ, the "
        "notes' 3×2 matrix.",
    ),
    Definition(
        number=9,
        slug="batch-zero-blocks",
        section="Extension to multiple examples",
        title="The zero blocks of ∂H¹/∂A¹ for a batch",
        kind="numbers",
        statement="Feed the four XOR corners (0, 0), (0, 1), (1, 0), (1, 1) to the notes' network as one batch.\n"
        "In the full view ∂H¹/∂A¹ relates every unit of every example to every unit of every example.\n"
        "Give it as an array in numerator layout (a .npy file): its values (to 4 significant digits), or 1\n"
        "where an entry can be non-zero. Which of its blocks are zero?",
        hints=(
            "H¹ and A¹ are both 4×3, so the Jacobian has four axes.",
            "Example p's hidden units do not depend on example q's pre-activations.",
            "Within one example the Jacobian is the diagonal σ′(a¹).",
        ),
        draw=_xor_setting,
        answer=_xor_activation_jacobian,
        check=_pattern(
            "the non-zero entries of ∂H¹/∂A¹",
            _xor_activation_jacobian,
            {
                (4, 3, 3): "the per-example stack (one 3×3 block per example); the full view puts "
                "block p at [p, :, p, :] of a 4×3×4×3 array, with zeros between different examples",
                (12, 12): "its matrix form; give the 4×3×4×3 tensor",
                (3, 3): "one example's Jacobian; the batch's has shape 4×3×4×3",
            },
        ),
        mistake=_per_example_blocks,
        worked="The shape is (4×3)×(4×3). Block (p, q) is zero for p ≠ q; block (p, p) is diag(σ′(a¹⁽ᵖ⁾)): "
        "12 of the 144 entries can be non-zero.",
    ),
    Definition(
        number=10,
        slug="backprop-second-pass",
        section="From gradient computation to backpropagation",
        title="The second pass of Algorithm 6.4",
        kind="numbers",
        statement="$parameters\nRun Algorithm 6.4 on this example. After the first pass, g = (W²)ᵀ ∇_{a²}J.\n"
        "In the second pass, g ← g ⊙ f′(a¹); give the weight gradient it then computes,\n"
        "∇_{W¹}J = g h⁽⁰⁾ᵀ. " + DIGITS_SENTENCE,
        hints=(
            "The loop runs k = 2, 1: the second pass is k = 1.",
            "For k = 1 the pass uses a¹ and h⁽⁰⁾ = x.",
        ),
        draw=network_setting,
        answer=lambda s: _truth(s, "W1"),
        check=_gradient(
            "W1",
            {
                (3, 3): "what a pass with the k = 2 quantities (σ′(a²), h¹) gives: no parameter "
                "has that shape; the second pass is k = 1, with σ′(a¹) and x"
            },
        ),
        mistake=_second_pass_with_k_2,
        worked="g after the first pass is (W²)ᵀ (z − t) σ′(a²); ⊙ σ′(a¹) makes it ∇_{a¹}J (= ∇_{b¹}J), and "
        "g xᵀ is the 3×2 ∇_{W¹}J, the same as the chain of local Jacobians.",
    ),
)
