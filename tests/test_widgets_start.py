"""Notebook 00's credentials form, driven by setting values and clicking."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ata_helpers.settings import MASK
from ata_helpers.widgets.start import credentials_form

SID = "AC" + "a" * 32
TOKEN = "b" * 32


def _text(form) -> str:  # type: ignore[no-untyped-def]
    return "".join(o.get("text", "") for o in form.out.outputs)


def test_bad_sid_is_flagged_beside_the_field() -> None:
    form = credentials_form()
    form.account_sid.value = "AC123"
    assert "32 hex digits" in form.sid_error.value
    form.use_button.click()
    assert "Not saved: Account SID" in _text(form)


def test_use_in_kernel_sets_environment_without_echoing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    form = credentials_form()
    form.account_sid.value = SID
    form.auth_token.value = TOKEN
    form.use_button.click()
    assert os.environ["TWILIO_AUTH_TOKEN"] == TOKEN
    assert TOKEN not in _text(form) and MASK in _text(form)
    assert "not written anywhere" in _text(form)


def test_save_writes_0600_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("ata_helpers.settings.project_root", lambda start=None: tmp_path)
    form = credentials_form()
    form.account_sid.value = SID
    form.auth_token.value = TOKEN
    form.live.value = True
    form.save_button.click()
    env = tmp_path / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert f"TWILIO_AUTH_TOKEN='{TOKEN}'" in env.read_text() and "ATA_MODE='live'" in env.read_text()
    assert TOKEN not in _text(form)
    os.environ["ATA_MODE"] = "sandbox"


def test_api_key_needs_secret() -> None:
    form = credentials_form()
    form.account_sid.value = SID
    form.api_key.value = "SK" + "c" * 32
    form.use_button.click()
    assert "API secret: is required" in _text(form)


def _state_text(form) -> str:  # type: ignore[no-untyped-def]
    import json

    from ipywidgets import Widget

    return json.dumps(Widget.get_manager_state(drop_defaults=False)["state"], default=str)


def test_every_click_says_something_and_no_secret_stays_in_a_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    form = credentials_form()
    assert form.auth_token.value == "" and form.api_secret.value == ""  # never pre-filled
    form.account_sid.value = SID
    form.auth_token.value = TOKEN
    for _ in range(3):  # the token was emptied after the first click; the kernel keeps it
        form.use_button.click()
        assert "Credentials loaded in this kernel only" in _text(form)
        assert form.auth_token.value == ""
    assert os.environ["TWILIO_AUTH_TOKEN"] == TOKEN
    assert TOKEN not in _state_text(form)


def test_reset_form_asks_then_resets(sandbox_env: Path) -> None:
    from ata_helpers.widgets.start import sandbox_reset_form

    (sandbox_env / "marker").write_text("x")
    form = sandbox_reset_form()
    form.button.click()
    assert "Press again" in _text(form) and (sandbox_env / "marker").exists()
    form.button.click()
    text = _text(form)
    assert "Sandbox reset in" in text and "files: marker" in text and not (sandbox_env / "marker").exists()
    assert "start again, empty" in text and "Next: run the notebooks from 01" in text
