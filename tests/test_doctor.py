"""The doctor walks the chain: not set up in a fresh sandbox, all passing after the course's
steps, and exactly the matching checks failing when one thing is broken."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.line import LineInputs

NUMBER = "+14155550100"


def _failing(frame: Any) -> set[str]:
    return set(frame.loc[frame["status"] == "fail", "check"])


def _wait_final(client: Any, sid: str) -> None:
    for _ in range(100):
        if client.calls(sid).fetch().status in ("completed", "failed", "no-answer", "busy", "canceled"):
            return
        time.sleep(0.05)


@pytest.fixture()
def course(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The course's steps, done through the library: Twilio side, the ATA, one call each way."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    from ata_helpers import nat_story

    nat_story.ensure_line()  # TwilioSetup.apply() for notebooks 02, 03, 06 and the ATA of notebook 04
    assert nat_story.call_the_phone().ok
    client = ata.twilio_client()
    _wait_final(client, ata.sandbox.dial("14155550123"))
    domain_name = LineInputs.load().domain_name
    domain = next(d for d in client.sip.domains.list() if d.domain_name == domain_name)
    mapped = client.sip.domains(domain.sid).auth.registrations.credential_list_mappings.list()
    assert len(mapped) == 1
    return {"client": client, "domain": domain, "list": mapped[0], "password": _password()}


def _password() -> str:
    from ata_helpers.provision.config import sip_password

    return sip_password(prompt=False)


def test_fresh_sandbox_reports_the_chain_as_not_set_up() -> None:
    frame = ata.doctor()
    assert list(frame.columns) == ["check", "status", "detail", "fix"]
    statuses = dict(zip(frame["check"], frame["status"], strict=True))
    assert statuses["Twilio credentials valid"] == "pass"
    assert statuses["SIP domain exists"] == "fail"
    assert statuses["ATA port registered"] == "fail"
    assert statuses["SIP registration enabled"] == "skip"
    assert "pass" not in {statuses[c] for c in ("SIP registration enabled", "credential list mapped for registrations",
                                               "call authentication mapped", "last inbound call to the ATA")}
    assert all(frame.loc[frame["status"] == "fail", "fix"].str.len() > 0)


def test_every_check_passes_after_the_course(course: Any) -> None:
    frame = ata.doctor(phone_number=NUMBER, capture=ata.sandbox.latest_capture())
    assert set(frame["status"]) == {"pass"}, frame.to_string()
    assert frame["check"].iloc[0] == "Twilio credentials valid"
    assert frame["check"].iloc[-1] == "latest capture's findings"


def test_without_a_capture_the_capture_check_is_skipped_in_every_mode(course: Any) -> None:
    last = ata.doctor(phone_number=NUMBER).iloc[-1]
    assert (last["check"], last["status"]) == ("latest capture's findings", "skip")
    assert "SIP PCAP" in last["detail"]


def test_cli_passes_the_sandbox_capture(course: Any) -> None:
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "doctor", "--colour", "never",
                          "--number", NUMBER], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASS  latest capture's findings" in out.stdout


def test_unmapping_the_registration_list_fails_exactly_its_checks(course: Any) -> None:
    regs = course["client"].sip.domains(course["domain"].sid).auth.registrations.credential_list_mappings
    regs(course["list"].sid).delete()
    frame = ata.doctor(phone_number=NUMBER)
    assert _failing(frame) == {"credential list mapped for registrations", "ATA port registered"}
    assert "notebook 03" in frame.set_index("check").loc["credential list mapped for registrations", "fix"]


def test_lan_contact_fails_exactly_the_settings_check(course: Any) -> None:
    device = ata.ht80x_device()
    config = device.read_config()
    port = config.ports[0]
    from dataclasses import replace

    device.apply(replace(config, ports=(replace(port, contact_uses_wan=False, password=course["password"]),)
                         + config.ports[1:]))
    frame = ata.doctor(phone_number=NUMBER)
    assert _failing(frame) == {"ATA settings match the recommendations"}
    assert "P4437" in frame.set_index("check").loc["ATA settings match the recommendations", "fix"]


def test_number_on_a_trunk_is_flagged(course: Any) -> None:
    client = course["client"]
    trunk = client.trunking.v1.trunks.list()[0]
    number = client.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    trunk.phone_numbers.create(phone_number_sid=number.sid)
    frame = ata.doctor(phone_number=NUMBER)
    assert _failing(frame) == {"phone number routes to the ATA"}


def test_last_call_quality_shows_the_insights_verdict(course: Any) -> None:
    from ata_helpers import nat_story

    quality = "last answered call's quality (Voice Insights)"
    assert ata.doctor(phone_number=NUMBER).set_index("check").loc[quality, "status"] == "pass"
    ata.sandbox.set_router(blocked=["168.86.128.0/18"])  # the router drops Twilio's media
    assert nat_story.call_the_phone().ok
    row = ata.doctor(phone_number=NUMBER).set_index("check").loc[quality]
    assert row["status"] == "fail" and "one-way-audio" in row["detail"] and "168.86.128.0/18" in row["fix"]


def test_cli_exits_nonzero_on_failure_and_prints_fixes() -> None:
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "doctor", "--colour", "never"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "FAIL  SIP domain exists" in out.stdout and "fix:" in out.stdout
    assert "\033[" not in out.stdout


def test_cli_colours_when_asked() -> None:
    from ata_helpers.commands.doctor import render

    frame = ata.doctor()
    assert "\033[31m" in render(frame, colour=True)


def test_live_mode_without_network_still_gives_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "x" * 32)
    monkeypatch.setenv("ATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("ATA_ADMIN_PASSWORD", "admin")
    monkeypatch.setattr("ata_helpers.twilio_api.twilio_client", _unreachable_client)
    frame = ata.doctor()
    statuses = dict(zip(frame["check"], frame["status"], strict=True))
    assert statuses["Twilio credentials valid"] == "fail"
    assert statuses["SIP domain exists"] == "skip" and statuses["ATA reachable"] == "fail"
    assert "x" * 32 not in frame.to_string()


def _unreachable_client() -> Any:
    """A real twilio Client whose every request fails as with no network (no traffic leaves)."""
    import requests
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class Offline(TwilioHttpClient):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            raise requests.ConnectionError("network is unreachable")

    return Client("AC" + "0" * 32, "x" * 32, http_client=Offline(), environment={"x": "y"})


def test_missing_capture_file_is_refused_before_any_check() -> None:
    with pytest.raises(ValueError, match="no such file"):
        ata.doctor(capture="/nonexistent/call.pcap")


@pytest.mark.parametrize("number", ["abc", "14155550100", "+0123"])
def test_a_malformed_number_is_one_line_error(number: str, capsys: pytest.CaptureFixture[str]) -> None:
    from ata_helpers.cli import main

    with pytest.raises(ata.ValidationError, match="phone_number: E.164"):
        ata.doctor(phone_number=number)
    assert main(["doctor", "--number", number]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: phone_number: E.164") and \
        captured.err.count("\n") == 1


def test_a_number_not_on_the_account_fails_its_check(course: Any) -> None:
    row = ata.doctor(phone_number="+1 999 999 9999").set_index("check").loc["phone number routes to the ATA"]
    assert row["status"] == "fail"
    assert row["detail"].startswith("+19999999999 is not on this account") and NUMBER in row["detail"]
    assert "Active numbers" in row["fix"]


def test_a_different_password_on_the_ata_shows_twilios_403_in_the_registration_row(course: Any) -> None:
    device = ata.ht80x_device(progress=lambda *a: None)
    device.write({"P34": "Different12345"})  # the ATA's SIP password no longer the credential's
    frame = ata.doctor(phone_number=NUMBER).set_index("check")
    row = frame.loc["ATA port registered"]
    assert row["status"] == "fail"
    assert "Twilio answered 403 Forbidden (Twilio error 32202)" in row["detail"]
    assert "P34" in row["fix"] and "match the credential's password" in row["fix"]
    assert "Different12345" not in frame.to_string()


def test_cli_status_shows_twilios_answer_when_not_registered(course: Any) -> None:
    ata.ht80x_device(progress=lambda *a: None).write({"P34": "Different12345"})
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "ata", "status"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Not Registered" in out.stdout
    assert "Twilio refused the registration: 403 Forbidden (Twilio error 32202)" in out.stdout
    assert "P34" in out.stdout


def test_an_empty_selection_of_the_report_says_what_the_report_holds() -> None:
    from ata_helpers.empty_results import empty_reason

    report = ata.doctor()
    failed = report[report["status"] == "fail"][["check", "detail", "fix"]]
    assert not failed.empty and empty_reason(failed) is None  # a fresh sandbox: the chain is not set up
    none = report[report["status"] == "nothing-such"][["check", "fix"]]
    counts = report["status"].value_counts()
    assert empty_reason(none) == (
        f"No row of the doctor's report matches ({len(report)} checks: {counts['fail']} failed, "
        f"{counts.get('pass', 0)} passed, {counts.get('skip', 0)} skipped). A check that failed would be here "
        "with its fix; a skipped one says what the doctor needs to see it.")
