"""Shared by the doctests of the package and the test suite."""

import builtins
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("markdown-docs") is None:
        return (yield)
    _fence_output.seek(0)
    _fence_output.truncate()
    # A page sets numpy's print options for what it shows (np.set_printoptions(precision=4, ...));
    # they are global, so they are put back before the next test, a doctest perhaps, prints an array.
    print_options = np.get_printoptions()
    try:
        return (yield)
    finally:
        np.set_printoptions(**print_options)
        item.add_report_section("call", "stdout", _fence_output.getvalue())
