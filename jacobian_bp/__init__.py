"""jacobian_bp — backpropagation the long way, for real.

Every local derivative of a multilayer perceptron is materialized as a full
generalized Jacobian (numerator layout: shape ``out.shape + in.shape``),
chained by flatten-and-reshape, slice-and-collate or einsum, and checked
against the efficient backpropagation paths and finite differences.
The subpackages follow the lecture notes: :mod:`~jacobian_bp.network` (the
forward pass), :mod:`~jacobian_bp.chain` (Jacobians and the chain rule),
:mod:`~jacobian_bp.methods` (eight ways to the gradient), :mod:`~jacobian_bp.answers`
(a student's derivation graded), :mod:`~jacobian_bp.costs`,
:mod:`~jacobian_bp.training`, :mod:`~jacobian_bp.symbolic` and :mod:`~jacobian_bp.display`.

>>> import jacobian_bp as jbp
>>> net = jbp.notes_network()
>>> chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
>>> chain.factors[-1].notation, chain.contract(method="einsum").shape
('R^{3×(3×2)}', (3, 2))
"""

# The imports follow the notes, section by section, not the alphabet.
# ruff: noqa: I001

# Errors and limits, used everywhere.
from jacobian_bp.errors import (
    AnswerTooLargeError,
    ChainError,
    GradcheckError,
    InputTypeError,
    InvalidArgumentError,
    JacobianBPError,
    MemoryBudgetError,
    MissingDependencyError,
    NonFiniteError,
    ParseError,
    ShapeError,
    TrainingWarning,
    UnknownNameError,
)
from jacobian_bp.chain.budget import DEFAULT_MAX_BYTES, MAX_BYTES_ENV

# The forward pass (the notes' network, its activations and loss).
from jacobian_bp.network.activations import ACTIVATIONS, Activation, get_activation
from jacobian_bp.network.losses import LOSSES, Loss, get_loss
from jacobian_bp.network.mlp import MLP, Trace, notes_network

# Gradient computation in matrix notation: generalized Jacobians, their chain, Approaches 1 and 2.
from jacobian_bp.chain.structure import STRUCTURES
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.approaches import CHAIN_METHODS, chain
from jacobian_bp.chain.order import ORDERS
from jacobian_bp.chain.jacobian_chain import JacobianChain, jacobian_chain
from jacobian_bp.chain.batch import BATCH_VIEWS, BatchedJacobian
from jacobian_bp.chain.output_chain import output_chain
from jacobian_bp.chain.structured import StructuredContraction, contract_structured

# From the gradient to backpropagation: every method, compared and checked.
from jacobian_bp.methods.gradient import EXACT_METHODS, METHODS, gradient
from jacobian_bp.methods.checking import Comparison, compare, gradcheck

# Checking a derivation: a student's answer graded, its mistake named; exercises on every section.
from jacobian_bp.answers import MISTAKES, Diagnosis, Verdict, check_answer
from jacobian_bp import exercises

# Why backpropagation is cheap.
from jacobian_bp.costs import Cost, CostTable, cost, cost_table

# Beyond the notes: training on toy data.
from jacobian_bp.training import datasets
from jacobian_bp.training.train import History, train

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``jbp.symbolic`` without importing SymPy at ``import jacobian_bp``: loaded on first use."""
    if name == "symbolic":
        import importlib

        return importlib.import_module("jacobian_bp.symbolic")
    raise AttributeError(f"module 'jacobian_bp' has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "BATCH_VIEWS",
    "CHAIN_METHODS",
    "DEFAULT_MAX_BYTES",
    "EXACT_METHODS",
    "LOSSES",
    "MAX_BYTES_ENV",
    "METHODS",
    "MISTAKES",
    "MLP",
    "ORDERS",
    "STRUCTURES",
    "Activation",
    "AnswerTooLargeError",
    "BatchedJacobian",
    "ChainError",
    "Comparison",
    "Cost",
    "CostTable",
    "Diagnosis",
    "GradcheckError",
    "History",
    "InputTypeError",
    "InvalidArgumentError",
    "Jacobian",
    "JacobianBPError",
    "JacobianChain",
    "Loss",
    "MemoryBudgetError",
    "MissingDependencyError",
    "NonFiniteError",
    "ParseError",
    "ShapeError",
    "StructuredContraction",
    "Trace",
    "TrainingWarning",
    "UnknownNameError",
    "Verdict",
    "chain",
    "check_answer",
    "compare",
    "contract_structured",
    "cost",
    "cost_table",
    "datasets",
    "exercises",
    "get_activation",
    "get_loss",
    "gradcheck",
    "gradient",
    "jacobian_chain",
    "notes_network",
    "output_chain",
    "train",
]
