"""The alarm as a crontab line, systemd units and a Home Assistant snippet."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timezone
from urllib.parse import parse_qs

import pytest
import yaml

from ata_helpers import WakeUpCall
from ata_helpers.errors import ValidationError
from ata_helpers.wakeup.exports import (
    cron_days,
    crontab_line,
    home_assistant_config,
    installed_command,
    systemd_days,
    systemd_units,
)

TO = "sip:ht801@my-ht801.sip.twilio.com"


def alarm(days: str = "mon-fri", **kwargs: object) -> WakeUpCall:
    return WakeUpCall(time="06:30", days=days, tz="America/Los_Angeles", to=TO, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("days, cron, systemd", [
    ("mon-fri", "1-5", "Mon..Fri"),
    ("weekends", "0,6", "Sat,Sun"),
    ("fri-mon", "0,1,5,6", "Mon,Fri..Sun"),
    ("sun", "0", "Sun"),
    ("mon,wed,fri", "1,3,5", "Mon,Wed,Fri"),
    ("sun-thu", "0-4", "Mon..Thu,Sun"),
    ("daily", "*", ""),
])
def test_day_fields(days: str, cron: str, systemd: str) -> None:
    a = alarm(days)
    assert cron_days(a) == cron
    assert systemd_days(a) == systemd


def test_crontab_line_runs_the_ring_command_in_the_alarms_zone() -> None:
    text = crontab_line(alarm(name="bell"))
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0] == "CRON_TZ=America/Los_Angeles"
    fields = lines[1].split()
    assert fields[:5] == ["30", "6", "*", "*", "1-5"]
    assert fields[5] == installed_command() and " ".join(fields[6:8]) == "wakeup ring" and fields[8] == "bell"


@pytest.mark.parametrize("days", ["mon-fri", "fri-mon", "daily", "sun"])
def test_systemd_timer_agrees_with_next_times(days: str) -> None:
    a = alarm(days, name="bell")
    units = systemd_units(a)
    timer, service = units["ata-wakeup-bell.timer"], units["ata-wakeup-bell.service"]
    calendar = re.search(r"^OnCalendar=(.+)$", timer, re.M).group(1)
    assert calendar.endswith("06:30:00 America/Los_Angeles")
    assert "Persistent=false" in timer and "Unit=ata-wakeup-bell.service" in timer
    assert f"ExecStart={installed_command()} wakeup ring bell" in service
    assert "Type=oneshot" in service
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    now = datetime.now(timezone.utc)
    out = subprocess.run(["systemd-analyze", "calendar", "--iterations=4", calendar],
                         capture_output=True, text=True, check=True).stdout
    elapses = re.findall(r"(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", out)
    if len(elapses) < 4:  # some versions print local time only
        pytest.skip("systemd-analyze printed no UTC times")
    expected = [t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") for t in a.next_times(4, after=now)]
    assert elapses == expected


def _load_ha(text: str) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!secret", lambda loader, node: f"<secret {loader.construct_scalar(node)}>")
    return yaml.load(text, Loader=Loader)


def test_home_assistant_snippet_posts_the_call_to_twilio() -> None:
    a = alarm("fri-mon", name="bell", message="Rise & shine, it's 6:30!", ring_seconds=40)
    config = _load_ha(home_assistant_config(a, from_="+14155550100"))
    command = config["rest_command"]["ata_wake_up_bell"]
    assert command["url"] == "<secret twilio_calls_url>"
    assert command["username"] == "<secret twilio_account_sid>"
    assert command["password"] == "<secret twilio_auth_token>"
    assert command["method"] == "post"
    payload = {k: v[0] for k, v in parse_qs(command["payload"]).items()}
    assert payload["To"] == TO and payload["From"] == "+14155550100" and payload["Timeout"] == "40"
    assert "<Say>Rise &amp; shine, it's 6:30!</Say>" in payload["Twiml"]
    automation = config["automation"][0]
    assert automation["trigger"] == [{"platform": "time", "at": "06:30:00"}]
    assert automation["condition"][0]["weekday"] == ["mon", "fri", "sat", "sun"]
    assert automation["action"] == [{"service": "rest_command.ata_wake_up_bell"}]


def test_home_assistant_snippet_has_no_condition_for_every_day_and_no_secrets() -> None:
    text = home_assistant_config(alarm("daily", from_="+14155550100"))
    assert "condition" not in _load_ha(text)["automation"][0]
    assert "AC5a4db0c" not in text and "auth_token: your" in text


def test_home_assistant_needs_a_caller_id() -> None:
    with pytest.raises(ValidationError) as caught:
        home_assistant_config(alarm())
    assert caught.value.field == "from_"


def test_exports_run_this_installations_command() -> None:
    import sys
    from pathlib import Path

    beside = Path(sys.executable).parent / "ata-helpers"
    assert beside.exists()  # installed with the package (make install / make lab)
    assert installed_command() == str(beside)
    alarm = WakeUpCall(to="+14155550123", time="06:30")
    assert f"{beside} wakeup ring" in crontab_line(alarm)
