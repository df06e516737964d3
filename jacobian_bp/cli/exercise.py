"""``jacobian-bp exercise list | show N | check N ANSWER | sheet | grade FOLDER``: the exercises, from the shell.

``check`` prints the verdict and exits with 0 when the answer is right and 1
when it is not; an answer that cannot be read (an unknown exercise, a missing
file, a formula that does not parse) is an error, exit status 2. ``--seed S``
or ``--student ID`` picks a variant; ``sheet`` prints one variant's every
exercise (``--key`` with the answers), and ``grade`` grades a folder of a
class's answers, one CSV row per student and exercise.
"""

from __future__ import annotations

import argparse
from typing import Any

from jacobian_bp.cli.options import add_command, emit
from jacobian_bp.exercises import SEEDS, every, get, seed_for
from jacobian_bp.exercises.handout import ANSWER_FORMS, FORMATS, answer_text, sheet

#: Exit status of ``check`` for a wrong answer (a right one is 0, an unreadable one 2).
WRONG = 1
#: The longest student identifier ``--student`` takes.
MAX_STUDENT = 200


class AnswerParser(argparse.ArgumentParser):
    """A parser that reads an argument starting with ``-`` as an answer unless it is one of its flags.

    ``-(t - z)*z*(1 - z)*h1`` is an answer, not the flag ``-h`` with a value:
    only a flag this parser has (``--seed 3``, ``--seed=3``, ``-h``) is a flag.
    """

    def _parse_optional(self, arg_string: str) -> Any:
        flag = arg_string.split("=", 1)[0]
        if arg_string.startswith("-") and len(arg_string) > 1 and flag not in self._option_string_actions:
            return None  # an answer (argparse's "not an option")
        return super()._parse_optional(arg_string)


def seed_flag(text: str) -> int:
    """An argparse ``type`` for ``--seed``: a whole number from 0 to 999999999.

    >>> seed_flag("42")
    42
    >>> seed_flag("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number from 0 to 999999999, got '-1'
    """
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and len(stripped) <= len(str(SEEDS))) or int(stripped) >= SEEDS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {SEEDS - 1}, got {text!r}")
    return int(stripped)


def student_flag(text: str) -> str:
    """An argparse ``type`` for ``--student``: a non-empty identifier of printable characters.

    >>> student_flag("s1234567")
    's1234567'
    >>> student_flag(" ")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a student's identifier (such as s1234567), got ' '
    """
    if not text.strip() or not text.isprintable() or len(text) > MAX_STUDENT:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise argparse.ArgumentTypeError(
            f"must be a student's identifier (such as s1234567, printable, at most {MAX_STUDENT} characters), "
            f"got {shown!r}"
            if text.strip()
            else f"must be a student's identifier (such as s1234567), got {text!r}"
        )
    return text


