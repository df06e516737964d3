"""Pictures (extra ``plot``): a Jacobian as a heatmap, its sparsity, a whole chain, cost against width, a loss curve.

Matplotlib is imported only inside these functions, on the headless Agg canvas.
Each function returns a Figure and, given ``path``, writes it there. A tensor
is drawn as its matrix form with the column groups of one row of ``W`` marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from jacobian_bp.chain.jacobian import Jacobian, subscript
from jacobian_bp.chain.jacobian_chain import JacobianChain
from jacobian_bp.chain.structure import nonzero_mask
from jacobian_bp.costs import widths_costs
from jacobian_bp.display.latex import name_latex, space_latex
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InvalidArgumentError, MissingDependencyError
from jacobian_bp.methods.gradient import METHODS, check_method
from jacobian_bp.network.mlp import MLP

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from jacobian_bp.training.train import History

#: Draw tick labels for every row/column up to this many.
MAX_LABELLED = 24


def require_matplotlib() -> None:
    """Raise :class:`MissingDependencyError`, naming the extra to install, unless matplotlib imports.

    >>> require_matplotlib()  # silent when the ``plot`` extra is installed
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "drawing a picture needs matplotlib: pip install 'jacobian_bp[plot]' (or pip install matplotlib)"
        ) from None


def new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas, without touching pyplot's global state.

    >>> new_figure(4, 3).get_size_inches().tolist()
    [4.0, 3.0]
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def check_plot_path(path: str | Path) -> Path:
    """``path`` as a :class:`Path`, or a clear error if its folder is missing or its format unknown.

    Checked before any work starts, so a typo does not cost a whole training run.

    >>> check_plot_path("loss.png").name
    'loss.png'
    >>> check_plot_path("loss.unknown")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: cannot tell the image format of 'loss.unknown': ...
    """
    require_matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidArgumentError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")
    formats = FigureCanvasBase.get_supported_filetypes()
    extension = path.suffix.lstrip(".").lower()
    if extension not in formats:
        raise InvalidArgumentError(
            f"cannot tell the image format of {str(path)!r}: unknown picture format {extension!r}; valid choices are "
            + ", ".join(repr(f) for f in sorted(formats))
        )
    return path


def save(figure: Figure, path: str | Path | None) -> Figure:
    """Write ``figure`` to ``path`` (if given) and return it; a bad path or format says what is wrong."""
    if path is not None:
        figure.savefig(check_plot_path(path), dpi=120)
    return figure


def math_label(jacobian: Jacobian) -> str:
    r"""A Jacobian's name as matplotlib mathtext: ``∂a¹/∂W¹`` → ``$\frac{\partial a^{1}}{\partial W^{1}}$``.

    >>> math_label(jbp.Jacobian(np.eye(3), (3,), (3,), "∂h¹/∂a¹"))
    '$\\frac{\\partial h^{1}}{\\partial a^{1}}$'
    """
    name = name_latex(jacobian.name)
    return f"${name}$" if name.startswith(r"\frac") else jacobian.name


def space_label(jacobian: Jacobian) -> str:
    r"""The Jacobian's space as mathtext: ``$\mathbb{R}^{3\times(3\times2)}$``.

    >>> space_label(jbp.Jacobian(np.ones((3, 3, 2)), (3,), (3, 2)))
    '$\\mathbb{R}^{3\\times(3\\times2)}$'
    """
    return f"${space_latex(jacobian.out_shape, jacobian.in_shape)}$"


def _index_labels(shape: tuple[int, ...]) -> list[str]:
    if len(shape) <= 1:
        return [str(i) for i in range(math.prod(shape))]
    return [",".join(str(i) for i in index) for index in np.ndindex(*shape)]


def _draw_grouping(ax: Axes, jacobian: Jacobian) -> None:
    """Lines between column groups (and row groups) that share a leading index."""
    rows, cols = math.prod(jacobian.out_shape), math.prod(jacobian.in_shape)
    if len(jacobian.in_shape) >= 2:
        group = math.prod(jacobian.in_shape[1:])
        for boundary in range(group, cols, group):
            ax.axvline(boundary - 0.5, color="0.2", linewidth=1.2)
    if len(jacobian.out_shape) >= 2:
        group = math.prod(jacobian.out_shape[1:])
        for boundary in range(group, rows, group):
            ax.axhline(boundary - 0.5, color="0.2", linewidth=1.2)


