"""A wake-up alarm: a wall-clock time, a set of weekdays and a time zone, and when it rings next.

Times are local to the alarm's IANA time zone (zoneinfo), so 06:30 stays 06:30 across
daylight-saving changes. Two local times need a rule, and these are the ones used:
- a time that does not exist (skipped when clocks go forward, e.g. 02:30 on the spring-forward
  night) rings at the same distance past the change, i.e. 03:30: the alarm is late, never lost;
- a time that happens twice (clocks go back) rings once, at the first of the two.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ValidationError

__all__ = ["WakeUpCall", "parse_days", "format_days", "DAY_NAMES", "DEFAULT_WAKE_MESSAGE"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_NAMES = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                                 "saturday", "sunday"))}
_ALIASES: dict[str, tuple[int, ...]] = {
    "daily": tuple(range(7)), "everyday": tuple(range(7)), "every day": tuple(range(7)),
    "*": tuple(range(7)), "weekdays": (0, 1, 2, 3, 4), "weekends": (5, 6), "weekend": (5, 6),
}
_DAYS_RULE = ("days such as 'mon-fri', 'sat,sun', 'mon,wed,fri', 'fri-mon', 'daily', 'weekdays' "
              "or 'weekends' (three-letter English day names)")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}\Z")
DEFAULT_WAKE_MESSAGE = "Good morning! This is your wake-up call."


def _day_index(token: str, raw: object) -> int:
    token = token.strip().lower()
    if token in DAY_NAMES:
        return DAY_NAMES.index(token)
    if token in _LONG_NAMES:
        return _LONG_NAMES[token]
    raise ValidationError("days", f"{_DAYS_RULE}; {token!r} is not a day", raw)


def parse_days(value: str | Iterable[str | int]) -> tuple[int, ...]:
    """Weekday numbers (0 = Monday) of a day set; ranges may wrap ('fri-mon')."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _ALIASES:
            return _ALIASES[text]
        tokens: list[str | int] = [t for t in re.split(r"\s*,\s*", text)]
    else:
        tokens = list(value)
    chosen: set[int] = set()
    for token in tokens:
        if isinstance(token, int):
            if not 0 <= token <= 6:
                raise ValidationError("days", f"{_DAYS_RULE}; {token} is not a weekday number 0-6", value)
            chosen.add(token)
            continue
        token = str(token).strip()
        if not token:
            raise ValidationError("days", f"{_DAYS_RULE}; an empty item", value)
        if token.lower() in _ALIASES:
            chosen.update(_ALIASES[token.lower()])
        elif "-" in token:
            first, _, last = token.partition("-")
            start, end = _day_index(first, value), _day_index(last, value)
            i = start
            while True:
                chosen.add(i)
                if i == end:
                    break
                i = (i + 1) % 7
        else:
            chosen.add(_day_index(token, value))
    if not chosen:
        raise ValidationError("days", f"{_DAYS_RULE}; at least one day", value)
    return tuple(sorted(chosen))


