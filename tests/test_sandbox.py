"""What the sandbox itself answers (ata.sandbox): Twilio's view of registrations, captures, a
made-up history; and the refusals in live mode, where none of it is the account's truth."""

from __future__ import annotations

from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.errors import SandboxError


@pytest.fixture(autouse=True)
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


def _live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")


def test_registration_status_in_the_sandbox_and_live(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = ata.sandbox.registration_status()
    assert list(sandbox.columns) == ["port", "registration", "code", "sip_status", "reason", "fix"]
    assert list(sandbox["port"]) == [1, 2] and set(sandbox["registration"]) == {"Not Registered"}
    assert str(sandbox["code"].dtype) == "Int64"
    _live(monkeypatch)
    live = ata.sandbox.registration_status()
    assert len(live) == 1 and "Registered SIP Endpoints" in live.loc[0, "fix"]


def test_latest_capture_is_none_until_a_call_then_that_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from ata_helpers import nat_story

    assert ata.sandbox.latest_capture() is None
    nat_story.ensure_line()
    call: Any = nat_story.call_the_phone()
    path = ata.sandbox.latest_capture()
    assert path is not None and path.name == f"call-{call.sid}.pcap"
    assert ata.read_sip(path)["method"].eq("INVITE").any()
    _live(monkeypatch)
    assert ata.sandbox.latest_capture() is None


def test_capture_in_live_mode_says_where_to_download(monkeypatch: pytest.MonkeyPatch) -> None:
    _live(monkeypatch)
    with pytest.raises(SandboxError, match="SIP PCAP LOG"):
        ata.sandbox.capture("CA" + "0" * 32)


def test_seed_history_fills_the_sandbox_and_refuses_in_live_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    made = ata.sandbox.seed_history(n=20, seed=1, days=5)
    assert made["added"] and made["calls"] == 20
    assert ata.sandbox.seed_history(n=20, seed=1, days=5)["added"] is False
    _live(monkeypatch)
    with pytest.raises(SandboxError, match="real calls"):
        ata.sandbox.seed_history(n=20)
