"""The long-running scheduler behind `ata-helpers wakeup run`: ring due alarms, exactly once.

Each tick reads the wall clock and, for every enabled alarm, records the ring times that have
passed since the alarm was created (over at most `lookback`). Then:

- **On time**: a ring time at most `grace` old (default 15 min) is rung. If the scheduler was
  down, or the clock jumped forward, only the latest such time rings.
- **Missed**: a ring time older than `grace` is logged as `missed` and not rung. A wake-up call
  hours late is worse than none.
- **Once**: every ring time is a row keyed by (alarm, UTC instant). It is claimed in a
  transaction before the call is placed. A restart, a second scheduler on the same file or the
  clock going back therefore never rings it twice. A claim whose outcome was lost (the process
  died while placing the call) becomes `uncertain` and is not rung again.
- **Unanswered** (no-answer, busy, failed, canceled): the call is placed again after
  `retry_minutes`, up to `retries` more times. Each attempt is logged.
- **Network errors** while placing or checking a call: back off (15 s doubling, at most 5 min)
  and try again until `give_up` after the ring time. A Twilio 4xx error is final and logged with
  its code, meaning and fix.

Clock, sleep, call placing and status checking are injectable, so tests run the whole policy
on a fake clock.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from ..calls.statuses import FINAL_STATUSES
from ..errors import SandboxError, TwilioApiError, ValidationError
from .schedule import WakeUpCall
from .store import FINAL_STATES, AlarmStore

__all__ = ["WakeUpScheduler", "ring_soon", "ring_due", "place_alarm_call", "call_status", "is_transient"]

log = logging.getLogger("ata_helpers.wakeup")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
PlaceCall = Callable[[WakeUpCall], str]
CheckCall = Callable[[str], str]



def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def place_alarm_call(alarm: WakeUpCall) -> str:
    """Place the alarm's call through Twilio (the scheduler's default way to ring)."""
    from ..calls.place import place_call

    return place_call(alarm.to, say=alarm.message, from_=alarm.from_, timeout=alarm.ring_seconds)


def call_status(sid: str) -> str:
    """A call's current status from Twilio (the scheduler's default way to follow a call)."""
    from ..twilio_api import explained_errors, twilio_client

    with explained_errors():
        return str(twilio_client().calls(sid).fetch().status)


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying: no network, the Twilio twin away, Twilio 5xx or 429."""
    if isinstance(exc, TwilioApiError):
        return exc.status == 0 or exc.status == 429 or exc.status >= 500
    if isinstance(exc, ValidationError):
        return False
    return isinstance(exc, (OSError, SandboxError))


