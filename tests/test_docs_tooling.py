"""The documentation's machinery: pages and README are collected, complete and linked; the build
hooks do what they say.

The pages themselves are tests too: pytest runs every ```python fence of docs/ and README.md.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))
MARKDOWN_FILES = [*PAGES, ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent> *)(?P<marks>```+|~~~+)(?P<info>.*)$")
#: The info strings pytest-markdown-docs (superfences syntax) runs as Python.
RUN_AS_PYTHON = {"python", "{.python continuation}"}


def load_script(path: Path) -> ModuleType:
    """Import a file that is not part of a package (scripts/, docs_hooks/)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def fences(path: Path) -> list[tuple[int, str, str]]:
    """``(line number, info string, line before)`` of every opening code fence in ``path``."""
    lines = path.read_text(encoding="utf8").splitlines()
    found, closing = [], None
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if not match:
            continue
        if closing is None:
            found.append((number + 1, match["info"].strip(), lines[number - 1] if number else ""))
            closing = match["marks"]
        elif match["marks"].startswith(closing) and not match["info"].strip():
            closing = None
    return found


def test_every_python_fence_is_one_pytest_runs() -> None:
    for path in MARKDOWN_FILES:
        for line, info, _ in fences(path):
            if "py" in info and "notest" not in info:
                assert info in RUN_AS_PYTHON, f"{path.name}:{line}: fence {info!r} would not run; use ```python"


def test_docstrings_hold_doctests_not_fences() -> None:
    # conftest.py leaves .py files out of pytest-markdown-docs: a ```python fence in a docstring would not run.
    sources = [*(ROOT / "jacobian_bp").rglob("*.py"), *(ROOT / "tests").rglob("*.py"), ROOT / "conftest.py"]
    opening = re.compile(r"^ {0,3}(`{3}|~{3})", re.M)  # a fence opens at the start of a line
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    fenced = [
        f"{path.relative_to(ROOT)}: {getattr(node, 'name', 'module')}"
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8")))
        if isinstance(node, documented) and opening.search(ast.get_docstring(node) or "")
    ]
    assert not fenced, f"write these examples as doctests (>>>), which run: {fenced}"


def test_a_skipped_fence_states_its_reason() -> None:
    for path in MARKDOWN_FILES:
        for line, info, before in fences(path):
            if "notest" in info:
                assert before.startswith("<!-- not run: "), f"{path.name}:{line}: say why in <!-- not run: ... -->"


def test_each_page_runs_python() -> None:
    walkthrough = [p for p in PAGES if p.parent == DOCS]
    assert len(walkthrough) >= 11
    for page in walkthrough:
        assert any(info in RUN_AS_PYTHON for _, info, _ in fences(page)), f"{page.name} computes nothing"


def test_pages_leave_nothing_for_later() -> None:
    for path in MARKDOWN_FILES:
        text = path.read_text(encoding="utf8")
        for marker in ("TODO", "FIXME", "XXX", "TBD"):
            assert marker not in text, f"{path.name} contains {marker}"


def test_every_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf8")
    for page in PAGES:
        assert f": {page.relative_to(DOCS).as_posix()}\n" in nav, f"{page.name} is missing from mkdocs.yml nav"


def test_readme_maps_every_walkthrough_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    section = readme.split("## Map of the docs", 1)[1].split("\n## ", 1)[0]
    for page in (p for p in PAGES if p.parent == DOCS and p.name != "index.md"):
        assert f"(docs/{page.name})" in section, f"README's map of the docs does not link {page.name}"


def public_names(path: Path) -> list[str]:
    """The public functions and classes a module defines at its top level (read from its source, not imported)."""
    tree = ast.parse(path.read_text(encoding="utf8"))
    kinds = (ast.FunctionDef, ast.ClassDef)
    return [node.name for node in tree.body if isinstance(node, kinds) and not node.name.startswith("_")]


def test_the_api_reference_names_every_module_with_public_functions() -> None:
    # The command line's modules are documented as commands (README, the pages' `jacobian-bp` examples).
    reference = "".join(page.read_text(encoding="utf8") for page in (DOCS / "reference").glob("*.md"))
    listed = set(re.findall(r"^::: (\S+)$", reference, flags=re.M))
    package = ROOT / "jacobian_bp"
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        if module.startswith("jacobian_bp.cli") or path.name.startswith("_"):  # __init__, __main__
            continue
        if public_names(path):
            assert module in listed, f"{module} has public {public_names(path)[:3]} but no docs/reference page names it"


def test_relative_links_between_pages_resolve() -> None:
    link = re.compile(r"\]\((?!https?://)([^)#\s]+\.md)(#[^)]*)?\)")
    for path in MARKDOWN_FILES:
        for target, _ in link.findall(path.read_text(encoding="utf8")):
            assert (path.parent / target).is_file(), f"{path.name} links to missing {target}"


