"""The wake-up scheduler as a real process, killed with SIGKILL right after each step of a ring
(every alarm-store write and every request to Twilio), then started again: each ring time gets
exactly one call. The sandbox twin runs in the test's own process, so it outlives the kills."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ata_helpers import WakeUpCall, twilio_client
from ata_helpers.wakeup.store import FINAL_STATES, AlarmStore

CHILD = Path(__file__).with_name("wakeup_crash_child.py")
CALLER = "+14155550100"  # the sandbox line's Twilio number


def _scheduler(kill_at: int, db: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), str(kill_at), str(log), "wakeup", "--db", str(db),
                             "run", "--tick", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _until_over_or_dead(proc: subprocess.Popen, store: AlarmStore, due: datetime, timeout: float = 60) -> bool:
    """Wait until the ring time is over (then stop the scheduler) or the process died; True if killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode() if proc.stderr else ""
            return True
        occ = store.occurrence("wake-up", due)
        if occ is not None and occ["state"] in FINAL_STATES:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
            return False
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError(f"the ring was not over after {timeout} s: {store.occurrence('wake-up', due)}")


def _ring_time() -> datetime:
    """This minute's start, with enough of the minute left for a trial (the grace covers the rest)."""
    now = datetime.now(timezone.utc)
    if now.second > 50:
        time.sleep(61 - now.second)
        now = datetime.now(timezone.utc)
    return now.replace(second=0, microsecond=0)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_after_every_step_the_alarm_rings_exactly_once(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.02")
    client = twilio_client()
    client.calls.list(limit=1)  # the twin now runs in this process
    kill_at, lost, doubled, steps_seen = 1, 0, 0, ""
    while True:
        number = f"+1415555{kill_at:04d}"
        db, log = tmp_path / f"alarms{kill_at}.sqlite3", tmp_path / f"steps{kill_at}.log"
        due = _ring_time()
        store = AlarmStore(db)
        store.save(WakeUpCall(time=due.strftime("%H:%M"), days="daily", tz="UTC", to=number, from_=CALLER,
                              retries=0), now=due - timedelta(minutes=1))
        killed = _until_over_or_dead(_scheduler(kill_at, db, log), store, due)
        if killed:
            _until_over_or_dead(_scheduler(0, db, log), store, due)
        calls = client.calls.list(to=number)
        occ = store.occurrence("wake-up", due)
        lost += len(calls) == 0
        doubled += len(calls) > 1
        assert len(calls) == 1, (kill_at, log.read_text())
        assert occ["state"] == "answered" and occ["call_sid"] == calls[0].sid, (kill_at, occ)
        if not killed:
            steps_seen = log.read_text()
            break
        kill_at += 1
    assert lost == doubled == 0 and kill_at > 8
    # every kind of step was a kill point: the claim, the call's creation and the records after it
    for step in ("store.claim", "twilio POST Calls.json", "store.set_state", "store.update_attempt"):
        assert step in steps_seen
