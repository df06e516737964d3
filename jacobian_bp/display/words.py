"""Counted nouns for messages and tables: ``1 example``, ``4 examples``, ``1 multiply-add``."""

from __future__ import annotations

import textwrap


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` followed by ``noun``, in the plural unless ``n`` is exactly 1.

    The plural is ``noun + "s"`` unless given.

    >>> counted(1, "example"), counted(4, "example"), counted(0, "entry", "entries")
    ('1 example', '4 examples', '0 entries')
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


#: Printed results wrap at this many characters: the width of a terminal, and of the docs' code column.
TEXT_WIDTH = 79


def wrap_lines(text: str, width: int = TEXT_WIDTH, hang: int = 0) -> list[str]:
    """The lines of ``text``, each longer than ``width`` broken at spaces into lines that fit.

    A continuation line keeps the line's indentation plus ``hang`` spaces (at most
    half the width, so that it always has room). Lines that fit — a printed
    matrix, a table row — are left exactly as they are.

    >>> wrap_lines("  a long line of words, a long line of words", width=20)
    ['  a long line of', '  words, a long line', '  of words']
    >>> wrap_lines("  W1 = [[0.25, -1.5], [2.0, 0.75]]", width=20, hang=2)
    ['  W1 = [[0.25,', '    -1.5], [2.0,', '    0.75]]']
    """
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * min(len(line) - len(line.lstrip(" ")) + hang, width // 2)
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line]
    return out


def wrap_product(head: str, terms: list[str], separator: str = " · ", width: int = TEXT_WIDTH) -> list[str]:
    """``head`` followed by ``terms`` joined by ``separator``, broken before a separator to stay within ``width``.

    Continuation lines are indented under the first term, as a long product is written by hand.

    >>> print("\\n".join(wrap_product("∂J/∂W¹ = ", ["∂J/∂z", "∂z/∂a²", "∂a²/∂h¹"], width=30)))
    ∂J/∂W¹ = ∂J/∂z · ∂z/∂a²
             · ∂a²/∂h¹
    """
    indent = " " * len(head)
    lines = [head + (terms[0] if terms else "")]
    for term in terms[1:]:
        if len(lines[-1]) + len(separator) + len(term) <= width or lines[-1] == indent:
            lines[-1] += separator + term
        else:
            lines.append(indent + separator.lstrip() + term)
    return lines


def aligned(rows: list[list[str]], indent: str = "  ", gap: str = "  ") -> list[str]:
    """Rows of cells as lines with their columns aligned (left), each column as wide as its widest cell.

    The last column is not padded, so a long last header costs no width to the others' rows.

    >>> print("\\n".join(aligned([["factor", "shape"], ["∂J/∂z", "(1,)"], ["∂a¹/∂W¹", "(3, 3, 2)"]])))
      factor   shape
      ∂J/∂z    (1,)
      ∂a¹/∂W¹  (3, 3, 2)
    """
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return [
        indent + gap.join([cell.ljust(w) for cell, w in zip(row, widths, strict=False)] + [row[-1]]).rstrip()
        for row in rows
    ]
