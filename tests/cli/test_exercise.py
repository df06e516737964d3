"""``jacobian-bp exercise``: list, show, check with exit status 0 (right), 1 (wrong), 2 (unreadable)."""

from __future__ import annotations

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_has_every_exercise(capsys) -> None:
    status, out, err = run(capsys, "exercise", "list")
    assert status == 0 and err == ""
    assert len(out.strip().splitlines()) == len(jbp.exercises.EXERCISES) + 1
    assert "The zero blocks of ∂H¹/∂A¹ for a batch" in out


def test_show_prints_statement_and_hints_and_the_solution_on_request(capsys) -> None:
    status, out, _ = run(capsys, "exercise", "show", "4")
    assert status == 0 and "The shape of ∂J/∂w²" in out and "hint 1:" in out and "1x3" not in out
    status, out, _ = run(capsys, "exercise", "show", "4", "--solution")
    assert status == 0 and "solution: 1x3" in out


def test_check_a_right_shape_exits_0_and_a_transposed_one_1(capsys) -> None:
    status, out, _ = run(capsys, "exercise", "check", "4", "1x3")
    assert status == 0 and "correct." in out
    status, out, _ = run(capsys, "exercise", "check", "4", "3×1")
    assert status == 1 and "not correct (transposed)" in out


def test_check_numbers_from_npy_csv_and_a_list(capsys, tmp_path) -> None:
    exercise = jbp.exercises.get(8)
    np.save(tmp_path / "right.npy", exercise.solution)
    np.savetxt(tmp_path / "right.csv", exercise.solution, delimiter=",")
    np.save(tmp_path / "wrong.npy", exercise.mistake)
    assert run(capsys, "exercise", "check", "8", str(tmp_path / "right.npy"))[0] == 0
    assert run(capsys, "exercise", "check", "8", str(tmp_path / "right.csv"))[0] == 0
    status, out, _ = run(capsys, "exercise", "check", "8", str(tmp_path / "wrong.npy"))
    assert status == 1 and "not correct (transposed)" in out and "The correct value:" in out
    assert run(capsys, "exercise", "check", "7", "[[8, 10], [20, 22]]")[0] == 0


def test_check_a_formula(capsys) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    status, out, _ = run(capsys, "exercise", "check", "2", "-(t - z)*sigma_prime(a2)*h1")
    assert status == 0
    status, out, _ = run(capsys, "exercise", "check", "2", "-(t - z) σ′(a²) (1 − σ(a²)) h₁")
    assert status == 1 and "extra_one_minus_sigma" in out and "[∂z/∂a²]" in out


def test_a_folder_of_answers_graded_in_a_loop(capsys, tmp_path) -> None:
    exercise = jbp.exercises.get(6)
    answers = {"ada": exercise.solution, "bob": exercise.mistake, "cy": -exercise.solution}
    statuses = {}
    for student, answer in answers.items():
        np.save(tmp_path / f"{student}.npy", answer)
        statuses[student] = run(capsys, "exercise", "check", "6", str(tmp_path / f"{student}.npy"))[0]
    assert statuses == {"ada": 0, "bob": 1, "cy": 1}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["exercise", "show", "99"], "unknown exercise '99'; valid choices are '1', '2'"),
        (["exercise", "check", "0", "1x3"], "unknown exercise '0'"),
        (["exercise", "check", "6", "missing.npy"], "cannot read the answer file 'missing.npy': no such file"),
        (["exercise", "check", "6", "zero point one"], "cannot read 'zero point one' as numbers"),
        (["exercise", "check", "4", "three by one"], "cannot read 'three by one' as a shape"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(capsys, argv, message) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("jacobian-bp: error:") and message in err


def test_an_unreadable_file_exits_2(capsys, tmp_path) -> None:
    broken = tmp_path / "answer.csv"
    broken.write_text("0.1, zero\n")
    status, _, err = run(capsys, "exercise", "check", "6", str(broken))
    assert status == 2 and f"cannot read the answer file {str(broken)!r}" in err
    garbage = tmp_path / "answer.npy"
    garbage.write_bytes(b"not numpy")
    assert run(capsys, "exercise", "check", "6", str(garbage))[0] == 2


def test_a_formula_that_does_not_parse_exits_2(capsys) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    status, out, err = run(capsys, "exercise", "check", "3", "(z - t) σ′(a² w²₁")
    assert status == 2 and out == ""
    assert "cannot read the formula" in err and "a ')' should close σ′(" in err and "allowed:" in err


def test_usage_errors_exit_2(capsys) -> None:
    for argv in (["exercise"], ["exercise", "check", "4"], ["exercise", "grade", "4", "1x3"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
