"""pcap/pcapng containers: resolutions, byte orders, interfaces, sections, gzip, damage."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from ata_helpers.capture._engine.pcapfile import iter_frames, load_bytes
from ata_helpers.capture.sip_table import read_sip
from ata_helpers.capture.writers.pcap import (
    Interface,
    Packet,
    frame_bytes,
    pcap_bytes,
    pcapng_bytes,
)
from ata_helpers.errors import CaptureError

T0 = 1_700_000_000.123456
MSG = (b"OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5;branch=z9hG4bK1\r\n"
       b"From: <sip:a@example.com>;tag=1\r\nTo: <sip:x@example.com>\r\nCall-ID: r1\r\n"
       b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
PACKET = Packet(T0, "203.0.113.5", 5060, "54.172.60.1", 5060, MSG)


@pytest.mark.parametrize("nanosecond", [False, True])
@pytest.mark.parametrize("big_endian", [False, True])
def test_classic_pcap_in_both_resolutions_and_byte_orders(nanosecond: bool, big_endian: bool) -> None:
    data = pcap_bytes([PACKET, PACKET], nanosecond=nanosecond, big_endian=big_endian)
    frames = list(iter_frames(data))
    assert [f[0] for f in frames] == [1, 2]
    assert frames[0][1] == 1_700_000_000_123_456_000
    assert frames[0][2] == 1 and frames[0][3] == frame_bytes(PACKET)


def test_pcapng_keeps_each_interfaces_link_type_and_resolution_across_sections() -> None:
    ether = frame_bytes(PACKET)
    raw_ip = ether[14:]
    section1 = ([Interface(1, 6), Interface(101, 9)], [(0, T0, ether), (1, T0 + 1, raw_ip)])
    section2 = ([Interface(228, 0x80 | 20)], [(0, T0 + 2, raw_ip)])  # 2^-20 s units
    for big in (False, True):
        frames = list(iter_frames(pcapng_bytes([section1, section2], big_endian=big)))
        assert [(f[0], f[2]) for f in frames] == [(1, 1), (2, 101), (3, 228)]
        assert frames[0][1] == 1_700_000_000_123_456_000
        assert frames[1][1] == 1_700_000_001_123_456_000
        assert abs(frames[2][1] - 1_700_000_002_123_456_000) < 1000
        df = read_sip(pcapng_bytes([section1, section2], big_endian=big))
        assert df["frame"].tolist() == [1, 2, 3] and set(df["call_id"]) == {"r1"}


def test_pcapng_simple_packet_block_uses_interface_zero() -> None:
    ether = frame_bytes(PACKET)
    shb = pcapng_bytes([([Interface(1, 6)], [])])
    body = struct.pack("<I", len(ether)) + ether + b"\0" * (-len(ether) % 4)
    spb = struct.pack("<II", 3, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    df = read_sip(shb + spb)
    assert len(df) == 1 and df["call_id"][0] == "r1"


def test_gzip_compressed_captures_are_read(tmp_path: Path) -> None:
    path = tmp_path / "c.pcap.gz"
    path.write_bytes(gzip.compress(pcap_bytes([PACKET])))
    assert read_sip(path)["call_id"].tolist() == ["r1"]


def test_not_a_capture_names_the_magic(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")
    with pytest.raises(CaptureError, match=r"not a pcap or pcapng file \(magic 0x68656c6c\)"):
        read_sip(path)
    with pytest.raises(CaptureError, match="empty"):
        read_sip(b"")
    with pytest.raises(CaptureError, match="not found"):
        read_sip(tmp_path / "missing.pcap")
    with pytest.raises(CaptureError, match="gzip"):
        read_sip(b"\x1f\x8b\x08broken")


def test_truncated_file_keeps_rows_read_before_the_damage() -> None:
    data = pcap_bytes([PACKET, PACKET, PACKET])
    cut = data[:-10]
    df = read_sip(cut)
    assert len(df) == 2
    assert df.attrs["warnings"] and f"truncated at byte {len(cut)}" in df.attrs["warnings"][0]
    with pytest.raises(CaptureError, match="truncated at byte"):
        read_sip(cut, strict=True)


def test_truncated_pcapng_block_is_reported() -> None:
    data = pcapng_bytes([([Interface(1, 6)], [(0, T0, frame_bytes(PACKET))] * 2)])
    df = read_sip(data[:-7])
    assert len(df) == 1 and "truncated at byte" in df.attrs["warnings"][0]


def test_stdin_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    fake = io.TextIOWrapper(io.BytesIO(pcap_bytes([PACKET])))
    monkeypatch.setattr(sys, "stdin", fake)
    assert load_bytes("-") == pcap_bytes([PACKET])
