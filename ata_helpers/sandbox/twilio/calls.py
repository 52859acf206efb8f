"""Calls (Twilio's Call resource): created through the REST API, their status read from a timeline.

A call record keeps `timeline`, a list of [unix time, status]; its status, start and end times are
what that timeline says at the moment of the request. The line simulation writes the timeline.
https://www.twilio.com/docs/voice/api/call-resource
"""

from __future__ import annotations

import os
import re
from typing import Any

from ...calls.statuses import FINAL_STATUSES
from ..store import Store
from .format import TwinError, now, rfc2822
from .resource import (
    ACCOUNT,
    Ctx,
    Spec,
    account_path,
    base_fields,
    int_param,
    method_param,
    stamp,
)

__all__ = ["SPECS", "new_call_record", "E164", "FINAL_STATUSES", "CALL_CREATE", "CALL_UPDATE", "CALL_FILTERS",
           "time_scale", "call_status_at"]


E164 = re.compile(r"^\+[1-9]\d{1,14}$")


CALL_CREATE = ["ApplicationSid", "AsyncAmd", "AsyncAmdStatusCallback", "AsyncAmdStatusCallbackMethod",
               "Byoc", "CallReason", "CallToken", "CallerId", "ClientNotificationUrl", "FallbackMethod",
               "FallbackUrl", "From", "MachineDetection", "MachineDetectionSilenceTimeout",
               "MachineDetectionSpeechEndThreshold", "MachineDetectionSpeechThreshold",
               "MachineDetectionTimeout", "Method", "Passports", "Record", "RecordingChannels",
               "RecordingConfigurationId", "RecordingStatusCallback", "RecordingStatusCallbackEvent",
               "RecordingStatusCallbackMethod", "RecordingTrack", "SendDigits", "SipAuthPassword",
               "SipAuthUsername", "StatusCallback", "StatusCallbackEvent", "StatusCallbackMethod",
               "TimeLimit", "Timeout", "To", "Trim", "Twiml", "Url"]


CALL_UPDATE = ["FallbackMethod", "FallbackUrl", "Method", "Status", "StatusCallback",
               "StatusCallbackMethod", "TimeLimit", "Twiml", "Url"]


CALL_FILTERS = ["To", "From", "ParentCallSid", "Status", "StartTime", "StartTime<", "StartTime>",
                "EndTime", "EndTime<", "EndTime>"]


def time_scale() -> float:
    """Sandbox call timelines are multiplied by ATA_SANDBOX_TIME_SCALE (default 1: real seconds)."""
    try:
        return max(0.0, float(os.environ.get("ATA_SANDBOX_TIME_SCALE", "1")))
    except ValueError:
        return 1.0


def call_status_at(rec: dict[str, Any], at: float) -> dict[str, Any]:
    """A call's status, start/end times and duration as seen at time `at` from its timeline."""
    status, start, answered, end = "queued", None, None, None
    for ts, state in rec["timeline"]:
        if ts > at:
            break
        status = state
        if state in ("ringing", "in-progress") and start is None:
            start = ts
        if state == "in-progress":
            answered = ts
        if state in FINAL_STATUSES:
            end = ts
            start = start if start is not None else ts
    duration = None
    if end is not None:
        scale = rec.get("time_scale") or 1.0  # durations are reported in the call's own seconds
        # Twilio leaves duration empty for busy, failed, unanswered and canceled calls
        duration = str(int(round((end - answered) / scale))) if answered is not None else None
    return {"status": status, "start_time": start, "end_time": end, "duration": duration}


def _valid_to(value: str) -> bool:
    return bool(E164.match(value) or value.startswith(("sip:", "client:")))


