"""MkDocs hook: every page shows what its code prints, generated when the site is built.

The pages are written as plain Markdown whose ```python fences run under pytest (a
``{.python continuation}`` fence keeps the names of the fences before it). At build time this
hook runs the fences of each page the same way, in order, and puts whatever a fence printed in a
``text`` block right under it — so the numbers a reader sees are the ones the code computes
today, never typed by hand. A page can also ask for the terminal walkthrough
(``jacobian-bp walkthrough``) with the marker ``<!-- walkthrough-output -->``.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from typing import Any

#: A fence pytest runs: ```python starts afresh, ```{.python continuation} goes on.
OPENING = re.compile(r"^```(?P<info>python|\{\.python continuation\})\s*$")
CLOSING = re.compile(r"^```\s*$")
WALKTHROUGH_MARKER = "<!-- walkthrough-output -->"


@dataclass
class Fence:
    """One Python fence of a page: where it ends, its code, whether it continues the one before."""

    closing_line: int
    code: str
    continuation: bool
    first_line: int


def python_fences(markdown: str) -> list[Fence]:
    """The Python fences of a page, in order (only fences that start in the first column, as pytest sees them)."""
    lines = markdown.splitlines()
    found, start, info = [], None, ""
    for number, line in enumerate(lines):
        if start is None and (match := OPENING.match(line)):
            start, info = number, match["info"]
        elif start is not None and CLOSING.match(line):
            code = "\n".join(lines[start + 1 : number])
            found.append(Fence(number, code, info != "python", start + 1))
            start = None
    return found


def run_fences(markdown: str, page: str) -> list[str]:
    """Run a page's fences as pytest does and return what each one printed ("" for a silent fence)."""
    import numpy as np

    outputs, namespace = [], {}
    print_options = np.get_printoptions()  # a page may set its own; the next page starts afresh
    try:
        for fence in python_fences(markdown):
            if not fence.continuation:
                namespace = {"__name__": "__main__"}
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(fence.code, f"{page}:{fence.first_line + 1}", "exec"), namespace)
            outputs.append(buffer.getvalue())
    finally:
        np.set_printoptions(**print_options)
    return outputs


def with_outputs(markdown: str, page: str) -> str:
    """The page with a ``text`` block of its output under every fence that prints something."""
    fences, outputs = python_fences(markdown), run_fences(markdown, page)
    lines = markdown.splitlines()
    for fence, output in reversed(list(zip(fences, outputs, strict=True))):
        if output.strip():
            block = ["", '```text title="Output"', *output.rstrip("\n").splitlines(), "```"]
            lines[fence.closing_line + 1 : fence.closing_line + 1] = block
    text = "\n".join(lines) + "\n"
    if WALKTHROUGH_MARKER in text:
        from jacobian_bp.display.walkthrough import walkthrough

        text = text.replace(WALKTHROUGH_MARKER, "```text\n$ jacobian-bp walkthrough\n" + walkthrough() + "\n```")
    return text


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """MkDocs calls this for every page before rendering it."""
    return with_outputs(markdown, page.file.src_path)
