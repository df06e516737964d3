"""A sheet of exercises to hand out, and its key: one variant's every exercise, in Markdown or LaTeX.

A statement's lines that begin with two spaces (the printed parameters) are
set as a block of code; the other lines are one paragraph. The LaTeX is a
complete document in plain ASCII: the notes' Unicode symbols (σ, ∂, ², ₁, ᵀ …)
become LaTeX commands (:func:`jacobian_bp.display.latex.text_latex`), so
``pdflatex`` compiles it with no extra package. Nothing runs into the margin:
a line of code longer than :data:`CODE_WIDTH` is wrapped, and a quoted answer
("sigma_prime(a1_2)*w2_2*x1") is set in typewriter type that may break after
an operator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from jacobian_bp.display.latex import code_latex, text_latex
from jacobian_bp.display.words import wrap_lines
from jacobian_bp.errors import UnknownNameError
from jacobian_bp.exercises.drawing import significant
from jacobian_bp.exercises.exercise import Exercise
from jacobian_bp.exercises.registry import every

#: The formats of :func:`sheet`.
FORMATS = ("markdown", "latex")

#: How each kind of answer is given, as a sheet and ``jacobian-bp exercise show`` say it.
ANSWER_FORMS = {
    "formula": 'a formula in the notes\' names, written as in "σ′(a¹₂) w²₂ x₁ + b²" or '
    '"sigma_prime(a1_2)*w2_2*x1 + b2"',
    "shape": "a shape, written as in 2x5",
    "numbers": "numbers: a .npy or .csv file, or a list such as [[0.1, 0.2], [0.3, 0.4]]",
}


def answer_text(answer: Any) -> str:
    """An exercise's answer as a key prints it: a formula or a shape as it is, numbers to 4 significant digits.

    >>> print(answer_text(np.array([[0.123456, -2.0], [1.0, 0.0]])))
    [[0.1235, -2.000],
     [1.000, 0]]
    """
    if isinstance(answer, np.ndarray):
        return _nested(answer)
    return str(answer)


def _nested(array: np.ndarray, indent: int = 0) -> str:
    """Nested lists, one innermost row per line, as numpy prints arrays."""
    if array.ndim == 0:
        return significant(float(array))
    if array.ndim == 1:
        return "[" + ", ".join(_nested(entry) for entry in array) + "]"
    return "[" + (",\n" + " " * (indent + 1)).join(_nested(row, indent + 1) for row in array) + "]"


def _blocks(statement: str) -> Iterator[tuple[str, str]]:
    """The statement as ("text", paragraph) and ("code", lines) blocks: indented lines are code."""
    kind, lines = None, []
    for line in statement.splitlines():
        this = "code" if line.startswith("  ") else "text"
        if this != kind and lines:
            yield kind, ("\n" if kind == "code" else " ").join(lines)
            lines = []
        kind = this
        lines.append(line)
    if lines:
        yield kind, ("\n" if kind == "code" else " ").join(lines)


def _heading(seed: int | None, student: str | None) -> str:
    if seed is None:
        return "today's exercises"
    return f"variant {seed}" + (f" (student {student})" if student else "")


# ---------------------------------------------------------------------------------------------
# Markdown


def _markdown_exercise(exercise: Exercise, key: bool) -> list[str]:
    parts = [f"## Exercise {exercise.number}: {exercise.title}", "", f"*{exercise.section}*", ""]
    for kind, text in _blocks(exercise.statement):
        parts += ["```text", text, "```", ""] if kind == "code" else [text, ""]
    parts += [f"Hint {i}: {hint}  " for i, hint in enumerate(exercise.hints, start=1)]
    parts += ["", f"Answer with {ANSWER_FORMS[exercise.kind]}.", ""]
    if key:
        parts += ["**Answer.**", "", "```text", answer_text(exercise.solution), "```", ""]
        parts += [f"**Worked solution.** {exercise.worked}", ""]
    return parts


def _markdown(exercises: tuple[Exercise, ...], title: str, key: bool) -> str:
    lines = [f"# {title}", ""]
    for exercise in exercises:
        lines += _markdown_exercise(exercise, key)
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# LaTeX

#: Characters of a line of code (a statement's parameters, an answer) on the sheet: at 11 pt a line of
#: ``\ttfamily`` that long fits the page's text width, indented as a quote too; longer lines are wrapped.
CODE_WIDTH = 64

_QUOTED = re.compile(r'"([^"]*)"')


def code_lines(text: str, width: int = CODE_WIDTH) -> list[str]:
    """The lines of a block of code, each wrapped at ``width`` characters (at a space if it has one).

    A continuation line keeps the line's indentation and two more spaces (at
    most half the width, so that it always has room).

    >>> code_lines("  W1 = [[0.25, -1.5], [2.0, 0.75]]", width=20)
    ['  W1 = [[0.25,', '    -1.5], [2.0,', '    0.75]]']
    """
    return wrap_lines(text, width, hang=2)


def _prose_latex(text: str) -> str:
    """A paragraph: a quoted example of an answer as code (it may break after an operator), the rest as text."""
    parts = _QUOTED.split(text)
    return "".join(code_latex(part) if i % 2 else text_latex(part) for i, part in enumerate(parts))


def _latex_block(kind: str, text: str) -> str:
    if kind != "code":
        return _prose_latex(text)
    lines = code_lines(text)
    if all(line.isascii() for line in lines):
        return "\\begin{verbatim}\n" + "\n".join(lines) + "\n\\end{verbatim}"
    return "\\begin{quote}\\ttfamily\n" + " \\\\\n".join(text_latex(line) for line in lines) + "\n\\end{quote}"


def _latex_exercise(exercise: Exercise, key: bool) -> list[str]:
    parts = [rf"\section*{{Exercise {exercise.number}: {text_latex(exercise.title)}}}"]
    parts += [rf"\emph{{{text_latex(exercise.section)}}}", ""]
    parts += [_latex_block(kind, text) + "\n" for kind, text in _blocks(exercise.statement)]
    parts += [r"\begin{enumerate}"] + [rf"\item[Hint {i}.] {_prose_latex(h)}" for i, h in enumerate(exercise.hints, 1)]
    parts += [r"\end{enumerate}", "", rf"Answer with {_prose_latex(ANSWER_FORMS[exercise.kind])}.", ""]
    if key:
        parts += [r"\paragraph{Answer.}", _latex_block("code", answer_text(exercise.solution)), ""]
        parts += [rf"\paragraph{{Worked solution.}} {_prose_latex(exercise.worked)}", ""]
    return parts


def _latex(exercises: tuple[Exercise, ...], title: str, key: bool) -> str:
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2.5cm]{geometry}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.5em}",
        r"\sloppy",  # a line that ends before a long typed answer may space its words out; none overflows
        rf"\title{{{text_latex(title)}}}",
        r"\author{}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        "",
    ]
    for exercise in exercises:
        lines += _latex_exercise(exercise, key)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def sheet(seed: int | None = None, student: str | None = None, format: str = "markdown", key: bool = False) -> str:
    """Every exercise of variant ``seed`` (today's when None), ready to hand out; ``key=True`` adds the answers and
    worked solutions. ``student`` names the variant in the title (``seed_for(student)`` is its seed when
    ``seed`` is None). ``format`` is ``"markdown"`` or ``"latex"`` (a complete document).

    >>> text = jbp.exercises.sheet(student="s1234567")
    >>> print(text.splitlines()[0])
    # Exercises on backpropagation: variant 193120605 (student s1234567)
    >>> "Worked solution" in text, "Worked solution" in jbp.exercises.sheet(seed=5, key=True)
    (False, True)
    """
    from jacobian_bp.exercises.drawing import seed_for

    if format not in FORMATS:
        raise UnknownNameError.for_choice("sheet format", format, FORMATS)
    if seed is None and student is not None:
        seed = seed_for(student)
    title = f"Exercises on backpropagation: {_heading(seed, student)}" + (" — key" if key else "")
    render = _markdown if format == "markdown" else _latex
    return render(every(seed), title, key)
