"""``symbolic.check_answer`` and ``check_formula``: the notes' closed forms accepted, their errata diagnosed.

The formulas below are the ones the errata page (docs/errata.md) checks: every
closed form it confirms must be graded correct, and every erratum that is a
wrong formula must get its catalogue mistake. They are typed as a student
would type them, in the grammar of ``jacobian_bp.symbolic.grammar``, or built
from SymPy symbols directly.
"""

from __future__ import annotations

import numpy as np
import pytest

sympy = pytest.importorskip("sympy", reason="symbolic answers need the 'symbolic' extra")

import jacobian_bp as jbp  # noqa: E402
import jacobian_bp.symbolic as sym  # noqa: E402

snet = sym.notes_network()
n = snet.symbols
sig, sig_prime = sym.sigma, sym.sigma_prime
t, z, a2 = n["t"], n["z"], n["a²"]
x = [n["x₁"], n["x₂"]]
h = [n["h¹₁"], n["h¹₂"], n["h¹₃"]]
a1 = [n["a¹₁"], n["a¹₂"], n["a¹₃"]]
w2 = [n["w²₁"], n["w²₂"], n["w²₃"]]
delta = -(t - z) * sig_prime(a2)  # the notes' [−(t − z)][σ′(a²)]


# ── what the errata page confirms ────────────────────────────────────────────

CONFIRMED_TEXT = {
    # the next-to-last line for ∂J/∂w²₁ (one example's summand), σ′ at a²
    "w2_1": ("-(t - z) σ′(a²) h₁", "w²₁"),
    # the final line for ∂J/∂w¹₁₁, σ′ at a² and at a¹₁
    "w1_11": ("-(t - z)*sigma_prime(a2)*w2_1*sigma_prime(a1_1)*x1", "w1_11"),
    # ∂J/∂w² = [−(t − z)][σ(a²)(1 − σ(a²))] hᵀ, a row of three
    "w2_row": ("[[-(t - z) σ(a²)(1 - σ(a²)) h1, -(t - z) σ(a²)(1 - σ(a²)) h2, -(t - z) σ(a²)(1 - σ(a²)) h3]]", "W2"),
    # Algorithm 6.4: ∇_{b²}J = g after the first ⊙
    "b2": ("(z - t) sigma'(a2)", "b2"),
    # from the symbolic page: the gradient in stored quantities only
    "stored_w1_21": ("(z - t) z (1 - z) w2_2 h2 (1 - h2) x1", "w¹₂₁"),
    "stored_w2_3": ("(z - t) z (1 - z) h3", "w2_3"),
}


@pytest.mark.parametrize("name", list(CONFIRMED_TEXT))
def test_the_confirmed_closed_forms_typed_as_text_are_correct(name) -> None:
    text, wrt = CONFIRMED_TEXT[name]
    verdict = sym.check_answer(text, wrt=wrt)
    assert verdict.correct, str(verdict)


def test_the_confirmed_matrices_built_from_symbols_are_correct() -> None:
    row = np.array([delta * w2[i] * sig_prime(a1[i]) for i in range(3)])  # the ⊙ row, = ∂J/∂b¹
    gradient_W1 = np.array([[row[i] * x[j] for j in range(2)] for i in range(3)])  # the printed 3×2
    outer = sympy.Matrix(row).reshape(3, 1) * sympy.Matrix(x).reshape(1, 2)  # the outer product, with xᵀ
    assert sym.check_answer(row, wrt="b1").correct
    assert sym.check_answer(gradient_W1, wrt="W1").correct
    assert sym.check_answer(outer, wrt="W1").correct
    assert sym.check_answer(np.array([[delta * hi for hi in h]]), wrt="W2").correct  # g hᵀ of Algorithm 6.4
    assert sym.check_answer([delta], wrt="b2").correct


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("w1_11 x1 + w1_12 x2 + b1_1", "a¹₁"),
        ("w¹₃₁ x₁ + w¹₃₂ x₂ + b¹₃", "a1_3"),
        ("σ(a¹₂)", "h₂"),
        ("w2_1 h1 + w2_2 h2 + w2_3 h3 + b2", "a2"),  # the matrix form's (w²)ᵀh + b²
        ("sigma(a2)", "z"),
    ],
)
def test_the_confirmed_forward_pass_is_correct(text, quantity) -> None:
    assert sym.check_formula(text, quantity).correct


# ── the errata that are wrong formulas ───────────────────────────────────────


