"""Every flag of every subcommand checked as a flag: a bad value is argparse's ``argument --FLAG: ...``, exit 2.

The fuzz test reads the subcommands and their flags from the parser itself, so a subcommand or a flag
added later is fuzzed too, and drives the command line in-process with hostile values: every run ends
with exit status 0, 1 or 2 and one line of error, never a Python traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.cli import build_parser, main
from jacobian_bp.training.recipes import Recipe


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The stderr of a command line that argparse refuses (it exits with status 2)."""
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: jacobian-bp" in err
    return err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["walkthrough", "--seed", "-1"], "argument --seed: must be a whole number ≥ 0"),
        (["walkthrough", "--seed", "1" * 30], "argument --seed: must be a whole number ≥ 0 (at most 4294967295)"),
        (["walkthrough", "--t", "nan"], "argument --t: must be a finite number, got 'nan'"),
        (["walkthrough", "--x", "1", "inf"], "argument --x: must be a finite number, got 'inf'"),
        (["train", "--lr", "-1"], "argument --lr: must be a positive finite number"),
        (["train", "--lr", "0"], "argument --lr: must be a positive finite number"),
        (["train", "--lr", "inf"], "argument --lr: must be a positive finite number"),
        (["train", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["train", "--epochs", "1" * 30], "argument --epochs: must be at most 1000000"),
        (["train", "--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
        (["train", "--seed", "-1"], "argument --seed: must be a whole number ≥ 0"),
        (["train", "--plot", "/no/such/folder/loss.png"], "argument --plot: cannot write"),
        (["train", "--plot", ""], "argument --plot: must name a file, got an empty name"),
        (["cost", "--batch", "0"], "argument --batch: must be at least 1, got 0"),
        (["cost", "--batch", "2.5"], "argument --batch: must be a whole number, got '2.5'"),
        (["cost", "--sizes", "2", "0", "1"], "argument --sizes: must be at least 1, got 0"),
        (["cost", "--sizes", "2", "99999", "1"], "argument --sizes: must be at most 4096, got 99999"),
        (["cost", "--seed", "-3"], "argument --seed: must be a whole number ≥ 0"),
        (["plot", "cost", "-o", "x.png", "--depth", "0"], "argument --depth: must be at least 1, got 0"),
        (["plot", "cost", "-o", "x.png", "--depth", "9" * 30], "argument --depth: must be at most 64"),
        (["plot", "cost", "-o", "x.png", "--widths", "8", "-4"], "argument --widths: must be at least 1"),
        (["plot", "cost", "-o", "x.png", "--batch", "-2"], "argument --batch: must be at least 1"),
        (["plot", "jacobian", "-o", "x.png", "--factor", "9" * 30], "argument --factor: must be a whole number from"),
        (["plot", "chain", "-o", "/no/such/folder/x.png"], "the folder '/no/such/folder' does not exist"),
    ],
)
def test_a_value_out_of_range_is_an_argparse_error_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert message in usage_error(capsys, *argv)


def test_a_folder_is_not_an_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "it is a folder; name a file in it" in usage_error(capsys, "plot", "chain", "-o", str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder, so no folder is locked for it")
def test_a_folder_one_cannot_write_in_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "permission denied" in usage_error(capsys, "train", "--plot", str(locked / "loss.png"))


def test_a_file_the_system_refuses_to_write_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    # /proc/version passes every check a flag can make (even root "may" write it), and writing it fails.
    status = main(["train", "--epochs", "1", "--plot", "/proc/version.png"])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.startswith("jacobian-bp: error: ") and err.count("\n") == 1, err


# ----------------------------------------------------------------------------------------------- the fuzz


def leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every runnable subcommand as (its words, its parser), read from the parser: ``("exercise", "check")``."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield path, parser
        return
    for action in subparsers:
        for name, child in action.choices.items():
            yield from leaf_parsers(child, (*path, name))


SUBCOMMANDS = dict(leaf_parsers(build_parser()))

#: Values no flag was designed for, and a few it was.
HOSTILE = [
    "-1",
    "0",
    "1",
    "2",
    "3",
    "nan",
    "inf",
    "-inf",
    "1e-3",
    "1e6",
    "100000000",
    "1" * 30,
    "-" + "9" * 30,
    "",
    " ",
    "zzz",
    "W1",
    "b2",
    "x",
    "z",
    "z/x",
    "a1",
    "1x3",
    "[0.1, 0.2]",
    "-(t - z)*sigma_prime(a2)*h1",
]
#: Values some flag takes: small counts, names of methods, activations, losses and parameters.
PLAUSIBLE = ["1", "2", "3", "0.5", "4", "W1", "b2", "z/x", "backprop", "outer", "einsum", "slices", "tanh", "mse"]
UNWRITABLE = ["/proc/jbp/out.png", "/no/such/folder/out.png", "/", "/proc/version", "out.unknown"]


def flag_values(action: argparse.Action, folder: Path) -> st.SearchStrategy[list[str]]:
    """The words an option (or a positional) may be given on the command line: its choices, or hostile ones."""
    hostile = st.sampled_from([*HOSTILE, *UNWRITABLE])
    plausible = st.sampled_from([*(action.choices or PLAUSIBLE), str(folder / "out.png")])
    one = st.one_of(plausible, hostile)
    if action.nargs == 0:
        return st.just([])
    if isinstance(action.nargs, int):
        return st.lists(one, min_size=action.nargs, max_size=action.nargs)
    if action.nargs in ("+", "*"):
        return st.lists(one, min_size=1 if action.nargs == "+" else 0, max_size=4)
    if action.nargs == "?":
        return st.lists(one, max_size=1)
    return st.lists(one, min_size=1, max_size=1)


@st.composite
def command_lines(draw: st.DrawFn, words: tuple[str, ...], parser: argparse.ArgumentParser, folder: Path) -> list[str]:
    argv = list(words)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            argv += draw(flag_values(action, folder))
        elif action.required or draw(st.integers(0, 3)) == 0:  # a few flags at a time, so some runs get far
            argv += [draw(st.sampled_from(action.option_strings)), *draw(flag_values(action, folder))]
    return argv


@pytest.fixture
def bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every fuzzed run short without changing its code path: a small memory budget and small datasets.

    Every materializing step checks the budget before it allocates, so the budget bounds the work of
    each contraction; the training sets are cut to a handful of examples, so an epoch is a few steps.
    """
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "8M")
    data = Recipe.data
    monkeypatch.setattr(Recipe, "data", lambda self, seed=0: tuple(a[:6] for a in data(self, seed=seed)))


@pytest.mark.usefixtures("bounded_work")
@pytest.mark.parametrize("words", list(SUBCOMMANDS), ids=" ".join)
@settings(max_examples=60)
@given(data=st.data())
def test_random_flags_end_in_0_1_or_2_never_a_traceback(
    words: tuple[str, ...], data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.getbasetemp() / "fuzz"
    folder.mkdir(exist_ok=True)
    argv = data.draw(command_lines(words, SUBCOMMANDS[words], folder), label="argv")
    if "train" in words and "--epochs" not in argv:
        argv += ["--epochs", "2"]  # the recipes' own epochs are hundreds: bounded work, same code path
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse refused the command line, or --help
            status = stop.code
    errors = err.getvalue()
    event(f"exit status {status}")
    assert status in (0, 1, 2), (argv, status, errors)
    assert "Traceback" not in errors, (argv, errors)
    if status == 2 and "usage:" not in errors:
        # the command's own error, after any one-line warnings
        said = [line for line in errors.splitlines() if not line.startswith("jacobian-bp: warning: ")]
        assert said[0].startswith("jacobian-bp: error: "), (argv, errors)


def test_the_library_still_refuses_what_the_flags_refuse() -> None:
    # The flags check at the door of the command line; the library's own doors keep their checks.
    with pytest.raises(jbp.InvalidArgumentError, match="batch_size must be at least 1"):
        jbp.train(jbp.notes_network(), np.zeros((4, 2)), np.zeros((4, 1)), batch_size=0)
    if importlib.util.find_spec("matplotlib") is not None:
        from jacobian_bp.display.plots import plot_cost

        with pytest.raises(jbp.InvalidArgumentError, match="depth and batch must be at least 1"):
            plot_cost([4, 8], depth=0)
