"""Decode each frame down to its transport payload, and build it again around a new payload.

Link types: Ethernet (with 802.1Q/QinQ tags), Linux cooked v1 and v2, raw IP, BSD null/loopback
and NFLOG; ARP; IPv4 (with options) and IPv6 (with extension headers), IP-in-IP; UDP and TCP.
Addresses (MAC and IP) go through the stand-ins; IP total/payload lengths, UDP length and the IPv4,
UDP and TCP checksums are computed again. What cannot be rewritten safely raises Unreadable.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import Callable

from ...errors import AnonymizeError as Unreadable
from ..checksums import internet_checksum, pseudo_header

__all__ = ["Unreadable", "Frame", "decode", "rewrite_icmp", "rewrite_arp"]

_VLAN = (0x8100, 0x88A8, 0x9100, 0x9200)
_IPV6_EXTENSIONS = (0, 43, 60, 51)
_LINK_NAMES = {1: "Ethernet", 113: "Linux cooked v1", 276: "Linux cooked v2", 101: "raw IP", 12: "raw IP",
               14: "raw IP", 228: "raw IPv4", 229: "raw IPv6", 0: "BSD null", 108: "BSD loopback", 239: "NFLOG"}


@dataclass
class Ip:
    """One IP header (outermost first when tunnelled)."""

    version: int
    header: bytes  # from the version byte to the transport (extension headers included)
    src: bytes
    dst: bytes
    declared: int  # bytes the header says follow it (IPv4: total - header; IPv6: payload - extensions)


@dataclass
class Frame:
    """A frame taken apart: link header, IP headers, transport header, payload and what trails it."""

    number: int
    linktype: int
    link: bytes
    ips: list[Ip]
    proto: int
    transport: bytes
    payload: bytes
    trailer: bytes
    truncated: bool
    nflog: tuple[list[tuple[int, bytes]], str] | None = None  # NFLOG TLVs (type, value) and byte order
    fragment: tuple[int, int, bool] | None = None  # IPv4 fragment: (identification, offset, more fragments)

    @property
    def flow(self) -> tuple[str, int, str, int]:
        """(source, source port, destination, destination port) of the innermost IP packet."""
        ip = self.ips[-1]
        sport, dport = struct.unpack_from("!HH", self.transport) if len(self.transport) >= 4 else (0, 0)
        return (str(ipaddress.ip_address(ip.src)), sport, str(ipaddress.ip_address(ip.dst)), dport)

    def build(self, payload: bytes, mapper: "object", tcp_fields: tuple[int, int, bytes] | None = None) -> bytes:
        """The frame with `payload`, addresses through `mapper`, lengths and checksums fixed."""
        inner = self.transport_bytes(payload, mapper, tcp_fields)
        return self._wrap(inner, len(payload) - len(self.payload), mapper)

    def build_fragment(self, data: bytes, offset: int, more: bool, mapper: "object") -> bytes:
        """This IPv4 fragment carrying `data` at byte `offset` of the rewritten datagram."""
        header = bytearray(self.ips[-1].header)
        flags = struct.unpack_from("!H", header, 6)[0] & 0x4000  # keep Don't Fragment
        struct.pack_into("!H", header, 6, flags | (0x2000 if more else 0) | (offset // 8))
        layer = Ip(4, bytes(header), self.ips[-1].src, self.ips[-1].dst, len(self.payload))
        frame = Frame(self.number, self.linktype, self.link, [*self.ips[:-1], layer], self.proto, b"", self.payload,
                      self.trailer, self.truncated, self.nflog)
        return frame._wrap(data, len(data) - len(self.payload), mapper)

    def transport_bytes(self, payload: bytes, mapper: "object",
                        tcp_fields: tuple[int, int, bytes] | None = None) -> bytes:
        """The UDP or TCP header and `payload`, with length and checksum for the mapped addresses."""
        ip = self.ips[-1]
        src, dst = _map_ip(mapper, ip.src), _map_ip(mapper, ip.dst)
        transport = bytearray(self.transport)
        change = len(payload) - len(self.payload)
        if self.proto == 1:
            struct.pack_into("!H", transport, 2, 0)
            if not self.truncated:
                struct.pack_into("!H", transport, 2, internet_checksum(bytes(transport) + payload))
        elif self.proto == 17 and len(transport) >= 8:
            length = struct.unpack_from("!H", transport, 4)[0] + change
            struct.pack_into("!HH", transport, 4, length & 0xFFFF, 0)
            if not self.truncated and (ip.version == 6 or self.transport[6:8] != b"\0\0"):
                value = internet_checksum(pseudo_header(src, dst, 17, len(transport) + len(payload))
                                 + bytes(transport) + payload) or 0xFFFF
                struct.pack_into("!H", transport, 6, value)
        elif self.proto == 6 and len(transport) >= 20:
            if tcp_fields is not None:
                seq, ack, options = tcp_fields
                struct.pack_into("!II", transport, 4, seq, ack)
                transport[20:20 + len(options)] = options
            if not self.truncated:
                struct.pack_into("!H", transport, 16, 0)
                value = internet_checksum(pseudo_header(src, dst, 6, len(transport) + len(payload))
                                 + bytes(transport) + payload)
                struct.pack_into("!H", transport, 16, value)
        return bytes(transport) + payload

    def _wrap(self, inner: bytes, change: int, mapper: "object") -> bytes:
        for depth in range(len(self.ips) - 1, -1, -1):
            layer = self.ips[depth]
            header = bytearray(layer.header)
            s, d = _map_ip(mapper, layer.src), _map_ip(mapper, layer.dst)
            if layer.version == 4:
                header[12:16], header[16:20] = s, d
                total = len(header) + layer.declared + change
                struct.pack_into("!HH", header, 2, total & 0xFFFF, struct.unpack_from("!H", header, 4)[0])
                struct.pack_into("!H", header, 10, 0)
                struct.pack_into("!H", header, 10, internet_checksum(bytes(header[:(header[0] & 15) * 4])))
            else:
                header[8:24], header[24:40] = s, d
                struct.pack_into("!H", header, 4, (len(header) - 40 + layer.declared + change) & 0xFFFF)
            inner = bytes(header) + inner
        return self._link(mapper, inner + self.trailer)

    def _link(self, mapper: "object", ip: bytes) -> bytes:
        link = bytearray(self.link)
        if self.linktype == 1:
            link[0:6], link[6:12] = mapper.mac(bytes(link[0:6])), mapper.mac(bytes(link[6:12]))  # type: ignore[attr-defined]
        elif self.linktype == 113 and len(link) >= 16:
            size = min(struct.unpack_from("!H", link, 4)[0], 8)
            if size == 6:
                link[6:12] = mapper.mac(bytes(link[6:12]))  # type: ignore[attr-defined]
        elif self.linktype == 276 and len(link) >= 20:
            if link[11] == 6:
                link[12:18] = mapper.mac(bytes(link[12:18]))  # type: ignore[attr-defined]
        if self.nflog is not None:
            tlvs, e = self.nflog
            out = [bytes(link)]
            for tlv_type, value in tlvs:
                kind = tlv_type & 0x7FFF
                if kind == 9:  # NFULA_PAYLOAD: the packet
                    value = ip
                elif kind == 8 and len(value) >= 10 and struct.unpack_from("!H", value)[0] == 6:  # NFULA_HWADDR
                    value = value[:4] + mapper.mac(value[4:10]) + value[10:]  # type: ignore[attr-defined]
                elif kind == 12 and len(value) >= 12:  # NFULA_HWHEADER: the Ethernet header
                    value = mapper.mac(value[0:6]) + mapper.mac(value[6:12]) + value[12:]  # type: ignore[attr-defined]
                out.append(struct.pack(e + "HH", 4 + len(value), tlv_type) + value + b"\0" * (-len(value) % 4))
            return b"".join(out)
        return bytes(link) + ip


def _map_ip(mapper: "object", raw: bytes) -> bytes:
    return mapper.ip(ipaddress.ip_address(raw)).packed  # type: ignore[attr-defined]


def decode(number: int, linktype: int, data: bytes) -> Frame | bytes:
    """Take a frame apart; for an ARP frame, the bytes of its link header.

    Raises Unreadable for link types, EtherTypes and IP protocols this cannot rewrite.
    """
    nflog = None
    if linktype == 1:
        etype, off = _ethertype(data, 12)
    elif linktype == 113:
        etype, off = _ethertype(data, 14)
    elif linktype == 276:
        etype, off = (struct.unpack_from("!H", data)[0], 20) if len(data) >= 20 else (-1, 0)
        while etype in _VLAN and off + 4 <= len(data):
            etype, off = struct.unpack_from("!H", data, off + 2)[0], off + 4
    elif linktype in (101, 12, 14, 228, 229):
        etype, off = 0, 0
    elif linktype in (0, 108):
        etype, off = 0, 4
    elif linktype == 239:
        nflog = _nflog(number, data)
        etype, off = 0, 4
    else:
        raise Unreadable(number, f"link type {linktype} ({_LINK_NAMES.get(linktype, 'unknown')}) is not one this "
                                 "can rewrite")
    if etype == 0x0806:
        return data[:off]
    if etype not in (0, 0x0800, 0x86DD):
        raise Unreadable(number, f"EtherType {etype:#06x} is neither IPv4, IPv6 nor ARP")
    link = data[:off]
    if nflog is not None:
        packet = next(value for tlv_type, value in nflog[0] if tlv_type & 0x7FFF == 9)
    else:
        packet = data[off:]
    rest = b""
    ips: list[Ip] = []
    while True:
        if not packet or packet[0] >> 4 not in (4, 6):
            raise Unreadable(number, "a frame whose payload is not an IP packet")
        ip, proto, body, trailer, truncated, fragment = _ip(number, packet)
        ips.append(ip)
        if fragment is not None:
            if proto != 17 or truncated:
                raise Unreadable(number, "an IPv4 fragment of something other than a whole UDP datagram")
            return Frame(number, linktype, link, ips, proto, b"", body, trailer + rest, False, nflog, fragment)
        if proto in (4, 41) and len(ips) < 4:
            packet = body
            rest = trailer + rest
            continue
        rest = trailer + rest
        break
    if proto == 17:
        if len(body) < 8:
            raise Unreadable(number, "a UDP header cut short")
        ulen = struct.unpack_from("!H", body, 4)[0]
        head, payload = body[:8], body[8:ulen] if 8 <= ulen <= len(body) else body[8:]
        rest = body[8 + len(payload):] + rest
        truncated = truncated or ulen > len(body)
    elif proto == 6:
        if len(body) < 20 or (body[12] >> 4) * 4 > len(body):
            raise Unreadable(number, "a TCP header cut short")
        size = (body[12] >> 4) * 4
        head, payload = body[:size], body[size:]
    elif proto == 1 and ips[-1].version == 4 and len(body) >= 8:
        head, payload = body[:8], body[8:]
    else:
        names = {1: "ICMP", 58: "ICMPv6", 2: "IGMP", 47: "GRE", 50: "ESP", 132: "SCTP"}
        raise Unreadable(number, f"IP protocol {proto} ({names.get(proto, 'unknown')}) is not one this can rewrite")
    return Frame(number, linktype, link, ips, proto, head, payload, rest, truncated, nflog)


def _ethertype(data: bytes, at: int) -> tuple[int, int]:
    if len(data) < at + 2:
        return -1, len(data)
    etype, off = struct.unpack_from("!H", data, at)[0], at + 2
    while etype in _VLAN and off + 4 <= len(data):
        etype, off = struct.unpack_from("!H", data, off + 2)[0], off + 4
    return etype, off


def _nflog(number: int, data: bytes) -> tuple[list[tuple[int, bytes]], str]:
    """NFLOG: a 4-byte header, then TLVs whose length and type are in the capturing host's byte order."""
    for e in ("<", ">"):
        pos, tlvs = 4, []
        while pos + 4 <= len(data):
            length, tlv_type = struct.unpack_from(e + "HH", data, pos)
            if length < 4 or pos + length > len(data):
                break
            tlvs.append((tlv_type, data[pos + 4:pos + length]))
            pos += length + (-length % 4)
        else:
            if any(t & 0x7FFF == 9 for t, _ in tlvs):
                return tlvs, e
    raise Unreadable(number, "an NFLOG frame without a readable payload")


