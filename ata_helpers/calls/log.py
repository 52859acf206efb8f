"""The account's call log as a typed DataFrame, joined with the errors Twilio logged per call.

`call_log(**filters)` pages through `Calls.json` with Twilio's own filters (PageSize 1000),
then through Monitor's Alerts, and gives one row per call with the first error Twilio logged for
it and that error's meaning and fix for an HT80x line. Source:
https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..empty_results import explain_empty
from ..errors import ValidationError
from ..twilio_error_codes import explain
from .alerts import alerts_frame
from .statuses import CALL_STATUSES

if TYPE_CHECKING:
    import pandas as pd
    from twilio.rest import Client

__all__ = ["call_log", "COLUMNS", "PAGE_SIZE"]

PAGE_SIZE = 1000

# column -> dtype, in order
COLUMNS: dict[str, str] = {
    "sid": "string", "parent_call_sid": "string", "date_created": "datetime64[ns, UTC]",
    "start_time": "datetime64[ns, UTC]", "end_time": "datetime64[ns, UTC]", "duration": "Int64",
    "direction": "string", "from": "string", "to": "string", "status": "string", "price": "Float64",
    "price_unit": "string", "answered_by": "string", "trunk_sid": "string", "error_code": "Int64",
    "alert_text": "string", "explanation": "string",
}
_CALL_FIELDS = {"sid": "sid", "parent_call_sid": "parent_call_sid", "date_created": "date_created",
                "start_time": "start_time", "end_time": "end_time", "duration": "duration",
                "direction": "direction", "from": "_from", "to": "to", "status": "status",
                "price": "price", "price_unit": "price_unit", "answered_by": "answered_by",
                "trunk_sid": "trunk_sid"}
_PARTY = re.compile(r"^(\+[1-9]\d{1,14}|sips?:\S+|client:\S+|[^\s@]+@\S+)$", re.I)


def _party(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not _PARTY.match(text):
        raise ValidationError(field, "an E.164 number (+14155550123), a SIP address "
                                     "(sip:ht801@example-ata.sip.twilio.com) or client:NAME", value)
    return text


def _as_utc(value: date | datetime | str, field: str) -> tuple[date, datetime | None]:
    """(UTC day, exact instant or None) of a date filter; naive datetimes are read as UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                value = date.fromisoformat(text)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(field, "a date YYYY-MM-DD or an ISO date-time such as "
                                         "2025-03-01T06:30:00Z", value) from None
    if isinstance(value, datetime):
        instant = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        instant = instant.astimezone(timezone.utc)
        return instant.date(), instant
    if isinstance(value, date):
        return value, None
    raise ValidationError(field, "a date, a datetime or a YYYY-MM-DD string", value)


def _list_params(to: str | None, from_: str | None, status: str | None, parent_call_sid: str | None,
                 dates: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, datetime]]]:
    """SDK keyword filters, plus exact-time refinements Twilio's day-granular filters cannot do."""
    params: dict[str, Any] = {}
    if to is not None:
        params["to"] = _party(to, "to")
    if from_ is not None:
        params["from_"] = _party(from_, "from_")
    if status is not None:
        if status not in CALL_STATUSES:
            raise ValidationError("status", f"one of {', '.join(CALL_STATUSES)}", status)
        params["status"] = status
    if parent_call_sid is not None:
        if not re.fullmatch(r"CA[0-9a-fA-F]{32}", str(parent_call_sid)):
            raise ValidationError("parent_call_sid", "a call SID: CA followed by 32 hex digits",
                                  parent_call_sid)
        params["parent_call_sid"] = parent_call_sid
    refine: list[tuple[str, str, datetime]] = []
    for name, value in dates.items():
        if value is None:
            continue
        day, instant = _as_utc(value, name)
        params[name] = day.isoformat()  # Twilio documents these filters as UTC days, YYYY-MM-DD
        column = "start_time" if name.startswith("start") else "end_time"
        if instant is not None and name.endswith(("_before", "_after")):
            refine.append((column, ">=" if name.endswith("_after") else "<=", instant))
    return params, refine


def _empty_frame() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})


def _to_frame(records: list[dict[str, Any]]) -> "pd.DataFrame":
    import pandas as pd

    if not records:
        return _empty_frame()
    raw = pd.DataFrame.from_records(records, columns=list(_CALL_FIELDS))
    frame = pd.DataFrame(index=raw.index)
    for name in _CALL_FIELDS:
        dtype = COLUMNS[name]
        column = raw[name]
        if dtype.startswith("datetime"):
            frame[name] = pd.to_datetime(column, utc=True).astype(pd.DatetimeTZDtype("ns", "UTC"))
        elif dtype == "Int64":
            frame[name] = pd.to_numeric(column.replace("", None), errors="coerce").astype("Int64")
        elif dtype == "Float64":
            frame[name] = pd.to_numeric(column.replace("", None), errors="coerce").astype("Float64")
        else:
            frame[name] = column.astype("string")
    return frame


def _explanation(code: Any) -> str | None:
    meaning, fix = explain(code)
    if not meaning:
        return None
    return f"{meaning} Fix: {fix}" if fix else meaning


