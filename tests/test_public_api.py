"""The public contract: names from the conventions exist, and every public docstring has an example."""

import inspect
import subprocess
import sys

import jacobian_bp as jbp


def test_contract_names_exist() -> None:
    for name in ("notes_network", "MLP", "gradient", "METHODS", "compare", "jacobian_chain", "Jacobian", "chain"):
        assert hasattr(jbp, name), name
    conventions = ("scalar", "reshape", "slices", "einsum", "outer", "backprop", "numeric")
    # The conventions' seven, in their order, with "structured" (issue 5) among the materializing paths.
    assert tuple(m for m in jbp.METHODS if m in conventions) == conventions
    assert set(jbp.METHODS) == {*conventions, "structured"}


def test_every_public_callable_has_a_runnable_example() -> None:
    missing = []
    for name in jbp.__all__:
        obj = getattr(jbp, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            continue
        if callable(obj) and ">>>" not in (inspect.getdoc(obj) or ""):
            missing.append(name)
    assert not missing, f"public names without a docstring example: {missing}"


def test_import_is_light() -> None:
    code = "import sys, jacobian_bp; print(sorted(m for m in ('sympy', 'matplotlib') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
