"""The environment check table."""

from __future__ import annotations

import pytest

import ata_helpers as ata


def test_sandbox_environment_is_all_ok() -> None:
    table = ata.environment_check()
    assert list(table.columns) == ["item", "value", "status"]
    rows = dict(zip(table["item"], table["status"], strict=True))
    assert rows["mode"] == "ok" and rows["Twilio API answers"] == "ok"
    assert table.loc[table["item"] == "mode", "value"].item() == "sandbox"
    assert table.loc[table["item"] == "state folder", "value"].item() == "ATA_SANDBOX_DIR"
    assert "3 phone number" in table.loc[table["item"] == "Twilio API answers", "value"].item()
    assert ata.settings.SANDBOX_AUTH_TOKEN not in table.to_string()


def test_live_without_credentials_reports_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    table = ata.environment_check()
    failed = table[table["status"] == "fail"]
    assert list(failed["item"]) == ["Twilio credentials"]
    assert "TWILIO_ACCOUNT_SID" in failed["value"].item()
