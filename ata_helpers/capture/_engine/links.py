"""Link layers, tunnels and IP: find the transport segment inside each captured frame.

`Decoder.decode(linktype, frame, ts)` gives either a `Segment` (UDP, TCP or SCTP, with the
layers it was found under and their offsets in the frame) or a `Skip` that says why the frame
holds nothing to read (and whether it might have held SIP).

Link types: Ethernet (802.1Q/QinQ tags), Linux cooked v1/v2, raw IP, raw IPv4/IPv6, BSD
null/loopback, PPP, NFLOG (239). Inside: PPPoE sessions, MPLS label stacks, IPv4/IPv6 with
fragment reassembly, IP-in-IP, GRE (RFC 2784/2890, with transparent Ethernet bridging and ERSPAN
types I, II and III), VXLAN (RFC 7348), and HEP v1/v2/v3 (the Homer encapsulation) on UDP.
"""

from __future__ import annotations

import socket
import struct
import zlib
from typing import NamedTuple

__all__ = ["Layer", "Segment", "Skip", "Decoder", "LINKTYPE_NAMES", "VXLAN_PORTS", "HEP_PORTS"]

LINKTYPE_NAMES = {0: "BSD null", 1: "Ethernet", 9: "PPP", 12: "raw IP", 14: "raw IP",
                  50: "PPP in HDLC framing", 101: "raw IP", 108: "BSD loopback",
                  113: "Linux cooked v1", 228: "raw IPv4", 229: "raw IPv6", 239: "NFLOG",
                  276: "Linux cooked v2"}
VXLAN_PORTS = frozenset({4789, 8472})  # IANA's port, and the Linux kernel's older default
HEP_PORTS = frozenset({9060, 9061, 9063})  # Homer's usual collector ports

_VLAN_TYPES = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
_IPV6_EXTENSIONS = frozenset({0, 43, 60, 51})  # hop-by-hop, routing, destination options, AH
_FRAGMENT_TIMEOUT_NS = 60_000_000_000
_MAX_DEPTH = 6  # tunnels inside tunnels
_ntoa = socket.inet_ntoa


def _ntop6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


class Layer(NamedTuple):
    """One header a segment was found under: its name and where it starts in the frame
    (-1 when it sits in a datagram reassembled from several frames)."""

    name: str
    offset: int


class Segment(NamedTuple):
    """A transport segment: addresses, ports and payloads, and the layers around it.

    `payloads` holds the UDP payload, the TCP payload, each whole SCTP DATA user message, or
    the packet a HEP message carries; `whole` is False only for TCP read off the wire, whose
    payload is a piece of a byte stream; `seq` and `flags` are TCP's (0 otherwise)."""

    transport: str
    src: str
    sport: int
    dst: str
    dport: int
    payloads: tuple[bytes, ...]
    seq: int
    flags: int
    layers: tuple[Layer, ...]
    whole: bool = True


class Skip(NamedTuple):
    """Why a frame gives no segment, and whether the frame might have held SIP."""

    reason: str
    may_hold_sip: bool


PENDING = Skip("IP fragment (held until its datagram is whole)", False)


