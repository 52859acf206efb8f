"""The wake-up scheduler on an injected clock: rings once, documented missed policy, restarts,
retries of unanswered calls, network back-off, clock changes, and the whole chain in the twin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from ata_helpers import WakeUpCall
from ata_helpers.errors import TwilioApiError, ValidationError
from ata_helpers.wakeup.scheduler import WakeUpScheduler, ring_due, ring_soon
from ata_helpers.wakeup.store import FINAL_STATES, AlarmStore

LA = ZoneInfo("America/Los_Angeles")
TO = "sip:ht801@my-ht801.sip.twilio.com"
MONDAY_0630 = datetime(2025, 3, 3, 6, 30, tzinfo=LA)


@dataclass
class Clock:
    """A wall clock that only moves when told to (sleep advances it)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeTwilio:
    """Places calls instantly; each call rings for `ring` seconds, then ends with the next outcome."""

    clock: Clock
    outcomes: list[str] = field(default_factory=lambda: ["completed"])
    failures: list[BaseException] = field(default_factory=list)
    ring: float = 20.0
    placed: list[tuple[datetime, str, str]] = field(default_factory=list)
    ends: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def place(self, alarm: WakeUpCall) -> str:
        if self.failures:
            raise self.failures.pop(0)
        sid = f"CA{len(self.placed):032x}"
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        self.placed.append((self.clock(), alarm.name, sid))
        self.ends[sid] = (self.clock() + timedelta(seconds=self.ring), outcome)
        return sid

    def check(self, sid: str) -> str:
        end, outcome = self.ends[sid]
        return outcome if self.clock() >= end else "ringing"

    def find(self, alarm: WakeUpCall, since: datetime) -> list[str]:
        """Calls placed for the alarm at or after `since` (what Twilio's Calls list would show)."""
        return [sid for when, name, sid in self.placed if name == alarm.name and when >= since]


def setup(tmp_path: Path, start: datetime, **alarm_args: object) -> tuple[Clock, FakeTwilio, AlarmStore,
                                                                         WakeUpScheduler]:
    clock = Clock(start.astimezone(timezone.utc))
    twilio = FakeTwilio(clock)
    store = AlarmStore(tmp_path / "alarms.sqlite3")
    args = {"time": "06:30", "days": "mon-fri", "tz": "America/Los_Angeles", "to": TO, "retries": 2,
            "retry_minutes": 5, **alarm_args}
    store.save(WakeUpCall(**args), now=clock() - timedelta(days=1))  # type: ignore[arg-type]
    return clock, twilio, store, scheduler(store, clock, twilio)


def scheduler(store: AlarmStore, clock: Clock, twilio: FakeTwilio) -> WakeUpScheduler:
    return WakeUpScheduler(store, place=twilio.place, check=twilio.check, find_calls=twilio.find, clock=clock,
                           sleep=clock.sleep)


def run_until(runner: WakeUpScheduler, clock: Clock, until: datetime) -> None:
    runner.run(stop=lambda: clock() >= until)


def test_a_due_alarm_rings_once_on_time(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=30))
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=2))
    assert len(twilio.placed) == 1
    when, name, sid = twilio.placed[0]
    assert name == "wake-up"
    assert timedelta(0) <= when - MONDAY_0630 <= timedelta(seconds=runner.tick_seconds)
    occ = store.occurrence("wake-up", MONDAY_0630)
    assert occ is not None and occ["state"] == "answered" and occ["call_sid"] == sid
    assert [a["status"] for a in store.attempts()] == ["completed"]


def test_the_loop_sleeps_until_the_ring_time_not_past_it(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(hours=5))
    runner.tick_seconds = 3600  # long ticks: the sleep must still end at the ring time
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=1))
    assert twilio.placed and twilio.placed[0][0] == MONDAY_0630


def test_days_not_in_the_set_do_not_ring(tmp_path: Path) -> None:
    saturday = MONDAY_0630 - timedelta(days=2)
    clock, twilio, store, runner = setup(tmp_path, saturday - timedelta(hours=1))
    run_until(runner, clock, MONDAY_0630 - timedelta(hours=1))
    assert twilio.placed == []


