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


def test_the_learner_install_without_test_tools_is_all_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make lab` installs the package without its `test` extra: none of those tools may be required."""
    import re
    from importlib import metadata

    test_only = {re.split(r"[=<>~!; \[]", r)[0].lower() for r in metadata.requires("ata-helpers") or []
                 if 'extra == "test"' in r}
    assert "nbval" in test_only and "pytest" in test_only
    real = metadata.version

    def version(name: str) -> str:
        if name.lower() in test_only:
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    table = ata.environment_check()
    assert list(table.loc[table["status"] != "ok", "item"]) == []
    assert not any(name in " ".join(table["item"]) for name in test_only)