def _ip(number: int, packet: bytes) -> tuple[Ip, int, bytes, bytes, bool, tuple[int, int, bool] | None]:
    if packet[0] >> 4 == 4:
        if len(packet) < 20:
            raise Unreadable(number, "an IPv4 header cut short")
        ihl = (packet[0] & 15) * 4
        total = struct.unpack_from("!H", packet, 2)[0]
        word = struct.unpack_from("!H", packet, 6)[0]
        fragment = None
        if word & 0x3FFF:
            fragment = (struct.unpack_from("!H", packet, 4)[0], (word & 0x1FFF) * 8, bool(word & 0x2000))
        end = min(total, len(packet))
        ip = Ip(4, packet[:ihl], packet[12:16], packet[16:20], total - ihl)
        return ip, packet[9], packet[ihl:end], packet[end:], total > len(packet), fragment
    if len(packet) < 40:
        raise Unreadable(number, "an IPv6 header cut short")
    plen = struct.unpack_from("!H", packet, 4)[0]
    nxt, off = packet[6], 40
    while nxt in _IPV6_EXTENSIONS or nxt == 44:
        if nxt == 44:
            raise Unreadable(number, "an IPv6 fragment (reassembly is not rewritten yet)")
        if nxt == 43:
            raise Unreadable(number, "an IPv6 routing header (it may hold addresses)")
        if off + 8 > len(packet):
            raise Unreadable(number, "an IPv6 extension header cut short")
        length = (packet[off + 1] + 2) * 4 if nxt == 51 else (packet[off + 1] + 1) * 8
        nxt, off = packet[off], off + length
    end = min(40 + plen, len(packet))
    ip = Ip(6, packet[:off], packet[8:24], packet[24:40], 40 + plen - off)
    return ip, nxt, packet[off:end], packet[end:], 40 + plen > len(packet), None


