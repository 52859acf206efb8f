"""Captures are read window by window: same result as a whole read, bounded memory, capped gzip."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers.capture._engine import pcapfile
from ata_helpers.capture.samples import write_samples
from ata_helpers.errors import CaptureError

CAPTURES = Path(__file__).parent / "data" / "captures"


@pytest.mark.parametrize("window", [7, 64, 1000])
def test_tiny_windows_read_like_one_whole_window(tmp_path: Path, window: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [*sorted(CAPTURES.glob("*.pcap*")), *write_samples(tmp_path).values()]
    whole = [ata.read_sip(p) for p in paths]
    monkeypatch.setattr(pcapfile, "WINDOW", window)
    for path, expected in zip(paths, whole, strict=True):
        frame = ata.read_sip(path)
        assert frame.equals(expected), path.name
        assert frame.attrs == expected.attrs, path.name


@pytest.mark.parametrize("name", ["sipp_udp_sll2.pcap", "sipp_merged_two_interfaces.pcapng"])
@pytest.mark.parametrize("cut", [10, 5000, -3])
def test_a_file_cut_short_is_reported_alike_in_any_window(tmp_path: Path, name: str, cut: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """pcap and pcapng read from a file: the same packets and the same 'truncated at byte N' message
    whether the cut falls in a record's body or its header (cut -3: 3 bytes past a record's start)."""
    data = (CAPTURES / name).read_bytes()
    if cut < 0:  # end 3 bytes into the header of the sixth record
        records = list(pcapfile.iter_records(data))
        data = data[:records[5][3] - (16 if name.endswith(".pcap") else 28) + 3]
    else:
        data = data[:-cut]
    path = tmp_path / name
    path.write_bytes(data)
    whole = ata.read_sip(data)
    assert whole.attrs["warnings"] and "truncated at byte" in whole.attrs["warnings"][0]
    for window in (7, 50, 4096):
        monkeypatch.setattr(pcapfile, "WINDOW", window)
        frame = ata.read_sip(path)
        assert frame.attrs["warnings"] == whole.attrs["warnings"], window
        assert frame.equals(whole), window


def test_damage_is_found_at_the_same_byte_whatever_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (CAPTURES / "sipp_udp_sll2.pcap").read_bytes()[:-10]
    expected = ata.read_sip(data).attrs["warnings"]
    assert expected and "truncated at byte" in expected[0]
    monkeypatch.setattr(pcapfile, "WINDOW", 50)
    assert ata.read_sip(data).attrs["warnings"] == expected
    with pytest.raises(CaptureError, match="truncated at byte"):
        ata.read_sip(data, strict=True)


def test_a_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"\xd4\xc3\xb2\xa1" + bytes(200 << 20), compresslevel=9)
    assert len(bomb) < 1 << 20
    with pytest.raises(CaptureError, match="expands more than"):
        ata.read_sip(bomb)


def test_several_gzip_members_and_a_cut_gzip() -> None:
    data = (CAPTURES / "sipp_udp_sll2.pcap").read_bytes()
    joined = gzip.compress(data[:1000]) + gzip.compress(data[1000:])
    assert ata.read_sip(joined).equals(ata.read_sip(data))
    with pytest.raises(CaptureError, match="cut short"):
        ata.read_sip(gzip.compress(data)[:-40])


def test_endless_zeros_and_noise_stop_at_once() -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        if Path(device).exists():
            with pytest.raises(CaptureError, match="not a pcap or pcapng file"):
                ata.read_sip(device)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_memory_stays_bounded_on_a_large_stream(tmp_path: Path) -> None:
    """A 300 MB capture of non-SIP packets, made on the fly and read from a pipe: the reader's
    peak memory stays near what importing pandas costs, not the input's size."""
    script = tmp_path / "big.py"
    script.write_text(
        "import struct, sys\n"
        "out = sys.stdout.buffer\n"
        "out.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))\n"
        "frame = bytes(14) + bytes([0x45]) + bytes(1000)\n"
        "record = struct.pack('<IIII', 1, 0, len(frame), len(frame)) + frame\n"
        "chunk = record * 1000\n"
        "for _ in range(300):\n"
        "    out.write(chunk)\n")
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of this big test
    # process would report this process's memory.
    reader = ("import re, ata_helpers as ata; f = ata.read_sip('-'); "
              "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
              "print(len(f), f.attrs['frames'], hwm)")
    producer = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE)
    done = subprocess.run([sys.executable, "-c", reader], stdin=producer.stdout,
                          capture_output=True, text=True, timeout=600)
    producer.wait()
    messages, frames, peak_kb = done.stdout.split()
    assert (int(messages), int(frames)) == (0, 300_000)
    assert int(peak_kb) < 250_000  # about pandas' own footprint; the input is 300+ MB


def test_bytes_and_file_objects_still_read(tmp_path: Path) -> None:
    data = (CAPTURES / "sipp_udp_sll2.pcap").read_bytes()
    assert len(ata.read_sip(io.BytesIO(data))) == 18
    assert pcapfile.load_bytes(io.BytesIO(gzip.compress(data))) == data


def test_diagnose_on_a_pipe_reports_each_call_as_it_ends() -> None:
    """`tcpdump -w - | ata-helpers diagnose -`: a call's findings come while the pipe is open."""
    import select

    cases = Path(__file__).parent / "data" / "cases"
    data = (cases / "twilio_200ok_never_acked.pcap").read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "ata_helpers.cli", "diagnose", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0)  # unbuffered: select() then sees every line
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(data)
        proc.stdin.flush()  # the pipe stays open: the capture is still "running"
        lines: list[bytes] = []
        while not any(b"[error] ack-missing" in line for line in lines):
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, f"no report while the pipe is open: {lines}"
            lines.append(proc.stdout.readline())
        assert lines[0].startswith(b"call ack-call-1@203.0.113.7 ended: 1 finding(s)")
        assert proc.poll() is None
        proc.stdin.close()
        rest = proc.stdout.read().decode()
        assert proc.wait(timeout=120) == 1
        assert "\n15 SIP message(s) from 15 packet(s)" in rest and rest.endswith("no other findings\n")
    finally:
        if proc.poll() is None:
            proc.kill()
