"""The backend :func:`~jacobian_bp.display.figures.legibility` saves with: the SVG writer, text only.

See :mod:`jacobian_bp.display._canvas`; matplotlib finds a backend's canvas by the name ``FigureCanvas``.
"""

from jacobian_bp.display._canvas import TextOnlyCanvas as FigureCanvas

__all__ = ["FigureCanvas"]
