"""Every page a student reads, opened in headless Chromium at 1280 px with the network off.

The measurements are those of ``scripts/check_site.py`` (run it to get screenshots): no block,
table or equation scrolls sideways, every figure shows at ≥ 80% of its drawn size with labels of
≥ 11 px, no TeX is left as text, MathJax reports no error, every image loads. The site is the one
the session builds once (tests/site.py), shared with the notebook tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .site import built_site  # noqa: F401 — the session fixture
from .test_docs_tooling import ROOT, load_script

check_site = load_script(ROOT / "scripts" / "check_site.py")


@pytest.fixture(scope="module")
def browser_tab(built_site: Path):  # noqa: F811
    """One Chromium tab on the built site, served from 127.0.0.1: ``(tab, base URL)``."""
    executable = check_site.chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM)")
    pytest.importorskip("playwright", reason="driving Chromium needs playwright (test extra)")
    with check_site.serve(built_site) as base, check_site.browser_page(executable) as tab:
        yield tab, base


@pytest.mark.parametrize("page", check_site.PAGES, ids=lambda page: page.strip("/") or "home")
def test_the_page_reads_well_at_1280_px(page: str, browser_tab) -> None:
    tab, base = browser_tab
    measured = check_site.measure(tab, base + page)
    report = check_site.judge(page or "home", measured)
    assert measured["typeset"] > 0, "no formula was typeset"
    assert not report.problems, "\n".join(report.problems)


def test_the_judge_names_every_kind_of_problem() -> None:
    measured = {
        "typeset": 3,
        "scrolling": ["pre: a long line (900 px in 700 px)"],
        "figures": [
            {"natural": 1000, "shown": 700, "smallest": 12.0, "smallestText": "x"},
            {"natural": 500, "shown": 500, "smallest": 8.0, "smallestText": "w¹₁₁"},
        ],
        "images": [{"src": "gone.png", "loaded": False, "natural": 0, "shown": 0}],
        "rawTex": ["\\frac{a}{b}"],
        "errors": ["Undefined control sequence \\fracc"],
    }
    problems = check_site.judge("page", measured).problems
    assert problems == [
        "scrolls sideways: pre: a long line (900 px in 700 px)",
        "figure 1 shown at 70% of its size",
        "figure 2: label 'w¹₁₁' is 8.0 px tall",
        "image did not load: gone.png",
        "raw TeX: '\\\\frac{a}{b}'",
        "MathJax error: Undefined control sequence \\fracc",
    ]
    fine = {**measured, "scrolling": [], "images": [], "rawTex": [], "errors": [], "figures": measured["figures"][:0]}
    assert check_site.judge("page", fine).problems == []
