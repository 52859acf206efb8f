"""Link and IP layers: find the IPv4/IPv6 packet inside each frame and reassemble IP fragments.

Link types: Ethernet (802.1Q / QinQ tags skipped), Linux cooked v1 and v2, raw IP, raw IPv4,
raw IPv6, BSD null/loopback. IP-in-IP (protocols 4 and 41) is unwrapped so the inner packet is
what the SIP layer sees, as Wireshark does.
"""

from __future__ import annotations

import socket
import struct

__all__ = ["link_payload", "IpLayer"]

_VLAN_TYPES = (0x8100, 0x88A8, 0x9100, 0x9200)
_IPV6_EXTENSIONS = (0, 43, 60, 51)  # hop-by-hop, routing, destination options, AH
_FRAGMENT_TIMEOUT_NS = 60_000_000_000
_ntoa = socket.inet_ntoa


def _ntop6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def link_payload(linktype: int, data: bytes) -> tuple[int, bytes] | None:
    """(IP version 4 or 6, bytes from the IP header on) for a frame, or None if not IP."""
    if linktype == 1:
        if len(data) < 14:
            return None
        etype = (data[12] << 8) | data[13]
        off = 14
        while etype in _VLAN_TYPES and off + 4 <= len(data):
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        return _by_ethertype(etype, data[off:])
    if linktype == 113:  # Linux cooked v1: 16-byte header, protocol at 14
        if len(data) < 16:
            return None
        etype = (data[14] << 8) | data[15]
        off = 16
        while etype in _VLAN_TYPES and off + 4 <= len(data):
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        return _by_ethertype(etype, data[off:])
    if linktype == 276:  # Linux cooked v2: 20-byte header, protocol at 0
        if len(data) < 20:
            return None
        etype = (data[0] << 8) | data[1]
        off = 20
        while etype in _VLAN_TYPES and off + 4 <= len(data):
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        return _by_ethertype(etype, data[off:])
    if linktype in (101, 12, 14):
        return _by_version(data)
    if linktype == 228:
        return (4, data)
    if linktype == 229:
        return (6, data)
    if linktype in (0, 108):  # BSD null (host order) / loopback (network order): address family
        if len(data) < 4:
            return None
        families = {struct.unpack_from("<I", data)[0], struct.unpack_from(">I", data)[0]}
        if 2 in families:
            return (4, data[4:])
        if families & {10, 24, 28, 30}:
            return (6, data[4:])
        return None
    return None


def _by_ethertype(etype: int, payload: bytes) -> tuple[int, bytes] | None:
    if etype == 0x0800:
        return (4, payload)
    if etype == 0x86DD:
        return (6, payload)
    return None


def _by_version(data: bytes) -> tuple[int, bytes] | None:
    if not data:
        return None
    version = data[0] >> 4
    return (version, data) if version in (4, 6) else None


class IpLayer:
    """Decode IPv4/IPv6 headers and hold fragments until their datagram is complete."""

    __slots__ = ("_fragments",)

    def __init__(self) -> None:
        self._fragments: dict[tuple, dict] = {}

    def decode(self, version: int, data: bytes, ts: int,
               depth: int = 0) -> tuple[str, str, int, bytes] | None:
        """(source, destination, protocol, transport bytes) once a datagram is whole, else None."""
        if version == 4:
            result = self._ipv4(data, ts)
        else:
            result = self._ipv6(data, ts)
        if result is None:
            return None
        if result[2] in (4, 41) and depth < 3:  # IP-in-IP, IPv6-in-IP
            inner = _by_version(result[3])
            if inner is None:
                return None
            return self.decode(inner[0], inner[1], ts, depth + 1)
        return result

    def _ipv4(self, data: bytes, ts: int) -> tuple[str, str, int, bytes] | None:
        if len(data) < 20 or data[0] >> 4 != 4:
            return None
        ihl = (data[0] & 15) * 4
        total = (data[2] << 8) | data[3]
        if ihl < 20 or total < ihl:
            return None
        payload = data[ihl:total] if total <= len(data) else data[ihl:]
        src = _ntoa(data[12:16])
        dst = _ntoa(data[16:20])
        proto = data[9]
        frag = ((data[6] << 8) | data[7])
        more = frag & 0x2000
        offset = (frag & 0x1FFF) * 8
        if not more and offset == 0:
            return src, dst, proto, payload
        key = (4, src, dst, (data[4] << 8) | data[5], proto)
        whole = self._add_fragment(key, offset, payload, bool(more), ts)
        return None if whole is None else (src, dst, proto, whole)

    def _ipv6(self, data: bytes, ts: int) -> tuple[str, str, int, bytes] | None:
        if len(data) < 40 or data[0] >> 4 != 6:
            return None
        plen = (data[4] << 8) | data[5]
        nxt = data[6]
        src = _ntop6(data[8:24])
        dst = _ntop6(data[24:40])
        end = 40 + plen if plen and 40 + plen <= len(data) else len(data)
        off = 40
        while nxt in _IPV6_EXTENSIONS or nxt == 44:
            if off + 8 > end:
                return None
            if nxt == 44:  # fragment header
                following = data[off]
                frag = (data[off + 2] << 8) | data[off + 3]
                ident = struct.unpack_from(">I", data, off + 4)[0]
                payload = data[off + 8:end]
                key = (6, src, dst, ident, following)
                whole = self._add_fragment(key, frag & 0xFFF8, payload, bool(frag & 1), ts)
                if whole is None:
                    return None
                return self._ipv6_after_fragment(src, dst, following, whole)
            length = (data[off + 1] + 2) * 4 if nxt == 51 else (data[off + 1] + 1) * 8
            nxt = data[off]
            off += length
        return src, dst, nxt, data[off:end]

    @staticmethod
    def _ipv6_after_fragment(src: str, dst: str, nxt: int,
                             data: bytes) -> tuple[str, str, int, bytes] | None:
        off = 0
        while nxt in _IPV6_EXTENSIONS:
            if off + 8 > len(data):
                return None
            length = (data[off + 1] + 2) * 4 if nxt == 51 else (data[off + 1] + 1) * 8
            nxt = data[off]
            off += length
        return src, dst, nxt, data[off:]

    def _add_fragment(self, key: tuple, offset: int, payload: bytes, more: bool,
                      ts: int) -> bytes | None:
        entry = self._fragments.get(key)
        if entry is None or ts - entry["ts"] > _FRAGMENT_TIMEOUT_NS:
            entry = {"ts": ts, "parts": {}, "total": None}
            self._fragments[key] = entry
        entry["parts"][offset] = payload
        if not more:
            entry["total"] = offset + len(payload)
        total = entry["total"]
        if total is None:
            return None
        have = 0
        out = bytearray()
        for start in sorted(entry["parts"]):
            part = entry["parts"][start]
            if start > have:
                return None  # a hole: wait for the missing fragment
            if start + len(part) > have:
                out += part[have - start:]
                have = start + len(part)
        if have < total:
            return None
        del self._fragments[key]
        return bytes(out[:total])
