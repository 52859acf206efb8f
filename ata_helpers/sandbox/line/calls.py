"""What happens to a call placed through the twin's REST API, decided as a real line would.

Calls to phone numbers ring and are answered by the (simulated) far end. Calls to a SIP user of a
domain depend on the ATA: the line simulation (line.registration) says whether a device is registered
and whether Twilio's INVITE can reach its Contact; the outcome is written as the call's timeline
(queued → ringing → in-progress → completed, or a failure) plus the alerts Twilio would log.
"""

from __future__ import annotations

import re
from typing import Any

from ...line import sip_domain
from ...twiml import bin_sid_from_url
from ..store import Store
from ..twilio.alerts import add_alert
from ..twilio.bins import get_bin, render_bin
from ..twilio.calls import E164, new_call_record, time_scale

__all__ = ["route_call", "parse_sip_target", "Outcome", "dial_from_phone", "webhook_twiml"]

_SIP = re.compile(r"^sips?:(?:(?P<user>[^@;?]+)@)?(?P<host>[^;:>?]+)(?::\d+)?(?P<params>[;?].*)?$", re.I)
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
        edge, domain = m.group("edge"), sip_domain(m.group("label"))
    return {"user": match.group("user"), "host": host, "edge": edge, "domain": domain}


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
    from .network import inbound_reachability

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


def dial_from_phone(store: Store, digits: str, port: int = 1) -> dict[str, Any]:
    """Simulate lifting the handset on FXS `port` and dialling `digits`; returns the call Twilio logs."""
    import xml.etree.ElementTree as ET

    from ..ht80x.twin import twin_pvalues
    from .network import PORT_KEYS
    from .registration import device_ports

    values = twin_pvalues(store)
    keys = PORT_KEYS[port]
    status = next((s for s in device_ports(store) if s["port"] == port), None)
    if status is None or status["registration"] != "Registered":
        raise ValueError(f"port {port} is not registered, so the ATA plays a fast busy tone and sends nothing")
    user = values.get(keys["user"], "")
    server = (values.get(keys["server"]) or "").split(":")[0].lower()
    domain_name = sip_domain(server.split(".sip.", 1)[0])  # registered, so a Twilio domain
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
        twiml, problem = webhook_twiml(store, domain["voice_url"], {"To": callee, "From": caller,
                                                                     "CallSid": parent["sid"], "Direction": "inbound"})
        if twiml is None:
            parent["timeline"] = _timeline(start, [(0.5, "failed")])
            add_alert(store, parent["sid"], 11200, f"HTTP retrieval failure for {domain['voice_url']}: {problem}",
                      at=start, url=domain["voice_url"])
        else:
            parent = _run_dial(store, parent, twiml, ET)
    store.update("call", parent["sid"], parent)
    return parent


def webhook_twiml(store: Store, url: str, params: dict[str, str]) -> tuple[str | None, str]:
    """What Twilio gets when it requests `url` for a call: (TwiML, "") or (None, why not).

    The sandbox reaches its own TwiML Bins (templates rendered) and the Functions deployed on its
    *.twil.io domains (run by the twin's Functions runtime); any other URL is out of its reach.
    """
    from ..twilio.function_runtime import NotInterpretable, run_handler
    from ..twilio.serverless import resolve_function_url

    if bin_sid_from_url(url):
        found = get_bin(url)
        return (render_bin(found["twiml"], params), "") if found else (None, "no such TwiML Bin (HTTP 404)")
    if ".twil.io" in url:
        version = resolve_function_url(store, url)
        if version is None:
            return None, "no Function is deployed at that URL (HTTP 404)"
        if version["visibility"] == "private":
            return None, "the Function is private, so it has no URL (HTTP 404)"
        try:
            return run_handler(version["content"], params), ""
        except NotInterpretable as exc:
            return None, f"the Function failed (HTTP 500, Twilio error 82002): {exc}"
    return None, "the sandbox reaches only its own TwiML Bins and deployed Functions"


def _call_auth_refusal(store: Store, domain: dict[str, Any], values: dict[str, str],
                       keys: dict[str, str]) -> tuple[int, str] | None:
    """Why Twilio would refuse the ATA's INVITE (code, text), or None when a call mapping admits it.

    An IP ACL admits the router's public address; a credential list admits the ATA's digest
    username and password (Twilio challenges with 407 and checks them).
    """
    import ipaddress

    from ..ht80x.twin import secret_digest
    from .network import WAN_IP

    acls = store.list("auth_calls_ip_access_control_list_mapping", domain["sid"])
    creds = store.list("auth_calls_credential_list_mapping", domain["sid"])
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
    digest = secret_digest(values.get(keys["password"], ""))
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
    if not any(n["phone_number"] == caller_id for n in store.list("incoming_phone_number")):
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