def format_days(days: Iterable[int]) -> str:
    """The shortest canonical spelling of a day set: 'daily', 'mon-fri', 'sat,sun', 'mon,wed,fri'."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # wrap Sunday into Monday's run
        runs[0] = runs.pop() + runs[0]
    parts = [f"{DAY_NAMES[r[0]]}-{DAY_NAMES[r[-1]]}" if len(r) >= 3 else ",".join(DAY_NAMES[d] for d in r)
             for r in runs]
    return ",".join(parts)


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError("time", "a 24-hour time HH:MM between 00:00 and 23:59, e.g. 06:30", value)
    return time(int(match.group(1)), int(match.group(2)))


def _zone(name: str) -> ZoneInfo:
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError("tz", "an IANA time zone name such as America/Los_Angeles, Europe/London "
                                    "or UTC", name) from None


@dataclass(frozen=True)
class WakeUpCall:
    """An alarm that rings `to` at `time` on `days` in time zone `tz`, retrying if unanswered.

    `retries` extra calls (0-5) follow an unanswered one after `retry_minutes`; each call
    rings for `ring_seconds`. `name` identifies the alarm in the store and in exports. `tz` is an
    IANA time zone name. Raises ValidationError for a time, day list, zone, number or range that
    breaks its rule.
    """

    time: str = "06:30"
    days: str = "mon-fri"
    tz: str = "UTC"
    to: str = ""
    message: str = DEFAULT_WAKE_MESSAGE
    retries: int = 2
    retry_minutes: int = 5
    ring_seconds: int = 45
    name: str = "wake-up"
    from_: str | None = None
    enabled: bool = True
    _weekdays: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from ..calls.place import build_twiml, check_destination, check_e164

        at = _parse_time(self.time)
        object.__setattr__(self, "time", at.strftime("%H:%M"))
        weekdays = parse_days(self.days)
        object.__setattr__(self, "_weekdays", weekdays)
        object.__setattr__(self, "days", format_days(weekdays))
        _zone(self.tz)
        if not self.to:
            raise ValidationError("to", "the number or SIP address to ring, e.g. "
                                        "sip:ht801@example-ata.sip.twilio.com", self.to)
        object.__setattr__(self, "to", check_destination(self.to))
        if self.from_ is not None:
            object.__setattr__(self, "from_", check_e164(self.from_, "from_"))
        build_twiml(say=self.message)
        for name, low, high in (("retries", 0, 5), ("retry_minutes", 1, 60), ("ring_seconds", 5, 600)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationError(name, f"a whole number from {low} to {high}", value)
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValidationError("name", "1-40 lower-case letters, digits and '-', starting with a "
                                          "letter or digit", self.name)

    # -- when it rings ------------------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def weekdays(self) -> tuple[int, ...]:
        """Weekday numbers (0 = Monday) the alarm rings on."""
        return self._weekdays

    def ring_time_on(self, day: date) -> datetime:
        """The instant the alarm rings on local `day` (whatever its weekday), by the DST rules above."""
        local = datetime.combine(day, _parse_time(self.time)).replace(tzinfo=self.zone, fold=0)
        instant = local.astimezone(timezone.utc)
        return instant.astimezone(self.zone)

    def _as_aware(self, when: datetime | None) -> datetime:
        if when is None:
            return datetime.now(timezone.utc)
        if when.tzinfo is None:
            return when.replace(tzinfo=self.zone)
        return when

    def _times_from(self, first_day: date) -> Iterator[datetime]:
        day = first_day
        while True:
            if day.weekday() in self._weekdays:
                yield self.ring_time_on(day)
            day += timedelta(days=1)

    def next_times(self, n: int = 5, after: datetime | None = None) -> list[datetime]:
        """The next `n` ring times strictly after `after` (default now; naive means local to `tz`)."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
            raise ValidationError("n", "a whole number from 1 to 1000", n)
        start = self._as_aware(after)
        first_day = start.astimezone(self.zone).date() - timedelta(days=1)
        found: list[datetime] = []
        for ring in self._times_from(first_day):
            if ring > start:
                found.append(ring)
                if len(found) == n:
                    return found
        raise AssertionError("unreachable")  # pragma: no cover - the generator is endless

    def times_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Ring times t with start < t <= end (both aware), oldest first."""
        begin, finish = self._as_aware(start), self._as_aware(end)
        found: list[datetime] = []
        for ring in self._times_from(begin.astimezone(self.zone).date() - timedelta(days=1)):
            if ring > finish:
                return found
            if ring > begin:
                found.append(ring)
        return found  # pragma: no cover

    def describe(self) -> str:
        """'06:30 mon-fri America/Los_Angeles → sip:…, 2 retries every 5 min'."""
        retry = f"{self.retries} retries every {self.retry_minutes} min" if self.retries else "no retries"
        return f"{self.time} {self.days} {self.tz} → {self.to}, {retry}"

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain fields (JSON-ready) that `from_dict` turns back into the same alarm."""
        data = asdict(self)
        data.pop("_weekdays", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "WakeUpCall":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "_weekdays"}
        return cls(**known)
