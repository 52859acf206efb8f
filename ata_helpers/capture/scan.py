"""One pass over a capture: every SIP message (UDP, TCP, WebSocket) and, on request, RTP stats.

The loop has a fast path for the common frame (Ethernet, IPv4 without options or fragments,
UDP) that touches only the bytes it needs; everything else goes through `layers`. RTP packets
are rejected after one byte when only SIP is wanted, which keeps RTP-heavy captures cheap.
"""

from __future__ import annotations

import gc
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from .layers import IpLayer, link_payload
from .pcap_reader import Source, iter_frames, load_bytes
from .rtp_collector import RtpCollector, is_rtp
from .sip_message import SipFields, looks_like_sip, parse_message
from .tcp_streams import TcpReassembler

__all__ = ["Scan", "scan", "no_gc"]

_ntoa = socket.inet_ntoa
_STUN_COOKIE = b"\x21\x12\xa4\x42"


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    A scan makes hundreds of thousands of dicts and lists that hold no cycles; without this the
    collector walks them again and again and costs more than the parsing itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Scan:
    """What one pass found: SIP rows, RTP counters, and facts about the file."""

    # (time ns, src, sport, dst, dport, transport, SipFields, frame)
    messages: list[tuple[int, str, int, str, int, str, SipFields, int]] = field(default_factory=list)
    rtp: RtpCollector | None = None
    warnings: list[str] = field(default_factory=list)
    tls_flows: set[tuple[str, int, str, int]] = field(default_factory=set)
    keepalives: int = 0
    frames: int = 0
    linktypes: set[int] = field(default_factory=set)

    def attrs(self) -> dict[str, Any]:
        """Facts for DataFrame.attrs: warnings, TLS flows, keep-alives, frame count."""
        return {"warnings": list(self.warnings), "frames": self.frames,
                "tls_flows": sorted(f"{s}:{sp} -> {d}:{dp}" for s, sp, d, dp in self.tls_flows),
                "keepalives": self.keepalives, "linktypes": sorted(self.linktypes)}


def scan(source: Source, rtp: bool = False, strict: bool = False) -> Scan:
    """Read the capture once; collect SIP messages, and RTP stream counters when `rtp`."""
    data = load_bytes(source)
    result = Scan(rtp=RtpCollector() if rtp else None)
    messages = result.messages
    append = messages.append
    collector = result.rtp
    ip_layer = IpLayer()
    tcp = TcpReassembler()
    linktypes = result.linktypes
    last_linktype = -1
    number = 0
    for number, ts, linktype, frame in iter_frames(data, result.warnings, strict):
        if linktype != last_linktype:
            linktypes.add(linktype)
            last_linktype = linktype
        if (linktype == 1 and len(frame) >= 42 and frame[12] == 8 and frame[13] == 0
                and frame[14] == 0x45 and frame[23] == 17 and not frame[20] & 0x3F
                and not frame[21]):
            total = (frame[16] << 8) | frame[17]
            end = 14 + total if 14 + total <= len(frame) else len(frame)
            payload = frame[42:end]
            if not payload:
                continue
            b0 = payload[0]
            if b0 & 0x80:
                if collector is not None and is_rtp(payload):
                    collector.add(ts, _ntoa(frame[26:30]), (frame[34] << 8) | frame[35],
                                  _ntoa(frame[30:34]), (frame[36] << 8) | frame[37], payload, number)
                continue
            src = _ntoa(frame[26:30])
            dst = _ntoa(frame[30:34])
            sport = (frame[34] << 8) | frame[35]
            dport = (frame[36] << 8) | frame[37]
        else:
            link = link_payload(linktype, frame)
            if link is None:
                continue
            decoded = ip_layer.decode(link[0], link[1], ts)
            if decoded is None:
                continue
            src, dst, proto, segment = decoded
            if proto == 6:
                if len(segment) < 20:
                    continue
                sport = (segment[0] << 8) | segment[1]
                dport = (segment[2] << 8) | segment[3]
                seq = int.from_bytes(segment[4:8], "big")
                offset = (segment[12] >> 4) * 4
                for message, transport in tcp.add((src, sport, dst, dport), seq, segment[13],
                                                  segment[offset:]):
                    append((ts, src, sport, dst, dport, transport,
                            parse_message(message), number))
                continue
            if proto != 17 or len(segment) < 8:
                continue
            sport = (segment[0] << 8) | segment[1]
            dport = (segment[2] << 8) | segment[3]
            ulen = (segment[4] << 8) | segment[5]
            payload = segment[8:ulen] if 8 <= ulen <= len(segment) else segment[8:]
            if not payload:
                continue
            b0 = payload[0]
            if b0 & 0x80:
                if collector is not None and is_rtp(payload):
                    collector.add(ts, src, sport, dst, dport, payload, number)
                continue
        if b0 == 13 or b0 == 10:
            if not payload.strip(b"\r\n"):
                result.keepalives += 1
                continue
        elif b0 < 4 and payload[4:8] == _STUN_COOKIE:
            result.keepalives += 1
            continue
        if looks_like_sip(payload):
            append((ts, src, sport, dst, dport, "UDP", parse_message(payload), number))
    result.frames = number
    result.tls_flows = tcp.tls_flows
    result.keepalives += tcp.keepalives
    return result
