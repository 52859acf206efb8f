"""Form for notebook 08: Twilio's call filters, then the log, the failures explained and a chart.

Only wiring: the data comes from `ata_helpers.calls`. Each validation message is shown beside
its field. Results are written with `Output.append_display_data` / `append_stdout`, never with
`with out: print`.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import ipywidgets as widgets

from ..calls import CALL_STATUSES, call_log, calls_per_day_chart, failures_by_error_code
from ..empty_results import empty_reason
from ..errors import AtaHelpersError, ValidationError

__all__ = ["CallLogForm", "call_log_form", "SHOWN_COLUMNS"]

SHOWN_COLUMNS = ["start_time", "direction", "from", "to", "status", "duration", "error_code", "alert_text"]


def _message(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""


class CallLogForm(widgets.VBox):
    """Filters for the call log and a button that shows the calls, the failures and a chart in `out`."""

    def __init__(self, to: str = "", from_: str = "", status: str = "", after: date | None = None,
                 before: date | None = None, limit: int = 0, rows: int = 20, **kwargs: Any) -> None:
        self.rows = rows
        self.to = widgets.Text(value=to, description="To", placeholder="+14155550123 or sip:…")
        self.from_ = widgets.Text(value=from_, description="From", placeholder="+14155550123 or sip:…")
        self.status = widgets.Dropdown(options=[("any", "")] + [(s, s) for s in CALL_STATUSES], value=status,
                                       description="Status")
        self.after = widgets.DatePicker(value=after, description="From day")
        self.before = widgets.DatePicker(value=before, description="To day")
        self.limit = widgets.BoundedIntText(value=limit, min=0, max=100_000, description="Limit",
                                            tooltip="0 = all calls")
        self.messages = {name: widgets.HTML() for name in ("to", "from_", "status", "start_time_after",
                                                           "start_time_before", "limit")}
        self.button = widgets.Button(description="Show calls", button_style="primary", layout={"width": "max-content"})
        self.out = widgets.Output()
        self.button.on_click(self._on_click)
        m = self.messages
        super().__init__(children=[
            widgets.HBox([self.to, m["to"]]),
            widgets.HBox([self.from_, m["from_"]]),
            widgets.HBox([self.status, m["status"]]),
            widgets.HBox([self.after, m["start_time_after"]]),
            widgets.HBox([self.before, m["start_time_before"]]),
            widgets.HBox([self.limit, m["limit"]]),
            self.button,
            self.out,
        ], **kwargs)

    def filters(self) -> dict[str, Any]:
        """The form's values as call_log keyword arguments (blank fields left out)."""
        values: dict[str, Any] = {"to": self.to.value.strip() or None, "from_": self.from_.value.strip() or None,
                                  "status": self.status.value or None, "start_time_after": self.after.value,
                                  "start_time_before": self.before.value, "limit": self.limit.value or None}
        return {k: v for k, v in values.items() if v is not None}

    def _on_click(self, _: Any = None) -> None:
        for message in self.messages.values():
            message.value = ""
        self.out.outputs = ()
        try:
            log = call_log(progress=False, **self.filters())
        except ValidationError as exc:
            target = self.messages.get(exc.field)
            if target is not None:
                target.value = _message(exc.rule)
            else:
                self.out.append_stderr(f"{exc}\n")
            return
        except AtaHelpersError as exc:
            self.out.append_stderr(f"{exc}\n")
            return
        failed = int(log["error_code"].notna().sum())
        self.out.append_stdout(f"{len(log)} calls, {failed} with an error logged by Twilio\n")
        if log.empty:
            self.out.append_stdout(f"{empty_reason(log) or 'No calls.'}\n")
            return
        self.out.append_display_data(log[SHOWN_COLUMNS].head(self.rows))
        failures = failures_by_error_code(log)
        if not failures.empty:
            self.out.append_display_data(failures[["error_code", "calls", "meaning", "fix"]])
        self.out.append_display_data(calls_per_day_chart(log))


def call_log_form(**kwargs: Any) -> CallLogForm:
    """The notebook's call-log form (see CallLogForm for the arguments)."""
    return CallLogForm(**kwargs)