def test_erratum_1_the_first_a2_misses_a_term() -> None:
    verdict = sym.check_formula("w²₁ h₁ + w²₂ h₂ + b²", "a²")
    assert verdict.mistake == "missing_term" and verdict.detail["term"] == w2[2] * h[2]


def test_erratum_2_the_argument_of_sigma_prime_loses_b2() -> None:
    # Taken as printed: z is σ((w²)ᵀh), and σ′ is evaluated there too.
    for text, wrt in [
        ("-(t - z) σ′(w²₁h₁ + w²₂h₂ + w²₃h₃) h₁", "w²₁"),
        ("-(t - z) σ′(w2_1 h1 + w2_2 h2 + w2_3 h3) w2_1 σ′(a1_1) x1", "w1_11"),
    ]:
        verdict = sym.check_answer(text, wrt=wrt)
        assert verdict.mistake == "bias_dropped" and verdict.detail["layer"] == 2, str(verdict)


def test_erratum_3_the_boxed_formula_applies_one_minus_sigma_twice() -> None:
    boxed = "-(t - z) σ′(a²) (1 − σ(a²)) h₁"
    verdict = sym.check_answer(boxed, wrt="w²₁")
    assert verdict.mistake == "extra_one_minus_sigma" and verdict.detail["layer"] == 2
    assert verdict.detail["ratio"] == 1 - sig(a2)
    assert "∂J/∂z · [∂z/∂a²] · ∂a²/∂W²" in str(verdict)
    # The same slip built from symbols, not text:
    assert sym.check_answer(-(t - z) * sig_prime(a2) * (1 - sig(a2)) * h[0], wrt="w2_1").mistake == (
        "extra_one_minus_sigma"
    )


def test_erratum_5_the_broken_product_gives_a_number_where_a_matrix_belongs() -> None:
    verdict = sym.check_answer("[-(t - z)][σ′(a²)]".replace("][", ")*(").replace("[", "(").replace("]", ")"), wrt="W1")
    assert verdict.mistake == "wrong_shape" and verdict.detail == {"shape": (), "expected_shape": (3, 2)}


def test_erratum_7_the_outer_product_ending_in_x_has_no_value_and_swapped_it_is_the_transpose() -> None:
    row = sympy.Matrix([delta * w2[i] * sig_prime(a1[i]) for i in range(3)])  # the 3×1 (…)ᵀ
    with pytest.raises(sympy.ShapeError):
        row * sympy.Matrix(x)  # as printed: (3×1)(2×1), nothing to grade
    swapped = sympy.Matrix(x) * row.T  # the only order in which x multiplies it: (2×1)(1×3)
    assert sym.check_answer(swapped, wrt="W1").mistake == "transposed"


def test_erratum_8_g_times_W_transposed_on_a_network_with_a_square_W2() -> None:
    # On the notes' network the printed g (W⁽ᵏ⁾)ᵀ has no valid shapes (see the errata); where W² is square
    # it has, and gives a wrong ∂J/∂W¹, built here by hand in rows.
    deep = sym.MLP([2, 2, 2, 1])
    d = deep.symbols
    W2, W3 = deep.params["W2"], deep.params["W3"]
    g = np.array([(d["z"] - d["t"]) * sig_prime(d["a³"])]) @ W3  # ∂J/∂h², a row of 2
    g = g * np.array([sig_prime(d["a²₁"]), sig_prime(d["a²₂"])])
    g = g @ W2.T  # the slip: Wᵀ where W belongs
    g = g * np.array([sig_prime(d["a¹₁"]), sig_prime(d["a¹₂"])])
    answer = np.outer(g, [d["x₁"], d["x₂"]])
    verdict = sym.check_answer(answer, wrt="W1", snet=deep)
    assert verdict.mistake == "transposed_weight_in_backward" and verdict.detail["layer"] == 2
    assert sym.check_answer(np.outer(g @ W2.T @ W2, [0, 0]), wrt="W1", snet=deep).mistake == "unknown"


def test_erratum_9_a_second_pass_with_k_2_gives_a_3x3_matrix() -> None:
    first_pass = [(z - t) * sig_prime(a2) * w for w in w2]  # (∂J/∂h)ᵀ
    second_pass_k2 = [[first_pass[i] * sig_prime(a2) * h[j] for j in range(3)] for i in range(3)]
    verdict = sym.check_answer(second_pass_k2, wrt="W1")
    assert verdict.mistake == "wrong_shape" and verdict.detail["shape"] == (3, 3)
    assert "has shape 3×2" in str(verdict)


