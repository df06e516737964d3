"""Command line: ``jacobian-bp [walkthrough]``, ``train``, ``cost``, ``plot`` and ``exercise``.

With no subcommand it runs the walkthrough, as does ``python -m jacobian_bp``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jacobian_bp.cli.cost import add_commands as add_cost_commands
from jacobian_bp.cli.exercise import add_commands as add_exercise_commands
from jacobian_bp.errors import InvalidArgumentError, JacobianBPError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="jacobian-bp",
        description="Backpropagation the long way: every local Jacobian materialized, chained and checked.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    walk = commands.add_parser("walkthrough", help="walk the notes' 2-3-1 network through every step (default)")
    walk.add_argument("--seed", type=int, default=0, help="seed of the network's parameters (default 0)")
    walk.add_argument("--x", type=float, nargs=2, default=None, metavar=("X1", "X2"), help="the example's input")
    walk.add_argument("--t", type=float, default=None, help="the example's target")
    walk.add_argument(
        "--symbolic", action="store_true", help="print every Jacobian as a formula in the notes' symbols (needs SymPy)"
    )
    walk.add_argument(
        "--format",
        choices=("text", "latex", "markdown"),
        default="text",
        help="output of --symbolic: plain text (default), a LaTeX document, or Markdown with $$ math",
    )
    add_cost_commands(commands)
    add_train_parser(commands)
    add_exercise_commands(commands)
    return parser


def add_train_parser(commands: argparse._SubParsersAction) -> None:
    """``jacobian-bp train``: train a recipe's network on a built-in dataset."""
    from jacobian_bp.methods.gradient import METHODS
    from jacobian_bp.training.recipes import RECIPES

    train = commands.add_parser(
        "train",
        help="train a network on a built-in dataset with any gradient method",
        description="Train the dataset's network (the notes' 2-3-1 network for xor) by gradient descent, "
        "with a progress bar on stderr; prints the final loss and accuracy.",
    )
    train.add_argument("--dataset", choices=tuple(RECIPES), default="xor", help="which toy problem (default xor)")
    train.add_argument("--method", choices=METHODS, default="backprop", help="gradient method (default backprop)")
    train.add_argument("--lr", type=float, default=None, help="learning rate (default: the dataset's recipe)")
    train.add_argument("--epochs", type=int, default=None, help="passes over the data (default: the recipe's)")
    train.add_argument("--batch-size", type=int, default=None, help="examples per step (default: all of them)")
    train.add_argument("--seed", type=int, default=0, help="seeds the data, the network and the shuffling (default 0)")
    train.add_argument("--plot", metavar="FILE.png", default=None, help="draw the loss curve into this file")
    train.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
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
    if args.seed < 0:
        raise InvalidArgumentError(f"--seed must be a whole number ≥ 0, got {args.seed}")
    X, T = recipe.data(seed=args.seed)
    net = recipe.network(seed=args.seed)
    lr = recipe.lr if args.lr is None else args.lr
    epochs = recipe.epochs if args.epochs is None else args.epochs
    progress = None if args.no_progress else ProgressBar(epochs, sys.stderr)
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
        f"trained {net} on {args.dataset} ({len(X)} examples), loss {recipe.loss!r}, method {args.method!r}",
        str(history),
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
    from jacobian_bp.display.walkthrough import EXAMPLE_T, EXAMPLE_X, walkthrough
    from jacobian_bp.network.mlp import notes_network

    x = EXAMPLE_X if args.x is None else tuple(args.x)
    t = EXAMPLE_T if args.t is None else args.t
    if args.format != "text" and not args.symbolic:
        raise InvalidArgumentError(f"--format {args.format} applies to the symbolic walkthrough; add --symbolic")
    if args.symbolic:
        from jacobian_bp.symbolic.walkthrough import symbolic_walkthrough

        return symbolic_walkthrough(args.format, seed=args.seed, x=x, t=t)
    return walkthrough(notes_network(seed=args.seed), x, t)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jacobian-bp`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["walkthrough", *(argv or [])])
    run = getattr(args, "run", run_walkthrough)  # each subcommand but the walkthrough names its own
    try:
        output = run(args)
    except (JacobianBPError, ImportError) as error:
        print(f"jacobian-bp: error: {error}", file=sys.stderr)
        return 2
    # A subcommand returns its text, or its text and an exit status (a wrong answer to an exercise is 1).
    text, status = (output, 0) if isinstance(output, str) else output
    print(text)
    return status
