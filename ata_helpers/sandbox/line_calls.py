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

__all__ = ["route_call", "add_alert", "parse_sip_target", "Outcome", "new_call_record", "dial_from_phone",
           "render_bin"]

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
    call["capture_hint"] = verdict
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


# -- calls dialled on the phone ---------------------------------------------------------------------
_E164_SECTION = re.compile(r"\{\{#e164\}\}(.*?)\{\{/e164\}\}", re.S)


def render_bin(template: str, params: dict[str, str]) -> str:
    """Render a TwiML Bin's Mustache template as Twilio does for {{Var}} and {{#e164}}…{{/e164}}.

    `e164` pulls the E.164 number out of a SIP URI (sip:+15125551212@domain → +15125551212); a
    user part without the leading + is left as it is, which is why the ATA must dial with +.
    """
    def e164(match: re.Match[str]) -> str:
        inner = re.sub(r"\{\{(\w+)\}\}", lambda m: params.get(m.group(1), ""), match.group(1)).strip()
        user = re.sub(r"^sips?:", "", inner).split("@", 1)[0].split(";", 1)[0]
        return user

    text = _E164_SECTION.sub(e164, template)
    return re.sub(r"\{\{(\w+)\}\}", lambda m: params.get(m.group(1), ""), text)


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


def dial_from_phone(store: Store, digits: str, port: int = 1) -> dict[str, Any]:
    """Simulate lifting the handset on FXS `port` and dialling `digits`; returns the call Twilio logs."""
    import xml.etree.ElementTree as ET

    from .bins import get_bin
    from .ht80x_twin import twin_pvalues
    from .line import device_ports
    from .line_network import _PORT_KEYS

    values = twin_pvalues(store)
    keys = _PORT_KEYS[port]
    status = next((s for s in device_ports(store) if s["port"] == port), None)
    if status is None or status["registration"] != "Registered":
        raise ValueError(f"port {port} is not registered, so the ATA plays a fast busy tone and sends nothing")
    user = values.get(keys["user"], "")
    server = (values.get(keys["server"]) or "").split(":")[0].lower()
    domain_name = f"{server.split('.sip.', 1)[0]}.sip.twilio.com"
    dialled = (values.get(keys["prefix"]) or "") + digits.strip()
    caller, callee = f"sip:{user}@{domain_name}", f"sip:{dialled}@{domain_name}"
    parent = new_call_record(store, to=callee, **{"from": caller}, direction="inbound")
    domain = next(d for d in store.list("sip_domain") if d["domain_name"] == domain_name)
    start = parent["date_created"]
    refusal = _call_auth_refusal(store, domain, values, keys)
    if refusal is not None:
        parent["timeline"] = _timeline(start, [(0.3, "failed")])
        add_alert(store, parent["sid"], refusal[0], refusal[1], at=start)
    elif not domain.get("voice_url"):
        parent["timeline"] = _timeline(start, [(0.5, "failed")])
        add_alert(store, parent["sid"], 11200, f"The SIP domain {domain_name} has no Voice URL", at=start)
    else:
        from .bins import bin_sid_from_url

        found = get_bin(domain["voice_url"]) if bin_sid_from_url(domain["voice_url"]) else None
        if found is None:
            parent["timeline"] = _timeline(start, [(0.5, "failed")])
            add_alert(store, parent["sid"], 11200, f"HTTP retrieval failure for {domain['voice_url']} "
                                                   "(the sandbox serves only its own TwiML Bins)",
                      at=start, url=domain["voice_url"])
        else:
            parent = _run_dial(store, parent, render_bin(found["twiml"], {"To": callee, "From": caller}), ET)
    store.update("call", parent["sid"], parent)
    return parent


def _call_auth_refusal(store: Store, domain: dict[str, Any], values: dict[str, str],
                       keys: dict[str, str]) -> tuple[int, str] | None:
    """Why Twilio would refuse the ATA's INVITE (code, text), or None when a call mapping admits it.

    An IP ACL admits the router's public address; a credential list admits the ATA's digest
    username and password (Twilio challenges with 407 and checks them).
    """
    import ipaddress

    from .line_network import WAN_IP
    from .twilio_resources import password_hash

    acls = store.list("call_acl_mapping", domain["sid"])
    creds = store.list("call_cred_mapping", domain["sid"])
    if not acls and not creds:
        return 32202, (f"No credential list or IP ACL is mapped for calls on {domain['domain_name']}; "
                       "the INVITE was rejected with 403")
    for acl in acls:
        for entry in store.list("ip_address", acl["sid"]):
            network = ipaddress.ip_network(f"{entry['ip_address']}/{entry.get('cidr_prefix_length', 32)}",
                                           strict=False)
            if ipaddress.ip_address(WAN_IP) in network:
                return None
    auth = values.get(keys["auth"]) or values.get(keys["user"], "")
    digest = password_hash(values.get(keys["password"], ""))
    for mapping in creds:
        for credential in store.list("credential", mapping["sid"]):
            if credential["username"] == auth and credential.get("password_sha256") == digest:
                return None
    if creds:
        return 32202, f"Bad user credentials: {auth!r} is not in a credential list mapped for calls"
    return 32201, f"Source IP address {WAN_IP} is not in an IP ACL mapped for calls"


def _run_dial(store: Store, parent: dict[str, Any], twiml: str, ET: Any) -> dict[str, Any]:
    start = parent["date_created"]
    try:
        dial = ET.fromstring(twiml).find("Dial")
    except ET.ParseError:
        dial = None
    if dial is None:
        parent["timeline"] = _timeline(start, [(0.5, "failed")])
        add_alert(store, parent["sid"], 12100, "Document parse failure: the Bin has no <Response><Dial>", at=start)
        return parent
    number = ("".join(dial.itertext()) or "").strip()
    caller_id = dial.get("callerId", "")
    if not E164.match(number):
        parent["timeline"] = _timeline(start, [(1.0, "completed")])
        parent["timeline"].insert(1, [start + 0.5 * time_scale(), "in-progress"])
        add_alert(store, parent["sid"], 13223, f"Dial: invalid phone number format {number!r}: not E.164 "
                                               "(the ATA dialled without the + prefix)", at=start)
        return parent
    if not any(n["phone_number"] == caller_id for n in store.list("incoming_number")):
        parent["timeline"] = _timeline(start, [(0.5, "in-progress"), (1.0, "completed")])
        add_alert(store, parent["sid"], 13214, f"Dial: invalid callerId {caller_id!r}", at=start)
        return parent
    parent["timeline"] = _timeline(start, [(0.5, "in-progress"), (13.0, "completed")])
    parent["price_per_minute"] = 0.004
    child = new_call_record(store, to=number, **{"from": caller_id}, direction="outbound-dial",
                      parent_call_sid=parent["sid"], price_per_minute=0.014)
    child["timeline"] = _timeline(start + 0.6 * time_scale(), [(1.0, "ringing"), (3.0, "in-progress"),
                                                               (12.0, "completed")])
    store.update("call", child["sid"], child)
    return parent