def test_restart_while_ringing_follows_the_same_call(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    twilio.ring = 40
    run_until(runner, clock, MONDAY_0630 + timedelta(seconds=10))
    assert len(twilio.placed) == 1
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "ringing"
    store.close()
    again = AlarmStore(tmp_path / "alarms.sqlite3")  # a new process on the same file
    run_until(scheduler(again, clock, twilio), clock, MONDAY_0630 + timedelta(minutes=20))
    assert len(twilio.placed) == 1
    assert again.occurrence("wake-up", MONDAY_0630)["state"] == "answered"


def test_restart_after_the_ring_does_not_ring_again(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=2))
    for _ in range(3):
        run_until(scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio), clock,
                  clock() + timedelta(minutes=3))
    assert len(twilio.placed) == 1


def test_a_run_that_died_before_twilio_had_the_call_rings_it_once(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630)

    def dies(alarm: WakeUpCall) -> str:
        raise KeyboardInterrupt  # the process stops while Twilio is being asked

    runner.place = dies
    with pytest.raises(KeyboardInterrupt):
        runner.tick()
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "placing"
    run_until(scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio), clock,
              MONDAY_0630 + timedelta(minutes=30))
    assert len(twilio.placed) == 1
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "answered"


def test_a_run_that_died_after_twilio_had_the_call_follows_that_call(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630)

    def places_then_dies(alarm: WakeUpCall) -> str:
        twilio.place(alarm)
        raise KeyboardInterrupt  # Twilio created the call; the answer never arrived

    runner.place = places_then_dies
    with pytest.raises(KeyboardInterrupt):
        runner.tick()
    run_until(scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio), clock,
              MONDAY_0630 + timedelta(minutes=30))
    assert len(twilio.placed) == 1
    occ = store.occurrence("wake-up", MONDAY_0630)
    assert occ["state"] == "answered" and occ["call_sid"] == twilio.placed[0][2]
    assert "found at Twilio" in store.attempts()[-1]["detail"]


def test_a_half_done_ring_found_after_the_grace_is_logged_as_missed(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630)
    runner.place = lambda alarm: (_ for _ in ()).throw(KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        runner.tick()
    clock.now += timedelta(minutes=20)
    scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio).tick()
    assert twilio.placed == []
    occ = store.occurrence("wake-up", MONDAY_0630)
    assert occ["state"] == "missed" and "no call was placed" in occ["detail"]


def test_a_ring_being_placed_by_a_live_scheduler_is_left_to_it(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630)
    other = scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio)

    def place_while_other_ticks(alarm: WakeUpCall) -> str:
        other.tick()  # the other scheduler sees `placing` while this one holds the ring lock
        return twilio.place(alarm)

    runner.place = place_while_other_ticks
    runner.tick()
    assert len(twilio.placed) == 1
    run_until(other, clock, MONDAY_0630 + timedelta(minutes=30))
    assert len(twilio.placed) == 1


class Crash(BaseException):
    """The process dies here (raised after the step's effect is stored, like kill -9 right after it)."""


def _crash_at(step: int, runner: WakeUpScheduler, twilio: FakeTwilio) -> list[str]:
    """Make the runner die right after its `step`-th store write or Twilio request; returns the step log."""
    steps: list[str] = []

    def wrap(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            result = fn(*args, **kwargs)
            steps.append(name)
            if len(steps) == step:
                raise Crash(name)
            return result
        return wrapped

    store = runner.store
    for name in ("add_occurrence", "claim", "log_attempt", "set_state", "update_attempt"):
        setattr(store, name, wrap(name, getattr(store, name)))
    runner.place = wrap("twilio:create", twilio.place)
    runner.check = wrap("twilio:fetch", twilio.check)
    runner.find_calls = wrap("twilio:list", twilio.find)
    return steps


@pytest.mark.parametrize("outcomes,retries,expected", [(["completed"], 2, 1),
                                                       (["no-answer", "busy", "no-answer"], 2, 3)])
def test_killed_at_any_step_the_alarm_rings_exactly_once(tmp_path: Path, outcomes: list[str], retries: int,
                                                         expected: int) -> None:
    """Die after each store write or Twilio request of a ring (retries included), restart: the
    number of calls is always one per ring time plus the retries an unanswered call earns."""
    step = 1
    while True:
        folder = tmp_path / f"step{step}"
        clock, twilio, store, runner = setup(folder, MONDAY_0630 - timedelta(seconds=5), retries=retries,
                                             retry_minutes=1)
        twilio.outcomes, twilio.ring = list(outcomes), 3.0
        steps = _crash_at(step, runner, twilio)

        def over(store: AlarmStore = store) -> bool:
            occ = store.occurrence("wake-up", MONDAY_0630)
            return occ is not None and occ["state"] in FINAL_STATES

        try:
            runner.run(stop=over)
            crashed = False
        except Crash:
            crashed = True
        restarted = scheduler(AlarmStore(folder / "alarms.sqlite3"), clock, twilio)
        restarted.run(stop=over, max_ticks=500)
        occ = store.occurrence("wake-up", MONDAY_0630)
        assert len(twilio.placed) == expected, (step, steps)
        assert occ["state"] == ("answered" if expected == 1 else "unanswered"), (step, steps)
        if not crashed:
            break
        step += 1
    assert step > 6 * expected  # every step of every attempt was a crash point


def test_missed_ring_times_follow_the_grace_policy(tmp_path: Path) -> None:
    """Late by at most `grace` (15 min): rings. Later: logged as missed, not rung."""
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 + timedelta(minutes=10))
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=20))
    assert len(twilio.placed) == 1

    clock2, twilio2, store2, runner2 = setup(tmp_path / "late", MONDAY_0630 + timedelta(minutes=16))
    run_until(runner2, clock2, MONDAY_0630 + timedelta(hours=1))
    assert twilio2.placed == []
    occ = store2.occurrence("wake-up", MONDAY_0630)
    assert occ["state"] == "missed" and "16 min late" in occ["detail"]


