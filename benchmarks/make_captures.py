"""Write the two benchmark captures: SIP-heavy (~60,000 messages) and RTP-heavy (~75,000 packets).

Complete calls (INVITE, 100, 180, 200 with SDP, ACK, BYE, 200) between an ATA-like client and a
Twilio-like server, built with the library's own pcap writer so the files are deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ata_helpers.capture.writers.pcap import Packet, write_pcap
from ata_helpers.capture.writers.sip import request, response, rtp_payload, sdp_body

START = 1_767_261_600.0
CLIENT, SERVER, MEDIA = "203.0.113.7", "54.172.60.1", "168.86.128.10"


def _call(n: int, t: float, rtp_packets: int = 0) -> Iterator[Packet]:
    call_id = f"bench-{n}@{CLIENT}"
    ftag, ttag = f"f{n}", f"t{n}"
    cport = 20000 + (n % 20000)
    via = f"SIP/2.0/UDP {CLIENT}:{cport};branch=z9hG4bK{n}a;rport"
    common = [("From", f'"ATA {n}" <sip:alice@example.sip.twilio.com>;tag={ftag}'),
              ("To", f"<sip:+1415555{n % 10000:04d}@example.sip.twilio.com>"), ("Call-ID", call_id)]
    to_tagged = [common[0], (common[1][0], common[1][1] + f";tag={ttag}"), common[2]]
    contact = [("Contact", f"<sip:alice@{CLIENT}:{cport}>"), ("User-Agent", "Grandstream HT801 1.0.5.11")]
    offer = sdp_body(CLIENT, 10000 + 2 * (n % 5000), n)
    answer = sdp_body(MEDIA, 30000 + 2 * (n % 10000), n)
    up = lambda dt, data: Packet(t + dt, CLIENT, cport, SERVER, 5060, data)  # noqa: E731
    down = lambda dt, data: Packet(t + dt, SERVER, 5060, CLIENT, cport, data)  # noqa: E731
    rvia = [("Via", f"{via}={cport};received={CLIENT}")]
    yield up(0, request("INVITE", common[1][1][1:-1], [("Via", via), *common, ("CSeq", "1 INVITE"), *contact], offer))
    yield down(0.02, response(100, "Trying", [*rvia, *common, ("CSeq", "1 INVITE")]))
    yield down(0.3, response(180, "Ringing", [*rvia, *to_tagged, ("CSeq", "1 INVITE")]))
    yield down(1.0, response(200, "OK", [*rvia, *to_tagged, ("CSeq", "1 INVITE"),
                                         ("Contact", f"<sip:{SERVER}:5060>")], answer))
    yield up(1.02, request("ACK", f"sip:{SERVER}:5060", [("Via", via.replace("a;", "b;")), *to_tagged, ("CSeq", "1 ACK")]))
    for i in range(rtp_packets):
        src_to_dst = i % 2 == 0
        yield Packet(t + 1.05 + i * 0.01, *(
            (CLIENT, 10000 + 2 * (n % 5000), MEDIA, 30000 + 2 * (n % 10000)) if src_to_dst else
            (MEDIA, 30000 + 2 * (n % 10000), CLIENT, 10000 + 2 * (n % 5000))),
            rtp_payload(i // 2, 160 * (i // 2), 0x1000 + n if src_to_dst else 0x2000 + n))
    end = 1.1 + rtp_packets * 0.01
    yield up(end, request("BYE", f"sip:{SERVER}:5060", [("Via", via.replace("a;", "c;")), *to_tagged, ("CSeq", "2 BYE")]))
    yield down(end + 0.03, response(200, "OK", [("Via", f"{via.replace('a;', 'c;')}={cport}"), *to_tagged, ("CSeq", "2 BYE")]))


def sip_heavy(path: Path, messages: int = 60_000) -> Path:
    """Complete calls only, about `messages` SIP messages."""
    calls = messages // 7
    packets = [p for n in range(calls) for p in _call(n, START + n * 0.05)]
    return write_pcap(path, sorted(packets, key=lambda p: p.time))


def rtp_heavy(path: Path, packets_total: int = 75_000, sip_share: float = 0.02) -> Path:
    """Calls with RTP so that about `sip_share` of `packets_total` packets are SIP."""
    calls = int(packets_total * sip_share / 7)
    rtp_per_call = (packets_total - calls * 7) // calls
    packets = [p for n in range(calls) for p in _call(n, START + n * 0.5, rtp_per_call)]
    return write_pcap(path, sorted(packets, key=lambda p: p.time))
