"""Bad input gets the package's own error, with a message that says what was wrong."""

import numpy as np
import pytest

import jacobian_bp as jbp


@pytest.fixture
def net() -> jbp.MLP:
    return jbp.notes_network()


X_GOOD, T_GOOD = np.array([[1.0, 0.5], [0.2, -0.3]]), np.array([1.0, 0.0])


def test_wrong_input_width_names_both_widths(net) -> None:
    with pytest.raises(jbp.ShapeError, match=r"width 3 .*expects 2 inputs"):
        jbp.gradient(net, np.ones((4, 3)), np.ones(4))
    with pytest.raises(jbp.ShapeError, match=r"width 5 .*expects 2 inputs"):
        net.forward(np.ones(5))


def test_inputs_of_the_wrong_rank(net) -> None:
    with pytest.raises(jbp.ShapeError, match=r"got shape \(2, 2, 2\)"):
        net.forward(np.ones((2, 2, 2)))


def test_x_and_t_of_different_lengths(net) -> None:
    with pytest.raises(jbp.ShapeError, match=r"X holds 2 examples but T holds 3"):
        jbp.gradient(net, X_GOOD, np.ones(3))


def test_targets_of_the_wrong_width() -> None:
    net = jbp.MLP([2, 3, 2])
    with pytest.raises(jbp.ShapeError, match=r"T must have shape \(2, 2\).*got \(2, 3\)"):
        jbp.gradient(net, X_GOOD, np.ones((2, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_targets_and_parameters(net, bad: float) -> None:
    X = X_GOOD.copy()
    X[1, 0] = bad
    with pytest.raises(jbp.NonFiniteError, match=r"X holds .* at index \(1, 0\)"):
        jbp.gradient(net, X, T_GOOD)
    T = T_GOOD.copy()
    T[0] = bad
    with pytest.raises(jbp.NonFiniteError, match=r"T holds .* at index \(0, 0\)"):
        jbp.gradient(net, X_GOOD, T)
    net.params["W2"][0, 1] = bad
    with pytest.raises(jbp.NonFiniteError, match=r"parameter W2 holds .* at index \(0, 1\)"):
        jbp.gradient(net, X_GOOD, T_GOOD)


def test_parameter_of_the_wrong_shape(net) -> None:
    net.params["W1"] = np.ones((2, 3))
    with pytest.raises(jbp.ShapeError, match=r"parameter W1 has shape \(2, 3\); it must be \(3, 2\)"):
        net.forward(X_GOOD)


def test_unknown_method_activation_loss_list_the_valid_choices(net) -> None:
    with pytest.raises(jbp.UnknownNameError, match=r"'scalar', 'reshape', 'slices', 'einsum', 'structured', 'outer'"):
        jbp.gradient(net, X_GOOD, T_GOOD, method="autograd")
    with pytest.raises(jbp.UnknownNameError, match=r"unknown activation 'gelu'.*'sigmoid'"):
        jbp.MLP([2, 2], activation="gelu")
    with pytest.raises(jbp.UnknownNameError, match=r"unknown activation 'Softmax'"):
        jbp.MLP([2, 2], output_activation="Softmax")
    with pytest.raises(jbp.UnknownNameError, match=r"unknown loss 'l2'.*'mse', 'bce', 'cross_entropy'"):
        jbp.gradient(net, X_GOOD, T_GOOD, loss="l2")
    with pytest.raises(jbp.UnknownNameError, match=r"unknown parameter 'W3'.*'W1', 'b1', 'W2', 'b2'"):
        jbp.jacobian_chain(net, X_GOOD[0], 1.0, wrt="W3")
    with pytest.raises(jbp.UnknownNameError, match=r"gradient method 'fast'"):
        jbp.compare(net, X_GOOD, T_GOOD, methods=("fast",))


def test_empty_batch(net) -> None:
    with pytest.raises(jbp.ShapeError, match=r"empty batch"):
        jbp.gradient(net, np.zeros((0, 2)), np.zeros(0))


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), [[1.0, None]], np.array([[1 + 2j, 0]]), [[1.0], [2.0, 3.0]]])
def test_non_numeric_arrays(net, bad) -> None:
    with pytest.raises(jbp.InputTypeError, match=r"X must"):
        jbp.gradient(net, bad, T_GOOD[:1])


def test_non_numeric_targets(net) -> None:
    with pytest.raises(jbp.InputTypeError, match=r"T must hold real numbers"):
        jbp.gradient(net, X_GOOD, np.array(["yes", "no"]))


def test_loss_on_the_wrong_output_activation(net) -> None:
    with pytest.raises(jbp.InvalidArgumentError, match=r"'cross_entropy' needs output_activation='softmax'.*'sigmoid'"):
        jbp.gradient(net, X_GOOD, T_GOOD, loss="cross_entropy")


