"""The simulated network between the sandbox ATA and Twilio, and what crosses it.

The ATA sits on a LAN (192.168.1.50) behind a home router whose public address is the
documentation address 203.0.113.7; Twilio's signalling edge answers on 54.172.60.1 and its media
on 168.86.128.x (the published ranges). From the device twin's P-values this module decides:

- which Contact the ATA registers (LAN address, WAN address, or a hand-set "Use NAT IP"),
- whether Twilio's INVITE for an inbound call can reach that Contact,
- and it writes the SIP messages that would have crossed the wire as a real pcap, seen from
  Twilio's side like the Console's "SIP PCAP LOG" (capture.writers builds the frames).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ...capture.addresses import is_internal
from ...capture.writers.pcap import Packet, write_pcap
from ...capture.writers.sip import request, response, rtp_payload, sdp_body
from ...grandstream.settings_model import setting
from ...settings import SANDBOX_LINE
from ...validate import GLOBAL_SIP_SUFFIX
from ..store import Store

__all__ = ["LAN_IP", "WAN_IP", "TWILIO_SIGNALLING", "TWILIO_MEDIA", "ata_contact", "inbound_reachability",
           "write_registration_capture", "write_call_capture", "NAT_PORT", "PORT_KEYS", "router_state",
           "set_router", "media_blocked"]

LAN_IP = "192.168.1.50"
WAN_IP = SANDBOX_LINE["ATA_PUBLIC_IP"]  # 203.0.113.7, a documentation address (RFC 5737)
NAT_PORT = {1: 41952, 2: 41954}  # the router's public port for each FXS port's SIP socket
TWILIO_SIGNALLING = "54.172.60.1"
TWILIO_MEDIA = "168.86.128.10"
TWILIO_UA = "Twilio Gateway"
# what the network simulation reads -> the settings model's name for it
_READS = {"wan": "contact_uses_wan", "nat_ip": "use_nat_ip", "sip_port": "local_sip_port",
          "rtp_port": "local_rtp_port", "user": "user_id", "auth": "auth_id", "password": "password",
          "server": "sip_server", "name": "display_name", "check_user": "check_user_id_on_invite",
          "prefix": "dial_plan_prefix", "nat": "nat_traversal"}
PORT_KEYS = {port: {key: setting(name).pvalue(port) for key, name in _READS.items()} for port in (1, 2)}


# -- the home router -------------------------------------------------------------------------------
ROUTER_KEY = "line:router"
DEFAULT_ROUTER: dict[str, Any] = {"sip_alg": False, "blocked": []}


def router_state(store: Store) -> dict[str, Any]:
    """The sandbox router: `sip_alg` (bool, its SIP ALG rewrites SIP headers) and `blocked` (CIDRs it drops)."""
    return {**DEFAULT_ROUTER, **(store.get_value(ROUTER_KEY) or {})}


def set_router(store: Store, **changes: Any) -> dict[str, Any]:
    """Change the sandbox router's settings (`sip_alg`, `blocked`); returns them."""
    unknown = set(changes) - set(DEFAULT_ROUTER)
    if unknown:
        raise ValueError(f"the sandbox router has no setting {', '.join(sorted(unknown))}")
    state = {**router_state(store), **changes}
    store.set_value(ROUTER_KEY, state)
    return state


def media_blocked(router: dict[str, Any]) -> bool:
    """True when the router drops packets from Twilio's media range (168.86.128.0/18)."""
    import ipaddress

    media = ipaddress.ip_address(TWILIO_MEDIA)
    return any(media in ipaddress.ip_network(cidr, strict=False) for cidr in router.get("blocked") or [])


