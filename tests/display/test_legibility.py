"""Every picture reads at its size: on the docs column, on a 1024×768 slide, with readable text on every colour.

Sizes and fonts are measured from the SVG each figure writes (as a browser shows
it, 96 px per inch, sub- and superscripts included), never from the settings.
"""

from __future__ import annotations

import io
import itertools
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp

pytest.importorskip("matplotlib", reason="the pictures need the optional 'plot' extra (matplotlib)")

from jacobian_bp.display import plots
from jacobian_bp.display.figures import (
    DOCS_COLUMN_PX,
    contrast_ratio,
    figure_size,
    legibility,
    svg_text,
)

#: The smallest glyph on the docs column, and on a slide, in CSS px.
PAGE_FONT_PX, SLIDE_FONT_PX = 11.0, 18.0


def notes_chain(wrt="W1"):
    return jbp.jacobian_chain(jbp.notes_network(seed=0), [1.0, 0.5], 1.0, wrt=wrt)


def xor_full_chain():
    X, T = jbp.datasets.xor()
    return jbp.jacobian_chain(jbp.notes_network(seed=0), X, T, wrt="W1", batch="full")


#: Every figure the walkthrough shows, drawn as the pages draw them.
DOCS_FIGURES = {
    "network": lambda size: plots.plot_network(jbp.notes_network(seed=0), size=size),
    "slices": lambda size: plots.plot_tensor_slices(notes_chain().factors[-1], size=size),
    "heatmap": lambda size: plots.plot_jacobian(notes_chain().factors[-1], size=size),
    "chain_W1": lambda size: plots.plot_chain(notes_chain(), size=size),
    "chain_output_wide": lambda size: plots.plot_chain(
        jbp.output_chain(jbp.MLP([1, 8, 8, 64], activation="tanh"), [0.3]), size=size
    ),
    "batch_full_chain": lambda size: plots.plot_chain(xor_full_chain(), size=size),
    "batch_d_H1_d_A1": lambda size: plots.plot_sparsity(
        next(f for f in xor_full_chain().factors if f.name == "∂H¹/∂A¹"), size=size
    ),
    "cost": lambda size: plots.plot_cost([8, 16, 32, 64, 128], size=size),
    "cost_and_seconds": lambda size: plots.plot_cost(
        [8, 16, 32], methods=("reshape", "outer"), seconds={"reshape": [1e-3, 2e-3, 5e-3]}, size=size
    ),
    "history": lambda size: plots.plot_history(
        jbp.train(jbp.notes_network(seed=0), *jbp.datasets.xor(), epochs=50), size=size
    ),
}


@pytest.mark.parametrize("name", DOCS_FIGURES)
def test_a_page_figure_fits_the_docs_column_with_legible_text(name):
    measured = legibility(DOCS_FIGURES[name]("page"))
    # Natural width within the column: shown at 100 % of its size (the bar is 80 %).
    assert measured.width_px <= DOCS_COLUMN_PX
    assert measured.shown_at(DOCS_COLUMN_PX) == 1.0
    assert measured.smallest_font_in(DOCS_COLUMN_PX) >= PAGE_FONT_PX


@pytest.mark.parametrize("name", DOCS_FIGURES)
def test_a_slide_figure_has_18px_labels_on_a_1024_by_768_frame(name):
    measured = legibility(DOCS_FIGURES[name]("slide"))
    assert measured.smallest_font_in(1024, 768) >= SLIDE_FONT_PX
    assert measured.shown_at(1024, 768) == 1.0  # fits the frame without shrinking


def test_a_poster_and_a_font_scale_make_text_larger():
    page = legibility(DOCS_FIGURES["chain_W1"]("page")).smallest_font_px
    assert legibility(DOCS_FIGURES["chain_W1"]("poster")).smallest_font_px > 2 * page
    doubled = plots.plot_chain(notes_chain(), size="poster", font_scale=2)
    assert legibility(doubled).smallest_font_px == pytest.approx(
        4 * page * figure_size("poster").math / figure_size("page").math / 2, rel=0.01
    )


@st.composite
def small_networks(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    wrt = draw(st.sampled_from([f"{kind}{k}" for k in range(1, len(sizes)) for kind in "Wb"]))
    return sizes, wrt


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_networks(), st.sampled_from(["page", "slide"]))
def test_every_chain_fits_by_wrapping_not_shrinking(network, size):
    sizes, wrt = network
    net = jbp.MLP(sizes, activation="tanh", seed=1)
    chain = jbp.jacobian_chain(net, np.linspace(-1, 1, sizes[0]), np.zeros(sizes[-1]), wrt=wrt)
    measured = legibility(plots.plot_chain(chain, size=size))
    box = figure_size(size)
    assert measured.width_px <= box.width * 96 + 1
    assert measured.smallest_font_px >= (PAGE_FONT_PX if size == "page" else SLIDE_FONT_PX)
    for factor in (chain.factors[-1], net and plots.plot_network(net, size=size)):
        if isinstance(factor, jbp.Jacobian):
            assert legibility(plots.plot_jacobian(factor, size=size)).width_px <= box.width * 96 + 1
        else:
            assert legibility(factor).width_px <= box.width * 96 + 1


