"""The main job: ``jacobian-bp walkthrough``."""

import subprocess
import sys

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.cli import main


def test_walkthrough_shows_every_step(capsys) -> None:
    assert main(["walkthrough"]) == 0
    text = capsys.readouterr().out
    for expected in (
        "Forward pass",
        "R^{1×1} ",
        "R^{3×(3×2)}",
        "block-sparse",
        "diagonal",
        "∂a¹₂/∂W¹",
        "reshape",
        "slices",
        "einsum",
        "outer product",
        "Algorithm 6.4",
        "Finite differences",
        "all agree",
    ):
        assert expected in text, expected


def test_walkthrough_numbers_are_the_engines(capsys) -> None:
    main(["walkthrough", "--seed", "3", "--x", "0.25", "-1.5", "--t", "0.0"])
    text = capsys.readouterr().out
    net = jbp.notes_network(seed=3)
    d_J_d_b2 = jbp.gradient(net, np.array([0.25, -1.5]), 0.0)["b2"][0]
    assert f"{d_J_d_b2:.4f}" in text


def test_no_subcommand_runs_the_walkthrough(capsys) -> None:
    assert main([]) == 0
    assert "Every method side by side" in capsys.readouterr().out


def test_python_dash_m_runs_the_walkthrough() -> None:
    done = subprocess.run([sys.executable, "-m", "jacobian_bp"], capture_output=True, text=True, check=True)
    assert "all agree" in done.stdout


def test_bad_arguments_exit_with_a_message(capsys) -> None:
    try:
        main(["walkthrough", "--x", "1"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "--x" in capsys.readouterr().err


def test_the_text_walkthrough_fits_a_terminal_and_holds_no_latex(capsys) -> None:
    assert main(["walkthrough"]) == 0
    out = capsys.readouterr().out
    too_long = [line for line in out.splitlines() if len(line) > 79]
    assert not too_long, too_long
    assert "$" not in out and "\\" not in out  # a table's LaTeX cells belong to the other formats
    assert out.count("every method against 'backprop'") == 1  # the comparison is printed once
