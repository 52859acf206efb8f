"""`ata-helpers setup …` in the sandbox: the same steps as TwilioSetup, inputs from flags or a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers.cli import main

FLAGS = ["--domain-label", "cli-line", "--username", "ht802", "--caller-id", "+14155550101",
         "--public-ip", "198.51.100.7"]


def _domains() -> list[str]:
    return [d.domain_name for d in ata.twilio_client().sip.domains.list()]


def test_plan_apply_describe_teardown(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "From-The-Env-42")
    assert main(["setup", "plan", *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "would create" in out and "cli-line.sip.twilio.com" in out and _domains() == []
    assert main(["setup", "apply", *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "created" in out and "From-The-Env-42" not in out and "••••" in out
    assert _domains() == ["cli-line.sip.twilio.com"]
    assert main(["setup", "apply", *FLAGS]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines()[2:] if line.strip()]
    assert len(lines) == 14 and all(" unchanged " in f" {line} " for line in lines)
    assert main(["setup", "describe", *FLAGS]) == 0
    assert "sip_registration=True" in capsys.readouterr().out
    assert main(["setup", "teardown", *FLAGS]) == 0
    assert "deleted" in capsys.readouterr().out and _domains() == []


def test_config_file_and_flags_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "line.json"
    config.write_text(json.dumps({"domain_label": "from-file", "username": "ht801", "caller_id": "+14155550100",
                                  "public_ip": "203.0.113.10", "edge": "dublin"}))
    assert main(["setup", "apply", "--config", str(config), "--stage", "outbound", "--username", "flag-user"]) == 0
    client = ata.twilio_client()
    assert _domains() == ["from-file.sip.twilio.com"]
    trunk = client.trunking.v1.trunks.list()[0]
    urls = [o.sip_url for o in client.trunking.v1.trunks(trunk.sid).origination_urls.list()]
    assert urls == ["sip:flag-user@from-file.sip.dublin.twilio.com"]
    assert client.sip.domains.list()[0].sip_registration is False


def test_bad_input_names_field_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["setup", "plan", *FLAGS, "--public-ip", "192.168.1.9"]) == 1
    assert "public_ip: a public address" in capsys.readouterr().err
    assert main(["setup", "plan", *FLAGS, "--password", "weak"]) == 1
    err = capsys.readouterr().err
    assert "password: Twilio's password policy needs" in err and "weak" not in err
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"password": "Should-Not-Be-Here1"}))
    assert main(["setup", "plan", "--config", str(secret)]) == 1
    assert "never the password" in capsys.readouterr().err


def test_failed_apply_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["setup", "apply", *FLAGS, "--domain-label", "demo"]) == 1
    captured = capsys.readouterr()
    assert "failed" in captured.out and "not run" in captured.out
    assert "21232" in captured.err and "Fix:" in captured.err


@pytest.mark.parametrize("host,url", [("functions", ".twil.io/inbound"), ("bins", "handler.twilio.com/twiml/EH")])
def test_twiml_host_flag(host: str, url: str, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "From-The-Env-42")
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    assert main(["setup", "apply", *FLAGS, "--twiml-host", host]) == 0
    out = capsys.readouterr().out
    assert ("Twilio Function" in out) == (host == "functions")
    assert [n.phone_number for n in ata.twilio_client().incoming_phone_numbers.list() if url in (n.voice_url or "")]
