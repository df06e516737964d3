"""Slides and a handout for the lecture: ``walkthrough --format beamer|latex``, ``--step``, ``JacobianChain.to_latex``.

The documents are compiled with pdflatex once per session (where TeX Live is
installed) and their logs read for errors and for boxes wider than the page or
the frame; the numbers are parsed back out of the LaTeX and compared with
``jbp.gradient``'s, and the symbolic entries with SymPy's own derivative.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.cli import main
from jacobian_bp.display.document import FORMATS, SLIDE_WIDTH
from jacobian_bp.display.errata import ERRATA
from jacobian_bp.display.latex import number_latex, text_latex, visible_width
from jacobian_bp.display.walkthrough import STEPS, walkthrough

from ..typesetting import assert_typeset_cleanly, compile_latex, skip_without_pdflatex

DOCS = Path(__file__).resolve().parents[2] / "docs"
W1_RESULT = re.compile(
    r"\\frac\{\\partial J\}\{\\partial W\^\{1\}\} = (?:g\^\{T\} x\^\{T\} = )?"
    r"\\begin\{bmatrix\}((?:(?!\\begin\{bmatrix\}).)*?)\\end\{bmatrix\}\s*(?:\n|\\\]|$)",
    re.S,
)
NABLA_W1 = re.compile(r"\\nabla_\{W\^\{1\}\} J = g\\, x\^\{T\} = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)
EINSUM_W1 = re.compile(r"\\partial W\^\{1\}_\{jk\}\} = \\sum_\{i\}.*? = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)


def matrix_numbers(body: str) -> np.ndarray:
    return np.array([[float(cell) for cell in row.split("&")] for row in body.split(r"\\")])


# ── compiling: every document the package writes, once per session ───────────


def documents() -> dict[str, str]:
    """A handful of documents: both formats, numeric and symbolic, a student's handout, single steps."""
    docs = {
        "slides": walkthrough(fmt="beamer"),
        "handout": walkthrough(fmt="latex", variant=jbp.exercises.seed_for("s1234567")),
        "step-weight-tensor": walkthrough(fmt="beamer", step="weight-tensor"),
    }
    chain_ = jbp.jacobian_chain(jbp.notes_network(seed=2), [0.3, -1.7], 0.0, wrt="W1")
    frame = chain_.to_latex(width=SLIDE_WIDTH, decimals=3, layout="flattened")
    docs["chain-frame"] = (
        "\\documentclass{beamer}\n\\usepackage{amsmath}\n\\begin{document}\n\\begin{frame}{The chain}\n\\small\n"
        f"\\[\n{frame}\n\\]\n\\end{{frame}}\n\\end{{document}}\n"
    )
    if _has_sympy():
        from jacobian_bp.symbolic.walkthrough import symbolic_walkthrough

        docs["symbolic-slides"] = symbolic_walkthrough("beamer")
        docs["symbolic-handout"] = symbolic_walkthrough("latex", seed=4, x=(0.2, -1.0), t=0.0)
        docs["symbolic-step-backprop"] = symbolic_walkthrough("latex", step="backprop")
    return docs


def _has_sympy() -> bool:
    try:
        import sympy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each document's pdflatex log, compiled in a temporary folder."""
    skip_without_pdflatex()
    folder = tmp_path_factory.mktemp("latex")
    return {name: compile_latex(tex, folder, name) for name, tex in documents().items()}


def test_every_document_compiles_without_errors_or_overfull_boxes(compiled: dict[str, str]) -> None:
    for name, log in compiled.items():
        assert_typeset_cleanly(name, log)
    assert "symbolic-slides" in compiled or not _has_sympy()


# ── the documents' content ───────────────────────────────────────────────────