def ata_contact(pvalues: dict[str, str], port: int, router: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Contact FXS `port` registers and whether Twilio can reach it, with the reason.

    A router whose SIP ALG is on rewrites the Contact (and Via) of what the ATA sends to its public
    address with the ATA's own port 5060, as many such ALGs do; nothing is forwarded on that port,
    so Twilio's INVITE to it is lost.
    """
    keys = PORT_KEYS[port]
    sip_port = int(pvalues.get(keys["sip_port"]) or 5060)
    nat_ip = (pvalues.get(keys["nat_ip"]) or "").strip()
    if nat_ip:
        host, contact_port, how = nat_ip, sip_port, setting("use_nat_ip").describe(port, nat_ip)
    elif (pvalues.get(keys["wan"]) or "0") == "1":
        host, contact_port, how = WAN_IP, NAT_PORT[port], setting("contact_uses_wan").describe(port, True)
    else:
        host, contact_port, how = LAN_IP, sip_port, setting("contact_uses_wan").describe(port, False)
    user = pvalues.get(keys["user"], "")
    if (router or {}).get("sip_alg"):
        how = f"the router's SIP ALG rewrote the Contact ({how}) to {WAN_IP}:{sip_port}"
        host, contact_port = WAN_IP, sip_port
        reason = (f"{how}; the router forwards nothing on port {sip_port} (the ATA's mapping is "
                  f"{WAN_IP}:{NAT_PORT[port]}), so Twilio's INVITE for inbound calls is lost")
        return {"contact": f"sip:{user}@{host}:{contact_port}", "host": host, "port": contact_port,
                "reachable": False, "reason": reason, "how": how, "alg": True}
    reachable = host == WAN_IP
    if reachable:
        reason = f"{how}: Twilio's INVITE goes to {host}:{contact_port}, the router's public side"
        if nat_ip and contact_port != NAT_PORT[port]:
            reason += f" (port {contact_port} must be forwarded to the ATA)"
    elif is_internal(host):
        reason = (f"{how}: the ATA registered Contact {host}:{contact_port}, a private address; "
                  "Twilio's INVITE for inbound calls is sent there and never arrives")
    else:
        reason = f"{how}: {host} is not this router's public address ({WAN_IP}); the INVITE goes astray"
    return {"contact": f"sip:{user}@{host}:{contact_port}", "host": host, "port": contact_port,
            "reachable": reachable, "reason": reason, "how": how}


def _registered_ports(store: Store, domain_name: str, user: str) -> list[tuple[int, dict[str, str]]]:
    from ..ht80x.twin import twin_pvalues
    from .registration import device_ports

    values = twin_pvalues(store)
    found = []
    for status in device_ports(store):
        port = status["port"]
        keys = PORT_KEYS[port]
        server = (values.get(keys["server"]) or "").split(":")[0].lower()
        label = server.split(".sip.", 1)[0]
        if (status["registration"] == "Registered" and values.get(keys["user"]) == user
                and f"{label}{GLOBAL_SIP_SUFFIX}" == domain_name):
            found.append((port, values))
    return found


def inbound_reachability(store: Store, domain: dict[str, Any], user: str) -> dict[str, Any]:
    """Is `user` registered on `domain` by the sandbox ATA, and can Twilio's INVITE reach it?"""
    ports = _registered_ports(store, domain["domain_name"], user)
    if not ports:
        return {"registered": False, "reachable": False,
                "reason": f"no device is registered as {user} on {domain['domain_name']}"}
    port, values = ports[0]
    router = router_state(store)
    contact = ata_contact(values, port, router)
    from .registration import port_status

    verdict = {"pvalues": dict(values), "outcome": port_status(values, port, store), "registered": True,
               "reachable": contact["reachable"], "reason": contact["reason"], "router": router,
               "port": port, "contact": contact["contact"], "contact_host": contact["host"],
               "contact_port": contact["port"], "user": user, "domain": domain["domain_name"],
               "display_name": values.get(PORT_KEYS[port]["name"], "")}
    if contact["reachable"] and (values.get(PORT_KEYS[port]["nat"]) or "0") == "0":
        # NAT Traversal = No: the 200 OK's Contact carries the LAN address, Twilio's ACK goes there and is
        # lost; the ATA retransmits its 200 OK for 32 s (RFC 3261 Timer H) and hangs up.
        verdict.update(ack_lost=True, talk_seconds=32.0,
                       reason=f"NAT Traversal = No ({PORT_KEYS[port]['nat']}): the 200 OK's Contact is "
                              f"{LAN_IP}, so Twilio's ACK never arrives and the call drops after about 32 s")
    return verdict


# -- captures ---------------------------------------------------------------------------------------
def _tag(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def _register_exchange(packets: list[Packet], t: float, values: dict[str, str], port: int, domain: str,
                       outcome: dict[str, Any], seed: str, router: dict[str, Any] | None = None) -> float:
    """REGISTER, 401 digest challenge, REGISTER with credentials, and Twilio's final answer."""
    keys = PORT_KEYS[port]
    contact = ata_contact(values, port, router)
    user, auth = values.get(keys["user"], ""), values.get(keys["auth"], "") or values.get(keys["user"], "")
    sip_port = int(values.get(keys["sip_port"]) or 5060)
    call_id = f"{_tag('reg' + seed)}@{LAN_IP}"
    from_tag = _tag("from" + seed)
    nonce = _tag("nonce" + seed)
    wan_port = NAT_PORT[port]
    for cseq, with_auth in ((1, False), (2, True)):
        branch = f"z9hG4bK{_tag(f'{seed}{cseq}')}"
        sent_by = f"{WAN_IP}:{sip_port};branch={branch}" if contact.get("alg") else \
            f"{LAN_IP}:{sip_port};branch={branch};rport"  # an ALG rewrites Via too, and drops rport
        headers = [("Via", f"SIP/2.0/UDP {sent_by}"),
                   ("From", f"<sip:{user}@{domain}>;tag={from_tag}"), ("To", f"<sip:{user}@{domain}>"),
                   ("Call-ID", call_id), ("CSeq", f"{cseq} REGISTER"),
                   ("Contact", f"<{contact['contact']}>"), ("Max-Forwards", "70"),
                   ("User-Agent", "Grandstream HT801V2 1.0.9.3"), ("Expires", "3600")]
        if with_auth:
            # RFC 2617's HA1 needs the password, which the sandbox never keeps: the simulated
            # response is made from its digest instead (it looks the same in the capture).
            from ..ht80x.twin import secret_digest

            secret = secret_digest(values.get(keys["password"], ""))
            ha1 = hashlib.md5(f"{auth}:sip.twilio.com:{secret}".encode()).hexdigest()
            ha2 = hashlib.md5(f"REGISTER:sip:{domain}".encode()).hexdigest()
            digest = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
            headers.append(("Authorization", f'Digest username="{auth}", realm="sip.twilio.com", '
                                             f'nonce="{nonce}", uri="sip:{domain}", response="{digest}", '
                                             'algorithm=MD5'))
        packets.append(Packet(t, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060,
                              request("REGISTER", f"sip:{domain}", headers)))
        t += 0.08
        reply_headers = [("Via", f"SIP/2.0/UDP {WAN_IP}:{sip_port};branch={branch};received={WAN_IP}"
                                 if contact.get("alg") else
                                 f"SIP/2.0/UDP {LAN_IP}:{sip_port};branch={branch};rport={wan_port};"
                                 f"received={WAN_IP}"),
                         ("From", f"<sip:{user}@{domain}>;tag={from_tag}"),
                         ("To", f"<sip:{user}@{domain}>;tag={_tag('to' + seed)}"),
                         ("Call-ID", call_id), ("CSeq", f"{cseq} REGISTER")]
        if not with_auth:
            reply = response(401, "Unauthorized", reply_headers + [
                ("WWW-Authenticate", f'Digest realm="sip.twilio.com", nonce="{nonce}", algorithm=MD5'),
                ("Server", TWILIO_UA)])
        elif outcome["registration"] == "Registered":
            reply = response(200, "OK", reply_headers + [("Contact", f"<{contact['contact']}>;expires=3600"),
                                                         ("Server", TWILIO_UA)])
        else:
            code = outcome.get("code") or 32202
            reply = response(int(outcome.get("sip_status") or 403), "Forbidden", reply_headers + [
                ("X-Twilio-Error", f"{code} {outcome['reason']}"), ("Server", TWILIO_UA)])
        packets.append(Packet(t, TWILIO_SIGNALLING, 5060, WAN_IP, wan_port, reply))
        t += 0.05
    return t


def write_registration_capture(store: Store, path: Path, port: int = 1, start: float = 0.0) -> Path | None:
    """The latest REGISTER exchange of FXS `port` as Twilio saw it; None if the ATA has no server set."""
    from ..ht80x.twin import twin_pvalues
    from .registration import device_ports

    values = twin_pvalues(store)
    server = (values.get(PORT_KEYS[port]["server"]) or "").split(":")[0].lower()
    if not server:
        return None
    outcome = next(s for s in device_ports(store) if s["port"] == port)
    packets: list[Packet] = []
    _register_exchange(packets, start or 1_767_261_600.0, values, port, server, outcome, f"reg{port}",
                       router_state(store))
    return write_pcap(path, packets)


def write_call_capture(store: Store, call: dict[str, Any], path: Path) -> Path:
    """The SIP (and RTP) of an inbound call to the ATA, as Twilio's console capture would show it.

    The registration that created the binding Twilio used comes first, so the Contact that
    decided the call's fate is in the same file.
    """
    from ..ht80x.twin import twin_pvalues
    from .registration import device_ports

    hint = call.get("capture_hint") or {}
    t0 = float(call["date_created"])
    packets: list[Packet] = []
    # the state at the time of the call (kept with the call), else the device as it is now
    values = hint.get("pvalues") or twin_pvalues(store)
    domain = hint.get("domain") or call["to"].split("@", 1)[-1].split(";")[0]
    port = int(hint.get("port") or 1)
    outcome = hint.get("outcome") or next((s for s in device_ports(store) if s["port"] == port),
                                          {"registration": "Not Registered", "reason": "", "code": 32009})
    router = hint.get("router") or DEFAULT_ROUTER
    _register_exchange(packets, t0 - 30.0, values, port, domain, outcome, f"call{call['sid']}", router)
    if not hint.get("registered"):
        return write_pcap(path, packets)
    user = hint["user"]
    target_host, target_port = hint["contact_host"], int(hint["contact_port"])
    call_id = f"{_tag(call['sid'])}@{TWILIO_SIGNALLING}"
    branch = f"z9hG4bK{_tag('inv' + call['sid'])}"
    caller = call["from"]
    from_hdr = f'"{caller}" <sip:{caller}@{domain}>;tag={_tag("tw" + call["sid"])}'
    to_hdr = f"<sip:{user}@{domain}>"
    via = f"SIP/2.0/UDP {TWILIO_SIGNALLING}:5060;branch={branch}"
    media_port = 10000 + int(_tag("mp" + call["sid"]), 16) % 50000
    invite = request("INVITE", f"sip:{user}@{target_host}:{target_port}",
                     [("Via", via), ("From", from_hdr), ("To", to_hdr), ("Call-ID", call_id),
                      ("CSeq", "101 INVITE"), ("Contact", f"<sip:{TWILIO_SIGNALLING}:5060>"),
                      ("Max-Forwards", "69"), ("User-Agent", TWILIO_UA)],
                     sdp_body(TWILIO_MEDIA, media_port, int(t0)))
    start = t0 + 0.2
    if not hint.get("reachable"):
        for delay in (0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5):  # RFC 3261 Timer A doubling, Timer B at 32 s
            packets.append(Packet(start + delay, TWILIO_SIGNALLING, 5060, target_host, target_port, invite))
        return write_pcap(path, packets)
    keys = PORT_KEYS[port]
    wan_port = NAT_PORT[port]
    rtp_port = int(values.get(keys["rtp_port"]) or 5004)
    to_tagged = f"{to_hdr};tag={_tag('ata' + call['sid'])}"
    reply_base = [("Via", via), ("From", from_hdr), ("To", to_tagged), ("Call-ID", call_id),
                  ("CSeq", "101 INVITE")]
    ack_lost = bool(hint.get("ack_lost"))
    sip_port = int(values.get(keys["sip_port"]) or 5060)
    # with NAT Traversal = No the ATA writes its LAN address in the 200 OK's Contact
    ok_host, ok_port = (LAN_IP, sip_port) if ack_lost else (target_host, target_port)
    contact = f"<sip:{user}@{ok_host}:{ok_port}>"
    ua = ("User-Agent", "Grandstream HT801V2 1.0.9.3")
    packets.append(Packet(start, TWILIO_SIGNALLING, 5060, WAN_IP, wan_port, invite))
    packets.append(Packet(start + 0.05, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060,
                          response(100, "Trying", [("Via", via), ("From", from_hdr), ("To", to_hdr),
                                                   ("Call-ID", call_id), ("CSeq", "101 INVITE"), ua])))
    packets.append(Packet(start + 0.1, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060,
                          response(180, "Ringing", reply_base + [("Contact", contact), ua])))
    answer = start + 2.0
    ok = response(200, "OK", reply_base + [("Contact", contact), ua], sdp_body(WAN_IP, rtp_port, int(t0) + 1))
    packets.append(Packet(answer, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060, ok))
    ack = request("ACK", f"sip:{user}@{ok_host}:{ok_port}",
                  [("Via", via.replace(branch, branch + "a")), ("From", from_hdr), ("To", to_tagged),
                   ("Call-ID", call_id), ("CSeq", "101 ACK"), ("Max-Forwards", "69")])
    # Twilio sends the ACK to the 200 OK's Contact: the router's public side, or a LAN address it cannot reach
    packets.append(Packet(answer + 0.05, TWILIO_SIGNALLING, 5060, ok_host if ack_lost else WAN_IP,
                          ok_port if ack_lost else wan_port, ack))
    blocked = media_blocked(router)
    for i in range(25):  # half a second of audio each way is enough to show both directions
        ts = answer + 0.1 + i * 0.02
        if not blocked:  # a router that drops Twilio's media range never lets this reach the ATA
            packets.append(Packet(ts, TWILIO_MEDIA, media_port, WAN_IP, rtp_port,
                                  rtp_payload(2000 + i, 160 * i, 0x7A11C0DE, marker=i == 0)))
        packets.append(Packet(ts + 0.005, WAN_IP, rtp_port, TWILIO_MEDIA, media_port,
                              rtp_payload(5000 + i, 160 * i, 0x0A7A0001, marker=i == 0)))
    bye_at = answer + 1.0
    if ack_lost:
        # no ACK reaches the ATA: it resends the 200 OK (Timer G, doubling to 4 s) until Timer H (32 s), then BYE
        delay, waited = 0.5, 0.0
        while waited + delay < 32.0:
            waited += delay
            packets.append(Packet(answer + waited, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060, ok))
            delay = min(delay * 2, 4.0)
        bye_at = answer + 32.0
        bye_via = f"SIP/2.0/UDP {LAN_IP}:{sip_port};branch=z9hG4bK{_tag('bye' + call['sid'])};rport"
        packets.append(Packet(bye_at, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060,
                              request("BYE", "sip:" + TWILIO_SIGNALLING + ":5060",
                                      [("Via", bye_via), ("From", to_tagged), ("To", from_hdr),
                                       ("Call-ID", call_id), ("CSeq", "1 BYE"), ("Max-Forwards", "70"), ua])))
        packets.append(Packet(bye_at + 0.05, TWILIO_SIGNALLING, 5060, WAN_IP, wan_port,
                              response(200, "OK", [("Via", bye_via), ("From", to_tagged), ("To", from_hdr),
                                                   ("Call-ID", call_id), ("CSeq", "1 BYE"),
                                                   ("Server", TWILIO_UA)])))
        packets.sort(key=lambda p: p.time)
        return write_pcap(path, packets)

    bye_via = f"SIP/2.0/UDP {TWILIO_SIGNALLING}:5060;branch={branch}b"
    packets.append(Packet(bye_at, TWILIO_SIGNALLING, 5060, WAN_IP, wan_port,
                          request("BYE", f"sip:{user}@{target_host}:{target_port}",
                                  [("Via", bye_via), ("From", from_hdr), ("To", to_tagged),
                                   ("Call-ID", call_id), ("CSeq", "102 BYE"), ("Max-Forwards", "69")])))
    packets.append(Packet(bye_at + 0.05, WAN_IP, wan_port, TWILIO_SIGNALLING, 5060,
                          response(200, "OK", [("Via", bye_via), ("From", from_hdr), ("To", to_tagged),
                                               ("Call-ID", call_id), ("CSeq", "102 BYE"), ua])))
    return write_pcap(path, packets)
