"""How big a picture is and how it is written: sizes for a page, a slide and a poster, by-extension saving, legibility.

Every plotting function of :mod:`jacobian_bp.display.plots` takes ``size``
(``"page"``, ``"slide"``, ``"poster"``, or a ``(width, height)`` in inches) and
``font_scale``, and lays its picture out in inches around the fonts of that
:class:`FigureSize`: a chain too long for the width wraps onto another row
rather than shrinking its labels. Sizes are chosen for where the picture is
shown at 96 px per inch (how a browser shows an SVG, and a projector a
1024×768 frame): on the docs column (688 px wide in a 1280 px window) a
``page`` figure is shown at its natural size with its smallest glyph (a
subscript) at 11 px or more; on a 1024×768 frame a ``slide`` figure's smallest
glyph is 18 px or more. :func:`legibility` measures both from the SVG itself.

Matplotlib is imported only inside these functions, on the headless Agg canvas.
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jacobian_bp.errors import InvalidArgumentError, MissingDependencyError, UnknownNameError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: CSS pixels per inch: how a browser sizes an SVG written in points, and a 1024×768 frame at 96 dpi.
PX_PER_INCH = 96.0
#: Mathtext draws sub- and superscripts (and a log axis's exponents) at this fraction of the font size.
SCRIPT_SHRINK = 0.7
#: The width of the docs' content column in a 1280 px window (Material theme, both sidebars shown).
DOCS_COLUMN_PX = 688


@dataclass(frozen=True)
class FigureSize:
    """The box a figure must fit in (inches) and its fonts (points): plain text, and typeset math.

    Math labels (``∂a¹/∂W¹``, ``w¹₁₂``, a log axis's ``10⁻²``) are larger than plain
    text so that their scripts, drawn at 70 %, are as legible as the plain text.
    With ``exact=True`` the figure takes exactly ``width × height``.

    >>> page = FigureSize.named("page")
    >>> page.width * PX_PER_INCH <= DOCS_COLUMN_PX, page.math * SCRIPT_SHRINK * PX_PER_INCH / 72 >= 11
    (True, True)
    """

    name: str
    width: float
    height: float
    text: float
    math: float
    exact: bool = False

    @classmethod
    def named(cls, name: str) -> FigureSize:
        """One of the presets of :data:`SIZES`; an unknown name lists them."""
        if name not in SIZES:
            raise UnknownNameError.for_choice("figure size", name, SIZES)
        return SIZES[name]

    @property
    def title(self) -> float:
        """Titles: a little larger than math labels."""
        return round(self.math * 1.1, 2)

    @property
    def scale(self) -> float:
        """How much larger than the page's fonts these are: drawn shapes grow with the text they carry."""
        return self.math / SIZES["page"].math

    def fit(self, width: float, height: float, clamp: bool = True) -> tuple[float, float]:
        """The figure size for content that needs ``width × height`` inches: exact, at most the box, or as needed.

        A layout drawn in inches (``clamp=False``) has made itself fit already and must not be cropped.
        """
        if self.exact:
            return self.width, self.height
        if not clamp:
            return width, height
        return min(width, self.width), min(height, self.height)


#: The presets: a figure on the docs column, on a 1024×768 slide, on a poster.
SIZES: dict[str, FigureSize] = {
    "page": FigureSize("page", width=6.6, height=8.0, text=9.5, math=12.0),
    "slide": FigureSize("slide", width=10.2, height=7.4, text=14.0, math=20.0),
    "poster": FigureSize("poster", width=16.0, height=12.0, text=24.0, math=34.0),
}


#: The range of ``font_scale``: beyond it a figure is either unreadable or larger than any wall.
MIN_FONT_SCALE, MAX_FONT_SCALE = 0.25, 8.0
#: The range of a ``(width, height)`` in inches (a poster of A0 is 33 × 47 inches).
MIN_INCHES, MAX_INCHES = 0.5, 50.0


def figure_size(size: str | tuple[float, float] | FigureSize = "page", font_scale: float = 1.0) -> FigureSize:
    """The :class:`FigureSize` that ``size`` (a preset's name or ``(width, height)`` in inches) and ``font_scale`` mean.

    A ``(width, height)`` is the figure's exact size, with the page's fonts
    times ``font_scale``; a preset keeps its box and scales its fonts.

    >>> figure_size("slide").text, figure_size((8, 6), font_scale=2).math
    (14.0, 24.0)
    >>> figure_size("beamer")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.UnknownNameError: unknown figure size 'beamer'; valid choices are 'page', 'slide', 'poster'
    """
    if not (isinstance(font_scale, (int, float)) and MIN_FONT_SCALE <= font_scale <= MAX_FONT_SCALE):
        raise InvalidArgumentError(
            f"font_scale must be a number from {MIN_FONT_SCALE:g} to {MAX_FONT_SCALE:g}, got {font_scale!r}"
        )
    if isinstance(size, FigureSize):
        chosen = size
    elif isinstance(size, str):
        chosen = FigureSize.named(size)
    else:
        try:
            width, height = (float(side) for side in size)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"size must be one of {', '.join(map(repr, SIZES))} or a (width, height) in inches, got {size!r}"
            ) from None
        if not all(MIN_INCHES <= side <= MAX_INCHES for side in (width, height)):
            raise InvalidArgumentError(
                f"a figure's width and height must be between {MIN_INCHES:g} and {MAX_INCHES:g} inches, got {size!r}"
            )
        page = SIZES["page"]
        chosen = FigureSize("custom", width, height, page.text, page.math, exact=True)
    if font_scale == 1:
        return chosen
    return replace(chosen, text=round(chosen.text * font_scale, 2), math=round(chosen.math * font_scale, 2))


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


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A figure on the Agg canvas, without touching pyplot's global state; in a notebook it shows as SVG.

    >>> new_figure(4, 3).get_size_inches().tolist()
    [4.0, 3.0]
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    from jacobian_bp.display._canvas import AggCanvas

    figure = Figure(figsize=(width, height), layout=layout)
    AggCanvas(figure)  # Agg, with labels typeset once for all figures
    figure._repr_svg_ = lambda: svg_text(figure)  # type: ignore[attr-defined]
    return figure


