"""One pass over a capture: every SIP message (UDP, TCP, WebSocket, SCTP, HEP) and RTP stats.

Every packet is accounted for: it is counted under what it turned out to be ("SIP", "RTP",
"keep-alive", …) or under the reason it could not be read, and the reasons that may hide SIP
(an unknown link type or tunnel, damage, TLS on a SIP port, fragments never completed) are
also listed apart, so that a capture that could not be read is never taken for a quiet one.

The loop has a fast path for the common frame (Ethernet, IPv4 without options or fragments,
UDP on a port no tunnel uses) that touches only the bytes it needs; everything else goes
through `links.Decoder`.
"""

from __future__ import annotations

import gc
import socket
import struct
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ..sip_message import (
    LOOSE_START_LINE,
    REQUEST_LINE,
    SipFields,
    looks_like_sip,
    parse_message,
)
from .links import HEP_PORTS, PENDING, VXLAN_PORTS, Decoder, Skip
from .pcapfile import Source, iter_windows
from .rtp import RtpCollector, is_rtp
from .tcp import TcpReassembler
from .tls import carries_sip

__all__ = ["Scan", "scan", "no_gc", "SIP", "RTP", "NOT_SIP"]

_ntoa = socket.inet_ntoa
_STUN_COOKIE = b"\x21\x12\xa4\x42"
_TUNNEL_PORTS = VXLAN_PORTS | HEP_PORTS
# A stated limit for endless inputs (a pipe that never closes): rows are kept in memory.
MAX_MESSAGES = 10_000_000
# What a packet turned out to be (keys of Scan.packets).
SIP = "SIP"
SIP_PART = "SIP (part of a message over TCP)"
RTP = "RTP"
KEEPALIVE = "keep-alive (CRLF or STUN)"
NOT_SIP = "not SIP (other UDP/TCP payload)"
BINARY = "not SIP (RTCP or other binary UDP)"
EMPTY = "no payload (TCP control, empty UDP)"
FRAGMENT = "IP fragment (reassembled)"
FRAGMENT_LOST = "IP fragment never completed"
TLS_SIP = "TLS on a SIP connection (port 5061 or *.twilio.com)"
TLS_OTHER = "not SIP (TLS: HTTPS or other)"
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
    messages: list[tuple[int, str, int, str, int, str, SipFields | None, int]] = field(
        default_factory=list)
    rtp: RtpCollector | None = None
    warnings: list[str] = field(default_factory=list)
    tls_flows: list[str] = field(default_factory=list)
    keepalives: int = 0
    frames: int = 0
    linktypes: set[int] = field(default_factory=set)
    # Every packet once, under what it was or why it was not read; `skipped` repeats the
    # reasons that may hide SIP.
    packets: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    # The SipFields of every message as columns (one sequence per field), when every row's
    # fields are None (parallel.scan_parallel deferred them all); else None.
    fields: list[Sequence[Any]] | None = None

    def attrs(self) -> dict[str, Any]:
        """Facts for DataFrame.attrs: frames, packets (what each was), skipped (reasons that
        may hide SIP), warnings (damage), SIP-capable TLS flows, keep-alives, link types."""
        return {"warnings": list(self.warnings), "frames": self.frames,
                "packets": dict(self.packets), "skipped": dict(self.skipped),
                "tls_flows": list(self.tls_flows), "keepalives": self.keepalives,
                "linktypes": sorted(self.linktypes)}


def _kind(payload: bytes) -> str:
    """What a datagram's payload is: SIP, RTP, a keep-alive, or something else."""
    if not payload:
        return EMPTY
    b0 = payload[0]
    if b0 & 0x80:
        return RTP if is_rtp(payload) else BINARY
    if b0 == 13 or b0 == 10:
        if not payload.strip(b"\r\n"):
            return KEEPALIVE
        return SIP if looks_like_sip(payload) else NOT_SIP
    if b0 < 4 and payload[4:8] == _STUN_COOKIE:
        return KEEPALIVE
    if (payload.startswith(b"SIP/2.0 ") or REQUEST_LINE.match(payload)
            or LOOSE_START_LINE.match(payload)):
        return SIP
    return NOT_SIP


