"""Build SIP message bytes and RTP packets for scenario captures (samples, tests, benchmarks).

Messages come out with CRLF line ends and a correct Content-Length, the way a real user agent
writes them, so a capture built from them parses as a real one does.
"""

from __future__ import annotations

import struct
from typing import Iterable, Sequence

__all__ = ["request", "response", "sdp_body", "rtp_payload"]


def _message(start: str, headers: Sequence[tuple[str, str]], body: str = "") -> bytes:
    raw_body = body.encode()
    lines = [start, *(f"{name}: {value}" for name, value in headers)]
    lines.append(f"Content-Length: {len(raw_body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + raw_body


def request(method: str, uri: str, headers: Sequence[tuple[str, str]], body: str = "") -> bytes:
    """A request: start line, the headers in order, Content-Length, blank line, body."""
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        headers = [*headers, ("Content-Type", "application/sdp")]
    return _message(f"{method} {uri} SIP/2.0", headers, body)


def response(status: int, reason: str, headers: Sequence[tuple[str, str]], body: str = "") -> bytes:
    """A response: status line, headers, Content-Length, blank line, body."""
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        headers = [*headers, ("Content-Type", "application/sdp")]
    return _message(f"SIP/2.0 {status} {reason}", headers, body)


def sdp_body(address: str, port: int, session_id: int = 1, formats: Iterable[int] = (0, 101),
             direction: str = "sendrecv") -> str:
    """An audio offer/answer: PCMU and telephone-event on `address:port`."""
    fmts = list(formats)
    lines = ["v=0", f"o=- {session_id} {session_id} IN IP4 {address}", "s=-",
             f"c=IN IP4 {address}", "t=0 0", f"m=audio {port} RTP/AVP {' '.join(map(str, fmts))}"]
    names = {0: "PCMU/8000", 8: "PCMA/8000", 18: "G729/8000", 101: "telephone-event/8000"}
    lines += [f"a=rtpmap:{f} {names.get(f, 'unknown/8000')}" for f in fmts]
    lines += ["a=ptime:20", f"a={direction}"]
    return "\r\n".join(lines) + "\r\n"


def rtp_payload(seq: int, timestamp: int, ssrc: int, payload_type: int = 0,
                size: int = 160, marker: bool = False) -> bytes:
    """One RTP packet (version 2, no CSRC) carrying `size` bytes of silence."""
    header = struct.pack(">BBHII", 0x80, (0x80 if marker else 0) | payload_type, seq & 0xFFFF,
                         timestamp & 0xFFFFFFFF, ssrc)
    return header + b"\xff" * size