@dataclass
class WakeUpScheduler:
    """Rings the alarms of `store` when they are due; `tick()` does one pass, `run()` loops."""

    store: AlarmStore
    place: PlaceCall = place_alarm_call
    check: CheckCall = call_status
    clock: Clock = _utc_now
    sleep: Sleep = time.sleep
    grace: timedelta = timedelta(minutes=15)
    give_up: timedelta = timedelta(minutes=45)
    lookback: timedelta = timedelta(days=7)
    tick_seconds: float = 20.0
    say: Callable[[str], None] | None = None

    def _log(self, text: str) -> None:
        log.info(text)
        if self.say is not None:
            self.say(text)

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the scheduler's clock must return timezone-aware datetimes")
        return now.astimezone(timezone.utc)

    # -- one pass -------------------------------------------------------------------------------
    def tick(self) -> None:
        """Record newly due ring times, then move every open one forward."""
        now = self._now()
        saved = self.store.alarms()
        alarms = {alarm.name: alarm for alarm, _ in saved}
        for alarm, created in saved:
            if alarm.enabled:
                self._record_due(alarm, created, now)
        for occurrence in self.store.open_occurrences():
            owner = alarms.get(occurrence["alarm"])
            if owner is None:
                continue
            self._advance(owner, occurrence, now)

    def _record_due(self, alarm: WakeUpCall, created: datetime, now: datetime) -> None:
        since = max(created, now - self.lookback)
        times = alarm.times_between(since, now)
        on_time = [t for t in times if now - t <= self.grace]
        latest = on_time[-1] if on_time else None
        for due in times:
            if due == latest:
                if self.store.add_occurrence(alarm.name, due, "due", now):
                    self._log(f"{alarm.name}: ring time {due.isoformat()} is due")
            elif self.store.add_occurrence(alarm.name, due, "missed", now,
                                           f"not rung: {self._late(now - due)} late "
                                           f"(more than {self._late(self.grace)}) or superseded"):
                self._log(f"{alarm.name}: missed ring time {due.isoformat()} (scheduler was not running)")

    @staticmethod
    def _late(delta: timedelta) -> str:
        minutes = int(delta.total_seconds() // 60)
        return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"

    def _advance(self, alarm: WakeUpCall, occ: dict, now: datetime) -> None:
        state, due = occ["state"], occ["due"]
        if state == "placing":
            # Another run claimed it and never recorded the outcome: it may have rung.
            if now.timestamp() - occ["updated_at"] > 300:
                self.store.set_state(alarm.name, due, now, state="uncertain",
                                     detail="the scheduler stopped while placing this call; not rung again")
                self._log(f"{alarm.name}: outcome of the call placed for {self._due(due)} is unknown; "
                          "not ringing again")
            return
        if state in ("due", "retry"):
            self._place(alarm, occ, now)
        elif state == "ringing":
            self._follow(alarm, occ, now)

    def _give_up_for(self, alarm: WakeUpCall) -> timedelta:
        """How long after the ring time to keep trying: `give_up`, or longer when the alarm's own
        retries need it (each retry waits retry_minutes and rings ring_seconds), plus the grace."""
        needed = timedelta(seconds=(alarm.retries + 1) * (alarm.retry_minutes * 60 + alarm.ring_seconds))
        return max(self.give_up, needed + self.grace)

    @staticmethod
    def _due(due: float) -> str:
        return datetime.fromtimestamp(due, timezone.utc).isoformat()

    def _place(self, alarm: WakeUpCall, occ: dict, now: datetime) -> None:
        due = occ["due"]
        give_up = self._give_up_for(alarm)
        if now.timestamp() - due > give_up.total_seconds():
            self.store.set_state(alarm.name, due, now, state="failed",
                                 detail=f"gave up {self._late(give_up)} after the ring time")
            self._log(f"{alarm.name}: gave up on {self._due(due)}")
            return
        claimed = self.store.claim(alarm.name, due, now)
        if claimed is None:
            return
        attempt = claimed["attempts"] + 1
        self.store.log_attempt(alarm.name, due, attempt, now, "placing")
        try:
            sid = self.place(alarm)
        except Exception as exc:  # noqa: BLE001 - every failure is classified and logged
            self._placing_failed(alarm, claimed, attempt, now, exc)
            return
        self.store.set_state(alarm.name, due, now, state="ringing", attempts=attempt, call_sid=sid,
                             network_errors=0)
        self.store.log_attempt(alarm.name, due, attempt, now, "placed", sid)
        self._log(f"{alarm.name}: attempt {attempt} for {self._due(due)} placed as {sid}")

    def _placing_failed(self, alarm: WakeUpCall, occ: dict, attempt: int, now: datetime,
                        exc: BaseException) -> None:
        due = occ["due"]
        detail = str(exc).replace("\n", " ")
        if is_transient(exc):
            errors = occ["network_errors"] + 1
            wait = min(300.0, 15.0 * 2 ** (errors - 1))
            self.store.set_state(alarm.name, due, now, state="retry" if occ["attempts"] else "due",
                                 network_errors=errors, next_try=now.timestamp() + wait, detail=detail)
            self.store.log_attempt(alarm.name, due, attempt, now, "network-error", None, detail)
            self._log(f"{alarm.name}: could not place the call ({detail}); trying again in {wait:g} s")
            return
        self.store.set_state(alarm.name, due, now, state="failed", attempts=attempt, detail=detail)
        self.store.log_attempt(alarm.name, due, attempt, now, "error", None, detail)
        self._log(f"{alarm.name}: Twilio refused the call: {detail}")

    def _follow(self, alarm: WakeUpCall, occ: dict, now: datetime) -> None:
        due, sid = occ["due"], occ["call_sid"]
        try:
            status = self.check(sid)
        except Exception as exc:  # noqa: BLE001 - every failure is classified and logged
            if is_transient(exc):
                return  # look again on the next tick
            detail = str(exc).replace("\n", " ")
            self.store.set_state(alarm.name, due, now, state="failed", detail=f"could not follow {sid}: {detail}")
            self._log(f"{alarm.name}: could not follow {sid}: {detail}")
            return
        if status not in FINAL_STATUSES:
            return
        self.store.update_attempt(alarm.name, due, sid, status)
        if status == "completed":
            self.store.set_state(alarm.name, due, now, state="answered", detail=f"answered ({sid})")
            self._log(f"{alarm.name}: {sid} answered")
        elif occ["attempts"] <= alarm.retries:
            wait = alarm.retry_minutes * 60
            self.store.set_state(alarm.name, due, now, state="retry", next_try=now.timestamp() + wait,
                                 detail=f"{status}; retry {occ['attempts']} of {alarm.retries} in "
                                        f"{alarm.retry_minutes} min")
            self._log(f"{alarm.name}: {sid} {status}; ringing again in {alarm.retry_minutes} min")
        else:
            self.store.set_state(alarm.name, due, now, state="unanswered",
                                 detail=f"{status} after {occ['attempts']} attempt(s)")
            self._log(f"{alarm.name}: {sid} {status}; no retries left")

    def see_through(self, alarm: WakeUpCall, due: datetime) -> dict:
        """Advance one recorded ring time until it is over (answered, unanswered, failed…)."""
        while True:
            occ = self.store.occurrence(alarm.name, due)
            if occ is None or occ["state"] in FINAL_STATES:
                return occ or {}
            now = self._now()
            self._advance(alarm, occ, now)
            occ = self.store.occurrence(alarm.name, due) or {}
            if occ.get("state") in FINAL_STATES:
                return occ
            wait = 2.0 if occ.get("state") == "ringing" else (occ.get("next_try") or 0) - now.timestamp()
            self.sleep(max(0.5, min(self.tick_seconds, wait)))

    # -- the loop -------------------------------------------------------------------------------
    def seconds_to_next_event(self) -> float:
        """How long the loop may sleep: until the next ring or retry, at most `tick_seconds`."""
        now = self._now()
        waits = [self.tick_seconds]
        for alarm, _ in self.store.alarms():
            if alarm.enabled:
                waits.append((alarm.next_times(1, after=now)[0] - now).total_seconds())
        for occ in self.store.open_occurrences():
            if occ["state"] in ("due", "retry") and occ["next_try"] is not None:
                waits.append(occ["next_try"] - now.timestamp())
            elif occ["state"] == "ringing":
                waits.append(2.0)
        return max(0.5, min(waits))

    def run(self, stop: Callable[[], bool] = lambda: False, max_ticks: int | None = None) -> int:
        """Tick until `stop()` is true (or `max_ticks` passes); returns the number of ticks.

        The sleep is capped at `tick_seconds`, so a clock change is noticed within one tick.
        """
        ticks = 0
        while not stop() and (max_ticks is None or ticks < max_ticks):
            self.tick()
            ticks += 1
            if stop() or (max_ticks is not None and ticks >= max_ticks):
                break
            self.sleep(self.seconds_to_next_event())
        return ticks


def ring_soon(to: str, minutes: int = 1, message: str = "This is a test of your wake-up call.",
              store: AlarmStore | None = None, tz: str = "UTC", scheduler: WakeUpScheduler | None = None,
              clock: Clock = _utc_now, name: str = "ring-test") -> dict:
    """Test the whole chain: save an alarm for the next whole minute at least `minutes` ahead, run
    the scheduler until that ring is over, remove the alarm; returns the ring's record."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 60:
        raise ValidationError("minutes", "a whole number of minutes from 0 to 60", minutes)
    store = store or AlarmStore()
    runner = scheduler or WakeUpScheduler(store, clock=clock)
    runner.store = store
    now = runner._now()
    ring_at = (now + timedelta(minutes=minutes, seconds=59)).replace(second=0, microsecond=0)
    local = ring_at.astimezone(WakeUpCall(to=to, tz=tz).zone)
    alarm = WakeUpCall(time=local.strftime("%H:%M"), days=local.strftime("%a").lower(), tz=tz, to=to,
                       message=message, retries=0, name=name)
    store.remove(name)
    store.save(alarm, now=now - timedelta(seconds=1))
    try:
        while runner._now() < local:
            runner.sleep(max(0.5, min(runner.tick_seconds, (local - runner._now()).total_seconds())))
        store.add_occurrence(name, local, "due", runner._now())
        return runner.see_through(alarm, local)
    finally:
        store.remove(name)


def ring_due(name: str, store: AlarmStore | None = None, scheduler: WakeUpScheduler | None = None,
             ahead: timedelta = timedelta(minutes=2)) -> dict:
    """Ring alarm `name` for its current ring time, once (what cron and systemd run).

    The ring time is the latest one between `grace` ago and `ahead` from now. If it was already
    recorded (rung, or being rung by `wakeup run`), nothing is placed and its record is returned.
    """
    store = store or AlarmStore()
    runner = scheduler or WakeUpScheduler(store)
    runner.store = store
    alarm = store.get(name)
    now = runner._now()
    times = alarm.times_between(now - runner.grace, now + ahead)
    if not times:
        upcoming = alarm.next_times(1, after=now)[0]
        raise ValidationError("name", f"an alarm that is due now; {name} next rings at {upcoming.isoformat()}",
                              name)
    due = times[-1]
    if not store.add_occurrence(name, due, "due", now):
        runner._log(f"{name}: ring time {due.isoformat()} was already handled")
        return store.occurrence(name, due) or {}
    runner._log(f"{name}: ring time {due.isoformat()} is due")
    return runner.see_through(alarm, due)
