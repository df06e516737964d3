"""Symbolic mode: the notes' matrices entry for entry, and agreement with the numeric engine.

Every expected matrix here is typed in from the notes with symbols made in
this file (``sympy.Symbol(name, real=True)``), never taken from the code under
test. ``sympy.simplify`` is slow, so it is used only on the small expressions
of the notes' network; larger ones are compared with ``expand`` or numerically.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp

sympy = pytest.importorskip("sympy", reason="symbolic mode needs the 'symbolic' extra (SymPy)")
import jacobian_bp.symbolic as sym  # noqa: E402 — only importable once SymPy is known to be there

# ── the notes' symbols, typed in independently ────────────────────────────────


def S(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


x1, x2, t, z = S("x₁"), S("x₂"), S("t"), S("z")
a1 = [S("a¹₁"), S("a¹₂"), S("a¹₃")]
h1 = [S("h¹₁"), S("h¹₂"), S("h¹₃")]
a2 = S("a²")
w2 = [S("w²₁"), S("w²₂"), S("w²₃")]
W1_NAMES = [["w¹₁₁", "w¹₁₂"], ["w¹₂₁", "w¹₂₂"], ["w¹₃₁", "w¹₃₂"]]
σ, σʹ = sym.sigma, sym.sigma_prime


@pytest.fixture(scope="module")
def snet() -> sym.MLP:
    return sym.notes_network()


@pytest.fixture(scope="module")
def chain_W1(snet: sym.MLP) -> jbp.JacobianChain:
    return sym.jacobian_chain(snet, wrt="W1", loss="mse")


def entries_equal(array: np.ndarray, expected: list) -> bool:
    """Exact, entry-for-entry equality of an object array with nested lists of expressions."""
    expected_array = np.array(expected, dtype=object)
    return array.shape == expected_array.shape and all(
        sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0
        for a, b in zip(array.ravel(), expected_array.ravel(), strict=True)
    )


# ── the notes' network, symbol for symbol ────────────────────────────────────


def test_parameters_inputs_and_target_carry_the_notes_names(snet: sym.MLP) -> None:
    assert [[str(w) for w in row] for row in snet.params["W1"]] == W1_NAMES
    assert [str(b) for b in snet.params["b1"]] == ["b¹₁", "b¹₂", "b¹₃"]
    assert list(snet.params["W2"][0]) == w2  # the notes' column vector w² is the 1×3 matrix W2
    assert list(snet.params["b2"]) == [S("b²")]
    assert list(snet.x) == [x1, x2] and list(snet.t) == [t]
    assert list(snet.a[1]) == a1 and list(snet.a[2]) == [a2]
    assert list(snet.h[1]) == h1 and list(snet.h[2]) == [z]
    assert snet.symbols["w¹₃₂"] == S("w¹₃₂")


def test_forward_pass_over_symbols_is_the_notes_forward_pass(snet: sym.MLP) -> None:
    trace = snet.trace(keep_symbols=False)
    W = [[S(name) for name in row] for row in W1_NAMES]
    b1 = [S("b¹₁"), S("b¹₂"), S("b¹₃")]
    expected_a1 = [W[i][0] * x1 + W[i][1] * x2 + b1[i] for i in range(3)]
    assert list(trace.a[1]) == expected_a1
    assert list(trace.h[1]) == [σ(a) for a in expected_a1]
    assert trace.z[0] == σ(sum(w2[i] * σ(expected_a1[i]) for i in range(3)) + S("b²"))
    assert snet.loss() == sympy.Rational(1, 2) * (t - z) ** 2


def test_d_a1_d_W1_is_the_notes_three_slices(chain_W1: jbp.JacobianChain) -> None:
    d_a_d_W = chain_W1.factors[-1]
    assert d_a_d_W.name == "∂a¹/∂W¹" and d_a_d_W.notation == "R^{3×(3×2)}"
    slices = [
        [[x1, x2], [0, 0], [0, 0]],  # ∂a¹₁/∂W¹
        [[0, 0], [x1, x2], [0, 0]],  # ∂a¹₂/∂W¹
        [[0, 0], [0, 0], [x1, x2]],  # ∂a¹₃/∂W¹
    ]
    for i, expected in enumerate(slices):
        assert entries_equal(d_a_d_W.array[i], expected), f"slice {i + 1}"
    assert d_a_d_W.structure == "block-sparse"


def test_flattened_d_a1_d_W1_is_the_notes_3x6_matrix(chain_W1: jbp.JacobianChain) -> None:
    expected = [
        [x1, x2, 0, 0, 0, 0],
        [0, 0, x1, x2, 0, 0],
        [0, 0, 0, 0, x1, x2],
    ]
    assert entries_equal(chain_W1.factors[-1].matrix, expected)


def test_d_h1_d_a1_is_diag_sigma_prime(chain_W1: jbp.JacobianChain) -> None:
    d_h_d_a = chain_W1.factors[3]
    assert d_h_d_a.name == "∂h¹/∂a¹"
    expected = [[σʹ(a1[0]), 0, 0], [0, σʹ(a1[1]), 0], [0, 0, σʹ(a1[2])]]
    assert entries_equal(d_h_d_a.array, expected)
    assert d_h_d_a.structure == "diagonal"


def test_outer_factors_are_the_notes_scalars_and_row(chain_W1: jbp.JacobianChain) -> None:
    d_J_d_z, d_z_d_a2, d_a2_d_h = chain_W1.factors[:3]
    assert entries_equal(d_J_d_z.array, [-(t - z)])
    assert entries_equal(d_z_d_a2.array, [[σʹ(a2)]])
    assert entries_equal(d_a2_d_h.array, [w2])
    assert chain_W1.notation == "R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)}"


def notes_d_J_d_W1() -> list[list[sympy.Expr]]:
    """The notes' closed form: entry (i, j) is −(t − z) σ′(a²) w²ᵢ σ′(a¹ᵢ) xⱼ."""
    x = [x1, x2]
    return [[-(t - z) * σʹ(a2) * w2[i] * σʹ(a1[i]) * x[j] for j in range(2)] for i in range(3)]


