"""Command line: ``jacobian-bp [walkthrough]``, ``jacobian-bp cost``, ``jacobian-bp plot``.

With no subcommand it runs the walkthrough, as does ``python -m jacobian_bp``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jacobian_bp.cost_commands import add_commands as add_cost_commands
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
    return parser


def run_walkthrough(args: argparse.Namespace) -> str:
    from jacobian_bp.mlp import notes_network
    from jacobian_bp.walkthrough import EXAMPLE_T, EXAMPLE_X, walkthrough

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
    try:
        print(getattr(args, "run", run_walkthrough)(args))
    except (JacobianBPError, ImportError) as error:
        print(f"jacobian-bp: error: {error}", file=sys.stderr)
        return 2
    return 0
