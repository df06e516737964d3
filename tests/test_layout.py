"""The package reads beside the notes: no import cycles, one function per approach, one list of factors."""

from __future__ import annotations

import ast
import collections
import functools
import sys
from pathlib import Path

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.chain import approaches
from jacobian_bp.chain.budget import Budget

PACKAGE = Path(jbp.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every package module ``path`` imports, at any depth (functions included), except under TYPE_CHECKING."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # "from jacobian_bp.chain import approaches" names a module
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            found.update(arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return found & modules


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: _imports(path, modules) - {name} for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph, or ``None``: depth-first search with the path on the stack."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def walk(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := walk(target, [*path, target])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := walk(start, [start])):
            return found
    return None


def test_no_import_cycles_counting_imports_inside_functions():
    graph = import_graph()
    # The graph does see a package's own imports and function-level ones: the check has teeth.
    assert "jacobian_bp.network.sympy_functions" in graph["jacobian_bp.network.dispatch"]
    assert "jacobian_bp.symbolic" in graph["jacobian_bp"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_notes_ideas_are_found_from_the_file_tree():
    files = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")}
    assert {"network/affine.py", "chain/approaches.py", "chain/factors.py", "methods/backprop.py"} <= files
    assert "∂a/∂W" in (PACKAGE / "network/affine.py").read_text().split('"""')[1]
    assert "Algorithm 6.4" in (PACKAGE / "methods/backprop.py").read_text().split('"""')[1]


def _docstrings() -> list[tuple[str, str]]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and (doc := ast.get_docstring(node)):
                found.append((f"{_module_name(path)}.{node.name}", doc))
    return found


def test_exactly_one_function_is_approach_1_and_one_is_approach_2():
    for approach, function in (
        ("Approach 1", "jacobian_bp.chain.approaches.slices"),
        ("Approach 2", "jacobian_bp.chain.approaches.reshape"),
    ):
        claimants = [name for name, doc in _docstrings() if approach in doc]
        assert claimants == [function]


def _functions_run(call) -> set[object]:
    """The code objects of every Python function that runs during ``call()``."""
    seen: set[object] = set()

    def profile(frame, event, arg):
        if event == "call":
            seen.add(frame.f_code)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return seen


def test_every_entry_point_runs_the_one_function_of_each_approach():
    net = jbp.notes_network()
    X, T = np.array([[1.0, 0.5], [0.0, -1.0]]), np.array([1.0, 0.0])
    chain = jbp.jacobian_chain(net, X[0], T[0], wrt="W1")
    for method in ("reshape", "slices"):
        function = getattr(approaches, method).__code__
        others = {getattr(approaches, m).__code__ for m in jbp.CHAIN_METHODS if m != method} - {function}
        per_example = jbp.jacobian_chain(net, X, T, wrt="W1", batch="per_example")
        for call in (
            functools.partial(jbp.gradient, net, X, T, method=method),
            functools.partial(jbp.chain, *chain.factors, method=method),
            functools.partial(chain.contract, method=method),
            functools.partial(per_example.contract, method=method),
        ):
            ran = _functions_run(call)
            assert function in ran
            if method == "reshape":  # slices hands a factor with no input axes to reshape; reshape never to slices
                assert not (others & ran)


def _package_calls(call) -> collections.Counter:
    """How many times each function of the package runs during ``call()`` (once warmed up)."""
    call()
    counts: collections.Counter = collections.Counter()
    package = str(PACKAGE)

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(package):
            counts[frame.f_code] += 1
            if frame.f_code.co_name == "resolve_max_bytes" and not isinstance(frame.f_locals["max_bytes"], Budget):
                counts["budget resolved"] += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return counts


def test_inputs_are_checked_once_at_the_door():
    # One gradient on the notes' example: the entry point checks and resolves; the engine trusts what it is handed.
    net, x, t = jbp.notes_network(), np.array([1.0, 0.5]), 1.0
    counts = _package_calls(functools.partial(jbp.gradient, net, x, t, method="reshape"))
    assert sum(counts.values()) <= 300
    assert counts["budget resolved"] == 1  # then handed inward as a Budget, taken as it is
    by_name = {getattr(code, "co_name", code): n for code, n in counts.items()}
    assert "check_chainable" not in by_name and "_check_per_example_chain" not in by_name
    backprop = _package_calls(functools.partial(jbp.gradient, net, x, t, method="backprop"))
    assert sum(backprop.values()) <= 60
