"""The notes' errata as data: what they print, what is correct, and what kind of slip it is.

The errata page of the docs (``docs/errata.md``) checks each entry by
computation; this list is the same table, for the handout of
``jacobian-bp walkthrough --format latex``. A test keeps the two equal.
"""

from __future__ import annotations

from typing import NamedTuple


class Erratum(NamedTuple):
    """One slip of the notes: ``printed`` and ``correct`` are LaTeX-in-Markdown cells (``$...$`` math)."""

    printed: str
    correct: str
    kind: str  # "wrong result" | "notation" | "typesetting"
    anchor: str  # the entry's anchor on the errata page


#: Every erratum, in the order of the notes.
ERRATA: tuple[Erratum, ...] = (
    Erratum(
        r"$a^2 = w^2_1 h_1 + w^2_2 h_2 + b^2$",
        r"$a^2 = w^2_1 h_1 + w^2_2 h_2 + w^2_3 h_3 + b^2$",
        "wrong result",
        "erratum-a2-term",
    ),
    Erratum(
        r"$z = \sigma((w^2)^\top h)$, where $(w^2)^\top h$ includes $b^2$",
        r"$z = \sigma(a^2)$, where $a^2 = (w^2)^\top h + b^2$",
        "notation",
        "erratum-bias",
    ),
    Erratum(
        r"$\sigma'(\cdot)\,(1 - \sigma(\cdot))$ in $\partial J/\partial w^2_1$",
        r"$\sigma(\cdot)\,(1 - \sigma(\cdot))$, which is $\sigma'(\cdot)$",
        "wrong result",
        "erratum-sigma-prime-twice",
    ),
    Erratum(r'"e.g. $w^1_1$", a row of $W^1$', r"$w^1_{11}$, one weight", "notation", "erratum-w1-11"),
    Erratum(
        r"$\frac{dJ}{dW^1} = \dots = [-(t-z)][\sigma'(a^2)]$, then $= (w^2)^\top \dots$",
        "one product of the five factors",
        "typesetting",
        "erratum-broken-product",
    ),
    Erratum(r"$\bar B_{32} = b^1_{31}$", r"$\bar B_{32} = b^1_{32}$", "wrong result", "erratum-b-bar-entry"),
    Erratum(
        r"$\partial J/\partial W^1 = (\dots)^\top x$", r"$(\dots)^\top x^\top$", "notation", "erratum-outer-transpose"
    ),
    Erratum(r"$g \leftarrow g\,(W^{(k)})^\top$", r"$g \leftarrow g\,W^{(k)}$", "notation", "erratum-row-layout-update"),
    Erratum("second pass of the loop: $k = 2$", "$k = 1$", "typesetting", "erratum-second-pass-label"),
    Erratum(r"$\nabla_{\mathbf{x}} y$ for a tensor", r"$\nabla_{\mathsf{X}} y$", "notation", "erratum-notation-list"),
)
