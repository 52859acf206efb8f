"""Twilio's answer to a refused REGISTER, read from its debugger (Monitor alerts) as in live mode."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import ata_helpers as ata
from ata_helpers.grandstream import FxsPort, HT80xConfig
from ata_helpers.grandstream.registration import registration_checks
from ata_helpers.sandbox.store import open_store
from ata_helpers.twilio_registration import registration_refusal

PASSWORD = "Secret123456"


def _twilio_side(registration: bool = True) -> None:
    store = open_store()
    store.insert("sip_domain", "SD1", {"domain_name": "example.sip.twilio.com", "sip_registration": registration})
    store.insert("auth_registrations_credential_list_mapping", "RM1", {"sid": "CL1"}, parent="SD1")
    store.insert("credential", "CR1", {"username": "alice",
                                       "password_sha256": hashlib.sha256(PASSWORD.encode()).hexdigest()},
                 parent="CL1")


def _device(password: str):  # type: ignore[no-untyped-def]
    device = ata.ht80x_device(progress=lambda *a: None)
    device.apply(HT80xConfig(sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="alice", password=password)]))
    return device


def test_nothing_refused_gives_none() -> None:
    _twilio_side()
    device = _device(PASSWORD)
    assert device.status().loc[0, "registration"] == "Registered"
    assert registration_refusal() is None


def test_a_different_password_is_twilios_403_with_its_fix() -> None:
    _twilio_side()
    device = _device("Different12345")
    assert device.status().loc[0, "registration"] == "Not Registered"
    refusal = registration_refusal()
    assert refusal is not None
    assert (refusal.code, refusal.sip_status, refusal.sip_reason) == (32202, 403, "Forbidden")
    assert refusal.answer == "403 Forbidden (Twilio error 32202)"
    assert "Authenticate Password (P34" in refusal.fix and "match the credential's password" in refusal.fix
    assert "wrong password for 'alice'" in refusal.alert_text
    assert str(refusal).startswith("Twilio refused the registration: 403 Forbidden (Twilio error 32202).")
    assert "Different12345" not in str(refusal) + refusal.alert_text


def test_the_device_checks_lead_with_twilios_answer() -> None:
    _twilio_side()
    device = _device("Different12345")
    device.status()
    plain = registration_checks(device, 1)
    assert plain["ok"].all()  # the device side cannot show a wrong password
    checks = registration_checks(device, 1, registration_refusal())
    first = checks.iloc[0]
    assert first["check"] == "Twilio's answer to the REGISTER" and not first["ok"]
    assert first["value"] == "403 Forbidden (Twilio error 32202)" and "P34" in first["what to do"]


def test_registration_off_is_32210_and_a_fix_ends_the_alerts() -> None:
    _twilio_side(registration=False)
    device = _device(PASSWORD)
    device.status()
    refusal = registration_refusal()
    assert refusal is not None and refusal.code == 32210
    store = open_store()
    store.update("sip_domain", "SD1", {"domain_name": "example.sip.twilio.com", "sip_registration": True})
    fixed = datetime.now(timezone.utc)
    assert device.status().loc[0, "registration"] == "Registered"
    assert registration_refusal(since=fixed) is None


def test_a_retried_refusal_is_logged_once_per_retry_interval() -> None:
    _twilio_side()
    device = _device("Different12345")
    for _ in range(3):
        device.status()
    codes = [a.error_code for a in ata.twilio_client().monitor.v1.alerts.list()]
    assert codes == ["32202"]


def test_since_leaves_out_older_refusals() -> None:
    _twilio_side()
    _device("Different12345").status()
    assert registration_refusal(since=datetime.now(timezone.utc) + timedelta(minutes=1)) is None
