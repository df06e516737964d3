"""Command line: ``jacobian-bp [walkthrough]``, ``train``, ``cost``, ``plot`` and ``exercise``.

With no subcommand it runs the walkthrough, as does ``python -m jacobian_bp``.
Results go to stdout, progress bars (on a terminal only) and warnings to
stderr, errors to stderr with exit status 2 (see :mod:`jacobian_bp.cli.options`).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import warnings
from collections.abc import Sequence

from jacobian_bp.cli.cost import add_commands as add_cost_commands
from jacobian_bp.cli.exercise import add_commands as add_exercise_commands
from jacobian_bp.cli.options import (
    LARGER_BUDGET,
    MAX_EPOCHS,
    add_command,
    emit,
    error_message,
    finite_float,
    non_negative_int,
    positive_float,
    positive_int,
    show_warning,
    writable_path,
)
from jacobian_bp.display.document import FORMATS
from jacobian_bp.display.walkthrough import STEPS
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InvalidArgumentError, JacobianBPError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per subcommand.

    >>> build_parser().parse_args(["train", "--dataset", "spiral"]).dataset
    'spiral'
    """
    from jacobian_bp import __version__

    parser = argparse.ArgumentParser(
        prog="jacobian-bp",
        description="Backpropagation the long way: every local Jacobian materialized, chained and checked.",
        epilog="examples:\n  jacobian-bp walkthrough\n  jacobian-bp train --dataset spiral\n"
        "  jacobian-bp cost --sizes 4 16 16 2 --batch 8 --timings\n  jacobian-bp COMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    walk = add_command(
        commands,
        "walkthrough",
        "Walk the notes' 2-3-1 network through every step, forward pass to every gradient method (the default).",
        [
            "jacobian-bp walkthrough --x 1 0.5 --t 1",
            "jacobian-bp walkthrough --format beamer > slides.tex",
            "jacobian-bp walkthrough --format latex --student s1234567 > handout.tex",
            "jacobian-bp walkthrough --step weight-tensor --format beamer > tensor.tex",
        ],
    )
    walk.add_argument("--seed", type=non_negative_int, default=0, help="seed of the network's parameters (default 0)")
    walk.add_argument("--x", type=finite_float, nargs=2, default=None, metavar=("X1", "X2"), help="the example's input")
    walk.add_argument("--t", type=finite_float, default=None, help="the example's target")
    walk.add_argument(
        "--symbolic", action="store_true", help="print every Jacobian as a formula in the notes' symbols (needs SymPy)"
    )
    walk.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="plain text (default), Markdown with $$ math, a LaTeX handout (with the errata and the exercises), "
        "or Beamer slides",
    )
    walk.add_argument(
        "--step",
        choices=STEPS,
        default=None,
        metavar="NAME",
        help="only this step, named after its page of the docs: " + ", ".join(STEPS),
    )
    variant = walk.add_mutually_exclusive_group()
    variant.add_argument(
        "--student", default=None, metavar="ID", help="--format latex: the exercises of this student's variant"
    )
    variant.add_argument(
        "--variant",
        type=non_negative_int,
        default=None,
        metavar="SEED",
        help="--format latex: the exercises of the variant with this seed (default: the exercises as listed)",
    )
    add_cost_commands(commands)
    add_train_parser(commands)
    add_exercise_commands(commands)
    return parser


