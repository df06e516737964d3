"""The plain-text grammar of formulas: the notes' names in Unicode and ASCII, products on paper, clear errors."""

from __future__ import annotations

import pytest

sympy = pytest.importorskip("sympy", reason="formulas need the 'symbolic' extra")

import jacobian_bp as jbp  # noqa: E402
import jacobian_bp.symbolic as sym  # noqa: E402
from jacobian_bp.symbolic.grammar import parse  # noqa: E402

snet = sym.notes_network()
n = snet.symbols


def read(text: str):
    return parse(text, snet.symbols)


@pytest.mark.parametrize(
    ("unicode", "ascii_spellings"),
    [
        ("w¹₁₁", ["w1_11", "w1_1_1", "W1_11"]),
        ("w²₁", ["w2_1", "W2_1"]),
        ("b¹₂", ["b1_2"]),
        ("b²", ["b2"]),
        ("a¹₃", ["a1_3"]),
        ("a²", ["a2"]),
        ("h¹₁", ["h1", "h_1", "h1_1", "h₁"]),
        ("x₂", ["x2", "x_2"]),
        ("z", ["z"]),
        ("t", ["t"]),
    ],
)
def test_every_name_in_unicode_and_ascii(unicode, ascii_spellings) -> None:
    for spelling in [unicode, *ascii_spellings]:
        assert read(spelling) == n[unicode if unicode != "h₁" else "h¹₁"], spelling


def test_functions_operators_and_products_side_by_side() -> None:
    z, t, a2, h1 = n["z"], n["t"], n["a²"], n["h¹₁"]
    expected = -(t - z) * sym.sigma_prime(a2) * h1
    for text in [
        "-(t - z) σ′(a²) h₁",
        "−(t − z)·σ'(a2)·h1",
        "-(t-z)*sigma_prime(a2)*h1",
        "-1 * (t - z) * dsigma(a2) * h1",
        "(z - t) f′(a²) h¹₁",
    ]:
        assert sympy.expand(read(text) - expected) == 0, text
    assert read("2^-1 h1") == h1 / 2 and read("0.5 h1") == h1 / 2 and read("h1**2") == h1**2
    assert read("exp(-a2)") == sympy.exp(-a2) and read("σ(a²)") == sym.sigma(a2)


def test_a_matrix_is_a_list_of_rows() -> None:
    assert read("[[x1, x2], [0, 0], [0, 0]]").shape == (3, 2)
    assert read("[h1, h2, h3]").shape == (3,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the formula is empty"),
        ("(z - t", "a ')' should come here"),
        ("z - t)", "')' cannot follow here"),
        ("zt", "'zt' is not a name of this network"),
        ("w3_1", "'w3_1' is not a name of this network"),
        ("σ′ a²", "σ′ is a function: write σ′(…)"),
        ("z $ t", "'$' is not part of the grammar"),
        ("[[1, 2], [3]]", "the rows of a matrix must all have the same length"),
        ("2 *", "the formula ends where a term should come"),
        ("__import__('os')", "'_' is not part of the grammar"),  # read, never evaluated
    ],
)
def test_what_does_not_parse_says_where_and_what_is_allowed(text, message) -> None:
    with pytest.raises(jbp.ParseError) as error:
        read(text)
    assert message in str(error.value) and "allowed:" in str(error.value)
