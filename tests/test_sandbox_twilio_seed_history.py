"""seed_call_history: a deterministic, realistic past the twin serves like any other calls."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ata_helpers.errors import ValidationError
from ata_helpers.sandbox.store import Store, open_store
from ata_helpers.sandbox.twilio.calls import call_status_at
from ata_helpers.sandbox.twilio.seed_history import DEFAULT_END, seed_call_history
from ata_helpers.twilio_error_codes import ERRORS

ATA = "sip:ht801@my-ht801.sip.twilio.com"


def _shape(store: Store) -> list[tuple]:
    """Everything about the calls except their SIDs."""
    calls = store.list("call")
    index = {c["sid"]: i for i, c in enumerate(calls)}
    alerts = {a["resource_sid"]: (a["error_code"], a["alert_text"]) for a in store.list("alert")}
    return [(c["to"], c["from"], c["direction"], c["timeline"], index.get(c["parent_call_sid"]),
             alerts.get(c["sid"])) for c in calls]


def test_same_seed_same_history(tmp_path: Path) -> None:
    a, b = Store(tmp_path / "a.sqlite3"), Store(tmp_path / "b.sqlite3")
    b.new_sid("SD")  # a sandbox that already made something: SIDs differ, the history does not
    seed_call_history(n=300, seed=8, store=a)
    seed_call_history(n=300, seed=8, store=b)
    assert _shape(a) == _shape(b)
    other = Store(tmp_path / "c.sqlite3")
    seed_call_history(n=300, seed=9, store=other)
    assert _shape(other) != _shape(a)


def test_seeding_twice_adds_nothing() -> None:
    first = seed_call_history(n=100, seed=1, days=14)
    again = seed_call_history(n=100, seed=1, days=14)
    assert first["added"] and not again["added"]
    assert open_store().count("call") == first["calls"] == 100
    assert again["alerts"] == first["alerts"] == open_store().count("alert")


def test_records_have_the_twins_call_shape_and_lie_in_the_past() -> None:
    seed_call_history(n=400, seed=5, days=28)
    store = open_store()
    calls = store.list("call")
    assert len(calls) == 400
    start = (DEFAULT_END - timedelta(days=28)).timestamp()
    for call in calls:
        assert call["sid"].startswith("CA") and len(call["sid"]) == 34 and call["_parent"] == ""
        assert {"to", "from", "direction", "timeline", "price_per_minute", "date_created", "date_updated"} <= set(call)
        times = [t for t, _ in call["timeline"]]
        assert times == sorted(times) and call["timeline"][0][1] == "queued"
        assert start <= call["date_created"] and times[-1] < DEFAULT_END.timestamp() + 3600
        assert call_status_at(call, DEFAULT_END.timestamp() + 3600)["end_time"] is not None
    sids = {c["sid"] for c in calls}
    children = [c for c in calls if c["parent_call_sid"]]
    assert children and all(c["parent_call_sid"] in sids and c["direction"] == "outbound-dial" for c in children)


def test_a_realistic_mix_of_directions_statuses_and_errors() -> None:
    seed_call_history(n=600, seed=8, days=42)
    store = open_store()
    after = DEFAULT_END.timestamp() + 3600
    calls = store.list("call")
    statuses = Counter(call_status_at(c, after)["status"] for c in calls)
    assert set(statuses) == {"completed", "failed", "no-answer", "busy"}
    assert statuses["completed"] > len(calls) / 2
    directions = Counter(c["direction"] for c in calls)
    assert set(directions) == {"inbound", "outbound-api", "outbound-dial"}
    assert {c["to"] for c in calls if c["direction"] == "outbound-api"} == {ATA}
    assert any(c["to"] == "+14155550100" and c["direction"] == "inbound" for c in calls)
    alerts = store.list("alert")
    codes = Counter(a["error_code"] for a in alerts)
    assert set(codes) <= set(ERRORS) and codes.most_common(1)[0][0] == 32011
    failed = {c["sid"] for c in calls if call_status_at(c, after)["status"] == "failed"}
    assert failed == {a["resource_sid"] for a in alerts if a["error_code"] != 32014}
    # The NAT story: 32011 only in the first third, before the Contact fix.
    cutoff = (DEFAULT_END - timedelta(days=28)).timestamp()
    assert all(a["date_generated"] < cutoff for a in alerts if a["error_code"] == 32011)


@pytest.mark.parametrize("kwargs, field", [
    ({"n": 0}, "n"),
    ({"days": 0}, "days"),
    ({"end": datetime(2025, 3, 1)}, "end"),
    ({"sip_uri": "sip:ht801@my-ht801.sip.ashburn.twilio.com"}, "sip_uri"),
])
def test_bad_arguments_are_refused(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        seed_call_history(**kwargs)
    assert caught.value.field == field


def test_the_end_date_is_fixed_not_now() -> None:
    summary = seed_call_history(n=10, seed=1, days=7)
    assert summary["end"] == "2025-03-01T00:00:00+00:00"
    assert DEFAULT_END == datetime(2025, 3, 1, tzinfo=timezone.utc)


def test_the_two_incidents_give_voice_insights_one_way_and_dropped_calls() -> None:
    """Healthy, one-way-audio and dropped-after-32s calls to the ATA, each only where its story puts it."""
    import ata_helpers as ata

    seed_call_history(n=300, seed=8, days=28, sip_uri=ATA)
    start, span = (DEFAULT_END - timedelta(days=28)).timestamp(), 28 * 86400
    found: dict[str, list[float]] = {}
    for call in open_store().list("call"):
        if call["to"] == ATA and call_status_at(call, DEFAULT_END.timestamp())["status"] == "completed":
            verdict = ata.call_summary(call["sid"]).iloc[0]["verdict"]
            found.setdefault(verdict, []).append((call["date_created"] - start) / span)
    assert set(found) == {"healthy", "one-way-audio", "dropped-after-32s"}
    assert all(0.75 <= share < 0.80 for share in found["one-way-audio"]) and len(found["one-way-audio"]) >= 2
    assert all(0.84 <= share < 0.88 for share in found["dropped-after-32s"]) and found["dropped-after-32s"]
    assert len(found["healthy"]) > 5 * (len(found["one-way-audio"]) + len(found["dropped-after-32s"]))
