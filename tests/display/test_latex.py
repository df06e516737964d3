"""LaTeX and notebook rendering of Jacobians, numeric and symbolic.

The checks read the structure of the output — environments, rows, columns,
rules, blocks — and parse numbers back, rather than compare whole strings.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.display.latex import MAX_LATEX_ENTRIES, name_latex, number_latex, tex_name

BEGIN, END = r"\begin{bmatrix}", r"\end{bmatrix}"


def outer_matrix_body(tex: str) -> str:
    """What lies between the outermost ``\\begin{bmatrix}`` and its matching ``\\end{bmatrix}``."""
    start = tex.index(BEGIN) + len(BEGIN)
    depth, position = 1, start
    while depth:
        next_begin, next_end = tex.find(BEGIN, position), tex.find(END, position)
        if next_begin != -1 and next_begin < next_end:
            depth, position = depth + 1, next_begin + len(BEGIN)
        else:
            depth, position = depth - 1, next_end + len(END)
    return tex[start : position - len(END)]


def top_level_rows(body: str) -> list[list[str]]:
    """Split a matrix body into rows and cells, ignoring ``\\\\`` and ``&`` inside nested matrices."""
    rows, cells, current, depth, i = [], [], "", 0, 0
    while i < len(body):
        if body.startswith(BEGIN, i):
            depth, current, i = depth + 1, current + BEGIN, i + len(BEGIN)
        elif body.startswith(END, i):
            depth, current, i = depth - 1, current + END, i + len(END)
        elif depth == 0 and body.startswith(r"\\", i):
            cells.append(current.strip())
            rows.append(cells)
            cells, current, i = [], "", i + 2
        elif depth == 0 and body[i] == "&":
            cells.append(current.strip())
            current, i = "", i + 1
        else:
            current, i = current + body[i], i + 1
    cells.append(current.strip())
    rows.append(cells)
    return rows


def parse_number(text: str) -> float:
    match = re.fullmatch(r"(-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?", text)
    assert match, text
    return float(match[1]) * 10.0 ** int(match[2] or 0)


# ── numeric Jacobians ────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def notes_chain() -> jbp.JacobianChain:
    return jbp.jacobian_chain(jbp.notes_network(seed=0), [1.0, 0.5], 1.0, wrt="W1")


def test_a_matrix_renders_as_a_bmatrix_with_its_rows_and_numbers(notes_chain: jbp.JacobianChain) -> None:
    d_h_d_a = notes_chain.factors[3]
    tex = d_h_d_a.to_latex()
    assert tex.startswith(r"\frac{\partial h^{1}}{\partial a^{1}} = " + BEGIN) and tex.endswith(END)
    rows = top_level_rows(outer_matrix_body(tex))
    assert [len(row) for row in rows] == [3, 3, 3]
    parsed = np.array([[parse_number(cell) for cell in row] for row in rows])
    np.testing.assert_allclose(parsed, d_h_d_a.array, rtol=1e-3)
    assert d_h_d_a.to_latex(label=False).startswith(BEGIN)


def test_a_3d_jacobian_renders_as_the_notes_column_of_matrices(notes_chain: jbp.JacobianChain) -> None:
    d_a_d_W = notes_chain.factors[-1]
    tex = d_a_d_W.to_latex(label=False)
    assert tex.count(BEGIN) == 1 + 3  # the column and its three 3×2 blocks
    column = top_level_rows(outer_matrix_body(tex))
    assert [len(row) for row in column] == [1, 1, 1]
    for i, (block,) in enumerate(column):
        rows = top_level_rows(outer_matrix_body(block))
        assert [len(row) for row in rows] == [2, 2, 2]
        parsed = np.array([[parse_number(cell) for cell in row] for row in rows])
        np.testing.assert_allclose(parsed, d_a_d_W.array[i], rtol=1e-3)
        assert not parsed[np.arange(3) != i].any()  # only row i of slice i is non-zero


def test_a_3d_jacobian_flattened_shows_the_column_groups(notes_chain: jbp.JacobianChain) -> None:
    tex = notes_chain.factors[-1].to_latex(layout="flattened", label=False)
    assert r"\begin{array}{cc|cc|cc}" in tex and BEGIN not in tex
    body = tex[tex.index("}{cc|cc|cc}") + len("}{cc|cc|cc}") : tex.index(r"\end{array}")]
    rows = [row.split("&") for row in body.split(r"\\")]
    assert [len(row) for row in rows] == [6, 6, 6]


def test_a_4d_jacobian_renders_as_a_grid_of_blocks_or_with_row_and_column_rules() -> None:
    array = np.arange(2 * 3 * 3 * 2, dtype=float).reshape(2, 3, 3, 2)
    J = jbp.Jacobian(array, (2, 3), (3, 2), "∂A/∂W¹")
    grid = top_level_rows(outer_matrix_body(J.to_latex()))
    assert [len(row) for row in grid] == [3, 3]  # out (2, 3): two rows of three 3×2 blocks
    assert all(top_level_rows(outer_matrix_body(block)) for row in grid for block in row)
    flat = J.to_latex(layout="flattened")
    assert r"\begin{array}{cc|cc|cc}" in flat and flat.count(r"\hline") == 1  # 6 rows in groups of 3


@given(
    out_shape=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    in_shape=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    layout=st.sampled_from(["stacked", "flattened"]),
)
def test_every_shape_renders_with_one_entry_per_stored_number(
    out_shape: tuple[int, ...], in_shape: tuple[int, ...], layout: str
) -> None:
    values = np.arange(1, math.prod(out_shape + in_shape) + 1, dtype=float).reshape(out_shape + in_shape)
    tex = jbp.Jacobian(values, out_shape, in_shape).to_latex(layout=layout, label=False)
    numbers = [int(n) for n in re.findall(r"(?<![\w{])\d+(?![\w}])", tex)]
    assert sorted(numbers) == list(range(1, values.size + 1))
    assert tex.count(r"\begin{") == tex.count(r"\end{") and tex.count("{") == tex.count("}")


def test_scalar_jacobian_is_its_entry_and_names_render_as_fractions() -> None:
    assert jbp.Jacobian(np.array(0.5), (), (), "∂J/∂b²").to_latex() == r"\frac{\partial J}{\partial b^{2}} = 0.5"
    assert name_latex("∂a¹/∂W¹") == r"\frac{\partial a^{1}}{\partial W^{1}}"
    assert name_latex("∂y/∂x·∂x/∂u") == r"\text{∂y/∂x·∂x/∂u}"
    assert tex_name("w¹₃₂") == "w^{1}_{32}" and tex_name("σ") == r"\sigma" and tex_name("x") == "x"


@given(st.floats(-1e300, 1e300))
def test_numbers_keep_four_significant_digits(value: float) -> None:
    assert parse_number(number_latex(value)) == pytest.approx(value, rel=1e-3, abs=1e-300)


def test_special_numbers() -> None:
    assert number_latex(float("nan")) == r"\mathrm{NaN}" and number_latex(-float("inf")) == r"-\infty"
    assert number_latex(np.int64(3)) == "3" and number_latex(True) == "1" and number_latex(0.123456, 2) == "0.12"


def test_notebook_representations(notes_chain: jbp.JacobianChain) -> None:
    J = notes_chain.factors[-1]
    latex = J._repr_latex_()
    assert latex.startswith("$$") and latex.endswith("$$") and BEGIN in latex
    html = J._repr_html_()
    assert "∂a¹/∂W¹ ∈ R^{3×(3×2)}" in html and "block-sparse" in html
    assert "&amp;" in html and " & " not in html  # the LaTeX is escaped for HTML; MathJax reads it back


def test_huge_jacobians_are_refused_politely() -> None:
    size = math.isqrt(MAX_LATEX_ENTRIES) + 1
    J = jbp.Jacobian(np.zeros((size, size)), (size,), (size,), "∂h/∂a")
    with pytest.raises(jbp.ShapeError, match=rf"{size * size} entries.*max_entries"):
        J.to_latex()
    assert J.to_latex(max_entries=size * size).count(r"\\") == size - 1
    assert J._repr_latex_() is None and J._repr_html_() is None  # the notebook falls back to repr


def test_unknown_layout_lists_the_choices(notes_chain: jbp.JacobianChain) -> None:
    with pytest.raises(jbp.UnknownNameError, match=r"'columns'.*'stacked', 'flattened'"):
        notes_chain.factors[-1].to_latex(layout="columns")


# ── symbolic Jacobians ───────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def symbolic_chain() -> jbp.JacobianChain:
    pytest.importorskip("sympy", reason="symbolic rendering needs the 'symbolic' extra")
    import jacobian_bp.symbolic as sym

    return sym.jacobian_chain(sym.notes_network(), wrt="W1")


def test_symbolic_3d_jacobian_renders_the_notes_slices(symbolic_chain: jbp.JacobianChain) -> None:
    tex = symbolic_chain.factors[-1].to_latex(label=False)
    column = top_level_rows(outer_matrix_body(tex))
    for i, (block,) in enumerate(column):
        rows = top_level_rows(outer_matrix_body(block))
        expected = [["x_{1}", "x_{2}"] if r == i else ["0", "0"] for r in range(3)]
        assert rows == expected
    flat = symbolic_chain.factors[-1].to_latex(layout="flattened", label=False)
    assert "x_{1} & x_{2} & 0 & 0 & 0 & 0" in flat


def test_symbolic_diagonal_and_result_render_with_the_notes_names(symbolic_chain: jbp.JacobianChain) -> None:
    rows = top_level_rows(outer_matrix_body(symbolic_chain.factors[3].to_latex()))
    assert [row[i] for i, row in enumerate(rows)] == [rf"\sigma'\left(a^{{1}}_{{{i}}}\right)" for i in (1, 2, 3)]
    result = symbolic_chain.contract()
    rows = top_level_rows(outer_matrix_body(result.to_latex()))
    assert [len(row) for row in rows] == [2, 2, 2]
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row, start=1):
            for part in (f"w^{{2}}_{{{i}}}", f"x_{{{j}}}", r"\sigma'\left(a^{2}\right)", rf"a^{{1}}_{{{i}}}"):
                assert part in cell
    assert result._repr_html_().count("&amp;") == 3