def scan(source: Source, rtp: bool = False, strict: bool = False,
         defer: list[bytes] | None = None,
         on_window: Callable[[Scan], Any] | None = None) -> Scan:
    """Read the capture once; collect SIP messages, and RTP stream counters when `rtp`.

    With a `defer` list, each UDP message of the fast path is appended to it instead of being
    parsed, and its row carries None for fields until the caller fills it
    (parallel.scan_parallel does, so the parsing can be shared out); others are parsed here.
    `on_window` is called with the scan so far after each window of input (a live reader
    reports calls as they end).
    """
    parse = parse_message if defer is None else defer.append
    result = Scan(rtp=RtpCollector() if rtp else None)
    append = result.messages.append
    collector = result.rtp
    decoder = Decoder()
    tcp = TcpReassembler()
    linktypes = result.linktypes
    addresses: dict[bytes, str] = {}
    address = addresses.get
    unpack_udp = _ETHERNET_IPV4_UDP.unpack_from
    request_line = REQUEST_LINE.match
    loose_start = LOOSE_START_LINE.match
    tunnels = _TUNNEL_PORTS
    counts: dict[str, int] = {}
    count = counts.get
    tls_packets: dict[tuple[str, int, str, int], int] = {}
    may_hold = {FRAGMENT_LOST, TLS_SIP}
    # Counters of the fast path, kept in locals.
    n_sip = n_rtp = n_binary = n_keepalive = n_other = n_empty = 0
    last_linktype = -1
    number = 0
    for data, records in iter_windows(source, result.warnings, strict):
        if len(result.messages) >= MAX_MESSAGES:
            result.warnings.append(
                f"stopped after {MAX_MESSAGES} SIP messages: the input is larger than a capture "
                "this reader keeps in memory; cut it with editcap -r or a capture filter")
            break
        for number, ts, linktype, start, stop in records:
            if linktype != last_linktype:
                linktypes.add(linktype)
                last_linktype = linktype
            if linktype == 1 and stop - start >= 42:
                etype, version_ihl, total, fragment, proto, src4, dst4, sport, dport = unpack_udp(
                    data, start)
                fast = (etype == 0x0800 and version_ihl == 0x45 and proto == 17
                        and not fragment & 0x3FFF and sport not in tunnels and dport not in tunnels
                        and data[start + 42:start + 46] != b"HEP3")
            else:
                fast = False
            if fast:
                end = start + 14 + total
                if end > stop:
                    end = stop
                start += 42
                if start >= end:
                    n_empty += 1
                    continue
                b0 = data[start]
                if b0 & 0x80:
                    if end - start >= 12 and b0 & 0xC0 == 0x80 and not 72 <= data[start + 1] & 0x7F <= 76:
                        n_rtp += 1
                        if collector is not None:
                            collector.add(ts, address(src4) or _remember(addresses, src4), sport,
                                          address(dst4) or _remember(addresses, dst4), dport,
                                          data[start:end], number)
                    else:
                        n_binary += 1
                    continue
                payload = data[start:end]
                if b0 == 13 or b0 == 10:
                    if not payload.strip(b"\r\n"):
                        n_keepalive += 1
                        continue
                    if not looks_like_sip(payload):
                        n_other += 1
                        continue
                elif b0 < 4 and payload[4:8] == _STUN_COOKIE:
                    n_keepalive += 1
                    continue
                elif not (payload.startswith(b"SIP/2.0 ") or request_line(payload)
                          or loose_start(payload)):
                    n_other += 1
                    continue
                n_sip += 1
                append((ts, address(src4) or _remember(addresses, src4), sport,
                        address(dst4) or _remember(addresses, dst4), dport, "UDP", parse(payload),
                        number))
                continue
            decoded = decoder.decode(linktype, data[start:stop], ts)
            if isinstance(decoded, Skip):
                reason = FRAGMENT if decoded is PENDING else decoded.reason
                counts[reason] = count(reason, 0) + 1
                if decoded.may_hold_sip:
                    may_hold.add(reason)
                continue
            src, sport, dst, dport = decoded.src, decoded.sport, decoded.dst, decoded.dport
            if not decoded.whole:  # TCP off the wire: a piece of a byte stream
                key = (src, sport, dst, dport)
                payload = decoded.payloads[0]
                found = 0
                for message, transport in tcp.add(key, decoded.seq, decoded.flags, payload):
                    append((ts, src, sport, dst, dport, transport, parse_message(message), number))
                    found += 1
                mode = tcp.mode(key)
                if found:
                    kind = SIP
                elif not payload:
                    kind = EMPTY
                elif mode == "tls":
                    connection = key if key in tcp.tls_flows else (dst, dport, src, sport)
                    tls_packets[connection] = tls_packets.get(connection, 0) + 1
                    continue
                elif mode in ("sip", "ws", None):
                    kind = SIP_PART if mode else NOT_SIP
                else:
                    kind = NOT_SIP
                counts[kind] = count(kind, 0) + 1
                continue
            kinds = set()
            for payload in decoded.payloads:
                kind = _kind(payload)
                kinds.add(kind)
                if kind == SIP:
                    append((ts, src, sport, dst, dport, decoded.transport, parse_message(payload),
                            number))
                elif kind == RTP and collector is not None:
                    collector.add(ts, src, sport, dst, dport, payload, number)
            kind = (SIP if SIP in kinds else RTP if RTP in kinds else KEEPALIVE if KEEPALIVE in kinds
                    else NOT_SIP if NOT_SIP in kinds else BINARY if BINARY in kinds else EMPTY)
            counts[kind] = count(kind, 0) + 1
        if on_window is not None:
            on_window(result)
    for kind, n in ((SIP, n_sip), (RTP, n_rtp), (BINARY, n_binary), (KEEPALIVE, n_keepalive),
                    (NOT_SIP, n_other), (EMPTY, n_empty)):
        if n:
            counts[kind] = count(kind, 0) + n
    lost = decoder.pending_fragments()
    if lost:
        counts[FRAGMENT] -= lost
        counts[FRAGMENT_LOST] = lost
        if not counts[FRAGMENT]:
            del counts[FRAGMENT]
    for connection, n in tls_packets.items():
        hello = tcp.tls_flows.get(connection)
        if carries_sip(connection[1], connection[3], hello):
            counts[TLS_SIP] = count(TLS_SIP, 0) + n
            s, sp, d, dp = connection
            name = f" ({hello.server_name})" if hello is not None and hello.server_name else ""
            result.tls_flows.append(f"{s}:{sp} -> {d}:{dp}{name}")
        else:
            counts[TLS_OTHER] = count(TLS_OTHER, 0) + n
    result.frames = number
    result.packets = dict(sorted(counts.items(), key=lambda item: -item[1]))
    result.skipped = {reason: n for reason, n in result.packets.items()
                      if reason in may_hold}
    result.keepalives = counts.get(KEEPALIVE, 0) + tcp.keepalives
    return result


def _remember(addresses: dict[bytes, str], raw: bytes) -> str:
    """Dotted text of a 4-byte IPv4 address, kept so each address is one shared string."""
    if len(addresses) >= 65536:
        addresses.clear()
    text = addresses[raw] = _ntoa(raw)
    return text
