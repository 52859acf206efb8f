"""Voice Insights (Twilio's Insights v1 API): a call's Summary and Events, as the line simulation lived them.

`GET /v1/Voice/{CallSid}/Summary` and `GET /v1/Voice/{CallSid}/Events` on insights.twilio.com,
shaped as Twilio's OpenAPI description (twilio_insights_v1.json) and its pages say:
https://www.twilio.com/docs/voice/voice-insights/api/call/call-summary-resource and
https://www.twilio.com/docs/voice/voice-insights/api/call/call-events-resource. What the summary
reports (edge, packets each way, who hung up, the last SIP response) comes from `line.media`.

Timing follows Twilio's notes: nothing before the call ends; a `partial` summary from the end of
the call; the `complete` one 30 minutes later (times ATA_SANDBOX_TIME_SCALE). Without
`ProcessingState` only a complete summary is returned (404 until then), so the library asks for
`partial` as Twilio's own clients do. REST access needs Voice Insights Advanced Features; the
sandbox account has them on, and `set_advanced_features(False)` makes the twin refuse as an account
without them is refused (HTTP 403, code 20403: an assumption, Twilio does not document the code).
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from .format import TwinError, iso8601, now
from .resource import PAGING, Ctx, Operation, Spec

__all__ = ["OPERATIONS", "set_advanced_features", "advanced_features", "COMPLETE_AFTER", "summary_for",
           "events_for"]

COMPLETE_AFTER = 30 * 60.0  # seconds after the call's end until the summary is complete
_ADVANCED_KEY = "insights:advanced_features"
_HOST = "insights.twilio.com"
_EDGES = ("carrier_edge", "client_edge", "sdk_edge", "sip_edge")
_CALL_STATE = {"queued": "undialed", "ringing": "ringing", "in-progress": "answered", "completed": "completed",
               "busy": "busy", "failed": "fail", "no-answer": "noanswer", "canceled": "canceled"}
_PROGRESS = {"queued": "initiated", "ringing": "ringing", "in-progress": "answered"}
_HIGH_LOSS = 5.0  # percent of packets lost above which the summary carries the high_packet_loss tag


def advanced_features(store: Store) -> bool:
    """Whether the sandbox account has Voice Insights Advanced Features (REST access); on by default."""
    return bool(store.get_value(_ADVANCED_KEY, True))


def set_advanced_features(enabled: bool, store: Store | None = None) -> None:
    """Turn the sandbox account's Voice Insights Advanced Features on or off."""
    from ..store import open_store

    (store or open_store()).set_value(_ADVANCED_KEY, bool(enabled))


def _check_access(ctx: Ctx) -> None:
    if not advanced_features(ctx.store):
        raise TwinError(403, 20403, "Voice Insights Advanced Features are not active on this account")