def test_a_scheduler_down_for_days_rings_only_the_latest_time_in_grace(tmp_path: Path) -> None:
    thursday = MONDAY_0630 + timedelta(days=3)
    clock, twilio, store, runner = setup(tmp_path, thursday + timedelta(minutes=5))
    store.remove("wake-up")
    store.save(WakeUpCall(time="06:30", days="mon-fri", tz="America/Los_Angeles", to=TO),
               now=MONDAY_0630 - timedelta(days=1))
    runner.tick()
    history = store.history("wake-up")
    assert list(history["state"]) == ["ringing", "missed", "missed", "missed"]
    assert list(history["due"].dt.tz_convert(LA).dt.day) == [6, 5, 4, 3]
    run_until(runner, clock, thursday + timedelta(hours=1))
    assert len(twilio.placed) == 1


def test_an_alarm_never_rings_for_a_time_before_it_was_created(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 + timedelta(minutes=5))
    store.save(WakeUpCall(time="06:30", days="daily", tz="America/Los_Angeles", to=TO, name="new"),
               now=clock())
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=30))
    assert [name for _, name, _ in twilio.placed] == ["wake-up"]
    assert store.occurrence("new", MONDAY_0630) is None


def test_unanswered_calls_retry_as_configured(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1), retries=2,
                                         retry_minutes=5)
    twilio.outcomes = ["no-answer", "busy", "completed"]
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=1))
    times = [when for when, _, _ in twilio.placed]
    assert len(times) == 3
    gap = timedelta(minutes=5) + timedelta(seconds=twilio.ring)
    for earlier, later in zip(times, times[1:], strict=False):
        assert gap <= later - earlier <= gap + timedelta(seconds=5)
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "answered"
    assert [a["status"] for a in store.attempts()] == ["no-answer", "busy", "completed"]


def test_retries_stop_after_the_configured_number(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1), retries=1)
    twilio.outcomes = ["no-answer"]
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=1))
    assert len(twilio.placed) == 2
    occ = store.occurrence("wake-up", MONDAY_0630)
    assert occ["state"] == "unanswered" and "2 attempt(s)" in occ["detail"]


def test_long_retry_plans_are_kept_beyond_the_default_give_up(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1), retries=2,
                                         retry_minutes=30)
    twilio.outcomes = ["no-answer", "no-answer", "no-answer"]
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=3))
    assert len(twilio.placed) == 3
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "unanswered"


def test_network_errors_back_off_then_ring_once(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    twilio.failures = [requests.ConnectionError("no route to host"),
                       TwilioApiError(503, None, "Service Unavailable")]
    attempts_at: list[datetime] = []
    place = twilio.place

    def recording_place(alarm: WakeUpCall) -> str:
        attempts_at.append(clock())
        return place(alarm)

    runner.place = recording_place
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=1))
    assert len(twilio.placed) == 1
    assert len(attempts_at) == 3
    assert attempts_at[1] - attempts_at[0] >= timedelta(seconds=15)
    assert attempts_at[2] - attempts_at[1] >= timedelta(seconds=30)
    statuses = [a["status"] for a in store.attempts()]
    assert statuses == ["network-error", "network-error", "completed"]


