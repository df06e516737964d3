"""A text progress bar for training, redrawn in place on one line of a terminal stream."""

from __future__ import annotations

from typing import TextIO

from jacobian_bp.training.train import History


class ProgressBar:
    """Called after every epoch as ``bar(epoch, history)``; draws about ``updates`` times in all.

    >>> import io
    >>> stream = io.StringIO()
    >>> bar = ProgressBar(total=4, stream=stream, width=8)
    >>> history = jbp.History("backprop", 1.0, 4, 4, initial_loss=1.0, loss=[0.5, 0.25, 0.125, 0.0625])
    >>> for epoch in range(1, 5):
    ...     bar(epoch, history)
    >>> stream.getvalue().split("\\r")[-1]
    '[########] 100% epoch 4/4 loss 0.0625\\n'
    """

    def __init__(self, total: int, stream: TextIO, width: int = 30, updates: int = 100) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.every = max(1, total // updates)
        self._drawn = 0  # length of the line on screen, to blank out what a shorter line leaves behind

    def __call__(self, epoch: int, history: History) -> None:
        if epoch % self.every and epoch != self.total:
            return
        done = round(self.width * epoch / self.total)
        line = f"[{'#' * done}{'.' * (self.width - done)}] {100 * epoch // self.total:3d}% epoch {epoch}/{self.total}"
        line += f" loss {history.loss[-1]:.4g}"
        if history.accuracy:
            line += f" accuracy {100 * history.accuracy[-1]:.1f}%"
        padded = line.ljust(self._drawn)
        self._drawn = len(line)
        self.stream.write("\r" + padded + ("\n" if epoch == self.total else ""))
        self.stream.flush()


class StatusLine:
    """One line on a terminal saying what is running now, redrawn in place and wiped before results print.

    >>> import io
    >>> stream = io.StringIO()
    >>> status = StatusLine(stream)
    >>> status.show("timing numeric …")
    >>> status.clear()
    >>> stream.getvalue() == "\\rtiming numeric …" + "\\r" + " " * 16 + "\\r"
    True
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._drawn = 0

    def show(self, text: str) -> None:
        """Replace the line with ``text``."""
        self.stream.write("\r" + text.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(text)

    def clear(self) -> None:
        """Blank the line, so that what is printed next starts on a clean one."""
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0