def add_train_parser(commands: argparse._SubParsersAction) -> None:
    """``jacobian-bp train``: train a recipe's network on a built-in dataset."""
    from jacobian_bp.methods.gradient import METHODS
    from jacobian_bp.training.recipes import RECIPES

    train = add_command(
        commands,
        "train",
        "Train a built-in dataset's network by gradient descent, with any gradient method.",
        ["jacobian-bp train --dataset spiral --method backprop --plot loss.png"],
        budget_advice="Use --method outer or --method backprop, which never materialize a Jacobian, a smaller "
        f"--batch-size, or {LARGER_BUDGET}",
    )
    train.add_argument("--dataset", choices=tuple(RECIPES), default="xor", help="which toy problem (default xor)")
    train.add_argument("--method", choices=METHODS, default="backprop", help="gradient method (default backprop)")
    train.add_argument("--lr", type=positive_float, default=None, help="learning rate (default: the dataset's recipe)")
    train.add_argument(
        "--epochs", type=positive_int(MAX_EPOCHS), default=None, help="passes over the data (default: the recipe's)"
    )
    train.add_argument(
        "--batch-size", type=positive_int(), default=None, help="examples per step (default: all of them)"
    )
    train.add_argument(
        "--seed", type=non_negative_int, default=0, help="seeds the data, the network and the shuffling (default 0)"
    )
    train.add_argument(
        "--plot", type=writable_path, metavar="FILE.png", default=None, help="draw the loss curve into this file"
    )
    train.add_argument(
        "--no-progress", action="store_true", help="no progress bar (there is none unless stderr is a terminal)"
    )
    train.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> str:
    """Train as ``args`` say; the progress bar goes to stderr, the summary is returned."""
    from jacobian_bp.cli.progress import ProgressBar
    from jacobian_bp.training.recipes import RECIPES
    from jacobian_bp.training.train import train

    recipe = RECIPES[args.dataset]
    plot_path = None
    if args.plot is not None:
        from jacobian_bp.display.plots import check_plot_path

        plot_path = check_plot_path(args.plot)
    lr = recipe.lr if args.lr is None else args.lr  # the flags' types checked their ranges
    epochs = recipe.epochs if args.epochs is None else args.epochs
    X, T = recipe.data(seed=args.seed)
    if args.batch_size is not None and args.batch_size > len(X):
        raise InvalidArgumentError(
            f"--batch-size {args.batch_size} is larger than the training set ({counted(len(X), 'example')}); "
            f"use at most {len(X)}, or leave --batch-size out to use all of them"
        )
    net = recipe.network(seed=args.seed)
    # A bar redrawn with \r belongs on a terminal; in a log or a pipe it would be a heap of frames.
    progress = None if args.no_progress or not sys.stderr.isatty() else ProgressBar(epochs, sys.stderr)
    history = train(
        net,
        X,
        T,
        loss=recipe.loss,
        method=args.method,
        lr=lr,
        epochs=epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        on_epoch=progress,
    )
    lines = [
        f"trained {net} on {args.dataset} ({counted(len(X), 'example')}), loss {recipe.loss!r}, method {args.method!r}",
        f"{counted(len(history.loss), 'epoch')}, {counted(history.steps, 'step')} (lr {lr:g}, "
        f"batch {history.batch_size})",
        f"initial loss {history.initial_loss:.6g}",
        f"final loss {history.final_loss:.6g}",
    ]
    if history.final_accuracy is not None:
        lines.append(f"final accuracy {100 * history.final_accuracy:.1f}%")
    if plot_path is not None:
        from jacobian_bp.display.plots import plot_history

        plot_history(history, plot_path, title=f"{args.dataset}: {args.method}, lr {lr:g}")
        lines.append(f"loss curve written to {plot_path}")
    return "\n".join(lines)


def run_walkthrough(args: argparse.Namespace) -> str:
    """``jacobian-bp walkthrough``: the notes' network, step by step, in text (or symbols)."""
    from jacobian_bp.display.walkthrough import EXAMPLE_T, EXAMPLE_X, walkthrough
    from jacobian_bp.network.mlp import notes_network

    x = EXAMPLE_X if args.x is None else tuple(args.x)
    t = EXAMPLE_T if args.t is None else args.t
    variant = args.variant
    if args.student is not None or variant is not None:
        from jacobian_bp.exercises.drawing import check_seed, seed_for

        if args.format != "latex" or args.step is not None:
            raise InvalidArgumentError(
                "--student and --variant choose the exercises of the handout: use them with --format latex "
                "and without --step"
            )
        variant = seed_for(args.student) if args.student is not None else check_seed(variant)
    if args.symbolic:
        from jacobian_bp.symbolic.walkthrough import symbolic_walkthrough

        return symbolic_walkthrough(args.format, seed=args.seed, x=x, t=t, step=args.step, variant=variant)
    return walkthrough(notes_network(seed=args.seed), x, t, fmt=args.format, step=args.step, variant=variant)


# Building the parser takes milliseconds (argparse looks up its message catalogue and the terminal's
# width for every flag), and the tests and a notebook call main() hundreds of times in one process:
# main builds it once. Parsing leaves the parser as it was (each call gets a new namespace).
_parser = functools.cache(build_parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jacobian-bp`` console script; returns the exit status.

    >>> main(["exercise", "show", "99"])  # "jacobian-bp: error: unknown exercise ..." on stderr
    2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["walkthrough", *(argv or [])])
    run = getattr(args, "run", run_walkthrough)  # each subcommand but the walkthrough names its own
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            output = run(args)
            # A subcommand returns its text, or its text and an exit status (a wrong answer to an exercise is 1).
            text, status = (output, 0) if output is None or isinstance(output, str) else output
            if text:
                emit(text)
    except (JacobianBPError, ImportError) as error:
        print(error_message(error, args), file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`jacobian-bp cost | head`): stop quietly, as Unix tools do. Point stdout at
        # /dev/null so that Python's own flush at exit does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        # The flags' types check what they can (the folder exists, we may write in it); the system has the
        # last word (a full disk, /proc): its refusal is an error in one line, not a traceback.
        where = f"{error.filename}: " if error.filename else ""
        print(f"jacobian-bp: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    return status