class Decoder:
    """Decode frames in capture order, holding IP fragments and SCTP message fragments."""

    def __init__(self) -> None:
        self._fragments: dict[tuple, dict] = {}
        self._sctp_parts: dict[tuple, list[bytes]] = {}

    def decode(self, linktype: int, frame: bytes, ts: int) -> Segment | Skip:
        """The transport segment in one frame, or why there is none."""
        return self._link(linktype, frame, ts, [])

    def pending_fragments(self) -> int:
        """Fragments held for datagrams still incomplete (at the end: never completed)."""
        return sum(len(entry["parts"]) for entry in self._fragments.values())

    # --- link layers -------------------------------------------------------------------
    def _link(self, linktype: int, data: bytes, ts: int, layers: list[Layer]) -> Segment | Skip:
        size = len(data)
        if linktype == 1:
            return self._ethernet(data, 0, ts, layers, 0)
        if linktype == 113:  # Linux cooked v1: 16-byte header, protocol at 14
            if size < 16:
                return Skip("damaged link header", True)
            layers.append(Layer("sll", 0))
            return self._ethertype((data[14] << 8) | data[15], data, 16, ts, layers, 0)
        if linktype == 276:  # Linux cooked v2: 20-byte header, protocol at 0
            if size < 20:
                return Skip("damaged link header", True)
            layers.append(Layer("sll2", 0))
            return self._ethertype((data[0] << 8) | data[1], data, 20, ts, layers, 0)
        if linktype in (101, 12, 14):
            return self._ip_by_version(data, 0, ts, layers, 0)
        if linktype == 228:
            return self._ip(4, data, 0, ts, layers, 0)
        if linktype == 229:
            return self._ip(6, data, 0, ts, layers, 0)
        if linktype in (0, 108):  # BSD null (host order) / loopback (network order)
            if size < 4:
                return Skip("damaged link header", True)
            families = {struct.unpack_from("<I", data)[0], struct.unpack_from(">I", data)[0]}
            layers.append(Layer("null", 0))
            if 2 in families:
                return self._ip(4, data, 4, ts, layers, 0)
            if families & {10, 24, 28, 30}:
                return self._ip(6, data, 4, ts, layers, 0)
            return Skip("not IP (loopback address family)", False)
        if linktype in (9, 50):
            layers.append(Layer("ppp", 0))
            off = 2 if data[:2] == b"\xff\x03" else 0
            return self._ppp(data, off, ts, layers, 0)
        if linktype == 239:
            return self._nflog(data, ts, layers)
        name = LINKTYPE_NAMES.get(linktype, "not supported")
        return Skip(f"link type {linktype} ({name})", True)

    def _nflog(self, data: bytes, ts: int, layers: list[Layer]) -> Segment | Skip:
        """NFLOG (link type 239): family, version, resource id, then TLVs whose length and type
        are in the capturing host's byte order; the packet is the payload TLV (type 9)."""
        if len(data) < 4:
            return Skip("damaged link header", True)
        layers.append(Layer("nflog", 0))
        family = data[0]
        for endian in ("<", ">"):
            off = 4
            while off + 4 <= len(data):
                length, kind = struct.unpack_from(endian + "HH", data, off)
                if length < 4 or off + length > len(data):
                    break
                if kind == 9:
                    version = 4 if family == 2 else 6 if family == 10 else 0
                    if version == 0:
                        return Skip(f"not IP (NFLOG family {family})", False)
                    sub = data[off + 4:off + length]
                    return self._ip(version, sub, 0, ts, layers, 1)
                off += (length + 3) & ~3
        return Skip("NFLOG record without a packet", False)

    def _ethernet(self, data: bytes, off: int, ts: int, layers: list[Layer],
                  depth: int) -> Segment | Skip:
        if len(data) < off + 14:
            return Skip("damaged link header", True)
        layers.append(Layer("ethernet", off if depth == 0 else -1))
        return self._ethertype((data[off + 12] << 8) | data[off + 13], data, off + 14, ts,
                               layers, depth)

    def _ethertype(self, etype: int, data: bytes, off: int, ts: int, layers: list[Layer],
                   depth: int) -> Segment | Skip:
        while etype in _VLAN_TYPES:
            if len(data) < off + 4:
                return Skip("damaged link header", True)
            layers.append(Layer("vlan", off if depth == 0 else -1))
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        if etype == 0x0800:
            return self._ip(4, data, off, ts, layers, depth)
        if etype == 0x86DD:
            return self._ip(6, data, off, ts, layers, depth)
        if etype == 0x8864:  # PPPoE session stage: 6-byte header, then PPP (RFC 2516)
            if len(data) < off + 8:
                return Skip("damaged PPPoE header", True)
            layers.append(Layer("pppoe", off if depth == 0 else -1))
            return self._ppp(data, off + 6, ts, layers, depth)
        if etype == 0x8863:
            return Skip("not IP (PPPoE discovery)", False)
        if etype in (0x8847, 0x8848):
            return self._mpls(data, off, ts, layers, depth)
        if etype < 0x0600:
            return Skip("not IP (802.3 frame)", False)
        return Skip(f"not IP (EtherType 0x{etype:04x})", False)

    def _ppp(self, data: bytes, off: int, ts: int, layers: list[Layer],
             depth: int) -> Segment | Skip:
        if len(data) < off + 2:
            return Skip("damaged PPP header", True)
        if data[off] & 1:  # protocol field compressed to one byte (RFC 1661 §6.5)
            protocol, off = data[off], off + 1
        else:
            protocol, off = (data[off] << 8) | data[off + 1], off + 2
        if protocol == 0x0021:
            return self._ip(4, data, off, ts, layers, depth)
        if protocol == 0x0057:
            return self._ip(6, data, off, ts, layers, depth)
        return Skip(f"not IP (PPP protocol 0x{protocol:04x}: link control)", False)

    def _mpls(self, data: bytes, off: int, ts: int, layers: list[Layer],
              depth: int) -> Segment | Skip:
        while True:
            if len(data) < off + 4:
                return Skip("damaged MPLS label stack", True)
            layers.append(Layer("mpls", off if depth == 0 else -1))
            bottom = data[off + 2] & 1
            off += 4
            if bottom:
                break
        if off >= len(data):
            return Skip("damaged MPLS label stack", True)
        nibble = data[off] >> 4
        if nibble in (4, 6):
            return self._ip(nibble, data, off, ts, layers, depth)
        if nibble == 0 and depth < _MAX_DEPTH:  # pseudowire control word, then Ethernet (RFC 4448)
            return self._ethernet(data, off + 4, ts, layers, depth)
        return Skip("MPLS payload that is not IP or Ethernet", True)

    # --- IP ----------------------------------------------------------------------------
    def _ip_by_version(self, data: bytes, off: int, ts: int, layers: list[Layer],
                       depth: int) -> Segment | Skip:
        version = data[off] >> 4 if len(data) > off else 0
        if version not in (4, 6):
            return Skip("not IP (raw packet of another version)", False)
        return self._ip(version, data, off, ts, layers, depth)

    def _ip(self, version: int, data: bytes, off: int, ts: int, layers: list[Layer],
            depth: int) -> Segment | Skip:
        inner = depth > 0
        layers.append(Layer("ipv4" if version == 4 else "ipv6", -1 if inner else off))
        result = self._ipv4(data, off, ts) if version == 4 else self._ipv6(data, off, ts)
        if isinstance(result, Skip):
            return result
        src, dst, proto, data, off = result
        if off < 0:  # reassembled from fragments: offsets no longer point into the frame
            off, depth = 0, depth + 1
        in_frame = depth == 0
        if proto in (4, 41):
            if depth >= _MAX_DEPTH:
                return Skip("tunnels nested too deep", True)
            return self._ip(4 if proto == 4 else 6, data, off, ts, layers, depth + 1)
        if proto == 47:
            return self._gre(data, off, ts, layers, depth)
        if proto == 17:
            return self._udp(src, dst, data, off, ts, layers, depth)
        if proto == 6:
            if len(data) < off + 20:
                return Skip("damaged TCP header", True)
            sport = (data[off] << 8) | data[off + 1]
            dport = (data[off + 2] << 8) | data[off + 3]
            seq = int.from_bytes(data[off + 4:off + 8], "big")
            header = (data[off + 12] >> 4) * 4
            layers.append(Layer("tcp", off if in_frame else -1))
            return Segment("TCP", src, sport, dst, dport, (data[off + header:],), seq,
                           data[off + 13], tuple(layers), False)
        if proto == 132:
            return self._sctp(src, dst, data, off, layers, in_frame)
        if proto == 50:
            return Skip("IPsec ESP (encrypted)", True)
        return Skip(f"not UDP, TCP or SCTP (IP protocol {proto})", False)

    def _ipv4(self, data: bytes, off: int,
              ts: int) -> tuple[str, str, int, bytes, int] | Skip:
        if len(data) < off + 20 or data[off] >> 4 != 4:
            return Skip("damaged IPv4 header", True)
        ihl = (data[off] & 15) * 4
        total = (data[off + 2] << 8) | data[off + 3]
        if ihl < 20 or total < ihl:
            return Skip("damaged IPv4 header", True)
        end = off + total if off + total <= len(data) else len(data)
        src = _ntoa(data[off + 12:off + 16])
        dst = _ntoa(data[off + 16:off + 20])
        proto = data[off + 9]
        frag = (data[off + 6] << 8) | data[off + 7]
        more = frag & 0x2000
        offset = (frag & 0x1FFF) * 8
        if not more and offset == 0:  # data[:end] drops link-layer padding, keeps offsets
            return src, dst, proto, data if end == len(data) else data[:end], off + ihl
        key = (4, src, dst, (data[off + 4] << 8) | data[off + 5], proto)
        whole = self._add_fragment(key, offset, data[off + ihl:end], bool(more), ts)
        return PENDING if whole is None else (src, dst, proto, whole, -1)

    def _ipv6(self, data: bytes, off: int,
              ts: int) -> tuple[str, str, int, bytes, int] | Skip:
        if len(data) < off + 40 or data[off] >> 4 != 6:
            return Skip("damaged IPv6 header", True)
        plen = (data[off + 4] << 8) | data[off + 5]
        nxt = data[off + 6]
        src = _ntop6(data[off + 8:off + 24])
        dst = _ntop6(data[off + 24:off + 40])
        end = off + 40 + plen if plen and off + 40 + plen <= len(data) else len(data)
        pos = off + 40
        while nxt in _IPV6_EXTENSIONS or nxt == 44:
            if pos + 8 > end:
                return Skip("damaged IPv6 extension header", True)
            if nxt == 44:  # fragment header
                following = data[pos]
                frag = (data[pos + 2] << 8) | data[pos + 3]
                ident = struct.unpack_from(">I", data, pos + 4)[0]
                key = (6, src, dst, ident, following)
                whole = self._add_fragment(key, frag & 0xFFF8, data[pos + 8:end], bool(frag & 1), ts)
                if whole is None:
                    return PENDING
                nxt, start = self._after_extensions(following, whole)
                if start < 0:
                    return Skip("damaged IPv6 extension header", True)
                return src, dst, nxt, whole[start:], -1
            length = (data[pos + 1] + 2) * 4 if nxt == 51 else (data[pos + 1] + 1) * 8
            nxt = data[pos]
            pos += length
        return src, dst, nxt, data if end == len(data) else data[:end], pos

    @staticmethod
    def _after_extensions(nxt: int, data: bytes) -> tuple[int, int]:
        pos = 0
        while nxt in _IPV6_EXTENSIONS:
            if pos + 8 > len(data):
                return nxt, -1
            length = (data[pos + 1] + 2) * 4 if nxt == 51 else (data[pos + 1] + 1) * 8
            nxt = data[pos]
            pos += length
        return nxt, pos

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

    # --- tunnels and transports --------------------------------------------------------
    def _gre(self, data: bytes, off: int, ts: int, layers: list[Layer],
             depth: int) -> Segment | Skip:
        """GRE (RFC 2784, key and sequence of RFC 2890, PPTP's version 1 of RFC 2637)."""
        if len(data) < off + 4 or depth >= _MAX_DEPTH:
            return Skip("damaged GRE header", True)
        layers.append(Layer("gre", off if depth == 0 else -1))
        flags, version = data[off], data[off + 1] & 7
        ptype = (data[off + 2] << 8) | data[off + 3]
        hlen = 4 + 4 * (bool(flags & 0x80) + bool(flags & 0x20) + bool(flags & 0x10))
        if version == 1 and data[off + 1] & 0x80:
            hlen += 4  # PPTP acknowledgement number
        body = off + hlen
        if len(data) < body:
            return Skip("damaged GRE header", True)
        if ptype in (0x0800, 0x86DD):
            return self._ip(4 if ptype == 0x0800 else 6, data, body, ts, layers, depth + 1)
        if ptype == 0x6558:  # transparent Ethernet bridging
            return self._ethernet(data, body, ts, layers, depth + 1)
        if ptype == 0x88BE:  # ERSPAN type II (sequence bit set: 8-byte header) or type I
            if flags & 0x10:
                layers.append(Layer("erspan2", body if depth == 0 else -1))
                body += 8
            return self._ethernet(data, body, ts, layers, depth + 1)
        if ptype == 0x22EB:  # ERSPAN type III: 12 bytes, 8 more with the O bit
            if len(data) < body + 12:
                return Skip("damaged ERSPAN header", True)
            layers.append(Layer("erspan3", body if depth == 0 else -1))
            body += 20 if data[body + 11] & 1 else 12
            return self._ethernet(data, body, ts, layers, depth + 1)
        if ptype == 0x880B:
            return self._ppp(data, body, ts, layers, depth + 1)
        if ptype in (0x8847, 0x8848):
            return self._mpls(data, body, ts, layers, depth + 1)
        return Skip(f"GRE carrying protocol 0x{ptype:04x}", True)

    def _udp(self, src: str, dst: str, data: bytes, off: int, ts: int, layers: list[Layer],
             depth: int) -> Segment | Skip:
        if len(data) < off + 8:
            return Skip("damaged UDP header", True)
        sport = (data[off] << 8) | data[off + 1]
        dport = (data[off + 2] << 8) | data[off + 3]
        ulen = (data[off + 4] << 8) | data[off + 5]
        end = off + ulen if 8 <= ulen and off + ulen <= len(data) else len(data)
        layers.append(Layer("udp", off if depth == 0 else -1))
        body = off + 8
        if ((dport in VXLAN_PORTS or sport in VXLAN_PORTS) and end - body >= 8 + 14
                and data[body] & 0x08 and depth < _MAX_DEPTH):
            layers.append(Layer("vxlan", body if depth == 0 else -1))
            return self._ethernet(data[:end], body + 8, ts, layers, depth + 1)
        payload = data[body:end]
        if payload[:4] == b"HEP3" or (payload[:1] in (b"\x01", b"\x02")
                                      and (dport in HEP_PORTS or sport in HEP_PORTS)):
            layers.append(Layer("hep", body if depth == 0 else -1))
            return _hep(payload, tuple(layers))
        return Segment("UDP", src, sport, dst, dport, (payload,), 0, 0, tuple(layers))

    def _sctp(self, src: str, dst: str, data: bytes, off: int, layers: list[Layer],
              in_frame: bool) -> Segment | Skip:
        """SCTP (RFC 9260): the user messages of its DATA chunks, fragments joined in order."""
        if len(data) < off + 12:
            return Skip("damaged SCTP header", True)
        layers.append(Layer("sctp", off if in_frame else -1))
        sport = (data[off] << 8) | data[off + 1]
        dport = (data[off + 2] << 8) | data[off + 3]
        messages = []
        pos = off + 12
        while pos + 4 <= len(data):
            kind, flags, length = data[pos], data[pos + 1], (data[pos + 2] << 8) | data[pos + 3]
            if length < 4 or pos + length > len(data):
                break
            if kind == 0 and length >= 16:  # DATA: TSN, stream, stream sequence, PPID
                stream = (data[pos + 8] << 8) | data[pos + 9]
                user = data[pos + 16:pos + length]
                key = (src, sport, dst, dport, stream)
                if flags & 3 == 3:  # beginning and end: a whole message
                    messages.append(user)
                elif flags & 2:
                    self._sctp_parts[key] = [user]
                elif key in self._sctp_parts:
                    self._sctp_parts[key].append(user)
                    if flags & 1:
                        messages.append(b"".join(self._sctp_parts.pop(key)))
            pos += (length + 3) & ~3
        return Segment("SCTP", src, sport, dst, dport, tuple(messages), 0, 0, tuple(layers))


