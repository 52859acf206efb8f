"""Why a table is empty, kept with the table, so no result is a bare header row.

A library function whose DataFrame can come back empty (a call log whose filters match nothing,
a clean capture's findings, a capture without RTP, an account without the line yet) puts one or
two sentences in `frame.attrs["empty_reason"]`: why it is empty and what to do. Notebooks show
that text in place of the empty table (the DataFrame formatter of `_jupyter_display`), the forms
print it (`ata_helpers.widgets` use `empty_reason`), and the CLI prints it (`frame_text`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EMPTY_REASON", "explain_empty", "explain_selections", "empty_reason", "frame_text", "empty_html"]

EMPTY_REASON = "empty_reason"
Frame = TypeVar("Frame", bound="pd.DataFrame")


def explain_empty(frame: Frame, why: str) -> Frame:
    """`frame`, carrying `why` (why it is empty and what to do) when it has no rows."""
    if frame.empty:
        frame.attrs[EMPTY_REASON] = why
    return frame


def explain_selections(frame: Frame, why: str) -> Frame:
    """`frame`, carrying `why` for any empty selection made from it (pandas keeps `attrs` through
    row and column selection): what the table holds, so `report[report.status == "fail"]` with no
    row says what there is instead."""
    frame.attrs[EMPTY_REASON] = why
    return frame


def empty_reason(frame: Any) -> str | None:
    """The reason an empty DataFrame carries, or None (also for a frame with rows)."""
    if getattr(frame, "empty", False):
        reason = getattr(frame, "attrs", {}).get(EMPTY_REASON)
        return str(reason) if reason else None
    return None


def frame_text(frame: "pd.DataFrame", fallback: str = "Nothing to show.", **to_string: Any) -> str:
    """The frame as `to_string(index=False, ...)` text, or, when it is empty, why and what to do."""
    if frame.empty:
        return empty_reason(frame) or fallback
    return str(frame.to_string(**{"index": False, **to_string}))


def empty_html(frame: Any) -> str | None:
    """HTML for an empty DataFrame that carries a reason (the reason, and the columns it would
    have had), or None to let the table show as usual."""
    from html import escape

    reason = empty_reason(frame)
    if reason is None:
        return None
    columns = ", ".join(str(c) for c in frame.columns)
    return (f'<div class="ata-empty"><p><b>No rows.</b> {escape(reason)}</p>'
            f'<p style="color:#666;font-size:smaller">(columns: {escape(columns)})</p></div>')
