"""CallResult: how one call went, the one result type of placing, following and test-calling."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .statuses import FINAL_STATUSES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CallResult", "ALERT_COLUMNS"]

ALERT_COLUMNS = ["code", "log_level", "alert_text", "meaning", "fix"]
"""Columns of `CallResult.alerts`: Twilio's error code (int), log level, alert text, meaning and fix."""


@dataclass(frozen=True)
class CallResult:
    """How a call went: its final (or last seen) status, the error Twilio logged and every alert.

    `error_code`, `alert_text`, `meaning` and `fix` describe the first error-level Monitor alert of
    the call (a warning when it ended unanswered with no error); `alerts` is a DataFrame with one row
    per alert (columns ALERT_COLUMNS). `duration` is in seconds. In a notebook the result shows as
    a summary line and the alerts table (`_repr_html_`).
    """

    sid: str
    status: str
    to: str = ""
    from_: str = field(default="", repr=False)
    start_time: datetime | None = field(default=None, repr=False)
    end_time: datetime | None = field(default=None, repr=False)
    duration: int | None = None
    error_code: int | None = None
    alert_text: str = field(default="", repr=False)
    meaning: str = field(default="", repr=False)
    fix: str = field(default="", repr=False)
    alerts: "pd.DataFrame | None" = field(default=None, repr=False, compare=False)
    waited_s: float | None = field(default=None, repr=False, compare=False)

    @property
    def answered(self) -> bool:
        """True when someone (or something) picked up: Twilio's `completed` status."""
        return self.status == "completed"

    @property
    def final(self) -> bool:
        """True when the call has ended (its status is one of FINAL_STATUSES)."""
        return self.status in FINAL_STATUSES

    @property
    def ok(self) -> bool:
        """True when the call was answered and Twilio logged no error for it."""
        return self.answered and self.error_code is None

    def summary(self) -> str:
        """One line for people: status, duration and, for a failure, code, meaning and fix."""
        if not self.final:
            waited = f" after {self.waited_s:.0f} s" if self.waited_s is not None else ""
            return (f"… {self.sid} is still {self.status}{waited}; look again with "
                    f"client.calls('{self.sid}').fetch()")
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.sid}" + (f" to {self.to}" if self.to else "") + f": {self.status}"
        if self.duration is not None and self.answered:
            text += f" after {self.duration} s"
        if self.error_code:
            text += f" — error {self.error_code}"
            if self.meaning:
                text += f": {self.meaning}"
            if self.fix:
                text += f" Fix: {self.fix}"
        return text

    def alerts_table(self) -> "pd.DataFrame":
        """The call's alerts (columns ALERT_COLUMNS); empty when none were fetched or logged."""
        import pandas as pd

        if self.alerts is None:
            from ..empty_results import explain_empty

            return explain_empty(pd.DataFrame(columns=ALERT_COLUMNS),
                                 "This call's alerts were not looked up; ata.call_alerts_frame() or the call log "
                                 "(call_log(), with alerts) shows them.")
        return self.alerts

    def __str__(self) -> str:
        text = self.summary()
        if self.alerts is not None and len(self.alerts):
            text += "\n" + self.alerts.to_string(index=False)
        return text

    def _repr_html_(self) -> str:
        alerts = self.alerts
        table = (alerts.to_html(index=False) if alerts is not None and len(alerts)
                 else "<p>No alerts for this call.</p>")
        return f"<p><b>{html.escape(self.summary())}</b></p>{table}"


def result_from_call(call: Any, alerts: "pd.DataFrame", waited_s: float | None = None) -> CallResult:
    """A CallResult from a twilio CallInstance and its alerts frame (see alerts.call_alerts_frame)."""
    code, text, meaning, fix = None, "", "", ""
    if len(alerts):
        errors = alerts[alerts["log_level"] == "error"]
        chosen = errors if len(errors) or call.status == "completed" else alerts
        if len(chosen):
            first = chosen.iloc[0]
            code, text = int(first["code"]), str(first["alert_text"])
            meaning, fix = str(first["meaning"]), str(first["fix"])
    duration = int(call.duration) if call.duration not in (None, "") else None
    return CallResult(call.sid, call.status, call.to or "", call._from or "", call.start_time, call.end_time,
                      duration, code, text, meaning, fix, alerts, waited_s)
