"""A sheet of exercises to hand out, and its key: one variant's every exercise, in Markdown or LaTeX.

A statement's lines that begin with two spaces (the printed parameters) are
set as a block of code; the other lines are one paragraph. The LaTeX is a
complete document in plain ASCII: the notes' Unicode symbols (σ, ∂, ², ₁, ᵀ …)
become LaTeX commands, so ``pdflatex`` compiles it with no extra package.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import numpy as np

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

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "^": r"\^{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_SYMBOLS = {
    "−": r"\ensuremath{-}",
    "′": r"\ensuremath{'}",
    "∂": r"\ensuremath{\partial}",
    "·": r"\ensuremath{\cdot}",
    "×": r"\ensuremath{\times}",
    "⊙": r"\ensuremath{\odot}",
    "∇": r"\ensuremath{\nabla}",
    "→": r"\ensuremath{\to}",
    "←": r"\ensuremath{\leftarrow}",
    "≠": r"\ensuremath{\neq}",
    "≥": r"\ensuremath{\geq}",
    "≤": r"\ensuremath{\leq}",
    "∈": r"\ensuremath{\in}",
    "½": r"\ensuremath{\tfrac{1}{2}}",
    "‖": r"\ensuremath{\|}",
    "—": "---",
    "–": "--",
    "’": "'",
    "‘": "`",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "\u00a0": "~",
}


def latex_text(text: str) -> str:
    r"""Text in plain ASCII LaTeX: specials escaped, the notes' symbols as commands, ``B̄`` as a barred B.

    >>> print(latex_text("∂w²₁ = −(t − z), 50%"))
    \ensuremath{\partial}w\textsuperscript{2}\textsubscript{1} = \ensuremath{-}(t \ensuremath{-} z), 50\%
    """
    out = []
    chars = list(text)
    for i, char in enumerate(chars):
        if char == "\u0304":  # a combining bar: already put over the letter before it
            continue
        if i + 1 < len(chars) and chars[i + 1] == "\u0304":
            out.append(rf"\ensuremath{{\bar{{{char}}}}}")
        else:
            out.append(_latex_char(char))
    return "".join(out)


def _latex_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    if char.isascii():
        return char
    if char in _SYMBOLS:
        return _SYMBOLS[char]
    decomposition = unicodedata.decomposition(char).split()
    if len(decomposition) == 2 and decomposition[0] in ("<super>", "<sub>"):
        base = _latex_char(chr(int(decomposition[1], 16)))
        return (r"\textsuperscript{" if decomposition[0] == "<super>" else r"\textsubscript{") + base + "}"
    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER "):
        return rf"\ensuremath{{\{name.removeprefix('GREEK SMALL LETTER ').lower()}}}"
    if name.startswith("GREEK CAPITAL LETTER "):
        return rf"\ensuremath{{\{name.removeprefix('GREEK CAPITAL LETTER ').capitalize()}}}"
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return _latex_char(plain) if plain else r"\textbf{?}"  # a character LaTeX has no command for


def _latex_block(kind: str, text: str) -> str:
    if kind == "code" and text.isascii():
        return "\\begin{verbatim}\n" + text + "\n\\end{verbatim}"
    if kind == "code":
        return (
            "\\begin{quote}\\ttfamily\n"
            + " \\\\\n".join(latex_text(line) for line in text.splitlines())
            + "\n\\end{quote}"
        )
    return latex_text(text)


def _latex_exercise(exercise: Exercise, key: bool) -> list[str]:
    parts = [rf"\section*{{Exercise {exercise.number}: {latex_text(exercise.title)}}}"]
    parts += [rf"\emph{{{latex_text(exercise.section)}}}", ""]
    parts += [_latex_block(kind, text) + "\n" for kind, text in _blocks(exercise.statement)]
    parts += [r"\begin{enumerate}"] + [rf"\item[Hint {i}.] {latex_text(h)}" for i, h in enumerate(exercise.hints, 1)]
    parts += [r"\end{enumerate}", "", rf"Answer with {latex_text(ANSWER_FORMS[exercise.kind])}.", ""]
    if key:
        parts += [r"\paragraph{Answer.}", _latex_block("code", answer_text(exercise.solution)), ""]
        parts += [rf"\paragraph{{Worked solution.}} {latex_text(exercise.worked)}", ""]
    return parts


def _latex(exercises: tuple[Exercise, ...], title: str, key: bool) -> str:
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2.5cm]{geometry}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.5em}",
        rf"\title{{{latex_text(title)}}}",
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