# ── the rest of the catalogue, in symbols ────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "wrt", "key", "detail"),
    [
        ("(t - z) σ′(a²) h₁", "w²₁", "sign", {"jacobian": "∂J/∂z"}),
        ("2 (z - t) σ′(a²) h₁", "w²₁", "scale", {"factor": 2.0}),
        ("(z - t) h₁", "w²₁", "missing_activation_derivative", {"layer": 2}),
        ("(z - t) σ′(a²) w²₁ x₁", "w¹₁₁", "missing_activation_derivative", {"layer": 1}),
        ("(z - t) σ′(z) h₁", "w²₁", "derivative_at_output", {"layer": 2}),
        ("(z - t) σ′(a²) w²₁ σ′(h₁) x₁", "w¹₁₁", "derivative_at_output", {"layer": 1}),
        ("(z - t) σ′(a²) w²₁ σ′(w1_11 x1 + w1_12 x2) x₁", "w¹₁₁", "bias_dropped", {"layer": 1}),
        ("[[(z-t) σ′(a²) h1], [(z-t) σ′(a²) h2], [(z-t) σ′(a²) h3]]", "W2", "transposed", {"parameter": "W2"}),
    ],
)
def test_each_mistake_in_symbols(text, wrt, key, detail) -> None:
    verdict = sym.check_answer(text, wrt=wrt)
    assert verdict.mistake == key, str(verdict)
    assert all(verdict.detail[k] == v for k, v in detail.items())


def test_the_answer_may_use_z_sigma_a2_or_the_forward_pass_written_out() -> None:
    for text in ("(z - t) σ′(a²) h₁", "(σ(a²) - t) σ(a²)(1 - σ(a²)) h1", "(z - t) exp(-a2) / (1 + exp(-a2))^2 h1"):
        assert sym.check_answer(text, wrt="w2_1").correct, text
    written = sym.substitute_forward(delta * h[0], snet)  # every a, h, z in the parameters, x and t
    assert sym.check_answer(written, wrt="w2_1").correct


def test_another_units_index_is_named_as_the_replacement_it_is() -> None:
    # Once "unknown" with a ratio h₂/h₁ to decode; now the edit itself is named.
    verdict = sym.check_answer("(z - t) σ′(a²) h₂", wrt="w²₁")
    assert verdict.mistake == "wrong_unit" and (verdict.detail["replaced"], verdict.detail["by"]) == ("h₁", "h₂")
    assert "h₂ was used where h₁ belongs" in verdict.explanation


def test_an_unexplained_formula_says_which_of_its_terms_are_right() -> None:
    verdict = sym.check_answer("(z - t) σ′(a²) h₁ + w²₂ x₁ x₂ t", wrt="w²₁")
    assert verdict.mistake == "unknown" and "answer / truth" not in str(verdict)
    assert verdict.detail["wrong_terms"] == ["t w²₂ x₁ x₂"] and len(verdict.detail["right_terms"]) == 2
    assert "are right" in verdict.explanation


def test_unknown_parameters_and_names_are_clear_errors() -> None:
    with pytest.raises(jbp.UnknownNameError, match=r"wrt='w¹₄₁' names neither a parameter \(W1, b1, W2, b2\)"):
        sym.check_answer("0", wrt="w¹₄₁")
    with pytest.raises(jbp.UnknownNameError, match="quantity 'y' is not one of this network's a, h or z"):
        sym.check_formula("0", "y")
    with pytest.raises(jbp.ParseError, match="'y' is not a name of this network"):
        sym.check_answer("(z - y) h1", wrt="w2_1")
    with pytest.raises(jbp.InputTypeError, match="symbolic network"):
        sym.check_answer("0", wrt="W1", snet=jbp.notes_network())


def test_a_whole_array_with_two_units_exchanged_is_wrong_unit() -> None:
    # The chain's unit exchange serves formulas too: ∂J/∂W² with h₁ and h₂ the other way round.
    row = "[[(z-t) σ′(a²) h2, (z-t) σ′(a²) h1, (z-t) σ′(a²) h3]]"
    verdict = sym.check_answer(row, wrt="W2")
    assert (verdict.mistake, verdict.detail["quantity"], verdict.detail["units"]) == ("wrong_unit", "h¹", (1, 2))
    assert sym.check_answer("[[(z-t) σ′(a²) h1, (z-t) σ′(a²) h2, (z-t) σ′(a²) h3]]", wrt="W2").correct
