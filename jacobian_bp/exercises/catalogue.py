"""The exercises, one or more per section of the notes, in the notes' order.

Numeric exercises use the notes' network with seed 0 and the example
``x = (1, 0.5)``, ``t = 1`` of the walkthrough; their statements print the
parameters. Formula exercises are graded by :mod:`jacobian_bp.symbolic.answers`
(SymPy, the ``symbolic`` extra), imported only when such an answer is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from jacobian_bp.answers.numeric import check_answer
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
from jacobian_bp.exercises.exercise import Exercise
from jacobian_bp.methods.gradient import gradient
from jacobian_bp.network import affine
from jacobian_bp.network.activations import sigmoid
from jacobian_bp.network.mlp import notes_network
from jacobian_bp.training.datasets import xor

Array = np.ndarray

#: The example of the walkthrough, on ``notes_network(seed=0)``.
X_EXAMPLE, T_EXAMPLE = np.array([1.0, 0.5]), np.array([1.0])
NET = notes_network(seed=0)


def _parameters() -> str:
    """The notes' network with seed 0, printed for a statement."""
    lines = ["The notes' network with seed 0 (jbp.notes_network(seed=0)) has"]
    for name, value in NET.params.items():
        prefix = f"  {name} = "
        lines.append(prefix + np.array2string(value, precision=6, separator=", ", floatmode="fixed", prefix=prefix))
    lines.append("and the example is x = (1, 0.5), t = 1.")
    return "\n".join(lines)


def _formula(wrt: str) -> Callable[[Any], Verdict]:
    def check(answer: Any) -> Verdict:
        from jacobian_bp.symbolic.answers import check_answer as check_formula_answer

        return check_formula_answer(answer, wrt)

    return check


def _forward(quantity: str) -> Callable[[Any], Verdict]:
    def check(answer: Any) -> Verdict:
        from jacobian_bp.symbolic.answers import check_formula

        return check_formula(answer, quantity)

    return check


def _gradient(wrt: str, reasons: dict[tuple[int, ...], str]) -> Callable[[Any], Verdict]:
    """:func:`jbp.check_answer` at the notes' example, at the exercises' tolerance; known slips of shape first."""

    def check(answer: Any) -> Verdict:
        array = numbers(answer)
        truth = gradient(NET, X_EXAMPLE, T_EXAMPLE)[wrt]
        known = known_wrong_shape(f"∂J/∂{display_name(wrt)}", array, truth, reasons)
        if known is not None:
            return known
        return check_answer(array, NET, X_EXAMPLE, T_EXAMPLE, wrt, rtol=RTOL, atol=ATOL)

    return check


def _example_chain(wrt: str) -> list[Array]:
    return [factor.array for factor in jacobian_chain(NET, X_EXAMPLE, T_EXAMPLE, wrt=wrt).factors]


def _without_activation_derivative() -> Array:
    """∂J/∂b¹ with ∂h¹/∂a¹ left out of the chain: a row times W² times the identity."""
    d_J_d_z, d_z_d_a2, d_a2_d_h, _, d_a1_d_b1 = _example_chain("b1")
    return (d_J_d_z @ d_z_d_a2 @ d_a2_d_h) @ d_a1_d_b1


def _second_pass_with_k_2() -> Array:
    """Algorithm 6.4's second pass run on the k = 2 quantities: σ′(a²) again and h¹ for x (the notes' label)."""
    trace = NET.forward(X_EXAMPLE)
    a2, h1 = trace.a[2][0], trace.h[1]
    g = NET.params["W2"][0] * (trace.z[0] - T_EXAMPLE[0]) * sigmoid(a2) * sigmoid(-a2)
    return np.outer(g * sigmoid(a2) * sigmoid(-a2), h1)


A_ROW = np.array([1.0, -1.0, 2.0])
B_STACK = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]])


def _xor_activation_jacobian() -> Array:
    X, T = xor()
    return jacobian_chain(NET, X, T, wrt="W1", batch="full").factors[4].array  # ∂H¹/∂A¹, 4×3×4×3


