"""One pass over a capture: every SIP message (UDP, TCP, WebSocket) and, on request, RTP stats.

The loop has a fast path for the common frame (Ethernet, IPv4 without options or fragments,
UDP) that touches only the bytes it needs; everything else goes through `layers`. RTP packets
are rejected after one byte when only SIP is wanted, which keeps RTP-heavy captures cheap.
"""

from __future__ import annotations

import gc
import socket
import struct
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from ..sip_message import REQUEST_LINE, SipFields, looks_like_sip, parse_message
from .links import IpLayer, link_payload
from .pcapfile import Source, iter_records, load_bytes
from .rtp import RtpCollector, is_rtp
from .tcp import TcpReassembler

__all__ = ["Scan", "scan", "no_gc"]

_ntoa = socket.inet_ntoa
_STUN_COOKIE = b"\x21\x12\xa4\x42"
# Ethernet type, IPv4 version/IHL, total length, flags/fragment offset, protocol, source,
# destination, then the UDP ports: the fields the common frame is judged and addressed by.
_ETHERNET_IPV4_UDP = struct.Struct("!12xHBxH2xHxB2x4s4sHH")


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    A scan makes hundreds of thousands of objects that hold no cycles; without this the
    collector walks them again and again and costs more than the parsing itself. On the way out
    the survivors (the table's objects) join the oldest generation directly (gc.freeze then
    gc.unfreeze), instead of being walked by the young-generation collection that re-enabling
    would set off at once; skipped if the program froze objects itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
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
    # The SipFields of every message as columns (one sequence per field), when every row's
    # fields are None (parallel.scan_parallel deferred them all); else None.
    fields: list[Sequence[Any]] | None = None

    def attrs(self) -> dict[str, Any]:
        """Facts for DataFrame.attrs: warnings, TLS flows, keep-alives, frame count."""
        return {"warnings": list(self.warnings), "frames": self.frames,
                "tls_flows": sorted(f"{s}:{sp} -> {d}:{dp}" for s, sp, d, dp in self.tls_flows),
                "keepalives": self.keepalives, "linktypes": sorted(self.linktypes)}


def scan(source: Source, rtp: bool = False, strict: bool = False,
         defer: list[bytes] | None = None) -> Scan:
    """Read the capture once; collect SIP messages, and RTP stream counters when `rtp`.

    With a `defer` list, each UDP message is appended to it instead of being parsed, and its
    row carries None for fields until the caller fills it (parallel.scan_parallel does, so
    the parsing can be shared out); TCP messages are still parsed in place.
    """
    data = load_bytes(source)
    parse = parse_message if defer is None else defer.append
    result = Scan(rtp=RtpCollector() if rtp else None)
    append = result.messages.append
    collector = result.rtp
    ip_layer = IpLayer()
    tcp = TcpReassembler()
    linktypes = result.linktypes
    addresses: dict[bytes, str] = {}
    address = addresses.get
    unpack_udp = _ETHERNET_IPV4_UDP.unpack_from
    request_line = REQUEST_LINE.match
    last_linktype = -1
    number = 0
    for number, ts, linktype, start, stop in iter_records(data, result.warnings, strict):
        if linktype != last_linktype:
            linktypes.add(linktype)
            last_linktype = linktype
        if linktype == 1 and stop - start >= 42:
            etype, version_ihl, total, fragment, proto, src4, dst4, sport, dport = unpack_udp(
                data, start)
            fast = (etype == 0x0800 and version_ihl == 0x45 and proto == 17
                    and not fragment & 0x3FFF)
        else:
            fast = False
        if fast:
            end = start + 14 + total
            if end > stop:
                end = stop
            start += 42
            if start >= end:
                continue
            b0 = data[start]
            if b0 & 0x80:
                if collector is not None and end - start >= 12 and b0 & 0xC0 == 0x80:
                    payload = data[start:end]
                    if is_rtp(payload):
                        collector.add(ts, address(src4) or _remember(addresses, src4), sport,
                                      address(dst4) or _remember(addresses, dst4), dport,
                                      payload, number)
                continue
            payload = data[start:end]
            src = address(src4) or _remember(addresses, src4)
            dst = address(dst4) or _remember(addresses, dst4)
        else:
            link = link_payload(linktype, data[start:stop])
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
            if not looks_like_sip(payload):
                continue
        elif b0 < 4 and payload[4:8] == _STUN_COOKIE:
            result.keepalives += 1
            continue
        elif not (payload.startswith(b"SIP/2.0 ") or request_line(payload)):
            continue
        append((ts, src, sport, dst, dport, "UDP", parse(payload), number))
    result.frames = number
    result.tls_flows = tcp.tls_flows
    result.keepalives += tcp.keepalives
    return result


def _remember(addresses: dict[bytes, str], raw: bytes) -> str:
    """Dotted text of a 4-byte IPv4 address, kept so each address is one shared string."""
    if len(addresses) >= 65536:
        addresses.clear()
    text = addresses[raw] = _ntoa(raw)
    return text
