"""How result objects show themselves in a notebook: small HTML tables, typeset math, an inline loss curve.

Each result class (a chain, a comparison, a training history, a cost table, a
verdict) has a ``_repr_html_`` that builds its rows and calls these helpers;
nothing here needs matplotlib, and notebooks typeset the ``$$…$$`` with MathJax.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

#: Inline loss curves are drawn from at most this many points (evenly picked), however long the run.
CURVE_POINTS = 200


def table(header: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "") -> str:
    """An HTML table; cells are escaped text, except cells already wrapped as :func:`raw`.

    >>> print(table(["method", "agrees"], [["backprop", "yes"]]))  # doctest: +ELLIPSIS
    <table class="jacobian-bp"><thead><tr><th>method</th>...<tr><td>backprop</td><td>yes</td></tr></tbody></table>
    """
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="jacobian-bp">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class raw(str):  # noqa: N801 — used like a marker, as in ``raw("<b>…</b>")``
    """A table cell that is HTML already and must not be escaped."""


def _cell(cell: object) -> str:
    return str(cell) if isinstance(cell, raw) else html.escape(str(cell))


def display_math(latex: str) -> str:
    """Display math for a notebook's MathJax: ``$$ … $$``, escaped for HTML.

    >>> display_math(r"a < b")
    '<div>$$ a &lt; b $$</div>'
    """
    return f"<div>$$ {html.escape(latex)} $$</div>"


#: The inline loss curve's box (px) and the margins its axes' ticks and labels take.
CURVE_WIDTH, CURVE_HEIGHT = 360, 200
_LEFT, _BOTTOM, _TOP, _RIGHT = 64, 40, 10, 14
#: Font size (px) of the curve's ticks and labels: as large as the docs' small print, never below 11 px.
CURVE_FONT = 12


def _loss_ticks(low: float, high: float, logarithmic: bool) -> list[tuple[float, str]]:
    """Ticks of the loss axis as ``(position in the plotted unit, label)``: powers of ten, or the ends of the range."""
    if logarithmic:
        decades = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
        if 2 <= len(decades) <= 8:
            return [(float(d), f"1e{d}" if abs(d) > 3 else f"{10.0**d:g}") for d in decades]
        return [(low, f"{10**low:.2g}"), (high, f"{10**high:.2g}")]
    return [(low, f"{low:.3g}"), (high, f"{high:.3g}")]


def loss_curve(values: Sequence[float], width: int = CURVE_WIDTH, height: int = CURVE_HEIGHT) -> str:
    """An inline SVG of a loss curve with labelled axes (epoch, loss) and ticks; log scale when every value is positive.

    At most :data:`CURVE_POINTS` points are drawn, evenly picked, however long the run.

    >>> svg = loss_curve([1.0, 0.5, 0.25, 0.125])
    >>> svg.startswith("<svg") and svg.count(",") == 4  # one "x,y" per point
    True
    >>> ">epoch</text>" in svg and ">loss (log scale)</text>" in svg
    True
    """
    finite = [float(v) for v in values if math.isfinite(v)]
    if len(finite) < 2:
        return ""
    step = max(1, math.ceil(len(finite) / CURVE_POINTS))
    indices = list(range(0, len(finite), step))
    if indices[-1] != len(finite) - 1:
        indices.append(len(finite) - 1)
    picked = [finite[i] for i in indices]
    logarithmic = min(picked) > 0
    ys = [math.log10(v) for v in picked] if logarithmic else picked
    low, high = min(ys), max(ys)
    spread = (high - low) or 1.0
    plot_width, plot_height = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM

    def x_of(epoch_index: int) -> float:
        return _LEFT + plot_width * epoch_index / (len(finite) - 1)

    def y_of(y: float) -> float:
        return _TOP + plot_height * (high - y) / spread

    points = " ".join(f"{x_of(i):.1f},{y_of(y):.1f}" for i, y in zip(indices, ys, strict=True))
    scale = "log scale" if logarithmic else "linear scale"
    text = f'font-size="{CURVE_FONT}" font-family="sans-serif" fill="#222"'
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="training loss per epoch ({scale})">',
        f'<path d="M{_LEFT} {_TOP} V{_TOP + plot_height} H{_LEFT + plot_width}" fill="none" stroke="#444"/>',
    ]
    last = len(finite)
    for epoch in sorted({1, (last + 1) // 2, last}):
        x = x_of(epoch - 1)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP + plot_height}" x2="{x:.1f}" y2="{_TOP + plot_height + 4}" stroke="#444"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{_TOP + plot_height + 17}" text-anchor="middle" {text}>{epoch}</text>')
    for y, label in _loss_ticks(low, high, logarithmic):
        parts.append(f'<line x1="{_LEFT - 4}" y1="{y_of(y):.1f}" x2="{_LEFT}" y2="{y_of(y):.1f}" stroke="#444"/>')
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y_of(y) + 4:.1f}" text-anchor="end" {text}>{html.escape(label)}</text>'
        )
    parts += [
        f'<text x="{_LEFT + plot_width / 2:.1f}" y="{height - 4}" text-anchor="middle" {text}>epoch</text>',
        f'<text x="14" y="{_TOP + plot_height / 2:.1f}" text-anchor="middle" {text} '
        f'transform="rotate(-90 14 {_TOP + plot_height / 2:.1f})">loss ({scale})</text>',
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{points}"/>',
        "</svg>",
    ]
    return "".join(parts)
