"""The Twilio twin under load and its clients' recovery: 200 concurrent writes from 4 processes all
succeed and are stored once; a client that lost its connection goes back to the advertised twin and
starts a new one only when the process that ran it is gone, and then only one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers.sandbox import runtime

CHILD = Path(__file__).with_name("twin_load_child.py")


def run_load(processes: int = 4, per_process: int = 50) -> tuple[list[str], list[float]]:
    """Fire processes × per_process writes at once; returns (errors, latencies in seconds)."""
    start = time.time() + 4.0  # every process imported and built its clients by then
    children = [subprocess.Popen([sys.executable, str(CHILD), str(start), str(i), str(per_process)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(processes)]
    errors: list[str] = []
    latencies: list[float] = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        result = json.loads(out.strip().splitlines()[-1])
        errors += result["errors"]
        latencies += result["latencies"]
    return errors, latencies


def test_200_concurrent_writes_from_4_processes_are_all_stored_once() -> None:
    client = ata.twilio_client()
    client.calls.list(limit=1)  # the twin runs in this process
    errors, latencies = run_load()
    assert errors == []
    assert len(latencies) == 200
    names = [a.friendly_name for a in client.sip.ip_access_control_lists.list() if a.friendly_name.startswith("load-")]
    assert sorted(names) == sorted(f"load-{p}-{i}" for p in range(4) for i in range(50))


def _host_twin(folder: Path) -> subprocess.Popen:
    """A separate process that runs the twin (as a notebook kernel would) until it is killed."""
    code = ("import sys, time, ata_helpers as ata; ata.twilio_client().calls.list(limit=1); "
            "print('up', flush=True); time.sleep(600)")
    host = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert host.stdout is not None and host.stdout.readline().strip() == "up"
    return host


def _advertised(folder: Path) -> dict:
    return json.loads((folder / "services" / "twilio.json").read_text())


def test_a_lost_connection_goes_back_to_the_advertised_twin(sandbox_env: Path) -> None:
    host = _host_twin(sandbox_env)
    try:
        client = ata.twilio_client()
        client.sip.credential_lists.create(friendly_name="before")
        advertised = _advertised(sandbox_env)
        assert advertised["pid"] == host.pid
        client.http_client.base_url = "http://127.0.0.1:9"  # a connection that fails (nothing listens)
        assert [c.friendly_name for c in client.sip.credential_lists.list()] == ["before"]
        assert client.http_client.base_url == advertised["url"]  # back to the advertised twin
        assert not runtime._RUNNING  # no second twin started here
        assert _advertised(sandbox_env) == advertised
    finally:
        host.kill()
        host.wait()


def test_a_twin_whose_process_is_gone_is_replaced_once(sandbox_env: Path) -> None:
    host = _host_twin(sandbox_env)
    ata.twilio_client().sip.credential_lists.create(friendly_name="kept")
    old = _advertised(sandbox_env)
    host.send_signal(signal.SIGKILL)
    host.wait()
    code = ("import sys, ata_helpers as ata; c = ata.twilio_client(); "
            "names = sorted(x.friendly_name for x in c.sip.credential_lists.list()); "
            "print(c.http_client.base_url, names, flush=True); sys.stdin.read()")  # stays up until told
    recovering = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for _ in range(3)]
    answers = [(p.stdout.readline(), "") for p in recovering]  # type: ignore[union-attr]
    for p in recovering:
        p.communicate(input="", timeout=120)
    assert all(p.returncode == 0 for p in recovering), [p.stderr for p in recovering]
    urls = {out.split()[0] for out, _ in answers}
    assert len(urls) == 1 and urls != {old["url"]}  # one new twin, shared by all three
    assert all("['kept']" in out for out, _ in answers)  # on the same store
    assert _advertised(sandbox_env)["url"] in urls
    assert _advertised(sandbox_env)["pid"] in [p.pid for p in recovering]


@pytest.fixture(autouse=True)
def _fast_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "PATIENCE", 5.0)