def test_targets_out_of_range_for_cross_entropies() -> None:
    with pytest.raises(jbp.InvalidArgumentError, match=r"bce needs targets in \[0, 1\]"):
        jbp.gradient(jbp.notes_network(), X_GOOD, np.array([2.0, 0.0]), loss="bce")
    softmax_net = jbp.MLP([2, 3], activation="softmax")
    with pytest.raises(jbp.InvalidArgumentError, match=r"rows that sum to 1; a row sums to 2"):
        jbp.gradient(softmax_net, X_GOOD, np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), loss="cross_entropy")


def test_bad_architectures() -> None:
    with pytest.raises(jbp.ShapeError, match=r"at least two positive whole widths"):
        jbp.MLP([2])
    with pytest.raises(jbp.ShapeError, match=r"at least two positive whole widths"):
        jbp.MLP([2, 0, 1])
    with pytest.raises(jbp.ShapeError, match=r"at least two positive whole widths"):
        jbp.MLP([2, 1.5])
    with pytest.raises(jbp.InputTypeError, match=r"sizes must be a list"):
        jbp.MLP("abc")


def test_params_with_missing_or_extra_keys() -> None:
    with pytest.raises(jbp.ShapeError, match=r"missing \['b2'\], unexpected \['c'\]"):
        jbp.MLP([1, 1, 1], params={"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "c": [0.0]})


def test_gradcheck_names_the_worst_entry(net, monkeypatch) -> None:
    from jacobian_bp.methods import gradient as gradients

    honest = gradients.PATHS["backprop"]

    def off_by_a_bit(*args):
        grads = honest(*args)
        grads["W1"][2, 1] += 1e-3  # a planted bug in one entry
        return grads

    monkeypatch.setitem(gradients.PATHS, "backprop", off_by_a_bit)
    with pytest.raises(jbp.GradcheckError, match=r"W1\[2, 1\]: backprop gives .*finite differences give .*exceeds"):
        jbp.gradcheck(net, X_GOOD, T_GOOD)
    report = jbp.compare(net, X_GOOD, T_GOOD, reference="numeric", methods=("backprop", "outer"))
    assert not report.ok
    assert "NO" in str(report) and "DISAGREEMENT" in str(report)


def test_errors_are_value_or_type_errors() -> None:
    for error in (jbp.ShapeError, jbp.ChainError, jbp.UnknownNameError, jbp.NonFiniteError, jbp.GradcheckError):
        assert issubclass(error, ValueError) and issubclass(error, jbp.JacobianBPError)
    assert issubclass(jbp.InputTypeError, TypeError)


def test_net_must_be_an_mlp() -> None:
    with pytest.raises(jbp.InputTypeError, match=r"net must be a jacobian_bp\.MLP"):
        jbp.gradient("net", X_GOOD, T_GOOD)


def test_a_count_of_one_is_singular() -> None:
    with pytest.raises(jbp.ShapeError, match=r"X holds 1 example but T holds 2"):
        jbp.gradient(jbp.notes_network(), [[1.0, 0.5]], [[1.0], [0.0]])
    with pytest.raises(jbp.ShapeError, match=r"expects 1 input \(sizes\[0\]\)"):
        jbp.gradient(jbp.MLP([1, 1]), [1.0, 2.0], 1.0)
    with pytest.raises(jbp.InvalidArgumentError, match="larger than the training set \\(1 example\\)"):
        jbp.train(jbp.notes_network(), [[1.0, 0.5]], [1.0], batch_size=2)


def test_parameters_are_checked_on_every_call_however_they_changed(net) -> None:
    jbp.gradient(net, X_GOOD, T_GOOD)  # a call with good parameters first: nothing is remembered from it
    net.params["b1"][2] = np.nan  # written in place
    with pytest.raises(jbp.NonFiniteError, match=r"parameter b1 holds nan at index \(2,\)"):
        jbp.gradient(net, X_GOOD, T_GOOD, method="outer")
    net.params["b1"] = np.zeros(3)  # replaced: the old array, NaN and all, is no longer a parameter
    jbp.gradient(net, X_GOOD, T_GOOD)
    net.params["b1"][0] = np.inf  # the replacement is checked too
    with pytest.raises(jbp.NonFiniteError, match=r"parameter b1 holds inf at index \(0,\)"):
        net.forward(X_GOOD)
    net.params["b1"] = [0.0, 0.0, 0.0]
    with pytest.raises(jbp.InputTypeError, match=r"parameter b1 must be a numpy array, got list"):
        jbp.gradient(net, X_GOOD, T_GOOD)


def test_the_first_bad_parameter_is_named_when_several_are_bad(net) -> None:
    net.params["W2"][0, 0] = np.nan
    net.params["W1"][1, 1] = np.inf
    with pytest.raises(jbp.NonFiniteError, match=r"parameter W1 holds inf at index \(1, 1\)"):
        jbp.gradient(net, X_GOOD, T_GOOD)


def test_the_architecture_is_read_only(net) -> None:
    for attribute in ("sizes", "activation", "output_activation"):
        with pytest.raises(AttributeError):
            setattr(net, attribute, getattr(net, attribute))
