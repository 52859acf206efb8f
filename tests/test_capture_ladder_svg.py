"""ladder: deterministic SVG, one column per address:port, collapsed retransmissions, marks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import ata_helpers as ata
from ata_helpers.capture.samples import write_healthy, write_nat_failure


def test_same_input_gives_the_same_svg(tmp_path: Path) -> None:
    path = write_nat_failure(tmp_path / "n.pcap")
    first, second = ata.ladder(path).svg, ata.ladder(ata.read_sip(path)).svg
    assert first == ata.ladder(path).svg
    ET.fromstring(first)  # well-formed XML
    assert "RTP" in first and "RTP" not in second  # a bare table has no RTP attached


def test_columns_arrows_retransmissions_and_finding_marks(tmp_path: Path) -> None:
    path = write_nat_failure(tmp_path / "n.pcap")
    drawing = ata.ladder(path, call_id="in-5d1c2b@54.172.60.2")
    assert drawing.messages == 1 and drawing._repr_svg_() == drawing.svg
    assert "INVITE ×7 (SDP)" in drawing.svg
    headers = re.findall(r'font-weight="bold">([^<]+)</text>', drawing.svg)[1:]
    assert headers == ["54.172.60.2:5060", "192.168.1.50:5060"]
    assert "no-response" in drawing.svg and "#c62828" in drawing.svg


def test_rtp_band_and_healthy_call_has_no_marks(tmp_path: Path) -> None:
    drawing = ata.ladder(write_healthy(tmp_path / "h.pcap"), call_id="in-5d1c2b@54.172.60.2")
    assert drawing.svg.count("RTP PT 0, 100 packets") == 2
    assert "#c62828" not in drawing.svg.split("</defs>")[1]
    drawing.save(str(tmp_path / "h.svg"))
    assert (tmp_path / "h.svg").read_text() == drawing.svg
