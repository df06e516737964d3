"""Every page a student reads, opened in headless Chromium at 1280 px with the network off.

The measurements are those of ``scripts/check_site.py`` (run it to get screenshots): no block,
table or equation scrolls sideways, every figure shows at ≥ 80% of its drawn size with labels of
≥ 11 px, no TeX is left as text, MathJax reports no error, every image loads. The site is the one
the session builds once (tests/site.py), shared with the notebook tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_docs_tooling import ROOT, load_script

check_site = load_script(ROOT / "scripts" / "check_site.py")


@pytest.fixture(scope="module")
def chromium_tab():
    """One headless Chromium tab for the module (Playwright's sync client allows one at a time)."""
    executable = check_site.chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM)")
    pytest.importorskip("playwright", reason="driving Chromium needs playwright (test extra)")
    with check_site.browser_page(executable) as tab:
        yield tab


@pytest.fixture(scope="module")
def browser_tab(chromium_tab, built_site: Path):
    """The tab, and the base URL of the built site served from 127.0.0.1."""
    with check_site.serve(built_site) as base:
        yield chromium_tab, base


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


#: A page with one of every problem, and a fake MathJax that reports itself done.
BROKEN_PAGE = """<!doctype html><html><head><style>article { width: 600px; } pre { overflow: auto; }</style>
<script>window.MathJax = {startup: {promise: Promise.resolve()}};</script></head><body><article>
<pre><code>LONG_LINE</code></pre>
<p>Left as text: \\frac{a}{b} and $x$.</p>
<details><summary>Folded</summary><table style="display: block; overflow: auto"><tr><td>LONG_WORD</td></tr></table>
</details>
<div class="notebook-output notebook-figure"><svg width="1200" height="100" viewBox="0 0 1200 100"
 style="max-width: 100%; height: auto"><text x="10" y="50" style="font-size: 12px">tiny</text></svg></div>
<img src="missing.png" alt="gone">
<mjx-merror data-mjx-error="Undefined control sequence"></mjx-merror>
</article></body></html>"""


def test_the_browser_measurements_catch_each_problem(chromium_tab, tmp_path: Path) -> None:
    page = BROKEN_PAGE.replace("LONG_LINE", "x" * 300).replace("LONG_WORD", "y" * 300)
    (tmp_path / "index.html").write_text(page, encoding="utf8")
    with check_site.serve(tmp_path) as base:
        report = check_site.judge("broken", check_site.measure(chromium_tab, base))
    problems = "\n".join(report.problems)
    assert "scrolls sideways: pre" in problems
    assert "scrolls sideways: table" in problems, "a folded table is measured open"
    assert "figure 1 shown at 50% of its size" in problems
    assert "figure 1: label 'tiny' is 6.0 px tall" in problems
    assert "image did not load: missing.png" in problems
    assert "raw TeX: 'Left as text: \\\\frac{a}{b} and $x$.'" in problems
    assert "MathJax error: Undefined control sequence" in problems
