"""pcap_writer: frames are byte-exact (checked with dpkt's independent decoder and checksums)."""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path

import dpkt

from ata_helpers.capture.writers.pcap import Packet, write_pcap


def _ones_complement_ok(data: bytes) -> bool:
    """A checksummed block sums to 0xFFFF in one's complement arithmetic (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total == 0xFFFF


def test_udp_and_tcp_frames_decode_with_valid_checksums(tmp_path: Path) -> None:
    packets = [Packet(1.25, "203.0.113.7", 5060, "54.172.60.1", 5060, b"hello"),
               Packet(2.5, "203.0.113.7", 40000, "54.172.60.1", 5061, b"abc", proto="tcp", seq=7, flags="PA"),
               Packet(3.0, "2001:db8::1", 5060, "2001:db8::2", 5060, b"v6")]
    path = write_pcap(tmp_path / "w.pcap", packets)
    with path.open("rb") as handle:
        records = list(dpkt.pcap.Reader(handle))
    assert [ts for ts, _ in records] == [1.25, 2.5, 3.0]
    udp_ip = dpkt.ethernet.Ethernet(records[0][1]).data
    tcp_ip = dpkt.ethernet.Ethernet(records[1][1]).data
    for (_ts, frame), ip in zip(records, (udp_ip, tcp_ip), strict=False):
        raw = frame[14:]
        assert _ones_complement_ok(raw[:20])
        segment = raw[20:]
        pseudo = (ipaddress.ip_address("203.0.113.7").packed + ipaddress.ip_address("54.172.60.1").packed
                  + struct.pack("!BBH", 0, ip.p, len(segment)))
        assert _ones_complement_ok(pseudo + segment)
    assert udp_ip.data.data == b"hello" and tcp_ip.data.seq == 7 and tcp_ip.data.data == b"abc"
    v6 = dpkt.ethernet.Ethernet(records[2][1]).data
    assert isinstance(v6, dpkt.ip6.IP6) and v6.data.data == b"v6"


def test_nanosecond_file_has_the_nanosecond_magic(tmp_path: Path) -> None:
    path = write_pcap(tmp_path / "ns.pcap", [Packet(1.000000001, "192.0.2.1", 1, "192.0.2.2", 2, b"x")],
                      nanosecond=True)
    assert path.read_bytes()[:4] == bytes.fromhex("4d3cb2a1")
