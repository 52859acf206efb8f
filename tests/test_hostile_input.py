"""Hostile input is refused at the edge: control characters in text that becomes TwiML or XML,
NUL and control characters in passwords, line breaks and shell metacharacters in crontab, systemd
and Home Assistant exports, SIP servers outside Twilio's domain rules, unknown Call-IDs."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from ata_helpers import FxsPort, WakeUpCall
from ata_helpers.calls.place import build_twiml
from ata_helpers.capture.ladder_svg import ladder
from ata_helpers.capture.samples import write_healthy
from ata_helpers.cli import main
from ata_helpers.errors import ValidationError
from ata_helpers.validate import validate_sip_password
from ata_helpers.wakeup.exports import (
    crontab_line,
    home_assistant_config,
    systemd_units,
)

CONTROL = ["\x00", "\x07", "\x1b[2J", "\x7f", "\x85", "\ufffe"]
SHELL = ["; rm -rf ~", "$(touch pwned)", "`id`", "a|b", "a&&b", "x > /etc/passwd", "'\"", "50%off", "a\\b",
         "* * * * * evil", "~root/x", "a b"]
TO = "+14155550123"


@pytest.mark.parametrize("bad", CONTROL)
def test_control_characters_never_reach_twiml(bad: str) -> None:
    with pytest.raises(ValidationError, match="say"):
        build_twiml(say=f"Wake up{bad} now")
    with pytest.raises(ValidationError):
        WakeUpCall(to=TO, message=f"Good morning{bad}")


def test_line_breaks_in_a_message_are_spoken_text() -> None:
    assert "<Say>Good\nmorning</Say>" in build_twiml(say="Good\nmorning")


def test_calls_place_refuses_a_control_character(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calls", "place", TO, "--say", "hello\x07", "--no-wait"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: say:") and "U+0007" in err


@pytest.mark.parametrize("bad", ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\u2028"[:0] + "\x9b"])
def test_passwords_refuse_nul_and_control_characters(bad: str) -> None:
    with pytest.raises(ValidationError, match="control characters") as caught:
        validate_sip_password(f"Correct{bad}Horse7Battery")
    assert "Horse7" not in str(caught.value)
    with pytest.raises(ValidationError):
        FxsPort(user_id="ht801", password=f"Correct{bad}Horse7Battery")


@pytest.mark.parametrize("hostile", SHELL + ["/opt/ata helpers/bin/ata-helpers"])
def test_crontab_lines_hold_a_hostile_command_as_one_word(hostile: str) -> None:
    alarm = WakeUpCall(to=TO, name="bell")
    plain = crontab_line(alarm).splitlines()
    lines = crontab_line(alarm, command=hostile).splitlines()
    assert len(lines) == len(plain)
    job = lines[-1].split(maxsplit=5)[5]
    assert "%" not in job.replace("\\%", "")  # cron would turn a bare % into a line break
    words = shlex.split(job.replace("\\%", "%"))
    assert words[:4] == [hostile, "wakeup", "ring", "bell"]
    assert words[4:] == [">>", "$HOME/.ata-helpers/wakeup.log", "2>&1"]


@pytest.mark.parametrize("hostile", ["ata\nMAILTO=evil", "ata\rx", "ata\x00"])
def test_crontab_refuses_line_breaks_and_control_characters(hostile: str) -> None:
    with pytest.raises(ValidationError, match="command"):
        crontab_line(WakeUpCall(to=TO), command=hostile)


@pytest.mark.parametrize("hostile", SHELL + ["/bin/x\nExecStartPre=/bin/sh -c evil", "/bin/%h", "/bin/$HOME"])
def test_systemd_units_refuse_what_systemd_would_not_read_literally(hostile: str) -> None:
    alarm = WakeUpCall(to=TO, name="bell")
    try:
        units = systemd_units(alarm, command=hostile)
    except ValidationError as exc:
        assert exc.field == "command"
        return
    service = units["ata-wakeup-bell.service"]
    exec_lines = [line for line in service.splitlines() if line.startswith("Exec")]
    assert exec_lines == [f'ExecStart="{hostile}" wakeup ring bell' if " " in hostile
                          else f"ExecStart={hostile} wakeup ring bell"]


def _load_ha(text: str) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!secret", lambda loader, node: f"<secret {loader.construct_scalar(node)}>")
    return yaml.load(text, Loader=Loader)


@pytest.mark.parametrize("message", ['Say "hi" \\ then: {x}', "# not a comment", "line\nbreak", "a: b\n- c"])
def test_home_assistant_strings_stay_strings(message: str) -> None:
    config = _load_ha(home_assistant_config(WakeUpCall(to=TO, name="bell", message=message), from_="+14155550100"))
    assert set(config) == {"rest_command", "automation"}
    payload = config["rest_command"]["ata_wake_up_bell"]["payload"]
    assert "Twiml=" in payload and len(config["automation"]) == 1
    assert json.loads(json.dumps(payload)) == payload


def test_ata_xml_checks_the_server_by_the_domain_rules(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "Correct-Horse-7-Battery")
    for server in ("evil.example.com", "my-ht801.sip.us1.twilio.com", "x\n.sip.twilio.com"):
        assert main(["ata", "xml", "--server", server, "--user", "ht801", "--mac", "00:0b:82:12:34:56"]) == 1
        assert capsys.readouterr().err.startswith("error: server:")
    assert main(["ata", "xml", "--server", "my-ht801.sip.twilio.com", "--user", "ht801",
                 "--mac", "00:0b:82:12:34:56"]) == 0


def test_an_unknown_call_id_lists_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = write_healthy(tmp_path / "h.pcap")
    out = tmp_path / "ladder.svg"
    assert main(["ladder", str(capture), "--call", "UNKNOWN", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: call_id: a Call-ID in this capture (") and not out.exists()
    with pytest.raises(ValidationError) as caught:
        ladder(str(capture), call_id="UNKNOWN")
    known = caught.value.rule
    from ata_helpers import read_sip

    for call_id in read_sip(str(capture))["call_id"].unique():
        assert call_id in known
