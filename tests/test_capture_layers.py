"""Link types, VLAN tags, IPv4/IPv6 fragment reassembly and IP-in-IP, through read_sip."""

from __future__ import annotations

import struct

import pytest

from ata_helpers.capture.sip_table import read_sip
from ata_helpers.capture.writers.pcap import (
    Packet,
    ethernet,
    ip_packet,
    ipv4_fragments,
    pcap_bytes,
    udp_bytes,
)
from ata_helpers.capture.writers.sip import request

SRC, DST = "198.51.100.7", "54.172.60.1"


def _sip(call_id: str, size: int = 0) -> bytes:
    return request("OPTIONS", "sip:ping@example.com", [
        ("Via", f"SIP/2.0/UDP {SRC}:5080;branch=z9hG4bK{call_id}"), ("From", "<sip:a@example.com>;tag=1"),
        ("To", "<sip:ping@example.com>"), ("Call-ID", call_id), ("CSeq", "1 OPTIONS"),
        ("X-Pad", "p" * size)])


def _ip_udp(src: str = SRC, dst: str = DST, call_id: str = "L1") -> bytes:
    return ip_packet(src, dst, 17, udp_bytes(src, 5080, dst, 5090, _sip(call_id)))


def _read(records: list[tuple[float, bytes]], linktype: int) -> list[str]:
    df = read_sip(pcap_bytes(records, linktype=linktype))
    assert not df["malformed"].any()
    return df["call_id"].tolist()


@pytest.mark.parametrize("vlan", [(), (100,), (100, 200)], ids=["plain", "802.1Q", "QinQ"])
def test_ethernet_with_and_without_vlan_tags(vlan: tuple[int, ...]) -> None:
    frame = ethernet(SRC, DST, _ip_udp(), vlan)
    assert _read([(1.0, frame)], 1) == ["L1"]


def test_linux_cooked_v1_and_v2() -> None:
    ip = _ip_udp()
    sll = struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800) + ip
    sll_vlan = struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, 0x8100) + struct.pack("!HH", 5, 0x0800) + ip
    sll2 = struct.pack("!HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, b"\x02" * 8) + ip
    assert _read([(1.0, sll), (2.0, sll_vlan)], 113) == ["L1", "L1"]
    assert _read([(1.0, sll2)], 276) == ["L1"]


def test_raw_ip_links_and_ipv6() -> None:
    v6 = ip_packet("2001:db8::1", "2001:db8::2", 17,
                   udp_bytes("2001:db8::1", 5080, "2001:db8::2", 5090, _sip("V6")))
    assert _read([(1.0, _ip_udp()), (2.0, v6)], 101) == ["L1", "V6"]
    assert _read([(1.0, _ip_udp())], 228) == ["L1"]
    assert _read([(1.0, v6)], 229) == ["V6"]
    df = read_sip(pcap_bytes([(1.0, v6)], linktype=229))
    assert df["src"][0] == "2001:db8::1"


@pytest.mark.parametrize("linktype,header", [(0, struct.pack("<I", 2)), (108, struct.pack(">I", 2)),
                                             (0, struct.pack("<I", 30))])
def test_bsd_null_and_loopback(linktype: int, header: bytes) -> None:
    ip = _ip_udp() if struct.unpack("<I", header)[0] == 2 or header == struct.pack(">I", 2) else \
        ip_packet("::1", "::1", 17, udp_bytes("::1", 5080, "::1", 5090, _sip("L1")))
    assert _read([(1.0, header + ip)], linktype) == ["L1"]


def test_ipv4_fragments_reassembled_out_of_order_with_time_and_frame_of_the_last() -> None:
    payload = udp_bytes(SRC, 5080, DST, 5090, _sip("FRAG", size=2500))
    parts = ipv4_fragments(SRC, DST, 17, payload, ident=77, size=1000)
    assert len(parts) == 3
    records = [(1.0, ethernet(SRC, DST, parts[2])), (1.1, ethernet(SRC, DST, parts[0])),
               (1.2, ethernet(SRC, DST, parts[1]))]
    df = read_sip(pcap_bytes(records))
    assert df["call_id"].tolist() == ["FRAG"] and df["frame"].tolist() == [3]
    assert df["time"][0].timestamp() == pytest.approx(1.2)
    assert len(df["headers"][0]["x-pad"][0]) == 2500


def test_ipv6_fragment_header_reassembly() -> None:
    src, dst = "fd17:625c:f037:2::1", "fd17:625c:f037:2::2"
    payload = udp_bytes(src, 5062, dst, 15060, _sip("V6FRAG", size=1800))
    cut = 1000
    pieces = []
    for offset, chunk, more in ((0, payload[:cut], 1), (cut, payload[cut:], 0)):
        frag = struct.pack("!BBHI", 17, 0, offset | more, 4242) + chunk
        pieces.append(ip_packet(src, dst, 44, frag))
    df = read_sip(pcap_bytes([(1.0, pieces[1]), (1.5, pieces[0])], linktype=101))
    assert df["call_id"].tolist() == ["V6FRAG"] and df["frame"].tolist() == [2]


def test_ip_in_ip_reports_the_inner_addresses() -> None:
    outer = ip_packet("192.0.2.1", "192.0.2.2", 4, _ip_udp())
    df = read_sip(pcap_bytes([(1.0, ethernet("192.0.2.1", "192.0.2.2", outer))]))
    assert (df["src"][0], df["dst"][0]) == (SRC, DST)


def test_packet_dataclass_frames_are_read_back() -> None:
    pkt = Packet(5.0, SRC, 5080, DST, 5090, _sip("DC"), vlan=(7,))
    assert read_sip(pcap_bytes([pkt]))["call_id"].tolist() == ["DC"]