def _hep(payload: bytes, layers: tuple[Layer, ...]) -> Segment | Skip:
    """The packet a HEP v1/v2/v3 message carries, with the addresses the agent saw."""
    if payload[:4] == b"HEP3":
        fields: dict[int, bytes] = {}
        total = int.from_bytes(payload[4:6], "big")
        pos, end = 6, min(total, len(payload))
        while pos + 6 <= end:
            _vendor, kind, length = struct.unpack_from(">HHH", payload, pos)
            if length < 6 or pos + length > end:
                return Skip("damaged HEP message", True)
            fields[kind] = payload[pos + 6:pos + length]
            pos += length
        if fields.get(11, b"\x01")[:1] != b"\x01":
            return Skip("HEP carrying another protocol than SIP", False)
        body = fields.get(15)
        if body is None and 16 in fields:
            try:
                body = zlib.decompress(fields[16])
            except zlib.error:
                return Skip("damaged HEP message", True)
        if body is None:
            return Skip("HEP message without a payload", False)
        try:
            if 3 in fields:
                src, dst = _ntoa(fields[3]), _ntoa(fields[4])
            else:
                src, dst = _ntop6(fields[5]), _ntop6(fields[6])
            sport = int.from_bytes(fields[7], "big")
            dport = int.from_bytes(fields[8], "big")
        except (KeyError, OSError, ValueError):
            return Skip("damaged HEP message", True)
        proto = fields.get(2, b"\x11")[:1]
    else:  # HEP v1/v2: 8-byte header, addresses, v2's time header, then the packet
        if len(payload) < 16:
            return Skip("damaged HEP message", True)
        version, hlen, family, proto_num = payload[0], payload[1], payload[2], payload[3]
        sport, dport = struct.unpack_from(">HH", payload, 4)
        if family == 2 and hlen == 16:
            src, dst = _ntoa(payload[8:12]), _ntoa(payload[12:16])
        elif family == 10 and hlen == 40 and len(payload) >= 40:
            src, dst = _ntop6(payload[8:24]), _ntop6(payload[24:40])
        else:
            return Skip("damaged HEP message", True)
        body = payload[hlen + (12 if version == 2 else 0):]
        proto = bytes([proto_num])
    transport = {b"\x06": "TCP", b"\x84": "SCTP"}.get(proto, "UDP")
    return Segment(transport, src, sport, dst, dport, (body,), 0, 0, layers)