def text_extent(text: str, points: float) -> tuple[float, float]:
    """Width and height in inches of ``text`` at ``points`` (typeset if it is ``$…$``), for laying a figure out.

    >>> width, height = text_extent("block-sparse", 12)
    >>> 0.9 < width < 1.2 and 0.1 < height < 0.25
    True
    """
    require_matplotlib()
    from matplotlib.font_manager import FontProperties

    # The font properties (family, size, math font: what rcParams say now) are part of the key.
    return _measured_extent(text, FontProperties(size=points))


@functools.lru_cache(maxsize=4096)
def _measured_extent(text: str, font: Any) -> tuple[float, float]:
    """:func:`text_extent`, measured once per text and font.

    A figure's layout asks for the same labels again and again (every candidate
    layout of a chain, every tick of a heatmap). Measured with the ``TextToPath`` the
    SVG writer measures with (:mod:`jacobian_bp.display._canvas`), so that a
    label typeset here is not typeset again when the figure is written.
    """
    from jacobian_bp.display._canvas import TEXT_TO_PATH

    width, height, _ = TEXT_TO_PATH.get_text_width_height_descent(
        text, font, ismath=text.count("$") >= 2 and text.count("$") % 2 == 0
    )
    return float(width) / 72, float(height) / 72


#: How text and fonts are written, by format: SVG keeps text as text, PDF embeds TrueType fonts (text stays text).
TEXT_AS_TEXT = {"svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42}
#: Pixels per inch of a PNG: the screen's, so that a PNG's pixels are the CSS pixels its size was chosen for
#: (a ``page`` PNG is at most as wide as the docs column, a ``slide`` PNG fits a 1024×768 frame pixel for pixel).
PNG_DPI = PX_PER_INCH
#: A PNG's longest side in pixels at most: a poster-sized figure gets fewer pixels per inch, not a huge file.
MAX_PNG_SIDE = 8192


def check_plot_path(path: str | Path) -> Path:
    """``path`` as a :class:`Path`, or a clear error if its folder is missing or its format unknown.

    Checked before any work starts, so a typo does not cost a whole training run.

    >>> check_plot_path("loss.pdf").name
    'loss.pdf'
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
    """Write ``figure`` to ``path`` (if given) in the format its extension names, and return it.

    PDF, SVG and PNG are the formats meant for use (text stays text in PDF and
    SVG; a PNG has :data:`PNG_DPI` pixels per inch); any format matplotlib
    writes is accepted. A bad path or format says what is wrong.
    """
    if path is not None:
        from matplotlib import rc_context

        from jacobian_bp.display._canvas import svg_backend

        path = check_plot_path(path)
        dpi = min(PNG_DPI, MAX_PNG_SIDE / max(figure.get_size_inches()))
        # The same SVG, its labels typeset once (where this matplotlib allows it).
        backend = svg_backend() if path.suffix.lower() == ".svg" else None
        with rc_context(TEXT_AS_TEXT):
            figure.savefig(path, dpi=dpi, backend=backend)
    return figure


def svg_text(figure: Figure) -> str:
    """The figure as SVG with its text kept as text (sharp at any zoom, searchable): what a page embeds.

    >>> figure = new_figure(2, 1)
    >>> _ = figure.text(0.5, 0.5, "∂a¹/∂W¹", fontsize=12)
    >>> "∂a¹/∂W¹" in svg_text(figure)
    True
    """
    return _svg(figure, text_only=False)


def _svg(figure: Figure, text_only: bool) -> str:
    """Matplotlib's SVG of ``figure``, written with labels typeset once (and, if ``text_only``, without shapes)."""
    from matplotlib import rc_context

    from jacobian_bp.display._canvas import svg_backend

    buffer = io.StringIO()
    with rc_context(TEXT_AS_TEXT):
        figure.savefig(buffer, format="svg", backend=svg_backend(text_only))
    return buffer.getvalue()


@dataclass(frozen=True)
class Legibility:
    """A figure as a browser shows its SVG: natural size and smallest glyph (scripts included), in CSS px."""

    width_px: float
    height_px: float
    smallest_font_px: float

    def shown_at(self, width_px: float, height_px: float = math.inf) -> float:
        """The scale the figure is shown at in a box of ``width_px × height_px``: shrunk to fit, never enlarged."""
        return min(1.0, width_px / self.width_px, height_px / self.height_px)

    def smallest_font_in(self, width_px: float, height_px: float = math.inf) -> float:
        """The smallest glyph, in px, once the figure is shown in that box."""
        return self.smallest_font_px * self.shown_at(width_px, height_px)


_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)px")
_SVG_WIDTH = re.compile(r'<svg[^>]*\swidth="([0-9.]+)pt"[^>]*\sheight="([0-9.]+)pt"')


