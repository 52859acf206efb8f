"""The two facts of a TLS ClientHello that tell whether a connection can carry SIP: the server
name (SNI, RFC 6066 §3) and the offered application protocols (ALPN, RFC 7301)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Hello", "client_hello", "carries_sip"]

SIP_TLS_PORT = 5061  # RFC 3261 §19.1.2: the default port for sips: / SIP over TLS
_HTTP_ALPN = frozenset({"h2", "http/1.1", "http/1.0", "h3", "spdy/3.1"})


class Hello(NamedTuple):
    """What a ClientHello says: server name (or None) and offered ALPN protocols."""

    server_name: str | None
    alpn: tuple[str, ...]


def client_hello(data: bytes) -> Hello | None:
    """The SNI and ALPN of the ClientHello at the start of a TLS stream, or None."""
    if len(data) < 9 or data[0] != 0x16 or data[5] != 0x01:
        return None
    end = min(len(data), 5 + int.from_bytes(data[3:5], "big"))
    pos = 9 + 2 + 32  # handshake header, version, random
    try:
        pos += 1 + data[pos]  # session id
        pos += 2 + int.from_bytes(data[pos:pos + 2], "big")  # cipher suites
        pos += 1 + data[pos]  # compression methods
        stop = min(end, pos + 2 + int.from_bytes(data[pos:pos + 2], "big"))
        pos += 2
        name: str | None = None
        alpn: list[str] = []
        while pos + 4 <= stop:
            kind = int.from_bytes(data[pos:pos + 2], "big")
            length = int.from_bytes(data[pos + 2:pos + 4], "big")
            body = data[pos + 4:pos + 4 + length]
            if kind == 0 and len(body) >= 5 and body[2] == 0:
                size = int.from_bytes(body[3:5], "big")
                name = body[5:5 + size].decode("ascii", "replace").lower()
            elif kind == 16 and len(body) >= 2:
                i = 2
                while i < len(body):
                    size = body[i]
                    alpn.append(body[i + 1:i + 1 + size].decode("ascii", "replace"))
                    i += 1 + size
            pos += 4 + length
    except IndexError:
        return None
    return Hello(name, tuple(alpn))


def carries_sip(sport: int, dport: int, hello: Hello | None) -> bool:
    """True for a TLS connection that can carry SIP: port 5061 on either side or a server
    name under twilio.com, and no ClientHello offering HTTP (h2, http/1.1) through ALPN."""
    if hello is not None and _HTTP_ALPN.intersection(hello.alpn):
        return False
    if SIP_TLS_PORT in (sport, dport):
        return True
    name = (hello.server_name if hello is not None else None) or ""
    return name == "twilio.com" or name.endswith(".twilio.com")
