"""One walkthrough, four outputs: plain text, Markdown, a LaTeX handout and Beamer slides.

A walkthrough is a list of :class:`Step` objects named after the docs' pages
(``forward-pass``, ``weight-tensor``, ...); each step is a list of
:class:`Block` objects that carry both a plain-text and a LaTeX form, so every
output says the same thing. :func:`render` writes them out; Beamer gives every
step its frames, and a ``reveal`` block one overlay per line, so that a long
product is contracted one factor at a time on the slide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jacobian_bp.display.errata import ERRATA
from jacobian_bp.display.latex import text_latex
from jacobian_bp.errors import UnknownNameError

#: The output formats of the walkthrough.
FORMATS = ("text", "markdown", "latex", "beamer")

#: Characters a displayed formula may take on a Beamer frame before it breaks across lines (at ``\small``).
SLIDE_WIDTH = 52
#: The same on the handout's A4 page.
PAGE_WIDTH = 96


@dataclass(frozen=True)
class Block:
    """One piece of a step: a heading, a paragraph, a formula — each as plain text and as LaTeX.

    ``kind`` is ``"title"``, ``"heading"`` (a step's title), ``"frame"`` (a new
    slide within a step, with a subtitle), ``"paragraph"``, ``"math"``,
    ``"reveal"`` (formulas shown one after the other: ``lines``), ``"unfold"``
    (formulas added one after the other) or
    ``"table"`` (``rows`` of LaTeX cells, the first the header).
    """

    kind: str
    text: str
    tex: str = ""
    lines: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Step:
    """A step of the walkthrough: its name (a docs page's), its title as text and as LaTeX, its blocks."""

    name: str
    title: str
    tex_title: str
    blocks: list[Block] = field(default_factory=list)


def paragraph(text: str, tex: str | None = None) -> Block:
    """A paragraph; its LaTeX is ``text`` with the notes' Unicode converted, unless ``tex`` is given."""
    return Block("paragraph", text, text_latex(text) if tex is None else tex)


def math(text: str, tex: str) -> Block:
    """A displayed formula."""
    return Block("math", text, tex)


def frame(title: str) -> Block:
    """A new slide within a step (a sub-heading elsewhere)."""
    return Block("frame", title, text_latex(title))


def reveal(text: str, lines: list[str]) -> Block:
    """Formulas revealed one at a time on a slide; on paper, one under the other."""
    return Block("reveal", text, lines=tuple(lines))


def unfold(lines: list[str]) -> Block:
    """The lines of an algorithm, added one at a time on a slide (each stays); on paper, one under the other."""
    return Block("unfold", "", lines=tuple(lines))


def pick_steps(steps: list[Step], name: str | None) -> list[Step]:
    """All the steps, or only the one called ``name``; an unknown name lists the valid ones."""
    if name is None:
        return steps
    chosen = [step for step in steps if step.name == name]
    if not chosen:
        raise UnknownNameError.for_choice("walkthrough step", name, [step.name for step in steps])
    return chosen


def render(title: str, steps: list[Step], fmt: str = "text", handout: bool = True, variant: int | None = None) -> str:
    """The steps as plain text, Markdown, a LaTeX article or Beamer slides.

    ``handout`` adds the errata and the exercises (of the ``variant`` with that
    seed, see :func:`jacobian_bp.exercises.get`) to the LaTeX article.
    """
    if fmt not in FORMATS:
        raise UnknownNameError.for_choice("walkthrough format", fmt, FORMATS)
    if fmt == "text":
        # A table's rows are LaTeX cells; in plain text the paragraph before it already prints the table.
        blocks = [_text(block) for step in steps for block in _with_heading(step) if block.kind != "table"]
        return "\n".join([title, *blocks])
    if fmt == "markdown":
        return (
            "\n\n".join([f"# {title}", *(_markdown(block) for step in steps for block in _with_heading(step))]) + "\n"
        )
    if fmt == "latex":
        body = [text for step in steps for block in _with_heading(step) if (text := _latex(block))]
        if handout:
            body += [_latex(block) for block in [*errata_blocks(), *exercise_blocks(variant)]]
        return _ARTICLE.replace("TITLE", text_latex(title)) + "\n\n".join(body) + "\n\\end{document}\n"
    return _BEAMER.replace("TITLE", text_latex(title)) + "".join(_frames(step) for step in steps) + "\\end{document}\n"


def _with_heading(step: Step) -> list[Block]:
    return [Block("heading", step.title, step.tex_title), *step.blocks]


def _text(block: Block) -> str:
    if block.kind in ("title", "heading"):
        return f"\n{block.text}\n{'─' * len(block.text)}"
    if block.kind == "frame":
        return f"\n  {block.text}"
    return block.text


def _markdown(block: Block) -> str:
    if block.kind == "heading":
        return f"## {block.tex}"
    if block.kind == "frame":
        return f"### {block.text}"
    if block.kind == "paragraph":
        return block.tex
    if block.kind == "table":
        header, *rows = block.rows
        return "\n".join("| " + " | ".join(row) + " |" for row in [header, tuple("---" for _ in header), *rows])
    if block.kind in ("reveal", "unfold"):
        return (
            "$$\n\\begin{aligned}\n" + " \\\\\n".join(_aligned(line) for line in block.lines) + "\n\\end{aligned}\n$$"
        )
    return f"$$\n{block.tex}\n$$"


def _aligned(line: str) -> str:
    """One line of a revealed sequence inside ``aligned``: aligned at its first ``=``, unless it aligns itself."""
    if r"\begin{aligned}" in line or "=" not in line:
        return "&" + line
    left, _, right = line.partition("=")
    return f"{left}&={right}"


def _latex(block: Block) -> str:
    if block.kind == "heading":
        return f"\\section{{{block.tex}}}"
    if block.kind == "frame":
        return f"\\subsection*{{{block.tex}}}"
    if block.kind == "paragraph":
        return block.tex
    if block.kind == "table":
        return "\\noindent\n" + _tabular(block.rows)
    if block.kind in ("reveal", "unfold"):
        return (
            "\\[\n\\begin{aligned}\n" + " \\\\\n".join(_aligned(line) for line in block.lines) + "\n\\end{aligned}\n\\]"
        )
    return f"\\[\n{block.tex}\n\\]"


def _tabular(rows: tuple[tuple[str, ...], ...]) -> str:
    header, *body = rows
    columns = "".join(r">{\raggedright\arraybackslash}X" for _ in header)
    lines = [" & ".join(rf"\textbf{{{cell}}}" for cell in header) + r" \\ \hline"]
    lines += [" & ".join(row) + r" \\" for row in body]
    return f"\\begin{{tabularx}}{{\\linewidth}}{{{columns}}}\n" + "\n".join(lines) + "\n\\end{tabularx}"


def _frames(step: Step) -> str:
    """One step as Beamer frames: a new frame at every ``frame`` block, one overlay per revealed line."""
    frames: list[tuple[str, list[str]]] = [(step.tex_title, [])]
    for block in step.blocks:
        if block.kind == "frame":
            frames.append((block.tex, []))
        elif block.kind == "reveal":
            first, *rest = block.lines
            frames[-1][1].append(f"\\[\n{first}\n\\]")
            frames[-1][1].extend([f"\\only<{k}>{{\\[\n{line}\n\\]}}" for k, line in enumerate(rest, start=2)])
        elif block.kind == "unfold":
            frames[-1][1].extend(
                [f"\\uncover<{k}->{{\\[\n{line}\n\\]}}" for k, line in enumerate(block.lines, start=1)]
            )
        elif block.kind == "table":
            frames[-1][1].append(_tabular(block.rows))
        elif block.kind == "math":
            frames[-1][1].append(f"\\[\n{block.tex}\n\\]")
        elif block.tex:
            frames[-1][1].append(block.tex)
    return "".join(
        f"\\begin{{frame}}{{{title}}}\n\\small\\compactdisplays\n" + "\n\n".join(content) + "\n\\end{frame}\n\n"
        for title, content in frames
        if content
    )


def errata_blocks() -> list[Block]:
    """The notes' errata as a table (:data:`jacobian_bp.display.errata.ERRATA`), for the handout."""
    rows = [("printed", "correct", "kind"), *((e.printed, e.correct, e.kind) for e in ERRATA)]
    return [
        Block("heading", "Errata", "Errata"),
        paragraph(
            "Where the notes print something other than what their own definitions compute; each entry is "
            "checked by computation on the errata page of the documentation."
        ),
        Block("table", "", rows=tuple(rows)),
    ]


def exercise_blocks(variant: int | None = None) -> list[Block]:
    """The exercises' statements and hints, for the handout: today's, or the variant with seed ``variant``.

    The LaTeX is the body of :func:`jacobian_bp.exercises.sheet`, the sheet
    ``jacobian-bp exercise sheet`` hands out, so the two never differ.
    """
    from jacobian_bp.exercises import sheet

    document = sheet(seed=variant, format="latex")
    body = document.split("\\maketitle", 1)[1].rsplit("\\end{document}", 1)[0].strip()
    body = body.replace("\\section*{Exercise ", "\\subsection*{Exercise ")  # under the handout's own section
    title = "Exercises" if variant is None else f"Exercises (variant {variant})"
    # \sloppy, as on the sheet: a line ending before a long typed answer (which breaks only after an operator)
    # may space its words out rather than run into the margin.
    return [Block("heading", title, title), Block("paragraph", "", "\\sloppy\n" + body)]


_ARTICLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\usepackage{tabularx}
\setcounter{MaxMatrixCols}{20}
\title{TITLE}
\date{}
\begin{document}
\maketitle
\small

"""

_BEAMER = r"""\documentclass[11pt]{beamer}
\usepackage{amsmath,amssymb}
\usepackage{tabularx}
\setcounter{MaxMatrixCols}{20}
\setbeamertemplate{navigation symbols}{}
\newcommand{\compactdisplays}{\setlength{\abovedisplayskip}{4pt}\setlength{\belowdisplayskip}{4pt}}
\title{TITLE}
\date{}
\begin{document}
\begin{frame}
\titlepage
\end{frame}

"""