def _text_boxes(figure):
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    return [(text.get_text(), text.get_window_extent(renderer)) for text in figure.axes[0].texts if text.get_text()]


@pytest.mark.parametrize("name", ["network", "slices", "chain_W1", "chain_output_wide", "batch_full_chain"])
@pytest.mark.parametrize("size", ["page", "slide"])
def test_no_two_labels_overlap_and_none_leaves_the_figure(name, size):
    figure = DOCS_FIGURES[name](size)
    boxes = _text_boxes(figure)
    width, height = figure.canvas.get_width_height()
    for text, box in boxes:
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, text
    for (first, a), (second, b) in itertools.combinations(boxes, 2):
        overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
        overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert overlap_x <= 1 or overlap_y <= 1, f"{first!r} overlaps {second!r}"


#: A tick reads as an index: a typeset entry name (``w¹₁₂``), ``(1, 2)``, or a whole number.
INDEX_TICK = re.compile(r"^(\$[A-Za-z](\^\{\d+\})?(_\{[\d,]+\})?\$|\(\d+(, \d+)+\)|\d+)$")


@pytest.mark.parametrize(
    "jacobian",
    [
        notes_chain().factors[-1],
        notes_chain().factors[2],
        notes_chain().contract(),
        next(f for f in xor_full_chain().factors if f.name == "∂A¹/∂W¹"),
        jbp.Jacobian(np.ones((2, 12)), (2,), (12,), "∂Y/∂X"),
    ],
    ids=["∂a¹/∂W¹", "∂a²/∂h¹", "∂J/∂W¹", "batch ∂A¹/∂W¹", "unnamed"],
)
def test_heatmap_ticks_read_as_indices_not_decimals(jacobian):
    figure = plots.plot_jacobian(jacobian)
    for ax in figure.axes[:2]:
        if ax.get_label() == "<colorbar>":
            continue
        labels = [label.get_text() for label in ax.get_xticklabels() + ax.get_yticklabels()]
        assert labels and all(INDEX_TICK.match(label) for label in labels), labels
    first = notes_chain().factors[-1]
    ticks = [label.get_text() for label in plots.plot_jacobian(first).axes[0].get_xticklabels()]
    assert ticks == [f"$w^{{1}}_{{{i}{j}}}$" for i in (1, 2, 3) for j in (1, 2)]


def _contrasts_of_slices(figure):
    ax = figure.axes[0]
    cells = [patch for patch in ax.patches if hasattr(patch, "get_facecolor") and patch.get_width() > 0]
    pairs = []
    for text in ax.texts:
        if text.get_text().startswith("$"):
            continue
        x, y = text.get_position()
        cell = next(
            p
            for p in cells
            if p.get_x() <= x <= p.get_x() + p.get_width() and p.get_y() <= y <= p.get_y() + p.get_height()
        )
        pairs.append((text.get_text(), contrast_ratio(text.get_color(), cell.get_facecolor())))
    return pairs


def _contrasts_of_heatmap(figure):
    from matplotlib.colors import to_rgba

    ax = figure.axes[0]
    image = ax.images[0]
    pairs = []
    for text in ax.texts:
        column, row = (round(v) for v in text.get_position())
        background = image.cmap(image.norm(image.get_array()[row, column]))
        pairs.append((text.get_text(), contrast_ratio(to_rgba(text.get_color()), background)))
    return pairs


MIXED = jbp.Jacobian(np.linspace(-1, 1, 18).reshape(3, 3, 2), (3,), (3, 2), "∂a¹/∂W¹")


@pytest.mark.parametrize("jacobian", [notes_chain().factors[-1], MIXED], ids=["notes", "every shade"])
def test_every_written_value_has_readable_contrast_on_its_colour(jacobian):
    slices = _contrasts_of_slices(plots.plot_tensor_slices(jacobian))
    heatmap = _contrasts_of_heatmap(plots.plot_jacobian(jacobian))
    assert len(slices) == len(heatmap) == jacobian.stored_entries
    for text, ratio in slices + heatmap:
        assert ratio >= 4.5, f"{text!r}: contrast {ratio:.2f}"
    # The dark maroon of the largest value carries white text, not black.
    figure = plots.plot_tensor_slices(notes_chain().factors[-1])
    assert {text.get_color() for text in figure.axes[0].texts if text.get_text() == "1"} == {"white"}


