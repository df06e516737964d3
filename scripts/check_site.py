"""Build the documentation site and look at it the way a reader would, with the network off.

    python scripts/check_site.py                       # errata page, PNG in build/site-check/
    python scripts/check_site.py --page weight-tensor/ --out /tmp/tensor.png

Steps:

1. ``mkdocs build --strict`` into a fresh folder;
2. serve that folder over HTTP on 127.0.0.1 only (a free port, this process, a thread);
3. open one page in headless Chromium (Debian's ``chromium`` package) whose every host name
   except 127.0.0.1 resolves to nothing, so a page that tried to fetch a script, a font or a
   style sheet from the web would fail to — then dump the page's DOM and save a screenshot;
4. report which files the page asked the local server for, how many formulas MathJax typeset
   (``mjx-container`` elements), how many were left as raw TeX or could not be parsed, whether
   MathJax's glyph fonts were loaded, and where the PNG is.

It exits non-zero if the build fails, if no formula was typeset, if raw TeX is left, if MathJax
could not parse a formula (it draws a yellow "Math input error" box instead), or if no glyph font
was loaded (the formulas would be laid out but invisible). Look at the PNG too: the script can
count formulas, not judge how they look.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = "errata/"
DEFAULT_OUT = ROOT / "build" / "site-check" / "errata.png"
#: The Chromium flags of a reader's browser with nothing running in the background.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    # Every host but the loopback server resolves to nothing: no CDN can be reached.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder and remembers which paths were asked for."""

    requested: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        QuietHandler.requested.append(self.path)


def build_site(site_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def serve(site_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def chromium(*args: str, profile: Path) -> str:
    binary = os.environ.get("CHROMIUM", "chromium")
    if shutil.which(binary) is None:
        raise SystemExit(f"{binary!r} not found: apt-get update && apt-get install -y chromium (or set CHROMIUM)")
    result = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default=DEFAULT_PAGE, help=f"page path within the site (default {DEFAULT_PAGE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to save the PNG")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="jbp-site-") as scratch:
        site_dir, profile = Path(scratch) / "site", Path(scratch) / "profile"
        build_site(site_dir)
        server, base = serve(site_dir)
        try:
            url = base + args.page.lstrip("/")
            # Virtual time lets MathJax finish typesetting before the DOM is read and the shot taken.
            timing = "--virtual-time-budget=15000"
            dom = chromium(timing, "--dump-dom", url, profile=profile)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            chromium(
                timing,
                f"--window-size={args.width},{args.height}",
                f"--screenshot={args.out.resolve()}",
                url,
                profile=profile,
            )
        finally:
            server.shutdown()

    typeset = len(re.findall(r"<mjx-container", dom))
    raw_tex = len(re.findall(r'class="arithmatex">\\[(\[]', dom))
    # TeX that MathJax could not parse is drawn as a yellow "Math input error" box, an <mjx-merror>.
    errors = re.findall(r'<mjx-merror[^>]*data-mjx-error="([^"]*)"', dom)
    mathjax_files = sorted({p for p in QuietHandler.requested if "mathjax" in p})
    print(f"page: {url}")
    print(f"local files requested: {len(set(QuietHandler.requested))}, of which MathJax: {len(mathjax_files)}")
    for path in mathjax_files:
        print(f"  {path}")
    # MathJax draws glyphs with its own web fonts; MathJax_Zero is only its measuring font, so a
    # page whose formulas show must have loaded at least one other.
    glyph_fonts = [p for p in mathjax_files if p.endswith(".woff") and "MathJax_Zero" not in p]
    print(f"formulas typeset by MathJax: {typeset}; left as raw TeX: {raw_tex}; glyph fonts loaded: {len(glyph_fonts)}")
    print(f"formulas MathJax could not parse: {len(errors)}")
    for error in errors:
        print(f"  {error}")
    print(f"screenshot: {args.out.resolve()}")
    if typeset == 0 or raw_tex > 0 or errors or not glyph_fonts:
        print("FAILED: the mathematics was not typeset and drawn", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