def test_a_twilio_refusal_is_final_and_logged(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    twilio.failures = [TwilioApiError(400, 21210, "The source phone number is not verified",
                                      "The caller ID is not a Twilio number.", "Use one of your numbers.")]
    run_until(runner, clock, MONDAY_0630 + timedelta(hours=1))
    assert twilio.placed == []
    occ = store.occurrence("wake-up", MONDAY_0630)
    assert occ["state"] == "failed" and "21210" in occ["detail"] and "Use one of your numbers" in occ["detail"]


def test_the_clock_going_back_does_not_ring_twice(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=5))
    clock.now -= timedelta(hours=1)  # e.g. an NTP correction
    run_until(runner, clock, MONDAY_0630 + timedelta(minutes=30))
    assert len(twilio.placed) == 1


def test_the_clock_jumping_far_forward_logs_a_miss(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=5))
    runner.tick()
    clock.now += timedelta(hours=3)
    runner.tick()
    assert twilio.placed == []
    assert store.occurrence("wake-up", MONDAY_0630)["state"] == "missed"


def test_two_schedulers_on_one_file_ring_once(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 - timedelta(minutes=1))
    other = scheduler(AlarmStore(tmp_path / "alarms.sqlite3"), clock, twilio)
    while clock() < MONDAY_0630 + timedelta(minutes=10):
        runner.tick()
        other.tick()
        clock.sleep(10)
    assert len(twilio.placed) == 1


def test_a_skipped_local_time_rings_once_on_the_spring_forward_day(tmp_path: Path) -> None:
    sunday = datetime(2025, 3, 9, 0, 0, tzinfo=LA)
    clock, twilio, store, runner = setup(tmp_path, sunday, time="02:30", days="daily")
    run_until(runner, clock, sunday + timedelta(hours=12))
    assert len(twilio.placed) == 1
    assert twilio.placed[0][0].astimezone(LA).strftime("%H:%M") == "03:30"


def test_ring_due_is_what_cron_runs_and_it_is_idempotent(tmp_path: Path) -> None:
    clock, twilio, store, runner = setup(tmp_path, MONDAY_0630 + timedelta(seconds=2))
    first = ring_due("wake-up", store=store, scheduler=runner)
    assert first["state"] == "answered" and len(twilio.placed) == 1
    again = ring_due("wake-up", store=store, scheduler=runner)
    assert again["call_sid"] == first["call_sid"] and len(twilio.placed) == 1
    clock.now += timedelta(hours=3)
    with pytest.raises(ValidationError, match="next rings at"):
        ring_due("wake-up", store=store, scheduler=runner)


def test_ring_soon_runs_the_whole_chain_in_the_twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store, scheduler, place_call through the twin, follow the call: a real number rings."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    clock = Clock(datetime(2025, 3, 3, 14, 29, 30, tzinfo=timezone.utc))
    store = AlarmStore(tmp_path / "chain.sqlite3")
    runner = WakeUpScheduler(store, clock=clock, sleep=clock.sleep)
    result = ring_soon("+14155550123", minutes=1, store=store, scheduler=runner)
    assert result["state"] == "answered" and result["call_sid"].startswith("CA")
    assert datetime.fromtimestamp(result["due"], timezone.utc) == datetime(2025, 3, 3, 14, 31, tzinfo=timezone.utc)
    assert store.names() == []  # the test alarm is removed afterwards


def test_store_keeps_alarms_by_name(tmp_path: Path) -> None:
    store = AlarmStore(tmp_path / "a.sqlite3")
    a = WakeUpCall(to=TO, name="morning")
    assert store.save(a) == "created"
    assert store.save(a) == "unchanged"
    assert store.save(WakeUpCall(to=TO, name="morning", time="07:00")) == "updated"
    assert store.get("morning").time == "07:00"
    assert (tmp_path / "a.sqlite3").stat().st_mode & 0o777 == 0o600
    assert store.remove("morning") and not store.remove("morning")
    with pytest.raises(ValidationError):
        store.get("morning")


def test_default_store_lives_in_the_sandbox(sandbox_env: Path, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    assert AlarmStore().path == sandbox_env.resolve() / "wakeup.sqlite3"
    monkeypatch.setenv("ATA_WAKEUP_DB", str(tmp_path / "mine.sqlite3"))
    assert AlarmStore().path == tmp_path / "mine.sqlite3"
