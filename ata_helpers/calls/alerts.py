"""Monitor alerts: the errors and warnings Twilio logged, for one call or the whole account.

Twilio's Alerts API has no per-call filter, so a call's alerts are the account's alerts since the
call began, kept where `resource_sid` is the call. Source:
https://www.twilio.com/docs/usage/monitor-alert
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..empty_results import explain_empty
from ..twilio_error_codes import explain
from .result import ALERT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    from twilio.rest import Client

__all__ = ["alert_message", "call_alerts", "call_alerts_frame", "alerts_frame", "PAGE_SIZE"]

PAGE_SIZE = 1000


def alert_message(text: str | None) -> str:
    """The readable part of an alert's text (Twilio stores some as `Msg=...&ErrorCode=...`)."""
    value = (text or "").strip()
    if "=" in value and "&" in value and "Msg=" in value:
        from urllib.parse import parse_qs

        return parse_qs(value).get("Msg", [value])[0]
    return value


def call_alerts(client: "Client", call_sid: str, since: datetime | None) -> list[Any]:
    """Monitor alerts Twilio logged for one call, oldest first (looked up from 5 minutes before `since`)."""
    start = (since or datetime.now(timezone.utc)) - timedelta(minutes=5)
    alerts = client.monitor.v1.alerts.list(start_date=start, page_size=PAGE_SIZE)
    found = [a for a in alerts if a.resource_sid == call_sid]
    return sorted(found, key=lambda a: a.date_generated or a.date_created)


def call_alerts_frame(client: "Client", call_sid: str, since: datetime | None) -> "pd.DataFrame":
    """One call's alerts as a DataFrame: code (int), log_level, alert_text, meaning, fix (oldest first)."""
    import pandas as pd

    rows = []
    for alert in call_alerts(client, call_sid, since):
        meaning, fix = explain(alert.error_code)
        rows.append({"code": int(alert.error_code), "log_level": alert.log_level or "error",
                     "alert_text": alert_message(alert.alert_text), "meaning": meaning, "fix": fix})
    return explain_empty(pd.DataFrame(rows, columns=ALERT_COLUMNS),
                         "Twilio logged no alert for this call: its debugger saw nothing wrong. If the call "
                         "still did not do what you expected, its status says how it ended (no-answer, busy) "
                         "and the capture of the call shows why (notebook 07).")


def alerts_frame(client: "Client | None" = None, start: datetime | None = None,
                 progress: bool = True) -> "pd.DataFrame":
    """The account's Monitor alerts (newest first).

    Columns: sid, date_generated (datetime64[ns, UTC]), log_level, error_code (Int64), alert_text,
    resource_sid. A `start` older than Twilio's 30-day alert window is dropped (Twilio answers 400).
    Raises TwilioApiError for other API errors.
    """
    import pandas as pd
    from twilio.base.exceptions import TwilioRestException

    from ..progress import progress_reporter
    from ..twilio_api import explained_errors, twilio_client

    client = client or twilio_client()
    reporter = progress_reporter("Alerts", progress)
    rows: list[dict[str, Any]] = []
    try:
        with explained_errors():
            try:
                page = client.monitor.v1.alerts.page(start_date=start, page_size=PAGE_SIZE) \
                    if start is not None else client.monitor.v1.alerts.page(page_size=PAGE_SIZE)
            except TwilioRestException as exc:
                if exc.status != 400 or start is None:
                    raise
                # Twilio refuses StartDate older than its 30-day alert window: ask for all it keeps.
                page = client.monitor.v1.alerts.page(page_size=PAGE_SIZE)
            while page is not None:
                for alert in page:
                    rows.append({"sid": alert.sid, "date_generated": alert.date_generated,
                                 "log_level": alert.log_level, "error_code": alert.error_code,
                                 "alert_text": alert_message(alert.alert_text),
                                 "resource_sid": alert.resource_sid})
                reporter.update(len(rows), None, "alerts")
                page = page.next_page()
    finally:
        reporter.close(f"{len(rows)} alerts")
    frame = pd.DataFrame(rows, columns=["sid", "date_generated", "log_level", "error_code", "alert_text",
                                        "resource_sid"])
    frame["date_generated"] = pd.to_datetime(frame["date_generated"], utc=True).astype("datetime64[ns, UTC]")
    frame["error_code"] = pd.to_numeric(frame["error_code"], errors="coerce").astype("Int64")
    for name in ("sid", "log_level", "alert_text", "resource_sid"):
        frame[name] = frame[name].astype("string")
    since = f" since {start:%Y-%m-%d %H:%M} UTC" if start is not None else ""
    return explain_empty(frame, f"Twilio's debugger holds no alerts{since}: nothing it noticed went wrong "
                                "(it keeps alerts 30 days). A call that failed without an alert still shows "
                                "its status in the call log.")
