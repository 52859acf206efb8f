"""The long-running scheduler behind `ata-helpers wakeup run`: ring due alarms, exactly once.

Each tick reads the wall clock and, for every enabled alarm, records the ring times that have
passed since the alarm was created (over at most `lookback`). Then:

- **On time**: a ring time at most `grace` old (default 15 min) is rung. If the scheduler was
  down, or the clock jumped forward, only the latest such time rings.
- **Missed**: a ring time older than `grace` is logged as `missed` and not rung. A wake-up call
  hours late is worse than none.
- **Exactly once**: every ring time is a row keyed by (alarm, UTC instant). It is claimed in a
  transaction, under the store's ring lock, before the call is placed, so a restart, a second
  scheduler on the same file or the clock going back never rings it twice. A claim left half-done
  (the process died between claiming and recording the call's SID: the lock is free, the row still
  says `placing`) is checked against Twilio: a call to the alarm's number created since the claim
  is adopted and followed; with none, the call is placed, if still within `grace` of when it was
  due. Past the grace it is logged as `missed`; if Twilio cannot be asked until `give_up`, as
  `uncertain`.
- **Unanswered** (no-answer, busy, failed, canceled): the call is placed again after
  `retry_minutes`, up to `retries` more times. Each attempt is logged.
- **Network errors** while placing or checking a call: back off (15 s doubling, at most 5 min)
  and try again until `give_up` after the ring time. A Twilio 4xx error is final and logged with
  its code, meaning and fix.

Clock, sleep, call placing, status checking and the look-up of recent calls are injectable, so
tests run the whole policy on a fake clock.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from ..calls.statuses import FINAL_STATUSES
from ..errors import SandboxError, TwilioApiError, ValidationError
from .schedule import WakeUpCall
from .store import FINAL_STATES, AlarmStore

__all__ = ["WakeUpScheduler", "ring_soon", "ring_due", "place_alarm_call", "call_status", "calls_since",
           "is_transient", "GRACE_RANGE", "TICK_RANGE"]

log = logging.getLogger("ata_helpers.wakeup")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
PlaceCall = Callable[[WakeUpCall], str]
CheckCall = Callable[[str], str]
FindCalls = Callable[[WakeUpCall, datetime], list[str]]

GRACE_RANGE = (timedelta(0), timedelta(hours=12))
TICK_RANGE = (0.5, 3600.0)
GIVE_UP_LIMIT = timedelta(days=1)
LOOKBACK_RANGE = (timedelta(minutes=1), timedelta(days=31))
# How much earlier than our claim Twilio's clock may stamp the call we placed (its date_created has
# whole seconds, and clocks differ a little); calls already logged for the ring time never count.
CLOCK_SKEW = timedelta(seconds=30)



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


def calls_since(alarm: WakeUpCall, since: datetime) -> list[str]:
    """SIDs of calls to the alarm's number that Twilio created at or after `since`, oldest first."""
    from ..twilio_api import explained_errors, twilio_client

    with explained_errors():
        calls = twilio_client().calls.list(to=alarm.to, limit=200, page_size=200)
    found = [c for c in calls if c.date_created is not None and c.date_created >= since]
    return [str(c.sid) for c in sorted(found, key=lambda c: c.date_created)]


