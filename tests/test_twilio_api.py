"""twilio_client(): a real twilio Client wired for the mode; errors explained."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

import ata_helpers as ata
from ata_helpers.errors import ConfigurationError, TwilioApiError
from ata_helpers.twilio_api import explain_twilio_error, explained_errors


def test_sandbox_client_is_a_real_twilio_client() -> None:
    client = ata.twilio_client()
    assert isinstance(client, Client)
    assert client.account_sid == ata.settings.SANDBOX_ACCOUNT_SID
    assert type(client.http_client).__name__ == "SandboxHttpClient"


def test_live_client_uses_the_stock_http_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "3" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "4" * 32)
    client = ata.twilio_client()
    assert type(client.http_client).__name__ == "TwilioHttpClient"
    assert client.account_sid == "AC" + "3" * 32


def test_live_client_without_credentials_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    with pytest.raises(ConfigurationError, match="TWILIO_ACCOUNT_SID"):
        ata.twilio_client()


def test_errors_keep_code_and_gain_meaning_and_fix() -> None:
    client = ata.twilio_client()
    with pytest.raises(TwilioApiError) as info:
        with explained_errors():
            client.sip.domains.create(domain_name="bad.example.com")
    error = info.value
    assert (error.status, error.code) == (400, 21232)
    assert ".sip.twilio.com" in error.fix
    assert "21232" in str(error) and "Fix:" in str(error)


def test_explain_unknown_code_keeps_message() -> None:
    exc = TwilioRestException(400, "/x", msg="odd", code=99999)
    explained = explain_twilio_error(exc)
    assert explained.code == 99999 and explained.explanation == "" and "odd" in str(explained)
