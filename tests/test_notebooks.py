"""The notebooks the site offers: every walkthrough page and the exercises, executed when the site was
built, readable in Jupyter (no MkDocs syntax, no link to a ``.md`` file, images embedded), with their
checks folded away and the exercises' solutions collapsed — and all of them in one zip."""

from __future__ import annotations

import ast
import json
import re
import zipfile
from pathlib import Path

import pytest

from .test_docs_tooling import DOCS, load_script

notebooks = load_script(Path(__file__).resolve().parent.parent / "docs_hooks" / "notebooks.py")
NOTEBOOK_PAGES = [page for page in sorted(DOCS.glob("*.md")) if notebooks.has_notebook(page.name)]
RICH = {"text/html", "image/svg+xml", "image/png", "text/latex"}
#: What MkDocs reads and Jupyter shows as it is.
MKDOCS_SYNTAX = re.compile(r"^(!!!|\?\?\?)|\{#[\w-]+\}|\{\.python|<details class=|markdown>|```\{", re.M)
MD_LINK = re.compile(r"\]\([^)]*\.md(#[^)]*)?\)|href=\"[^\"]*\.md[\"#]")
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)\)|<img [^>]*src=\"(?P<html>[^\"]+)\"")


def load(site: Path, page: Path) -> dict:
    return json.loads((site / notebooks.FOLDER / notebooks.notebook_name(page.name)).read_text(encoding="utf8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def hidden(cell: dict) -> bool:
    return cell["metadata"].get("jupyter", {}).get("source_hidden", False) and "hide-input" in cell["metadata"].get(
        "tags", []
    )


def is_bare_check(cell: dict) -> bool:
    """A visible code cell whose every statement is an assert or an ``np.testing`` call."""
    try:
        return not hidden(cell) and notebooks.is_check_code(source(cell))
    except SyntaxError:  # an IPython magic: not a check
        return False


def test_every_page_gets_a_notebook_so_that_no_link_leaves_the_downloaded_folder():
    names = {page.name for page in NOTEBOOK_PAGES}
    assert len(names) == 17  # the home page, the 13 walkthrough pages, the errata, the exercises, the lecturers' page
    assert {"notation.md", "weight-tensor.md", "backprop.md", "training.md", "exercises.md", "lecturers.md"} <= names
    assert {"index.md", "errata.md"} <= names


def test_a_notebook_keeps_the_prose_hides_the_checks_and_rewrites_mkdocs_syntax():
    page = (
        "# A page\n\nSome prose with $x$, see [the errata](errata.md#erratum-bias) and [the next](batches.md).\n\n"
        "The [API reference](reference/index.md) has no notebook.\n\n"
        'Or <a href="notebooks/jacobian_bp-notebooks.zip" download>all of them in one zip</a>.\n\n'
        "## Its entries {#entries}\n\n```python\nx = 1\n```\n\n"
        '<details class="success" markdown>\n<summary>Checks</summary>\n\n'
        "```{.python continuation}\nassert x == 1\n```\n\n"
        '</details>\n\n!!! note "A departure"\n    Said once.\n\n'
        '<details class="note" markdown>\n<summary>Solution</summary>\n\nIt is $1$.\n\n'
        "```{.python continuation}\nprint(x)\n```\n\n</details>\n\nThe end.\n"
    )
    notebook = notebooks.notebook_from_markdown(page)
    cells = notebook.cells
    assert cells[0].metadata["jbp_setup"] and cells[0].metadata["jupyter"]["source_hidden"]
    fences = notebooks.fence_cells(notebook)
    assert [cell.source for cell in fences] == ["x = 1", "assert x == 1", "print(x)"]
    assert not fences[0].metadata.get("jupyter")
    assert fences[1].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": False}
    assert fences[2].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    prose = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    assert "[the errata](errata.ipynb#erratum-bias)" in prose and "[the next](batches.ipynb)" in prose
    # No site beside a downloaded notebook: a page without a notebook is named, not linked to.
    assert "The API reference (a page of the documentation site) has no notebook." in prose
    assert "Or all of them in one zip (the zip this notebook came in)." in prose
    # The download links at the top of a page point into the site's notebooks folder, from the home page too.
    assert 'href="notebooks/index.ipynb"' in notebooks.download_link("index.md")
    assert 'href="../notebooks/errata.ipynb"' in notebooks.download_link("errata.md")
    assert '<a id="entries"></a>' in prose and "## Its entries\n" in prose
    assert "> **A departure**\n>\n> Said once." in prose
    assert "<details>\n<summary>Solution</summary>\n\nIt is $1$." in prose
    assert not MKDOCS_SYNTAX.search(prose) and "Checks" not in prose
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_a_local_image_is_embedded_as_an_attachment(tmp_path):
    (tmp_path / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    notebook = notebooks.notebook_from_markdown("# A\n\n![a dot](dot.png)\n", docs_dir=tmp_path)
    cell = notebook.cells[1]
    assert cell.source.endswith("![a dot](attachment:dot.png)")
    assert cell.attachments["dot.png"] == {"image/png": "iVBORw0KGgo="}
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        notebooks.notebook_from_markdown("![gone](missing.png)\n", docs_dir=tmp_path)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=lambda page: page.stem)
def test_the_notebook_of_each_page_is_executed_and_readable_in_jupyter(page, built_site):
    notebook = load(built_site, page)
    cells = code_cells(notebook)
    fences = notebooks.python_fences(page.read_text(encoding="utf8"))
    assert [source(cell) for cell in cells[1:]] == [fence.code for fence in fences], "one code cell per fence"
    assert all(cell["execution_count"] for cell in cells), "every cell ran when the site was built"
    outputs = [output for cell in cells for output in cell["outputs"]]
    assert not [output for output in outputs if output["output_type"] == "error"]
    shown = sum(bool(cell["outputs"]) for cell in cells)
    assert shown >= 3, f"{page.name}: only {shown} of its {len(cells)} cells show anything"
    for cell in notebook["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown":
            assert not MKDOCS_SYNTAX.search(text), f"MkDocs syntax left in {text[:80]!r}"
            assert not MD_LINK.search(text), f"a link to a .md file in {text[:80]!r}"
            for image in IMAGE.finditer(text):
                src = image["src"] or image["html"]
                assert src.startswith(("attachment:", "data:", "https:")), f"unresolved image {src}"
                if src.startswith("attachment:"):
                    assert src.removeprefix("attachment:") in cell.get("attachments", {})
    bare = sum(is_bare_check(cell) for cell in cells)
    assert bare * 10 < len(cells), f"{page.name}: {bare} of {len(cells)} code cells are bare checks"


def test_most_notebooks_carry_rich_outputs(built_site):
    rich = [
        page.name
        for page in NOTEBOOK_PAGES
        if any(
            RICH & set(output.get("data", {}))
            for cell in code_cells(load(built_site, page))
            for output in cell["outputs"]
        )
    ]
    assert len(rich) >= 12, f"only {len(rich)} notebooks show a table, a typeset chain or a figure: {rich}"


def test_checks_are_folded_in_the_notebooks(built_site):
    for page in NOTEBOOK_PAGES:
        for cell in code_cells(load(built_site, page)):
            try:
                tree = ast.parse(source(cell))
            except SyntaxError:
                continue
            if tree.body and notebooks.is_check_code(source(cell)):
                assert hidden(cell), f"{page.name}: a check cell is shown: {source(cell)[:60]!r}"


def test_the_exercises_notebook_keeps_its_solutions_collapsed(built_site):
    notebook = load(built_site, DOCS / "exercises.md")
    solutions = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and "<summary>Solution" in source(c)]
    assert len(solutions) == 10
    assert all(source(cell).startswith("<details>\n") for cell in solutions), "a solution opens only when clicked"
    # The exercises proper: the teachers' section after them uses solutions openly (a key, a graded folder).
    cells = notebook["cells"]
    teachers = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## For teachers" in source(c))
    exercise_cells = [cell for cell in cells[:teachers] if cell["cell_type"] == "code"]
    checked = [cell for cell in exercise_cells if "solution" in source(cell)]
    assert len(checked) >= 4 and all(cell["metadata"]["jupyter"]["outputs_hidden"] for cell in checked)


def test_all_notebooks_download_as_one_zip(built_site):
    with zipfile.ZipFile(built_site / notebooks.FOLDER / notebooks.ZIP_NAME) as archive:
        names = set(archive.namelist())
        assert {f"jacobian_bp-notebooks/{notebooks.notebook_name(p.name)}" for p in NOTEBOOK_PAGES} <= names
        assert "jacobian_bp-notebooks/README.txt" in names
        assert archive.testzip() is None
