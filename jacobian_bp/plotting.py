"""The loss curve of a training run, as a picture (needs the optional ``plot`` extra: matplotlib).

matplotlib is imported only inside :func:`plot_history`, and drawn with the
non-interactive Agg canvas, so it works without a display and importing
``jacobian_bp`` never imports matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from jacobian_bp.errors import InvalidArgumentError, MissingDependencyError
from jacobian_bp.training import History


def require_matplotlib() -> None:
    """Raise :class:`MissingDependencyError`, naming the extra to install, unless matplotlib imports.

    >>> require_matplotlib()  # silent when the ``plot`` extra is installed
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "drawing a plot needs matplotlib: pip install 'jacobian_bp[plot]' (or pip install matplotlib)"
        ) from None


def check_plot_path(path: str | Path) -> Path:
    """``path`` as a :class:`Path`, or a clear error if its folder is missing or its format unknown.

    Checked before training starts, so a typo does not cost a whole run.

    >>> check_plot_path("loss.png").name
    'loss.png'
    >>> check_plot_path("loss.unknown")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: cannot tell the image format of 'loss.unknown'; ...
    """
    require_matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(path)
    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in formats:
        raise InvalidArgumentError(
            f"cannot tell the image format of {str(path)!r}; end the name with one of "
            + ", ".join(f".{name}" for name in sorted(formats))
        )
    if not path.parent.is_dir():
        raise InvalidArgumentError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")
    return path


def plot_history(history: History, path: str | Path, title: str | None = None) -> Path:
    """Draw the training loss per epoch (log scale), and the accuracy if tracked, into ``path``.

    >>> import tempfile, pathlib
    >>> history = jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=20)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = plot_history(history, pathlib.Path(folder) / "loss.png")
    ...     written.stat().st_size > 0
    True
    """
    path = check_plot_path(path)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    FigureCanvasAgg(figure)
    loss_axes = figure.add_subplot()
    epochs = range(1, len(history.loss) + 1)
    loss_axes.plot(epochs, history.loss, color="tab:blue", label="training loss")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("training loss J", color="tab:blue")
    if min(history.loss, default=0.0) > 0:
        loss_axes.set_yscale("log")
    if history.accuracy is not None:
        accuracy_axes = loss_axes.twinx()
        accuracy_axes.plot(epochs, history.accuracy, color="tab:orange", label="training accuracy")
        accuracy_axes.set_ylabel("training accuracy", color="tab:orange")
        accuracy_axes.set_ylim(-0.02, 1.02)
    loss_axes.set_title(title or f"{history.method}, lr {history.lr:g}, batch {history.batch_size}")
    figure.savefig(path)
    return path