@pytest.mark.parametrize("method", jbp.CHAIN_METHODS)
def test_d_J_d_W1_simplifies_to_the_notes_closed_form(chain_W1: jbp.JacobianChain, method: str) -> None:
    result = chain_W1.contract(method=method)
    assert result.shape == (3, 2)
    assert entries_equal(result.array, notes_d_J_d_W1())


@pytest.mark.parametrize("method", jbp.CHAIN_METHODS)
def test_d_J_d_W2_simplifies_to_the_notes_closed_form(snet: sym.MLP, method: str) -> None:
    result = sym.jacobian_chain(snet, wrt="W2").contract(method=method)
    # The notes: [−(t − z)] [σ(a²)(1 − σ(a²))] hᵀ, a 1×3 row.
    with_sigma = [[-(t - z) * σ(a2) * (1 - σ(a2)) * h1[j] for j in range(3)]]
    with_sigma_prime = [[-(t - z) * σʹ(a2) * h1[j] for j in range(3)]]
    assert entries_equal(result.array, with_sigma_prime)
    assert entries_equal(sym.expand_sigmoid(result).array, with_sigma)
    assert entries_equal(sym.expand_sigmoid(result.array), with_sigma)


@pytest.mark.parametrize("wrt", ["W1", "b1", "W2", "b2", "x"])
def test_three_chaining_methods_are_symbolically_identical(snet: sym.MLP, wrt: str) -> None:
    chain = sym.jacobian_chain(snet, wrt=wrt)
    results = [chain.contract(method=method).array for method in jbp.CHAIN_METHODS]
    for other in results[1:]:
        for a, b in zip(results[0].ravel(), other.ravel(), strict=True):
            assert sympy.simplify(a - b) == 0


def test_every_symbolic_gradient_path_gives_the_same_expressions(snet: sym.MLP) -> None:
    by_method = {method: sym.gradient(snet, method=method) for method in sym.SYMBOLIC_METHODS}
    reference = by_method["reshape"]
    for method, grads in by_method.items():
        assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in snet.params.items()}
        for name in snet.param_names:
            for a, b in zip(reference[name].ravel(), np.ravel(grads[name]), strict=True):
                assert sympy.simplify(a - b) == 0, (method, name)


