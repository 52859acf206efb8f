"""Debugger alerts (Twilio's Monitor v1 Alert resource): what went wrong with a call, by error code.

The line simulation logs them; the API only lists and fetches.
https://www.twilio.com/docs/usage/monitor-alert
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from .format import iso8601, now
from .resource import Ctx, Spec, base_fields

__all__ = ["SPECS", "add_alert"]


def add_alert(store: Store, call_sid: str, code: int, text: str, at: float | None = None,
              level: str = "error", url: str | None = None) -> None:
    """Log a Monitor alert for a call, as Twilio's debugger would."""
    sid = store.new_sid("NO")
    t = at if at is not None else now()
    store.insert("alert", sid, {"sid": sid, "error_code": code, "alert_text": text, "resource_sid": call_sid,
                                "log_level": level, "request_method": "POST" if url else None,
                                "request_url": url, "date_created": t, "date_updated": t,
                                "date_generated": t, "_parent": ""})


def _render_alert(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec, v1=True)
    out.update({"alert_text": rec["alert_text"], "api_version": "2010-04-01",
                "date_generated": iso8601(rec.get("date_generated", rec["date_created"])),
                "error_code": str(rec["error_code"]), "log_level": rec.get("log_level", "error"),
                "more_info": f"https://www.twilio.com/docs/errors/{rec['error_code']}",
                "request_method": rec.get("request_method"), "request_url": rec.get("request_url"),
                "resource_sid": rec.get("resource_sid"), "service_sid": None,
                "url": f"https://monitor.twilio.com/v1/Alerts/{rec['sid']}"})
    return out


def _alert_details(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {"request_headers": rec.get("request_headers"), "request_variables": rec.get("request_variables"),
            "response_body": rec.get("response_body"), "response_headers": rec.get("response_headers")}


def _filter_alerts(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if q.get("LogLevel"):
        recs = [r for r in recs if r.get("log_level", "error") == q["LogLevel"]]
    for name, keep in (("StartDate", lambda d, v: d >= v), ("EndDate", lambda d, v: d <= v)):
        if q.get(name):
            wanted = q[name]
            # a date alone covers that whole day; a date-time is compared to the second
            width = 10 if len(wanted) == 10 else 19
            recs = [r for r in recs
                    if keep((iso8601(r.get("date_generated", r["date_created"])) or "")[:width], wanted[:width])]
    return recs


SPECS: list[Spec] = [
    Spec(kind="alert", sid_prefix="NO", api="v1", collection="/v1/Alerts", instance="/v1/Alerts/{Sid}",
         list_key="alerts", render=_render_alert, ops={"list", "fetch"},
         list_params=["LogLevel", "StartDate", "EndDate"], list_filter=_filter_alerts, newest_first=True,
         host="monitor.twilio.com", fetch_extra=_alert_details),
]
