"""The step-5 widget: progress bar, port table, and checks when the port does not register."""

from __future__ import annotations

import hashlib
from typing import Any

from ata_helpers.grandstream import FxsPort, HT80xConfig, HT80xDevice
from ata_helpers.sandbox.ht80x.twin import SANDBOX_ADMIN_PASSWORD, device_url
from ata_helpers.sandbox.line.registration import device_ports
from ata_helpers.sandbox.store import open_store
from ata_helpers.widgets.confirm_registration import confirm_registration


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def factory(fake: FakeTime):  # type: ignore[no-untyped-def]
    def make(**options: Any) -> HT80xDevice:
        return HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, sleep=fake.sleep, clock=fake.clock,
                           poll_interval=1.0, **options)
    return make


def configure(password: str) -> None:
    HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, progress=lambda *a: None).apply(
        HT80xConfig(sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="alice", password=password)]))


def twilio_side() -> None:
    store = open_store()
    store.insert("sip_domain", "SD1", {"domain_name": "example.sip.twilio.com", "sip_registration": True})
    store.insert("auth_registrations_credential_list_mapping", "RM1", {"sid": "CL1"}, parent="SD1")
    store.insert("credential", "CR1", {"username": "alice",
                                       "password_sha256": hashlib.sha256(b"Secret123456").hexdigest()},
                 parent="CL1")


def test_registered_port_fills_the_bar_and_shows_the_table() -> None:
    twilio_side()
    configure("Secret123456")
    watch = confirm_registration(timeout=5, device_factory=factory(FakeTime()))
    assert watch.run() is True
    assert watch.bar.value == 100 and "Registered" in watch.label.value
    assert len(watch.out.outputs) == 1 and "<td>Registered</td>" in watch.out.outputs[0]["data"]["text/html"]


def test_twilios_403_ends_the_wait_and_leads_the_output() -> None:
    """A different password on the ATA: every device setting looks right, Twilio answers 403."""
    twilio_side()
    configure("Wrong1234567")
    fake = FakeTime()
    watch = confirm_registration(timeout=30, device_factory=factory(fake))
    watch.button.click()
    assert fake.now < 30  # Twilio's refusal ends the wait; no need to wait out the time
    assert watch.label.value == "Twilio refused the registration: 403 Forbidden (Twilio error 32202)"
    said = watch.out.outputs[1]["text"]
    assert said.startswith("Twilio refused the registration: 403 Forbidden (Twilio error 32202).")
    assert "Authenticate Password (P34" in said and "match the credential's password" in said
    checks = watch.out.outputs[2]["data"]["text/html"]
    assert "Twilio&#x27;s answer to the REGISTER" in checks or "Twilio's answer to the REGISTER" in checks
    text = str(watch.out.outputs)
    assert "Not Registered" in text and "32210" in text and "Wrong1234567" not in text
    assert device_ports()[0]["code"] == 32202


def test_timeout_without_twilios_answer_shows_failing_checks_and_reminders() -> None:
    HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, progress=lambda *a: None).apply(
        HT80xConfig(sip_server="example.com", ports=[FxsPort(user_id="alice", password="Secret123456")]))
    twilio_side()
    fake = FakeTime()
    watch = confirm_registration(timeout=5, device_factory=factory(fake))
    watch.button.click()
    assert fake.now >= 5 and watch.bar.value == 100
    assert "not registered" in watch.label.value
    text = str(watch.out.outputs)
    assert "Primary SIP Server" in text and "32210" in text and "Twilio refused" not in text


def test_device_errors_are_shown() -> None:
    def broken(**options: Any) -> HT80xDevice:
        return HT80xDevice(device_url(), "wrong", **options)

    watch = confirm_registration(timeout=1, device_factory=broken)
    assert watch.run() is False
    assert "wrong admin password" in str(watch.out.outputs)
