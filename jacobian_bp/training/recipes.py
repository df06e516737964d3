"""A network, a loss and training settings for each built-in dataset.

What ``jacobian-bp train --dataset NAME`` trains, and a starting point in a
notebook::

    recipe = RECIPES["spiral"]
    X, T = recipe.data(seed=0)
    net = recipe.network(seed=0)
    history = jbp.train(net, X, T, loss=recipe.loss, lr=recipe.lr, epochs=recipe.epochs)

Each recipe is plain full-batch gradient descent with settings that fit its
dataset: XOR is the notes' 2-3-1 sigmoid network with the notes' loss, trained
with :func:`~jacobian_bp.training.train.train`'s defaults; the spiral is a 2-32-3
tanh network with a softmax output and cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jacobian_bp.network.mlp import MLP, notes_network
from jacobian_bp.training.datasets import DATASETS
from jacobian_bp.training.train import DEFAULT_EPOCHS, DEFAULT_LR

Array = np.ndarray


@dataclass(frozen=True)
class Recipe:
    """How to train on one dataset.

    >>> recipe = RECIPES["xor"]
    >>> recipe.network(seed=0).sizes, recipe.loss, recipe.lr, recipe.epochs
    ((2, 3, 1), 'mse', 5.0, 1000)
    """

    dataset: str
    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    loss: str
    lr: float
    epochs: int

    def data(self, seed: int = 0) -> tuple[Array, Array]:
        """The dataset, generated with its defaults and ``seed``."""
        return DATASETS[self.dataset](seed=seed)

    def network(self, seed: int = 0) -> MLP:
        """A freshly initialized network; XOR gets the notes' network itself."""
        if self.dataset == "xor":
            return notes_network(seed=seed)
        return MLP(self.sizes, self.activation, self.output_activation, seed=seed)


_NOTES_SIZES: tuple[int, ...] = (2, 3, 1)

#: One recipe per dataset of :data:`~jacobian_bp.training.datasets.DATASETS`.
RECIPES: dict[str, Recipe] = {
    recipe.dataset: recipe
    for recipe in (
        Recipe("xor", _NOTES_SIZES, "sigmoid", "sigmoid", "mse", DEFAULT_LR, DEFAULT_EPOCHS),
        Recipe("moons", (2, 8, 1), "tanh", "sigmoid", "bce", 1.0, 1000),
        Recipe("circles", (2, 8, 1), "tanh", "sigmoid", "bce", 1.0, 1000),
        Recipe("regression", (1, 16, 1), "tanh", "identity", "mse", 0.1, 2000),
        Recipe("spiral", (2, 32, 3), "tanh", "softmax", "cross_entropy", 1.0, 1000),
    )
}
