"""``jacobian-bp train``: training from the command line, with a progress bar and an optional plot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jacobian_bp.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_xor_with_the_defaults_reaches_full_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "train", "--dataset", "xor")
    assert code == 0
    assert "final accuracy 100.0%" in out
    assert "final loss" in out
    # stderr is not a terminal here: no progress bar, in either stream
    assert err == "" and "[#" not in out


def test_train_with_a_materializing_method_and_settings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "train", "--dataset", "xor", "--method", "einsum", "--lr", "2", "--epochs", "30", "--seed", "1"
    )
    assert code == 0
    assert "'einsum'" in out and "30 epochs" in out and "lr 2" in out
    assert err == ""


def test_train_regression_reports_no_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "train", "--dataset", "regression", "--epochs", "5", "--no-progress")
    assert code == 0 and "final loss" in out and "accuracy" not in out


def test_train_with_mini_batches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "train", "--dataset", "moons", "--epochs", "2", "--batch-size", "50", "--no-progress")
    assert code == 0 and "8 steps" in out and err == ""


def test_plot_writes_a_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "loss.png"
    code, out, _ = run(capsys, "train", "--epochs", "20", "--no-progress", "--plot", str(target))
    assert code == 0 and str(target) in out
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--batch-size", "99"], "--batch-size 99 is larger than the training set (4 examples)"),
        (["--plot", "loss.unknown"], "cannot tell the image format"),
    ],
)
def test_bad_values_exit_with_status_2_and_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "train", "--no-progress", *argv)
    assert code == 2
    assert message in err and err.startswith("jacobian-bp: error:")
    assert out == ""


@pytest.mark.parametrize(
    "argv",
    [["--dataset", "mnist"], ["--method", "adam"], ["--epochs", "many"], ["--lr", "fast"], ["--colour", "red"]],
)
def test_unparseable_arguments_exit_with_status_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["train", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: jacobian-bp" in err and "error:" in err


def test_missing_matplotlib_is_a_clear_error(capsys: pytest.CaptureFixture[str], monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    code, _, err = run(capsys, "train", "--no-progress", "--plot", str(tmp_path / "loss.png"))
    assert code == 2 and "pip install 'jacobian_bp[plot]'" in err


def test_walkthrough_is_still_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "walkthrough" in out


def test_console_entry_and_lazy_matplotlib() -> None:
    # A fresh interpreter: importing the package does not import matplotlib, and the module entry point
    # returns 2 for a bad value.
    lazy = subprocess.run(
        [sys.executable, "-c", "import sys, jacobian_bp; print('matplotlib' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lazy.stdout.strip() == "False"
    bad = subprocess.run(
        [sys.executable, "-m", "jacobian_bp", "train", "--lr", "-2", "--no-progress"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "argument --lr: must be a positive finite number" in bad.stderr
