"""CLI: `sip`, `diagnose` and `ladder`, reading files and stdin."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ata_helpers.capture.samples import write_healthy, write_nat_failure
from ata_helpers.cli import main


def test_sip_table_csv_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_healthy(tmp_path / "h.pcap"))
    assert main(["sip", path]) == 0
    assert "REGISTER" in capsys.readouterr().out
    assert main(["sip", "--csv", path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("time,src,sport,dst,dport,transport,method") and len(lines) > 13
    assert main(["sip", "--json", path]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 13 and rows[0]["method"] == "REGISTER"
    assert rows[0]["headers"]["cseq"] == ["1 REGISTER"] and rows[0]["headers"]["via"][0] == rows[0]["via"]


def test_diagnose_from_stdin_exits_1_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_nat_failure(tmp_path / "n.pcap").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["diagnose", "-"]) == 1
    out = capsys.readouterr().out
    assert "[error] contact-private-address" in out and "P4437" in out
    assert main(["diagnose", str(write_healthy(tmp_path / "h.pcap"))]) == 0


def test_ladder_writes_svg_and_bad_file_is_a_clean_error(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_nat_failure(tmp_path / "n.pcap"))
    out = tmp_path / "flow.svg"
    assert main(["ladder", path, "--call", "out-9a8b7c@192.168.1.50", "-o", str(out)]) == 0
    assert out.read_text().startswith("<svg")
    bad = tmp_path / "bad.pcap"
    bad.write_text("not a capture")
    assert main(["sip", str(bad)]) == 1
    assert "not a pcap or pcapng file (magic 0x6e6f7420)" in capsys.readouterr().err


def test_sip_json_lines_are_valid_and_empty_capture_prints_nothing_but_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ata_helpers.capture.writers.pcap import Packet, pcap_bytes

    empty = tmp_path / "dns.pcap"
    empty.write_bytes(pcap_bytes([Packet(1.0, "198.51.100.7", 40000, "198.51.100.53", 53, b"\x12\x34dns"),
                                  (2.0, b"\x01" * 60)]))
    assert main(["sip", "--json", str(empty)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no SIP messages found" in captured.err and "2 packet(s)" in captured.err
    assert "1 not SIP" in captured.err
    assert main(["diagnose", str(empty)]) == 0
    out = capsys.readouterr().out
    assert "Nothing to diagnose. No SIP message in this capture" in out and "healthy" not in out


def test_sip_csv_keeps_every_header_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    import ata_helpers as ata

    path = write_healthy(tmp_path / "h.pcap")
    assert main(["sip", "--csv", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    frame = ata.read_sip(path)
    assert [json.loads(r["headers"]) for r in rows] == list(frame["headers"])


def test_unreadable_packets_are_named_on_stderr_and_never_healthy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ata_helpers.capture.writers.pcap import pcap_bytes

    path = tmp_path / "odd.pcap"
    path.write_bytes(pcap_bytes([(1.0, b"\x01" * 80)], linktype=147))
    assert main(["sip", str(path)]) == 0
    assert "skipped that may hold SIP: link type 147" in capsys.readouterr().err
    assert main(["diagnose", str(path)]) == 1
    out = capsys.readouterr().out
    assert "[error] capture-incomplete" in out and "healthy" in out and "cannot be called healthy" in out
