"""Symbolic entries in LaTeX as the notes write them: chain order, the notes' names, one way of writing σ′.

Every printed entry is read back into SymPy (by a small reader of the
printer's own LaTeX, written here) and compared with the engine's expression
and with SymPy's own derivative of the loss, so a reordering can never change
the mathematics.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp

sympy = pytest.importorskip("sympy", reason="symbolic mode needs the 'symbolic' extra (SymPy)")
import jacobian_bp.symbolic as sym  # noqa: E402 — only importable once SymPy is known to be there
from jacobian_bp.symbolic.printing import notes_latex, rewrite_sigmoid  # noqa: E402
from jacobian_bp.symbolic.walkthrough import factored_latex, symbolic_walkthrough  # noqa: E402

SUPERSCRIPTS, SUBSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"), str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
NAME = re.compile(r"(?<![\\A-Z])\b([a-z])(?:\^\{(\d+)\})?(?:_\{([\d,]+)\})?")


def read_latex(tex: str) -> sympy.Expr:
    """The printer's LaTeX back as SymPy: names, σ and σ′, brackets, implicit products, + and −."""
    names: dict[str, sympy.Symbol] = {}

    def name(match: re.Match[str]) -> str:
        text = match[1] + (match[2] or "").translate(SUPERSCRIPTS) + (match[3] or "").translate(SUBSCRIPTS)
        key = f"v{len(names)}"
        names[key] = sym.symbol(text)
        return key

    source = tex.replace(r"{\left(", r"\left(").replace(r"\right)}", r"\right)")
    source = source.replace(r"\sigma'\left(", "SP(").replace(r"\sigma\left(", "SG(")
    source = source.replace(r"\tanh^{2}\left(", "TANH2(").replace(r"\tanh\left(", "TANH(")
    source = source.replace(r"\left(", "(").replace(r"\right)", ")")
    source = NAME.sub(name, source)
    source = re.sub(r"(?<=[\w)])\s+(?=[\w(])", "*", source)  # juxtaposition is a product
    functions = {"SP": sym.sigma_prime, "SG": sym.sigma, "TANH": sympy.tanh, "TANH2": lambda u: sympy.tanh(u) ** 2}
    return eval(source, {**functions, **names})  # the package's own output, not a user's


def test_a_contracted_entry_reads_as_the_notes_write_it() -> None:
    entry = sym.jacobian_chain(sym.notes_network(), wrt="W1").contract().array[0, 0]
    assert notes_latex(entry) == (
        r"-\left(t - z\right) \sigma'\left(a^{2}\right) w^{2}_{1} \sigma'\left(a^{1}_{1}\right) x_{1}"
    )
    assert notes_latex(entry, "outputs") == (
        r"-\left(t - z\right) z \left(1 - z\right) w^{2}_{1} h^{1}_{1} \left(1 - h^{1}_{1}\right) x_{1}"
    )
    assert notes_latex(entry, "sigma").startswith(
        r"-\left(t - \sigma\left(a^{2}\right)\right) \sigma\left(a^{2}\right) \left(1 - \sigma\left(a^{2}\right)\right)"
    )
    with pytest.raises(jbp.UnknownNameError, match="'prime', 'outputs', 'sigma'"):
        notes_latex(entry, "z")


@settings(max_examples=12, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    activation=st.sampled_from(["sigmoid", "tanh"]),
    data=st.data(),
)
def test_every_printed_entry_reads_back_as_the_engines_expression(sizes: list[int], activation: str, data) -> None:
    snet = sym.MLP(sizes, activation=activation, output_activation="sigmoid")
    wrt = data.draw(st.sampled_from(snet.param_names))
    result = sym.jacobian_chain(snet, wrt=wrt).contract().array
    for entry in np.ravel(result):
        assert sympy.expand(read_latex(notes_latex(entry)) - entry) == 0, notes_latex(entry)


def test_the_three_ways_of_writing_sigma_prime_are_one_expression() -> None:
    snet = sym.notes_network()
    kept = {sym.symbol("z"): sym.sigma(sym.symbol("a²"))}
    kept |= {sym.symbol(f"h¹{s}"): sym.sigma(sym.symbol(f"a¹{s}")) for s in "₁₂₃"}
    for entry in np.ravel(sym.gradient(snet)["W1"]):
        outputs, sigma = read_latex(notes_latex(entry, "outputs")), read_latex(notes_latex(entry, "sigma"))
        assert not outputs.has(sym.sigma, sym.sigma_prime)  # z and h throughout, never σ(a²) beside z
        assert not sigma.free_symbols & set(kept)  # σ(a) throughout, never z
        written_out = sympy.expand(entry.rewrite(sym.sigma).xreplace(kept))
        assert sympy.expand(outputs.xreplace(kept)) == written_out == sympy.expand(sigma)
    assert rewrite_sigmoid(sym.symbol("x₁"), "sigma") == sym.symbol("x₁")


def test_the_slides_gradient_is_sympys_derivative_of_the_loss() -> None:
    snet = sym.notes_network()
    slides = symbolic_walkthrough("beamer", step="weight-tensor")
    last = slides.split(r"\begin{frame}{Contracting the chain}")[1].split(r"\end{frame}")[0].rsplit(r"\only<", 1)[1]
    shown = re.search(r"= (.*?) \\begin\{bmatrix\} (.*?) \\end\{bmatrix\}", last, re.S)
    front = read_latex(shown[1])
    entries = [[read_latex(cell) for cell in row.split("&")] for row in shown[2].split(r"\\")]
    loss = sym.substitute_forward(snet.loss(), snet)
    for i, j in np.ndindex(3, 2):
        derivative = sympy.diff(loss, snet.params["W1"][i, j])
        assert sympy.expand(sym.substitute_forward(front * entries[i][j], snet) - derivative) == 0, (i, j)


def test_a_factored_matrix_is_its_shared_factor_times_the_rest() -> None:
    gradient = sym.gradient(sym.notes_network())
    for name in ("W1", "b1", "W2"):
        tex, width = factored_latex(gradient[name])
        front, _, matrix = tex.partition(r" \begin{bmatrix} ")
        cells = [read_latex(c) for c in matrix.removesuffix(r" \end{bmatrix}").replace(r"\\", "&").split("&")]
        shared = read_latex(front)
        assert all(sympy.expand(shared * c - e) == 0 for c, e in zip(cells, np.ravel(gradient[name]), strict=True))
        assert 0 < width < len(tex)
