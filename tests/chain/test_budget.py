"""The memory budget: checked before every materialization, so an oversized request allocates nothing."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.chain.budget import check_budget, format_bytes, parse_bytes, resolve_max_bytes

EXACT = {"rtol": 1e-10, "atol": 1e-12}


def notes_batch(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.uniform(size=(n, 1))


@pytest.fixture(autouse=True)
def _no_budget_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(jbp.MAX_BYTES_ENV, raising=False)


def assert_budget_message(error: jbp.MemoryBudgetError, name: str, shape: tuple[int, ...], budget: int) -> None:
    message = str(error)
    size = int(np.prod(shape)) * 8
    assert name in message
    assert str(shape) in message
    assert f"{size:,} bytes" in message
    assert f"budget of {budget:,} bytes" in message
    assert "method='outer'" in message and "method='backprop'" in message


def test_default_budget_is_one_gibibyte() -> None:
    assert jbp.DEFAULT_MAX_BYTES == 2**30
    assert resolve_max_bytes() == 2**30


def test_full_view_over_budget_names_the_jacobian_its_shape_size_and_the_budget() -> None:
    X, T = notes_batch(50)
    # Full-view factors in order: (50,) = 400 B, then ∂J⁽ᵖ⁾/∂Z (50, 50, 1) = 20,000 B.
    with pytest.raises(jbp.MemoryBudgetError) as caught:
        jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch="full", max_bytes=10_000)
    assert_budget_message(caught.value, "∂J⁽ᵖ⁾/∂Z", (50, 50, 1), 10_000)
    # With room for that one, the first to fail is the biggest two-batch-axes factor before ∂A¹/∂W¹.
    with pytest.raises(jbp.MemoryBudgetError) as caught:
        jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch="full", max_bytes=50_000)
    assert_budget_message(caught.value, "∂A²/∂H¹", (50, 1, 50, 3), 50_000)


def test_per_example_view_fits_where_the_full_view_does_not() -> None:
    X, T = notes_batch(50)
    net = jbp.notes_network()
    per_example = jbp.jacobian_chain(net, X, T, wrt="W1", batch="per_example", max_bytes=10_000)
    # its largest stack is ∂a¹/∂W¹: 50·3·3·2·8 = 7,200 bytes
    assert max(f.array.nbytes for f in per_example.factors) == 7_200
    np.testing.assert_allclose(
        per_example.contract(method="einsum", max_bytes=10_000).array,
        jbp.gradient(net, X, T, method="backprop")["W1"],
        **EXACT,
    )


def test_one_example_chain_checks_its_factors_too() -> None:
    net = jbp.MLP([300, 300, 1], seed=0)
    with pytest.raises(jbp.MemoryBudgetError) as caught:
        jbp.jacobian_chain(net, np.ones(300), 1.0, wrt="W1", max_bytes=10**6)
    assert_budget_message(caught.value, "∂a¹/∂W¹", (300, 300, 300), 10**6)


def test_contract_checks_each_intermediate_product() -> None:
    X, T = notes_batch(4)
    for batch, product in (("full", "∂J/∂Z"), ("per_example", "∂J/∂z")):
        chain = jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch=batch)
        # The first product, ∂J/∂J⁽ᵖ⁾ · ∂J⁽ᵖ⁾/∂Z, is a (4, 1) array: 32 bytes.
        with pytest.raises(jbp.MemoryBudgetError, match=re.escape("(4, 1)")) as caught:
            chain.contract(method="reshape", max_bytes=16)
        assert "32 bytes" in str(caught.value) and product in str(caught.value)
        assert chain.contract(method="reshape", max_bytes=1024).shape == (3, 2)


@pytest.mark.parametrize("method", jbp.CHAIN_METHODS)
def test_gradient_budget_applies_to_the_materializing_methods_only(method: str) -> None:
    X, T = notes_batch(8)
    net = jbp.notes_network()
    with pytest.raises(jbp.MemoryBudgetError, match="method='outer' or method='backprop'"):
        jbp.gradient(net, X, T, method=method, max_bytes=64)
    for efficient in ("outer", "backprop"):
        assert jbp.gradient(net, X, T, method=efficient, max_bytes=64)["W1"].shape == (3, 2)
    # and the process carries on: the same request with room succeeds and is right
    got = jbp.gradient(net, X, T, method=method, max_bytes=2**20)
    expected = jbp.gradient(net, X, T, method="backprop")
    for name in net.param_names:
        np.testing.assert_allclose(got[name], expected[name], **EXACT)


def test_a_huge_request_fails_before_allocating_anything() -> None:
    # ∂J⁽ᵖ⁾/∂Z alone would be 20,000 · 20,000 · 1 · 8 bytes = 3.2 GB, over the default 1 GiB.
    X, T = notes_batch(20_000)
    net = jbp.notes_network()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with pytest.raises(jbp.MemoryBudgetError, match=re.escape("(20000, 20000, 1)")):
            jbp.jacobian_chain(net, X, T, wrt="W1", batch="full")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"peak traced allocation {peak:,} bytes"
    # the forward pass and the efficient paths still work on the same batch
    assert jbp.gradient(net, X, T, method="backprop")["W1"].shape == (3, 2)


def test_memory_budget_error_is_a_memory_error_and_a_value_error() -> None:
    with pytest.raises(MemoryError):
        check_budget("∂y/∂x", (10, 10), max_bytes=8)
    with pytest.raises(ValueError):
        check_budget("∂y/∂x", (10, 10), max_bytes=8)
    assert check_budget("∂y/∂x", (10, 10), max_bytes=800) == 800


# ------------------------------------------------------------------------------------------------ the environment


def test_environment_variable_sets_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    X, T = notes_batch(50)
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "10000")
    with pytest.raises(jbp.MemoryBudgetError, match="budget of 10,000 bytes"):
        jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch="full")
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "1000")  # the per-example view needs 7,200 bytes for ∂a¹/∂W¹
    with pytest.raises(jbp.MemoryBudgetError, match="budget of 1,000 bytes"):
        jbp.gradient(jbp.notes_network(), X, T, method="einsum")
    # an explicit max_bytes wins over the environment
    assert jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch="full", max_bytes=2**20).batch_size == 50


@pytest.mark.parametrize("text, expected", [("4096", 4096), ("1K", 1024), ("512M", 512 * 2**20), (" 2GiB ", 2**31)])
def test_byte_counts_with_units(text: str, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_bytes(text) == expected
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, text)
    assert resolve_max_bytes() == expected


@pytest.mark.parametrize("text", ["abc", "0", "-5", "1.5G", "", "12 parsecs"])
def test_bad_environment_value_is_a_clear_error(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, text)
    with pytest.raises(jbp.InvalidArgumentError, match=f"{jbp.MAX_BYTES_ENV} must be a positive whole number") as err:
        jbp.gradient(jbp.notes_network(), [1.0, 0.5], 1.0, method="einsum")
    assert repr(text) in str(err.value)


@pytest.mark.parametrize("bad, error", [(0, jbp.InvalidArgumentError), (-1, jbp.InvalidArgumentError)])
def test_non_positive_max_bytes_is_rejected(bad: int, error: type) -> None:
    with pytest.raises(error, match="max_bytes must be positive"):
        jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, max_bytes=bad)


@pytest.mark.parametrize("bad", [1.5, "1G", True])
def test_max_bytes_of_the_wrong_type_is_rejected(bad: object) -> None:
    with pytest.raises(jbp.InputTypeError, match="max_bytes must be a whole number"):
        jbp.gradient(jbp.notes_network(), [1.0, 0.5], 1.0, method="reshape", max_bytes=bad)


def test_format_bytes_is_readable() -> None:
    assert format_bytes(3 * 2**30) == "3.0 GiB"
    assert format_bytes(1023) == "1023 B"


@pytest.mark.parametrize("method", jbp.METHODS)
def test_bad_environment_value_is_refused_by_every_method(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # backprop and outer never materialize a Jacobian, yet a typo in the budget must not pass unnoticed there.
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "garbage")
    with pytest.raises(jbp.InvalidArgumentError, match=f"{jbp.MAX_BYTES_ENV} must be a positive whole number"):
        jbp.gradient(jbp.notes_network(), [1.0, 0.5], 1.0, method=method)


@pytest.mark.parametrize(
    "call",
    [
        lambda net: jbp.compare(net, [1.0, 0.5], 1.0, methods=("backprop", "outer")),
        lambda net: jbp.gradcheck(net, [1.0, 0.5], 1.0, method="outer"),
        lambda net: jbp.train(net, [[1.0, 0.5]], [1.0], method="backprop", epochs=1),
        lambda net: jbp.cost_table(net, [1.0, 0.5], 1.0, methods=("backprop",), timings=True),
        lambda net: jbp.jacobian_chain(net, [1.0, 0.5], 1.0),
    ],
    ids=["compare", "gradcheck", "train", "cost_table", "jacobian_chain"],
)
def test_bad_environment_value_is_refused_wherever_it_is_read(call, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "12 parsecs")
    with pytest.raises(jbp.InvalidArgumentError, match="'12 parsecs'"):
        call(jbp.notes_network())
