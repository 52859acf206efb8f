"""Every error ends as one explained line and a non-zero exit, never a traceback: Twilio failures of
any kind (REST errors, list and page fetches), a failed apply with its report, out of memory,
overflow, and a reader that closed the pipe."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ata_helpers import settings
from ata_helpers.cli import main
from ata_helpers.errors import TwilioApiError
from ata_helpers.twilio_api import explained_errors, twilio_client


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture
def wrong_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client sends an auth token the Twilio twin does not accept (it answers 401, code 20003)."""
    from ata_helpers import twilio_api

    twilio_client().calls.list(limit=1)  # the twin runs, and accepts the right token
    right = settings.twilio_credentials

    def wrong(*args: object, **kwargs: object) -> settings.TwilioCredentials:
        creds = right(*args, **kwargs)  # type: ignore[arg-type]
        return settings.TwilioCredentials(creds.account_sid, creds.username, "0" * 32, creds.kind)

    monkeypatch.setattr(twilio_api, "twilio_credentials", wrong)


def test_a_page_fetch_with_a_wrong_token_is_explained(wrong_token: None) -> None:
    """Lists raise the SDK's plain TwilioException("Unable to fetch page", response)."""
    with pytest.raises(TwilioApiError) as caught, explained_errors():
        twilio_client().sip.domains.list()
    error = caught.value
    assert (error.status, error.code) == (401, 20003)
    assert error.explanation and error.fix


@pytest.mark.parametrize("argv", [["setup", "plan"], ["setup", "apply"], ["setup", "describe"],
                                  ["setup", "teardown"], ["calls", "log"], ["calls", "place", "+14155550123"]])
def test_a_wrong_token_is_one_line_from_every_twilio_command(argv: list[str], wrong_token: None,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "Correct-Horse-7-Battery")
    assert main(argv) == 1
    captured = capsys.readouterr()
    line = one_error_line(captured.err)
    assert "20003" in line and "Fix:" in line
    assert "0" * 32 not in captured.out + captured.err
    if argv[:2] == ["setup", "apply"]:
        assert "failed" in captured.out and "not run" in captured.out  # the report of what ran


def test_apply_reports_what_ran_when_the_sdk_raises_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    from ata_helpers.provision import SetupError, TwilioSetup
    from ata_helpers.provision import setup as setup_module

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("sid")  # e.g. an unexpected response shape

    monkeypatch.setattr(setup_module, "ensure_ip_acl", broken)
    setup = TwilioSetup("my-ht801", "ht801", "Correct-Horse-7-Battery", "+14155550100", public_ip="203.0.113.10")
    with pytest.raises(SetupError) as caught:
        setup.apply()
    report = caught.value.report
    assert list(report.action[:3]) == ["created", "created", "created"], report.to_string()
    assert report.action[3] == "failed" and "KeyError" in report.detail[3]
    assert set(report.action[4:]) == {"not run"}


@pytest.mark.parametrize("error", [MemoryError(), OverflowError("int too large to convert to float"),
                                   RecursionError("maximum recursion depth exceeded"), KeyError("x"),
                                   TwilioApiError(401, 20003, "Authenticate", "Wrong token.", "Copy it again.")])
def test_the_cli_turns_every_error_into_one_line(error: BaseException, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from ata_helpers.commands import core

    def fails(args: object) -> int:
        raise error

    monkeypatch.setattr(core, "_env", fails)
    assert main(["env"]) == 1
    one_error_line(capsys.readouterr().err)


def test_a_closed_pipe_ends_quietly() -> None:
    """`ata-helpers … | head -1`: the reader goes away; no BrokenPipeError, no message."""
    proc = subprocess.Popen([sys.executable, "-m", "ata_helpers.cli", "firewall", "--format", "nftables"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""


def test_the_cli_importing_the_doctor_module_keeps_ata_doctor_a_function() -> None:
    """`from ..doctor import doctor` (the CLI) must not turn `ata.doctor` into the module."""
    import importlib

    import ata_helpers as ata

    importlib.import_module("ata_helpers.commands.doctor")
    importlib.import_module("ata_helpers._doctor")
    assert callable(ata.doctor) and ata.doctor.__name__ == "doctor"
