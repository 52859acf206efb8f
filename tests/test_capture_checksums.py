"""The Internet checksum and pseudo-header shared by the capture writers and the anonymizer."""

from __future__ import annotations

import ipaddress
import struct

import dpkt
import pytest

from ata_helpers.capture.checksums import internet_checksum, pseudo_header


def test_the_worked_example_of_rfc_1071() -> None:
    """RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, so the checksum is its complement."""
    assert internet_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0xFFFF - 0xDDF2


def test_odd_length_is_padded_with_a_zero_byte() -> None:
    assert internet_checksum(b"\x12\x34\x56") == internet_checksum(b"\x12\x34\x56\x00")


@pytest.mark.parametrize("src, dst", [("203.0.113.7", "54.172.60.1"), ("2001:db8::1", "2001:db8::2")])
def test_a_udp_checksum_over_the_pseudo_header_is_the_one_dpkt_computes(src: str, dst: str) -> None:
    payload = b"OPTIONS sip:ping@example.com SIP/2.0\r\n\r\n"
    s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    header = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0)
    ours = internet_checksum(pseudo_header(s, d, 17, len(header) + len(payload)) + header + payload)
    udp = dpkt.udp.UDP(sport=5060, dport=5060, ulen=len(header) + len(payload), data=payload)
    if len(s) == 4:
        raw = bytes(dpkt.ip.IP(src=s, dst=d, p=17, len=20 + len(udp), data=udp))[20:]
    else:
        raw = bytes(dpkt.ip6.IP6(src=s, dst=d, nxt=17, plen=len(udp), hlim=64, data=udp))[40:]
    assert struct.unpack_from("!H", raw, 6)[0] == (ours or 0xFFFF)
