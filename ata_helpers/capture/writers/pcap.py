"""Write byte-exact Ethernet/IPv4 (or IPv6)/UDP or TCP frames into a classic pcap file.

Used by the line simulation to write the capture Twilio's console would give, by the
sample captures of notebook 07, and by the tests. Checksums are computed, so Wireshark shows
no "bad checksum" warnings.

    from ata_helpers.capture.writers.pcap import Packet, write_pcap
    write_pcap("call.pcap", [Packet(0.0, "203.0.113.7", 5060, "54.172.60.1", 5060, b"REGISTER ...")])

`pcapng_bytes` writes the same frames as pcapng, with one or several interfaces, each with its
own link type and timestamp resolution.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ..checksums import internet_checksum, pseudo_header

__all__ = ["Packet", "write_pcap", "pcap_bytes", "frame_bytes", "ip_packet", "udp_bytes",
           "tcp_bytes", "ipv4_fragments", "pcapng_bytes", "Interface", "TCP_FLAGS"]

TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


@dataclass(frozen=True)
class Packet:
    """One datagram or segment: when it was seen, who sent it to whom, and its payload.

    `time` is seconds since the Unix epoch. For TCP set `proto="tcp"`, the sequence number
    `seq` and `flags` (letters of "FSRPAU", default "PA").
    """

    time: float
    src: str
    sport: int
    dst: str
    dport: int
    payload: bytes = b""
    proto: str = "udp"
    seq: int = 0
    ack: int = 0
    flags: str = "PA"
    ip_id: int = 0
    vlan: Sequence[int] = field(default_factory=tuple)


def _pseudo_header(src: str, dst: str, proto: int, length: int) -> bytes:
    return pseudo_header(ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed, proto, length)


def udp_bytes(src: str, sport: int, dst: str, dport: int, payload: bytes) -> bytes:
    """A UDP header + payload with its checksum over the IPv4/IPv6 pseudo-header."""
    length = 8 + len(payload)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    csum = internet_checksum(_pseudo_header(src, dst, 17, length) + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, csum) + payload


def tcp_bytes(src: str, sport: int, dst: str, dport: int, payload: bytes, seq: int = 0,
              ack: int = 0, flags: str = "PA", window: int = 65535) -> bytes:
    """A 20-byte TCP header + payload with its checksum."""
    bits = sum(TCP_FLAGS[ch] for ch in flags.upper())
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                         bits, window, 0, 0)
    csum = internet_checksum(_pseudo_header(src, dst, 6, len(header) + len(payload)) + header + payload)
    return header[:16] + struct.pack("!H", csum) + header[18:] + payload


def ip_packet(src: str, dst: str, proto: int, payload: bytes, ident: int = 0,
              frag_offset: int = 0, more_fragments: bool = False, ttl: int = 64) -> bytes:
    """An IPv4 header (with checksum) or IPv6 header in front of `payload`."""
    if ipaddress.ip_address(src).version == 6:
        return (struct.pack("!IHBB", 6 << 28, len(payload), proto, ttl)
                + ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed + payload)
    flags = (0x2000 if more_fragments else 0) | (frag_offset // 8)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, ttl, proto, 0,
                         ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    return header[:10] + struct.pack("!H", internet_checksum(header)) + header[12:] + payload


def ipv4_fragments(src: str, dst: str, proto: int, payload: bytes, ident: int,
                   size: int = 512) -> list[bytes]:
    """Split a transport payload into IPv4 fragments of at most `size` bytes (multiple of 8)."""
    size -= size % 8
    parts = []
    for start in range(0, len(payload), size):
        chunk = payload[start:start + size]
        parts.append(ip_packet(src, dst, proto, chunk, ident, start,
                               more_fragments=start + size < len(payload)))
    return parts


def _mac(address: str) -> bytes:
    return b"\x02\x00" + ipaddress.ip_address(address).packed[-4:]


def ethernet(src: str, dst: str, ip: bytes, vlan: Sequence[int] = ()) -> bytes:
    """Ethernet II header (locally administered MACs derived from the IPs) around an IP packet."""
    etype = 0x86DD if ip[0] >> 4 == 6 else 0x0800
    tags = b""
    for i, vid in enumerate(vlan):
        tpid = 0x88A8 if i == 0 and len(vlan) > 1 else 0x8100
        tags += struct.pack("!HH", tpid, vid & 0x0FFF)
    return _mac(dst) + _mac(src) + tags + struct.pack("!H", etype) + ip


def frame_bytes(packet: Packet) -> bytes:
    """The Ethernet frame of one Packet."""
    if packet.proto == "tcp":
        l4 = tcp_bytes(packet.src, packet.sport, packet.dst, packet.dport, packet.payload,
                       packet.seq, packet.ack, packet.flags)
        proto = 6
    else:
        l4 = udp_bytes(packet.src, packet.sport, packet.dst, packet.dport, packet.payload)
        proto = 17
    return ethernet(packet.src, packet.dst, ip_packet(packet.src, packet.dst, proto, l4,
                                                      packet.ip_id), packet.vlan)


def pcap_bytes(records: Iterable[Packet | tuple[float, bytes]], linktype: int = 1,
               nanosecond: bool = False, big_endian: bool = False, snaplen: int = 262144) -> bytes:
    """A classic pcap file from Packets or (time, raw frame bytes) pairs."""
    endian = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    scale = 1_000_000_000 if nanosecond else 1_000_000
    for record in records:
        if isinstance(record, Packet):
            when, raw = record.time, frame_bytes(record)
        else:
            when, raw = record
        units = round(when * scale)
        out.append(struct.pack(endian + "IIII", units // scale, units % scale, len(raw), len(raw)))
        out.append(raw)
    return b"".join(out)


def write_pcap(path: str | Path, packets: Iterable[Packet | tuple[float, bytes]],
               linktype: int = 1, nanosecond: bool = False) -> Path:
    """Write packets to `path` as a classic pcap file (microsecond resolution by default)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pcap_bytes(packets, linktype=linktype, nanosecond=nanosecond))
    return target


@dataclass(frozen=True)
class Interface:
    """A pcapng interface: link type and timestamp resolution (`if_tsresol` byte, 6 = µs)."""

    linktype: int = 1
    tsresol: int = 6


def _pad(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _block(endian: str, btype: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack(endian + "II", btype, length) + body + struct.pack(endian + "I", length)


def pcapng_bytes(sections: Sequence[tuple[Sequence[Interface], Iterable[tuple[int, float, bytes]]]],
                 big_endian: bool = False) -> bytes:
    """A pcapng file: each section is (interfaces, [(interface index, time, raw frame)]).

    Every packet is an Enhanced Packet Block with its time in its interface's resolution.
    """
    endian = ">" if big_endian else "<"
    out = []
    for interfaces, packets in sections:
        out.append(_block(endian, 0x0A0D0D0A, struct.pack(endian + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for iface in interfaces:
            options = struct.pack(endian + "HH", 9, 1) + _pad(bytes([iface.tsresol]))
            options += struct.pack(endian + "HH", 0, 0)
            out.append(_block(endian, 1, struct.pack(endian + "HHI", iface.linktype, 0, 262144)
                              + options))
        for index, when, raw in packets:
            code = interfaces[index].tsresol
            per_second = (1 << (code & 0x7F)) if code & 0x80 else 10 ** code
            units = round(when * per_second)
            body = struct.pack(endian + "IIIII", index, units >> 32, units & 0xFFFFFFFF, len(raw),
                               len(raw)) + _pad(raw)
            out.append(_block(endian, 6, body))
    return b"".join(out)
