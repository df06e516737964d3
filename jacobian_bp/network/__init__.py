"""The notes' network and its forward pass (the notes' "Forward pass").

- :mod:`~jacobian_bp.network.mlp` — :class:`~jacobian_bp.network.mlp.MLP`, ``notes_network`` and the ``Trace``;
- :mod:`~jacobian_bp.network.affine` — ``a = W h + b`` and its Jacobians ``∂a/∂h``, ``∂a/∂b`` and the tensor ``∂a/∂W``;
- :mod:`~jacobian_bp.network.activations` — σ, tanh, ReLU, identity, softmax: values and Jacobians;
- :mod:`~jacobian_bp.network.losses` — the notes' squared error and the cross-entropies;
- :mod:`~jacobian_bp.network.validation` — clear errors for bad inputs, targets and parameters;
- :mod:`~jacobian_bp.network.dispatch`, :mod:`~jacobian_bp.network.sympy_functions` — the same on SymPy symbols.
"""
