"""Compiling LaTeX in the tests: run pdflatex on a document and read its log for errors and boxes that do not fit.

Shared by the lecture's slides and handout (tests/display/test_lecture.py) and
the exercise sheet (tests/cli/test_exercise.py): every LaTeX document the
package writes compiles with no error and no overfull box wider than 1 pt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: Why a compile test is skipped where TeX Live is missing.
NO_PDFLATEX = "pdflatex is not installed (Debian's texlive-latex-extra; .ci/run installs it in CI)"

#: How much a box may stick out (or a frame overflow at the bottom) before it shows on the page, in pt.
TOLERANCE_PT = 1.0


def skip_without_pdflatex() -> None:
    """Skip the calling test, with the reason, where pdflatex is not installed."""
    if shutil.which("pdflatex") is None:
        pytest.skip(NO_PDFLATEX)


def compile_latex(tex: str, folder: Path, name: str) -> str:
    """Compile ``tex`` as ``folder/name.tex`` with pdflatex; its log. Fails the test if no PDF comes out."""
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = (folder / f"{name}.log").read_text(encoding="latin-1")
    assert done.returncode == 0 and (folder / f"{name}.pdf").exists(), f"{name}: {log[-2000:]}"
    return log


def overfull_boxes(log: str) -> dict[str, list[float]]:
    """How many pt each overfull box of a pdflatex log sticks out: ``{"wide": [...], "high": [...]}``.

    >>> overfull_boxes("Overfull \\\\hbox (46.25908pt too wide) in paragraph at lines 22--23")
    {'wide': [46.25908], 'high': []}
    """
    return {
        "wide": [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)],
        "high": [float(x) for x in re.findall(r"Overfull \\vbox \(([\d.]+)pt too high\)", log)],
    }


def assert_typeset_cleanly(name: str, log: str) -> None:
    """No error in the log, and no box wider (or frame higher) than the page by more than :data:`TOLERANCE_PT`."""
    assert not re.search(r"^! ", log, re.M), name
    boxes = overfull_boxes(log)
    assert max(boxes["wide"], default=0.0) <= TOLERANCE_PT, (name, boxes["wide"])
    assert max(boxes["high"], default=0.0) <= TOLERANCE_PT, (name, boxes["high"])  # a frame cut off at the bottom
