"""Encapsulations people capture through: each a capture built with scapy from a stated scenario.

The scenario is always the same registration seen through another wrapper: the ATA behind the
home router (public 203.0.113.7) sends `REGISTER sip:example.sip.twilio.com` to Twilio's
signalling address 54.172.60.1, from UDP 5060 to 5060. Each capture must read as exactly that
one message, with every packet accounted for; where tshark is installed and decodes the wrapper,
it must read the same fields.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

pytest.importorskip("scapy")

from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III  # noqa: E402
from scapy.contrib.mpls import MPLS  # noqa: E402
from scapy.layers.inet import IP, TCP, UDP  # noqa: E402
from scapy.layers.l2 import GRE, Ether  # noqa: E402
from scapy.layers.ppp import PPP, PPPoE  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkData  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402
from tshark_oracle import TSHARK, our_fields, tshark_fields  # noqa: E402

import ata_helpers as ata  # noqa: E402
from ata_helpers.capture.writers.pcap import pcap_bytes  # noqa: E402
from ata_helpers.capture.writers.sip import request  # noqa: E402

ATA, TWILIO = "203.0.113.7", "54.172.60.1"
TUNNEL_A, TUNNEL_B = "198.51.100.1", "198.51.100.2"  # the mirror / tunnel end points
REGISTER = request("REGISTER", "sip:example.sip.twilio.com", [
    ("Via", f"SIP/2.0/UDP {ATA}:5060;branch=z9hG4bKenc1;rport"),
    ("From", "<sip:ht801@example.sip.twilio.com>;tag=enc1"),
    ("To", "<sip:ht801@example.sip.twilio.com>"), ("Call-ID", "enc-call-1@203.0.113.7"),
    ("CSeq", "1 REGISTER"), ("Contact", f"<sip:ht801@{ATA}:5060>"), ("Max-Forwards", "70"),
    ("User-Agent", "Grandstream HT801 1.0.5.11"), ("Expires", "3600")])


def _inner() -> IP:
    return IP(src=ATA, dst=TWILIO) / UDP(sport=5060, dport=5060) / REGISTER


def _outer() -> Ether:
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


# name → (scenario, link type, frame bytes)
SCENARIOS = {
    "pppoe": ("captured on the router's WAN port: a PPPoE session (RFC 2516, session 0x1234)",
              1, lambda: bytes(_outer() / PPPoE(sessionid=0x1234) / PPP(proto=0x0021) / _inner())),
    "gre": ("a GRE tunnel (RFC 2784) between two routers carries the IPv4 packet",
            1, lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B) / GRE(proto=0x0800) / _inner())),
    "gre_key_seq": ("GRE with key and sequence number (RFC 2890)", 1,
                    lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B)
                                  / GRE(proto=0x0800, key_present=1, key=7, seqnum_present=1,
                                        sequence_number=3) / _inner())),
    "gre_teb": ("a switch mirrors the ATA's port over GRE transparent Ethernet bridging (0x6558)",
                1, lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B) / GRE(proto=0x6558)
                                 / _outer() / _inner())),
    "erspan2": ("a Cisco-style ERSPAN type II session mirrors the port (GRE 0x88BE, session 1)",
                1, lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B)
                                 / GRE(proto=0x88BE, seqnum_present=1, sequence_number=1)
                                 / ERSPAN_II(session_id=1) / _outer() / _inner())),
    "erspan3": ("an ERSPAN type III session (GRE 0x22EB) mirrors the port", 1,
                lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B)
                              / GRE(proto=0x22EB, seqnum_present=1, sequence_number=1)
                              / ERSPAN_III(session_id=2) / _outer() / _inner())),
    "vxlan": ("a cloud VM's traffic seen on the host inside VXLAN (RFC 7348, VNI 42, UDP 4789)",
              1, lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B)
                               / UDP(sport=40000, dport=4789) / VXLAN(vni=42) / _outer() / _inner())),
    "mpls": ("an ISP core link: two MPLS labels (RFC 3032) over the IPv4 packet", 1,
             lambda: bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x8847)
                           / MPLS(label=100, s=0) / MPLS(label=200, s=1) / _inner())),
    "ipip": ("an IPv4-in-IPv4 tunnel (protocol 4)", 1,
             lambda: bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B, proto=4) / _inner())),
    "sctp": ("SIP over SCTP (RFC 4168): the REGISTER in one DATA chunk", 1,
             lambda: bytes(_outer() / IP(src=ATA, dst=TWILIO) / SCTP(sport=5060, dport=5060)
                           / SCTPChunkData(reserved=0, delay_sack=0, unordered=0, beginning=1,
                                           ending=1, stream_id=0, stream_seq=0, proto_id=0,
                                           data=REGISTER))),
}


def _nflog(payload: bytes) -> bytes:
    """NFLOG (link type 239): family AF_INET, version 0, resource 0; a prefix TLV, then the
    payload TLV (type 9); TLV length and type little-endian, as an x86 host writes them."""
    prefix = b"sip\x00"
    tlvs = struct.pack("<HH", 4 + len(prefix), 10) + prefix
    tlvs += struct.pack("<HH", 4 + len(payload), 9) + payload + b"\x00" * (-len(payload) % 4)
    return bytes([2, 0, 0, 0]) + tlvs


def _hep3(payload: bytes, compressed: bool = False) -> bytes:
    """A HEP v3 message from a Homer agent (heplify): chunks of vendor 0, then the packet."""
    def chunk(kind: int, value: bytes) -> bytes:
        return struct.pack(">HHH", 0, kind, 6 + len(value)) + value
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") + chunk(3, bytes([203, 0, 113, 7]))
            + chunk(4, bytes([54, 172, 60, 1])) + chunk(7, struct.pack(">H", 5060))
            + chunk(8, struct.pack(">H", 5060)) + chunk(9, struct.pack(">I", 1767261600))
            + chunk(10, struct.pack(">I", 0)) + chunk(11, b"\x01") + chunk(12, struct.pack(">I", 2001))
            + (chunk(16, zlib.compress(payload)) if compressed else chunk(15, payload)))
    return b"HEP3" + struct.pack(">H", 6 + len(body)) + body


def _hep2(payload: bytes) -> bytes:
    """A HEP v2 message: 8-byte header, IPv4 addresses, time header (12 bytes), the packet."""
    return (struct.pack(">BBBBHH", 2, 16, 2, 17, 5060, 5060) + bytes([203, 0, 113, 7, 54, 172, 60, 1])
            + struct.pack("<IIHxx", 1767261600, 0, 2001) + payload)


def _hep_frame(message: bytes, port: int = 9060) -> bytes:
    return bytes(_outer() / IP(src="198.51.100.9", dst="198.51.100.99")
                 / UDP(sport=40001, dport=port) / message)


SCENARIOS.update({
    "nflog": ("`iptables -j NFLOG` on the router, read with tcpdump -i nflog", 239,
              lambda: _nflog(bytes(_inner()))),
    "hep3": ("a Homer collector's capture: heplify sends the packet as HEP v3 to UDP 9060", 1,
             lambda: _hep_frame(_hep3(REGISTER))),
    "hep3_compressed": ("HEP v3 with a compressed payload chunk, on a non-standard port", 1,
                        lambda: _hep_frame(_hep3(REGISTER, compressed=True), port=9999)),
    "hep2": ("an older agent sends HEP v2 to UDP 9060", 1, lambda: _hep_frame(_hep2(REGISTER))),
})


def _capture(tmp_path: Path, name: str) -> Path:
    _scenario, linktype, build = SCENARIOS[name]
    frame = build()
    path = tmp_path / f"{name}.pcap"
    path.write_bytes(pcap_bytes([(1767261600.0, frame)], linktype=linktype))
    return path


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_register_is_read_through_each_encapsulation(tmp_path: Path, name: str) -> None:
    frame = ata.read_sip(_capture(tmp_path, name))
    assert len(frame) == 1, SCENARIOS[name][0]
    row = frame.iloc[0]
    assert (row["src"], row["sport"], row["dst"], row["dport"]) == (ATA, 5060, TWILIO, 5060)
    assert row["method"] == "REGISTER" and row["call_id"] == "enc-call-1@203.0.113.7"
    assert row["user_agent"] == "Grandstream HT801 1.0.5.11" and not row["malformed"]
    assert row["transport"] == ("SCTP" if name == "sctp" else "UDP")
    assert frame.attrs["packets"] == {"SIP": 1} and frame.attrs["skipped"] == {}
    assert "capture-incomplete" not in ata.diagnose(frame)["code"].tolist()


# tshark 4.0 has no HEP dissector; the others it decodes.
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
@pytest.mark.parametrize("name", sorted(n for n in SCENARIOS if not n.startswith("hep")))
def test_encapsulations_match_tshark(tmp_path: Path, name: str) -> None:
    path = _capture(tmp_path, name)
    fields = ["sip.Call-ID", "sip.Method", "sip.CSeq.seq", "sip.CSeq.method", "sip.from.tag",
              "sip.User-Agent", "sip.Expires", "sip.Max-Forwards"]
    theirs = tshark_fields(path, fields)
    assert theirs, f"tshark read no SIP in {name}"
    assert our_fields(path, fields) == theirs


def test_every_packet_is_accounted_for_and_unreadable_ones_are_never_healthy(tmp_path: Path) -> None:
    """A mixed capture: one plain REGISTER, one inside PPPoE, one inside a GRE protocol nobody
    reads (0x1234), one frame of an unknown link type in a second pcapng interface, an ARP and a
    TCP SYN. Every packet is counted; the unreadable ones make capture-incomplete."""
    from ata_helpers.capture.writers.pcap import Interface, pcapng_bytes

    plain = bytes(_outer() / _inner())
    pppoe = SCENARIOS["pppoe"][2]()
    odd_gre = bytes(_outer() / IP(src=TUNNEL_A, dst=TUNNEL_B) / GRE(proto=0x1234) / (b"\x00" * 40))
    arp = bytes(Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff", type=0x0806) / (b"\x00" * 28))
    syn = bytes(_outer() / IP(src=ATA, dst=TWILIO) / TCP(sport=40000, dport=5060, flags="S"))
    data = pcapng_bytes([([Interface(1), Interface(147)],
                          [(0, 1.0, plain), (0, 2.0, pppoe), (0, 3.0, odd_gre), (1, 4.0, b"\x01" * 60),
                           (0, 5.0, arp), (0, 6.0, syn)])])
    frame = ata.read_sip(data)
    assert len(frame) == 2
    packets = frame.attrs["packets"]
    assert sum(packets.values()) == frame.attrs["frames"] == 6
    assert packets["SIP"] == 2
    assert frame.attrs["skipped"] == {"GRE carrying protocol 0x1234": 1,
                                      "link type 147 (not supported)": 1}
    findings = ata.diagnose(frame)
    incomplete = findings[findings["code"] == "capture-incomplete"]
    assert len(incomplete) == 1 and incomplete.iloc[0]["severity"] == "warning"
    assert "link type 147" in incomplete.iloc[0]["evidence"]


def test_a_capture_of_only_unreadable_packets_is_an_error_not_healthy(tmp_path: Path) -> None:
    data = pcap_bytes([(1.0, b"\x01" * 80), (2.0, b"\x02" * 80)], linktype=147)
    frame = ata.read_sip(data)
    assert frame.empty and frame.attrs["skipped"] == {"link type 147 (not supported)": 2}
    findings = ata.diagnose(frame)
    assert findings["code"].tolist() == ["capture-incomplete"]
    assert findings.iloc[0]["severity"] == "error" and "cannot be called healthy" in findings.iloc[0]["summary"]