def display_math(path: Path) -> list[str]:
    """The body of every ``$$ … $$`` block of a page, with runs of whitespace made single spaces."""
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", path.read_text(encoding="utf8"), flags=re.DOTALL | re.MULTILINE)
    return [" ".join(block.split()) for block in blocks]


def test_symbolic_page_typesets_what_to_latex_prints() -> None:
    # The page pastes to_latex() output into $$ blocks; its fences check the strings, and this checks
    # that the typeset copies are the same strings, so the math a reader sees cannot drift either.
    pytest.importorskip("sympy", reason="symbolic mode needs SymPy (the symbolic or test extra)")
    import jacobian_bp.symbolic as sym

    chain = sym.jacobian_chain(sym.notes_network(), wrt="W1", loss="mse")
    expected = [factor.to_latex() for factor in chain.factors]
    expected += [chain.factors[-1].to_latex(layout="flattened"), chain.contract(method="einsum").to_latex()]
    tiny = sym.MLP([1, 1, 1])
    expected += [sym.latex(tiny.loss(keep_symbols=False))]
    expected += [sym.latex(sym.gradient(tiny, keep_symbols=False)["W1"][0, 0])]
    shown = display_math(DOCS / "symbolic.md")
    for latex in expected:
        latex = " ".join(latex.split())
        assert any(latex in block for block in shown), f"symbolic.md does not typeset {latex[:60]}..."


# --- the figures: drawn by the code on the page --------------------------------------------------

#: A fence that draws: it calls a plotting function of jacobian_bp.display.plots.
PLOT_CALL = re.compile(r"^\s*(?:\w+ = )?(plot_\w+)\(", re.M)


def test_no_figure_is_committed_every_figure_is_drawn_by_a_fence() -> None:
    assert not (DOCS / "figures").exists(), "docs/figures/ is gone: a figure is drawn by the code on its page"
    assert not (ROOT / "scripts" / "make_figures.py").exists()
    drawn: dict[str, set[str]] = {}
    for page in PAGES:
        markdown = page.read_text(encoding="utf8")
        assert not re.search(r"!\[[^\]]*\]\((?!https?:)", markdown), f"{page.name} embeds a local image file"
        for fence in fence_hook.python_fences(markdown):
            for name in PLOT_CALL.findall(fence.code):
                assert f"import {name}" in fence.code or "from jacobian_bp.display.plots import" in markdown
                drawn.setdefault(page.name, set()).add(name)
    assert drawn["index.md"] >= {"plot_network", "plot_chain"}
    assert drawn["weight-tensor.md"] >= {"plot_tensor_slices", "plot_jacobian"}
    assert drawn["batches.md"] >= {"plot_chain", "plot_sparsity"}
    assert drawn["efficiency.md"] >= {"plot_chain", "plot_jacobian", "plot_cost"}
    assert drawn["training.md"] >= {"plot_history"}


# --- the site build hooks (need the docs extra) ------------------------------------------------


def test_docstrings_become_markdown() -> None:
    pytest.importorskip("griffe", reason="the docs extra (mkdocstrings) is not installed")
    hook = load_script(ROOT / "docs_hooks" / "griffe_doctest_blocks.py")
    text = "Chain with :func:`chain` or :class:`~jbp.Jacobian`::\n\n    code\n\n>>> 1 + 1\n2\n\nAfter."
    assert hook.markdown_docstring(text) == (
        "Chain with `chain` or `jbp.Jacobian`:\n\n    code\n\n```pycon\n>>> 1 + 1\n2\n```\n\nAfter."
    )
    table = "=== ===\nname use\n=== ===\na    b\n=== ==="
    assert hook.markdown_docstring(table) == "```text\n" + table + "\n```"


