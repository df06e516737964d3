"""Pictures (extra ``plot``): a Jacobian as a heatmap, its sparsity, a whole chain, cost against width, a loss curve.

Matplotlib is imported only inside these functions, on the headless Agg canvas.
Each function returns a Figure and, given ``path``, writes it there in the
format the extension names (PDF, SVG with text kept as text, PNG). Each takes
``size`` — ``"page"`` (the docs column), ``"slide"`` (a 1024×768 frame),
``"poster"``, or ``(width, height)`` in inches — and ``font_scale``, and lays
itself out around those fonts (see :mod:`jacobian_bp.display.figures`): a long
chain wraps onto more rows instead of shrinking. A tensor is drawn as its
matrix form with the column groups of one row of ``W`` marked; its ticks name
the entries (``w¹₁₂``, ``a¹₃``) or, without a name, their 1-based indices ``(1, 2)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from jacobian_bp.chain.batch import BatchedJacobian
from jacobian_bp.chain.jacobian import Jacobian, subscript
from jacobian_bp.chain.jacobian_chain import JacobianChain
from jacobian_bp.chain.structure import nonzero_mask
from jacobian_bp.costs import widths_costs
from jacobian_bp.display.figures import (
    SIZES,
    FigureSize,
    apply_fonts,
    check_plot_path,
    figure_size,
    new_figure,
    require_matplotlib,
    save,
    text_colour_on,
    text_extent,
)
from jacobian_bp.display.latex import name_latex, space_latex, tex_name
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InvalidArgumentError
from jacobian_bp.methods.gradient import METHODS, check_method
from jacobian_bp.network.mlp import MLP

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from jacobian_bp.training.train import History

__all__ = [
    "SIZES",
    "check_plot_path",
    "math_label",
    "new_figure",
    "plot_chain",
    "plot_cost",
    "plot_history",
    "plot_jacobian",
    "plot_network",
    "plot_sparsity",
    "plot_tensor_slices",
    "require_matplotlib",
    "save",
    "space_label",
]

#: What ``size=`` accepts: a preset's name or ``(width, height)`` in inches.
Size = str | tuple[float, float] | FigureSize

#: Draw tick labels for every row/column up to this many.
MAX_LABELLED = 24


def math_label(jacobian: Jacobian) -> str:
    r"""A Jacobian's name as matplotlib mathtext: ``∂a¹/∂W¹`` → ``$\dfrac{\partial a^{1}}{\partial W^{1}}$``.

    A display-style fraction, so that numerator and denominator keep the full font size.

    >>> math_label(jbp.Jacobian(np.eye(3), (3,), (3,), "∂h¹/∂a¹"))
    '$\\dfrac{\\partial h^{1}}{\\partial a^{1}}$'
    """
    name = name_latex(jacobian.name)
    return "$" + name.replace(r"\frac", r"\dfrac", 1) + "$" if name.startswith(r"\frac") else jacobian.name


def space_label(jacobian: Jacobian | BatchedJacobian) -> str:
    r"""The Jacobian's space as mathtext: ``$\mathbb{R}^{3\times(3\times2)}$``; a stack of ``N`` is ``(…)^{N}``.

    >>> space_label(jbp.Jacobian(np.ones((3, 3, 2)), (3,), (3, 2)))
    '$\\mathbb{R}^{3\\times(3\\times2)}$'
    """
    space = space_latex(jacobian.out_shape, jacobian.in_shape)
    return f"$({space})^{{{jacobian.batch_axes[0]}}}$" if jacobian.batch_axes else f"${space}$"


def _block_pattern(block: Jacobian | BatchedJacobian) -> np.ndarray:
    """Where a factor's matrix form is not zero; for a stack of per-example blocks, where any example's is not."""
    mask = nonzero_mask(block.array).reshape(block.matrix.shape)
    return mask.any(axis=0) if block.batch_axes else mask


_SYMBOL = re.compile(r"^(?P<letter>[A-Za-z])(?P<layer>[⁰¹²³⁴⁵⁶⁷⁸⁹]*)$")


def entry_labels(symbol: str, shape: tuple[int, ...]) -> tuple[list[str], bool]:
    """Labels of the entries of ``symbol`` (of ``shape``) in C order, and whether they are typeset names.

    A vector or a weight matrix gets the notes' names (``a¹₁``, ``w¹₁₂``, ``w²₃``
    for the row ``W²``); anything else its 1-based index, ``(1, 2)``.

    >>> entry_labels("W¹", (2, 2))[0]
    ['$w^{1}_{11}$', '$w^{1}_{12}$', '$w^{1}_{21}$', '$w^{1}_{22}$']
    >>> entry_labels("a²", (1,)), entry_labels("A¹", (2, 1))
    ((['$a^{2}$'], True), (['(1, 1)', '(2, 1)'], False))
    """
    match = _SYMBOL.match(symbol)
    named = match is not None and (match["letter"].islower() or match["letter"] == "W") and len(shape) <= 2
    if not shape:
        return [f"${tex_name(symbol)}$" if match else symbol], match is not None
    if not named:
        if len(shape) == 1:
            return [str(i + 1) for i in range(shape[0])], False
        return ["(" + ", ".join(str(i + 1) for i in index) + ")" for index in np.ndindex(*shape)], False
    assert match is not None
    base = tex_name(match["letter"].lower() + match["layer"])
    if shape in ((1,), (1, 1)):
        return [f"${base}$"], True
    labels = []
    for index in np.ndindex(*shape):
        kept = index[1:] if len(shape) == 2 and shape[0] == 1 else index  # the row W² is indexed by column
        ones = [i + 1 for i in kept]
        labels.append(f"${base}_{{{(',' if max(ones) > 9 else '').join(map(str, ones))}}}$")
    return labels, True


def _symbols(jacobian: Jacobian) -> tuple[str, str]:
    numerator, slash, denominator = jacobian.name.partition("/")
    if not slash:
        return "y", "x"
    return numerator.removeprefix("∂"), denominator.removeprefix("∂")


# --- heatmaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """How a Jacobian's matrix form is laid out: cell sides (inches), tick labels, which to show, their rotation."""

    cell_width: float
    cell_height: float
    x_labels: list[str]
    y_labels: list[str]
    x_every: int
    y_every: int
    x_rotation: int
    tick_font: float
    x_title: str
    y_title: str
    annotate: bool


