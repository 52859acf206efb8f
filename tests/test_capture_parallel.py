"""The forked parse (capture/parallel.py) gives exactly the serial result, and falls back on failure."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from ata_helpers.capture import parallel
from ata_helpers.capture.rtp_table import rtp_streams
from ata_helpers.capture.samples import write_samples
from ata_helpers.capture.sip_headers import LazyHeaders
from ata_helpers.capture.sip_table import read_sip
from ata_helpers.capture.findings import diagnose

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_samples(tmp_path_factory.mktemp("samples"))["nat_failure"]


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Force the parallel path on small captures and record each fork's child pid."""
    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(parallel.os, "fork", fork)
    monkeypatch.setattr(parallel, "FORK_MIN_MESSAGES", 1)
    # Earlier tests in the same run can leave idle daemon threads (the twins' servers); only a
    # thread started during this test counts, as a lone process would see it.
    baseline = threading.active_count()
    monkeypatch.setattr(parallel, "forking_allowed", lambda: threading.active_count() == baseline)
    return pids


def _serial(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "FORK_MIN_MESSAGES", 10**9)
        return _tables(path)


def _tables(path: Path) -> tuple[Any, Any, Any]:
    sip = read_sip(path)
    return sip.assign(headers=sip["headers"].map(dict)), diagnose(path), rtp_streams(path)


def _assert_same(left: tuple, right: tuple) -> None:
    for a, b in zip(left, right):
        assert a.equals(b)
        assert list(a.columns) == list(b.columns)
        assert a.dtypes.equals(b.dtypes)
        assert repr(a.attrs) == repr(b.attrs)


def _no_children_left() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def test_forked_parse_equals_serial(capture: Path, forks: list[int],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _serial(capture, monkeypatch)
    assert not forks
    parallel_tables = _tables(capture)
    assert len(forks) == 3  # read_sip, diagnose and rtp_streams each forked once
    _assert_same(serial, parallel_tables)
    assert len(serial[0]) == 19
    assert _no_children_left()


def test_child_rows_keep_lazy_headers(capture: Path, forks: list[int]) -> None:
    frame = read_sip(capture)
    assert forks
    headers = frame["headers"].iloc[-1]
    assert type(headers) is LazyHeaders
    assert headers.get("x-no-such-header") is None
    assert headers["call-id"] == [frame["call_id"].iloc[-1]]


@pytest.mark.parametrize("failure", ["raise", "garbage", "short", "killed"])
def test_child_failure_falls_back_to_serial(capture: Path, forks: list[int], failure: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "FORK_MIN_MESSAGES", 10**9)
        expected = read_sip(capture).assign(headers=lambda f: f["headers"].map(dict))
    real_encode = parallel._encode

    def broken(fields: list) -> bytes:
        if failure == "raise":
            raise RuntimeError("child failed")
        if failure == "garbage":
            return b"not what the parent expects"
        if failure == "short":
            return real_encode(fields[:-1])
        os.kill(os.getpid(), 9)
        return b""

    monkeypatch.setattr(parallel, "_encode", broken)
    frame = read_sip(capture)
    assert forks
    assert frame.assign(headers=frame["headers"].map(dict)).equals(expected)
    assert _no_children_left()


def test_no_fork_with_other_threads(capture: Path, forks: list[int]) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        read_sip(capture)
    finally:
        stop.set()
        thread.join()
    assert not forks


def test_no_fork_below_threshold(capture: Path, forks: list[int],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "FORK_MIN_MESSAGES", 1000)
    assert len(read_sip(capture)) == 19
    assert not forks


def test_forking_is_allowed_only_without_other_threads() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.forking_allowed()
    finally:
        stop.set()
        thread.join()
