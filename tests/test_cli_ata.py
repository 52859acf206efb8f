"""`ata-helpers ata xml|plan|apply`: the SIP password comes from the settings first, asked for only on a terminal."""

from __future__ import annotations

import getpass
import io

import pytest

from ata_helpers.cli import main
from ata_helpers.settings import SANDBOX_SIP_PASSWORD

XML = ["ata", "xml", "--server", "my-ht801.sip.twilio.com", "--user", "ht801", "--mac", "00:0b:82:12:34:56"]


class _NoTerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(prompt: str = "") -> str:
        raise AssertionError("getpass called although the password is configured")

    monkeypatch.setattr(getpass, "getpass", refuse)
    monkeypatch.setattr("sys.stdin", _NoTerminal())


def test_the_configured_password_is_used_without_asking(no_prompt: None, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "Quiet-Lantern-4812")
    assert main([*XML, "--out", str(tmp_path)]) == 0
    assert "Quiet-Lantern-4812" in next(tmp_path.glob("cfg*.xml")).read_text("utf-8")
    assert "SIP password" not in capsys.readouterr().out


def test_the_sandbox_lines_password_is_used_when_unset(no_prompt: None, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path) -> None:
    monkeypatch.delenv("ATA_SIP_PASSWORD", raising=False)
    assert main([*XML, "--out", str(tmp_path)]) == 0
    assert SANDBOX_SIP_PASSWORD in next(tmp_path.glob("cfg*.xml")).read_text("utf-8")


def test_no_password_and_no_terminal_is_one_clear_line(no_prompt: None, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ATA_SIP_PASSWORD", raising=False)
    monkeypatch.delenv("MY_PW", raising=False)
    assert main([*XML, "--password-env", "MY_PW"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "set MY_PW in the environment or in .env" in captured.err
    assert "EOFError" not in captured.err
