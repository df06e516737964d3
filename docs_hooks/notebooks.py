"""MkDocs hook: every page runs as a notebook when the site is built; the walkthrough pages download as one.

A page is plain Markdown whose ```python fences run under pytest (a ``{.python continuation}`` fence
keeps the names of the fences before it). At build time this hook cuts the page into notebook cells
(prose → Markdown cells, every fence → a code cell, in order), executes that notebook ONCE on an
ipykernel with nbclient, the way Jupyter would, and uses the one run twice:

* the page (see ``docs_hooks/fence_outputs.py``) shows under each fence what the cell displayed —
  its rich output (an HTML table, a typeset chain, a matplotlib figure as SVG with its text kept as
  text) and whatever it printed;
* the walkthrough pages and the exercises are written to ``site/notebooks/`` as executed notebooks,
  outputs included, and zipped into ``site/notebooks/jacobian_bp-notebooks.zip``.

A notebook cannot show MkDocs' syntax, so the Markdown cells are rewritten for Jupyter: the
collapsed checks become hidden code cells (``jupyter.source_hidden`` and the ``hide-input`` tag),
an exercise's solution stays collapsed, admonitions become quotes or ``<details>``, a heading's
``{#anchor}`` becomes an HTML anchor, links to pages become links to the sibling notebook or to the
page on the site, and a local image is embedded as a cell attachment.
"""

from __future__ import annotations