def _call(ctx: Ctx, call_sid: str, path: str) -> dict[str, Any]:
    import re

    if not re.fullmatch(r"CA[0-9a-fA-F]{32}", call_sid):
        raise TwinError(400, 20001, f"CallSid {call_sid!r} is not a call SID (CA followed by 32 hex digits)")
    call = ctx.store.get("call", call_sid)
    if call is None:
        raise TwinError(404, 20404, f"The requested resource {path} was not found")
    return call


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _edge(call: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
    from ..line.network import TWILIO_SIGNALLING

    direction = "inbound" if call["direction"] == "inbound" else "outbound"
    props: dict[str, Any] = {"media_region": "us1", "signaling_region": "us1", "edge_location": "ashburn",
                             "direction": direction}
    if media["edge"] == "sip_edge":
        props.update({"twilio_media_ip": media["twilio_media_ip"], "twilio_signaling_ip": TWILIO_SIGNALLING,
                      "external_media_ip": media["external_ip"], "external_signaling_ip": media["external_ip"],
                      "sip_call_id": media["sip_call_id"]})
        if call.get("trunk_sid"):
            props["trunk_sid"] = call["trunk_sid"]
    metrics: dict[str, Any] = {}
    for side, counted in (("inbound", "packets_received"), ("outbound", "packets_sent")):
        stream = media[side]
        if stream is None:
            continue
        loss = 100.0 * stream["lost"] / stream["packets"] if stream["packets"] else 0.0
        metrics[side] = {"codec": 0, "codec_name": "pcmu", counted: stream["packets"],
                         "packets_lost": stream["lost"], "packets_loss_percentage": round(loss, 2),
                         "jitter": {"max": _ms(stream["jitter_max"]), "avg": _ms(stream["jitter_avg"])}}
        if stream["latency_avg"] is not None:
            metrics[side]["latency"] = {"max": _ms(stream["latency_avg"] * 1.2), "avg": _ms(stream["latency_avg"])}
    return {"properties": props, "metrics": metrics}


def _party(value: str, key: str) -> dict[str, Any]:
    party: dict[str, Any] = {key: value}
    if value.startswith("+"):
        party.update({"connection": "landline", "number_prefix": value[1:5], "country_code": "US"
                      if value.startswith("+1") else None})
    else:
        party["connection"] = "sip" if value.lower().startswith("sip") else "unknown"
    return party


def summary_for(ctx: Ctx, call: dict[str, Any], processing_state: str | None) -> dict[str, Any]:
    """The Voice Insights Summary of a stored call record, or TwinError 404 while it is not ready."""
    from ..line.media import call_media
    from .calls import call_status_at

    at = now()
    media = call_media(ctx.store, call, at)
    state = call_status_at(call, at)
    path = f"/v1/Voice/{call['sid']}/Summary"
    if not media["ended"]:
        raise TwinError(404, 20404, f"The requested resource {path} was not found")
    scale = float(call.get("time_scale") or 1.0) or 1.0
    complete = at >= float(state["end_time"]) + COMPLETE_AFTER * scale
    if not complete and processing_state not in ("partial", "all"):
        raise TwinError(404, 20404, f"The requested resource {path} was not found")
    start, end, created = state["start_time"], state["end_time"], call["date_created"]
    edge = _edge(call, media)
    loss = [m.get("packets_loss_percentage", 0.0) for m in edge["metrics"].values()]
    tags = ["high_packet_loss"] if any(x > _HIGH_LOSS for x in loss) else []
    direction = str(call["direction"]).replace("-", "_")
    properties: dict[str, Any] = {"direction": direction, "disconnected_by": media["disconnected_by"],
                                  "last_sip_response_num": media["last_sip_response"]}
    if media["answered"]:
        properties["pdd_ms"] = 121
    if call.get("queue_time") is not None:
        properties["queue_time"] = int(call.get("queue_time") or 0)
    summary: dict[str, Any] = {
        "account_sid": ctx.account_sid, "call_sid": call["sid"],
        "call_type": "trunking" if call.get("trunk_sid") else ("sip" if media["edge"] == "sip_edge" else "carrier"),
        "call_state": _CALL_STATE.get(state["status"], "undialed"), "answered_by": "unknown",  # no answering-machine detection on these calls
        "processing_state": "complete" if complete else "partial", "created_time": iso8601(created),
        "start_time": iso8601(start), "end_time": iso8601(end),
        "duration": int(round((float(end) - float(start)) / scale)) if start is not None else 0,
        "connect_duration": int(round(media["connect_seconds"])) if media["answered"] else 0,
        "from": _party(call["from"], "caller"), "to": _party(call["to"], "callee"),
        "tags": tags, "attributes": {"conference_participant": False}, "properties": properties,
        "trust": None, "annotation": None, "agent_session_summaries": None,
        "url": f"https://{_HOST}{path}",
    }
    for name in _EDGES:
        summary[name] = edge if name == media["edge"] else None
    return summary


def events_for(ctx: Ctx, call: dict[str, Any], edge: str | None = None) -> list[dict[str, Any]]:
    """The call's progress events (initiated, ringing, answered, completed) at its gateway, oldest first."""
    from ..line.media import call_media
    from .calls import FINAL_STATUSES

    at = now()
    media = call_media(ctx.store, call, at)
    if edge and edge != media["edge"]:
        return []
    metadata = {"metadata": {"region": "us1", "edge_location": "ashburn", "twilio_ip": media["twilio_media_ip"],
                             "external_ip": media["external_ip"]}}
    events = []
    for ts, status in call["timeline"]:
        if ts > at:
            break
        name = "completed" if status in FINAL_STATUSES else _PROGRESS.get(status)
        if name is None:
            continue
        event: dict[str, Any] = {"timestamp": iso8601(ts), "call_sid": call["sid"], "account_sid": ctx.account_sid,
                                 "edge": media["edge"], "group": "call_progress", "name": name,
                                 "level": "ERROR" if status == "failed" else "DEBUG",
                                 "conversation_relay_data": None}
        for other in _EDGES:
            event[other] = metadata if other == media["edge"] else None
        events.append(event)
    return events


def _first(values: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in values.items()}


def _serve_summary(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    _check_access(ctx)
    call = _call(ctx, values["CallSid"], handler.url_path)
    state = _first(handler.query).get("ProcessingState")
    if state is not None and state not in ("complete", "partial", "all"):
        raise TwinError(400, 20001, "ProcessingState must be one of complete, partial or all")
    handler.send_json(200, summary_for(ctx, call, state))


_EVENTS_SPEC = Spec(kind="call_event", sid_prefix="", api="v1", collection="/v1/Voice/{CallSid}/Events",
                    instance="/v1/Voice/{CallSid}/Events", list_key="events", render=lambda ctx, rec: rec,
                    ops={"list"}, host=_HOST)


def _serve_events(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    _check_access(ctx)
    call = _call(ctx, values["CallSid"], handler.url_path)
    edge = _first(handler.query).get("Edge")
    if edge is not None and edge not in ("unknown_edge", *_EDGES):
        raise TwinError(400, 20001, f"Edge must be one of unknown_edge, {', '.join(_EDGES)}")
    handler.send_page(_EVENTS_SPEC, events_for(ctx, call, edge), lambda rec: rec, ["Edge"])


OPERATIONS: list[Operation] = [
    Operation(path="/v1/Voice/{CallSid}/Summary", method="GET", serve=_serve_summary, host=_HOST,
              query=["ProcessingState"]),
    Operation(path="/v1/Voice/{CallSid}/Events", method="GET", serve=_serve_events, host=_HOST,
              query=["Edge", *PAGING]),
]
