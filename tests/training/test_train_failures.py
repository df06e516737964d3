"""Training that tells the user when it goes wrong: a clear error when it diverges, a warning when it stalls."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import jacobian_bp as jbp
from jacobian_bp.training.recipes import RECIPES
from jacobian_bp.training.train import STALL_EPOCHS


def recipe_problem(name: str, every: int = 1) -> tuple[jbp.MLP, np.ndarray, np.ndarray, str]:
    recipe = RECIPES[name]
    X, T = recipe.data(seed=0)
    return recipe.network(seed=0), X[::every], T[::every], recipe.loss


@pytest.mark.parametrize("method", ["einsum", "outer", "scalar"])
def test_a_step_that_saturates_the_output_stops_training_naming_the_epoch(method: str) -> None:
    # lr = 1e6 throws the logits of moons past 1e5 in one step: ∂L/∂z overflows on the paths that form it.
    net, X, T, loss = recipe_problem("moons", every=8)
    with pytest.raises(jbp.NonFiniteError) as caught:
        jbp.train(net, X, T, loss=loss, method=method, lr=1e6, epochs=20)
    message = str(caught.value)
    assert message.startswith("training stopped in epoch ")
    assert "try a smaller learning rate than lr=1e+06" in message
    assert "∂L/∂z is not finite" in message  # the cause is kept, after the advice


def test_a_loss_that_overflows_stops_training_naming_the_epoch() -> None:
    net, X, T, loss = recipe_problem("regression")
    with pytest.raises(jbp.NonFiniteError, match=r"^training stopped after epoch \d+: the training loss became"):
        jbp.train(net, X, T, loss=loss, lr=1e6)


def test_a_non_finite_gradient_before_any_step_is_not_blamed_on_the_learning_rate() -> None:
    saturated = jbp.MLP([1, 1], activation="sigmoid", params={"W1": [[800.0]], "b1": [0.0]})
    with pytest.raises(jbp.NonFiniteError) as caught:
        jbp.train(saturated, [[1.0]], [0.0], loss="bce", method="einsum", lr=0.1)
    assert "learning rate" not in str(caught.value) and "saturated" in str(caught.value)


def test_a_loss_stuck_above_its_start_warns_after_stall_epochs() -> None:
    X, T = jbp.datasets.xor()
    with pytest.warns(jbp.TrainingWarning, match=f"has not decreased in {STALL_EPOCHS} epochs") as caught:
        history = jbp.train(jbp.notes_network(), X, T, lr=1e6, epochs=STALL_EPOCHS + 10)
    assert len(caught) == 1 and "try a smaller one, such as lr=" in str(caught[0].message)
    # The suggestion is a rate that descends, not a tenth of one far too large (lr=100000 stalls as well).
    suggested = float(re.search(r"such as lr=(\S+)$", str(caught[0].message))[1])
    assert suggested < 1e5
    retrained = jbp.train(jbp.notes_network(), X, T, lr=suggested, epochs=STALL_EPOCHS)
    assert retrained.final_loss < retrained.initial_loss
    assert caught[0].filename == __file__  # it points at the call of train, not inside the package
    assert len(history.loss) == STALL_EPOCHS + 10  # a warning: the run still finishes


def test_no_warning_before_stall_epochs_nor_for_a_healthy_run() -> None:
    X, T = jbp.datasets.xor()
    with warnings.catch_warnings():
        warnings.simplefilter("error", jbp.TrainingWarning)
        jbp.train(jbp.notes_network(), X, T, lr=1e6, epochs=STALL_EPOCHS - 1)  # too early to tell
        jbp.train(jbp.notes_network(), X, T, epochs=STALL_EPOCHS)  # the defaults learn XOR
        for name in RECIPES:
            net, X_, T_, loss = recipe_problem(name)
            jbp.train(net, X_, T_, loss=loss, lr=RECIPES[name].lr, epochs=STALL_EPOCHS)


def test_a_loss_already_at_zero_is_not_a_stall() -> None:
    perfect = jbp.MLP([1, 1], activation="identity", params={"W1": [[2.0]], "b1": [0.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", jbp.TrainingWarning)
        jbp.train(perfect, [[1.0], [2.0]], [2.0, 4.0], epochs=STALL_EPOCHS)


def test_training_warning_is_the_packages_own_user_warning() -> None:
    assert issubclass(jbp.TrainingWarning, UserWarning) and "TrainingWarning" in jbp.__all__
