"""The backbone: every gradient path agrees with every other and with finite differences."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given

import jacobian_bp as jbp
from jacobian_bp.methods.gradient import MATERIALIZING_METHODS

from ..strategies import problems

EXACT = [m for m in jbp.METHODS if m != "numeric"]


@given(problems())
def test_exact_paths_agree_with_each_other_and_with_finite_differences(problem) -> None:
    # Each exact path's gradient is computed once and checked twice: against backprop to rounding, and
    # (one path of each kind) against finite differences.
    reference = jbp.gradient(problem.net, problem.X, problem.T, loss=problem.loss, method="backprop")
    numeric = jbp.gradient(problem.net, problem.X, problem.T, loss=problem.loss, method="numeric")
    for method in EXACT:
        grads = jbp.gradient(problem.net, problem.X, problem.T, loss=problem.loss, method=method)
        assert list(grads) == list(problem.net.params)
        for name, value in grads.items():
            assert value.shape == problem.net.params[name].shape
            np.testing.assert_allclose(value, reference[name], rtol=1e-10, atol=1e-12, err_msg=f"{method} {name}")
            if method in ("scalar", "einsum", "outer", "backprop"):
                np.testing.assert_allclose(value, numeric[name], rtol=1e-5, atol=1e-6, err_msg=f"{method} {name}")


@given(problems())
def test_compare_and_gradcheck_pass_on_correct_paths(problem) -> None:
    report = jbp.compare(problem.net, problem.X, problem.T, loss=problem.loss)
    assert report.ok, str(report)
    assert [row.method for row in report.rows] == list(jbp.METHODS)
    assert jbp.gradcheck(problem.net, problem.X, problem.T, loss=problem.loss, method="reshape")


@given(problems())
def test_chain_factors_have_the_documented_shapes(problem) -> None:
    net = problem.net
    x = problem.X if problem.X.ndim == 1 else problem.X[0]
    t = problem.T if problem.T.ndim == 1 else problem.T[0]
    sizes, L = net.sizes, net.depth
    for k in range(1, L + 1):
        chain = jbp.jacobian_chain(net, x, t, wrt=f"W{k}", loss=problem.loss)
        # ∂J/∂z, then per layer m = L..k: ∂h^m/∂a^m and (above k) ∂a^m/∂h^{m−1}, then ∂a^k/∂W^k.
        expected = [(sizes[L],)]
        for m in range(L, k - 1, -1):
            expected.append((sizes[m], sizes[m]))
            if m > k:
                expected.append((sizes[m], sizes[m - 1]))
        expected.append((sizes[k], sizes[k], sizes[k - 1]))
        assert [f.shape for f in chain.factors] == expected
        assert chain.contract().shape == net.params[f"W{k}"].shape
        assert jbp.jacobian_chain(net, x, t, wrt=f"b{k}", loss=problem.loss).factors[-1].structure == "identity"


def test_a_single_example_equals_a_batch_of_one() -> None:
    net = jbp.notes_network()
    x, t = np.array([0.3, -0.7]), 0.25
    one = jbp.gradient(net, x, t, method="einsum")
    batch = jbp.gradient(net, x[None], np.array([t]), method="einsum")
    for name in one:
        np.testing.assert_allclose(one[name], batch[name], rtol=1e-12)


def test_the_batch_gradient_is_the_mean_of_per_example_gradients() -> None:
    net = jbp.MLP([3, 4, 2], activation="tanh", output_activation="identity", seed=3)
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    batch = jbp.gradient(net, X, T, method="outer")
    for name in batch:
        mean = np.mean([jbp.gradient(net, X[p], T[p], method="outer")[name] for p in range(5)], axis=0)
        np.testing.assert_allclose(batch[name], mean, rtol=1e-12, atol=1e-15)


def test_confidently_wrong_saturated_output_gets_a_clear_error_on_materializing_paths() -> None:
    net = jbp.MLP([1, 1], activation="sigmoid", params={"W1": [[1000.0]], "b1": [0.0]})
    x, t = np.array([1.0]), np.array([0.0])
    # Backprop's fused ∂J/∂a = z − t = 1 is exact, so ∂J/∂W = 1 · x.
    np.testing.assert_allclose(jbp.gradient(net, x, t, loss="bce", method="backprop")["W1"], [[1.0]])
    # Every path that multiplies ∂J/∂z by ∂z/∂a refuses: e^1000 does not fit in float64.
    for method in ("scalar", "reshape", "slices", "einsum", "structured", "outer"):
        with pytest.raises(jbp.NonFiniteError, match=r"saturated.*method='backprop'"):
            jbp.gradient(net, x, t, loss="bce", method=method)


def test_a_confidently_wrong_output_short_of_overflow_is_exact_on_every_path() -> None:
    # z = σ(40) rounds to 1 in float64, yet 1 − z = σ(−40) ≈ 4e−18 comes from the logits, so
    # ∂J/∂z ≈ 2.4e17 and ∂z/∂a ≈ 4e−18 multiply back to z − t = 1 to the last bit.
    net = jbp.MLP([1, 1], activation="sigmoid", params={"W1": [[40.0]], "b1": [0.0]})
    for method in jbp.EXACT_METHODS:
        np.testing.assert_allclose(
            jbp.gradient(net, [1.0], [0.0], loss="bce", method=method)["W1"], [[1.0]], rtol=1e-15
        )


def test_saturated_network_stays_finite_on_every_path_when_the_prediction_is_right() -> None:
    net = jbp.MLP(
        [2, 3], activation="softmax", params={"W1": np.array([[500.0, 0], [-500, 0], [0, 0]]), "b1": np.zeros(3)}
    )
    X, T = np.array([[2.0, 1.0]]), np.array([[1.0, 0.0, 0.0]])
    for method in jbp.METHODS:
        grads = jbp.gradient(net, X, T, loss="cross_entropy", method=method)
        assert all(np.isfinite(g).all() for g in grads.values()), method
    assert np.isfinite(net.loss(X, T, loss="cross_entropy"))


@pytest.mark.parametrize("method", MATERIALIZING_METHODS)
def test_materializing_paths_free_each_parameters_stacks_before_the_next(method: str) -> None:
    """Peak memory of the whole gradient is that of the largest single chain, not the sum of all of them."""
    net = jbp.MLP([16, 16, 16, 16], activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(8, 16)), rng.normal(size=(8, 16))

    def peak_bytes(run) -> int:
        tracemalloc.start()
        try:
            run()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def one_chain(name: str) -> None:
        chain = jbp.jacobian_chain(net, X, T, wrt=name, batch="per_example")
        chain.contract(method="reshape" if method == "structured" else method)

    chains = [peak_bytes(lambda name=name: one_chain(name)) for name in net.param_names]
    whole = peak_bytes(lambda: jbp.gradient(net, X, T, method=method))
    assert whole < 1.1 * max(chains) < 0.5 * sum(chains)
