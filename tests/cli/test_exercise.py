"""``jacobian-bp exercise``: list, show, check with exit status 0 (right), 1 (wrong), 2 (unreadable)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.cli import main
from jacobian_bp.exercises.handout import ANSWER_FORMS, code_lines

from ..typesetting import assert_typeset_cleanly, compile_latex, skip_without_pdflatex


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


# ---------------------------------------------------------------------------------------------
# Answers as typed: a leading minus, a file, standard input.


@pytest.mark.parametrize("answer", ["-(t-z)*z*(1-z)*h1", "-h1*(t-z)*z*(1-z)", "-(t - z)*sigma_prime(a2)*h1"])
def test_an_answer_starting_with_a_minus_is_read_as_typed(capsys, answer) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    status, out, err = run(capsys, "exercise", "check", "2", answer)
    assert (status, err) == (0, "") and "correct." in out
    status, out, _ = run(capsys, "exercise", "check", "2", answer, "--no-reveal")
    assert status == 0


def test_an_answer_from_a_text_file_or_standard_input(capsys, tmp_path, monkeypatch) -> None:
    (tmp_path / "answer.txt").write_text("1x3\n")
    assert run(capsys, "exercise", "check", "4", str(tmp_path / "answer.txt"))[0] == 0
    (tmp_path / "numbers.txt").write_text("8, 10\n20, 22\n")
    assert run(capsys, "exercise", "check", "7", str(tmp_path / "numbers.txt"))[0] == 0
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"3x1\n")))
    status, out, _ = run(capsys, "exercise", "check", "4", "-")
    assert status == 1 and "transposed" in out


def test_no_example_in_the_help_or_a_statement_is_an_answer(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["exercise", "--help"])
    out = capsys.readouterr().out
    assert "1x3" not in out and "sigma_prime(a2)*h1" not in out
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    examples = re.findall(r'"([^"]+)"', ANSWER_FORMS["formula"])
    for seed in (None, 0, 1, 2, 3):
        for exercise in jbp.exercises.every(seed):
            if exercise.kind == "formula":
                assert not any(exercise.check(example).correct for example in examples)
            if exercise.kind == "shape":
                assert exercise.check("2x5").mistake is not None


# ---------------------------------------------------------------------------------------------
# Variants on the command line.


def test_show_and_check_a_students_variant(capsys) -> None:
    variant = jbp.exercises.get(8, seed=jbp.exercises.seed_for("s1234567"))
    status, out, _ = run(capsys, "exercise", "show", "8", "--student", "s1234567")
    assert status == 0 and variant.statement in out
    assert run(capsys, "exercise", "show", "8", "--seed", str(variant.seed))[1] == out
    answer = json.dumps(variant.solution.tolist())
    assert run(capsys, "exercise", "check", "8", answer, "--student", "s1234567")[0] == 0
    assert run(capsys, "exercise", "check", "8", answer)[0] == 1  # another student's numbers


def digits_of(values: np.ndarray) -> list[str]:
    """The ways a correct value could be printed: 4 and 6 significant digits."""
    return [f"{v:.4g}" for v in np.ravel(values)] + [f"{v:.6g}" for v in np.ravel(values)]


def test_no_reveal_says_what_is_wrong_without_the_correct_value(capsys) -> None:
    variant = jbp.exercises.get(6, seed=11)
    answer = json.dumps((-variant.solution).tolist())
    status, out, _ = run(capsys, "exercise", "check", "6", answer, "--seed", "11", "--no-reveal")
    assert status == 1 and "sign" in out and "The correct value" not in out
    assert not any(text in out for text in digits_of(variant.solution))
    status, out, _ = run(capsys, "exercise", "check", "6", answer, "--seed", "11")
    assert "The correct value" in out


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["show", "6", "--seed", "-1"], "--seed"),
        (["show", "6", "--seed", "nan"], "--seed"),
        (["check", "6", "[1]", "--seed", "123456789012345678901234567890"], "--seed"),
        (["show", "6", "--seed", ""], "--seed"),
        (["show", "6", "--student", ""], "--student"),
        (["sheet", "--student", "  "], "--student"),
        (["sheet"], "--seed"),
        (["sheet", "--seed", "1", "--student", "ada"], "--student"),
        (["sheet", "--seed", "1", "--format", "pdf"], "--format"),
    ],
)
def test_hostile_flags_are_a_one_line_error_naming_the_flag(capsys, argv, flag) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["exercise", *argv])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and flag in err.splitlines()[-1] and "Traceback" not in err


def test_grade_a_folder_that_is_not_one_exits_2(capsys, tmp_path) -> None:
    status, out, err = run(capsys, "exercise", "grade", str(tmp_path / "nowhere"))
    assert status == 2 and out == "" and "is not a folder" in err


# ---------------------------------------------------------------------------------------------
# Sheets and keys.


def answers_of(seed: int) -> list[str]:
    """Every answer of a variant as a key would print it: formulas and shapes, and numbers' digits."""
    texts = []
    for exercise in jbp.exercises.every(seed):
        if isinstance(exercise.solution, str):
            texts.append(exercise.solution)
        elif exercise.number in (6, 8, 10):  # the computed ones (the others' entries are 0, 1 or the inputs)
            texts += digits_of(exercise.solution)
    return texts


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_a_sheet_has_every_exercise_and_no_answer_and_the_key_has_them_all(capsys, fmt) -> None:
    status, sheet, _ = run(capsys, "exercise", "sheet", "--student", "s7", "--format", fmt)
    assert status == 0
    seed = jbp.exercises.seed_for("s7")
    assert all(f"Exercise {n}" in sheet for n in range(1, 11))
    assert not any(answer in sheet for answer in answers_of(seed)) and "Worked solution" not in sheet
    status, key, _ = run(capsys, "exercise", "sheet", "--seed", str(seed), "--format", fmt, "--key")
    assert "Worked solution" in key
    if fmt == "markdown":
        assert all(e.solution in key for e in jbp.exercises.every(seed) if isinstance(e.solution, str))
    else:
        assert key.startswith("\\documentclass") and key.rstrip().endswith("\\end{document}") and key.isascii()


