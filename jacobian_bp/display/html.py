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


def loss_curve(values: Sequence[float], width: int = 320, height: int = 80) -> str:
    """An inline SVG of a loss curve (log scale when every value is positive), at most :data:`CURVE_POINTS` points.

    >>> svg = loss_curve([1.0, 0.5, 0.25, 0.125])
    >>> svg.startswith("<svg") and svg.count(",") == 4  # one "x,y" per point
    True
    """
    finite = [float(v) for v in values if math.isfinite(v)]
    if len(finite) < 2:
        return ""
    step = max(1, math.ceil(len(finite) / CURVE_POINTS))
    picked = finite[::step] if finite[::step][-1] == finite[-1] else [*finite[::step], finite[-1]]
    logarithmic = min(picked) > 0
    ys = [math.log10(v) for v in picked] if logarithmic else picked
    low, high = min(ys), max(ys)
    spread = (high - low) or 1.0
    points = " ".join(
        f"{2 + (width - 4) * i / (len(ys) - 1):.1f},{2 + (height - 4) * (high - y) / spread:.1f}"
        for i, y in enumerate(ys)
    )
    scale = "log scale" if logarithmic else "linear scale"
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="training loss per epoch ({scale})">'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{points}"/></svg>'
    )
