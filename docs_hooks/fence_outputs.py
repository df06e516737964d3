"""MkDocs hook: every page shows, under each fence, what the fence displays when run as a notebook.

At build time each page with Python fences is cut into notebook cells and executed once on an
ipykernel (``docs_hooks/notebooks.py``: one kernel per page, cells in order, as Jupyter runs them).
Under each fence the page then shows the cell's outputs in their order: what it printed (a ``text``
block), and its display output — the last expression's rich representation, as a notebook shows it:
an HTML table or typeset chain (``_repr_html_``), LaTeX (``_repr_latex_``), a matplotlib figure as
SVG with its text kept as text. So the numbers and pictures a reader sees are the ones the code
computes today, never typed or drawn by hand. The same executed notebooks are the downloads.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def _sibling(name: str) -> Any:
    """The hook module ``docs_hooks/<name>.py`` (hooks are files, not a package)."""
    key = f"jbp_docs_hooks_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, _HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


notebooks = _sibling("notebooks")
python_fences = notebooks.python_fences

#: The executed notebook of every page run in this build, by page (``weight-tensor.md``).
EXECUTED: dict[str, Any] = {}
#: Pages started early, in parallel (one kernel each), by page: (the Markdown run, its run).
_STARTED: dict[str, tuple[str, Future[Any]]] = {}
#: Rich outputs waiting to replace their placeholder in the page's HTML, by page.
_RICH: dict[str, list[str]] = {}
_PLACEHOLDER = "JBPRICHOUTPUT{}X"
#: Display math in a notebook's HTML (``$$ … $$``), which the site's MathJax typesets only inside "arithmatex".
_DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.S)
_XML_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.S)


def _text_block(text: str, title: str = "Output") -> list[str]:
    return ["", f'```text title="{title}"', *text.rstrip("\n").splitlines(), "```"]


def site_math(shown: str) -> str:
    r"""A notebook's ``$$ … $$`` as the site's MathJax takes display math (``\[ … \]`` in an "arithmatex" block).

    >>> site_math("<div>$$ a &lt; b $$</div>")
    '<div><div class="arithmatex">\\[ a &lt; b \\]</div></div>'
    """
    return _DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex">\\[{m["tex"]}\\]</div>', shown)


def rich_html(data: dict[str, Any]) -> str | None:
    """The HTML a page shows for a display output's mime bundle; ``None`` when it has only text."""
    if "image/svg+xml" in data:
        svg = _XML_PROLOGUE.sub("", data["image/svg+xml"])
        return f'<div class="notebook-output notebook-figure">{svg}</div>'
    if "text/html" in data:
        return f'<div class="notebook-output">{site_math(data["text/html"])}</div>'
    if "text/latex" in data:
        return f'<div class="notebook-output">{site_math(html.escape(data["text/latex"]))}</div>'
    if "image/png" in data:
        image = f'<img src="data:image/png;base64,{data["image/png"]}">'
        return f'<div class="notebook-output notebook-figure">{image}</div>'
    return None


def cell_outputs(cell: Any, rich: list[str]) -> list[str]:
    """Markdown lines showing a code cell's outputs; rich HTML goes to ``rich`` behind a placeholder."""
    lines: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            lines += _text_block(output.text, "Output" if output.name == "stdout" else "Warnings")
        elif output.output_type in ("execute_result", "display_data"):
            shown = rich_html(output.data)
            if shown is None:
                lines += _text_block(output.data.get("text/plain", ""), "Result")
            else:
                lines += ["", _PLACEHOLDER.format(len(rich)), ""]
                rich.append(shown)
    return lines


def with_outputs(markdown: str, executed: Any, rich: list[str]) -> str:
    """The page with the outputs of its executed notebook under every fence."""
    fences = python_fences(markdown)
    cells = notebooks.fence_cells(executed)
    lines = markdown.splitlines()
    for fence, cell in reversed(list(zip(fences, cells, strict=True))):
        lines[fence.closing_line + 1 : fence.closing_line + 1] = cell_outputs(cell, rich)
    return "\n".join(lines) + "\n"


def run_page(markdown: str, page: str, docs_dir: Path | None = None, site_url: str = "") -> Any:
    """Execute the page as a notebook, in a scratch folder (as a downloaded notebook would run)."""
    notebook = notebooks.notebook_from_markdown(markdown, docs_dir, site_url)
    with tempfile.TemporaryDirectory(prefix="jbp-page-") as scratch:
        return notebooks.execute(notebook, page, Path(scratch))


def on_files(files: Any, config: Any, **kwargs: Any) -> Any:
    """Start running every page with code, a few kernels at a time, while MkDocs reads the rest."""
    EXECUTED.clear()
    _STARTED.clear()
    docs_dir = Path(config["docs_dir"])
    pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="page-kernel")
    for file in files.documentation_pages():
        markdown = file.content_string
        if python_fences(markdown):
            run = pool.submit(run_page, markdown, file.src_path, docs_dir, config.get("site_url") or "")
            _STARTED[file.src_path] = (markdown, run)
    pool.shutdown(wait=False)
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    """MkDocs calls this for every page before rendering it: the page with its outputs."""
    src = page.file.src_path
    if not python_fences(markdown):
        return markdown
    started, run = _STARTED.pop(src, ("", None))
    if run is not None and started == markdown:
        executed = run.result()
    else:  # changed by a plugin since it was read: run what is rendered
        executed = run_page(markdown, src, Path(config["docs_dir"]))
    EXECUTED[src] = executed
    _RICH[src] = []
    return with_outputs(markdown, executed, _RICH[src])


def on_page_content(content: str, page: Any, **kwargs: Any) -> str:
    """Put the rich outputs in place of their placeholders, as HTML the Markdown never touched."""
    for number, shown in enumerate(_RICH.pop(page.file.src_path, [])):
        token = _PLACEHOLDER.format(number)
        content = content.replace(f"<p>{token}</p>", shown, 1)
    return content


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write the executed notebooks of the pages that are offered as notebooks, and their zip."""
    offered = {page: notebook for page, notebook in EXECUTED.items() if notebooks.has_notebook(page)}
    notebooks.write_notebooks(offered, Path(config["site_dir"]) / notebooks.FOLDER)
