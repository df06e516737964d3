"""Formulas as students write them: slips named, notations read, hostile answers refused without running.

The held-out slips below are typed by hand, the way students write them on
paper or in a terminal — not produced by the package's edit machinery. The
property tests build each edit in SymPy from the backprop formulas of the notes
(written out here, not taken from the chain code) on random small networks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

sympy = pytest.importorskip("sympy", reason="formulas need the 'symbolic' extra")

import jacobian_bp as jbp  # noqa: E402
import jacobian_bp.symbolic as sym  # noqa: E402
from jacobian_bp.chain.jacobian import subscript  # noqa: E402
from jacobian_bp.symbolic.answers import MAX_TERMS, checked_expression, expansion_size  # noqa: E402
from jacobian_bp.symbolic.grammar import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, parse  # noqa: E402

# ── held-out slips, typed as students type them ──────────────────────────────

#: (answer, wrt, the keys that name the slip). Every one of these is wrong.
SLIPS = [
    ("(t - z) σ′(a²) h₁", "w2_1", {"sign"}),
    ("(t-z)*sigmoid'(a2)*h1", "w2_1", {"sign"}),
    ("2 (z - t) σ′(a²) h₁", "w2_1", {"scale"}),
    ("(z - t)*0.5*sigma'(a^2)*h_1", "w2_1", {"scale"}),
    ("(z - t) h1", "w2_1", {"missing_activation_derivative"}),
    ("(z-t) sigmoid(a2) h1", "w2_1", {"activation_for_derivative"}),
    ("(z - t) σ(a²) w²₁ σ′(a¹₁) x₁", "w1_11", {"activation_for_derivative"}),
    ("(z - t) σ′(a²) w²₁ σ(a¹₁) x₁", "w1_11", {"activation_for_derivative"}),
    ("(z - t) σ′(a²) h₂", "w2_1", {"wrong_unit"}),
    ("(z - t) σ′(a²) h3", "w2_1", {"wrong_unit"}),
    ("(z - t) σ′(a²) w²₁ σ′(a¹₁) x₂", "w1_11", {"wrong_unit"}),
    ("(z - t) σ′(a²) w²₂ σ′(a¹₁) x₁", "w1_11", {"wrong_unit"}),
    ("(z - t) σ′(a²) w²₁ σ′(a¹₂) x₁", "w1_11", {"wrong_unit"}),
    ("(z - t) σ′(a¹₁) h₁", "w2_1", {"wrong_layer"}),
    ("(z - t) σ′(a²) w²₁ σ′(a²) x₁", "w1_11", {"wrong_layer"}),
    ("(z - t) σ′(a²)", "w2_1", {"missing_factor"}),
    ("(z - t) σ′(a²) σ′(a¹₁) x₁", "w1_11", {"missing_factor"}),
    ("(z - t) σ′(a²) w²₁ σ′(a¹₁)", "w1_11", {"missing_factor"}),
    ("σ′(a²) h₁", "w2_1", {"missing_factor"}),
    ("(z - t)^2 σ′(a²) h₁", "w2_1", {"doubled_factor"}),
    ("(z - t) σ′(a²) h₁ h₁", "w2_1", {"doubled_factor"}),
    ("(z - t) σ′(a²) a¹₁", "w2_1", {"pre_activation_for_activation"}),
    ("(z - t) σ′(z) h₁", "w2_1", {"derivative_at_output"}),
    ("(z - t) σ′(a²) w²₁ σ′(h₁) x₁", "w1_11", {"derivative_at_output"}),
    ("-(t - z) σ′(a²) (1 − σ(a²)) h₁", "w2_1", {"extra_one_minus_sigma"}),
    ("(z - t) z (1 - z) (1 - z) h1", "w2_1", {"extra_one_minus_sigma"}),
    ("(t - z) σ′(a²)", "w2_1", {"two_mistakes"}),
    ("2 (z - t) h₁", "w2_1", {"two_mistakes"}),
    ("(t - z) σ′(a²) w²₂ σ′(a¹₁) x₁", "w1_11", {"two_mistakes"}),
    ("(z - t) σ(a²) h₂", "w2_1", {"two_mistakes"}),
    ("(z - t) σ′(a²) σ′(a¹₁)", "w1_11", {"two_mistakes"}),
    ("(z - t) σ′(a²) w²₁ x₁", "w1_11", {"missing_activation_derivative"}),
    ("(z - t) σ′(a²) w²₁ σ′(w1_11 x1 + w1_12 x2) x₁", "w1_11", {"bias_dropped"}),
    ("(z - t) σ′(a²) w²₁", "b1_1", {"missing_activation_derivative"}),
    ("(z - t) σ′(a²) w²₁ σ′(a¹₁) x1", "b1_1", {"missing_factor", "doubled_factor"}),
    ("(z - t) σ′(a²) w²₂ σ′(a¹₁)", "b1_1", {"wrong_unit"}),
    ("(z - t) σ(a²)", "b2", {"activation_for_derivative"}),
    ("(z - t)", "b2", {"missing_activation_derivative"}),
    ("(t - z) σ′(a²)", "b2", {"sign"}),
    ("[[(z-t) σ′(a²) h1, (z-t) σ′(a²) h1, (z-t) σ′(a²) h3]]", "W2", {"wrong_unit", "unknown"}),
]


def test_held_out_slips_are_named_and_none_is_called_correct() -> None:
    verdicts = [(text, wrt, keys, sym.check_answer(text, wrt=wrt)) for text, wrt, keys in SLIPS]
    assert not [text for text, _, _, verdict in verdicts if verdict.correct]  # 0 wrong answers called correct
    named = [text for text, _, keys, verdict in verdicts if verdict.mistake in keys]
    missed = [(text, verdict.mistake) for text, _, keys, verdict in verdicts if verdict.mistake not in keys]
    assert len(named) >= 0.9 * len(SLIPS), missed


def test_a_replacement_says_which_quantity_replaced_which() -> None:
    verdict = sym.check_answer("(z - t) σ′(a²) w²₁ σ′(a¹₁) x₂", wrt="w1_11")
    assert verdict.mistake == "wrong_unit" and (verdict.detail["replaced"], verdict.detail["by"]) == ("x₁", "x₂")
    missing = sym.check_answer("(z - t) σ′(a²) σ′(a¹₁) x₁", wrt="w1_11")
    assert missing.mistake == "missing_factor" and missing.detail["factor"] == "w²₁"
    two = sym.check_answer("(t - z) σ′(a²)", wrt="w2_1")
    assert set(two.detail["mistakes"]) == {"sign", "missing_factor"} and "(1)" in two.explanation


# ── edits built in SymPy on random networks ─────────────────────────────────


@st.composite
def entries(draw: st.DrawFn) -> tuple[sym.MLP, str, list[sympy.Expr]]:
    """A random [n0, n1, 1] sigmoid network and one entry of W² or W¹, with its ∂J/∂ as a list of factors."""
    n0, n1 = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    snet = sym.MLP([n0, n1, 1])
    s = snet.symbols
    z, t, a2 = s["z"], s["t"], s["a²"]
    one = n1 == 1
    hidden = [s["h¹"]] if one else [s[f"h¹{subscript(i + 1)}"] for i in range(n1)]
    a1 = [s["a¹"]] if one else [s[f"a¹{subscript(i + 1)}"] for i in range(n1)]
    x = [s["x₁"]] if n0 == 1 and "x₁" in s else [s[k] for k in s if k.startswith("x")]
    W2 = snet.params["W2"][0]
    if draw(st.booleans()):
        j = draw(st.integers(0, n1 - 1))
        return snet, str(W2[j]), [z - t, sym.sigma_prime(a2), hidden[j]]
    i, j = draw(st.integers(0, n1 - 1)), draw(st.integers(0, n0 - 1))
    return snet, str(snet.params["W1"][i, j]), [z - t, sym.sigma_prime(a2), W2[i], sym.sigma_prime(a1[i]), x[j]]


def product(factors: list[sympy.Expr]) -> sympy.Expr:
    return sympy.Mul(*factors)


@settings(max_examples=40, deadline=None)
@given(entries(), st.data())
def test_each_formula_edit_on_random_networks(drawn, data) -> None:
    snet, wrt, factors = drawn
    assert sym.check_answer(product(factors), wrt=wrt, snet=snet).correct  # the truth is never diagnosed
    edit = data.draw(st.sampled_from(["sign", "drop", "double", "function", "neighbour"]))
    position = data.draw(st.integers(0, len(factors) - 1))
    edited = list(factors)
    if edit == "sign":
        edited[0] = -edited[0]
        keys = {"sign"}
    elif edit == "drop":
        del edited[position]
        keys = {"missing_factor", "missing_activation_derivative"}
    elif edit == "double":
        edited.append(factors[position])
        keys = {"doubled_factor"}
    elif edit == "function":
        derivatives = [i for i, f in enumerate(factors) if isinstance(f, sym.sigma_prime)]
        i = data.draw(st.sampled_from(derivatives))
        edited[i] = sym.sigma(factors[i].args[0])
        keys = {"activation_for_derivative"}
    else:
        symbols = [i for i, f in enumerate(factors) if isinstance(f, sympy.Symbol)]
        i = data.draw(st.sampled_from(symbols))
        name = str(factors[i])
        others = [
            s
            for k, s in snet.symbols.items()
            if k != name and k[0] == name[0] and k[:2] == name[:2] and len(k) == len(name)
        ]
        assume(others)
        edited[i] = data.draw(st.sampled_from(sorted(others, key=str)))
        keys = {"wrong_unit"}
    answer = product(edited)
    assume(sympy.expand(answer - product(factors)) != 0)
    verdict = sym.check_answer(answer, wrt=wrt, snet=snet)
    assert not verdict.correct
    assert verdict.mistake in keys or any(c.key in keys for c in verdict.candidates), (answer, str(verdict))


# ── notations ────────────────────────────────────────────────────────────────

RIGHT = [
    "-(t - z) σ′(a²) h₁",
    "-(t - z)*sigma'(a2)*h1",
    "-(t-z)*sigmoid'(a^2)*h_1",
    "(z - t) dsigmoid(a^{2}) h^1_1",
    "(z − t) · sigma_prime(a2) · h_1",
    "(z - t) × σ'(a²) × h1",
    "(z-t)sigmoid(a2)(1-sigmoid(a2))h1",
    "(z - t) σ′(a_1^2) h^{1}_{1}",
    "dJ/dw2_1 = (z - t) σ′(a²) h₁",
    "∂J/∂w²₁ = (z - t) σ′(a²) h₁",
    "dJ/dw^2_1 = (z - t) sigmoid_prime(a2) h1",
    "(z - t) z (1 - z) h1",
]


@pytest.mark.parametrize("text", RIGHT)
def test_every_notation_of_the_right_answer_is_accepted(text) -> None:
    verdict = sym.check_answer(text, wrt="w2_1")
    assert verdict.correct, str(verdict)
    assert verdict.notes[0].startswith("read as: ")


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("a^2", "a²"),
        ("a^{2}", "a²"),
        ("a¹₁", "a¹₁"),
        ("a^1_1", "a¹₁"),
        ("a_1^1", "a¹₁"),
        ("a^{1}_{1}", "a¹₁"),
        ("h_1", "h¹₁"),
        ("x_1", "x₁"),
        ("w^2_1", "w²₁"),
        ("w_1^2", "w²₁"),
        ("w2_1", "w²₁"),
        ("w^1_{12}", "w¹₁₂"),
        ("b^2", "b²"),
    ],
)
def test_every_spelling_of_a_name(spelling, name) -> None:
    snet = sym.notes_network()
    assert parse(spelling, snet.symbols) == snet.symbols[name]


@pytest.mark.parametrize("function", ["σ", "sigma", "sigmoid"])
@pytest.mark.parametrize("derivative", ["σ′", "σ'", "sigma'", "sigmoid'", "dsigmoid", "sigma_prime", "sigmoid_prime"])
def test_every_spelling_of_sigma_and_its_derivative(function, derivative) -> None:
    snet = sym.notes_network()
    a2 = snet.symbols["a²"]
    assert parse(f"{function}(a2)", snet.symbols) == sym.sigma(a2)
    assert parse(f"{derivative}(a2)", snet.symbols) == sym.sigma_prime(a2)


def test_a_name_with_two_readings_lists_both() -> None:
    with pytest.raises(jbp.ParseError, match=r"'a_2' can be read two ways: a² \(a\^2\) or a¹₂ \(a\^1_2\)"):
        sym.check_answer("(z - t) σ′(a_2) h1", wrt="w2_1")


def test_the_allowed_list_shows_the_ascii_spellings() -> None:
    with pytest.raises(jbp.ParseError) as error:
        sym.check_answer("(z - t) $", wrt="w2_1")
    allowed = str(error.value).split("allowed:")[1]
    for spelling in ("sigmoid(", "sigma'(", "dsigmoid(", "w2_1", "a^2", "h_1", "x1", "dJ/dw2_1 ="):
        assert spelling in allowed, spelling


def test_the_verdict_echoes_the_answer_and_writes_the_truth_as_the_exercise_does() -> None:
    verdict = sym.check_answer("(t-z)*sigmoid'(a^2)*h_1", wrt="w2_1")
    report = str(verdict)
    assert report.startswith("∂J/∂w²₁: not correct (sign).\nread as: (t − z) σ′(a²) h₁\n")
    assert "h₁ (−t + z) σ′(a²)" in report and "h¹₁" not in report


def test_a_scalar_is_said_to_be_a_scalar() -> None:
    verdict = sym.check_answer("(z - t) σ′(a²) w²₁ σ′(a¹₁) x₁", wrt="W1")
    assert verdict.mistake == "wrong_shape" and "is a scalar" in verdict.explanation
    assert "has shape a scalar" not in str(verdict)


# ── no answer runs as code ───────────────────────────────────────────────────


@pytest.fixture
def sentinel(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "SENTINEL"


def payloads(path: Path) -> list[str]:
    touch = f"__import__('pathlib').Path({str(path)!r}).touch()"
    return [touch, f"exec({touch!r})", f"lambda: {touch}", f"[{touch}]", f"σ({touch})"]


class Trap:
    """An object that leaves the sentinel if anything converts it (SymPy, float, str, index)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _spring(self, *args: object) -> str:
        self.path.touch()
        return "0"

    _sympy_ = __float__ = __index__ = __int__ = __str__ = __repr__ = _spring  # type: ignore[assignment]