#: A heatmap writes its values in its cells up to this many entries (if the cells are big enough).
MAX_WRITTEN_VALUES = 200

#: Inches a heatmap's axis labels, ticks, colour bar and title take beside its cells.
_HEATMAP_MARGIN = 0.45


def _grid(jacobian: Jacobian, size: FigureSize, width: float) -> _Grid:
    """Cells big enough for their tick labels (rotated, then thinned, if ``width`` is too narrow)."""
    rows, cols = jacobian.matrix.shape
    numerator, denominator = _symbols(jacobian)
    y_labels, y_named = entry_labels(numerator, jacobian.out_shape)
    x_labels, x_named = entry_labels(denominator, jacobian.in_shape)
    font = size.math if (x_named or y_named) else size.text
    if cols > MAX_LABELLED:
        x_labels = []
    if rows > MAX_LABELLED:
        y_labels = []
    x_width = max((text_extent(label, font)[0] for label in x_labels), default=0.0)
    line = text_extent("(0", font)[1] * 1.6
    y_width = max((text_extent(label, font)[0] for label in y_labels), default=0.0)
    room = max(0.5, width - y_width - line - 2 * _HEATMAP_MARGIN)
    small = rows * cols <= MAX_WRITTEN_VALUES
    values = np.asarray(jacobian.matrix, float).ravel() if small else []
    value_width = max((text_extent(f"{v:.3g}", size.text)[0] for v in values), default=0.0)
    cell_width, rotation, every = max(x_width + 0.12, line), 0, 1
    if small and max(cell_width, value_width + 0.1) * cols <= room:  # room to write the values in
        cell_width = max(cell_width, value_width + 0.1)
    if cell_width * cols > room:
        cell_width, rotation = line, 90
    if cell_width * cols > room:
        every = math.ceil(cell_width * cols / room)
        cell_width = room / cols
    cell_height = max(line, min(cell_width, 0.45 * size.scale))
    y_every = 1 if not y_labels else math.ceil(line / cell_height)
    annotate = small and value_width + 0.06 <= cell_width and line <= cell_height
    where = "" if x_named else " (1-based)"
    return _Grid(
        cell_width,
        cell_height,
        x_labels,
        y_labels,
        every,
        y_every,
        rotation,
        font,
        f"input: {denominator} {jacobian.in_shape}{where}, flattened",
        f"output: {numerator}",
        annotate,
    )


def _draw_grouping(ax: Axes, jacobian: Jacobian) -> None:
    """Lines between column groups (and row groups) that share a leading index."""
    rows, cols = math.prod(jacobian.out_shape), math.prod(jacobian.in_shape)
    if len(jacobian.in_shape) >= 2:
        group = math.prod(jacobian.in_shape[1:])
        for boundary in range(group, cols, group):
            ax.axvline(boundary - 0.5, color="0.2", linewidth=1.5)
    if len(jacobian.out_shape) >= 2:
        group = math.prod(jacobian.out_shape[1:])
        for boundary in range(group, rows, group):
            ax.axhline(boundary - 0.5, color="0.2", linewidth=1.5)


