"""The Internet checksum and the transport pseudo-header it covers, for writing IP/UDP/TCP.

RFC 1071 (the one's complement sum); the pseudo-header of RFC 768 and RFC 793 §3.1 for IPv4 and of
RFC 8200 §8.1 for IPv6.
"""

from __future__ import annotations

import struct

__all__ = ["internet_checksum", "pseudo_header"]


def internet_checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of `data`: a 16-bit int; odd lengths are padded with a zero."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src: bytes, dst: bytes, proto: int, length: int) -> bytes:
    """The pseudo-header a UDP/TCP checksum covers, for packed addresses (4 bytes IPv4, 16 IPv6).

    `proto` is the IP protocol number (17 UDP, 6 TCP), `length` the transport header and payload in bytes.
    """
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!IxxxB", length, proto)
