"""The shared parse (capture/_engine/parallel.py) gives exactly the serial result, falls back
to a serial parse when its worker fails, and stays off where forking is unsafe."""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ata_helpers.capture._engine import parallel
from ata_helpers.capture.findings import diagnose
from ata_helpers.capture.rtp_table import rtp_streams
from ata_helpers.capture.samples import write_samples
from ata_helpers.capture.sip_table import read_sip

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_samples(tmp_path_factory.mktemp("samples"))["nat_failure"]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[ProcessPoolExecutor]:
    """Force the shared parse on small captures and record each worker pool made."""
    made: list[ProcessPoolExecutor] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_MESSAGES", 1)
    # Earlier tests in the same run can leave idle daemon threads (the twins' servers); only a
    # thread started during this test counts, as a lone process would see it.
    baseline = threading.active_count()
    monkeypatch.setattr(parallel, "parallel_allowed", lambda: threading.active_count() == baseline)
    return made


def _tables(path: Path) -> tuple[Any, Any, Any]:
    return read_sip(path), diagnose(path), rtp_streams(path)


def _serial(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_MIN_MESSAGES", 10**9)
        return _tables(path)


def _assert_same(left: tuple, right: tuple) -> None:
    for a, b in zip(left, right, strict=False):
        assert a.equals(b)
        assert list(a.columns) == list(b.columns)
        assert a.dtypes.equals(b.dtypes)
        assert repr(a.attrs) == repr(b.attrs)


def test_shared_parse_equals_serial(capture: Path, pools: list,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _serial(capture, monkeypatch)
    assert not pools
    shared = _tables(capture)
    assert len(pools) == 3  # read_sip, diagnose and rtp_streams each used a worker
    _assert_same(serial, shared)
    assert len(serial[0]) == 19
    assert all(type(h) is dict for h in shared[0]["headers"])


@pytest.mark.parametrize("failure", ["raise", "killed"])
def test_worker_failure_falls_back_to_serial(capture: Path, pools: list, failure: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_MIN_MESSAGES", 10**9)
        expected = read_sip(capture)
    parent = os.getpid()
    real = parallel.parse_message

    def broken(data: bytes) -> Any:
        # The worker is forked from this process, so it runs this same patched module.
        if os.getpid() != parent:
            if failure == "raise":
                raise RuntimeError("worker failed")
            os.kill(os.getpid(), 9)
        return real(data)

    monkeypatch.setattr(parallel, "parse_message", broken)
    frame = read_sip(capture)
    assert pools
    assert frame.equals(expected)


def test_no_worker_with_other_threads(capture: Path, pools: list) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        read_sip(capture)
    finally:
        stop.set()
        thread.join()
    assert not pools


def test_no_worker_below_threshold(capture: Path, pools: list,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_MESSAGES", 1000)
    assert len(read_sip(capture)) == 19
    assert not pools


def test_parallel_is_off_with_threads_and_in_jupyter(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.parallel_allowed()
    finally:
        stop.set()
        thread.join()
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert parallel.parallel_allowed() == sys.platform.startswith("linux")
    monkeypatch.setitem(sys.modules, "ipykernel", sys)
    assert not parallel.parallel_allowed()