def _exercises() -> tuple[Exercise, ...]:
    d_a_d_W = affine.d_a_d_W(X_EXAMPLE, 3)
    truth = gradient(NET, X_EXAMPLE, T_EXAMPLE)
    a_B = np.stack([A_ROW @ B for B in B_STACK])
    trace = NET.forward(X_EXAMPLE)
    delta = (trace.z - T_EXAMPLE) * sigmoid(trace.a[2]) * sigmoid(-trace.a[2])  # [−(t − z)][σ′(a²)]
    row = delta[0] * NET.params["W2"][0] * sigmoid(trace.a[1]) * sigmoid(-trace.a[1])  # δ (w²)ᵀ ⊙ σ′(a¹)ᵀ
    return (
        Exercise(
            1,
            "forward-a2",
            "Forward pass",
            "a² from the hidden layer",
            "Write the output unit's pre-activation a² of the notes' network in terms of the hidden\n"
            "activations h₁, h₂, h₃, the output weights w²₁, w²₂, w²₃ and the bias b².",
            (
                "Every hidden unit feeds the output, each through its own weight.",
                "The matrix form is (w²)ᵀh + b²: multiply the row of weights by the column h.",
            ),
            "formula",
            _forward("a²"),
            "w²₁ h₁ + w²₂ h₂ + w²₃ h₃ + b²",
            "(w²)ᵀh is a row of three weights times a column of three activations: one product per "
            "hidden unit, summed. The bias is added once.",
            "w²₁ h₁ + w²₂ h₂ + b²",
        ),
        Exercise(
            2,
            "dJ-dw2-1",
            "One weight at a time",
            "∂J/∂w²₁ for one example",
            "For one example with target t and J = ½(t − z)², derive ∂J/∂w²₁ by hand. Write it with\n"
            "t, z, a², h₁ and σ′ (or σ).",
            (
                "The power rule on ½(t − z)² gives (t − z) times the derivative of (t − z).",
                "Then the chain rule through z = σ(a²), and a² = w²₁h₁ + w²₂h₂ + w²₃h₃ + b².",
                "σ′(a²) = σ(a²)(1 − σ(a²)): write one or the other, not both.",
            ),
            "formula",
            _formula("w²₁"),
            "-(t - z) σ′(a²) h₁",
            "∂J/∂z = −(t − z); ∂z/∂a² = σ′(a²); ∂a²/∂w²₁ = h₁, the activation that w²₁ multiplies. "
            "Their product is −(t − z) σ′(a²) h₁, which is also (z − t) z (1 − z) h₁.",
            "-(t - z) σ′(a²) (1 - σ(a²)) h₁",
        ),
        Exercise(
            3,
            "dJ-dw1-11",
            "One weight at a time",
            "∂J/∂w¹₁₁ for one example",
            "Same loss, one layer further down: derive ∂J/∂w¹₁₁, the weight from x₁ to the first\n"
            "hidden unit. Write it with t, z, a², w²₁, a¹₁, x₁ and σ′.",
            (
                "w¹₁₁ reaches J along one path only: a¹₁ → h₁ → a² → z → J.",
                "Each step of the path contributes one factor; the first one, ∂a¹₁/∂w¹₁₁, is x₁.",
                "σ′ is evaluated at the whole pre-activation, bias included.",
            ),
            "formula",
            _formula("w¹₁₁"),
            "-(t - z) σ′(a²) w²₁ σ′(a¹₁) x₁",
            "From the loss down: −(t − z), then σ′(a²), then ∂a²/∂h₁ = w²₁, then ∂h₁/∂a¹₁ = σ′(a¹₁), "
            "then ∂a¹₁/∂w¹₁₁ = x₁.",
            "-(t - z) σ′(w²₁ h₁ + w²₂ h₂ + w²₃ h₃) w²₁ σ′(a¹₁) x₁",
        ),
        Exercise(
            4,
            "shape-dJ-dw2",
            "Gradient computation in matrix notation",
            "The shape of ∂J/∂w²",
            "In the notes' layout, where a gradient is a row, what is the shape of ∂J/∂w², the\n"
            "derivative of the loss by the three output weights? Answer with a shape such as 2x5.",
            ("J is a single number and w² has three entries.", "One row, one column per entry of w²."),
            "shape",
            shape_checker(
                "the shape of ∂J/∂w²",
                (1, 3),
                {(3,): "a list of three numbers; the notes make the row explicit"},
                "∂J/∂w² is a row, one entry per weight",
            ),
            "1x3",
            "A scalar differentiated by a vector of three entries gives one row of three partial "
            "derivatives, R^{1×3}: the shape of (w²)ᵀ.",
            "3x1",
        ),
        Exercise(
            5,
            "tensor-da1-dW1",
            "Gradient computation in matrix notation",
            "∂a¹/∂W¹: its shape and its non-zero entries",
            "∂a¹/∂W¹ collects ∂a¹ᵢ/∂w¹ⱼₖ for every hidden unit i and every weight (j, k). Give it as an\n"
            "array in numerator layout (a .npy file from the command line): its values for x = (1, 0.5),\n"
            "or simply 1 where an entry can be non-zero and 0 where it is zero for every input.",
            (
                "Numerator layout: the shape of a¹, then the shape of W¹.",
                "a¹ᵢ = w¹ᵢ₁x₁ + w¹ᵢ₂x₂ + b¹ᵢ involves row i of W¹ and no other.",
            ),
            "numbers",
            pattern_checker(
                "the non-zero entries of ∂a¹/∂W¹",
                d_a_d_W,
                {
                    (3, 6): "its matrix form, the notes' flattening B̄; the tensor has shape 3×(3×2), "
                    "the shape of a¹ then that of W¹",
                    (6, 3): "a transposed flattening; the tensor has shape 3×(3×2), the shape of a¹ then that of W¹",
                },
            ),
            d_a_d_W,
            "Slice i is ∂a¹ᵢ/∂W¹, a 3×2 matrix of zeros except for row i, which holds xᵀ = (x₁, x₂). "
            "Of the 18 entries, 6 can be non-zero.",
            d_a_d_W.reshape(3, 6),
        ),
        Exercise(
            6,
            "dJ-db1-chain",
            "The activation Jacobian",
            "∂J/∂b¹ through the chain",
            _parameters() + "\nCompute ∂J/∂b¹ (three numbers) as the product of the local Jacobians\n"
            "∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · ∂h¹/∂a¹ · ∂a¹/∂b¹.",
            (
                "∂a¹/∂b¹ is the 3×3 identity, so the answer is ∂J/∂a¹.",
                "∂h¹/∂a¹ is diagonal: multiplying a row by it is ⊙ σ′(a¹).",
            ),
            "numbers",
            _gradient("b1", {}),
            truth["b1"],
            "∂J/∂z · ∂z/∂a² = (z − t) σ′(a²); times ∂a²/∂h¹ = W² gives a row of three; ⊙ σ′(a¹) and the "
            "identity leave ∂J/∂b¹ = (z − t) σ′(a²) (w²)ᵀ ⊙ σ′(a¹)ᵀ.",
            _without_activation_derivative(),
        ),
        Exercise(
            7,
            "a-times-B",
            "Vector–tensor multiplication",
            "a·B by both approaches",
            "Let a = [1, −1, 2] and let B stack B¹ = [[1, 2], [3, 4], [5, 6]] and\n"
            "B² = [[7, 8], [9, 10], [11, 12]]. Compute aB ∈ R^{2×2} twice: collating aB¹ and aB²\n"
            "(approach 1), and flattening B to B̄ (3×4), multiplying, reshaping (approach 2).",
            (
                "aBⁱ is a row of two numbers; aB stacks the two rows.",
                "Row r of B̄ is row r of B¹ followed by row r of B².",
            ),
            "numbers",
            array_checker("aB", a_B, {(1, 4): "the product a B̄ before it is reshaped to 2×2"}),
            a_B,
            "aB¹ = [1 − 3 + 10, 2 − 4 + 12] = [8, 10] and aB² = [7 − 9 + 22, 8 − 10 + 24] = [20, 22]; "
            "a B̄ = [8, 10, 20, 22], which reshapes to the same 2×2.",
            a_B.T,
        ),
        Exercise(
            8,
            "outer-product",
            "The outer product",
            "∂J/∂W¹ as an outer product",
            _parameters() + "\nCompute ∂J/∂W¹ (3×2) without the tensor ∂a¹/∂W¹: as the outer product of\n"
            "the column (δ (w²)ᵀ ⊙ σ′(a¹)ᵀ)ᵀ with the input, where δ = [−(t − z)][σ′(a²)].",
            (
                "The column has three entries and x has two: the product must come out 3×2.",
                "Multiply a 3×1 column by a 1×2 row: xᵀ, not x.",
            ),
            "numbers",
            _gradient("W1", {}),
            truth["W1"],
            "With the column c = (δ w²ᵢ σ′(a¹ᵢ))ᵢ, ∂J/∂W¹ = c xᵀ: entry (i, j) is δ w²ᵢ σ′(a¹ᵢ) xⱼ, the "
            "notes' 3×2 matrix.",
            np.outer(X_EXAMPLE, row),
        ),
        Exercise(
            9,
            "batch-zero-blocks",
            "Extension to multiple examples",
            "The zero blocks of ∂H¹/∂A¹ for a batch",
            "Feed the four XOR corners (0, 0), (0, 1), (1, 0), (1, 1) to the notes' network as one batch.\n"
            "In the full view ∂H¹/∂A¹ relates every unit of every example to every unit of every example.\n"
            "Give it as an array in numerator layout (a .npy file): its values, or 1 where an entry can be\n"
            "non-zero. Which of its blocks are zero?",
            (
                "H¹ and A¹ are both 4×3, so the Jacobian has four axes.",
                "Example p's hidden units do not depend on example q's pre-activations.",
                "Within one example the Jacobian is the diagonal σ′(a¹).",
            ),
            "numbers",
            pattern_checker(
                "the non-zero entries of ∂H¹/∂A¹",
                _xor_activation_jacobian(),
                {
                    (4, 3, 3): "the per-example stack (one 3×3 block per example); the full view puts "
                    "block p at [p, :, p, :] of a 4×3×4×3 array, with zeros between different examples",
                    (12, 12): "its matrix form; give the 4×3×4×3 tensor",
                    (3, 3): "one example's Jacobian; the batch's has shape 4×3×4×3",
                },
            ),
            _xor_activation_jacobian(),
            "The shape is (4×3)×(4×3). Block (p, q) is zero for p ≠ q; block (p, p) is diag(σ′(a¹⁽ᵖ⁾)): "
            "12 of the 144 entries can be non-zero.",
            np.stack([np.diag(sigmoid(a) * sigmoid(-a)) for a in NET.forward(xor()[0]).a[1]]),
        ),
        Exercise(
            10,
            "backprop-second-pass",
            "From gradient computation to backpropagation",
            "The second pass of Algorithm 6.4",
            _parameters() + "\nRun Algorithm 6.4 on this example. After the first pass, g = (W²)ᵀ ∇_{a²}J.\n"
            "In the second pass, g ← g ⊙ f′(a¹); give the weight gradient it then computes,\n"
            "∇_{W¹}J = g h⁽⁰⁾ᵀ.",
            (
                "The loop runs k = 2, 1: the second pass is k = 1.",
                "For k = 1 the pass uses a¹ and h⁽⁰⁾ = x.",
            ),
            "numbers",
            _gradient(
                "W1",
                {
                    (3, 3): "what a pass with the k = 2 quantities (σ′(a²), h¹) gives: no parameter "
                    "has that shape; the second pass is k = 1, with σ′(a¹) and x"
                },
            ),
            truth["W1"],
            "g after the first pass is (W²)ᵀ (z − t) σ′(a²); ⊙ σ′(a¹) makes it ∇_{a¹}J (= ∇_{b¹}J), and "
            "g xᵀ is the 3×2 ∇_{W¹}J, the same as the chain of local Jacobians.",
            _second_pass_with_k_2(),
        ),
    )


#: Every exercise, numbered from 1 in the notes' order.
EXERCISES: tuple[Exercise, ...] = _exercises()
