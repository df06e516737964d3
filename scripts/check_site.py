"""Build the documentation site and look at it the way a reader would: headless Chromium, 1280 px, network off.

    python scripts/check_site.py                         # every page; screenshots in build/site-check/
    python scripts/check_site.py --page weight-tensor/   # one page
    python scripts/check_site.py --site site/            # an already built site, no build

Steps:

1. ``mkdocs build --strict`` into a fresh folder (unless ``--site`` names a built one);
2. serve that folder over HTTP on 127.0.0.1 only (a free port, this process, a thread);
3. open each page in headless Chromium (Debian's ``chromium`` package, driven by Playwright's
   Python client; no browser is downloaded) in a 1280 px window, with every request that does not
   go to the local server refused — a page that tried to fetch a script, a font or a style sheet
   from the web would fail to (the search box's index is refused too: nothing measured reads it);
4. wait for MathJax to finish, then measure in the page: blocks, tables and equations that scroll
   sideways, figures shown below 80% of their natural size, figure labels drawn below 11 px, TeX
   left as text, MathJax errors, images that did not load — and save a full-page screenshot.

It exits non-zero if any page has a problem, listing them. ``tests/test_site_in_browser.py``
runs the same measurements over the site the test session builds once.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "site-check"
WIDTH, HEIGHT = 1280, 900
#: The pages a reader of the walkthrough opens: the home page, the 13 steps, the errata and the exercises.
PAGES = (
    "",
    "notation/",
    "forward-pass/",
    "per-weight/",
    "matrix-form/",
    "activation-jacobian/",
    "weight-tensor/",
    "outer-product/",
    "batches/",
    "backprop/",
    "efficiency/",
    "beyond/",
    "training/",
    "symbolic/",
    "errata/",
    "exercises/",
    "lecturers/",
)
#: A figure must be shown at no less than this share of its drawn size, its labels no smaller than this.
MIN_FIGURE_SCALE = 0.8
MIN_LABEL_PX = 11.0

#: Runs in the page once MathJax is done; returns every measurement as plain data.
MEASURE = r"""
() => {
  const article = document.querySelector("article") || document.body;
  // Folded blocks (checks, solutions) are measured open, as a reader who opens them sees them.
  for (const fold of article.querySelectorAll("details")) fold.open = true;
  const describe = (el) => {
    const text = (el.innerText || el.textContent || "").trim().replace(/\s+/g, " ");
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." +
      el.className.split(" ")[0] : ""}: ${text.slice(0, 70)}`;
  };
  // Anything that could scroll sideways: code and output blocks, tables (and Material's wrappers
  // around them), display equations, rich outputs, and the page itself.
  const scrolling = [];
  const candidates = article.querySelectorAll(
    "pre, pre > code, table, .md-typeset__scrollwrap, .arithmatex, mjx-container, .notebook-output, " +
    ".admonition, details"
  );
  for (const el of candidates) {
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      scrolling.push(`${describe(el)} (${el.scrollWidth} px in ${el.clientWidth} px)`);
    }
  }
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
    scrolling.push(`the page itself (${document.documentElement.scrollWidth} px wide)`);
  }
  // Figures: an SVG output at its natural (drawn) size, and every text of it in screen pixels.
  const figures = [];
  for (const svg of article.querySelectorAll(".notebook-figure > svg")) {
    const natural = svg.width.baseVal.value;
    const shown = svg.getBoundingClientRect().width;
    let smallest = Infinity, smallestText = "";
    for (const text of svg.querySelectorAll("text")) {
      const ctm = text.getScreenCTM();
      if (!ctm || !text.textContent.trim()) continue;
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
      if (size < smallest) { smallest = size; smallestText = text.textContent.trim(); }
    }
    figures.push({natural, shown, smallest: smallest === Infinity ? null : smallest, smallestText});
  }
  const images = [];
  for (const img of article.querySelectorAll("img")) {
    images.push({src: img.getAttribute("src").slice(0, 80), loaded: img.complete && img.naturalWidth > 0,
                 natural: img.naturalWidth, shown: img.getBoundingClientRect().width});
  }
  // TeX left as text: outside code, MathJax's output and scripts, no TeX command or delimiter.
  const rawTex = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest("pre, code, mjx-container, script, style, svg, .katex")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const commands = "frac|partial|mathbb|begin|end|left|right|sigma|cdot|top|odot|times|in|quad|text|mathrm";
  const tex = new RegExp(`\\\\(${commands})\\b|\\$\\$|\\\\\\[|\\\\\\(|\\$[^\\s$]`);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    if (tex.test(text)) rawTex.push(text.trim().slice(0, 80));
  }
  const errors = [...article.querySelectorAll("mjx-merror")].map(
    (el) => el.getAttribute("data-mjx-error") || el.textContent.slice(0, 80));
  return {scrolling, figures, images, rawTex, errors,
          typeset: article.querySelectorAll("mjx-container").length};
}
"""


@dataclass
class PageReport:
    """What the browser measured on one page, and the problems it found."""

    page: str
    typeset: int = 0
    figures: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def judge(page: str, measured: dict[str, Any]) -> PageReport:
    """The problems of a page, from the browser's measurements."""
    report = PageReport(page, measured["typeset"], measured["figures"])
    report.problems += [f"scrolls sideways: {what}" for what in measured["scrolling"]]
    for number, figure in enumerate(measured["figures"], start=1):
        scale = figure["shown"] / figure["natural"] if figure["natural"] else 0.0
        if scale < MIN_FIGURE_SCALE:
            report.problems.append(f"figure {number} shown at {scale:.0%} of its size")
        if figure["smallest"] is not None and figure["smallest"] < MIN_LABEL_PX:
            report.problems.append(
                f"figure {number}: label {figure['smallestText']!r} is {figure['smallest']:.1f} px tall"
            )
    for image in measured["images"]:
        if not image["loaded"]:
            report.problems.append(f"image did not load: {image['src']}")
        elif image["natural"] and image["shown"] / image["natural"] < MIN_FIGURE_SCALE:
            report.problems.append(f"image {image['src']} shown at {image['shown'] / image['natural']:.0%}")
    report.problems += [f"raw TeX: {text!r}" for text in measured["rawTex"]]
    report.problems += [f"MathJax error: {error}" for error in measured["errors"]]
    return report


def build_site(site_dir: Path) -> None:
    """``mkdocs build --strict`` into ``site_dir``; raises if the build fails."""
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 (a free port, a thread of this process); yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, else Debian's ``chromium`` on the PATH; None if absent."""
    return shutil.which(os.environ.get("CHROMIUM", "chromium"))


#: What a page loads that no measurement looks at: the search box's index. Its web worker parses it
#: (650 kB) on every page load, which took a third of the browser's time per page; the article,
#: where everything is measured, is the same without it.
UNMEASURED = ("/search/search_index.json",)


def _local_only(route: Any) -> None:
    """Let a request through only if it goes to the local server (or is inline data) and feeds a measurement."""
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "data:")) and not url.endswith(UNMEASURED):
        route.continue_()
    else:
        route.abort()


@contextmanager
def browser_page(executable: str) -> Iterator[Any]:
    """A headless Chromium tab at 1280 px, every request outside 127.0.0.1 refused (and the search index)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.route("**/*", _local_only)
            yield page
        finally:
            browser.close()


def measure(tab: Any, url: str, screenshot: Path | None = None) -> dict[str, Any]:
    """Open ``url``, wait until MathJax has typeset it, measure it (and save a screenshot)."""
    tab.goto(url, wait_until="load")
    tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    tab.evaluate("() => MathJax.startup.promise")
    measured = tab.evaluate(MEASURE)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(screenshot), full_page=True)
    return measured


def check_pages(site_dir: Path, pages: tuple[str, ...] = PAGES, shots: Path | None = SCREENSHOTS) -> list[PageReport]:
    """Open every page of the built site in Chromium; the report of each."""
    executable = chromium_path()
    if executable is None:
        raise SystemExit("chromium not found: apt-get install -y chromium (or set CHROMIUM)")
    reports = []
    with serve(site_dir) as base, browser_page(executable) as tab:
        for page in pages:
            name = page.strip("/") or "home"
            shot = shots / f"{name}.png" if shots is not None else None
            report = judge(name, measure(tab, base + page, shot))
            report.screenshot = shot
            reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", help="a page path within the site (default: every page)")
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one)")
    parser.add_argument("--out", type=Path, default=SCREENSHOTS, help=f"screenshot folder (default {SCREENSHOTS})")
    args = parser.parse_args(argv)
    pages = tuple(args.page) if args.page else PAGES

    with tempfile.TemporaryDirectory(prefix="jbp-site-") as scratch:
        site_dir = args.site
        if site_dir is None:
            site_dir = Path(scratch) / "site"
            build_site(site_dir)
        reports = check_pages(site_dir, pages, args.out)
    failed = 0
    for report in reports:
        sizes = ", ".join(f"{f['shown'] / f['natural']:.0%}" for f in report.figures if f["natural"])
        print(f"{report.page}: {report.typeset} formulas, figures at [{sizes}], screenshot {report.screenshot}")
        for problem in report.problems:
            print(f"  {problem}")
        failed += bool(report.problems)
    print(f"{len(reports) - failed} of {len(reports)} pages without problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
