"""What happens to a call placed through the twin's REST API, decided as a real line would.

Calls to phone numbers ring and are answered by the (simulated) far end. Calls to a SIP user of a
domain depend on the ATA: the line simulation (sandbox.line) says whether a device is registered
and whether Twilio's INVITE can reach its Contact; the outcome is written as the call's timeline
(queued → ringing → in-progress → completed, or a failure) plus the alerts Twilio would log.
"""

from __future__ import annotations

import re
from typing import Any

from .store import Store
from .twilio_format import now
from .twilio_resources import E164, time_scale

__all__ = ["route_call", "add_alert", "parse_sip_target", "Outcome"]

_SIP = re.compile(r"^sips?:(?:(?P<user>[^@;]+)@)?(?P<host>[^;:>]+)(?::\d+)?(?P<params>;.*)?$", re.I)
_GLOBAL = re.compile(r"^(?P<label>[a-z0-9-]+)\.sip\.twilio\.com$", re.I)
_EDGE = re.compile(r"^(?P<label>[a-z0-9-]+)\.sip\.(?P<edge>[a-z0-9-]+)\.twilio\.com$", re.I)
_DEPRECATED_OK = {"us1", "us1-ix"}

Outcome = dict[str, Any]


def parse_sip_target(uri: str) -> dict[str, str | None] | None:
    """user, host, edge and global domain of a sip: URI; None when it is not one."""
    match = _SIP.match(uri.strip())
    if not match:
        return None
    host = match.group("host").lower()
    edge = None
    domain = host
    m = _EDGE.match(host)
    if m:
        edge, domain = m.group("edge"), f"{m.group('label')}.sip.twilio.com"
    return {"user": match.group("user"), "host": host, "edge": edge, "domain": domain}


def add_alert(store: Store, call_sid: str, code: int, text: str, at: float | None = None,
              level: str = "error", url: str | None = None) -> None:
    """Log a Monitor alert for a call, as Twilio's debugger would."""
    sid = store.new_sid("NO")
    t = at if at is not None else now()
    store.insert("alert", sid, {"sid": sid, "error_code": code, "alert_text": text, "resource_sid": call_sid,
                                "log_level": level, "request_method": "POST" if url else None,
                                "request_url": url, "date_created": t, "date_updated": t,
                                "date_generated": t, "_parent": ""})


def _timeline(start: float, steps: list[tuple[float, str]]) -> list[list[Any]]:
    scale = time_scale()
    return [[start, "queued"]] + [[start + offset * scale, status] for offset, status in steps]


def _fail(store: Store, call: dict[str, Any], code: int, text: str, status: str = "failed",
          after: float = 1.0) -> dict[str, Any]:
    start = call["date_created"]
    call["timeline"] = _timeline(start, [(after, status)])
    add_alert(store, call["sid"], code, text, at=start + after * time_scale())
    return call


def _sip_call(store: Store, call: dict[str, Any]) -> dict[str, Any]:
    target = parse_sip_target(call["to"])
    if target is None:
        return _fail(store, call, 21211, f"Invalid To: {call['to']}")
    if target["edge"] and target["edge"] not in _DEPRECATED_OK:
        return _fail(store, call, 32220, "Registered user dialed using an edge-specific SIP URI; "
                                         f"use sip:{target['user']}@{target['domain']}", after=0.5)
    if not target["user"]:
        return _fail(store, call, 32223, f"No username in SIP URI {call['to']}", after=0.5)
    domain = next((d for d in store.list("sip_domain") if d["domain_name"] == target["domain"]), None)
    if domain is None:
        return _fail(store, call, 32002, f"SIP domain {target['domain']} not found", after=0.5)
    from .line_network import inbound_reachability

    verdict = inbound_reachability(store, domain, str(target["user"]))
    if not verdict.get("registered"):
        return _fail(store, call, 32009, f"SIP user {target['user']} is not registered on "
                                         f"{target['domain']}", after=0.5)
    if not verdict.get("reachable"):
        # Twilio retransmits the INVITE (Timer B, 32 s) and gives up without a response.
        timeout = min(float(call.get("timeout") or 60), 32.0)
        call["timeline"] = _timeline(call["date_created"], [(timeout, "failed")])
        add_alert(store, call["sid"], 32011, verdict.get("reason") or "Error communicating with the "
                  "SIP endpoint: no response to INVITE", at=call["date_created"] + timeout * time_scale())
        call["capture_hint"] = verdict
        return call
    ring, talk = 2.0, float(verdict.get("talk_seconds", 8))
    call["timeline"] = _timeline(call["date_created"], [(1.0, "ringing"), (1.0 + ring, "in-progress"),
                                                        (1.0 + ring + talk, "completed")])
    call["price_per_minute"] = 0.004
    call["capture_hint"] = verdict
    return call


def _pstn_call(store: Store, call: dict[str, Any]) -> dict[str, Any]:
    call["timeline"] = _timeline(call["date_created"], [(1.0, "ringing"), (4.0, "in-progress"),
                                                        (10.0, "completed")])
    call["price_per_minute"] = 0.014
    return call


def route_call(store: Store, call: dict[str, Any]) -> dict[str, Any]:
    """Decide the call's timeline and alerts, store them, and return the updated record."""
    to = call["to"]
    call["time_scale"] = time_scale()
    if to.lower().startswith(("sip:", "sips:")):
        call = _sip_call(store, call)
    elif E164.match(to):
        call = _pstn_call(store, call)
    else:
        call = _fail(store, call, 21211, f"Invalid To: {to}")
    store.update("call", call["sid"], call, call.get("_parent", ""))
    return call