def test_no_payload_runs_through_any_entry_point(sentinel) -> None:
    snet = sym.notes_network()
    answers: list[object] = []
    for payload in payloads(sentinel):
        answers += [payload, [payload], [[payload]], {"a": payload}, np.array([payload], dtype=object)]
        answers += [sympy.Symbol(payload), sympy.Function("system")(snet.symbols["z"])]
    answers += [Trap(sentinel), [Trap(sentinel)], np.array([Trap(sentinel)], dtype=object), {"x": Trap(sentinel)}]
    for answer in answers:
        with pytest.raises(jbp.JacobianBPError):
            sym.check_answer(answer, wrt="w2_1")
        with pytest.raises(jbp.JacobianBPError):
            sym.check_formula(answer, "a2")
    for payload in payloads(sentinel):
        with pytest.raises(jbp.JacobianBPError):
            jbp.answers.read_numbers(payload)
        with pytest.raises(jbp.JacobianBPError):
            jbp.check_answer(np.array([payload], dtype=object), jbp.notes_network(), [1.0, 0.5], 1.0, wrt="b2")
    assert not sentinel.exists()


# ── bounds: refused before the work, never a hang or a RecursionError ───────


@pytest.mark.parametrize(
    "text",
    [
        "(h1 + h2)^100000",
        "(z - t)^(10^10) * h1",
        "h1^(2^(2^(2^(2^5))))",
        "(" * 3000 + "h1" + ")" * 3000,
        "(" * (MAX_DEPTH + 1) + "h1" + ")" * (MAX_DEPTH + 1),
        "-" * 3000 + "h1",
        "h1" + "^2" * 1000,
        "1e999999 * h1",
        "9" * 100 + " h1",
        "(h1 + h2 + h3 + x1 + x2 + z + t)" * 30,
        "h1 + " * 500 + "h1",
        "[" * 60 + "h1" + "]" * 60,
    ],
)
def test_a_hostile_formula_is_refused_with_a_clear_error(text) -> None:
    with pytest.raises(jbp.ParseError) as error:
        sym.check_answer(text, wrt="w2_1")
    assert "Traceback" not in str(error.value)


def test_the_limits_themselves_raise() -> None:
    assert MAX_EXPONENT < 100 and MAX_LENGTH <= 10_000
    s = sym.notes_network().symbols
    sums = sympy.Mul(*[s["h¹₁"] + s["x₁"] + i for i in range(20)], evaluate=False)
    assert expansion_size(sums) > MAX_TERMS  # estimated on the tree, before expanding
    with pytest.raises(jbp.AnswerTooLargeError):
        sym.check_answer(sums, wrt="w2_1")
    with pytest.raises(jbp.AnswerTooLargeError):
        checked_expression(sympy.Pow(s["h¹₁"], 100000, evaluate=False), sym.notes_network())
    deep = s["h¹₁"]
    for _ in range(300):
        deep = sym.sigma(deep)
    with pytest.raises(jbp.AnswerTooLargeError):
        sym.check_answer(deep, wrt="w2_1")
    with pytest.raises(jbp.AnswerTooLargeError):
        sym.check_answer(np.zeros(10_000, dtype=object), wrt="W1")