def test_kept_symbols_substituted_equal_the_written_out_chain(snet: sym.MLP) -> None:
    kept = sym.jacobian_chain(snet, wrt="W1").contract()
    written_out = sym.jacobian_chain(snet, wrt="W1", keep_symbols=False).contract()
    substituted = sym.substitute_forward(kept, snet)
    assert all(
        sympy.expand(a - b) == 0 for a, b in zip(substituted.array.ravel(), written_out.array.ravel(), strict=True)
    )
    assert not any(s.name.startswith(("a", "h", "z")) for e in written_out.array.ravel() for s in e.free_symbols)


def test_chain_equals_sympys_own_derivative_of_the_loss(snet: sym.MLP) -> None:
    """SymPy differentiates the written-out loss by itself; the engine's chain must agree."""
    loss = snet.loss(keep_symbols=False)
    for wrt in ("W1", "W2"):
        chained = sym.jacobian_chain(snet, wrt=wrt, keep_symbols=False).contract()
        for index in np.ndindex(chained.shape):
            parameter = snet.params[wrt][index]
            assert sympy.expand(sympy.diff(loss, parameter) - chained.array[index]) == 0


# ── σ and σ′ ─────────────────────────────────────────────────────────────────


def test_sigma_prime_is_the_derivative_of_sigma_and_rewrites_to_sigma_one_minus_sigma() -> None:
    u = S("u")
    logistic = 1 / (1 + sympy.exp(-u))
    assert sympy.diff(σ(u), u) == σʹ(u)
    assert σʹ(u).rewrite(σ) == σ(u) * (1 - σ(u))
    assert sympy.simplify(σ(u).rewrite(sympy.exp) - logistic) == 0
    assert sympy.simplify(σʹ(u).rewrite(sympy.exp) - sympy.diff(logistic, u)) == 0
    second = sympy.diff(σʹ(u), u).rewrite(sympy.exp)
    assert sympy.simplify(second - sympy.diff(logistic, u, 2)) == 0
    assert float(σ(0).evalf()) == 0.5 and abs(float(σʹ(1).evalf()) - np.exp(-1) / (1 + np.exp(-1)) ** 2) < 1e-15


def test_sigma_prints_as_the_notes_write_it() -> None:
    u = S("a¹₁")
    assert str(σʹ(u)) == "σ′(a¹₁)" and str(σ(u)) == "σ(a¹₁)"
    assert sym.latex(σʹ(u)) == r"\sigma'\left(a^{1}_{1}\right)"
    assert sym.latex(σ(u) ** 2) == r"\sigma^{2}\left(a^{1}_{1}\right)"
    assert "σ′" in sympy.pretty(σʹ(u))


# ── symbolic results evaluate to the numeric engine's numbers ────────────────


@pytest.fixture(scope="module")
def notes_gradients(snet: sym.MLP) -> dict[str, np.ndarray]:
    return sym.gradient(snet, method="einsum")


