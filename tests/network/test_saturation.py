"""A saturated output: the error of the paths that cannot represent ∂L/∂z fits the target and names what works."""

from __future__ import annotations

import numpy as np
import pytest

import jacobian_bp as jbp

WORKS = ("backprop", "numeric")
REFUSE = ("scalar", "reshape", "slices", "einsum", "structured", "outer")


def saturated_sigmoid(logit: float = 800.0) -> jbp.MLP:
    return jbp.MLP([1, 1], activation="sigmoid", params={"W1": [[logit]], "b1": [0.0]})


@pytest.mark.parametrize("method", REFUSE)
def test_hard_target_message_says_against_the_target_and_names_what_works(method: str) -> None:
    with pytest.raises(jbp.NonFiniteError) as caught:
        jbp.gradient(saturated_sigmoid(), [1.0], [0.0], loss="bce", method=method)
    message = str(caught.value)
    assert "saturated at z = 1 (logit 800) against the target 0" in message
    assert "method='backprop'" in message and "method='numeric'" in message


def test_soft_target_message_does_not_call_it_the_opposite_target() -> None:
    with pytest.raises(jbp.NonFiniteError) as caught:
        jbp.gradient(saturated_sigmoid(), [1.0], [0.5], loss="bce", method="einsum")
    message = str(caught.value)
    assert "opposite" not in message and "against" not in message
    assert "soft target 0.5 gives the other outcome weight 0.5" in message


def test_softmax_messages_name_the_class_and_the_example() -> None:
    net = jbp.MLP([1, 3], activation="softmax", params={"W1": [[800.0], [0.0], [0.0]], "b1": np.zeros(3)})
    X = np.array([[0.0], [1.0]])  # the first example is not saturated, the second is
    with pytest.raises(jbp.NonFiniteError, match=r"output unit 1 of example 1: .* at z = 0 for the target class"):
        jbp.gradient(net, X, [[0.0, 1.0, 0.0]] * 2, loss="cross_entropy", method="outer")
    with pytest.raises(jbp.NonFiniteError, match=r"soft target gives that class weight 0\.5"):
        jbp.gradient(net, X, [[0.5, 0.5, 0.0]] * 2, loss="cross_entropy", method="outer")


@pytest.mark.parametrize("target", [0.0, 0.5])
def test_the_methods_named_in_the_message_do_work(target: float) -> None:
    net = saturated_sigmoid()
    exact = jbp.gradient(net, [1.0], [target], loss="bce", method="backprop")
    np.testing.assert_allclose(exact["b1"], [1.0 - target], rtol=1e-15)  # z − t with z = 1
    numeric = jbp.gradient(net, [1.0], [target], loss="bce", method="numeric")
    np.testing.assert_allclose(numeric["b1"], exact["b1"], rtol=1e-5)