def _join_alerts(calls: "pd.DataFrame", alerts: "pd.DataFrame") -> "pd.DataFrame":
    """Add the first error-level alert of each call (a warning when it has no error)."""
    import pandas as pd

    mine = alerts[alerts["resource_sid"].isin(calls["sid"])].copy()
    if mine.empty:
        for name in ("error_code", "alert_text", "explanation"):
            calls[name] = pd.Series(pd.NA, index=calls.index, dtype=COLUMNS[name])
        return calls
    mine["rank"] = (mine["log_level"] != "error").astype(int)
    mine = mine.sort_values(["resource_sid", "rank", "date_generated"]).drop_duplicates("resource_sid")
    mine = mine.set_index("resource_sid")
    calls["error_code"] = calls["sid"].map(mine["error_code"]).astype("Int64")
    calls["alert_text"] = calls["sid"].map(mine["alert_text"]).astype("string")
    codes = calls["error_code"]
    calls["explanation"] = pd.Series([None if pd.isna(c) else _explanation(int(c)) for c in codes],
                                     index=calls.index, dtype="string")
    return calls


def call_log(to: str | None = None, from_: str | None = None, status: str | None = None,
             start_time: date | datetime | str | None = None,
             start_time_before: date | datetime | str | None = None,
             start_time_after: date | datetime | str | None = None,
             end_time: date | datetime | str | None = None,
             end_time_before: date | datetime | str | None = None,
             end_time_after: date | datetime | str | None = None,
             parent_call_sid: str | None = None, limit: int | None = None, alerts: bool = True,
             progress: bool = True, client: "Client | None" = None, insights: bool = False) -> "pd.DataFrame":
    """The account's calls, newest first, one typed row each, with the error Twilio logged.

    Filters are Twilio's: `to`/`from_`/`status`/`parent_call_sid` match exactly;
    `start_time`/`end_time` pick one UTC day; `*_before`/`*_after` are inclusive bounds. Twilio
    compares days (YYYY-MM-DD), so a datetime bound is sent as its day and then applied to the
    minute here. Columns and dtypes: see COLUMNS. With `insights=True` each call's Voice Insights
    summary is joined too (one request per call, so give a `limit`): the columns of
    calls.insights.INSIGHTS_COLUMNS, with a verdict and, when Twilio has none, the reason.
    Filters and fields: https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources.
    Raises ValidationError for a malformed number, date, status or SID, and TwilioApiError (with
    Twilio's code, meaning and fix) when Twilio refuses the request.
    """
    from ..progress import progress_reporter
    from ..twilio_api import explained_errors, twilio_client

    dates = {"start_time": start_time, "start_time_before": start_time_before,
             "start_time_after": start_time_after, "end_time": end_time,
             "end_time_before": end_time_before, "end_time_after": end_time_after}
    params, refine = _list_params(to, from_, status, parent_call_sid, dates)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValidationError("limit", "a positive whole number of calls", limit)
    client = client or twilio_client()
    reporter = progress_reporter("Calls", progress)
    records: list[dict[str, Any]] = []
    try:
        with explained_errors():
            page = client.calls.page(page_size=min(PAGE_SIZE, limit or PAGE_SIZE), **params)
            while page is not None and (limit is None or len(records) < limit):
                for call in page:
                    records.append({k: getattr(call, attr) for k, attr in _CALL_FIELDS.items()})
                more = page.next_page_url is not None
                reporter.update(len(records), None, "calls, more to fetch…" if more else "calls")
                page = page.next_page() if more else None
    finally:
        reporter.close(f"{len(records)} calls")
    if limit is not None:
        records = records[:limit]
    frame = _to_frame(records)
    for column, op, instant in refine:
        stamp = frame[column]
        keep = (stamp >= instant) if op == ">=" else (stamp <= instant)
        frame = frame[keep.fillna(False).astype(bool)]
    frame = frame.reset_index(drop=True)
    if alerts and not frame.empty:
        earliest = frame["date_created"].min()
        start = None if earliest is None else earliest.to_pydatetime() - timedelta(minutes=5)
        frame = _join_alerts(frame, alerts_frame(client, start, progress))
    else:
        frame = _join_alerts(frame, _alerts_empty())
    frame = frame[list(COLUMNS)]
    if insights:
        from .insights import join_insights

        frame = join_insights(frame, client, progress)
    return explain_empty(frame, _why_no_calls(params, limit))


def _why_no_calls(params: dict[str, Any], limit: int | None) -> str:
    """Why a call log is empty and what to do, naming the filters that were used."""
    names = {"from_": "from"}
    used = ", ".join(f"{names.get(k, k)}={v}" for k, v in params.items())
    if not used:
        return ("The account has no calls yet. Place one: notebook 06's test call, a call dialled on the "
                "phone, or notebook 09's test ring.")
    return (f"No call matches {used}. Twilio matches to/from/status exactly and compares dates as UTC "
            "days: clear or widen a filter (or the dates), or check the number is in E.164 (+14155550123) "
            "or the SIP address is sip:USER@DOMAIN.sip.twilio.com.")


def _alerts_empty() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({"resource_sid": pd.Series(dtype="string")})