def _add_variant(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """``--seed S`` or ``--student ID`` (one of them), the variant to show, check or hand out."""
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--seed", type=seed_flag, default=None, help=f"the variant with this seed (0 to {SEEDS - 1})")
    group.add_argument("--student", type=student_flag, default=None, help="the variant of this student (a hash of ID)")


def add_commands(commands: Any) -> None:
    """Add the ``exercise`` subparser and its actions to ``commands`` (an argparse subparsers object)."""
    exercise = add_command(
        commands,
        "exercise",
        "Exercises on the lecture notes, with answers checked and mistakes named; a variant per student.",
        [
            "jacobian-bp exercise list",
            "jacobian-bp exercise show 6 --student s1234567",
            'jacobian-bp exercise check 2 "(z - t)*h3*sigma(a2)"  # a formula (this one is wrong)',
            "jacobian-bp exercise check 4 2x5 --no-reveal         # a shape; the verdict hides the correct one",
            "jacobian-bp exercise check 6 answer.npy --seed 42    # numbers: .npy, .csv, .txt or [0.1, 0.2, 0.3]",
            "jacobian-bp exercise check 2 - < answer.txt          # the answer on standard input",
            "jacobian-bp exercise sheet --student s1234567 --format latex --key > key.tex",
            "jacobian-bp exercise grade answers/ > grades.csv     # answers/<student>/<N>.txt, .csv or .npy",
        ],
    )
    actions = exercise.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=AnswerParser)
    actions.add_parser("list", help="every exercise, with what kind of answer it takes").set_defaults(run=run_list)

    show = actions.add_parser("show", help="the statement and hints of exercise N")
    show.add_argument("number", metavar="N", help="the exercise's number (or its name)")
    show.add_argument("--solution", action="store_true", help="also print the worked solution")
    _add_variant(show)
    show.set_defaults(run=run_show)

    check = actions.add_parser("check", help="grade ANSWER to exercise N (exit 0 right, 1 wrong, 2 unreadable)")
    check.add_argument("number", metavar="N", help="the exercise's number (or its name)")
    check.add_argument(
        "answer",
        metavar="ANSWER",
        help="a formula, a shape such as 2x5, numbers, a .txt/.npy/.csv file, or - for standard input",
    )
    check.add_argument("--no-reveal", action="store_true", help="say what is wrong, but not the correct value")
    _add_variant(check)
    check.set_defaults(run=run_check)

    sheet_parser = actions.add_parser("sheet", help="every exercise of one variant, to hand out (--key: answers)")
    _add_variant(sheet_parser, required=True)
    sheet_parser.add_argument("--format", choices=FORMATS, default="markdown", help="markdown (default) or latex")
    sheet_parser.add_argument("--key", action="store_true", help="add the answers and worked solutions")
    sheet_parser.set_defaults(run=run_sheet)

    grade = actions.add_parser("grade", help="grade FOLDER/<student>/<N>.<ext>: CSV, one row per answer")
    grade.add_argument("folder", metavar="FOLDER", help="a folder with one sub-folder of answer files per student")
    grade.add_argument("--reveal", action="store_true", help="put the correct values in the detail column too")
    grade.set_defaults(run=run_grade)


def _seed(args: argparse.Namespace) -> int | None:
    return seed_for(args.student) if args.student is not None else args.seed


def run_list(args: argparse.Namespace) -> str:
    """One line per exercise: number, kind of answer, section, title."""
    lines = [f"{'N':>2}  {'answer':<8} {'section':<45} title"]
    lines += [f"{e.number:>2}  {e.kind:<8} {e.section:<45} {e.title}" for e in every()]
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> str:
    """The exercise's statement and hints, and with ``--solution`` its solution."""
    exercise = get(args.number, seed=_seed(args))
    text = f"{exercise}\n\nanswer with {ANSWER_FORMS[exercise.kind]}"
    if args.solution:
        solution = answer_text(exercise.solution)
        text += f"\n\nsolution:{chr(10) if '[' in solution else ' '}{solution}\n{exercise.worked}"
    return text


def run_check(args: argparse.Namespace) -> tuple[str, int]:
    """The verdict on ``args.answer``, and the exit status: 0 right, 1 wrong."""
    from jacobian_bp.exercises.reading import read_answer

    exercise = get(args.number, seed=_seed(args))
    verdict = exercise.check(read_answer(args.answer, exercise.kind))
    variant = "" if exercise.seed is None else f" (variant {exercise.seed})"
    report = verdict.report(reveal=not args.no_reveal)
    return f"Exercise {exercise.number}{variant} — {exercise.title}\n{report}", 0 if verdict.correct else WRONG


def run_sheet(args: argparse.Namespace) -> str:
    """Every exercise of the variant, in Markdown or LaTeX, with the key on request."""
    return sheet(seed=args.seed, student=args.student, format=args.format, key=args.key).rstrip("\n")


def run_grade(args: argparse.Namespace) -> None:
    """The CSV of a folder of answers, written row by row as each answer is graded."""
    from jacobian_bp.exercises.grading import csv_text, grade_folder

    rows = grade_folder(args.folder, reveal=args.reveal)
    first = next(rows, None)  # a FOLDER that is not a folder is an error before any output
    emit(csv_text([] if first is None else [first]).rstrip("\n"))
    for row in rows:
        emit(csv_text([row], header=False).rstrip("\n"))