import ast
import base64
import copy
import mimetypes
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FOLDER = "notebooks"
ZIP_NAME = "jacobian_bp-notebooks.zip"
#: A fence pytest runs: ```python starts afresh, ```{.python continuation} goes on.
OPENING = re.compile(r"^```(?P<info>python|\{\.python continuation\})\s*$")
CLOSING = re.compile(r"^```\s*$")
DETAILS_OPEN = re.compile(r'^<details class="(?P<kind>\w+)"(?: markdown)?>\s*$')
SUMMARY = re.compile(r"^<summary>(?P<title>.*)</summary>\s*$")
DETAILS_CLOSE = re.compile(r"^</details>\s*$")
ADMONITION = re.compile(r'^(?P<marks>!!!|\?\?\?\+?) (?P<kind>\w+)(?: "(?P<title>[^"]*)")?\s*$')
HEADING_ANCHOR = re.compile(r"^(?P<heading>#+ .*?)\s*\{#(?P<anchor>[\w-]+)\}\s*$", re.M)
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[\w./-]+?)\.md(?P<anchor>#[\w-]+)?\)")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>(?!https?:|data:|attachment:)[^)\s]+)\)")
#: A page's link to the zip of all the notebooks: in a notebook, that zip is where the reader got it.
ZIP_LINK = re.compile(rf'<a href="(?:\.\./)?{FOLDER}/{re.escape(ZIP_NAME)}"[^>]*>(?P<text>.*?)</a>')
OTHER_LANGUAGE = re.compile(r"^```(?!python\b)[\w-]+", re.M)
#: The notebook's first cell (hidden): a figure a cell returns is shown under it, as SVG whose text stays text.
SETUP = (
    "%matplotlib inline\n"
    "%config InlineBackend.figure_formats = ['svg']\n"
    "import matplotlib\n"
    "matplotlib.rcParams['svg.fonttype'] = 'none'"
)


@dataclass
class Fence:
    """One Python fence of a page: its code, where it opens and closes, the fold it sits in."""

    first_line: int  # the opening ``` line, counted from 1
    closing_line: int  # the closing ``` line, counted from 0
    code: str
    continuation: bool
    fold: str = ""  # the <summary> of the <details> around it ("" when it is in the open)


@dataclass
class Part:
    """A stretch of a page: prose (``fence`` is None) or one fence, with the fold it sits in."""

    text: str
    fence: Fence | None = None
    fold: str = ""
    fold_kind: str = ""
    lines: list[str] = field(default_factory=list)


def has_notebook(src_path: str) -> bool:
    """Whether the page ``src_path`` (relative to ``docs/``) is offered as a notebook: every page of ``docs/``
    itself (the API reference, in ``reference/``, is not), so that a notebook's links to the pages it names
    (the walkthrough sends readers to the errata, the last step back to the start) open sibling notebooks
    and the downloaded folder needs no site beside it."""
    return "/" not in src_path and src_path.endswith(".md")


def notebook_name(src_path: str) -> str:
    """``weight-tensor.md`` → ``weight-tensor.ipynb``."""
    return Path(src_path).with_suffix(".ipynb").name


def is_check_fold(title: str) -> bool:
    """A fold of checks: its code runs (and is hidden in a notebook); it shows nothing a reader needs."""
    return title.lower().startswith(("checks", "the solution, checked"))


def is_solution_fold(title: str) -> bool:
    """An exercise's solution: collapsed on the page and in the notebook."""
    return title.lower().startswith("solution")


def is_check_statement(node: ast.stmt) -> bool:
    """An ``assert``, a call of ``np.testing.…``, or a loop or ``with`` block made of nothing else."""
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return ast.unparse(node.value.func).startswith(("np.testing.", "numpy.testing."))
    if isinstance(node, (ast.For, ast.With)):
        return all(is_check_statement(inner) for inner in node.body)
    return False


def is_check_code(code: str) -> bool:
    r"""Code that only checks (imports aside): in a notebook it is a hidden cell.

    >>> is_check_code("import numpy as np\nassert 1 + 1 == 2\nnp.testing.assert_allclose(1, 1)")
    True
    >>> is_check_code("x = 1\nassert x == 1")
    False
    """
    statements = [node for node in ast.parse(code).body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    return bool(statements) and all(is_check_statement(node) for node in statements)


def page_parts(markdown: str) -> list[Part]:
    """The page as prose and fences, in order; each part knows the ``<details>`` fold it is in."""
    parts: list[Part] = []
    prose: list[str] = []
    fold = fold_kind = ""
    lines = markdown.splitlines()
    number = 0

    def flush() -> None:
        if any(line.strip() for line in prose):
            parts.append(Part("\n".join(prose).strip("\n"), fold=fold, fold_kind=fold_kind))
        prose.clear()

    while number < len(lines):
        line = lines[number]
        if match := DETAILS_OPEN.match(line):
            flush()
            fold_kind = match["kind"]
            title = SUMMARY.match(lines[number + 1]) if number + 1 < len(lines) else None
            fold = title["title"] if title else fold_kind.capitalize()
            number += 2 if title else 1
            continue
        if DETAILS_CLOSE.match(line) and fold:
            flush()
            fold = fold_kind = ""
            number += 1
            continue
        if match := OPENING.match(line):
            end = next(n for n in range(number + 1, len(lines)) if CLOSING.match(lines[n]))
            flush()
            fence = Fence(number + 1, end, "\n".join(lines[number + 1 : end]), match["info"] != "python", fold)
            parts.append(Part("", fence=fence, fold=fold, fold_kind=fold_kind))
            number = end + 1
            continue
        prose.append(line)
        number += 1
    flush()
    return parts


def python_fences(markdown: str) -> list[Fence]:
    """The Python fences of a page, in order (only fences that start in the first column, as pytest sees them)."""
    return [part.fence for part in page_parts(markdown) if part.fence is not None]


# --- prose for Jupyter ---------------------------------------------------------------------------


def _admonitions(text: str) -> str:
    """``!!! kind "Title"`` blocks become quotes; ``??? kind "Title"`` blocks collapsed ``<details>``."""
    out: list[str] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        match = ADMONITION.match(lines[number])
        if not match:
            out.append(lines[number])
            number += 1
            continue
        body = []
        number += 1
        while number < len(lines) and (lines[number].startswith("    ") or not lines[number].strip()):
            body.append(lines[number][4:])
            number += 1
        while body and not body[-1].strip():
            body.pop()
        title = match["title"] or match["kind"].capitalize()
        if match["marks"].startswith("???"):
            out += ["<details>", f"<summary>{title}</summary>", "", *body, "", "</details>", ""]
        else:
            out += [f"> **{title}**", ">", *(f"> {line}".rstrip() for line in body), ""]
    return "\n".join(out)


def _links(text: str, site_url: str) -> str:
    """A link to ``page.md`` goes to the sibling notebook, or to the page on the site.

    A page without a notebook (the API reference) can be linked only where the site's address is
    known (MkDocs' ``site_url``); a downloaded notebook has no site beside it, so without that
    address the link becomes its text and says where to find the page.

    >>> _links("[the errata](errata.md#erratum-bias)", "")
    '[the errata](errata.ipynb#erratum-bias)'
    >>> _links("[API](reference/index.md)", ""), _links("[API](reference/index.md)", "https://x.org/")
    ('API (a page of the documentation site)', '[API](https://x.org/reference/)')
    """

    def target(match: re.Match[str]) -> str:
        words, page, anchor = match["text"], match["target"], match["anchor"] or ""
        if has_notebook(f"{page}.md"):
            return f"[{words}]({page}.ipynb{anchor})"
        if not site_url:
            return f"{words} (a page of the documentation site)"
        path = "" if page == "index" else f"{page.removesuffix('/index')}/"
        return f"[{words}]({site_url}{path}{anchor})"

    return LINK.sub(target, text)


def notebook_markdown(text: str, site_url: str = "") -> str:
    """Prose of a page as Markdown that Jupyter renders: no MkDocs syntax, no link to a ``.md`` file."""
    text = _admonitions(text)
    text = HEADING_ANCHOR.sub(lambda m: f'<a id="{m["anchor"]}"></a>\n\n{m["heading"]}', text)
    text = OTHER_LANGUAGE.sub("```text", text)  # a shell example is text to read, not a %%bash cell
    text = ZIP_LINK.sub(lambda m: f"{m['text']} (the zip this notebook came in)", text)
    return _links(text, site_url)


def _embed_images(cell: Any, docs_dir: Path | None) -> None:
    """Replace ``![alt](path)`` of a local file by a cell attachment, so the notebook needs no folder."""
    if docs_dir is None:
        return

    def attach(match: re.Match[str]) -> str:
        path = docs_dir / match["src"]
        if not path.is_file():
            raise FileNotFoundError(f"image {match['src']!r} of a page is not in {docs_dir}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cell.setdefault("attachments", {})[path.name] = {mime: base64.b64encode(path.read_bytes()).decode()}
        return f"![{match['alt']}](attachment:{path.name})"

    cell.source = IMAGE.sub(attach, cell.source)


def notebook_from_markdown(markdown: str, docs_dir: Path | None = None, site_url: str = "") -> Any:
    """The page as a notebook (an ``nbformat`` node): one code cell per fence, sharing one kernel.

    A code cell keeps, in ``metadata.jbp_fence``, the number of its fence on the page; the cells of
    checks are hidden, those of a solution hidden with their outputs.
    """
    import nbformat

    setup = nbformat.v4.new_code_cell(SETUP)
    setup.metadata.update(jbp_setup=True, jupyter={"source_hidden": True}, tags=["hide-input"])
    cells = [setup]
    for part in page_parts(markdown):
        if part.fence is None:
            text = notebook_markdown(part.text, site_url)
            if is_solution_fold(part.fold):
                text = f"<details>\n<summary>{part.fold}</summary>\n\n{text}\n\n</details>"
            elif part.fold and not is_check_fold(part.fold):
                text = f"**{part.fold}**\n\n{text}"
            cell = nbformat.v4.new_markdown_cell(text)
            _embed_images(cell, docs_dir)
        else:
            cell = nbformat.v4.new_code_cell(part.fence.code)
            cell.metadata["jbp_fence"] = sum(c.cell_type == "code" for c in cells) - 1
            hidden_output = is_solution_fold(part.fold)
            if is_check_fold(part.fold) or is_check_code(part.fence.code) or hidden_output:
                cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": hidden_output}
                cell.metadata["tags"] = ["hide-input", *(["hide-output"] if hidden_output else [])]
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


class NotebookFailedError(RuntimeError):
    """A page's code raised when run as a notebook: the build stops and says where."""


def execute(notebook: Any, page: str, cwd: Path, timeout: int = 300) -> Any:
    """Run ``notebook`` top to bottom on a fresh ipykernel in ``cwd``; return it with its outputs."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    run = copy.deepcopy(notebook)
    with tempfile.TemporaryDirectory(prefix="jbp-kernel-") as sockets:
        # The kernel talks over Unix sockets of its own, not TCP on localhost: no port to find, and
        # no warning per page that TCP is unencrypted. (Windows has no Unix sockets: TCP there.)
        transport = {"transport": "ipc", "ip": f"{sockets}/kernel"} if os.name == "posix" else {}
        client = NotebookClient(
            run,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            shutdown_kernel="immediate",  # the kernel has nothing to save: no graceful wait
            extra_arguments=["--HistoryManager.enabled=False"],  # no history database per page
            config=Config({"KernelManager": transport}),
        )
        try:
            client.execute()
        except CellExecutionError as error:
            raise NotebookFailedError(f"{page}: a fence failed when the page ran as a notebook:\n{error}") from None
    return run


def fence_cells(notebook: Any) -> list[Any]:
    """The code cells of a page's notebook that are its fences, in order (the setup cell left out)."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and "jbp_fence" in cell.metadata]


def for_download(executed: Any) -> Any:
    """The executed notebook as a reader downloads it: the build's bookkeeping left out."""
    notebook = copy.deepcopy(executed)
    for cell in notebook.cells:
        cell.metadata.pop("jbp_fence", None)
        cell.metadata.pop("jbp_setup", None)
        cell.metadata.pop("execution", None)
    return notebook


def write_notebooks(notebooks: dict[str, Any], target: Path) -> list[Path]:
    """Write the executed notebooks (page name → notebook) into ``target`` and zip them; return the paths."""
    import nbformat

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for page, notebook in sorted(notebooks.items()):
        path = target / notebook_name(page)
        nbformat.write(for_download(notebook), path)
        written.append(path)
    with zipfile.ZipFile(target / ZIP_NAME, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in written:
            archive.write(path, f"jacobian_bp-notebooks/{path.name}")
        archive.writestr("jacobian_bp-notebooks/README.txt", ZIP_README)
    return written


ZIP_README = """\
The pages of jacobian_bp's documentation as Jupyter notebooks, executed when the site was built:
start with index.ipynb (the home page), then notation.ipynb, the first step of the walkthrough.

To run them yourself:

    pip install "jacobian_bp[plot,symbolic]" jupyterlab
    jupyter lab

Each notebook needs only the library (numpy, einops; matplotlib for the figures, SymPy for the
symbolic view). Cells of checks are collapsed: click their bar to see the assertions.
"""


def download_link(src_path: str) -> str:
    """The links put at the top of a page that has a notebook.

    A page is served as a folder (``batches/``) one level below the site's root, the home page at the root.

    >>> download_link("index.md").count('href="notebooks/'), download_link("batches.md").count('href="../notebooks/')
    (2, 2)
    """
    up = "" if src_path == "index.md" else "../"
    return (
        f'<p class="notebook-link"><a href="{up}{FOLDER}/{notebook_name(src_path)}" download>'
        f"Download this page as a Jupyter notebook</a> (executed, with its outputs) · "
        f'<a href="{up}{FOLDER}/{ZIP_NAME}" download>all the notebooks (zip)</a></p>\n\n'
    )


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Put a download link at the top of every page that has a notebook."""
    if not has_notebook(page.file.src_path):
        return markdown
    link = download_link(page.file.src_path)
    title, _, rest = markdown.partition("\n")
    return f"{title}\n\n{link}{rest}" if title.startswith("# ") else link + markdown