def _create_call(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    to, from_ = params.get("To", "").strip(), params.get("From", "").strip()
    if not to:
        raise TwinError(400, 21201, "No 'To' number is specified")
    if not from_:
        raise TwinError(400, 21213, "No 'From' number is specified")
    if not _valid_to(to):
        raise TwinError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if E164.match(to) and not E164.match(from_):
        raise TwinError(400, 21212, f"The 'From' number {from_} is not a valid phone number, "
                                    "shortcode, or alphanumeric sender ID.")
    if E164.match(from_) and not any(n["phone_number"] == from_ for n in ctx.store.list("incoming_phone_number")):
        raise TwinError(400, 21210, f"The source phone number provided, {from_}, is not yet verified "
                                    "for your account. You may only make calls from phone numbers that "
                                    "you've verified or purchased from Twilio.")
    url, twiml = params.get("Url", "").strip(), params.get("Twiml", "")
    if not url and not twiml and not params.get("ApplicationSid"):
        raise TwinError(400, 21205, "Url, Twiml or ApplicationSid is required")
    if twiml and len(twiml) > 4000:
        raise TwinError(400, 32018, "Twiml parameter exceeds the maximum length of 4000 characters")
    timeout = int_param(params, "Timeout", 1, 600, 60)
    t = now()
    rec = stamp({"to": to, "from": from_, "url": url or None, "twiml": None if url else (twiml or None),
                  "method": method_param(params, "Method"), "timeout": timeout, "direction": "outbound-api",
                  "parent_call_sid": None, "trunk_sid": None, "answered_by": None, "caller_name": None,
                  "forwarded_from": None, "group_sid": None, "queue_time": "0",
                  "price_per_minute": None, "timeline": [[t, "queued"]]})
    if url and twiml:
        rec["warnings"] = [32019]
    rec["phone_number_sid"] = next((n["sid"] for n in ctx.store.list("incoming_phone_number")
                                    if n["phone_number"] == from_), None)
    return rec


def _update_call(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    state = call_status_at(rec, now())
    if "Status" in params:
        wanted = params["Status"]
        if wanted not in ("canceled", "completed"):
            raise TwinError(400, 20001, "Status must be canceled or completed")
        if state["status"] in FINAL_STATUSES or (wanted == "canceled" and state["status"] == "in-progress"):
            raise TwinError(400, 21220, "Call is not in-progress. Cannot redirect.")
        t = now()
        rec["timeline"] = [e for e in rec["timeline"] if e[0] <= t] + [
            [t, "canceled" if state["status"] in ("queued", "ringing") else "completed"]]
    for name in ("Url", "Twiml"):
        if name in params:
            if state["status"] in FINAL_STATUSES:
                raise TwinError(400, 21220, "Call is not in-progress. Cannot redirect.")
            rec[name.lower()] = params[name]
    return rec


def _render_call(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    state = call_status_at(rec, now())
    out = base_fields(ctx, rec)
    price = None
    if state["status"] == "completed" and rec.get("price_per_minute") is not None:
        minutes = max(1, -(-int(state["duration"] or 0) // 60))
        price = f"{-abs(rec['price_per_minute']) * minutes:.5f}"
    elif state["status"] in FINAL_STATUSES:
        price = "0.00000" if rec.get("price_per_minute") is not None else None
    base = f"{account_path(ctx)}/Calls/{rec['sid']}"
    out.update({"parent_call_sid": rec.get("parent_call_sid"), "to": rec["to"],
                "to_formatted": rec["to"], "from": rec["from"], "from_formatted": rec["from"],
                "phone_number_sid": rec.get("phone_number_sid"), "status": state["status"],
                "start_time": rfc2822(state["start_time"]), "end_time": rfc2822(state["end_time"]),
                "duration": state["duration"], "price": price, "price_unit": "USD",
                "direction": rec["direction"], "answered_by": rec.get("answered_by"),
                "api_version": "2010-04-01", "forwarded_from": rec.get("forwarded_from"),
                "group_sid": rec.get("group_sid"), "caller_name": rec.get("caller_name"),
                "queue_time": rec.get("queue_time", "0"), "trunk_sid": rec.get("trunk_sid"),
                "uri": base + ".json",
                "subresource_uris": {"notifications": base + "/Notifications.json",
                                     "recordings": base + "/Recordings.json",
                                     "events": base + "/Events.json"}})
    return out


# US zone names as they appear in the spec's example '06/11/2019 22:05:25 MST' (hours from UTC)
_ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
          "UTC": 0, "GMT": 0, "Z": 0}


def _day(value: str, name: str) -> str:
    """The UTC day (YYYY-MM-DD) a StartTime/EndTime filter names. Twilio's description asks for
    YYYY-MM-DD; its OpenAPI gives the type date-time and, among the examples, '2008-01-02' and
    '06/11/2019 22:05:25 MST': those, ISO 8601 date-times (what the SDKs send) and MM/DD/YYYY
    with an optional time and US zone are read; anything else is Twilio's 400."""
    from datetime import datetime, timedelta, timezone

    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s+([A-Z]{1,4}))?",
                             text)
        if match and (match.group(7) is None or match.group(7) in _ZONES):
            month, day, year, hour, minute, second, zone = match.groups()
            try:
                parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                  int(second or 0), tzinfo=timezone(timedelta(hours=_ZONES[zone or "UTC"])))
            except ValueError:
                parsed = None
    if parsed is None:
        raise TwinError(400, 20001, f"{name} must be a date (YYYY-MM-DD) or a date and time, not {value!r}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.strftime("%Y-%m-%d")


def _filter_calls(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    import time as _time

    at = now()
    states = {r["sid"]: call_status_at(r, at) for r in recs}
    if q.get("To"):
        recs = [r for r in recs if r["to"] == q["To"]]
    if q.get("From"):
        recs = [r for r in recs if r["from"] == q["From"]]
    if q.get("ParentCallSid"):
        recs = [r for r in recs if r.get("parent_call_sid") == q["ParentCallSid"]]
    if q.get("Status"):
        recs = [r for r in recs if states[r["sid"]]["status"] == q["Status"]]

    def day(ts: float | None) -> str | None:
        return None if ts is None else _time.strftime("%Y-%m-%d", _time.gmtime(ts))

    for field_name, key in (("StartTime", "start_time"), ("EndTime", "end_time")):
        for suffix, test in (("", lambda d, v: d == v), (">", lambda d, v: d >= v),
                             ("<", lambda d, v: d <= v)):
            value = q.get(field_name + suffix)
            if value:
                wanted = _day(value, field_name + suffix)
                recs = [r for r in recs if (d := day(states[r["sid"]][key])) is not None and test(d, wanted)]
    return recs


def new_call_record(store: Store, **fields: Any) -> dict[str, Any]:
    """Store a call record shaped like the twin's Calls create makes; `fields` set or override any field."""
    t = now()
    sid = store.new_sid("CA")
    call = {"sid": sid, "_parent": "", "date_created": t, "date_updated": t, "parent_call_sid": None,
            "trunk_sid": None, "answered_by": None, "caller_name": None, "forwarded_from": None,
            "group_sid": None, "queue_time": "0", "price_per_minute": None, "phone_number_sid": None,
            "url": None, "twiml": None, "method": "POST", "timeout": 60, "time_scale": time_scale(),
            "timeline": [[t, "queued"]], **fields}
    store.insert("call", sid, call)
    return call


def _delete_call(ctx: Ctx, rec: dict[str, Any]) -> None:
    """Twilio deletes a call record only once the call has ended (21220 while it is still going);
    the call's own alerts stay in Monitor, as Twilio's debugger keeps them."""
    if call_status_at(rec, now())["status"] not in FINAL_STATUSES:
        raise TwinError(400, 21220, "Call is in progress. Cannot delete an unfinished call.")
    ctx.store.delete_children(rec["sid"])


def _nothing(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {}


def _call_subresource(kind: str, collection: str, list_key: str, list_params: list[str]) -> Spec:
    """A list under a call that the twin advertises in `subresource_uris` and keeps empty: the
    sandbox records no recordings, notifications or request events for its calls."""
    return Spec(kind=kind, sid_prefix="NO", api="2010", collection=f"{ACCOUNT}/Calls/{{CallSid}}/{collection}.json",
                instance=f"{ACCOUNT}/Calls/{{CallSid}}/{collection}/{{Sid}}.json", list_key=list_key,
                render=_nothing, ops={"list"}, parent_param="CallSid", list_params=list_params)


SPECS: list[Spec] = [
    Spec(kind="call", sid_prefix="CA", api="2010",
         collection=ACCOUNT + "/Calls.json", instance=ACCOUNT + "/Calls/{Sid}.json", list_key="calls",
         render=_render_call, ops={"create", "list", "fetch", "update", "delete"},
         create_params=CALL_CREATE, required_params=["From", "To"], update_params=CALL_UPDATE,
         list_params=CALL_FILTERS, create=_create_call, update=_update_call, delete=_delete_call,
         list_filter=_filter_calls, newest_first=True),
    _call_subresource("call_notification", "Notifications", "notifications",
                      ["Log", "MessageDate", "MessageDate<", "MessageDate>"]),
    _call_subresource("call_recording", "Recordings", "recordings", ["DateCreated", "DateCreated<", "DateCreated>"]),
    _call_subresource("call_event", "Events", "events", []),
]
