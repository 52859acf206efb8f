"""Fuzzing: random and mutated captures and messages raise only CaptureError, and finish."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ata_helpers.capture.findings import diagnose
from ata_helpers.capture.samples import write_nat_failure
from ata_helpers.capture.sip_message import next_message, parse_message
from ata_helpers.capture.sip_table import read_sip
from ata_helpers.capture.writers.pcap import Interface, pcap_bytes, pcapng_bytes
from ata_helpers.errors import CaptureError

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@lru_cache(maxsize=1)
def _seed_capture() -> bytes:
    """The NAT failure sample: a real-looking capture to mutate."""
    with tempfile.TemporaryDirectory() as folder:
        return write_nat_failure(Path(folder) / "seed.pcap").read_bytes()


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def fail(*_: object) -> None:
        raise TimeoutError("hang")
    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _read(data: bytes) -> None:
    with _time_limit(5):
        try:
            read_sip(data)
            diagnose(data)
        except CaptureError:
            pass


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _read(data)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_frames_in_valid_containers(frame: bytes) -> None:
    for linktype in (1, 113, 276, 101, 0, 229):
        _read(pcap_bytes([(1.0, frame), (2.0, frame[::-1])], linktype=linktype))
    _read(pcapng_bytes([([Interface(1, 6), Interface(101, 9)], [(0, 1.0, frame), (1, 2.0, frame)])]))


@FUZZ
@given(st.data())
def test_mutated_real_capture(data: st.DataObject) -> None:
    seed = bytearray(_seed_capture())
    for _ in range(data.draw(st.integers(1, 20))):
        pos = data.draw(st.integers(0, len(seed) - 1))
        seed[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(seed)))
    _read(bytes(seed[:cut]) if data.draw(st.booleans()) else bytes(seed))


SIP_ALPHABET = st.sampled_from(["INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", "\r\n", "\n", ": ", ",",
                                "Via: SIP/2.0/UDP h;branch=z9hG4bK", "l: ", "Content-Length: 9",
                                "<sip:x@y>", '"', ";tag=", " ", "\t", "CSeq: 1 INVITE", "i: x", "\x00",
                                "\xff", "v=0", "99999999999999999999"])


@FUZZ
@given(st.lists(SIP_ALPHABET, max_size=40).map("".join))
def test_sip_parser_never_raises(text: str) -> None:
    raw = text.encode("utf-8", "surrogateescape")
    result = parse_message(raw)
    assert result.problem is None or isinstance(result.problem, str)
    with _time_limit(2):
        pos = 0
        for _ in range(50):
            found = next_message(raw, pos)
            if found is None:
                break
            assert found[1] > pos
            pos = found[1]
