"""Charts of a call log (matplotlib Figures built without pyplot state, so notebooks stay clean)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .._jupyter_display import new_figure
from .analysis import answered_durations, calls_per_day

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["calls_per_day_chart", "duration_chart"]

_STATUS_COLOURS = {"completed": "#2e7d32", "in-progress": "#66bb6a", "ringing": "#aed581",
                   "queued": "#bdbdbd", "no-answer": "#ffb300", "busy": "#fb8c00",
                   "canceled": "#8d6e63", "failed": "#c62828"}


def calls_per_day_chart(log: "pd.DataFrame", tz: str = "UTC", title: str = "Calls per day") -> "Figure":
    """A stacked bar chart of calls per day by status (matplotlib Figure, no pyplot state)."""
    table = calls_per_day(log, tz)
    figure = new_figure(figsize=(9, 3.2), layout="constrained")
    ax = figure.add_subplot()
    bottom = [0] * len(table)
    x = list(range(len(table)))
    for status in table.columns:
        values = table[status].tolist()
        ax.bar(x, values, bottom=bottom, label=status, color=_STATUS_COLOURS.get(status), width=0.85)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [d.strftime("%b %d") for d in table.index[::step]], rotation=0)
    ax.set_ylabel("calls")
    ax.set_title(f"{title} ({tz})")
    if len(table.columns):
        ax.legend(loc="upper left", fontsize="small", ncols=min(4, len(table.columns)))
    return figure


def duration_chart(log: "pd.DataFrame", bins: int | Sequence[float] = 20) -> "Figure":
    """A histogram of answered calls' durations (minutes), as a matplotlib Figure."""
    minutes = (answered_durations(log) / 60).tolist()
    figure = new_figure(figsize=(6, 3), layout="constrained")
    ax = figure.add_subplot()
    ax.hist(minutes, bins=bins, color="#1565c0")
    ax.set_xlabel("duration (minutes)")
    ax.set_ylabel("answered calls")
    ax.set_title("How long answered calls lasted")
    return figure
