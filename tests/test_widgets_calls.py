"""The call-log and wake-up forms, driven by setting values and clicking."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from ata_helpers.sandbox.twilio.seed_history import seed_call_history
from ata_helpers.wakeup.store import AlarmStore
from ata_helpers.widgets.call_log import call_log_form
from ata_helpers.widgets.wakeup import wakeup_form

ATA = "sip:ht801@my-ht801.sip.twilio.com"


def _text(form) -> str:  # type: ignore[no-untyped-def]
    return "".join(o.get("text", "") for o in form.out.outputs)


def _plain(form) -> list[str]:  # type: ignore[no-untyped-def]
    return [o["data"]["text/plain"] for o in form.out.outputs if o.get("output_type") == "display_data"]


def test_call_log_form_shows_calls_failures_and_a_chart() -> None:
    seed_call_history(n=200, seed=4, days=14)
    form = call_log_form()
    form.to.value = ATA
    form.after.value = date(2025, 2, 20)
    form.button.click()
    assert "calls, " in _text(form) and "with an error logged by Twilio" in _text(form)
    shown = _plain(form)
    assert len(shown) == 3
    assert "alert_text" in shown[0] and "error_code" in shown[1] and "fix" in shown[1]
    assert shown[2].startswith("<Figure size 900x320")
    assert form.filters() == {"to": ATA, "start_time_after": date(2025, 2, 20)}


def test_call_log_form_puts_a_bad_filter_beside_its_field() -> None:
    form = call_log_form()
    form.to.value = "555-0100"
    form.button.click()
    assert "E.164" in form.messages["to"].value
    assert form.out.outputs == ()
    form.to.value = ""
    form.button.click()
    assert form.messages["to"].value == ""
    assert "0 calls" in _text(form)


def test_wakeup_form_next_times_from_a_fixed_start(tmp_path: Path) -> None:
    after = datetime(2025, 3, 7, 12, 0, tzinfo=timezone.utc)
    form = wakeup_form(to=ATA, days="fri-mon", after=after, store=AlarmStore(tmp_path / "a.sqlite3"))
    form.next_button.click()
    assert _text(form).splitlines()[1:5] == ["  Fri 2025-03-07 06:30 PST", "  Sat 2025-03-08 06:30 PST",
                                             "  Sun 2025-03-09 06:30 PDT", "  Mon 2025-03-10 06:30 PDT"]


@pytest.mark.parametrize("field, value, where", [
    ("time", "25:00", "time"),
    ("days", "someday", "days"),
    ("tz", "Nowhere/City", "tz"),
    ("to", "sip:ht801@my-ht801.sip.tokyo.twilio.com", "to"),
    ("message", "x" * 4000, "message"),
    ("name", "Morning Alarm", "name"),
])
def test_wakeup_form_flags_the_wrong_field(field: str, value: str, where: str, tmp_path: Path) -> None:
    form = wakeup_form(to=ATA, store=AlarmStore(tmp_path / "a.sqlite3"))
    getattr(form, field).value = value
    form.save_button.click()
    assert form.messages[where].value
    assert form.store.names() == []


def test_wakeup_form_saves_and_exports(tmp_path: Path) -> None:
    store = AlarmStore(tmp_path / "a.sqlite3")
    form = wakeup_form(to=ATA, store=store)
    form.save_button.click()
    assert "wake-up: created" in _text(form) and store.names() == ["wake-up"]
    form.export_format.value = "systemd"
    form.export_button.click()
    assert "OnCalendar=Mon..Fri *-*-* 06:30:00 America/Los_Angeles" in _text(form)
    form.export_format.value = "home-assistant"
    form.export_button.click()
    assert "From=%2B14155550100" in _text(form)


def test_ring_me_in_one_minute_runs_in_the_background(tmp_path: Path) -> None:
    calls: list[dict] = []

    def fake_ring(to: str, **kwargs: object) -> dict:
        calls.append({"to": to, **kwargs})
        return {"state": "answered", "detail": "answered (CA1)"}

    form = wakeup_form(to=ATA, store=AlarmStore(tmp_path / "a.sqlite3"), ring_test=fake_ring)
    form.ring_button.click()
    assert form.thread is not None
    form.thread.join(5)
    assert calls and calls[0]["to"] == ATA and calls[0]["minutes"] == 1
    assert "Test ring: answered" in _text(form)
    assert "answered answered" not in _text(form) and "finished after" in form.ring_status.value


def test_ring_progress_shows_while_waiting(tmp_path: Path) -> None:
    import threading

    release = threading.Event()

    def slow_ring(to: str, **kwargs: object) -> dict:
        release.wait(5)
        return {"state": "answered", "detail": "answered"}

    form = wakeup_form(to=ATA, store=AlarmStore(tmp_path / "a.sqlite3"), ring_test=slow_ring)
    form.ring_button.click()
    import time

    time.sleep(1.5)
    assert "the ring starts in" in form.ring_status.value  # progress while nothing else happens
    release.set()
    assert form.thread is not None
    form.thread.join(5)
    assert "Test ring: answered\n" in _text(form)
