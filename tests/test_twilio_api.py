"""twilio_client(): a real twilio Client wired for the mode; errors explained."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

import ata_helpers as ata
from ata_helpers.errors import ConfigurationError, SandboxError, TwilioApiError
from ata_helpers.provision.twiml_desk import ConsoleBinDesk, TwimlDesk
from ata_helpers.sandbox.twilio.bin_desk import TwinBinDesk
from ata_helpers.sandbox.twilio.http_client import SandboxHttpClient
from ata_helpers.twilio_api import explain_twilio_error, explained_errors, twiml_desk


def test_sandbox_client_is_a_real_twilio_client() -> None:
    client = ata.twilio_client()
    assert isinstance(client, Client)
    assert client.account_sid == ata.settings.SANDBOX_ACCOUNT_SID
    assert isinstance(client.http_client, SandboxHttpClient)


def test_the_sandbox_http_client_sends_nothing_outside_twilio() -> None:
    http = SandboxHttpClient()
    assert isinstance(http, TwilioHttpClient)
    assert http._rewrite("https://api.twilio.com/2010-04-01/Accounts.json?x=1") == \
        http.base_url + "/2010-04-01/Accounts.json?x=1"
    with pytest.raises(SandboxError, match="example.com"):
        http.request("GET", "https://example.com/")


def test_live_client_uses_the_stock_http_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "3" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "4" * 32)
    client = ata.twilio_client()
    assert type(client.http_client) is TwilioHttpClient
    assert client.account_sid == "AC" + "3" * 32


def test_the_twiml_desk_is_chosen_beside_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox_desk = twiml_desk("bins")
    assert isinstance(sandbox_desk, TwinBinDesk) and isinstance(sandbox_desk, TwimlDesk)
    monkeypatch.setenv("ATA_MODE", "live")
    live_desk = twiml_desk("Bins")
    assert isinstance(live_desk, ConsoleBinDesk) and isinstance(live_desk, TwimlDesk)
    with pytest.raises(ata.ValidationError, match="twiml_host"):
        twiml_desk("lambda")


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