def test_beamer_has_a_frame_per_step_and_reveals_the_product_one_contraction_at_a_time() -> None:
    slides = walkthrough(fmt="beamer")
    assert slides.startswith(r"\documentclass[11pt]{beamer}") and slides.rstrip().endswith(r"\end{document}")
    titles = re.findall(r"\\begin\{frame\}\{(.*?)\}\n", slides)
    for expected in ("Forward pass", "The five factors", "The activation", "The flattening", "Approach 1", "Approach 2",
                     "Approach 3", "The outer product", "Algorithm 6.4"):  # fmt: skip
        assert any(title.startswith(expected) for title in titles), expected
    product = slides.split(r"\begin{frame}{The product, left to right}")[1].split(r"\end{frame}")[0]
    overlays = re.findall(r"\\only<(\d+)>", product)
    assert overlays == ["2", "3", "4", "5"]  # five factors: four contractions, each on its own overlay
    assert slides.count(r"\begin{frame}") == slides.count(r"\end{frame}")


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    x=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
    t=st.floats(0, 1),
)
def test_numbers_on_the_slides_are_the_gradient_to_the_decimals_shown(seed: int, x: tuple, t: float) -> None:
    net = jbp.notes_network(seed=seed)
    slides = walkthrough(net, x, t, fmt="beamer")
    expected = jbp.gradient(net, np.array(x), t)["W1"]
    bodies = W1_RESULT.findall(slides) + EINSUM_W1.findall(slides) + NABLA_W1.findall(slides)
    shown = [matrix_numbers(body) for body in bodies]
    assert len(shown) == 6  # the product, the three approaches, the outer product, Algorithm 6.4
    for numbers in shown:
        assert numbers.shape == (3, 2)
        np.testing.assert_array_less(np.abs(numbers - expected), 0.5e-3 + 1e-12)


def test_handout_has_the_notes_sections_the_errata_and_the_exercises() -> None:
    handout = walkthrough(fmt="latex")
    sections = re.findall(r"\\section\{(.*?)\}\n", handout)
    assert sections[0] == "Forward pass" and sections[-2:] == ["Errata", "Exercises"]
    assert all(erratum.printed in handout and erratum.correct in handout for erratum in ERRATA)
    assert handout.count(r"\subsection*{Exercise ") == len(jbp.exercises.EXERCISES)
    body = handout.split(r"\begin{document}")[1]
    assert not re.search(r"[^\x00-\x7f]", body.replace("—", "")), "Unicode left in the TeX body"
    assert handout.count("{") == handout.count("}") and handout.count(r"\begin{") == handout.count(r"\end{")


def test_a_students_handout_has_their_variant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["walkthrough", "--format", "latex", "--student", "s1234567"]) == 0
    handout = capsys.readouterr().out
    sheet = jbp.exercises.sheet(student="s1234567", format="latex")  # what `exercise sheet` hands out
    exercise_6 = sheet.split(r"\section*{Exercise 6:")[1].split(r"\section*")[0]
    assert exercise_6 in handout and exercise_6 not in walkthrough(fmt="latex")
    assert f"Exercises (variant {jbp.exercises.seed_for('s1234567')})" in handout
    assert main(["walkthrough", "--format", "beamer", "--student", "s1"]) == 2
    assert "--format latex" in capsys.readouterr().err
    assert main(["walkthrough", "--format", "latex", "--variant", str(jbp.exercises.SEEDS)]) == 2
    assert "seed" in capsys.readouterr().err


def test_the_errata_are_the_errata_pages_table() -> None:
    page = (DOCS / "errata.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \| \[\d+\]\(#(.+?)\) \|$", page, re.M)
    assert [tuple(erratum) for erratum in ERRATA] == rows


# ── one step alone ───────────────────────────────────────────────────────────


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_step_alone_in_every_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    whole = walkthrough(fmt=fmt)
    for step in STEPS:
        assert main(["walkthrough", "--step", step, "--format", fmt]) == 0
        alone = capsys.readouterr().out
        assert 0 < len(alone) < len(whole) / 2, step
        if fmt in ("latex", "beamer"):
            assert alone.startswith(r"\documentclass") and alone.rstrip().endswith(r"\end{document}")
            assert "Errata" not in alone and "Exercise 1" not in alone