def test_mathjax_is_copied_into_the_site(tmp_path: Path) -> None:
    pytest.importorskip("mathjax", reason="the docs extra (django-static-mathjax) is not installed")
    hook = load_script(ROOT / "docs_hooks" / "mathjax_assets.py")
    hook.on_post_build({"site_dir": str(tmp_path)})
    target = tmp_path / "assets" / "mathjax"
    assert (target / "tex-chtml.js").stat().st_size > 100_000
    assert (target / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff").is_file()
    assert (target / "input" / "tex" / "extensions").is_dir()
    assert (target / "LICENSE").is_file()


# --- show, then check: what the walkthrough pages print, and where their checks go ---------------

fence_hook = load_script(ROOT / "docs_hooks" / "fence_outputs.py")
#: The numbered pages of the site's "Walkthrough" section, in order.
WALKTHROUGH = [
    DOCS / name
    for name in re.findall(r"^ +- \d+\. [^:]+: (\S+\.md)$", (ROOT / "mkdocs.yml").read_text(encoding="utf8"), re.M)
]
#: The pages this section holds to its rules: the walkthrough, the home page and the errata.
SHOWN = [*WALKTHROUGH, DOCS / "index.md", DOCS / "errata.md"]
#: Width of the code column of the built site at 1280 px, in characters.
CODE_COLUMN = 79


def collapsed_lines(markdown: str) -> set[int]:
    """Indices of the lines inside ``<details>`` blocks: collapsed in the built site."""
    inside, hidden = False, set()
    for number, line in enumerate(markdown.splitlines()):
        if line.startswith("<details"):
            inside = True
        if inside:
            hidden.add(number)
        if line.startswith("</details>"):
            inside = False
    return hidden


def is_check(node) -> bool:
    """An ``assert`` statement, or a call of ``np.testing.…`` used as a statement."""
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return ast.unparse(node.value.func).startswith(("np.testing.", "numpy.testing."))
    return False


def visible_code(page: Path) -> tuple[int, int]:
    """``(lines, check lines)`` of the Python a reader sees: fences outside ``<details>``, blank
    lines and comments left out; a check spanning several lines counts with all of them."""
    markdown = page.read_text(encoding="utf8")
    hidden = collapsed_lines(markdown)
    lines = checks = 0
    for fence in fence_hook.python_fences(markdown):
        if fence.first_line in hidden:
            continue
        code = fence.code.splitlines()
        checked = set()
        for node in ast.walk(ast.parse(fence.code)):
            if is_check(node):
                checked.update(range(node.lineno, node.end_lineno + 1))
        for number, line in enumerate(code, start=1):
            if line.strip() and not line.strip().startswith("#"):
                lines += 1
                checks += number in checked
    return lines, checks


def test_the_walkthrough_is_the_thirteen_pages_of_the_notes() -> None:
    assert [page.name for page in WALKTHROUGH][:13] == [
        "notation.md", "forward-pass.md", "per-weight.md", "matrix-form.md", "activation-jacobian.md",
        "weight-tensor.md", "outer-product.md", "batches.md", "backprop.md", "efficiency.md",
        "beyond.md", "training.md", "symbolic.md",
    ]  # fmt: skip


@pytest.mark.parametrize("page", WALKTHROUGH, ids=lambda page: page.stem)
def test_checks_are_collapsed_and_the_narrative_shows_results(page: Path) -> None:
    lines, checks = visible_code(page)
    assert lines, f"{page.name} shows no code"
    assert checks * 10 < lines, f"{page.name}: {checks} of its {lines} visible code lines are checks"


def test_the_check_counter_sees_what_a_reader_sees(tmp_path: Path) -> None:
    page = (
        "```python\nimport numpy as np\n\n# a comment\nx = 1\nprint(x)\nassert x == 1\n"
        "np.testing.assert_allclose(\n    x,\n    1,\n)\n```\n\n"
        '<details class="success" markdown>\n<summary>Checks</summary>\n\n'
        "```{.python continuation}\nassert x == 1\nassert x > 0\n```\n\n</details>\n"
    )
    path = tmp_path / "page.md"
    path.write_text(page, encoding="utf8")
    # visible: 8 lines of code (not the blank line or the comment), 5 of them in two checks;
    # the collapsed block counts for nothing
    assert visible_code(path) == (8, 5)


def fenced_lines(path: Path) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line inside a code fence of ``path``, in any language."""
    found, closing = [], None
    for number, line in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
        match = FENCE.match(line)
        if closing is None and match:
            closing = match["marks"]
        elif closing is not None and match and match["marks"].startswith(closing) and not match["info"].strip():
            closing = None
        elif closing is not None:
            found.append((number, line))
    return found


@pytest.mark.parametrize("page", SHOWN, ids=lambda page: page.stem)
def test_code_lines_fit_the_code_column(page: Path) -> None:
    too_long = [f"{page.name}:{number} ({len(line)})" for number, line in fenced_lines(page) if len(line) > CODE_COLUMN]
    assert not too_long, f"code lines longer than {CODE_COLUMN} characters: {too_long}"


@pytest.mark.parametrize("page", SHOWN, ids=lambda page: page.stem)
def test_the_suite_and_the_build_see_the_same_fences(page: Path) -> None:
    # pytest runs every ```python fence; the build hook shows the output of those in the first
    # column. A fence indented (in a list, an admonition) would run without its output shown.
    runs = [line for line, info, _ in fences(page) if info in RUN_AS_PYTHON]
    shown = [fence.first_line for fence in fence_hook.python_fences(page.read_text(encoding="utf8"))]
    assert runs == shown


# --- departures from the notes, and the errata they link to ---------------------------------------

ERRATA = DOCS / "errata.md"
#: A heading that opens an erratum: ``### … {#erratum-name}``.
ERRATUM = re.compile(r"^#{2,4} .*\{#(?P<anchor>erratum-[\w-]+)\}\s*$", re.M)
KINDS = {"wrong result", "notation", "typesetting"}
#: An admonition that says where a page departs from the notes: ``!!! note "The notes print …"``.
DEPARTURE = re.compile(r'^!!! \w+ "(?P<title>The notes [^"]*)"\n(?P<body>(?: {4}.*\n|\n)+)', re.M)
#: The pages that correct the notes somewhere, silently until issue 13.
CORRECTING = ["forward-pass.md", "per-weight.md", "weight-tensor.md", "outer-product.md"]


def errata_anchors() -> list[str]:
    return [match["anchor"] for match in ERRATUM.finditer(ERRATA.read_text(encoding="utf8"))]


def errata_table() -> list[list[str]]:
    """The cells of the rows of the first table of the errata page (header and rule left out)."""
    lines = ERRATA.read_text(encoding="utf8").splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_the_errata_open_with_one_row_per_entry() -> None:
    anchors, rows = errata_anchors(), errata_table()
    assert len(anchors) == len(set(anchors)) >= 9
    text = ERRATA.read_text(encoding="utf8")
    assert text.index("|") < text.index("```"), "the table comes before any code"
    linked = []
    for row in rows:
        assert len(row) == 4, row
        printed, correct, kind, link = row
        assert printed and correct, row
        assert kind in KINDS, f"kind {kind!r} is not one of {sorted(KINDS)}"
        row_links = re.findall(r"\]\(#(erratum-[\w-]+)\)", link)
        assert len(row_links) == 1, f"a row links to one entry: {row}"
        linked += row_links
    assert linked == anchors, "one row per entry, in the order of the entries"


def test_the_computations_of_the_errata_are_collapsed() -> None:
    markdown = ERRATA.read_text(encoding="utf8")
    hidden = collapsed_lines(markdown)
    assert all(fence.first_line in hidden for fence in fence_hook.python_fences(markdown))


def test_every_departure_from_the_notes_links_to_its_erratum() -> None:
    anchors = set(errata_anchors())
    departures = {}
    for page in WALKTHROUGH:
        for match in DEPARTURE.finditer(page.read_text(encoding="utf8")):
            links = re.findall(r"\]\(errata\.md#([\w-]+)\)", match["body"])
            assert links, f"{page.name}: {match['title']!r} does not link to the errata"
            for anchor in links:
                assert anchor in anchors, f"{page.name}: {match['title']!r} links to missing #{anchor}"
            departures.setdefault(page.name, []).extend(links)
    for name in CORRECTING:
        assert departures.get(name), f"{name} departs from the notes without saying so"


def test_links_into_the_errata_resolve() -> None:
    anchors = set(errata_anchors())
    for path in MARKDOWN_FILES:
        for anchor in re.findall(r"errata\.md#([\w-]+)", path.read_text(encoding="utf8")):
            assert anchor in anchors, f"{path.name} links to errata.md#{anchor}, which does not exist"


def test_the_home_page_opens_with_pictures_then_an_excerpt_then_the_pages() -> None:
    markdown = (DOCS / "index.md").read_text(encoding="utf8")
    fences = fence_hook.python_fences(markdown)
    assert "plot_network(" in fences[0].code, "the home page opens with the network picture"
    assert any("plot_chain(" in fence.code for fence in fences[:3]), "then the chain of ∂J/∂W¹, drawn"
    excerpt = markdown.index("walkthrough()")
    path = markdown[excerpt:]
    items = re.findall(r"^\d+\. .*\]\((\S+\.md)\).*$", path, re.M)
    assert items == [page.name for page in WALKTHROUGH], "after the excerpt, one line per page"
    assert "mkdocs build" not in markdown and "pip install" not in markdown, "developer instructions are in the README"


def test_each_exercise_has_one_fold_for_the_diagnosis_and_one_for_the_solution() -> None:
    markdown = (DOCS / "exercises.md").read_text(encoding="utf8")
    sections = re.split(r"^## (?=\d+\. )", markdown, flags=re.M)[1:]
    assert len(sections) == 10
    for section in sections:
        section = section.split("\n## ")[0]  # up to a following unnumbered section (the teachers' notes)
        title = section.splitlines()[0]
        folds = re.findall(r"^<summary>(.*)</summary>$", section, re.M)
        assert len(folds) == 2, f"{title}: folds {folds}"
        assert folds[0].startswith("A wrong answer, diagnosed") and folds[1] == "Solution", title
        assert "??? " not in section and "!!! " not in section, title
        # display math on lines of its own: "$$…$$," inside a line leaves its dollars as text
        assert not re.search(r"\S\$\$|\$\$\S", section.replace("$$\n", "").replace("\n$$", "")), title