ICMP_ERRORS = {3: "destination unreachable", 4: "source quench", 5: "redirect", 11: "time exceeded",
               12: "parameter problem"}


def rewrite_icmp(number: int, header: bytes, payload: bytes, mapper: "object",
                 sweep: "Callable[[bytes], bytes]") -> tuple[bytes, bytes]:
    """(ICMP header, data) with addresses keyed: an error's quoted IP header and the text it quotes
    (often the start of a SIP message) rewritten, a redirect's gateway keyed, echo data zeroed.

    The quoted datagram's total length follows the quoted text; its UDP checksum is set to 0 (the
    quote is partial, so no checksum could be right; RFC 768 allows 0). Raises Unreadable for
    other ICMP types.
    """
    kind = header[0]
    if kind in (0, 8):  # echo reply / request: the data says nothing, and may hold anything
        return header, bytes(len(payload))
    if kind not in ICMP_ERRORS:
        raise Unreadable(number, f"ICMP type {kind}, which this does not rewrite")
    head = bytearray(header)
    if kind == 5:
        head[4:8] = _map_ip(mapper, bytes(head[4:8]))
    if len(payload) < 20 or payload[0] >> 4 != 4:
        return bytes(head), payload
    ihl = (payload[0] & 15) * 4
    quoted = bytearray(payload[:ihl])
    quoted[12:16], quoted[16:20] = _map_ip(mapper, bytes(quoted[12:16])), _map_ip(mapper, bytes(quoted[16:20]))
    rest = payload[ihl:]
    change = 0
    if quoted[9] == 17 and len(rest) >= 8:
        text = sweep(rest[8:])
        change = len(text) - len(rest[8:])
        udp = bytearray(rest[:8])
        struct.pack_into("!HH", udp, 4, (struct.unpack_from("!H", udp, 4)[0] + change) & 0xFFFF, 0)
        rest = bytes(udp) + text
    elif quoted[9] == 6 and len(rest) > 20:
        size = min((rest[12] >> 4) * 4, len(rest))
        text = sweep(rest[size:])
        change = len(text) - len(rest[size:])
        rest = rest[:size] + text
    struct.pack_into("!H", quoted, 2, (struct.unpack_from("!H", quoted, 2)[0] + change) & 0xFFFF)
    struct.pack_into("!H", quoted, 10, 0)
    struct.pack_into("!H", quoted, 10, internet_checksum(bytes(quoted)))
    return bytes(head), bytes(quoted) + rest


def rewrite_arp(number: int, linktype: int, link: bytes, data: bytes, mapper: "object") -> bytes:
    """An Ethernet/IPv4 ARP frame with its MAC and IP addresses through the stand-ins."""
    arp = bytearray(data[len(link):])
    if len(arp) < 28 or arp[0:2] != b"\x00\x01" or arp[2:4] != b"\x08\x00" or arp[4] != 6 or arp[5] != 4:
        raise Unreadable(number, "an ARP packet that is not Ethernet/IPv4")
    for start, size in ((8, 6), (14, 4), (18, 6), (24, 4)):
        value = bytes(arp[start:start + size])
        arp[start:start + size] = mapper.mac(value) if size == 6 else _map_ip(mapper, value)  # type: ignore[attr-defined]
    return Frame(number, linktype, link, [], 0, b"", b"", b"", False)._link(mapper, bytes(arp))
