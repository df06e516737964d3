"""``jacobian-bp exercise list | show N | check N ANSWER``: the exercises on the notes, from the shell.

``check`` prints the verdict and exits with 0 when the answer is right and 1
when it is not, so a folder of answers can be graded with a shell loop; an
answer that cannot be read (an unknown exercise, a missing file, a formula that
does not parse) is an error, exit status 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from jacobian_bp.cli.options import add_command
from jacobian_bp.exercises import EXERCISES, get
from jacobian_bp.exercises.reading import read_answer

#: Exit status of ``check`` for a wrong answer (a right one is 0, an unreadable one 2).
WRONG = 1


def add_commands(commands: Any) -> None:
    """Add the ``exercise`` subparser and its three actions to ``commands`` (an argparse subparsers object)."""
    exercise = add_command(
        commands,
        "exercise",
        "Exercises on the lecture notes, with answers checked and mistakes named.",
        [
            "jacobian-bp exercise list",
            "jacobian-bp exercise show 6 --solution",
            'jacobian-bp exercise check 2 "-(t - z)*sigma_prime(a2)*h1"',
            "jacobian-bp exercise check 4 1x3     # a shape",
            "jacobian-bp exercise check 6 answer.npy  # numbers: .npy, .csv or [0.1, 0.2, 0.3]",
            "for f in answers/*.npy; do jacobian-bp exercise check 6 $f || echo $f; done  # exit 1: wrong",
        ],
    )
    actions = exercise.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every exercise, with what kind of answer it takes").set_defaults(run=run_list)
    show = actions.add_parser("show", help="the statement and hints of exercise N")
    show.add_argument("number", metavar="N", help="the exercise's number (or its name)")
    show.add_argument("--solution", action="store_true", help="also print the worked solution")
    show.set_defaults(run=run_show)
    check = actions.add_parser("check", help="grade ANSWER to exercise N (exit 0 right, 1 wrong, 2 unreadable)")
    check.add_argument("number", metavar="N", help="the exercise's number (or its name)")
    check.add_argument("answer", metavar="ANSWER", help="a formula, a shape such as 3x3x2, or a .npy/.csv file")
    check.set_defaults(run=run_check)


def run_list(args: argparse.Namespace) -> str:
    """One line per exercise: number, kind of answer, section, title."""
    lines = [f"{'N':>2}  {'answer':<8} {'section':<45} title"]
    lines += [f"{e.number:>2}  {e.kind:<8} {e.section:<45} {e.title}" for e in EXERCISES]
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> str:
    """The exercise's statement and hints, and with ``--solution`` its solution."""
    exercise = get(args.number)
    text = f"{exercise}\n\nanswer with: {_answer_form(exercise.kind)}"
    if args.solution:
        text += f"\n\nsolution: {_solution_text(exercise.solution)}\n{exercise.worked}"
    return text


def run_check(args: argparse.Namespace) -> tuple[str, int]:
    """The verdict on ``args.answer``, and the exit status: 0 right, 1 wrong."""
    exercise = get(args.number)
    verdict = exercise.check(read_answer(args.answer, exercise.kind))
    return f"Exercise {exercise.number} — {exercise.title}\n{verdict}", 0 if verdict.correct else WRONG


def _answer_form(kind: str) -> str:
    return {
        "formula": 'a formula in the notes\' names, e.g. "-(t - z) σ′(a²) h₁" or "-(t - z)*sigma_prime(a2)*h1"',
        "shape": "a shape, e.g. 3x3x2",
        "numbers": "a .npy or .csv file, or a list such as [[0.1, 0.2], [0.3, 0.4]]",
    }[kind]


def _solution_text(solution: Any) -> str:
    import numpy as np

    if isinstance(solution, np.ndarray):
        return "\n" + np.array2string(solution, precision=6, max_line_width=100)
    return str(solution)