def _label_axes(ax: Axes, grid: _Grid, size: FigureSize) -> None:
    ax.set_xticks(range(0, len(grid.x_labels), grid.x_every))
    ax.set_xticklabels(grid.x_labels[:: grid.x_every], rotation=grid.x_rotation, fontsize=grid.tick_font)
    ax.set_yticks(range(0, len(grid.y_labels), grid.y_every))
    ax.set_yticklabels(grid.y_labels[:: grid.y_every], fontsize=grid.tick_font)
    ax.tick_params(length=3)
    ax.set_xlabel(grid.x_title, fontsize=size.text)
    ax.set_ylabel(grid.y_title, fontsize=size.text)


def _draw_values(ax: Axes, jacobian: Jacobian, grid: _Grid, size: FigureSize) -> None:
    from matplotlib import colormaps

    matrix = np.asarray(jacobian.matrix, dtype=float)
    limit = float(np.max(np.abs(matrix), initial=0.0)) or 1.0
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest", aspect="auto")
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.ax.tick_params(labelsize=size.text)
    if grid.annotate:
        colours = colormaps["RdBu_r"]
        for (r, c), value in np.ndenumerate(matrix):
            background = colours(0.5 + 0.5 * value / limit)
            colour = text_colour_on(background)
            ax.text(c, r, f"{value:.3g}", ha="center", va="center", fontsize=size.text, color=colour)
    _draw_grouping(ax, jacobian)
    _label_axes(ax, grid, size)
    ax.set_title(f"{math_label(jacobian)} $\\in$ {space_label(jacobian)}, {jacobian.structure}", fontsize=size.title)