@given(seed=st.integers(0, 2**16), x=st.lists(st.floats(-3, 3), min_size=2, max_size=2), target=st.floats(0, 1))
def test_symbolic_gradient_evaluates_to_the_numeric_gradient(
    notes_gradients: dict[str, np.ndarray], seed: int, x: list[float], target: float
) -> None:
    net = jbp.notes_network(seed=seed)
    numeric = jbp.gradient(net, np.array(x), target, method="backprop")
    for name, symbolic in notes_gradients.items():
        np.testing.assert_allclose(sym.evaluate(symbolic, net, x, target), numeric[name], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_written_out_gradient_needs_only_parameters_and_agrees(snet: sym.MLP, seed: int) -> None:
    """With a^k, h^k, z written out, the numbers come from the parameters alone — not from a numeric trace."""
    net = jbp.notes_network(seed=seed)
    x, target = np.random.default_rng(seed).normal(size=2), 0.25
    written_out = sym.jacobian_chain(snet, wrt="W1", keep_symbols=False).contract()
    values = {S("x₁"): x[0], S("x₂"): x[1], S("t"): target}
    for name in net.param_names:
        values.update(zip(snet.params[name].ravel(), net.params[name].ravel(), strict=True))
    at_point = np.array([float(e.subs(values).evalf(30)) for e in written_out.array.ravel()]).reshape(3, 2)
    np.testing.assert_allclose(at_point, jbp.gradient(net, x, target)["W1"], rtol=1e-10)


def test_evaluating_a_chain_gives_the_numeric_chain(chain_W1: jbp.JacobianChain) -> None:
    net, x, target = jbp.notes_network(seed=7), np.array([0.3, -1.2]), 0.0
    numeric_chain = jbp.jacobian_chain(net, x, target, wrt="W1")
    evaluated = sym.evaluate(chain_W1, net, x, target)
    assert isinstance(evaluated, jbp.JacobianChain)
    for symbolic_factor, numeric_factor in zip(evaluated.factors, numeric_chain.factors, strict=True):
        assert symbolic_factor.shape == numeric_factor.shape and symbolic_factor.name == numeric_factor.name
        np.testing.assert_allclose(symbolic_factor.array, numeric_factor.array, rtol=1e-12, atol=1e-300)


# ── deeper networks, other activations and losses ────────────────────────────

ARCHITECTURES = [
    ([1, 2, 2, 1], "tanh", None, "mse"),
    ([2, 2, 2, 2, 1], "sigmoid", None, "mse"),
    ([2, 3, 3], "relu", "softmax", "cross_entropy"),
    ([3, 2, 2], "tanh", "sigmoid", "bce"),
    ([2, 2, 1], "identity", None, "mse"),
    ([1, 1, 1, 1, 1, 1, 1, 1, 1], "sigmoid", None, "mse"),
]


def all_entries(grads: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    """Every parameter's gradient in one flat array, so one evaluate call covers them all."""
    return np.concatenate([np.ravel(grads[name]) for name in names])


def random_example(sizes: list[int], loss: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=sizes[0])
    if loss == "cross_entropy":
        return x, np.eye(sizes[-1])[rng.integers(sizes[-1])]
    return x, rng.uniform(0.1, 0.9, size=sizes[-1])


@pytest.mark.parametrize(("sizes", "activation", "output", "loss"), ARCHITECTURES)
def test_deeper_networks_agree_with_the_numeric_engine(
    sizes: list[int], activation: str, output: str | None, loss: str
) -> None:
    snet = sym.MLP(sizes, activation=activation, output_activation=output)
    net = jbp.MLP(sizes, activation=activation, output_activation=output, seed=11)
    x, target = random_example(sizes, loss, np.random.default_rng(5))
    numeric = all_entries(jbp.gradient(net, x, target, loss=loss, method="backprop"), net.param_names)
    for method in sym.SYMBOLIC_METHODS:
        symbolic = all_entries(sym.gradient(snet, loss=loss, method=method), net.param_names)
        np.testing.assert_allclose(sym.evaluate(symbolic, net, x, target), numeric, rtol=1e-10, atol=1e-14)


@given(
    widths=st.lists(st.integers(1, 3), min_size=2, max_size=5),
    activation=st.sampled_from(["sigmoid", "tanh", "identity"]),
    seed=st.integers(0, 1000),
)
def test_random_small_architectures_agree_with_the_numeric_engine(
    widths: list[int], activation: str, seed: int
) -> None:
    snet = sym.MLP(widths, activation=activation)
    net = jbp.MLP(widths, activation=activation, seed=seed)
    x, target = random_example(widths, "mse", np.random.default_rng(seed))
    symbolic = all_entries(sym.gradient(snet, method="slices"), net.param_names)
    numeric = all_entries(jbp.gradient(net, x, target), net.param_names)
    np.testing.assert_allclose(sym.evaluate(symbolic, net, x, target), numeric, rtol=1e-10, atol=1e-14)


def test_relu_kink_uses_the_engines_subgradient_zero() -> None:
    snet = sym.MLP([2, 2, 1], activation="relu", output_activation="identity")
    net = jbp.MLP([2, 2, 1], activation="relu", output_activation="identity", seed=0)
    net.params["b1"][:] = 0.0
    x = np.zeros(2)  # every hidden pre-activation is exactly 0
    symbolic = sym.gradient(snet)["W2"]
    assert str(symbolic[0, 0]).count("Heaviside") == 0  # W² sees h¹ = max(a¹, 0), kept as a symbol
    chain_b1 = sym.jacobian_chain(snet, wrt="b1").contract()
    assert any(e.has(sympy.Heaviside) for e in chain_b1.array.ravel())
    np.testing.assert_array_equal(sym.evaluate(chain_b1, net, x, 1.0).array, jbp.gradient(net, x, 1.0)["b1"])


# ── limits: a clear error, estimated before anything is built ────────────────


def test_a_network_with_too_many_parameters_is_refused() -> None:
    with pytest.raises(jbp.MemoryBudgetError, match=r"441 parameters.*at most 200"):
        sym.MLP([20, 20, 1])


def test_a_jacobian_with_too_many_entries_is_refused() -> None:
    snet = sym.MLP([5, 10, 1])  # fine as a network, but ∂a¹/∂W¹ would be 10×10×5
    with pytest.raises(jbp.MemoryBudgetError, match=r"∂a¹/∂W¹ would hold 500 entries.*at most 400"):
        sym.jacobian_chain(snet, wrt="W1")
    assert sym.jacobian_chain(snet, wrt="W2").contract().shape == (1, 10)
    with pytest.raises(jbp.MemoryBudgetError, match="500 entries"):
        sym.gradient(snet)


def test_expressions_too_large_to_read_are_refused() -> None:
    deep = sym.MLP([2] + [3] * 9 + [1])
    with pytest.raises(jbp.MemoryBudgetError, match=r"∂J/∂W1 would hold about \d+ symbols"):
        sym.jacobian_chain(deep, wrt="W1")
    assert sym.jacobian_chain(deep, wrt="W9").contract().shape == (3, 3)  # near the loss it stays small
    with pytest.raises(jbp.MemoryBudgetError, match="keep_symbols=True"):
        deep.trace(keep_symbols=False)


def test_width_one_works_at_any_depth() -> None:
    snet = sym.MLP([1] * 41)
    result = sym.jacobian_chain(snet, wrt="W1").contract()
    assert result.shape == (1, 1) and len(result.array[0, 0].free_symbols) > 40


# ── bad input: package errors that say what was wrong ────────────────────────


def test_bad_arguments_raise_package_errors(snet: sym.MLP) -> None:
    with pytest.raises(jbp.InputTypeError, match="symbolic network"):
        sym.jacobian_chain(jbp.notes_network(), wrt="W1")
    with pytest.raises(jbp.UnknownNameError, match=r"'W9'.*'W1', 'b1', 'W2', 'b2'"):
        sym.jacobian_chain(snet, wrt="W9")
    with pytest.raises(jbp.UnknownNameError, match=r"'hinge'.*'mse'"):
        sym.jacobian_chain(snet, loss="hinge")
    with pytest.raises(jbp.UnknownNameError, match=r"'numeric'.*'reshape', 'slices', 'einsum', 'outer', 'backprop'"):
        sym.gradient(snet, method="numeric")
    with pytest.raises(jbp.InvalidArgumentError, match="softmax"):
        sym.jacobian_chain(snet, loss="cross_entropy")
    with pytest.raises(jbp.UnknownNameError, match="'swish'"):
        sym.MLP([2, 1], activation="swish")


@pytest.mark.parametrize("method", jbp.METHODS)
def test_numeric_entry_points_refuse_a_symbolic_network_clearly(snet: sym.MLP, method: str) -> None:
    with pytest.raises(jbp.InputTypeError, match=r"SymPy symbols.*symbolic\.gradient"):
        jbp.gradient(snet, [1.0, 0.5], 1.0, method=method)
    with pytest.raises(jbp.InputTypeError, match="SymPy symbols"):
        jbp.compare(snet, [1.0, 0.5], 1.0)


def test_evaluate_rejects_mismatched_networks_and_examples(chain_W1: jbp.JacobianChain, snet: sym.MLP) -> None:
    result = chain_W1.contract()
    with pytest.raises(jbp.ShapeError, match="other sizes"):
        sym.evaluate(result, jbp.MLP([2, 3, 2], seed=0), [1.0, 0.5], [1.0, 0.0])
    with pytest.raises(jbp.InputTypeError, match=r"numeric jacobian_bp\.MLP"):
        sym.evaluate(result, snet, [1.0, 0.5], 1.0)
    with pytest.raises(jbp.ShapeError, match="one example"):
        sym.evaluate(result, jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0])
    with pytest.raises(jbp.ShapeError, match="width 3"):
        sym.evaluate(result, jbp.notes_network(), [1.0, 0.5, 2.0], 1.0)
    with pytest.raises(jbp.NonFiniteError, match="nan"):
        sym.evaluate(result, jbp.notes_network(), [np.nan, 0.5], 1.0)


def test_symbolic_parameters_can_be_replaced_but_must_fit(snet: sym.MLP) -> None:
    twin = snet.copy()
    twin.set_params({**twin.params, "b2": [0]})
    assert twin.loss(keep_symbols=False).has(S("w²₁")) and not twin.loss(keep_symbols=False).has(S("b²"))
    assert snet.params["b2"][0] == S("b²")  # the copy is independent
    with pytest.raises(jbp.ShapeError, match="b2 has shape"):
        twin.set_params({**twin.params, "b2": [0, 1]})
    with pytest.raises(jbp.ShapeError, match="missing"):
        twin.set_params({"W1": twin.params["W1"]})


# ── the numeric path is untouched by the dispatch ───────────────────────────

float_arrays = st.lists(st.floats(-50, 50), min_size=1, max_size=6).map(np.array)


@given(a=float_arrays)
def test_numeric_activations_are_bit_for_bit_the_plain_numpy_formulas(a: np.ndarray) -> None:
    acts = jbp.ACTIVATIONS
    np.testing.assert_array_equal(acts["tanh"].value(a), np.tanh(a))
    textbook = 1.0 - np.tanh(a) ** 2
    small = np.exp(-2.0 * np.abs(a))  # sech²(a) written without overflow, where tanh(a) is within 1% of ±1
    exact = 4.0 * small / (1.0 + small) ** 2
    np.testing.assert_array_equal(acts["tanh"].derivative(a, np.tanh(a)), np.where(textbook < 1e-2, exact, textbook))
    np.testing.assert_array_equal(acts["relu"].value(a), np.maximum(a, 0.0))
    np.testing.assert_array_equal(acts["relu"].derivative(a, a), (a > 0).astype(float))
    np.testing.assert_array_equal(acts["identity"].value(a), a * 1.0)
    np.testing.assert_array_equal(acts["sigmoid"].value(a), 1 / (1 + np.exp(-a)))
    z, target = acts["sigmoid"].value(a), np.full_like(a, 0.5)
    assert jbp.get_loss("mse").per_example(z, target, a) == 0.5 * np.sum((target - z) ** 2)
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in (acts["tanh"].value(a), z))


def test_object_arrays_of_sympy_go_through_the_same_registry() -> None:
    a = np.array([S("u"), S("v")], dtype=object)
    assert list(jbp.ACTIVATIONS["tanh"].value(a)) == [sympy.tanh(S("u")), sympy.tanh(S("v"))]
    assert list(jbp.ACTIVATIONS["relu"].derivative(a, a)) == [sympy.Heaviside(S("u"), 0), sympy.Heaviside(S("v"), 0)]
    soft = jbp.ACTIVATIONS["softmax"].value(a)
    assert sympy.simplify(soft[0] + soft[1] - 1) == 0
    bce = jbp.get_loss("bce").gradient(np.array([z], dtype=object), np.array([t], dtype=object))
    assert sympy.simplify(bce[0] - ((1 - t) / (1 - z) - t / z)) == 0
