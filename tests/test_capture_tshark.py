"""read_sip against tshark, field by field, on every test capture (skipped without tshark)."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

import ata_helpers as ata
from ata_helpers.capture.samples import write_samples
from ata_helpers.capture.writers.pcap import (
    Packet,
    ethernet,
    ipv4_fragments,
    pcap_bytes,
    udp_bytes,
)
from ata_helpers.capture.writers.sip import request

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
CAPTURES = Path(__file__).parent / "data" / "captures"
FIELDS = ["frame.number", "sip.Call-ID", "sip.Method", "sip.Status-Code", "sip.CSeq.seq",
          "sip.CSeq.method", "sip.from.tag", "sip.to.tag", "sip.resend"]


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


def _tshark(path: Path) -> dict[int, dict[str, list[str]]]:
    out = subprocess.run(
        [TSHARK, "-r", str(path), "-Y", "sip", "-T", "fields", "-E", "separator=\t",
         "-E", "occurrence=a", "-E", "aggregator=|", "-o", "tcp.desegment_tcp_streams:TRUE",
         "-o", "sip.desegment_headers:TRUE", "-o", "sip.desegment_body:TRUE",
         *[x for f in FIELDS for x in ("-e", f)]], capture_output=True, text=True, check=True).stdout
    frames: dict[int, dict[str, list[str]]] = {}
    for line in out.splitlines():
        cells = line.split("\t")
        frames[int(cells[0])] = {f: sorted(v for v in c.split("|") if v) for f, c in zip(FIELDS[1:], cells[1:], strict=False)}
    return frames


def _ours(path: Path) -> dict[int, dict[str, list[str]]]:
    df = ata.read_sip(path)
    frames: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in df.itertuples(index=False):
        got = frames[row.frame]
        for field, value in zip(FIELDS[1:], (row.call_id, row.method, row.status, row.cseq, row.cseq_method,
                                             row.from_tag, row.to_tag, int(row.retransmission)), strict=False):
            if value is not None and not pd.isna(value):
                got[field].append(str(value))
    return {k: {f: sorted(v.get(f, [])) for f in FIELDS[1:]} for k, v in frames.items()}


def test_read_sip_matches_tshark_on_every_test_capture(tmp_path: Path) -> None:
    paths = sorted(p for p in CAPTURES.iterdir() if ".pcap" in p.name)
    paths += list(write_samples(tmp_path / "samples").values()) + _synthetic(tmp_path)
    assert len(paths) >= 10
    for path in paths:
        theirs, ours = _tshark(path), _ours(path)
        assert ours == theirs, f"{path.name}: read_sip differs from tshark"