def test_the_steps_are_the_docs_pages_and_an_unknown_one_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    pages = {path.stem for path in DOCS.glob("*.md")}
    assert set(STEPS) - {"checks"} <= pages
    with pytest.raises(SystemExit) as exit_:
        main(["walkthrough", "--step", "forward"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'forward'" in error and all(step in error for step in STEPS)
    with pytest.raises(jbp.UnknownNameError, match="forward-pass"):
        walkthrough(step="forward")
    assert "2. The chain of local Jacobians" in walkthrough(step="matrix-form")


def test_the_text_walkthrough_keeps_every_step() -> None:
    text = walkthrough()
    for expected in ("Forward pass", "R^{3×(3×2)}", "∂a¹₂/∂W¹", "Algorithm 6.4", "Finite differences", "all agree"):
        assert expected in text, expected


# ── JacobianChain.to_latex and fixed decimals ────────────────────────────────


@settings(max_examples=30, deadline=None)
@given(width=st.integers(10, 120), layout=st.sampled_from(["stacked", "flattened"]), seed=st.integers(0, 99))
def test_chain_to_latex_breaks_beyond_width_and_keeps_every_factor(width: int, layout: str, seed: int) -> None:
    chain_ = jbp.jacobian_chain(jbp.notes_network(seed=seed), [1.0, 0.5], 1.0, wrt="W1")
    tex = chain_.to_latex(layout=layout, width=width, decimals=3)
    one_line = chain_.to_latex(layout=layout, decimals=3)
    assert re.sub(r"\\begin\{aligned\}|\\end\{aligned\}|&=|&\\quad|\\\\\n|\s", "", tex).replace("=", "") == re.sub(
        r"\s|=", "", one_line
    )  # the same factors and result, in the same order: only line breaks added
    if r"\begin{aligned}" in tex:
        lines = tex.split("\\\\\n")
        assert len(lines) >= 2 and lines[-1].startswith(" &= ")  # the result on a line of its own
    else:
        assert tex == one_line


def test_chain_to_latex_numbers_and_symbols() -> None:
    chain_ = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    result = chain_.to_latex(decimals=4).rpartition(" = ")[2]
    body = result.removeprefix(r"\begin{bmatrix}").removesuffix(r"\end{bmatrix}")
    np.testing.assert_allclose(matrix_numbers(body), np.round(chain_.contract().array, 4))
    with pytest.raises(jbp.InvalidArgumentError, match="per-example"):
        jbp.jacobian_chain(jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0], batch="per_example").to_latex()


@given(st.floats(-1e6, 1e6), st.integers(0, 6))
def test_fixed_decimals(value: float, decimals: int) -> None:
    text = number_latex(value, decimals=decimals)
    assert abs(float(text) - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-9 * abs(value)
    assert text == "0" if value == 0 else len(text.partition(".")[2]) == decimals
    assert not text.startswith("-") or float(text) != 0  # no −0.000


def test_fixed_decimals_line_up_a_matrix() -> None:
    J = jbp.Jacobian(np.array([[-0.0237, 0.00646], [0.2, 0.25]]), (2,), (2,), "∂y/∂x")
    tex = J.to_latex(label=False, decimals=3)
    assert "-0.024 & 0.006" in tex and "0.200 & 0.250" in tex
    assert "0.2 & 0.25" in J.to_latex(label=False, precision=2)  # significant digits stay the default


# ── Unicode text in LaTeX ────────────────────────────────────────────────────


@given(st.text(alphabet="abc xyz_{}^&%$#~\\²¹₁₂ᵢσ′∂∇∈−⊙·×←½ᵀB̄–<>αλΑΗΩςοéⁿ‖…\u0304😀", max_size=40))
def test_text_latex_leaves_no_unicode_and_balances_braces(text: str) -> None:
    tex = text_latex(text)
    assert not re.search(r"[^\x00-\x7f]", tex)
    assert tex.count("{") - tex.count(r"\{") == tex.count("}") - tex.count(r"\}")
    assert "<" not in tex and ">" not in tex  # OT1 text would print them as ¡ and ¿


def test_text_latex_writes_every_greek_letter_with_a_command_latex_has() -> None:
    assert text_latex("∂w²₁ = −(t − z), 50%") == (
        r"\ensuremath{\partial}w\ensuremath{^{2}_{1}} = \ensuremath{-}(t \ensuremath{-} z), 50\%"
    )
    greek = r"\ensuremath{\lambda} \ensuremath{\varsigma} o \ensuremath{\Lambda} \ensuremath{\Omega}"
    assert text_latex("λ ς ο Λ Ω") == greek  # Unicode spells λ LAMDA; ο has no command
    assert text_latex("ΑΒΕΗΡΧ") == "ABEHPX"  # capitals LaTeX has no command for: the Latin letters they look like
    assert text_latex("xⁿ, é, 😀") == r"x\textsuperscript{n}, e, \textbf{?}"


def test_visible_width_counts_what_a_reader_sees() -> None:
    assert visible_width(r"\frac{\partial J}{\partial W^{1}}") < len(r"\frac{\partial J}{\partial W^{1}}") / 2
    assert math.isclose(visible_width("0.125 & 0.250"), 11, abs_tol=2)
