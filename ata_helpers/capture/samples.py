"""Demonstration captures for notebook 07: the classic NAT failure and its healthy counterpart.

Both are Twilio's view of the line (a capture taken at Twilio's edge, like the console's SIP
PCAP download): the ATA sits behind a home router whose public address is 203.0.113.7, on the
LAN at 192.168.1.50; Twilio's signalling is 54.172.60.x and its media 168.86.128.x.

- `nat_failure`: the ATA registers with `Contact: <sip:alice@192.168.1.50:5060>` (SIP REGISTER
  Contact Header Uses = LAN Address). An inbound call's INVITE goes to that private address,
  is retransmitted and never answered. An outbound call offers SDP `c=IN IP4 192.168.1.50`, so
  Twilio's audio goes nowhere, and Twilio ends it with `X-Twilio-Error: 32014`.
- `healthy`: the same line with Contact Header Uses = WAN Address: registration, an inbound call
  answered with two-way audio, hung up by the phone, then an unregister (Contact `*`, Expires 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from .writers.pcap import Packet, write_pcap
from .writers.sip import request, response, rtp_payload, sdp_body

__all__ = ["write_nat_failure", "write_healthy", "write_samples", "sample_captures", "SAMPLES"]

START = 1_767_261_600.0  # 2026-01-01 10:00:00 UTC: fixed, so the files are byte-identical
DOMAIN = "example.sip.twilio.com"
USER = "alice"
LAN = "192.168.1.50"
WAN = "203.0.113.7"
WAN_PORT = 41952
TWILIO_SIG = "54.172.60.1"
TWILIO_SIG2 = "54.172.60.2"
TWILIO_MEDIA = "168.86.128.10"
UA = "Grandstream HT801 1.0.5.11"
SERVER = "Twilio Gateway"
NONCE = 'Digest realm="sip.twilio.com", nonce="5f3a9c0e7b", algorithm=MD5, qop="auth"'
AUTH = (f'Digest username="{USER}", realm="sip.twilio.com", nonce="5f3a9c0e7b", '
        f'uri="sip:{DOMAIN}", response="0d1c8e4f6a2b3c4d5e6f708192a3b4c5", algorithm=MD5, '
        'qop=auth, nc=00000001, cnonce="ab12"')


def _register(contact_host: str, contact_port: int, call_id: str, cseq: int, branch: str,
              auth: bool, expires: int = 3600, contact: str | None = None) -> bytes:
    headers = [("Via", f"SIP/2.0/UDP {LAN}:5060;branch={branch};rport"),
               ("From", f"<sip:{USER}@{DOMAIN}>;tag=ata{call_id[:4]}"),
               ("To", f"<sip:{USER}@{DOMAIN}>"), ("Call-ID", call_id), ("CSeq", f"{cseq} REGISTER"),
               ("Contact", contact or f"<sip:{USER}@{contact_host}:{contact_port}>"),
               ("Max-Forwards", "70"), ("User-Agent", UA), ("Expires", str(expires))]
    if auth:
        headers.append(("Authorization", AUTH))
    return request("REGISTER", f"sip:{DOMAIN}", headers)


def _reply(status: int, reason: str, req: dict, extra: Sequence[tuple[str, str]] = (),
           body: str = "", to_tag: str | None = None) -> bytes:
    to = req["to"] + (f";tag={to_tag}" if to_tag else "")
    headers = [("Via", req["via"]), ("From", req["from"]), ("To", to), ("Call-ID", req["call_id"]),
               ("CSeq", req["cseq"]), *extra, ("Server", SERVER)]
    return response(status, reason, headers, body)


def _registration(packets: list[Packet], t: float, contact_host: str, contact_port: int) -> float:
    """REGISTER, 401 challenge, REGISTER with credentials, 200 OK."""
    call_id = "reg-7f3e9a01@192.168.1.50"
    for cseq, auth in ((1, False), (2, True)):
        branch = f"z9hG4bKreg{cseq}"
        packets.append(Packet(t, WAN, WAN_PORT, TWILIO_SIG, 5060,
                              _register(contact_host, contact_port, call_id, cseq, branch, auth)))
        req = {"via": f"SIP/2.0/UDP {LAN}:5060;branch={branch};rport={WAN_PORT};received={WAN}",
               "from": f"<sip:{USER}@{DOMAIN}>;tag=atareg-", "to": f"<sip:{USER}@{DOMAIN}>",
               "call_id": call_id, "cseq": f"{cseq} REGISTER"}
        t += 0.08
        if auth:
            reply = _reply(200, "OK", req, [("Contact", f"<sip:{USER}@{contact_host}:{contact_port}>"
                                                        ";expires=3600")], to_tag="tw200")
        else:
            reply = _reply(401, "Unauthorized", req, [("WWW-Authenticate", NONCE)], to_tag="tw401")
        packets.append(Packet(t, TWILIO_SIG, 5060, WAN, WAN_PORT, reply))
        t += 0.05
    return t


def _invite_from_twilio(call_id: str, target: str, port: int, branch: str) -> tuple[bytes, dict]:
    via = f"SIP/2.0/UDP {TWILIO_SIG2}:5060;branch={branch}"
    req = {"via": via, "from": '"+14155550199" <sip:+14155550199@' + DOMAIN + ">;tag=tw-in1",
           "to": f"<sip:{USER}@{DOMAIN}>", "call_id": call_id, "cseq": "101 INVITE"}
    msg = request("INVITE", f"sip:{USER}@{target}:{port}",
                  [("Via", via), ("From", req["from"]), ("To", req["to"]), ("Call-ID", call_id),
                   ("CSeq", req["cseq"]), ("Contact", f"<sip:{TWILIO_SIG2}:5060>"),
                   ("Max-Forwards", "69"), ("User-Agent", SERVER)],
                  sdp_body(TWILIO_MEDIA, 18000, 4001))
    return msg, req


def _rtp(packets: list[Packet], t: float, src: str, sport: int, dst: str, dport: int, ssrc: int,
         count: int) -> None:
    for i in range(count):
        packets.append(Packet(t + i * 0.02, src, sport, dst, dport,
                              rtp_payload(1000 + i, 160 * i, ssrc, marker=i == 0)))


def write_nat_failure(path: str | Path) -> Path:
    """Write the NAT failure capture (see the module docstring) to `path`."""
    packets: list[Packet] = []
    t = _registration(packets, START, LAN, 5060)
    # inbound call: Twilio sends the INVITE to the private Contact; Timer A doubles, B gives up
    t += 5.0
    invite, _req = _invite_from_twilio("in-5d1c2b@54.172.60.2", LAN, 5060, "z9hG4bKin1")
    for delay in (0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5):
        packets.append(Packet(t + delay, TWILIO_SIG2, 5060, LAN, 5060, invite))
    # outbound call from the phone: SDP offers the LAN address
    t += 40.0
    call_id = "out-9a8b7c@192.168.1.50"
    via = f"SIP/2.0/UDP {LAN}:5060;branch=z9hG4bKout1;rport"
    req = {"via": f"{via}={WAN_PORT};received={WAN}",
           "from": f'"Alice" <sip:{USER}@{DOMAIN}>;tag=ata-out', "to": f"<sip:+14155550123@{DOMAIN}>",
           "call_id": call_id, "cseq": "1 INVITE"}
    packets.append(Packet(t, WAN, WAN_PORT, TWILIO_SIG, 5060, request(
        "INVITE", f"sip:+14155550123@{DOMAIN}",
        [("Via", via), ("From", req["from"]), ("To", req["to"]), ("Call-ID", call_id),
         ("CSeq", "1 INVITE"), ("Contact", f"<sip:{USER}@{LAN}:5060>"), ("Max-Forwards", "70"),
         ("User-Agent", UA)], sdp_body(LAN, 5004, 7001))))
    packets.append(Packet(t + 0.05, TWILIO_SIG, 5060, WAN, WAN_PORT, _reply(100, "Trying", req)))
    packets.append(Packet(t + 1.2, TWILIO_SIG, 5060, WAN, WAN_PORT, _reply(
        200, "OK", req, [("Contact", f"<sip:{TWILIO_SIG}:5060>")],
        sdp_body(TWILIO_MEDIA, 18004, 4002), to_tag="tw-out")))
    packets.append(Packet(t + 1.25, WAN, WAN_PORT, TWILIO_SIG, 5060, request(
        "ACK", f"sip:{TWILIO_SIG}:5060",
        [("Via", f"SIP/2.0/UDP {LAN}:5060;branch=z9hG4bKout2;rport"), ("From", req["from"]),
         ("To", req["to"] + ";tag=tw-out"), ("Call-ID", call_id), ("CSeq", "1 ACK"),
         ("Max-Forwards", "70"), ("User-Agent", UA)])))
    _rtp(packets, t + 1.3, TWILIO_MEDIA, 18004, LAN, 5004, 0x7A11CE01, 100)
    bye_t = t + 1.3 + 30.0
    bye_via = f"SIP/2.0/UDP {TWILIO_SIG}:5060;branch=z9hG4bKbye1"
    bye = request("BYE", f"sip:{USER}@{LAN}:5060",
                  [("Via", bye_via), ("From", req["to"] + ";tag=tw-out"), ("To", req["from"]),
                   ("Call-ID", call_id), ("CSeq", "2 BYE"), ("Max-Forwards", "70"),
                   ("User-Agent", SERVER),
                   ("X-Twilio-Error", "32014 The call ended because no audio was received")])
    for delay in (0, 0.5, 1.5, 3.5):
        packets.append(Packet(bye_t + delay, TWILIO_SIG, 5060, LAN, 5060, bye))
    packets.sort(key=lambda p: p.time)
    return write_pcap(path, packets)


def write_healthy(path: str | Path) -> Path:
    """Write the healthy counterpart (Contact uses the WAN address) to `path`."""
    packets: list[Packet] = []
    t = _registration(packets, START, WAN, WAN_PORT)
    t += 5.0
    call_id = "in-5d1c2b@54.172.60.2"
    invite, req = _invite_from_twilio(call_id, WAN, WAN_PORT, "z9hG4bKin1")
    packets.append(Packet(t, TWILIO_SIG2, 5060, WAN, WAN_PORT, invite))
    contact = [("Contact", f"<sip:{USER}@{WAN}:{WAN_PORT}>")]
    packets.append(Packet(t + 0.03, WAN, WAN_PORT, TWILIO_SIG2, 5060, _reply(100, "Trying", req)))
    packets.append(Packet(t + 0.10, WAN, WAN_PORT, TWILIO_SIG2, 5060,
                          _reply(180, "Ringing", req, contact, to_tag="ata-in")))
    packets.append(Packet(t + 4.0, WAN, WAN_PORT, TWILIO_SIG2, 5060,
                          _reply(200, "OK", req, contact, sdp_body(WAN, 5004, 7002),
                                 to_tag="ata-in")))
    dialog_to = req["to"] + ";tag=ata-in"
    packets.append(Packet(t + 4.05, TWILIO_SIG2, 5060, WAN, WAN_PORT, request(
        "ACK", f"sip:{USER}@{WAN}:{WAN_PORT}",
        [("Via", f"SIP/2.0/UDP {TWILIO_SIG2}:5060;branch=z9hG4bKin2"), ("From", req["from"]),
         ("To", dialog_to), ("Call-ID", call_id), ("CSeq", "101 ACK"), ("Max-Forwards", "69")])))
    _rtp(packets, t + 4.1, TWILIO_MEDIA, 18000, WAN, 5004, 0x7A11CE02, 100)
    _rtp(packets, t + 4.11, WAN, 5004, TWILIO_MEDIA, 18000, 0x0A7A0001, 100)
    bye_t = t + 6.2
    bye_via = f"SIP/2.0/UDP {LAN}:5060;branch=z9hG4bKbye2;rport"
    packets.append(Packet(bye_t, WAN, WAN_PORT, TWILIO_SIG2, 5060, request(
        "BYE", f"sip:{TWILIO_SIG2}:5060",
        [("Via", bye_via), ("From", dialog_to), ("To", req["from"]), ("Call-ID", call_id),
         ("CSeq", "1 BYE"), ("Max-Forwards", "70"), ("User-Agent", UA)])))
    bye_req = {"via": f"{bye_via}={WAN_PORT};received={WAN}", "from": dialog_to,
               "to": req["from"], "call_id": call_id, "cseq": "1 BYE"}
    packets.append(Packet(bye_t + 0.04, TWILIO_SIG2, 5060, WAN, WAN_PORT,
                          _reply(200, "OK", bye_req)))
    # the ATA unregisters (Unregister on reboot, P81): Contact *, Expires 0
    t = bye_t + 10.0
    packets.append(Packet(t, WAN, WAN_PORT, TWILIO_SIG, 5060, _register(
        WAN, WAN_PORT, "reg-7f3e9a01@192.168.1.50", 3, "z9hG4bKreg3", True, expires=0,
        contact="*")))
    unreg = {"via": f"SIP/2.0/UDP {LAN}:5060;branch=z9hG4bKreg3;rport={WAN_PORT};received={WAN}",
             "from": f"<sip:{USER}@{DOMAIN}>;tag=atareg-", "to": f"<sip:{USER}@{DOMAIN}>",
             "call_id": "reg-7f3e9a01@192.168.1.50", "cseq": "3 REGISTER"}
    packets.append(Packet(t + 0.08, TWILIO_SIG, 5060, WAN, WAN_PORT,
                          _reply(200, "OK", unreg, to_tag="tw200")))
    packets.sort(key=lambda p: p.time)
    return write_pcap(path, packets)


SAMPLES: dict[str, Callable[[str | Path], Path]] = {
    "nat_failure": write_nat_failure,
    "healthy": write_healthy,
}


def write_samples(folder: str | Path) -> dict[str, Path]:
    """Write every sample capture into `folder`; returns name -> path."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    return {name: writer(target / f"{name}.pcap") for name, writer in SAMPLES.items()}


def sample_captures() -> dict[str, Path]:
    """The sample captures written into `captures/` of the state folder (settings.state_dir()), plus
    any other capture saved there (the twins write their call captures there); name (file stem) -> path."""
    from ..settings import state_dir

    folder = state_dir() / "captures"
    found = write_samples(folder)
    for path in sorted(folder.glob("*.pcap*")):
        found.setdefault(path.name.split(".")[0], path)
    return found
