"""Matplotlib's canvases (Agg, SVG) with one memory for typeset labels, and a text-only SVG for measuring.

Typesetting a mathtext label (``$w^{1}_{12}$``) costs milliseconds, and drawing a
figure asks for each label several times: its size for the layout (once per
layout pass), then its glyphs. Matplotlib remembers the last 50 labels per
renderer, and every save makes new renderers, so a figure with many labels
typesets them again and again. Here every renderer typesets with one parser
that remembers thousands of labels, and measures text with one
:class:`~matplotlib.textpath.TextToPath` (the one
:func:`~jacobian_bp.display.figures.text_extent` lays figures out with): the
pictures are the same, drawn sooner.

Every figure of the package is drawn on :class:`AggCanvas`; this module is also the
backend its SVG is written with (``savefig(..., backend=BACKEND)``). Imported only
when a figure is made.

Sharing reaches into how matplotlib's renderers typeset (their ``mathtext_parser``
and ``_text2path``), which matplotlib may change. So each sharing is tried once
on this matplotlib (:func:`agg_shares_parser`, :func:`svg_backend_works`) and
used only where it works; elsewhere figures are drawn exactly as matplotlib
draws them, only more slowly.
"""

from __future__ import annotations

import codecs
import functools
from typing import Any

import matplotlib
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.mathtext import MathTextParser
from matplotlib.textpath import TextToPath

#: This module as a backend for ``savefig(backend=...)``, and the text-only one (a backend is found by its
#: module's ``FigureCanvas``, so that one is a module of its own).
BACKEND = "module://jacobian_bp.display._canvas"
TEXT_ONLY_BACKEND = "module://jacobian_bp.display._svg_text_only"


class _RememberingParser:
    """A mathtext parser (vector output, what Agg and SVG draw with) that keeps what it typeset, by text, dpi, font."""

    def __init__(self) -> None:
        self._parser = MathTextParser("path")

    def parse(self, s: str, dpi: float = 72, prop: Any = None, *, antialiased: bool | None = None) -> Any:
        # A copy of the (mutable) font properties is the key, as in matplotlib's own cache.
        prop = prop.copy() if prop is not None else None
        if antialiased is None:
            antialiased = matplotlib.rcParams["text.antialiased"]
        return self._parse(s, dpi, prop, antialiased)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 -- one instance, alive as long as the module
    def _parse(self, s: str, dpi: float, prop: Any, antialiased: bool) -> Any:
        return self._parser.parse(s, dpi, prop, antialiased=antialiased)


#: The one mathtext parser of every renderer, and the one text measurer of layouts (``text_extent``) and SVG.
PARSER = _RememberingParser()
TEXT_TO_PATH = TextToPath()


def _parser_works() -> bool:
    """Whether this matplotlib's vector parser takes what :data:`PARSER` hands it (matplotlib 3.7's has no
    ``antialiased``): only then does :data:`TEXT_TO_PATH` measure with it."""
    try:
        PARSER.parse("$x$", 72)
    except Exception:  # any surprise means: measure with matplotlib's own parser
        return False
    return True


if _parser_works():
    TEXT_TO_PATH.mathtext_parser = PARSER  # type: ignore[assignment]


@functools.cache
def agg_shares_parser() -> bool:
    """Whether Agg typesets with the kind of parser :data:`PARSER` is (vector output: matplotlib 3.10 and later)."""
    try:
        agg_parser = RendererAgg(1, 1, 72).mathtext_parser
        return type(agg_parser.parse("$x$", 72)) is type(PARSER.parse("$x$", 72))
    except Exception:  # any surprise means: leave Agg as matplotlib made it
        return False


@functools.cache
def svg_backend_works() -> bool:
    """Whether this matplotlib writes a figure through :class:`FigureCanvas` (its SVG writer, copied below)."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.text(0.5, 0.5, "$w^{1}_{12}$")
    try:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", backend=BACKEND)
        return "<svg" in buffer.getvalue()
    except Exception:  # any surprise means: write SVG with matplotlib's own backend
        return False


def svg_backend(text_only: bool = False) -> str | None:
    """The backend to write a figure's SVG with: this module's (or its text-only one) where it works, else ``None``
    (matplotlib's own, which writes the same SVG, shapes included)."""
    if not svg_backend_works():
        return None
    return TEXT_ONLY_BACKEND if text_only else BACKEND


class AggCanvas(FigureCanvasAgg):
    """Matplotlib's Agg canvas (pictures on screen, PNG), its renderer typesetting with :data:`PARSER`."""

    def get_renderer(self) -> RendererAgg:
        renderer = super().get_renderer()
        if agg_shares_parser():
            renderer.mathtext_parser = PARSER  # type: ignore[assignment]
        return renderer


class _SharedRendererSVG(RendererSVG):
    """Matplotlib's SVG renderer, measuring and typesetting text with :data:`TEXT_TO_PATH`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._text2path = TEXT_TO_PATH  # matplotlib's renderers measure text with this attribute


class _TextOnlyRendererSVG(_SharedRendererSVG):
    """Writes the text of a figure exactly as :class:`RendererSVG` does, and no shapes or images."""

    def draw_path(self, *args: Any, **kwargs: Any) -> None:
        pass

    def draw_markers(self, *args: Any, **kwargs: Any) -> None:
        pass

    def draw_path_collection(self, *args: Any, **kwargs: Any) -> None:
        pass

    def draw_gouraud_triangles(self, *args: Any, **kwargs: Any) -> None:
        pass

    def draw_image(self, *args: Any, **kwargs: Any) -> None:
        pass


class FigureCanvas(FigureCanvasSVG):
    """The SVG canvas, drawing with :class:`_SharedRendererSVG`."""

    _renderer_class: type[RendererSVG] = _SharedRendererSVG

    def print_svg(
        self, filename: Any, *, bbox_inches_restore: Any = None, metadata: Any = None, **_unused: Any
    ) -> None:
        # FigureCanvasSVG.print_svg, with the renderer class the only change. (print_figure passes a
        # third-party backend the options of every format: dpi, facecolor, ...; an SVG uses none of them.)
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer = MixedModeRenderer(
                self.figure,
                width,
                height,
                dpi,
                self._renderer_class(w, h, fh, image_dpi=dpi, metadata=metadata),
                bbox_inches_restore=bbox_inches_restore,
            )
            self.figure.draw(renderer)
            renderer.finalize()


class TextOnlyCanvas(FigureCanvas):
    """The SVG canvas writing a figure's text only: its sizes and fonts, what :func:`legibility` reads."""

    _renderer_class = _TextOnlyRendererSVG
