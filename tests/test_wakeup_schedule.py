"""WakeUpCall: validation of time, days, zone and number; next ring times across DST changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ata_helpers import WakeUpCall
from ata_helpers.errors import ValidationError
from ata_helpers.wakeup.schedule import format_days, parse_days

TO = "sip:ht801@my-ht801.sip.twilio.com"
UTC = timezone.utc


def alarm(**kwargs: object) -> WakeUpCall:
    kwargs.setdefault("to", TO)
    return WakeUpCall(**kwargs)  # type: ignore[arg-type]


def brute_force(a: WakeUpCall, start: datetime, days: int) -> list[datetime]:
    """Ring times found by walking every UTC minute: first instant showing HH:MM on a chosen day."""
    zone = ZoneInfo(a.tz)
    found: dict[date, datetime] = {}
    t = start.replace(second=0, microsecond=0)
    for _ in range(days * 24 * 60):
        t += timedelta(minutes=1)
        local = t.astimezone(zone)
        if local.strftime("%H:%M") == a.time and local.weekday() in a.weekdays:
            found.setdefault(local.date(), local)
    return sorted(found.values())


# (zone, spring-forward local day, fall-back local day) for 2025
DST = [
    ("America/Los_Angeles", date(2025, 3, 9), date(2025, 11, 2)),
    ("Europe/London", date(2025, 3, 30), date(2025, 10, 26)),
    ("Australia/Sydney", date(2025, 10, 5), date(2025, 4, 6)),
    ("Australia/Lord_Howe", date(2025, 10, 5), date(2025, 4, 6)),  # 30-minute shifts
]


@pytest.mark.parametrize("tz, spring, fall", DST)
@pytest.mark.parametrize("days", ["daily", "mon-fri", "fri-mon", "sun", "mon,wed,sat"])
def test_next_times_keep_the_local_time_across_both_changes(tz: str, spring: date, fall: date, days: str) -> None:
    a = alarm(time="06:30", days=days, tz=tz)
    for change in (spring, fall):
        after = datetime.combine(change - timedelta(days=8), datetime.min.time(), ZoneInfo(tz))
        times = a.next_times(len(a.weekdays) * 2 + 1, after=after)
        assert all(t.strftime("%H:%M") == "06:30" and t.weekday() in a.weekdays for t in times)
        assert times == brute_force(a, after.astimezone(UTC), 17)[:len(times)]
        assert all(later > earlier for earlier, later in zip(times, times[1:], strict=False))


@pytest.mark.parametrize("tz, spring, fall", DST)
def test_the_day_of_the_change_is_23_or_25_hours_long(tz: str, spring: date, fall: date) -> None:
    a = alarm(time="07:00", days="daily", tz=tz)
    zone = ZoneInfo(tz)
    shift = {"Australia/Lord_Howe": timedelta(minutes=30)}.get(tz, timedelta(hours=1))
    for change, expected in ((spring, timedelta(days=1) - shift), (fall, timedelta(days=1) + shift)):
        before, on = a.next_times(2, after=datetime.combine(change - timedelta(days=1), datetime.min.time(), zone))
        assert on.date() == change
        assert on.astimezone(UTC) - before.astimezone(UTC) == expected


@pytest.mark.parametrize("tz, day, asked, rings", [
    ("America/Los_Angeles", date(2025, 3, 9), "02:30", "03:30"),
    ("Europe/London", date(2025, 3, 30), "01:15", "02:15"),
    ("Australia/Lord_Howe", date(2025, 10, 5), "02:10", "02:40"),
])
def test_a_skipped_local_time_rings_as_far_after_the_change(tz: str, day: date, asked: str, rings: str) -> None:
    a = alarm(time=asked, days="daily", tz=tz)
    times = a.next_times(3, after=datetime.combine(day - timedelta(days=1), datetime.min.time(), ZoneInfo(tz)))
    assert [t.date() for t in times] == [day - timedelta(days=1), day, day + timedelta(days=1)]
    assert [t.strftime("%H:%M") for t in times] == [asked, rings, asked]


@pytest.mark.parametrize("tz, day, asked", [
    ("America/Los_Angeles", date(2025, 11, 2), "01:30"),
    ("Europe/London", date(2025, 10, 26), "01:30"),
    ("Australia/Sydney", date(2025, 4, 6), "02:30"),
])
def test_a_repeated_local_time_rings_once_at_the_first(tz: str, day: date, asked: str) -> None:
    a = alarm(time=asked, days="daily", tz=tz)
    zone = ZoneInfo(tz)
    times = a.next_times(3, after=datetime.combine(day, datetime.min.time(), zone))
    on_day = [t for t in times if t.date() == day]
    assert len(on_day) == 1
    first = on_day[0]
    assert first.fold == 0
    # the first occurrence still has the summer offset
    assert first.utcoffset() == datetime.combine(day - timedelta(days=1), first.time(), zone).utcoffset()


def test_next_times_are_strictly_after_after_and_naive_means_local() -> None:
    a = alarm(time="06:30", days="mon-fri", tz="America/Los_Angeles")
    monday = datetime(2025, 3, 3, 6, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert a.next_times(1, after=monday)[0] == monday + timedelta(days=1)
    assert a.next_times(1, after=monday - timedelta(seconds=1))[0] == monday
    assert a.next_times(1, after=datetime(2025, 3, 3, 6, 29)) == [monday]
    friday = monday + timedelta(days=4, hours=1)
    assert a.next_times(1, after=friday)[0] == monday + timedelta(days=7)


def test_times_between_is_open_closed() -> None:
    a = alarm(time="06:30", days="daily", tz="UTC")
    start = datetime(2025, 1, 1, 6, 30, tzinfo=UTC)
    got = a.times_between(start, start + timedelta(days=2))
    assert got == [start + timedelta(days=1), start + timedelta(days=2)]


@pytest.mark.parametrize("text, weekdays, canonical", [
    ("mon-fri", (0, 1, 2, 3, 4), "mon-fri"),
    ("Weekdays", (0, 1, 2, 3, 4), "mon-fri"),
    ("weekends", (5, 6), "sat,sun"),
    ("fri-mon", (0, 4, 5, 6), "fri-mon"),
    ("sun", (6,), "sun"),
    ("sun,mon", (0, 6), "sun,mon"),
    ("mon, wed ,FRI", (0, 2, 4), "mon,wed,fri"),
    ("tuesday-thursday", (1, 2, 3), "tue-thu"),
    ("sat-fri", tuple(range(7)), "daily"),
    ("tue-tue", (1,), "tue"),
    ("daily", tuple(range(7)), "daily"),
])
def test_day_sets(text: str, weekdays: tuple[int, ...], canonical: str) -> None:
    assert parse_days(text) == weekdays
    assert format_days(weekdays) == canonical
    assert parse_days(canonical) == weekdays
    assert alarm(days=text).days == canonical


@pytest.mark.parametrize("kwargs, field", [
    ({"time": "24:00"}, "time"),
    ({"time": "6.30"}, "time"),
    ({"time": "06:60"}, "time"),
    ({"time": ""}, "time"),
    ({"days": "funday"}, "days"),
    ({"days": ""}, "days"),
    ({"days": "mon-xyz"}, "days"),
    ({"days": "mon,,fri"}, "days"),
    ({"tz": "Mars/Olympus_Mons"}, "tz"),
    ({"tz": "america/los angeles"}, "tz"),
    ({"tz": "../etc/passwd"}, "tz"),
    ({"tz": ""}, "tz"),
    ({"to": "12345"}, "to"),
    ({"to": ""}, "to"),
    ({"to": "sip:ht801@my-ht801.sip.ashburn.twilio.com"}, "to"),
    ({"retries": 9}, "retries"),
    ({"retries": True}, "retries"),
    ({"retry_minutes": 0}, "retry_minutes"),
    ({"ring_seconds": 601}, "ring_seconds"),
    ({"name": "Bad Name"}, "name"),
    ({"message": "x" * 4000}, "twiml"),
])
def test_bad_alarms_are_refused_with_the_rule(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        alarm(**kwargs)
    assert caught.value.field == field
    assert caught.value.rule


def test_bad_n_is_refused() -> None:
    with pytest.raises(ValidationError):
        alarm().next_times(0)


def test_round_trip_through_a_dict() -> None:
    a = alarm(time="6:05", days="fri-mon", tz="Europe/London", retries=1, name="weekend")
    again = WakeUpCall.from_dict(a.to_dict())
    assert again == a and again.time == "06:05" and again.weekdays == a.weekdays
    assert "06:05 fri-mon Europe/London" in a.describe()
