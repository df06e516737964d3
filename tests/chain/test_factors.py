"""The one list of a chain's factors: its shapes, the structure each role gives, one example first."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given

import jacobian_bp as jbp
from jacobian_bp.chain.batch import batch_factors
from jacobian_bp.chain.factors import INPUT_NAME, chain_factors, net_factors
from jacobian_bp.chain.jacobian_chain import example_chain
from jacobian_bp.chain.structure import structure_of
from jacobian_bp.methods.gradient import prepare

from ..strategies import problems


def test_the_notes_chain_of_w1():
    factors = chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W1")
    assert [f.name for f in factors] == ["∂J/∂z", "∂z/∂a²", "∂a²/∂h¹", "∂h¹/∂a¹", "∂a¹/∂W¹"]
    assert [(f.out_shape, f.in_shape) for f in factors] == [
        ((), (1,)),
        ((1,), (1,)),
        ((1,), (3,)),
        ((3,), (3,)),
        ((3,), (3, 2)),
    ]
    assert [f.kind for f in factors] == ["loss", "activation", "weights", "activation", "weight_tensor"]
    assert [f.structure for f in factors] == ["scalar", "scalar", "dense", "diagonal", "block-sparse"]
    assert [f.nonzero for f in factors] == [1, 1, 3, 3, 6]


def test_the_input_chain_ends_at_w1_and_a_bias_chain_at_the_identity():
    to_x = chain_factors([2, 3, 1], ["tanh", "identity"], INPUT_NAME)
    assert [f.name for f in to_x] == ["∂J/∂z", "∂z/∂a²", "∂a²/∂h¹", "∂h¹/∂a¹", "∂a¹/∂x"]
    assert to_x[1].structure == "identity"
    to_b2 = chain_factors([2, 3, 4], ["tanh", "softmax"], "b2")
    assert [(f.kind, f.structure) for f in to_b2] == [("loss", "dense"), ("activation", "dense"), ("bias", "identity")]
    with pytest.raises(jbp.UnknownNameError, match=r"'W1', 'b1'.*'x'"):
        chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W3")


@given(problems(activations=("sigmoid", "tanh", "identity", "softmax"), losses=("mse",)))
def test_each_role_has_the_structure_its_values_show(problem):
    """For generic values the structure a factor's role declares is what its built entries have."""
    net, X, T, loss = problem.net, problem.X, problem.T, problem.loss
    trace, T_checked, loss_fn = prepare(net, X, T, loss)
    one = trace if X.ndim == 1 else prepare(net, X[0], T[0], loss)[0]
    assume(all(np.all(np.abs(one.a[k]) < 15) for k in one.a))  # saturation rounds f'(a) to 0
    assume(all(np.all(one.h[k] != 0) and np.all(one.h[k] != 1) for k in one.h))  # exact 0s and 1s are by value
    t = T_checked if X.ndim == 1 else T_checked[0]
    for wrt in [*net.param_names, INPUT_NAME]:
        for factor in net_factors(net, wrt):
            array = factor.build(net, one, t, loss_fn)
            assume(np.count_nonzero(array) == factor.nonzero or factor.structure in ("dense", "sparse"))
            assert structure_of(array, factor.out_shape, factor.in_shape) == factor.structure, factor.name


@given(problems(batch_only=True))
def test_a_batch_is_its_examples_factors_stacked(problem):
    """One example is the primary case: every stacked factor's block p is example p's own factor."""
    net, X, T, loss = problem.net, problem.X, problem.T, problem.loss
    trace, T_checked, loss_fn = prepare(net, X, T, loss)
    for wrt in net.param_names:
        mean, *stacks = batch_factors(net, trace, T_checked, wrt, loss_fn, "per_example")
        np.testing.assert_array_equal(mean.array, np.full(len(X), 1.0 / len(X)))
        for p in range(len(X)):
            example = prepare(net, X[p], T[p], loss)[0]
            alone = example_chain(net, example, T_checked[p], wrt, loss_fn).factors
            assert [stack.name for stack in stacks][1:] == [f.name for f in alone][1:]
            for stack, factor in zip(stacks, alone, strict=True):
                # The forward pass of a batch rounds like the one example's (a matrix product against a vector).
                np.testing.assert_allclose(stack.array[p], factor.array, rtol=1e-12, atol=1e-14)
