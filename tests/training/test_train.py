"""Training by gradient descent with any gradient method."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.training.recipes import RECIPES
from jacobian_bp.training.train import accuracy, tracks_accuracy


def xor_predictions_right(net: jbp.MLP) -> float:
    """Accuracy on XOR computed here, from the four corners and their XOR, not by the library."""
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    truth = np.array([0, 1, 1, 0])
    return float(np.mean((net.predict(corners)[:, 0] > 0.5).astype(int) == truth))


def test_notes_network_learns_xor_with_the_defaults() -> None:
    net = jbp.notes_network()
    X, T = jbp.datasets.xor()
    history = jbp.train(net, X, T)
    assert xor_predictions_right(net) == 1.0
    assert history.final_accuracy == 1.0
    assert len(history.loss) == history.epochs == jbp.training.DEFAULT_EPOCHS
    assert history.final_loss == pytest.approx(net.loss(X, T), rel=1e-12)
    assert history.final_loss < history.initial_loss


def test_gradient_methods_train_to_the_same_parameters() -> None:
    X, T = jbp.datasets.xor()
    final = {}
    for method in ("reshape", "slices", "einsum", "outer", "backprop"):
        net = jbp.notes_network()
        history = jbp.train(net, X, T, method=method, epochs=200)
        assert history.steps == 200
        final[method] = net.params
    for method, params in final.items():
        for name, value in params.items():
            assert np.max(np.abs(value - final["backprop"][name])) < 1e-9, (method, name)


def test_softmax_network_fits_the_spiral() -> None:
    # The architecture of the spiral recipe: 2 inputs, 32 tanh units, 3 softmax outputs, cross-entropy.
    recipe = RECIPES["spiral"]
    assert (recipe.sizes, recipe.activation, recipe.output_activation) == ((2, 32, 3), "tanh", "softmax")
    X, T = jbp.datasets.spiral(seed=0)
    net = jbp.MLP([2, 32, 3], activation="tanh", output_activation="softmax", seed=0)
    history = jbp.train(net, X, T, loss="cross_entropy", lr=recipe.lr, epochs=recipe.epochs)
    right = np.mean(np.argmax(net.predict(X), axis=1) == np.argmax(T, axis=1))
    assert right >= 0.95
    assert history.final_accuracy == pytest.approx(right)


def test_params_are_updated_in_place() -> None:
    net = jbp.notes_network()
    W1 = net.params["W1"]
    before = W1.copy()
    jbp.train(net, *jbp.datasets.xor(), epochs=3)
    assert net.params["W1"] is W1
    assert not np.array_equal(W1, before)


def test_one_step_is_exactly_one_gradient_step() -> None:
    net, X, T = jbp.notes_network(), *jbp.datasets.xor()
    expected = {k: v - 0.5 * jbp.gradient(net, X, T)[k] for k, v in net.params.items()}
    jbp.train(net, X, T, lr=0.5, epochs=1)
    for name in net.param_names:
        np.testing.assert_allclose(net.params[name], expected[name], rtol=1e-12, atol=1e-15)


def test_mini_batches_take_one_step_each_and_are_deterministic_per_seed() -> None:
    X, T = jbp.datasets.moons(n=20)

    def run(seed: int) -> tuple[jbp.History, jbp.MLP]:
        net = jbp.MLP([2, 4, 1], activation="tanh", output_activation="sigmoid", seed=0)
        return jbp.train(net, X, T, loss="bce", lr=0.5, epochs=3, batch_size=8, seed=seed), net

    history, net = run(seed=1)
    assert history.steps == 3 * math.ceil(20 / 8)
    _, same = run(seed=1)
    _, other = run(seed=2)
    for name in net.param_names:
        np.testing.assert_array_equal(net.params[name], same.params[name])
    assert any(not np.array_equal(net.params[k], other.params[k]) for k in net.param_names)


def test_mini_batch_of_the_whole_set_is_full_batch_descent() -> None:
    X, T = jbp.datasets.xor()
    a, b = jbp.notes_network(), jbp.notes_network()
    jbp.train(a, X, T, epochs=5)
    jbp.train(b, X, T, epochs=5, batch_size=4)
    for name in a.param_names:
        np.testing.assert_array_equal(a.params[name], b.params[name])


def test_on_epoch_is_called_after_every_epoch() -> None:
    seen = []
    jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=4, on_epoch=lambda e, h: seen.append((e, len(h.loss))))
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_cross_entropy_accepts_class_indices() -> None:
    X, T = jbp.datasets.spiral(n_per_class=10)
    labels = np.argmax(T, axis=1)
    a = jbp.MLP([2, 5, 3], activation="tanh", output_activation="softmax", seed=0)
    b = a.copy()
    jbp.train(a, X, T, loss="cross_entropy", lr=0.5, epochs=5)
    jbp.train(b, X, labels, loss="cross_entropy", lr=0.5, epochs=5)
    for name in a.param_names:
        np.testing.assert_array_equal(a.params[name], b.params[name])


def test_accuracy_is_tracked_only_for_classes() -> None:
    X, T = jbp.datasets.regression(n=16)
    history = jbp.train(jbp.MLP([1, 4, 1], activation="tanh", output_activation="identity"), X, T, lr=0.1, epochs=2)
    assert history.accuracy is None and history.final_accuracy is None
    assert "accuracy" not in str(history)
    assert tracks_accuracy(np.array([[0.0], [1.0]]), "mse")
    assert not tracks_accuracy(np.array([[0.0, 1.0]]), "mse")  # two outputs: no threshold rule
    assert tracks_accuracy(np.array([[0.2]]), "bce")
    assert accuracy(np.array([[0.7], [0.2]]), np.array([[1.0], [1.0]]), "bce") == 0.5
    assert accuracy(np.array([[0.5]]), np.array([[0.25]]), "mse") is None


def test_history_reads_well() -> None:
    history = jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=2)
    text = str(history)
    assert "2 epochs" in text and "'backprop'" in text and "loss" in text and "accuracy" in text


def test_materializing_training_answers_to_the_budget() -> None:
    with pytest.raises(jbp.MemoryBudgetError):
        jbp.train(jbp.notes_network(), *jbp.datasets.xor(), method="einsum", epochs=2, max_bytes=16)


def test_diverging_training_stops_with_a_clear_error() -> None:
    X, T = jbp.datasets.regression()
    net = jbp.MLP([1, 16, 1], activation="tanh", output_activation="identity", seed=0)
    # The loss stalls before it blows up, so the run may warn first; the error is what this test is about.
    with warnings.catch_warnings(), pytest.raises(jbp.NonFiniteError, match="smaller learning rate"):
        warnings.simplefilter("ignore", jbp.TrainingWarning)
        jbp.train(net, X, T, lr=0.5, epochs=2000)


# ------------------------------------------------------------------------------------------------ bad input

XOR = jbp.datasets.xor()


@pytest.mark.parametrize("lr", [0, -1.0, float("nan"), float("inf")])
def test_learning_rate_must_be_positive_and_finite(lr: float) -> None:
    with pytest.raises(jbp.InvalidArgumentError, match="lr must be a positive finite number"):
        jbp.train(jbp.notes_network(), *XOR, lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True])
def test_learning_rate_must_be_a_number(lr: object) -> None:
    with pytest.raises(jbp.InputTypeError, match="lr must be a positive real number"):
        jbp.train(jbp.notes_network(), *XOR, lr=lr)


@pytest.mark.parametrize(
    "epochs, error",
    [
        (0, jbp.InvalidArgumentError),
        (-3, jbp.InvalidArgumentError),
        (2.5, jbp.InputTypeError),
        (True, jbp.InputTypeError),
    ],
)
def test_epochs_must_be_a_positive_whole_number(epochs: object, error: type) -> None:
    with pytest.raises(error, match="epochs must be"):
        jbp.train(jbp.notes_network(), *XOR, epochs=epochs)


@pytest.mark.parametrize(
    "batch_size, error, message",
    [
        (0, jbp.InvalidArgumentError, "batch_size must be at least 1"),
        (5, jbp.InvalidArgumentError, r"batch_size 5 is larger than the training set \(4 examples\)"),
        (1.5, jbp.InputTypeError, "batch_size must be a whole number"),
    ],
)
def test_batch_size_must_fit_the_data(batch_size: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        jbp.train(jbp.notes_network(), *XOR, batch_size=batch_size)


def test_mismatched_lengths_are_rejected() -> None:
    X, T = XOR
    with pytest.raises(jbp.ShapeError, match="X holds 4 examples but T holds 3"):
        jbp.train(jbp.notes_network(), X, T[:3])


@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 1, 3, 2], "label 3 .* out of range: with 3 classes labels are 0 … 2"),
        ([0, -1, 1, 2], "label -1 .* out of range"),
    ],
)
def test_cross_entropy_labels_out_of_range(labels: list[int], message: str) -> None:
    net = jbp.MLP([2, 4, 3], output_activation="softmax")
    with pytest.raises(jbp.InvalidArgumentError, match=message):
        jbp.train(net, XOR[0], labels, loss="cross_entropy")


def test_cross_entropy_labels_must_be_whole() -> None:
    net = jbp.MLP([2, 4, 3], output_activation="softmax")
    with pytest.raises(jbp.InputTypeError, match="whole class indices"):
        jbp.train(net, XOR[0], [0.0, 1.5, 2.0, 1.0], loss="cross_entropy")


def test_targets_outside_zero_one_for_bce() -> None:
    with pytest.raises(jbp.InvalidArgumentError, match=r"bce needs targets in \[0, 1\]"):
        jbp.train(jbp.notes_network(), XOR[0], [0.0, 2.0, 1.0, 0.0], loss="bce")


def test_other_bad_arguments() -> None:
    with pytest.raises(jbp.UnknownNameError, match="'backprop'"):
        jbp.train(jbp.notes_network(), *XOR, method="adam")
    with pytest.raises(jbp.UnknownNameError, match="'mse'"):
        jbp.train(jbp.notes_network(), *XOR, loss="hinge")
    with pytest.raises(jbp.InvalidArgumentError, match="output_activation='softmax'"):
        jbp.train(jbp.notes_network(), *XOR, loss="cross_entropy")
    with pytest.raises(jbp.InputTypeError, match=r"net must be a jacobian_bp\.MLP"):
        jbp.train("net", *XOR)
    with pytest.raises(jbp.InvalidArgumentError, match="seed must be"):
        jbp.train(jbp.notes_network(), *XOR, seed=-1)
    with pytest.raises(jbp.InputTypeError, match="on_epoch must be a function"):
        jbp.train(jbp.notes_network(), *XOR, on_epoch=3)
    with pytest.raises(jbp.ShapeError, match="width 3"):
        jbp.train(jbp.notes_network(), np.ones((4, 3)), XOR[1])
    with pytest.raises(jbp.NonFiniteError, match="X holds nan"):
        jbp.train(jbp.notes_network(), np.full((4, 2), np.nan), XOR[1])


def test_a_failed_call_changes_nothing() -> None:
    net = jbp.notes_network()
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(jbp.InvalidArgumentError):
        jbp.train(net, *XOR, batch_size=10)
    for name in net.param_names:
        np.testing.assert_array_equal(net.params[name], before[name])
