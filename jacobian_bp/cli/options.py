"""What every subcommand of ``jacobian-bp`` shares: its help page, its output, its errors in flags.

Like a Unix tool, the command writes its results to stdout (each line as soon
as it is known), progress and warnings to stderr, and errors to stderr as one
line ``jacobian-bp: error: ...`` with exit status 2. The library's errors
speak Python (``method='outer'``); where a subcommand has a flag for the same
advice, it says the flag instead (see :func:`error_message`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from jacobian_bp.chain.budget import MAX_BYTES_ENV
from jacobian_bp.errors import MemoryBudgetError

#: How to give the memory budget more room from the shell.
LARGER_BUDGET = f"a larger budget (the environment variable {MAX_BYTES_ENV}, e.g. {MAX_BYTES_ENV}=4G)"


def add_command(
    commands: Any, name: str, summary: str, examples: list[str], budget_advice: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` starts with ``summary`` and ends with runnable ``examples``.

    ``budget_advice`` is what this subcommand says, in its own flags, when a
    Jacobian does not fit in the memory budget.

    >>> commands = argparse.ArgumentParser(prog="jacobian-bp").add_subparsers()
    >>> print(add_command(commands, "hello", "Say hello.", ["jacobian-bp hello"]).format_help())
    usage: jacobian-bp hello [-h]
    <BLANKLINE>
    Say hello.
    ...
    example:
      jacobian-bp hello
    <BLANKLINE>
    """
    parser = commands.add_parser(
        name,
        help=summary[0].lower() + summary[1:].rstrip("."),
        description=summary,
        epilog=("example:\n" if len(examples) == 1 else "examples:\n") + "\n".join(f"  {e}" for e in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(budget_advice=budget_advice)
    return parser


def emit(text: str) -> None:
    """Write result lines to stdout now, not when the command ends: a slow command shows its rows as they finish.

    >>> emit("method     multiply-adds")
    method     multiply-adds
    """
    print(text, flush=True)


def error_message(error: Exception, args: argparse.Namespace | None) -> str:
    """The one line ``jacobian-bp: error: ...`` for ``error``, with memory advice in the subcommand's flags.

    >>> args = argparse.Namespace(budget_advice="Use --methods outer backprop.")
    >>> error_message(MemoryBudgetError("∂a¹/∂W¹ would take 2 GiB.", advice="Use method='outer'."), args)
    'jacobian-bp: error: ∂a¹/∂W¹ would take 2 GiB. Use --methods outer backprop.'
    """
    text = str(error)
    advice = getattr(args, "budget_advice", None)
    if isinstance(error, MemoryBudgetError) and error.advice is not None and advice is not None:
        text = f"{error.fact} {advice}"
    return f"jacobian-bp: error: {text}"


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Show a warning as one line on stderr, as the errors are, without the Python source location.

    It has the signature of :func:`warnings.showwarning`, which the command line replaces with it.

    >>> show_warning(UserWarning("the loss has not decreased"), UserWarning, "train.py", 1, file=sys.stdout)
    jacobian-bp: warning: the loss has not decreased
    """
    print(f"jacobian-bp: warning: {message}", file=sys.stderr if file is None else file)
