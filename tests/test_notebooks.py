"""Every walkthrough page, made into a notebook as the site offers it, executes from top to bottom."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_docs_tooling import DOCS, load_script

notebooks = load_script(Path(__file__).resolve().parent.parent / "docs_hooks" / "notebooks.py")
NOTEBOOK_PAGES = [page for page in sorted(DOCS.glob("*.md")) if notebooks.has_notebook(page.name)]


def test_every_walkthrough_page_gets_a_notebook_and_only_those():
    names = {page.name for page in NOTEBOOK_PAGES}
    assert {"notation.md", "weight-tensor.md", "backprop.md", "training.md"} <= names
    assert not names & {"index.md", "errata.md"}


def test_a_notebook_keeps_the_prose_and_turns_every_fence_and_check_into_code(tmp_path):
    page = (
        "# A page\n\nSome prose with $x$.\n\n```python\nx = 1\n```\n\n"
        '<details class="success" markdown>\n<summary>Checks</summary>\n\n'
        "```{.python continuation}\nassert x == 1\n```\n\n"
        "</details>\n\nThe end.\n"
    )
    notebook = notebooks.notebook_from_markdown(page)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds.count("code") == 2
    sources = "\n".join(cell.source for cell in notebook.cells)
    assert "assert x == 1" in sources and "**Checks**" in sources and "<details" not in sources
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=lambda page: page.stem)
def test_the_notebook_of_each_page_executes(page, tmp_path):
    pytest.importorskip("nbclient", reason="executing notebooks needs the test extra (nbclient, ipykernel)")
    from nbclient import NotebookClient

    notebook = notebooks.notebook_from_markdown(page.read_text(encoding="utf8"))
    # Run where nothing of the repository is at hand, as a downloaded notebook would be.
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources=resources).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
