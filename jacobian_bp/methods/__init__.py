"""Eight ways to ``∂J/∂θ``, compared and checked: the notes from "Gradient computation" to backpropagation.

:mod:`~jacobian_bp.methods.gradient` dispatches ``jbp.gradient(method=...)`` to one module per method:
:mod:`~jacobian_bp.methods.scalar` (one partial derivative at a time),
:mod:`~jacobian_bp.methods.materialized` (``reshape``, ``slices``, ``einsum``: every Jacobian built),
:mod:`~jacobian_bp.methods.structured`, :mod:`~jacobian_bp.methods.outer` (the notes' shortcuts),
:mod:`~jacobian_bp.methods.backprop` (Algorithm 6.4) and :mod:`~jacobian_bp.methods.numeric` (finite
differences); :mod:`~jacobian_bp.methods.checking` holds ``compare`` and ``gradcheck``.
"""