def _draw_sparsity(ax: Axes, jacobian: Jacobian, grid: _Grid, size: FigureSize) -> None:
    mask = nonzero_mask(jacobian.array).reshape(jacobian.matrix.shape)
    ax.imshow(mask, cmap="Greys", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    _draw_grouping(ax, jacobian)
    _label_axes(ax, grid, size)
    ax.set_title(
        f"non-zero: {jacobian.nonzero_entries} of {counted(jacobian.stored_entries, 'entry', 'entries')}",
        fontsize=size.math,
    )


def _check_jacobian(jacobian: Any) -> Jacobian:
    if not isinstance(jacobian, Jacobian):
        raise InvalidArgumentError(f"expected a jbp.Jacobian to draw, got {type(jacobian).__name__}")
    if jacobian.array.size == 0:
        raise InvalidArgumentError(f"{jacobian.name} has no entries to draw (shape {jacobian.shape})")
    return jacobian


def _panel_size(jacobian: Jacobian, grid: _Grid, size: FigureSize, colour_bar: bool) -> tuple[float, float]:
    """Inches one heatmap panel needs: its cells, tick labels, axis labels, title (and colour bar)."""
    rows, cols = jacobian.matrix.shape
    y_ticks = max((text_extent(label, grid.tick_font)[0] for label in grid.y_labels), default=0.0)
    x_ticks = max((text_extent(label, grid.tick_font)[1] for label in grid.x_labels), default=0.0)
    if grid.x_rotation:
        x_ticks = max((text_extent(label, grid.tick_font)[0] for label in grid.x_labels), default=0.0)
    line = text_extent("(0", size.text)[1] * 1.6
    title = text_extent(math_label(jacobian), size.title)[1] + 0.1
    width = cols * grid.cell_width + y_ticks + line + 2 * _HEATMAP_MARGIN + (0.9 * size.scale if colour_bar else 0)
    height = rows * grid.cell_height + x_ticks + line + title + 2 * _HEATMAP_MARGIN
    return width, height


def plot_jacobian(
    jacobian: Jacobian,
    path: str | Path | None = None,
    sparsity: bool = True,
    *,
    size: Size = "page",
    font_scale: float = 1.0,
) -> Figure:
    """A heatmap of ``jacobian``'s matrix form with its block grouping; beside or below it, its sparsity pattern.

    The cells are coloured by value (and carry it, in black or white, when they are
    big enough); the ticks name the entries, ``w¹₁₂`` or ``(1, 2)``, never a decimal.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_jacobian(chain.factors[-1])
    >>> [ax.get_title() for ax in figure.axes if ax.get_title()][1]
    'non-zero: 6 of 18 entries'
    >>> [label.get_text() for label in figure.axes[0].get_xticklabels()][:2]
    ['$w^{1}_{11}$', '$w^{1}_{12}$']
    """
    jacobian = _check_jacobian(jacobian)
    size = figure_size(size, font_scale)
    grid = _grid(jacobian, size, size.width)
    values_width, height = _panel_size(jacobian, grid, size, colour_bar=True)
    sparsity_width, _ = _panel_size(jacobian, grid, size, colour_bar=False)
    title_width = text_extent(
        f"{math_label(jacobian)} $\\in$ {space_label(jacobian)}, {jacobian.structure}", size.title
    )[0]
    values_width = max(values_width, title_width + 0.3)
    beside = sparsity and values_width + sparsity_width <= size.width
    panels = (1, 2) if beside else ((2, 1) if sparsity else (1, 1))
    width = max(values_width, sparsity_width) if not beside else values_width + sparsity_width
    figure = new_figure(*size.fit(width, height * panels[0]))
    axes = figure.subplots(*panels, squeeze=False).ravel()
    _draw_values(axes[0], jacobian, grid, size)
    if sparsity:
        _draw_sparsity(axes[1], jacobian, grid, size)
    return save(figure, path)


def plot_sparsity(
    jacobian: Jacobian, path: str | Path | None = None, *, size: Size = "page", font_scale: float = 1.0
) -> Figure:
    """The sparsity pattern of ``jacobian``'s matrix form: black where an entry is not zero.

    >>> d_h_d_a = jbp.Jacobian(np.diag([0.2, 0.1, 0.25]), (3,), (3,), "∂h¹/∂a¹")
    >>> plot_sparsity(d_h_d_a).axes[0].get_title()
    'non-zero: 3 of 9 entries'
    """
    jacobian = _check_jacobian(jacobian)
    size = figure_size(size, font_scale)
    grid = _grid(jacobian, size, size.width)
    figure = new_figure(*size.fit(*_panel_size(jacobian, grid, size, colour_bar=False)))
    _draw_sparsity(figure.subplots(), jacobian, grid, size)
    return save(figure, path)


# --- the chain --------------------------------------------------------------------------------------

#: Up to this many rows or columns, blocks are drawn to scale; beyond it, by the square root of their size.
TO_SCALE = 40
#: The drawn side, in inches on a page, of the chain's largest block.
LARGEST_BLOCK = 1.0


def _block_size(n: int, largest: int) -> float:
    """Drawn side of a block holding ``n`` rows or columns, relative to the largest (1.0), never below 0.15."""
    ratio = n / largest if largest <= TO_SCALE else math.sqrt(n / largest)
    return max(0.15, ratio)


@dataclass(frozen=True)
class _Slot:
    """One factor of a drawn chain: its block's sides and the width of the column its labels need (inches)."""

    jacobian: Jacobian | BatchedJacobian
    block_width: float
    block_height: float
    width: float
    operator: str  # the sign drawn before it: "", "·" or "="


def _chain_rows(slots: list[_Slot], room: float, operator_width: float) -> list[list[_Slot]]:
    """Fill rows left to right; a factor that does not fit starts the next row, with its operator."""
    rows: list[list[_Slot]] = [[]]
    used = 0.0
    for slot in slots:
        needed = slot.width + (operator_width if slot.operator else 0.0)
        if rows[-1] and used + needed > room:
            rows.append([])
            used = 0.0
        rows[-1].append(slot)
        used += needed
    return rows


def plot_chain(
    chain: JacobianChain,
    path: str | Path | None = None,
    result: bool = True,
    *,
    size: Size = "page",
    font_scale: float = 1.0,
) -> Figure:
    """The chain as blocks shaped like the factors' matrix forms, each with its name, space and structure.

    Each block shows the factor's sparsity pattern (a per-example view's stack
    shows one block, the pattern of all its examples, its space as ``(ℝ^{3×3})^{4}``); with ``result=True`` the
    contracted Jacobian is drawn at the end, after an ``=``. A chain wider than
    the figure's size allows continues on the next row, its labels kept at full size.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_chain(chain)
    >>> print(*[t.get_text() for t in figure.axes[0].texts if "mathbb" in t.get_text()][-2:])
    $\\mathbb{R}^{3\\times(3\\times2)}$ $\\mathbb{R}^{1\\times(3\\times2)}$
    """
    if not isinstance(chain, JacobianChain) or not chain.factors:
        raise InvalidArgumentError(f"expected a non-empty jbp.JacobianChain to draw, got {type(chain).__name__}")
    size = figure_size(size, font_scale)
    blocks = list(chain.factors) + ([chain.contract(method="reshape")] if result else [])
    largest = max(max(block.matrix.shape[-2:]) for block in blocks)
    side = LARGEST_BLOCK * size.scale
    while True:  # shrink the blocks (never the labels) until the rows fit the height
        lines, widths, heights, title_height = _chain_layout(blocks, largest, side, result, size)
        width, height = max(widths) + 0.2 * size.scale, sum(heights) + title_height
        if height <= size.height or side <= 0.4 * size.scale:
            break
        side *= 0.85
    margin, pad = 0.1 * size.scale, 0.2 * size.scale
    operator_width = text_extent("=", size.math)[0] + 2 * pad
    name_height = max(text_extent(math_label(b), size.math)[1] for b in blocks) + pad
    figure = new_figure(*size.fit(width, height, clamp=False), layout=None)
    ax = figure.add_axes((0, 0, 1, 1))
    top = height - title_height
    for line, line_height in zip(lines, heights, strict=True):
        tallest = max(s.block_height for s in line)
        middle = top - name_height - tallest / 2
        x = margin
        for slot in line:
            if slot.operator:
                ax.text(x + operator_width / 2, middle, slot.operator, ha="center", va="center", fontsize=size.title)
                x += operator_width
            _draw_block(ax, slot, x, middle, size)
            x += slot.width
        top -= line_height
    ax.text(width / 2, height - pad, f"{len(chain)} local Jacobians", ha="center", va="top", fontsize=size.math)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return save(figure, path)


def _chain_layout(
    blocks: list[Jacobian], largest: int, side: float, result: bool, size: FigureSize
) -> tuple[list[list[_Slot]], list[float], list[float], float]:
    """The chain's rows at block side ``side``: the slots of each row, each row's width and height, the title's."""
    pad = 0.2 * size.scale
    slots = []
    for position, block in enumerate(blocks):
        rows, cols = block.matrix.shape[-2:]
        label_width = max(
            text_extent(math_label(block), size.math)[0],
            text_extent(space_label(block), size.math)[0],
            text_extent(block.structure, size.text)[0],
        )
        width, height = side * _block_size(cols, largest), side * _block_size(rows, largest)
        operator = "" if position == 0 else ("=" if result and position == len(blocks) - 1 else "·")
        slots.append(_Slot(block, width, height, max(width, label_width) + pad, operator))
    operator_width = text_extent("=", size.math)[0] + 2 * pad
    lines = _chain_rows(slots, size.width - 0.2 * size.scale, operator_width)
    name_height = max(text_extent(math_label(b), size.math)[1] for b in blocks) + pad
    below = text_extent(space_label(blocks[0]), size.math)[1] + text_extent("d", size.text)[1] + 3 * pad
    title_height = text_extent("1", size.title)[1] + 2 * pad
    heights = [name_height + max(s.block_height for s in line) + below for line in lines]
    widths = [sum(s.width + (operator_width if s.operator else 0.0) for s in line) for line in lines]
    return lines, widths, heights, title_height


def _draw_block(ax: Axes, slot: _Slot, left: float, middle: float, size: FigureSize) -> None:
    """One factor: its sparsity pattern in a frame, its name above, its space and structure below."""
    block = slot.jacobian
    centre = left + slot.width / 2
    x0, y0 = centre - slot.block_width / 2, middle - slot.block_height / 2
    mask = _block_pattern(block)
    extent = (x0, x0 + slot.block_width, y0, y0 + slot.block_height)
    ax.imshow(mask, cmap="Greys", vmin=0, vmax=1.6, interpolation="nearest", extent=extent, aspect="auto")
    ax.add_patch(_rectangle(x0, y0, slot.block_width, slot.block_height))
    gap = 0.08 * size.scale
    top = middle + slot.block_height / 2
    bottom = middle - slot.block_height / 2
    ax.text(centre, top + gap, math_label(block), ha="center", va="bottom", fontsize=size.math)
    space = ax.text(centre, bottom - gap, space_label(block), ha="center", va="top", fontsize=size.math)
    below_space = bottom - 2 * gap - text_extent(space.get_text(), size.math)[1]
    ax.text(centre, below_space, block.structure, ha="center", va="top", fontsize=size.text, color="0.25")


def _rectangle(left: float, bottom: float, width: float, height: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((left, bottom), width, height, fill=False, edgecolor="black", linewidth=1.0)


# --- the network ------------------------------------------------------------------------------------


def _unit_label(letter: str, layer: int, unit: int, width: int) -> str:
    """``a¹₂`` as mathtext; a layer of one unit drops the subscript, as the notes write ``a²`` and ``z``."""
    return f"${letter}^{{{layer}}}$" if width == 1 else f"${letter}^{{{layer}}}_{{{unit}}}$"


def _weight_label(layer: int, row: int, col: int, rows: int) -> str:
    """``w¹₂₁`` as mathtext; a one-row matrix is indexed by column alone, like the notes' ``w²₁``."""
    return f"$w^{{{layer}}}_{{{col}}}$" if rows == 1 else f"$w^{{{layer}}}_{{{row}{col}}}$"


#: Networks with at most this many weights get every weight written on its edge.
MAX_LABELLED_WEIGHTS = 12
#: The widest layer :func:`plot_network` draws, unit by unit.
MAX_DRAWN_UNITS = 32


def plot_network(net: MLP, path: str | Path | None = None, *, size: Size = "page", font_scale: float = 1.0) -> Figure:
    """The network as the notes draw it: inputs ``x``, units ``a → h`` per layer, output ``z``, biases ``b``.

    Each unit is labelled with its pre-activation and output (``a¹ᵢ``, ``h¹ᵢ``; the
    last layer's output is ``z``), each layer gets a bias node ``b^k``, and on a
    small network every weight ``w^k_ij`` is written on its edge. A network too
    big for its labels at the figure's size is drawn without them.

    >>> figure = plot_network(jbp.notes_network())
    >>> labels = [t.get_text() for t in figure.axes[0].texts]
    >>> "$x_{1}$" in labels, "$w^{1}_{21}$" in labels, "$w^{2}_{3}$" in labels, "$z$" in labels
    (True, True, True, True)
    """
    if not isinstance(net, MLP):
        raise InvalidArgumentError(f"expected a jbp.MLP to draw, got {type(net).__name__}")
    if max(net.sizes) > MAX_DRAWN_UNITS:
        raise InvalidArgumentError(
            f"plot_network draws every unit and edge, up to {MAX_DRAWN_UNITS} units per layer; this network's "
            f"widths are {'-'.join(map(str, net.sizes))}"
        )
    size = figure_size(size, font_scale)
    sizes, L = net.sizes, net.depth
    tallest = max(sizes)
    across, down, radius = 3.0, 1.5, 0.45  # between layers, between units; in drawing units

    def where(k: int, i: int) -> tuple[float, float]:
        return across * k, down * ((sizes[k] - 1) / 2 - i)

    top, bottom = down * (tallest - 1) / 2, -down * (tallest - 1) / 2 - 1.6
    span_x, span_y = across * L + 2.0, top - bottom + 1.6
    # Inches per drawing unit: the whole width (or height) the size allows; labels only if the fonts fit.
    unit_height = text_extent("$a^{1}_{1}$", size.math)[1]
    scale = min(size.width / span_x, size.height / span_y)
    labelled = scale * radius >= 1.1 * unit_height
    figure = new_figure(*size.fit(scale * span_x, scale * span_y, clamp=False), layout=None)
    ax = figure.add_axes((0, 0, 1, 1))
    from matplotlib.collections import LineCollection

    label_weights = labelled and sum(sizes[k] * sizes[k - 1] for k in range(1, L + 1)) <= MAX_LABELLED_WEIGHTS
    titles = [f"layer {k}: {net.layer_activation(k).name}" for k in range(1, L + 1)]
    titled = max(text_extent(title, size.text)[0] for title in titles) <= 0.95 * across * scale
    weights, biases = [], []  # every edge, drawn as two collections (a deep network has thousands)
    for k in range(1, L + 1):
        bias = (across * k - 1.3, bottom + 0.4)
        ax.add_patch(_circle(*bias, "0.9", radius))
        if labelled:
            ax.text(*bias, f"$b^{{{k}}}$", ha="center", va="center", fontsize=size.math)
        if titled:
            ax.text(across * k, top + 0.75, titles[k - 1], ha="center", fontsize=size.text)
        for i in range(sizes[k]):
            end = where(k, i)
            biases.append([bias, end])
            for j in range(sizes[k - 1]):
                start = where(k - 1, j)
                weights.append([start, end])
                if label_weights:
                    _label_weight(
                        ax, start, end, _weight_label(k, i + 1, j + 1, sizes[k]), sizes[k - 1] < sizes[k], size
                    )
    ax.add_collection(LineCollection(biases, colors="0.6", linestyles=":", linewidths=1, zorder=0))
    ax.add_collection(LineCollection(weights, colors="0.45", linewidths=1, zorder=0))
    for k, width in enumerate(sizes):
        for i in range(width):
            x, y = where(k, i)
            ax.add_patch(_circle(x, y, "white" if k == 0 else "#dbe7f5", radius))
            if not labelled:
                continue
            if k == 0:
                ax.text(x, y, f"$x_{{{i + 1}}}$", ha="center", va="center", fontsize=size.math)
                continue
            output = _unit_label("h", k, i + 1, width)
            if k == L:
                output = "$z$" if width == 1 else f"$z_{{{i + 1}}}$"
            ax.text(x, y + 0.03, _unit_label("a", k, i + 1, width), ha="center", va="bottom", fontsize=size.math)
            ax.text(x, y - 0.03, output, ha="center", va="top", fontsize=size.math)
    ax.set_xlim(-1.0, across * L + 1.0)
    ax.set_ylim(bottom - 0.2, top + 1.4)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return save(figure, path)


def _label_weight(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str, near_end: bool, size: FigureSize
) -> None:
    """Write a weight on its edge, at the end where fewer edges meet (so labels of one node stand apart)."""
    along = 0.7 if near_end else 0.3
    x, y = start[0] + along * (end[0] - start[0]), start[1] + along * (end[1] - start[1])
    box = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"}
    ax.text(x, y, label, fontsize=size.math, ha="center", va="center", color="#1f5fa0", bbox=box, zorder=2)


def _circle(x: float, y: float, colour: str, radius: float) -> Any:
    from matplotlib.patches import Circle

    return Circle((x, y), radius, facecolor=colour, edgecolor="black", linewidth=1.0, zorder=1)


# --- the tensor's slices ----------------------------------------------------------------------------

#: The most entries :func:`plot_tensor_slices` writes out, one cell each.
MAX_SLICE_ENTRIES = 400


def plot_tensor_slices(
    jacobian: Jacobian, path: str | Path | None = None, *, size: Size = "page", font_scale: float = 1.0
) -> Figure:
    r"""A Jacobian into a matrix, such as ``∂a¹/∂W¹``, as the notes write it: a column of its slices.

    Slice ``i`` is the matrix ``∂a_i/∂W``, drawn with its values written in and
    coloured by sign (each value in black or white, whichever reads better on
    its cell); the slices are stacked top to bottom inside one bracket.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_tensor_slices(chain.factors[-1])
    >>> print(figure.axes[0].texts[0].get_text())
    $\dfrac{\partial a^{1}_{1}}{\partial W^{1}}$
    """
    jacobian = _check_jacobian(jacobian)
    if len(jacobian.out_shape) != 1 or len(jacobian.in_shape) != 2:
        raise InvalidArgumentError(
            f"plot_tensor_slices draws a Jacobian of a vector with respect to a matrix, like ∂a/∂W; "
            f"{jacobian.name} has out shape {jacobian.out_shape} and in shape {jacobian.in_shape}"
        )
    if jacobian.stored_entries > MAX_SLICE_ENTRIES:
        raise InvalidArgumentError(
            f"plot_tensor_slices writes every entry; {jacobian.name} has {jacobian.stored_entries}, more than "
            f"{MAX_SLICE_ENTRIES}: draw it with plot_jacobian"
        )
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    size = figure_size(size, font_scale)
    (count,), (rows, cols) = jacobian.out_shape, jacobian.in_shape
    values = np.asarray(jacobian.array, dtype=float)
    limit = float(np.max(np.abs(values), initial=0.0)) or 1.0
    colours = colormaps["RdBu_r"]
    numerator, _, denominator = jacobian.name.partition("/")
    labels = [
        math_label(Jacobian(values[i], (), jacobian.in_shape, f"{numerator}{subscript(i + 1)}/{denominator}"))
        for i in range(count)
    ]
    # Everything in inches: a cell holds its widest value, the label column its widest label.
    value_width = max(text_extent(f"{v:.3g}", size.text)[0] for v in values.ravel()) + 0.15
    label_width = max(text_extent(label, size.math)[0] for label in labels) + 0.35 * size.scale
    title = f"{math_label(jacobian)} $\\in$ {space_label(jacobian)}: {count} slices"
    title_width, title_height = text_extent(title, size.title)
    margin = 0.15 * size.scale
    cells_high = count * rows + (count - 1) * 0.5  # slices are half a cell apart
    room = (size.height - title_height - 3 * margin) / cells_high
    cell = max(value_width, text_extent("0", size.text)[1] * 1.8, min(0.5 * size.scale, room))
    gap = 0.5 * cell
    height = count * rows * cell + (count - 1) * gap
    width = max(label_width + cols * cell + 2 * margin + 0.2, title_width + 2 * margin)
    figure_height = height + title_height + 3 * margin
    figure = new_figure(*size.fit(width, figure_height, clamp=False), layout=None)
    ax = figure.add_axes((0, 0, 1, 1))
    left = width - margin - 0.15 - cols * cell
    for i in range(count):
        top = margin + height - i * (rows * cell + gap)
        ax.text(left - 0.3 * size.scale, top - rows * cell / 2, labels[i], ha="right", va="center", fontsize=size.math)
        for r in range(rows):
            for c in range(cols):
                value = values[i, r, c]
                background = colours(0.5 + 0.5 * value / limit)
                x, y = left + c * cell, top - (r + 1) * cell
                ax.add_patch(Rectangle((x, y), cell, cell, facecolor=background, edgecolor="0.3"))
                ax.text(
                    x + cell / 2,
                    y + cell / 2,
                    f"{value:.3g}",
                    ha="center",
                    va="center",
                    fontsize=size.text,
                    color=text_colour_on(background),
                )
    for side, x in ((-1, left - 0.08), (1, left + cols * cell + 0.08)):  # the bracket around the column of slices
        tick = side * 0.1 * size.scale
        ax.plot([x - tick, x, x, x - tick], [margin, margin, margin + height, margin + height], color="black", lw=1.5)
    ax.text(width / 2, figure_height - margin, title, ha="center", va="top", fontsize=size.title)
    ax.set_xlim(0, width)
    ax.set_ylim(0, figure_height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return save(figure, path)


# --- curves -----------------------------------------------------------------------------------------


def plot_cost(
    widths: Sequence[int],
    methods: Sequence[str] = METHODS,
    depth: int = 3,
    batch: int = 1,
    path: str | Path | None = None,
    seconds: dict[str, Sequence[float | None]] | None = None,
    *,
    size: Size = "page",
    font_scale: float = 1.0,
) -> Figure:
    """Counted multiply-adds of every path against the width of a ``depth``-layer network, log–log.

    Paths whose counts coincide at every width share one line, labelled ``reshape = slices = einsum``.

    With ``seconds`` (method → measured time per width, ``None`` where not
    measured) a second panel shows the measured times the same way.

    >>> figure = plot_cost([4, 8, 16], methods=("reshape", "outer", "backprop"))
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['reshape', 'outer', 'backprop']
    """
    widths = _check_widths(widths)
    for method in methods:
        check_method(method)
    if depth < 1 or batch < 1:
        raise InvalidArgumentError(f"depth and batch must be at least 1, got depth={depth}, batch={batch}")
    size = figure_size(size, font_scale)
    costs = widths_costs(widths, methods, depth=depth, batch=batch)
    panels = 2 if seconds else 1
    beside = panels == 2 and size.width >= 12  # two panels side by side only on a poster-wide figure
    panel_height = 0.62 * size.width / (2 if beside else 1)
    figure = new_figure(*size.fit(size.width, panel_height * (1 if beside else panels)))
    axes = figure.subplots(1 if beside else panels, panels if beside else 1, squeeze=False).ravel()
    markers, styles = "os^vD<>xP*", ("-", "--", "-.", ":")
    # Paths that do the same number of multiply-adds at every width would hide each other: one line, one label.
    groups: dict[tuple[int, ...], list[str]] = {}
    for method in methods:
        groups.setdefault(tuple(costs[method]), []).append(method)
    for index, (counts, members) in enumerate(groups.items()):
        style = {"marker": markers[index % len(markers)], "linestyle": styles[index % len(styles)]}
        axes[0].loglog(widths, counts, label=" = ".join(members), **style)
    axes[0].set_xlabel("width of every layer")
    axes[0].set_ylabel("multiply-adds (counted)")
    axes[0].set_title(f"{depth}-layer network, batch of {batch}")
    axes[0].legend(loc="upper left", framealpha=0.9)
    axes[0].grid(True, which="both", alpha=0.3)
    if seconds:
        for index, method in enumerate(methods):
            measured = [(w, s) for w, s in zip(widths, seconds.get(method, []), strict=False) if s]
            if measured:
                xs, ys = zip(*measured, strict=True)
                axes[1].loglog(xs, ys, marker=markers[index % len(markers)], label=method)
        axes[1].set_xlabel("width of every layer")
        axes[1].set_ylabel("seconds (measured)")
        axes[1].set_title("measured time")
        axes[1].legend(loc="upper left", framealpha=0.9)
        axes[1].grid(True, which="both", alpha=0.3)
    for ax in axes:  # label the widths themselves rather than powers of ten
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.set_xticks([], minor=True)
    apply_fonts(figure, size)
    for ax in axes:  # the widths are plain numbers, not powers of ten
        ax.xaxis.set_tick_params(labelsize=size.text)
    return save(figure, path)


def _check_widths(widths: Sequence[int]) -> list[int]:
    checked = [int(w) for w in widths]
    if not checked or any(w < 1 for w in checked) or checked != sorted(set(checked)):
        raise InvalidArgumentError(f"widths must be increasing positive whole numbers, got {list(widths)}")
    return checked


def plot_history(
    history: History,
    path: str | Path | None = None,
    title: str | None = None,
    *,
    size: Size = "page",
    font_scale: float = 1.0,
) -> Figure:
    """Draw the training loss per epoch (log scale), and the accuracy if tracked; write it to ``path`` if given.

    >>> history = jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=20)
    >>> len(plot_history(history).axes)  # the loss, and the accuracy on a twin axis
    2
    """
    size = figure_size(size, font_scale)
    figure = new_figure(*size.fit(size.width, 0.62 * size.width))
    loss_axes = figure.add_subplot()
    epochs = range(1, len(history.loss) + 1)
    loss_axes.plot(epochs, history.loss, color="tab:blue", label="training loss")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("training loss J", color="tab:blue")
    if min(history.loss, default=0.0) > 0:
        loss_axes.set_yscale("log")
    if history.accuracy is not None:
        accuracy_axes = loss_axes.twinx()
        accuracy_axes.plot(epochs, history.accuracy, color="tab:orange", label="training accuracy")
        accuracy_axes.set_ylabel("training accuracy", color="tab:orange")
        accuracy_axes.set_ylim(-0.02, 1.02)
    loss_axes.set_title(title or f"{history.method}, lr {history.lr:g}, batch {history.batch_size}")
    apply_fonts(figure, size)
    return save(figure, path)
