"""Jacobians and the chain rule: the notes from "Gradient computation in matrix notation" on.

- :mod:`~jacobian_bp.chain.jacobian` — a generalized Jacobian: one array, two shapes, the notes' notation;
- :mod:`~jacobian_bp.chain.structure` — diagonal, block-sparse, …: told from the values, in one place;
- :mod:`~jacobian_bp.chain.factors` — the one list of a chain's factors, ``∂J/∂z`` down to ``∂a/∂θ``;
- :mod:`~jacobian_bp.chain.approaches` — Approach 1 (slices), Approach 2 (reshape) and einsum;
- :mod:`~jacobian_bp.chain.order` — reverse, forward or the cheapest order of the products;
- :mod:`~jacobian_bp.chain.jacobian_chain` — :func:`~jacobian_bp.chain.jacobian_chain.jacobian_chain`, the chain built;
- :mod:`~jacobian_bp.chain.batch` — a batch as 4-D Jacobians or as stacks of per-example blocks;
- :mod:`~jacobian_bp.chain.structured` — each product done by the structure of its factors;
- :mod:`~jacobian_bp.chain.output_chain` — ``∂z/∂x``, the network's own Jacobian;
- :mod:`~jacobian_bp.chain.budget` — the memory budget every materialization answers to.
"""
