"""What a person sees: LaTeX (:mod:`~jacobian_bp.display.latex`), pictures
(:mod:`~jacobian_bp.display.plots`, extra ``plot``) and the terminal walkthrough
(:mod:`~jacobian_bp.display.walkthrough`).
"""