def _check_range(field: str, value: float, low: float, high: float, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ValidationError(field, f"a number of {unit} from {low:g} to {high:g}", value)


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
    find_calls: FindCalls = calls_since
    clock: Clock = _utc_now
    sleep: Sleep = time.sleep
    grace: timedelta = timedelta(minutes=15)
    give_up: timedelta = timedelta(minutes=45)
    lookback: timedelta = timedelta(days=7)
    tick_seconds: float = 20.0
    say: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        for field, value, (low, high) in (("grace", self.grace, GRACE_RANGE),
                                          ("lookback", self.lookback, LOOKBACK_RANGE),
                                          ("give_up", self.give_up, (timedelta(0), GIVE_UP_LIMIT))):
            if not isinstance(value, timedelta):
                raise ValidationError(field, "a datetime.timedelta", value)
            _check_range(field, value.total_seconds() / 60, low.total_seconds() / 60,
                         high.total_seconds() / 60, "minutes")
        _check_range("tick_seconds", self.tick_seconds, *TICK_RANGE, "seconds")

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
        state = occ["state"]
        if state == "placing":
            self._recover(alarm, occ, now)
        elif state in ("due", "retry"):
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
        with self.store.ring_lock() as held:
            if held:  # else another scheduler is placing a call right now: look again next tick
                self._claim_and_place(alarm, due, now)

    def _claim_and_place(self, alarm: WakeUpCall, due: float, now: datetime) -> None:
        """Claim the ring time and place its call (the caller holds the ring lock)."""
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
        self.store.record_placed(alarm.name, due, attempt, now, sid)
        self._log(f"{alarm.name}: attempt {attempt} for {self._due(due)} placed as {sid}")

    def _recover(self, alarm: WakeUpCall, occ: dict, now: datetime) -> None:
        """A ring time in `placing`: if its scheduler died, find out whether the call was placed."""
        due = occ["due"]
        with self.store.ring_lock() as held:
            if not held:
                return  # its scheduler is alive and placing the call now
            occ = self.store.occurrence(alarm.name, datetime.fromtimestamp(due, timezone.utc)) or {}
            if occ.get("state") != "placing":
                return  # it finished while we waited for the lock
            claimed_at = datetime.fromtimestamp(occ["updated_at"], timezone.utc)
            attempt = occ["attempts"] + 1
            try:
                found = [sid for sid in self.find_calls(alarm, claimed_at - CLOCK_SKEW)
                         if sid not in self.store.known_calls(alarm.name, due)]
            except Exception as exc:  # noqa: BLE001 - every failure is classified and logged
                detail = str(exc).replace("\n", " ")
                if is_transient(exc) and now.timestamp() - due <= self._give_up_for(alarm).total_seconds():
                    self._log(f"{alarm.name}: cannot ask Twilio whether the call for {self._due(due)} was "
                              f"placed ({detail}); asking again")
                    return
                self.store.set_state(alarm.name, due, now, state="uncertain",
                                     detail=f"the scheduler stopped while placing this call and Twilio could "
                                            f"not be asked whether it was placed: {detail}")
                self._log(f"{alarm.name}: outcome of the call for {self._due(due)} is unknown: {detail}")
                return
            if found:
                self.store.record_placed(alarm.name, due, attempt, now, found[0],
                                         "found at Twilio after the scheduler stopped while placing it")
                self._log(f"{alarm.name}: the scheduler stopped while placing attempt {attempt} for "
                          f"{self._due(due)}; Twilio has it as {found[0]}: following it")
                return
            wanted = due if occ["attempts"] == 0 else (occ["next_try"] or due)
            if now.timestamp() - wanted > self.grace.total_seconds():
                self.store.set_state(alarm.name, due, now, state="missed",
                                     detail=f"the scheduler stopped while placing this call, no call was "
                                            f"placed, and {self._late(now - datetime.fromtimestamp(wanted, timezone.utc))} "
                                            f"had passed (more than {self._late(self.grace)})")
                self._log(f"{alarm.name}: the call for {self._due(due)} was never placed and is too late now")
                return
            self.store.set_state(alarm.name, due, now, state="retry" if occ["attempts"] else "due",
                                 next_try=now.timestamp())
            self._log(f"{alarm.name}: the scheduler stopped before Twilio had the call for {self._due(due)}; "
                      "placing it now")
            self._claim_and_place(alarm, due, now)

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
            elif occ["state"] in ("ringing", "placing"):
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

    The ring time is the latest one between `grace` ago and `ahead` from now. If it is already over,
    nothing is placed and its record is returned; if it is in progress (rung by `wakeup run`, or
    left half-done by a run that died) it is seen through, placing its call only if nobody did.
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
        occ = store.occurrence(name, due) or {}
        if occ.get("state") in FINAL_STATES:
            runner._log(f"{name}: ring time {due.isoformat()} was already handled")
            return occ
        runner._log(f"{name}: ring time {due.isoformat()} is in progress ({occ.get('state')}); seeing it through")
        return runner.see_through(alarm, due)
    runner._log(f"{name}: ring time {due.isoformat()} is due")
    return runner.see_through(alarm, due)
