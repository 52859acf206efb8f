"""The NAT story helpers: one setting flipped on the device decides whether inbound calls work."""

from __future__ import annotations

import pytest

import ata_helpers as ata
from ata_helpers import nat_story


@pytest.fixture(autouse=True)
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


def test_ensure_line_is_idempotent_and_registers() -> None:
    first = nat_story.ensure_line()
    assert first.set_index("part").loc["ATA port 1", "state"] == "Registered"
    second = nat_story.ensure_line()
    assert "created" not in second.set_index("part").loc["Twilio side", "state"]


def test_lan_then_wan() -> None:
    nat_story.ensure_line()
    changed = nat_story.set_contact_header(wan=False).set_index("pvalue")
    assert changed.loc["P4437", "after"] == "LAN Address" and changed.loc["P4437", "result"] == "changed"
    failed = nat_story.call_the_phone()
    assert failed.status == "failed" and list(failed.alerts["code"]) == [32011]
    findings = ata.diagnose(ata.sandbox.capture(failed.sid))
    assert "contact-private-address" in set(findings["code"])
    assert nat_story.set_contact_header(wan=True).set_index("pvalue").loc["P4437", "after"] == "WAN Address"
    assert nat_story.call_the_phone().ok


def test_the_test_call_rings_the_saved_lines_address() -> None:
    from ata_helpers.line import LineInputs

    call = nat_story.call_the_phone()
    assert call.to == LineInputs.load().device_uri


def test_bad_port_is_refused() -> None:
    nat_story.ensure_line()
    with pytest.raises(ValueError, match="port"):
        nat_story.set_contact_header(wan=True, port=3)
