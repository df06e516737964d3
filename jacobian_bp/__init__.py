"""jacobian_bp — backpropagation the long way, for real.

Every local derivative of a multilayer perceptron is materialized as a full
generalized Jacobian (numerator layout: shape ``out.shape + in.shape``),
chained by flatten-and-reshape, slice-and-collate or einsum, and checked
against the efficient backpropagation paths and finite differences.

>>> import jacobian_bp as jbp
>>> net = jbp.notes_network()
>>> chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
>>> chain.factors[-1].notation, chain.contract(method="einsum").shape
('R^{3×(3×2)}', (3, 2))
"""

from jacobian_bp import datasets
from jacobian_bp.activations import ACTIVATIONS, Activation, get_activation
from jacobian_bp.batch import BATCH_VIEWS, BatchedJacobian
from jacobian_bp.budget import DEFAULT_MAX_BYTES, MAX_BYTES_ENV
from jacobian_bp.chain_order import ORDERS
from jacobian_bp.chaining import CHAIN_METHODS, chain
from jacobian_bp.checking import Comparison, compare, gradcheck
from jacobian_bp.cost_model import Cost, CostTable, cost, cost_table
from jacobian_bp.errors import (
    ChainError,
    GradcheckError,
    InputTypeError,
    InvalidArgumentError,
    JacobianBPError,
    MemoryBudgetError,
    MissingDependencyError,
    NonFiniteError,
    ShapeError,
    UnknownNameError,
)
from jacobian_bp.gradients import EXACT_METHODS, METHODS, gradient
from jacobian_bp.jacobian import STRUCTURES, Jacobian
from jacobian_bp.jacobian_chain import JacobianChain, jacobian_chain
from jacobian_bp.losses import LOSSES, Loss, get_loss
from jacobian_bp.mlp import MLP, Trace, notes_network
from jacobian_bp.network_jacobian import output_chain
from jacobian_bp.structured import StructuredContraction, contract_structured
from jacobian_bp.time_model import Machine, calibrate
from jacobian_bp.training import History, train

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
    "MLP",
    "ORDERS",
    "STRUCTURES",
    "Activation",
    "BatchedJacobian",
    "ChainError",
    "Comparison",
    "Cost",
    "CostTable",
    "GradcheckError",
    "History",
    "InputTypeError",
    "InvalidArgumentError",
    "Jacobian",
    "JacobianBPError",
    "JacobianChain",
    "Loss",
    "Machine",
    "MemoryBudgetError",
    "MissingDependencyError",
    "NonFiniteError",
    "ShapeError",
    "StructuredContraction",
    "Trace",
    "UnknownNameError",
    "calibrate",
    "chain",
    "compare",
    "contract_structured",
    "cost",
    "cost_table",
    "datasets",
    "get_activation",
    "get_loss",
    "gradcheck",
    "gradient",
    "jacobian_chain",
    "notes_network",
    "output_chain",
    "train",
]
