"""read_sip against tshark, field by field, on every test capture (skipped without tshark)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tshark_oracle import TSHARK, our_fields, tshark_fields

from ata_helpers.capture.samples import write_samples
from ata_helpers.capture.writers.pcap import (
    Packet,
    ethernet,
    ipv4_fragments,
    pcap_bytes,
    udp_bytes,
)
from ata_helpers.capture.writers.sip import request

pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
CAPTURES = Path(__file__).parent / "data" / "captures"


def _synthetic(folder: Path) -> list[Path]:
    def msg(n: int, compact: bool = False, pad: int = 0) -> bytes:
        names = ("v", "f", "t", "i") if compact else ("Via", "From", "To", "Call-ID")
        return request("MESSAGE", "sip:b@example.com", [
            (names[0], f"SIP/2.0/TCP 198.51.100.7;branch=z9hG4bK{n}"), (names[1], "<sip:a@x>;tag=f1"),
            (names[2], "<sip:b@x>"), (names[3], f"syn-{n}"), ("CSeq", f"{n} MESSAGE"), ("X-Pad", "p" * pad)])
    tcp = [Packet(0, "198.51.100.7", 40000, "54.172.60.1", 5060, b"", proto="tcp", seq=99, flags="S"),
           Packet(1, "198.51.100.7", 40000, "54.172.60.1", 5060, msg(1) + msg(2, True), proto="tcp", seq=100)]
    frags = ipv4_fragments("198.51.100.7", "54.172.60.1", 17,
                           udp_bytes("198.51.100.7", 5060, "54.172.60.1", 5060, msg(3, pad=2000)), 9, 800)
    udp = [Packet(2, "198.51.100.7", 5060, "54.172.60.1", 5060, msg(4, True), vlan=(10, 20))]
    out = [folder / "tcp.pcap", folder / "frag.pcap", folder / "udp.pcap"]
    out[0].write_bytes(pcap_bytes(tcp))
    out[1].write_bytes(pcap_bytes([(3 + i, ethernet("198.51.100.7", "54.172.60.1", f)) for i, f in enumerate(frags)]))
    out[2].write_bytes(pcap_bytes(udp))
    return out


def test_read_sip_matches_tshark_on_every_test_capture(tmp_path: Path) -> None:
    paths = sorted(p for p in CAPTURES.iterdir() if ".pcap" in p.name)
    paths += list(write_samples(tmp_path / "samples").values()) + _synthetic(tmp_path)
    assert len(paths) >= 10
    for path in paths:
        theirs, ours = tshark_fields(path), our_fields(path)
        assert ours == theirs, f"{path.name}: read_sip differs from tshark"
