"""Progress for long operations: a widget in a notebook, one rewritten line in a terminal.

The notebook form is an ipywidgets view (nbval skips widget views, and its text/plain repr is
fixed when it is displayed), so an executed notebook's stored output does not depend on timing.
Outside a terminal or a notebook nothing is shown.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["Progress", "progress_reporter"]


class Progress:
    """Silent progress: the interface every reporter offers (used when progress=False)."""

    def update(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report `done` units of `total` (None when the total is not known yet)."""

    def close(self, text: str = "") -> None:
        """Finish; `text` is the last thing shown."""


class _TerminalProgress(Progress):
    def __init__(self, stream: Any, label: str) -> None:
        self.stream = stream
        self.label = label
        self.width = 0

    def _write(self, line: str, end: str = "") -> None:
        padded = line.ljust(self.width)
        self.width = len(line)
        self.stream.write("\r" + padded + end)
        self.stream.flush()

    def update(self, done: int, total: int | None = None, text: str = "") -> None:
        """Advance the progress display to `done`."""
        count = f"{done}/{total}" if total else str(done)
        self._write(f"{self.label}: {count} {text}".rstrip())

    def close(self, text: str = "") -> None:
        """Finish the progress display."""
        self._write(f"{self.label}: {text}".rstrip(), end="\n")


class _WidgetProgress(Progress):
    def __init__(self, label: str) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.bar = widgets.IntProgress(value=0, min=0, max=1, description=label)
        self.text = widgets.Label(value="")
        display(widgets.HBox([self.bar, self.text]))

    def update(self, done: int, total: int | None = None, text: str = "") -> None:
        """Advance the progress display to `done`."""
        self.bar.max = max(1, total if total else done + 1)
        self.bar.value = min(done, self.bar.max)
        self.text.value = text

    def close(self, text: str = "") -> None:
        """Finish the progress display."""
        self.bar.value = self.bar.max
        self.bar.bar_style = "success"
        self.text.value = text


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_reporter(label: str, enabled: bool = True) -> Progress:
    """The right reporter here: widget in a notebook, line on a terminal, else silent."""
    if not enabled:
        return Progress()
    if _in_notebook():
        try:
            return _WidgetProgress(label)
        except ImportError:
            return Progress()
    if sys.stderr is not None and sys.stderr.isatty():
        return _TerminalProgress(sys.stderr, label)
    return Progress()
