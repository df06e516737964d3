"""Beyond the notes: gradient descent with any gradient method, on toy datasets.

:mod:`~jacobian_bp.training.train` holds :func:`train` and its :class:`History`,
:mod:`~jacobian_bp.training.datasets` the toy problems, and
:mod:`~jacobian_bp.training.recipes` a network and learning rate for each.
"""

from jacobian_bp.training import datasets
from jacobian_bp.training.train import DEFAULT_EPOCHS, DEFAULT_LR, History, train

__all__ = ["DEFAULT_EPOCHS", "DEFAULT_LR", "History", "datasets", "train"]
