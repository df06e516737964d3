"""Shared by the doctests of the package and the test suite."""

import builtins
import dataclasses
import io
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import jacobian_bp as jbp

# The documentation site, built in the background as soon as a collected test needs it (tests/site.py).
pytest_plugins = ["tests.site"]

# "dev" for a local run, "ci" (derandomized: the same examples every run) for CI,
# "thorough" to hunt for rare failures. Pick one with HYPOTHESIS_PROFILE.
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("ci", parent=settings.get_profile("dev"), derandomize=True, print_blob=True)
settings.register_profile("thorough", parent=settings.get_profile("dev"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

try:
    import sympy  # noqa: F401
except ImportError:  # the 'symbolic' extra is not installed: its doctests cannot run
    collect_ignore_glob = ["jacobian_bp/symbolic/*"]


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict) -> None:
    doctest_namespace["np"] = np
    doctest_namespace["jbp"] = jbp


# pytest-markdown-docs imports every module it collects to read its docstrings; importing
# __main__.py would run the command line (doctest collection already leaves it alone).
collect_ignore = ["jacobian_bp/__main__.py"]


# pytest-markdown-docs turns pytest's output capture off while a fence runs, so every print() of
# the docs pages would land in the middle of the test report. Fences get a print() that writes to
# a buffer instead, and the buffer is attached to the test's report: shown when a fence fails,
# like captured output of an ordinary test.
_fence_output = io.StringIO()


def _fence_print(*args: Any, **kwargs: Any) -> None:
    kwargs.setdefault("file", _fence_output)
    builtins.print(*args, **kwargs)


def pytest_markdown_docs_globals() -> dict[str, Any]:
    return {"print": _fence_print}


# A `{.python continuation}` fence is run by pytest-markdown-docs as the whole page up to it, every fence
# before it included, so that it passes alone, in any order, on any xdist worker: a page of n fences runs
# its first fence n times (training.md trains its spiral network five times). When the fence just before
# it on the page was the last test run here and passed, its namespace (and numpy's print options) is
# exactly where those earlier fences leave it: the fence then runs alone, on that namespace.
_last_fence: dict[str, Any] = {}


class _ContinuingRunner:
    """The page's runner, given the namespace the previous fence left when it is the one to continue from."""

    def __init__(self, runner: Any, previous: dict[str, Any]) -> None:
        self.runner, self.previous = runner, previous

    def runtest(self, test: Any, namespace: dict[str, Any], **kwargs: Any) -> None:
        saved = self.previous
        own = test
        if saved and saved["path"] == test.source_path and test.source.startswith(saved["source"]):
            namespace.update(saved["namespace"])
            np.set_printoptions(**saved["print_options"])
            # the earlier fences' lines left blank, so that a failure still names the page's line
            blank = "\n" * saved["source"].count("\n")
            own = dataclasses.replace(test, source=blank + test.source[len(saved["source"]) :])
        self.runner.runtest(own, namespace, **kwargs)
        _last_fence.update(
            path=test.source_path, source=test.source, namespace=namespace, print_options=np.get_printoptions()
        )

    def repr_failure(self, *args: Any, **kwargs: Any) -> Any:
        return self.runner.repr_failure(*args, **kwargs)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    previous = dict(_last_fence)
    _last_fence.clear()  # only the very next test may continue from a fence
    if item.get_closest_marker("markdown-docs") is None:
        return (yield)
    _fence_output.seek(0)
    _fence_output.truncate()
    if hasattr(item, "runner"):  # pytest-markdown-docs 0.9's runner; another version runs every page in full
        item.runner = _ContinuingRunner(item.runner, previous)  # type: ignore[attr-defined]
    # A page sets numpy's print options for what it shows (np.set_printoptions(precision=4, ...));
    # they are global, so they are put back before the next test, a doctest perhaps, prints an array.
    print_options = np.get_printoptions()
    try:
        return (yield)
    finally:
        np.set_printoptions(**print_options)
        item.add_report_section("call", "stdout", _fence_output.getvalue())


# pytest-markdown-docs also imports every .py file under the test paths and walks its docstrings for
# ```python fences: two seconds of every worker's collection. Docstrings here hold doctests (run by
# --doctest-modules), never fences (tests/test_docs_tooling.py holds to that), so the walk finds nothing
# and is left out; the pages and the README are still collected by it.
@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> Any:
    collected = yield
    if file_path.suffix != ".py":
        return collected
    return [node for node in collected if type(node).__name__ != "MarkdownDocstringCodeModule"]
