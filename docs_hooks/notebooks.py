"""MkDocs hook: every walkthrough page, and the exercises, downloadable as a Jupyter notebook.

A notebook is made from the page's own Markdown with jupytext: prose becomes Markdown cells,
every ```python fence a code cell. The collapsible "Checks" blocks become a plain heading
followed by their code, since a notebook has no ``<details>``. The notebooks are written into
``site/notebooks/`` and each page gets a download link at the top; the test suite executes every
one of them (tests/test_notebooks.py), so a notebook that fails fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Pages that are not walkthrough steps, and so get no notebook.
NOT_NOTEBOOKS = ("index.md", "errata.md")
FOLDER = "notebooks"
_CHECKS_OPEN = re.compile(r'^<details class="\w+" markdown>\n<summary>(?P<title>[^<]*)</summary>\n', re.MULTILINE)
_CHECKS_CLOSE = re.compile(r"^</details>\n", re.MULTILINE)
_OTHER_LANGUAGE = re.compile(r"^```(?!python\b)\w+", re.MULTILINE)


def has_notebook(src_path: str) -> bool:
    """Whether the page ``src_path`` (relative to ``docs/``) is made into a notebook."""
    return "/" not in src_path and src_path.endswith(".md") and src_path not in NOT_NOTEBOOKS


def notebook_name(src_path: str) -> str:
    """``weight-tensor.md`` → ``weight-tensor.ipynb``."""
    return Path(src_path).with_suffix(".ipynb").name


def notebook_from_markdown(markdown: str) -> Any:
    """The page as a notebook (an ``nbformat`` node), its fences as code cells sharing one kernel."""
    import jupytext

    text = markdown.replace("```{.python continuation}", "```python")
    # Only Python runs in the notebook: a shell example stays text to read (jupytext would make it a %%bash cell).
    text = _OTHER_LANGUAGE.sub("```text", text)
    text = _CHECKS_OPEN.sub(lambda match: f"**{match['title']}**\n", text)
    text = _CHECKS_CLOSE.sub("", text)
    notebook = jupytext.reads(text, fmt="md")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    return notebook


def write_notebooks(docs_dir: Path, target: Path) -> list[Path]:
    """Write a notebook for every walkthrough page of ``docs_dir`` into ``target``; return their paths."""
    import nbformat

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for page in sorted(docs_dir.glob("*.md")):
        if has_notebook(page.name):
            path = target / notebook_name(page.name)
            nbformat.write(notebook_from_markdown(page.read_text(encoding="utf8")), path)
            written.append(path)
    return written


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Put a download link at the top of every page that has a notebook."""
    if not has_notebook(page.file.src_path):
        return markdown
    link = (
        f'<p class="notebook-link"><a href="../{FOLDER}/{notebook_name(page.file.src_path)}" download>'
        "Download this page as a Jupyter notebook</a></p>\n\n"
    )
    title, _, rest = markdown.partition("\n")
    return f"{title}\n\n{link}{rest}" if title.startswith("# ") else link + markdown


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write the notebooks into ``site/notebooks/``."""
    write_notebooks(Path(config["docs_dir"]), Path(config["site_dir"]) / FOLDER)
