"""SymPy stays optional: never imported by ``import jacobian_bp``, and a clear error when it is missing.

Each check runs in a fresh interpreter, since this test session has imported
SymPy long ago. Hiding SymPy is done by ``sys.modules["sympy"] = None``, which
makes ``import sympy`` fail exactly as it does when SymPy is not installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from jacobian_bp.cli import main


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )


def test_importing_the_package_and_using_numbers_imports_neither_sympy_nor_matplotlib() -> None:
    result = run_python(
        """
        import sys
        import numpy as np
        import jacobian_bp as jbp
        net = jbp.notes_network()
        chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
        tex = chain.factors[-1].to_latex() + chain.contract()._repr_html_()
        jbp.gradient(net, [1.0, 0.5], 1.0, method="einsum")
        assert r"\\begin{bmatrix}" in tex
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("sympy", "matplotlib")))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_sympy_the_symbolic_api_names_the_extra_to_install() -> None:
    result = run_python(
        """
        import sys
        sys.modules["sympy"] = None  # what an environment without SymPy looks like to import
        import numpy as np
        import jacobian_bp as jbp
        print(jbp.notes_network().loss([1.0, 0.5], 1.0) > 0)  # the numeric engine is unaffected
        print(jbp.Jacobian(np.eye(2), (2,), (2,), "∂h/∂a").to_latex(label=False).count("&"))
        for attempt in ("import jacobian_bp.symbolic", "jbp.symbolic",
                        "jbp.ACTIVATIONS['sigmoid'].value(np.array([1], dtype=object))"):
            try:
                exec(attempt)
            except jbp.MissingDependencyError as error:
                assert isinstance(error, ImportError)
                print(type(error).__name__, "|", error)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[:2] == ["True", "2"]
    assert len(lines) == 5
    for line in lines[2:]:
        assert line.startswith("MissingDependencyError | ")
        assert "SymPy" in line and "pip install 'jacobian_bp[symbolic]'" in line


def test_cli_without_sympy_fails_cleanly() -> None:
    result = run_python(
        """
        import sys
        sys.modules["sympy"] = None
        from jacobian_bp.cli import main
        sys.exit(main(["walkthrough", "--symbolic"]))
        """
    )
    assert result.returncode == 2
    assert "jacobian-bp: error:" in result.stderr and "'symbolic' extra" in result.stderr
    assert "Traceback" not in result.stderr


# ── the symbolic walkthrough on the command line ─────────────────────────────


def test_cli_symbolic_text(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sympy", reason="the symbolic walkthrough needs the 'symbolic' extra")
    assert main(["walkthrough", "--symbolic"]) == 0
    out = capsys.readouterr().out
    for expected in ("w¹₁₁", "σ′(a¹₁)", "∂a¹₁/∂W¹", "R^{3×(3×2)}", "identical expressions: yes"):
        assert expected in out
    difference = re.search(r"to within (\d\.\de[+-]\d+)", out)
    assert difference and float(difference[1]) < 1e-12


def test_cli_symbolic_latex_is_a_balanced_document(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sympy", reason="the symbolic walkthrough needs the 'symbolic' extra")
    assert main(["walkthrough", "--symbolic", "--format", "latex", "--seed", "2", "--x", "0.5", "-1", "--t", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
    assert out.count("{") == out.count("}") and out.count(r"\[") == out.count(r"\]")
    assert out.count(r"\begin{") == out.count(r"\end{")
    assert r"\sigma'\left(a^{1}_{1}\right)" in out and "x = (0.5, -1), t = 0" in out
    assert not re.search(r"[∂σ′¹²³₁₂₃×]", out.split(r"\begin{document}")[1])  # no Unicode math in the TeX body


def test_cli_symbolic_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sympy", reason="the symbolic walkthrough needs the 'symbolic' extra")
    assert main(["walkthrough", "--symbolic", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ") and out.count("$$") % 2 == 0 and out.count("\n## ") >= 7
    assert r"\begin{array}{cc|cc|cc}" in out  # the flattened ∂a¹/∂W¹ with its column groups
