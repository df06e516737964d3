"""Shared by the doctests of the package and the test suite."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import jacobian_bp as jbp

# "dev" for a local run, "ci" (derandomized: the same examples every run) for CI,
# "thorough" to hunt for rare failures. Pick one with HYPOTHESIS_PROFILE.
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