def test_svg_keeps_text_as_text_and_files_follow_their_extension(tmp_path):
    figure = plots.plot_chain(notes_chain())
    svg = svg_text(figure)
    assert "<text" in svg and "local Jacobians" in svg
    assert 'id="DejaVuSans' not in svg  # no glyph outlines: the text is text
    for extension, magic in (("svg", b"<?xml"), ("pdf", b"%PDF"), ("png", b"\x89PNG")):
        path = tmp_path / f"chain.{extension}"
        plots.plot_chain(notes_chain(), path=path)
        assert path.read_bytes().startswith(magic)
    written = (tmp_path / "chain.svg").read_text()
    assert "<text" in written and 'id="DejaVuSans' not in written
    assert b"FontFile2" in (tmp_path / "chain.pdf").read_bytes()  # TrueType embedded: PDF text stays text


@pytest.mark.parametrize("name", DOCS_FIGURES)
def test_an_exact_size_is_the_figure_size(name):
    figure = DOCS_FIGURES[name]((8.0, 5.0))
    assert figure.get_size_inches().tolist() == [8.0, 5.0]


@pytest.mark.parametrize(
    ("size", "font_scale", "error", "message"),
    [
        ("beamer", 1, jbp.UnknownNameError, r"figure size 'beamer'; valid choices are 'page', 'slide', 'poster'"),
        ((8, 0), 1, jbp.InvalidArgumentError, "between 0.5 and 50 inches"),
        ((1e9, 5), 1, jbp.InvalidArgumentError, "between 0.5 and 50 inches"),
        ((8,), 1, jbp.InvalidArgumentError, r"\(width, height\) in inches"),
        ("page", 0, jbp.InvalidArgumentError, "font_scale must be a number from 0.25 to 8"),
        ("page", float("nan"), jbp.InvalidArgumentError, "font_scale must be a number from 0.25 to 8"),
        ("page", 1e6, jbp.InvalidArgumentError, "font_scale must be a number from 0.25 to 8"),
    ],
)
def test_a_bad_size_is_refused_with_the_valid_choices(size, font_scale, error, message):
    with pytest.raises(error, match=message):
        plots.plot_network(jbp.notes_network(), size=size, font_scale=font_scale)


def test_a_per_example_chain_is_drawn_as_stacks_of_blocks():
    X, T = jbp.datasets.xor()
    chain = jbp.jacobian_chain(jbp.notes_network(seed=0), X, T, wrt="W1", batch="per_example")
    figure = plots.plot_chain(chain)
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "$(\\mathbb{R}^{3\\times(3\\times2)})^{4}$" in texts  # ∂a¹/∂W¹, one 3×(3×2) block per example
    assert "$\\mathbb{R}^{1\\times(3\\times2)}$" in texts  # and their contraction, ∂J/∂W¹
    d_h_d_a = figure.axes[0].images[4].get_array()  # the diagonal ∂h¹/∂a¹ of every example
    np.testing.assert_array_equal(d_h_d_a, np.eye(3, dtype=bool))
    measured = legibility(figure)
    assert measured.width_px <= DOCS_COLUMN_PX and measured.smallest_font_px >= PAGE_FONT_PX


def test_a_deep_wide_network_is_drawn_without_labels_that_cannot_fit():
    net = jbp.MLP([32] * 20, activation="tanh")
    figure = plots.plot_network(net)
    assert legibility(figure).width_px <= DOCS_COLUMN_PX
    assert not figure.axes[0].texts  # no unit, weight or layer label squeezed below its size
    edges = sum(len(collection.get_segments()) for collection in figure.axes[0].collections)
    assert edges == 19 * 32 * 32 + 19 * 32  # every weight and every bias edge


def test_without_the_shared_typesetting_figures_are_written_the_same(monkeypatch):
    """Where matplotlib's renderers cannot share one typesetting (a matplotlib that works otherwise), the package
    draws and writes with matplotlib's own: the same SVG, the same legibility, only slower."""
    import matplotlib

    from jacobian_bp.display import _canvas

    def written() -> tuple[str, object, bytes]:
        net = jbp.notes_network()
        chain = jbp.jacobian_chain(net, np.array([1.0, 0.5]), np.array([1.0]), wrt="W1")
        figure = plots.plot_chain(chain, size="page")
        with matplotlib.rc_context({"svg.hashsalt": "same"}):
            svg = re.sub(r"<dc:date>.*?</dc:date>", "", svg_text(figure))
        png = io.BytesIO()
        figure.savefig(png, format="png")
        return svg, legibility(figure), png.getvalue()

    shared = written()
    assert _canvas.agg_shares_parser() and _canvas.svg_backend_works()  # this matplotlib takes both
    # Text measured with the shared parser is measured as matplotlib's own measurer does.
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    for text in ("$w^{1}_{12}$", "∂a¹/∂W¹", r"$\frac{\partial J}{\partial z}$"):
        font = FontProperties(size=11)
        own = TextToPath().get_text_width_height_descent(text, font, ismath=text.startswith("$"))
        assert _canvas.TEXT_TO_PATH.get_text_width_height_descent(text, font, ismath=text.startswith("$")) == own
    monkeypatch.setattr(_canvas, "agg_shares_parser", lambda: False)
    monkeypatch.setattr(_canvas, "svg_backend_works", lambda: False)
    assert written() == shared
