"""What every subcommand of ``jacobian-bp`` shares: its help page, its output, its errors in flags.

Like a Unix tool, the command writes its results to stdout (each line as soon
as it is known), progress and warnings to stderr, and errors to stderr as one
line ``jacobian-bp: error: ...`` with exit status 2. The library's errors
speak Python (``method='outer'``); where a subcommand has a flag for the same
advice, it says the flag instead (see :func:`error_message`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
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


# ----------------------------------------------------------------------------------------------- flag types
# Each flag is checked as argparse reads it: a bad value is `argument --seed: ...` and exit status 2, before any
# work starts. The ranges bound the work a flag can ask for (a 30-digit depth is refused, not attempted).

#: Largest seed: numpy's generators take any whole number ≥ 0, and 2³² − 1 is plenty of seeds to pick from.
MAX_SEED = 2**32 - 1
#: Largest layer width: a 4096×4096 weight matrix is 128 MiB; wider networks are not for a teaching tool.
MAX_WIDTH = 4096
#: Most layers a network on the command line may have.
MAX_DEPTH = 64
#: Largest count of examples a flag may ask for (counting costs is arithmetic: any batch size is quick).
MAX_COUNT = 10**9
#: Most epochs ``train`` may run.
MAX_EPOCHS = 10**6
#: Most factors a chain on the command line can have (``--factor`` counts from either end).
MAX_FACTORS = 4 * MAX_DEPTH


def _whole_number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def whole_number(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``minimum`` to ``maximum``, else an error naming the range.

    >>> whole_number(-3, 2)("-1")
    -1
    >>> whole_number(-3, 2)("7")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number from -3 to 2, got 7
    """

    def parse(text: str) -> int:
        value = _whole_number(text)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
            if minimum is None:
                raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
            raise argparse.ArgumentTypeError(f"must be a whole number from {minimum} to {maximum}, got {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its message for a value it cannot convert
    return parse


def non_negative_int(text: str) -> int:
    """An argparse ``type`` for a seed: a whole number from 0 to :data:`MAX_SEED`.

    >>> non_negative_int("3")
    3
    >>> non_negative_int("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number ≥ 0 (at most 4294967295), got -1
    """
    value = _whole_number(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 0 (at most {MAX_SEED}), got {value}")
    return value


def positive_int(maximum: int = MAX_COUNT) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from 1 to ``maximum``.

    >>> positive_int(10)("4")
    4
    >>> positive_int(10)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be at least 1, got 0
    >>> positive_int(10)("11")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be at most 10, got 11
    """

    def parse(text: str) -> int:
        value = _whole_number(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value

    parse.__name__ = "whole number"
    return parse


#: A layer width: 1 to :data:`MAX_WIDTH` (``--sizes``, ``--widths``; with ``nargs`` each entry is checked).
width = positive_int(MAX_WIDTH)
#: A number of layers: 1 to :data:`MAX_DEPTH`.
bounded_depth = positive_int(MAX_DEPTH)


def finite_float(text: str) -> float:
    """An argparse ``type``: a finite real number (no ``nan``, no ``inf``).

    >>> finite_float("0.5")
    0.5
    >>> finite_float("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number, got 'nan'
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """An argparse ``type``: a positive finite real number, such as a learning rate.

    >>> positive_float("1e-3")
    0.001
    >>> positive_float("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a positive finite number, got '0'
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return value


def writable_path(text: str) -> str:
    """An argparse ``type`` for an output file: a name in a folder that exists and that we may write in.

    What the file holds (its format) is the subcommand's to check; this checks only where it goes.

    >>> writable_path("loss.png")
    'loss.png'
    >>> writable_path("/no/such/folder/loss.png")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: cannot write '/no/such/folder/loss.png': the folder '/no/such/folder' does not exist
    """
    path = Path(text)
    folder = path.parent
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a file, got an empty name")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a folder; name a file in it")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: permission denied")
    return text