def legibility(figure: Figure) -> Legibility:
    """Measure ``figure`` from its SVG: natural width and height, and the smallest font size of any glyph, in px.

    The SVG's user unit is the point, which a browser shows at 96/72 px. Shapes and
    images carry no text, so the SVG measured is written without them.

    >>> import jacobian_bp as jbp
    >>> from jacobian_bp.display.plots import plot_network
    >>> measured = legibility(plot_network(jbp.notes_network()))
    >>> measured.width_px <= DOCS_COLUMN_PX and measured.smallest_font_px >= 11
    True
    """
    return svg_legibility(_svg(figure, text_only=True))


def svg_legibility(svg: str) -> Legibility:
    """:func:`legibility` of an SVG already written (by ``jacobian-bp plot -o picture.svg``, say).

    >>> svg_legibility('<svg width="72pt" height="36pt"><text style="font-size: 9px">x</text></svg>')
    Legibility(width_px=96.0, height_px=48.0, smallest_font_px=12.0)
    """
    size = _SVG_WIDTH.search(svg)
    if size is None:
        raise InvalidArgumentError("the SVG does not give its width and height in points")
    to_px = PX_PER_INCH / 72
    fonts = [float(found) for found in _FONT_SIZE.findall(svg)]
    return Legibility(float(size.group(1)) * to_px, float(size.group(2)) * to_px, min(fonts, default=math.inf) * to_px)


def apply_fonts(figure: Figure, size: FigureSize) -> None:
    """Give every axes of ``figure`` the fonts of ``size``: ticks, axis labels, titles, legends.

    A log axis's ticks (``10⁻²``) and any typeset label are set at the math size, so their
    scripts stay legible; plain tick labels at the text size.
    """
    for ax in figure.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            mathy = scale == "log" or any("$" in label.get_text() for label in axis.get_ticklabels())
            axis.set_tick_params(which="both", labelsize=size.math if mathy else size.text)
            axis.label.set_fontsize(size.math if "$" in axis.label.get_text() else size.text)
        for title in (ax.title, ax._left_title, ax._right_title):
            title.set_fontsize(size.title if "$" in title.get_text() else size.math)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(size.math if "$" in text.get_text() else size.text)


def relative_luminance(colour: Any) -> float:
    """WCAG relative luminance of a colour (any colour matplotlib understands: ``"white"``, RGB(A) in 0..1).

    >>> relative_luminance((1, 1, 1)), relative_luminance("black")
    (1.0, 0.0)
    """
    from matplotlib.colors import to_rgb

    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast_ratio(first: Any, second: Any) -> float:
    """WCAG contrast ratio of two sRGB colours, from 1 (none) to 21 (black on white).

    >>> round(contrast_ratio((0, 0, 0), (1, 1, 1)), 1)
    21.0
    """
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: Any) -> str:
    """Black or white, whichever reads better on ``background`` (always a contrast of at least 4.5).

    >>> text_colour_on((0.4, 0.0, 0.12)), text_colour_on((0.97, 0.97, 0.97))
    ('white', 'black')
    """
    on_white = contrast_ratio(background, (1.0, 1.0, 1.0))
    on_black = contrast_ratio(background, (0.0, 0.0, 0.0))
    return "white" if on_white >= on_black else "black"