@given(st.text(alphabet=" ab,*_()[]-.0123456789", max_size=200), st.integers(0, 6), st.integers(8, 80))
def test_code_lines_on_a_sheet_are_wrapped_to_the_width_and_lose_nothing(text, indent, width) -> None:
    line = " " * indent + text
    wrapped = code_lines(line, width=width)
    assert all(len(piece) <= width for piece in wrapped)
    assert "".join(wrapped).replace(" ", "") == line.replace(" ", "")
    assert all(piece.startswith(" " * min(indent + 2, width // 2)) for piece in wrapped[1:])
    if line and len(line) <= width and line == line.rstrip():
        assert wrapped == [line]  # a line that fits is left as it is, its spaces and all


#: A teacher's exercise the sheet was not written for: a line of code far wider than the page, a long typed
#: answer with no space to break at, and Unicode beyond the notes' (Greek letters, <, >, an accent, a bar on %).
LONG_CODE = "  W = [" + ", ".join(f"{0.1234567 * k:.7f}" for k in range(-9, 9)) + "]"
LONG_ANSWER = "*".join(f"sigma_prime(a1_{k})*w2_{k}" for k in range(1, 6))
UNDESIGNED = (
    f'Write ∂J/∂θ for λ ≥ 0, <ς>, Ω, Δ, é, xⁿ and %\u0304:\n{LONG_CODE}\n  {LONG_ANSWER}\nType it as "{LONG_ANSWER}".'
)


@pytest.mark.parametrize("key", [False, True])
def test_the_latex_sheet_and_key_compile_and_fit_the_page(tmp_path, key) -> None:
    skip_without_pdflatex()
    shape = jbp.exercises.definition(4)
    hint = f'A hint with the same: "{LONG_ANSWER}", and ½‖x‖².'
    jbp.exercises.register(replace(shape, number=11, slug="undesigned", statement=UNDESIGNED, hints=(hint,)))
    try:
        for seed in (None, 5, jbp.exercises.seed_for("s1234567")):
            log = compile_latex(jbp.exercises.sheet(seed=seed, format="latex", key=key), tmp_path, f"sheet-{seed}")
            assert (tmp_path / f"sheet-{seed}.pdf").stat().st_size > 1000
            assert_typeset_cleanly(f"seed {seed}, key {key}", log)  # long formulas and code break, none overflows
    finally:
        jbp.exercises.unregister(11)


# ---------------------------------------------------------------------------------------------
# A class graded at once.


def write_answer(folder, exercise, answer) -> None:
    folder.mkdir(exist_ok=True)
    if exercise.kind == "numbers":
        np.save(folder / f"{exercise.number}.npy", answer)
    else:
        (folder / f"{exercise.number}.txt").write_text(str(answer))


def test_grade_a_folder_of_right_wrong_missing_and_garbage(capsys, tmp_path) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    canary = tmp_path / "ran"
    ada = jbp.exercises.every(jbp.exercises.seed_for("ada"))
    bob = jbp.exercises.every(jbp.exercises.seed_for("bob"))
    for exercise in ada:
        write_answer(tmp_path / "ada", exercise, exercise.solution)
    for exercise in bob[:7]:
        write_answer(tmp_path / "bob", exercise, exercise.mistake)
    cy = tmp_path / "cy"
    cy.mkdir()
    (cy / "2.txt").write_text(f"__import__('os').system('touch {canary}')")
    (cy / "3.txt").write_text("(h1 + h2)^100000")
    (cy / "4.txt").write_bytes(b"\xff\xfe\x00")
    (cy / "6.npy").write_bytes(b"\x93NUMPY garbage")
    (cy / "7.csv").write_text("1, zero\n")
    (cy / "8.txt").write_text("[" * 3000)
    np.save(cy / "9.npy", np.array([object()], dtype=object), allow_pickle=True)
    (cy / "10.npy").symlink_to(tmp_path / "ada" / "10.npy")
    status, out, _ = run(capsys, "exercise", "grade", str(tmp_path))
    assert status == 0 and not canary.exists()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["student"], int(r["exercise"])) for r in rows] == [
        (s, n) for s in ("ada", "bob", "cy") for n in range(1, 11)
    ]
    by = {(r["student"], int(r["exercise"])): r for r in rows}
    assert all(by["ada", n]["correct"] == "true" for n in range(1, 11))
    for exercise in bob[:7]:
        row = by["bob", exercise.number]
        assert row["correct"] == "false" and row["mistake"] == exercise.check(exercise.mistake).mistake != "unknown"
    assert by["bob", 9]["mistake"] == by["bob", 10]["mistake"] == by["cy", 1]["mistake"] == "missing"
    assert all(by["cy", n]["mistake"] == "unreadable" and by["cy", n]["detail"] for n in (2, 3, 4, 6, 7, 8, 9, 10))
    assert "symbolic link" in by["cy", 10]["detail"] and "not UTF-8" in by["cy", 4]["detail"]
    revealed = [
        t
        for e in bob[:7]
        if isinstance(e.solution, np.ndarray) and e.number in (6, 8, 10)
        for t in digits_of(e.solution)
    ]
    assert revealed and not any(text in out for text in revealed)
    assert not any(e.solution in by["bob", e.number]["detail"] for e in bob[:4] if isinstance(e.solution, str))


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch {canary}')",
        "h1*__import__('pathlib').Path('{canary}').touch()",
        "[open('{canary}', 'w') for _ in range(1)]",
        "exec(\"open('{canary}', 'w')\")",
    ],
)
@pytest.mark.parametrize("exercise", ["2", "6"])  # a formula exercise and a numeric one
def test_check_never_runs_what_a_student_typed(capsys, tmp_path, payload, exercise) -> None:
    pytest.importorskip("sympy", reason="formula answers need the 'symbolic' extra")
    canary = tmp_path / "ran"
    typed = payload.format(canary=canary)
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(typed)
    for answer in (typed, str(answer_file)):
        status, out, err = run(capsys, "exercise", "check", exercise, answer)
        assert status in (1, 2) and "Traceback" not in out + err
    assert not canary.exists()
