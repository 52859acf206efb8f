"""`ata-helpers calls …` and `ata-helpers wakeup …` against the sandbox."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from ata_helpers.cli import main
from ata_helpers.sandbox.twilio.seed_history import seed_call_history
from ata_helpers.wakeup.store import AlarmStore

ATA = "sip:ht801@my-ht801.sip.twilio.com"


@pytest.fixture(autouse=True)
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


def test_calls_place_waits_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calls", "place", "+14155550123", "--say", "Good morning"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("CA") and out[1] == f"✓ {out[0]} to +14155550123: completed after 6 s"


def test_calls_place_reports_a_failure_with_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calls", "place", ATA]) == 3
    assert "error 32002" in capsys.readouterr().out


def test_calls_place_refuses_an_edge_uri(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calls", "place", "sip:ht801@my-ht801.sip.dublin.twilio.com"]) == 1
    err = capsys.readouterr().err
    assert "32220" in err and "my-ht801.sip.twilio.com" in err


def test_calls_log_filters_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    seed_call_history(n=120, seed=2, days=10)
    assert main(["calls", "log", "--status", "failed", "--to", ATA]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("20")]
    assert rows and all(" failed " in row and ATA in row for row in rows)
    assert "32011: Twilio could not reach your SIP endpoint" in out


def test_calls_log_csv_has_every_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    seed_call_history(n=50, seed=2, days=10)
    assert main(["calls", "log", "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 50 and "explanation" in rows[0]
    target = tmp_path / "calls.csv"
    target.write_text("old")
    target.chmod(0o644)
    assert main(["calls", "log", "--after", "2025-02-25", "--csv", str(target)]) == 0
    assert "+1" in target.read_text("utf-8")  # it holds phone numbers ...
    assert target.stat().st_mode & 0o777 == 0o600  # ... so only its owner reads it, as the line report


def test_calls_log_refuses_a_bad_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calls", "log", "--status", "done"]) == 1
    assert "status: one of" in capsys.readouterr().err


def test_wakeup_add_list_export_remove(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "alarms.sqlite3")
    assert main(["wakeup", "--db", db, "add", "--name", "bell", "--time", "6:30", "--days", "fri-mon",
                 "--tz", "Europe/London", "--to", ATA, "--retries", "1"]) == 0
    out = capsys.readouterr().out
    assert "bell: created — 06:30 fri-mon Europe/London" in out and out.count("rings ") == 3
    assert main(["wakeup", "--db", db, "list"]) == 0
    assert "bell: 06:30 fri-mon" in capsys.readouterr().out
    assert main(["wakeup", "--db", db, "export", "bell", "--format", "crontab"]) == 0
    assert re.search(r"30 6 \* \* 0,1,5,6 \S*/ata-helpers wakeup --db \S*/alarms.sqlite3 ring bell",
                     capsys.readouterr().out)
    assert main(["wakeup", "--db", db, "export", "bell", "--format", "home-assistant", "--from",
                 "+14155550100"]) == 0
    assert "rest_command.ata_wake_up_bell" in capsys.readouterr().out
    assert main(["wakeup", "--db", db, "remove", "bell"]) == 0
    assert AlarmStore(db).names() == []
    assert main(["wakeup", "--db", db, "remove", "bell"]) == 1


def test_wakeup_add_refuses_bad_input_with_the_rule(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "alarms.sqlite3")
    assert main(["wakeup", "--db", db, "add", "--time", "6:30", "--tz", "Pacific/Nowhere", "--to", ATA]) == 1
    assert "tz: an IANA time zone name" in capsys.readouterr().err
    assert main(["wakeup", "--db", db, "add", "--time", "06:30", "--days", "mon-funday",
                 "--tz", "UTC", "--to", ATA]) == 1
    assert "days:" in capsys.readouterr().err


def test_wakeup_ring_outside_the_ring_time_says_when_it_rings(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    db = str(tmp_path / "alarms.sqlite3")
    later = (datetime.now(timezone.utc) + timedelta(hours=3)).strftime("%H:%M")
    assert main(["wakeup", "--db", db, "add", "--name", "bell", "--time", later, "--days", "daily", "--tz",
                 "UTC", "--to", "+14155550123"]) == 0
    capsys.readouterr()
    assert main(["wakeup", "--db", db, "ring", "bell"]) == 1
    assert "next rings at" in capsys.readouterr().err
    assert main(["wakeup", "--db", db, "log", "bell"]) == 0
    assert "Nothing has rung yet for the alarm 'bell'" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["wakeup", "run", "--grace", "-5"], ["wakeup", "run", "--grace", "inf"], ["wakeup", "run", "--grace", "nan"],
    ["wakeup", "run", "--grace", "721"], ["wakeup", "run", "--tick", "0"], ["wakeup", "run", "--tick", "1e400"],
    ["wakeup", "add", "--time", "06:30", "--tz", "UTC", "--to", ATA, "--retries", "-1"],
    ["wakeup", "add", "--time", "06:30", "--tz", "UTC", "--to", ATA, "--retry-minutes", "0"],
    ["wakeup", "add", "--time", "06:30", "--tz", "UTC", "--to", ATA, "--ring-seconds", "9" * 400],
    ["calls", "place", ATA, "--timeout", "601"], ["calls", "log", "--limit", "-3"],
])
def test_every_scheduler_and_call_number_flag_is_range_checked(argv: list[str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "from" in err.splitlines()[-1] and "Traceback" not in err


@pytest.mark.parametrize("field,value", [("grace", timedelta(minutes=-5)), ("grace", timedelta(days=2)),
                                         ("tick_seconds", float("inf")), ("tick_seconds", 0.0),
                                         ("give_up", timedelta(days=3)), ("lookback", timedelta(0))])
def test_the_scheduler_refuses_out_of_range_settings(field: str, value: object, tmp_path: Path) -> None:
    from ata_helpers.errors import ValidationError
    from ata_helpers.wakeup.scheduler import WakeUpScheduler

    with pytest.raises(ValidationError, match=field):
        WakeUpScheduler(AlarmStore(tmp_path / "a.sqlite3"), **{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["crontab", "systemd"])
def test_an_exported_job_rings_the_alarm_in_its_own_file(fmt: str, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job cron/systemd would run finds the alarm saved with --db (run here, as that job, in another folder)."""
    import shlex
    import subprocess
    import sys
    from datetime import datetime, timezone

    folder = tmp_path / "my alarms"
    folder.mkdir()
    monkeypatch.chdir(folder)
    later = (datetime.now(timezone.utc) + timedelta(hours=3)).strftime("%H:%M")
    assert main(["wakeup", "--db", "w.sqlite3", "add", "--name", "bell", "--time", later, "--days", "daily",
                 "--tz", "UTC", "--to", "+14155550123"]) == 0
    capsys.readouterr()
    assert main(["wakeup", "--db", "w.sqlite3", "export", "bell", "--format", fmt]) == 0
    text = capsys.readouterr().out
    if fmt == "crontab":
        job = text.splitlines()[-1].split(" ", 5)[5].split(" >> ")[0]
    else:
        job = next(line for line in text.splitlines() if line.startswith("ExecStart=")).removeprefix("ExecStart=")
    words = shlex.split(job)
    assert words[1:3] == ["wakeup", "--db"] and words[3] == str(folder / "w.sqlite3") and words[4:] == ["ring", "bell"]
    ran = subprocess.run([sys.executable, "-m", "ata_helpers.cli", *words[1:]], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert "next rings at" in ran.stderr, ran.stderr  # it found the alarm: it is just not its time yet


def test_wakeup_add_refuses_a_caller_id_that_is_not_on_the_account(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    from ata_helpers.calls import place_call
    from ata_helpers.errors import TwilioApiError

    db = str(tmp_path / "alarms.sqlite3")
    with pytest.raises(TwilioApiError) as refused:  # what ringing it would meet
        place_call("+14155550123", from_="+19995550100")
    assert refused.value.code == 21210
    assert main(["wakeup", "--db", db, "add", "--time", "06:30", "--tz", "UTC", "--to", "+14155550123",
                 "--from", "+19995550100"]) == 1
    err = capsys.readouterr().err
    assert "from_: +19995550100 is not a phone number on this account" in err and "error 21210" in err
    assert "+14155550100" in err and err.count("\n") == 1
    assert AlarmStore(db).names() == []
    assert main(["wakeup", "--db", db, "add", "--time", "06:30", "--tz", "UTC", "--to", "+14155550123",
                 "--from", "+1 415 555 0100"]) == 0
    assert AlarmStore(db).get("wake-up").from_ == "+14155550100"
