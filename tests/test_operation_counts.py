"""The cost model's ``operations`` are the numpy calls the code really makes, counted with a hook on numpy.

The call tables in :mod:`jacobian_bp.cost_model` are read off the code; here the same calls are counted
on that code (:mod:`tests.numpy_calls`), kernel by kernel and then over whole gradient paths, so an edit
that changes how many numpy calls a kernel makes fails until the table follows it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import jacobian_bp as jbp
from jacobian_bp import affine, cost_model
from jacobian_bp.batch import _repeat, batch_factors
from jacobian_bp.gradients import PATHS, prepare
from jacobian_bp.losses import finite_gradient
from jacobian_bp.mlp import Trace

from .numpy_calls import counted, counting
from .strategies import networks

A = np.array([[0.5, -1.0, 2.0], [40.0, 0.0, -3.0]])


def _calls(function, *args) -> int:
    with counting() as state:
        function(*args)
    return state.calls


@pytest.mark.parametrize("name", list(jbp.ACTIVATIONS))
def test_activation_tables_match_the_code(name):
    activation = jbp.get_activation(name)
    a = counted(A)
    h = counted(activation.value(A))
    assert _calls(activation.value, a) == cost_model.VALUE_CALLS[name]
    assert _calls(activation.jacobian, a, h) == cost_model.activation_jacobian_calls(activation)
    if activation.elementwise:
        assert _calls(activation.derivative, a, h) == cost_model.DERIVATIVE_CALLS[name]
    else:
        assert _calls(activation.vjp, a, h, counted(A)) == cost_model.SOFTMAX_PRODUCT_CALLS


@pytest.mark.parametrize("name", list(jbp.LOSSES))
def test_loss_tables_match_the_code(name):
    loss = jbp.get_loss(name)
    z, t, a = counted([[0.25, 0.75]]), counted([[0.0, 1.0]]), counted([[-1.0, 1.0]])
    assert _calls(loss.gradient, z, t, a) == cost_model.LOSS_GRADIENT_CALLS[name]
    checked = cost_model.LOSS_GRADIENT_CALLS[name] + cost_model.FINITE_CHECK_CALLS
    assert _calls(finite_gradient, loss, z, t, a) == checked


def test_parameter_factor_tables_match_the_code():
    h = counted(A)
    assert _calls(affine.d_a_d_W, h, 4) == cost_model.D_A_D_W_CALLS
    assert _calls(lambda: _repeat(affine.d_a_d_b(4), 2)) == cost_model.D_A_D_B_CALLS


def _counted_run(net, X, T, loss, method) -> int:
    """Numpy calls of one gradient computation by ``method``, every array it is handed wrapped for counting."""
    trace, T_, loss_fn = prepare(net, X, T, loss)
    trace = Trace({k: counted(v) for k, v in trace.a.items()}, {k: counted(v) for k, v in trace.h.items()})
    net.params = {name: counted(value) for name, value in net.params.items()}
    with counting() as state:
        PATHS[method](net, trace, counted(T_), loss_fn)
    return state.calls


@pytest.mark.parametrize("method", ["outer", "backprop"])
@given(case=networks())
def test_efficient_paths_make_the_numpy_calls_the_model_counts(method, case):
    net, X, T, loss = case
    predicted = jbp.cost(net, X, T, loss=loss, method=method).operations
    assert _counted_run(net, X, T, loss, method) == predicted


@pytest.mark.parametrize("method", ["reshape", "slices", "einsum"])
@given(case=networks())
def test_materializing_paths_make_the_numpy_calls_the_model_counts(method, case):
    """The hook sees the numpy calls; the library's own bookkeeping it cannot see is counted from the chains.

    Per chain of f factors (the batch mean first): a budget check and a BatchedJacobian per factor, and per
    product (f − 1 of them) a composed name, a budget check and the wrapped result.
    """
    net, X, T, loss = case
    trace, T_, loss_fn = prepare(net, X, T, loss)
    lengths = [len(batch_factors(net, trace, T_, name, loss_fn, "per_example")) for name in net.param_names]
    bookkeeping = sum(2 * f + 3 * (f - 1) for f in lengths)
    predicted = jbp.cost(net, X, T, loss=loss, method=method).operations
    assert _counted_run(net, X, T, loss, method) == predicted - bookkeeping