def _label_axes(ax: Axes, jacobian: Jacobian) -> None:
    rows, cols = math.prod(jacobian.out_shape), math.prod(jacobian.in_shape)
    for count, shape, set_ticks, set_labels in (
        (rows, jacobian.out_shape, ax.set_yticks, ax.set_yticklabels),
        (cols, jacobian.in_shape, ax.set_xticks, ax.set_xticklabels),
    ):
        if count <= MAX_LABELLED:
            set_ticks(range(count))
            set_labels(_index_labels(shape), fontsize=7)
    ax.set_xlabel(f"input index {jacobian.in_shape} (flattened)", fontsize=8)
    ax.set_ylabel(f"output index {jacobian.out_shape} (flattened)", fontsize=8)


def _draw_values(ax: Axes, jacobian: Jacobian) -> None:
    matrix = np.asarray(jacobian.matrix, dtype=float)
    limit = float(np.max(np.abs(matrix), initial=0.0)) or 1.0
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest", aspect="auto")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    _draw_grouping(ax, jacobian)
    _label_axes(ax, jacobian)
    ax.set_title(f"{math_label(jacobian)} $\\in$ {space_label(jacobian)}, {jacobian.structure}", fontsize=11)


def _draw_sparsity(ax: Axes, jacobian: Jacobian) -> None:
    mask = nonzero_mask(jacobian.array).reshape(jacobian.matrix.shape)
    ax.imshow(mask, cmap="Greys", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    _draw_grouping(ax, jacobian)
    _label_axes(ax, jacobian)
    ax.set_title(
        f"non-zero: {jacobian.nonzero_entries} of {counted(jacobian.stored_entries, 'entry', 'entries')}", fontsize=10
    )


def _check_jacobian(jacobian: Any) -> Jacobian:
    if not isinstance(jacobian, Jacobian):
        raise InvalidArgumentError(f"expected a jbp.Jacobian to draw, got {type(jacobian).__name__}")
    if jacobian.array.size == 0:
        raise InvalidArgumentError(f"{jacobian.name} has no entries to draw (shape {jacobian.shape})")
    return jacobian


def plot_jacobian(jacobian: Jacobian, path: str | Path | None = None, sparsity: bool = True) -> Figure:
    """A heatmap of ``jacobian``'s matrix form with its block grouping; beside it, its sparsity pattern.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_jacobian(chain.factors[-1])
    >>> [ax.get_title() for ax in figure.axes if ax.get_title()][1]
    'non-zero: 6 of 18 entries'
    """
    jacobian = _check_jacobian(jacobian)
    rows, cols = jacobian.matrix.shape
    panel_width = min(7.0, 2.5 + 0.35 * cols)
    height = min(6.0, 2.0 + 0.35 * rows)
    figure = new_figure(panel_width * (2 if sparsity else 1) + 1.0, height)
    axes = figure.subplots(1, 2 if sparsity else 1, squeeze=False)[0]
    _draw_values(axes[0], jacobian)
    if sparsity:
        _draw_sparsity(axes[1], jacobian)
    return save(figure, path)


def plot_sparsity(jacobian: Jacobian, path: str | Path | None = None) -> Figure:
    """The sparsity pattern of ``jacobian``'s matrix form: black where an entry is not zero.

    >>> d_h_d_a = jbp.Jacobian(np.diag([0.2, 0.1, 0.25]), (3,), (3,), "∂h¹/∂a¹")
    >>> plot_sparsity(d_h_d_a).axes[0].get_title()
    'non-zero: 3 of 9 entries'
    """
    jacobian = _check_jacobian(jacobian)
    rows, cols = jacobian.matrix.shape
    figure = new_figure(min(7.0, 2.5 + 0.35 * cols), min(6.0, 2.0 + 0.35 * rows))
    _draw_sparsity(figure.subplots(), jacobian)
    return save(figure, path)


#: Up to this many rows or columns, blocks are drawn to scale; beyond it, by the square root of their size.
TO_SCALE = 40


def _block_size(n: int, largest: int) -> float:
    """Drawn side of a block holding ``n`` rows or columns, the largest side being 2 units long."""
    ratio = n / largest if largest <= TO_SCALE else math.sqrt(n / largest)
    return max(0.25, 2.0 * ratio)


def plot_chain(chain: JacobianChain, path: str | Path | None = None, result: bool = True) -> Figure:
    """The chain as a row of blocks shaped like the factors' matrix forms, each with its notation.

    Each block shows the factor's sparsity pattern; with ``result=True`` the
    contracted Jacobian is drawn at the end, after an ``=``.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_chain(chain)
    >>> print(*[t.get_text() for t in figure.axes[0].texts if "mathbb" in t.get_text()][-2:])
    $\\mathbb{R}^{3\\times(3\\times2)}$ $\\mathbb{R}^{1\\times(3\\times2)}$
    """
    if not isinstance(chain, JacobianChain) or not chain.factors:
        raise InvalidArgumentError(f"expected a non-empty jbp.JacobianChain to draw, got {type(chain).__name__}")
    blocks = list(chain.factors)
    if result:
        blocks.append(chain.contract(method="reshape"))
    largest = max(max(block.matrix.shape) for block in blocks)
    gap = 0.8
    x = 0.0
    placed = []
    for position, block in enumerate(blocks):
        rows, cols = block.matrix.shape
        width, height = _block_size(cols, largest), _block_size(rows, largest)
        placed.append((x, width, height, block))
        x += width + gap
        if position == len(blocks) - 2 and result:
            x += 0.3
    tallest = max(height for _, _, height, _ in placed)
    figure = new_figure(min(18.0, 1.0 + 0.85 * x), 2.0 + 0.85 * tallest)
    ax = figure.subplots()
    for position, (left, width, height, block) in enumerate(placed):
        bottom = (tallest - height) / 2
        mask = nonzero_mask(block.array).reshape(block.matrix.shape)
        extent = (left, left + width, bottom, bottom + height)
        ax.imshow(mask, cmap="Greys", vmin=0, vmax=1.6, interpolation="nearest", extent=extent, aspect="auto")
        ax.add_patch(_rectangle(left, bottom, width, height))
        centre = left + width / 2
        ax.text(centre, tallest + 0.15, math_label(block), ha="center", va="bottom", fontsize=13)
        ax.text(centre, -0.15, space_label(block), ha="center", va="top", fontsize=11)
        ax.text(centre, -0.6, block.structure, ha="center", va="top", fontsize=9, color="0.35")
        if position < len(placed) - 1:
            sign = "=" if result and position == len(placed) - 2 else "·"
            ax.text(
                left + width + (gap + (0.3 if sign == "=" else 0.0)) / 2,
                tallest / 2,
                sign,
                ha="center",
                va="center",
                fontsize=16,
            )
    ax.set_xlim(-0.3, x - gap + 0.3)
    ax.set_ylim(-1.0, tallest + 0.8)
    ax.set_axis_off()
    ax.set_title(f"{len(chain)} local Jacobians", fontsize=11)
    return save(figure, path)


def _unit_label(letter: str, layer: int, unit: int, width: int) -> str:
    """``a¹₂`` as mathtext; a layer of one unit drops the subscript, as the notes write ``a²`` and ``z``."""
    return f"${letter}^{{{layer}}}$" if width == 1 else f"${letter}^{{{layer}}}_{{{unit}}}$"


def _weight_label(layer: int, row: int, col: int, rows: int) -> str:
    """``w¹₂₁`` as mathtext; a one-row matrix is indexed by column alone, like the notes' ``w²₁``."""
    return f"$w^{{{layer}}}_{{{col}}}$" if rows == 1 else f"$w^{{{layer}}}_{{{row}{col}}}$"


#: Networks with at most this many weights get every weight written on its edge.
MAX_LABELLED_WEIGHTS = 12


def plot_network(net: MLP, path: str | Path | None = None) -> Figure:
    """The network as the notes draw it: inputs ``x``, units ``a → h`` per layer, output ``z``, biases ``b``.

    Each unit is labelled with its pre-activation and output (``a¹ᵢ``, ``h¹ᵢ``; the
    last layer's output is ``z``), each layer gets a bias node ``b^k``, and on a
    small network every weight ``w^k_ij`` is written on its edge.

    >>> figure = plot_network(jbp.notes_network())
    >>> labels = [t.get_text() for t in figure.axes[0].texts]
    >>> "$x_{1}$" in labels, "$w^{1}_{21}$" in labels, "$w^{2}_{3}$" in labels, "$z$" in labels
    (True, True, True, True)
    """
    if not isinstance(net, MLP):
        raise InvalidArgumentError(f"expected a jbp.MLP to draw, got {type(net).__name__}")
    sizes, L = net.sizes, net.depth
    tallest = max(sizes)
    across, down = 3.0, 1.5  # between layers, between units

    def where(k: int, i: int) -> tuple[float, float]:
        return across * k, down * ((sizes[k] - 1) / 2 - i)

    top, bottom = down * (tallest - 1) / 2, -down * (tallest - 1) / 2 - 1.6
    scale = min(1.0, 9.0 / (across * L + 2.0))  # inches per unit, at most 9 inches wide
    figure = new_figure(scale * (across * L + 2.0), scale * (top - bottom + 1.6))
    ax = figure.subplots()
    label_weights = sum(sizes[k] * sizes[k - 1] for k in range(1, L + 1)) <= MAX_LABELLED_WEIGHTS
    for k in range(1, L + 1):
        bias = (across * k - 1.3, bottom + 0.4)
        ax.add_patch(_circle(*bias, "0.9"))
        ax.text(*bias, f"$b^{{{k}}}$", ha="center", va="center", fontsize=14)
        ax.text(across * k, top + 0.75, f"layer {k}: {net.layer_activation(k).name}", ha="center", fontsize=12)
        for i in range(sizes[k]):
            end = where(k, i)
            ax.plot(*zip(bias, end, strict=True), color="0.6", linestyle=":", linewidth=1, zorder=0)
            for j in range(sizes[k - 1]):
                start = where(k - 1, j)
                ax.plot(*zip(start, end, strict=True), color="0.45", linewidth=1, zorder=0)
                if label_weights:  # near the source, where its edges fan out; above a falling edge, below a rising one
                    x, y = start[0] + 0.3 * (end[0] - start[0]), start[1] + 0.3 * (end[1] - start[1])
                    label = _weight_label(k, i + 1, j + 1, sizes[k])
                    side = "bottom" if end[1] <= start[1] else "top"
                    ax.text(x, y, label, fontsize=12, ha="center", va=side, color="tab:blue")
    for k, width in enumerate(sizes):
        for i in range(width):
            x, y = where(k, i)
            ax.add_patch(_circle(x, y, "white" if k == 0 else "#dbe7f5"))
            if k == 0:
                ax.text(x, y, f"$x_{{{i + 1}}}$", ha="center", va="center", fontsize=15)
                continue
            output = _unit_label("h", k, i + 1, width)
            if k == L:
                output = "$z$" if width == 1 else f"$z_{{{i + 1}}}$"
            ax.text(x, y + 0.04, _unit_label("a", k, i + 1, width), ha="center", va="bottom", fontsize=13)
            ax.text(x, y - 0.04, output, ha="center", va="top", fontsize=13)
    ax.set_xlim(-1.0, across * L + 1.0)
    ax.set_ylim(bottom - 0.2, top + 1.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return save(figure, path)


def _circle(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Circle

    return Circle((x, y), 0.45, facecolor=colour, edgecolor="black", linewidth=1.0, zorder=1)


def plot_tensor_slices(jacobian: Jacobian, path: str | Path | None = None) -> Figure:
    r"""A Jacobian into a matrix, such as ``∂a¹/∂W¹``, as the notes write it: a column of its slices.

    Slice ``i`` is the matrix ``∂a_i/∂W``, drawn with its values written in and
    coloured by sign; the slices are stacked top to bottom inside one bracket.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> figure = plot_tensor_slices(chain.factors[-1])
    >>> print(figure.axes[0].texts[0].get_text())
    $\frac{\partial a^{1}_{1}}{\partial W^{1}}$
    """
    jacobian = _check_jacobian(jacobian)
    if len(jacobian.out_shape) != 1 or len(jacobian.in_shape) != 2:
        raise InvalidArgumentError(
            f"plot_tensor_slices draws a Jacobian of a vector with respect to a matrix, like ∂a/∂W; "
            f"{jacobian.name} has out shape {jacobian.out_shape} and in shape {jacobian.in_shape}"
        )
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    (count,), (rows, cols) = jacobian.out_shape, jacobian.in_shape
    values = np.asarray(jacobian.array, dtype=float)
    limit = float(np.max(np.abs(values), initial=0.0)) or 1.0
    colours = colormaps["RdBu_r"]
    gap = 0.5  # between slices, in cell heights
    height = count * rows + (count - 1) * gap
    figure = new_figure(2.6 + 0.8 * cols, 0.9 + 0.42 * height)
    ax = figure.subplots()
    numerator, _, denominator = jacobian.name.partition("/")
    for i in range(count):
        top = height - i * (rows + gap)
        slice_name = f"{numerator}{subscript(i + 1)}/{denominator}"
        label = math_label(Jacobian(values[i], (), jacobian.in_shape, slice_name))
        ax.text(-0.4, top - rows / 2, label, ha="right", va="center", fontsize=13)
        for r in range(rows):
            for c in range(cols):
                value = values[i, r, c]
                cell = Rectangle((c, top - r - 1), 1, 1, facecolor=colours(0.5 + 0.5 * value / limit), edgecolor="0.3")
                ax.add_patch(cell)
                ax.text(c + 0.5, top - r - 0.5, f"{value:.3g}", ha="center", va="center", fontsize=10)
    for side, x in ((-1, -0.15), (1, cols + 0.15)):  # the bracket around the column of slices
        ax.plot([x - side * 0.15, x, x, x - side * 0.15], [0, 0, height, height], color="black", linewidth=1.5)
    ax.set_xlim(-2.6, cols + 0.5)
    ax.set_ylim(-0.2, height + 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{math_label(jacobian)} $\\in$ {space_label(jacobian)}: {count} slices", fontsize=12)
    return save(figure, path)


def _rectangle(left: float, bottom: float, width: float, height: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((left, bottom), width, height, fill=False, edgecolor="black", linewidth=1.0)


def plot_cost(
    widths: Sequence[int],
    methods: Sequence[str] = METHODS,
    depth: int = 3,
    batch: int = 1,
    path: str | Path | None = None,
    seconds: dict[str, Sequence[float | None]] | None = None,
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
    costs = widths_costs(widths, methods, depth=depth, batch=batch)
    panels = 2 if seconds else 1
    figure = new_figure(6.0 * panels, 4.5)
    axes = figure.subplots(1, panels, squeeze=False)[0]
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
    axes[0].legend(fontsize=8)
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
        axes[1].legend(fontsize=8)
        axes[1].grid(True, which="both", alpha=0.3)
    for ax in axes:  # label the widths themselves rather than powers of ten
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.set_xticks([], minor=True)
    return save(figure, path)


def _check_widths(widths: Sequence[int]) -> list[int]:
    checked = [int(w) for w in widths]
    if not checked or any(w < 1 for w in checked) or checked != sorted(set(checked)):
        raise InvalidArgumentError(f"widths must be increasing positive whole numbers, got {list(widths)}")
    return checked


def plot_history(history: History, path: str | Path | None = None, title: str | None = None) -> Figure:
    """Draw the training loss per epoch (log scale), and the accuracy if tracked; write it to ``path`` if given.

    >>> history = jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=20)
    >>> len(plot_history(history).axes)  # the loss, and the accuracy on a twin axis
    2
    """
    figure = new_figure(6.4, 4.0)
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
    return save(figure, path)
