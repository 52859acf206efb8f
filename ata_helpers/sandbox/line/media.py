"""What the line simulation says happened to a call's media and to its end: the facts Voice Insights reports.

For every call record the twin keeps, `call_media` works out, from what the line simulation
decided for that call (its timeline, the device and router state kept with it as `capture_hint`,
and the alerts logged for it), what Twilio's media gateway for that call saw:

- which gateway ("edge") handled it: `sip_edge` when one party is a SIP address, `carrier_edge`
  for a phone number (https://www.twilio.com/docs/voice/voice-insights/api/call/details-call-summary);
- RTP packets in each direction, as the gateway counts them: `inbound` is what it received from the
  customer's side, `outbound` what it sent there; `outbound` loss comes from the far end's RTCP
  receiver reports (RFC 3550 §6.4.2), so a router that drops Twilio's media shows all of it lost;
- the last SIP response and who hung up.

The capture writer (network.write_call_capture) draws the same story packet by packet.
"""

from __future__ import annotations

from typing import Any

from ..store import Store

__all__ = ["call_media", "PACKETS_PER_SECOND", "answered_at"]

PACKETS_PER_SECOND = 50  # PCMU with 20 ms packets, what the HT80x and Twilio negotiate by default


def answered_at(call: dict[str, Any]) -> float | None:
    """When the call's timeline says it was answered (`in-progress`), or None."""
    return next((float(ts) for ts, state in call["timeline"] if state == "in-progress"), None)


def _ended_at(call: dict[str, Any]) -> float | None:
    from ..twilio.calls import FINAL_STATUSES

    return next((float(ts) for ts, state in call["timeline"] if state in FINAL_STATUSES), None)


def _is_sip(party: str) -> bool:
    return str(party or "").lower().startswith(("sip:", "sips:"))


def _alert_codes(store: Store, call_sid: str) -> set[int]:
    return {int(a["error_code"]) for a in store.list("alert") if a.get("resource_sid") == call_sid}


def _stream(packets: int, lost: int, jitter: float, latency: float | None) -> dict[str, Any]:
    return {"packets": packets, "lost": lost, "jitter_avg": jitter, "jitter_max": round(jitter * 3.1, 3),
            "latency_avg": latency}


def call_media(store: Store, call: dict[str, Any], at: float | None = None) -> dict[str, Any]:
    """The media and teardown facts of one call record (see the module docstring).

    Keys: `edge` ("sip_edge" or "carrier_edge"), `answered` (bool), `ended` (bool, at time `at`),
    `connect_seconds` (float, answer to end, in the call's own seconds), `inbound`/`outbound` (dicts
    with `packets`, `lost`, `jitter_avg`/`jitter_max` in ms, `latency_avg` in ms; None when no media
    flowed), `last_sip_response` (int or None when no SIP was exchanged with the party), `disconnected_by`
    ("caller", "callee" or None), `cause` (a short key: "healthy", "media-blocked", "no-audio-received",
    "ack-missing", "unreachable", "not-registered", "not-answered", "failed"), `twilio_media_ip`,
    `external_ip`, `sip_call_id`.
    """
    from ..twilio.format import now
    from .network import (
        LAN_IP,
        TWILIO_MEDIA,
        TWILIO_SIGNALLING,
        WAN_IP,
        _tag,
        media_blocked,
    )

    at = now() if at is None else at
    hint = call.get("capture_hint") or {}
    edge = "sip_edge" if _is_sip(call["to"]) or _is_sip(call["from"]) else "carrier_edge"
    answered, ended = answered_at(call), _ended_at(call)
    scale = float(call.get("time_scale") or 1.0) or 1.0
    out: dict[str, Any] = {"edge": edge, "answered": answered is not None and answered <= at,
                           "ended": ended is not None and ended <= at, "connect_seconds": 0.0,
                           "inbound": None, "outbound": None, "last_sip_response": None,
                           "disconnected_by": None, "cause": "healthy", "twilio_media_ip": TWILIO_MEDIA,
                           "external_ip": WAN_IP if edge == "sip_edge" else None,
                           "sip_call_id": f"{_tag(call['sid'])}@{TWILIO_SIGNALLING}" if edge == "sip_edge" else None}
    codes = _alert_codes(store, call["sid"])
    if answered is None:
        status = call["timeline"][-1][1]
        if hint and not hint.get("registered"):
            out["cause"] = "not-registered"  # Twilio found no binding and sent no INVITE at all
        elif hint and not hint.get("reachable") or 32011 in codes:
            out.update(cause="unreachable", last_sip_response=408)  # Timer B ran out (RFC 3261 §17.1.1.2)
        elif status in ("no-answer", "busy", "canceled"):
            out.update(cause="not-answered", last_sip_response={"busy": 486, "no-answer": 487,
                                                                "canceled": 487}[status])
        else:
            out["cause"] = "failed"
        return out
    end = ended if ended is not None and ended <= at else at
    seconds = max(0.0, (end - answered) / scale)
    packets = int(seconds * PACKETS_PER_SECOND)
    out.update(connect_seconds=round(seconds, 3), last_sip_response=200)
    latency = 38.0 if edge == "sip_edge" else None
    out["inbound"] = _stream(packets, 0, 0.42, latency)
    out["outbound"] = _stream(packets, 0, 0.37, latency)
    if call.get("direction") == "inbound":
        out["disconnected_by"] = "callee"  # the <Dial>ed party hung up first; the parent follows
    elif hint.get("ack_lost"):
        out["disconnected_by"] = "callee"
    else:
        out["disconnected_by"] = "caller"  # the API call's TwiML finished and Twilio sent BYE
    if hint.get("ack_lost"):
        # the 200 OK named the LAN address (LAN_IP) in Contact: Twilio's ACK never reached the ATA,
        # which resent its 200 OK until Timer H (32 s) and sent BYE
        out["cause"] = "ack-missing"
        out["external_ip"] = WAN_IP
        out["ack_sent_to"] = LAN_IP
    if media_blocked(hint.get("router") or {}):
        out["cause"] = "media-blocked"
        out["outbound"] = _stream(packets, packets, 0.37, latency)
    elif 32014 in codes:
        out["cause"] = "no-audio-received"
        out["inbound"] = _stream(0, 0, 0.0, latency)
    return out
