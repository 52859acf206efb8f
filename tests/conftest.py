"""Shared fixtures: every test runs in sandbox mode against its own fresh sandbox folder."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest


@pytest.fixture(autouse=True)
def sandbox_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private ATA_SANDBOX_DIR in sandbox mode; live credentials and edge settings removed."""
    folder = tmp_path / "sandbox"
    folder.mkdir()
    monkeypatch.setenv("ATA_MODE", "sandbox")
    monkeypatch.setenv("ATA_SANDBOX_DIR", str(folder))
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET",
                 "TWILIO_EDGE", "TWILIO_REGION", "ATA_HOST", "ATA_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield folder
    from ata_helpers.sandbox.runtime import stop_services

    stop_services(folder)
