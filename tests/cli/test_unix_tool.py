"""``jacobian-bp`` behaves like a Unix tool: version, help pages, progress only on a terminal, errors in flags."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.cli import build_parser, main

COMMANDS = ("walkthrough", "train", "cost", "plot", "exercise")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# ----------------------------------------------------------------------------------------------- version and help


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"jacobian-bp {jbp.__version__}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_has_a_one_line_description_and_an_example() -> None:
    parsers = subcommands()
    assert set(parsers) == set(COMMANDS)
    for name, parser in parsers.items():
        assert parser.description and "\n" not in parser.description and len(parser.description) <= 110, name
        help_text = parser.format_help()
        assert parser.description in help_text
        assert "example" in help_text and f"\n  jacobian-bp {name}" in help_text, name


# ----------------------------------------------------------------------------------------------- train


def test_progress_bar_only_on_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, "train", "--epochs", "3")  # stderr captured: not a terminal
    assert code == 0 and err == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", "--epochs", "3"]) == 0
    assert "\r[" in terminal.getvalue() and "epoch 3/3" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    assert main(["train", "--epochs", "3", "--no-progress"]) == 0
    assert terminal.getvalue() == ""


def test_train_prints_each_final_figure_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "train", "--epochs", "40")
    assert code == 0
    final_loss = out.split("final loss ")[1].split()[0]
    accuracy = out.split("final accuracy ")[1].split()[0]
    assert out.count(final_loss) == 1 and out.count(accuracy) == 1, out


def test_singular_and_plural(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "train", "--epochs", "1")
    assert "1 epoch, 1 step " in out and "(4 examples)" in out
    _, out, _ = run(capsys, "cost", "--batch", "1")
    assert "batch of 1 example\n" in out
    _, out, _ = run(capsys, "cost", "--batch", "2", "--methods", "outer")
    assert "batch of 2 examples\n" in out
    one = jbp.MLP([1, 1], activation="sigmoid")
    contraction = jbp.contract_structured(jbp.jacobian_chain(one, [1.0], [1.0], wrt="b1").factors)
    assert ": scale, 1 multiply-add" in str(contraction) and "multiply-adds" not in str(contraction.steps[0])


def test_a_stalled_run_warns_on_stderr_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "train", "--lr", "1e6", "--epochs", "60")
    assert code == 0 and "final loss" in out
    assert err.startswith("jacobian-bp: warning: the training loss has not decreased in 50 epochs")
    assert err.count("\n") == 1 and "TrainingWarning" not in err


def test_a_diverging_run_is_an_error_naming_the_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "train", "--dataset", "regression", "--lr", "1e6")
    assert code == 2 and out == ""
    assert err.startswith("jacobian-bp: error: training stopped after epoch") and "smaller learning rate" in err


# ----------------------------------------------------------------------------------------------- errors in flags


def test_a_memory_budget_error_speaks_in_the_commands_flags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "1K")
    code, _, err = run(capsys, "train", "--dataset", "moons", "--method", "einsum", "--epochs", "1")
    assert code == 2 and "would take" in err and "nothing was allocated" in err
    assert "--method outer or --method backprop" in err and "--batch-size" in err
    assert "method='" not in err and "max_bytes=" not in err
    code, _, err = run(capsys, "cost", "--sizes", "8", "8", "8")  # the orders table materializes one example
    assert code == 2 and "--methods outer backprop" in err and "method='" not in err
    assert "JACOBIAN_BP_MAX_BYTES=4G" in err


def test_library_errors_keep_their_python_advice() -> None:
    with pytest.raises(jbp.MemoryBudgetError, match="method='outer' or method='backprop'") as caught:
        jbp.gradient(jbp.notes_network(), np.zeros((4, 2)), np.zeros(4), method="einsum", max_bytes=64)
    assert str(caught.value) == f"{caught.value.fact} {caught.value.advice}"


# ----------------------------------------------------------------------------------------------- cost --timings


def test_cost_timings_skips_paths_over_the_budget_and_prints_rows_as_they_finish(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jacobian_bp.methods import gradient as gradients

    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "512")  # the per-example ∂a¹/∂W¹ of 4 examples takes 576 bytes
    seen: dict[str, str] = {}
    ran: list[str] = []

    def spy(method: str):
        path = gradients.PATHS[method]

        def timed(*args, **kwargs):
            ran.append(method)
            seen[method] = capsys.readouterr().out  # what the user has seen when this path starts
            return path(*args, **kwargs)

        return timed

    for method in jbp.METHODS:
        monkeypatch.setitem(gradients.PATHS, method, spy(method))
    code = main(["cost", "--batch", "4", "--timings"])
    rest = capsys.readouterr().out
    assert code == 0
    materializing = ("reshape", "slices", "einsum", "structured")
    assert not set(materializing) & set(ran)  # checked against the budget, never started
    # Before anything ran, the skipped paths were named.
    assert "not run: reshape, slices, einsum, structured" in seen["backprop"]
    # Rows appear as they finish: when numeric starts, every row above it is out, and its own is not.
    shown = "".join(seen[m] for m in ran[: ran.index("numeric") + 1])
    for method in ("scalar", *materializing, "outer", "backprop"):
        assert any(line.startswith(method) for line in shown.splitlines()), method
    assert not any(line.startswith("numeric") for line in shown.splitlines())
    assert any(line.startswith("numeric") and line.endswith("yes") for line in rest.splitlines())
    # the note wraps onto indented lines under its row, so that the table fits 79 columns
    assert "skipped: its largest Jacobian, 576 B, is over the memory budget of 512 B" in " ".join(shown.split())
    table = [line for line in shown.splitlines() if not line.startswith(("MLP(", "not run:"))]
    assert max(len(line) for line in table) <= 79


# ----------------------------------------------------------------------------------------------- pipes


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written, as with `| head -0`
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "jacobian_bp", "cost"], stdout=write_end, stderr=subprocess.PIPE, text=True, env=env
    )
    os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.returncode == 1


def test_cost_timings_says_on_a_terminal_which_path_it_is_timing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["cost", "--timings", "--methods", "outer", "numeric"]) == 0
    status = terminal.getvalue()
    assert "\rtiming outer …" in status and "\rtiming numeric …" in status
    assert status.endswith("\r") and "timing" not in capsys.readouterr().out  # wiped, and never in the results
