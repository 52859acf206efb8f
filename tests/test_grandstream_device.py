"""HT80xDevice against the twin: login errors, lockout, token rotation, apply/read-back, reboot."""

from __future__ import annotations

import hashlib
import socket
import time

import pytest

import ata_helpers as ata
from ata_helpers.errors import (
    DeviceAuthError,
    DeviceLockedError,
    DeviceUnreachableError,
)
from ata_helpers.grandstream import (
    FxsPort,
    HT80xConfig,
    HT80xDevice,
    LegacyFirmwareError,
    SettingError,
)
from ata_helpers.grandstream.settings_model import PASSWORD_PVALUES
from ata_helpers.sandbox.ht80x.twin import (
    configure_twin,
    device_url,
    kept_secret,
    twin_pvalues,
)
from ata_helpers.sandbox.store import open_store


class FakeTime:
    """A clock and sleep that only move when slept, so waiting tests take no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_device(password: str = "admin", **options: object) -> tuple[HT80xDevice, list[tuple[float, float, str]]]:
    calls: list[tuple[float, float, str]] = []
    options.setdefault("progress", lambda waited, allowed, what: calls.append((waited, allowed, what)))
    return HT80xDevice(device_url(), password, **options), calls  # type: ignore[arg-type]


def two_ports(password: str = "Secret123456") -> HT80xConfig:
    return HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                       ports=[FxsPort(user_id="alice", password=password, display_name="Kitchen"),
                              FxsPort(user_id="bob", password="Other1234567")])


def count_logins(device: HT80xDevice, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    logins: list[int] = []
    original = device.login

    def counted() -> None:
        logins.append(1)
        original()

    monkeypatch.setattr(device, "login", counted)
    return logins


def test_sandbox_factory_targets_the_twin_and_hides_the_password() -> None:
    device = ata.ht80x_device()
    assert device.base_url == device_url()
    assert "admin_password='••••'" in repr(device) and "'admin'" not in repr(device)
    assert device._session().trust_env is False


def test_live_factory_uses_ata_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("ATA_HOST", "192.168.1.50")
    monkeypatch.setenv("ATA_ADMIN_PASSWORD", "label-pass")
    device = ata.ht80x_device()
    assert device.base_url == "http://192.168.1.50" and "label-pass" not in repr(device)


def test_detects_the_product() -> None:
    device, _ = make_device()
    assert device.detect() == "HT802V2" and device.port_count == 2


def test_wrong_password_says_how_many_tries_are_left() -> None:
    device, _ = make_device("wrong")
    with pytest.raises(DeviceAuthError) as info:
        device.login()
    assert info.value.tries_left == 4 and "wrong admin password, 4 tries left" in str(info.value)
    assert isinstance(info.value, PermissionError)


def test_last_try_is_singular_then_lockout_says_how_long() -> None:
    device, _ = make_device("wrong")
    for _ in range(3):
        with pytest.raises(DeviceAuthError):
            device.login()
    with pytest.raises(DeviceAuthError, match="1 try left"):
        device.login()
    with pytest.raises(DeviceLockedError) as info:
        device.login()
    assert info.value.retry_after == 900 and "15 minutes" in str(info.value)
    right, _ = make_device()
    with pytest.raises(DeviceLockedError):
        right.login()


def test_apply_writes_reads_back_and_reports_changes() -> None:
    device, _ = make_device()
    report = device.apply(two_ports())
    assert report.ok
    rows = {(r["port"], r["setting"]): r for r in report.rows}
    assert rows[("1", "contact_uses_wan")]["before"] == "LAN Address" and rows[("1", "contact_uses_wan")]["result"] == "changed"
    assert rows[("2", "user_id")]["after"] == "bob"
    assert rows[("1", "transport")]["result"] == "unchanged"
    assert rows[("1", "password")]["result"] == "sent, cannot be read back"
    assert "Secret123456" not in str(report) and "Secret123456" not in report._repr_html_()
    values = twin_pvalues()
    for key, value in two_ports().to_pvalues().items():
        expected = kept_secret(value) if key in PASSWORD_PVALUES else value  # the twin keeps digests only
        assert values[key] == expected, key
    assert device.read_config() == HT80xConfig(
        model="HT802", sip_server="example.sip.twilio.com",
        ports=[FxsPort(user_id="alice", display_name="Kitchen"), FxsPort(user_id="bob")])


def test_second_apply_changes_nothing_but_the_password() -> None:
    device, _ = make_device()
    device.apply(two_ports())
    report = device.apply(two_ports())
    results = {r["result"] for r in report.rows if r["setting"] != "password"}
    assert results == {"unchanged"}


def test_token_rotation_is_followed_without_logging_in_again(monkeypatch: pytest.MonkeyPatch) -> None:
    device, _ = make_device()
    logins = count_logins(device, monkeypatch)
    device.apply(two_ports())
    assert len(logins) == 1


def test_session_ended_by_a_write_logs_in_again(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_twin(after_write="invalidate")
    device, _ = make_device()
    logins = count_logins(device, monkeypatch)
    assert device.apply(two_ports()).ok
    assert len(logins) == 2


def test_expired_session_is_renewed_once() -> None:
    device, _ = make_device()
    device.login()
    open_store().set_value("ht80x:sessions", {})
    assert device.read(["P40"]) == {"P40": "5060"}


def test_values_that_do_not_stick_are_reported() -> None:
    configure_twin(ignored_pvalues=["P4437"])
    device, _ = make_device()
    report = device.apply(two_ports())
    assert not report.ok
    assert [(r["port"], r["setting"]) for r in report.not_stuck] == [("1", "contact_uses_wan")]
    assert any("did not stick" in note and "provisioning file" in note for note in report.notes)


def test_write_only_password_is_flagged_and_ignored_writes_fail_registration() -> None:
    configure_twin(password_writable=False)
    store = open_store()
    store.insert("sip_domain", "SD1", {"domain_name": "example.sip.twilio.com", "sip_registration": True})
    store.insert("auth_registrations_credential_list_mapping", "RM1", {"sid": "CL1"}, parent="SD1")
    store.insert("credential", "CR1", {"username": "alice",
                                       "password_sha256": hashlib.sha256(b"Secret123456").hexdigest()},
                 parent="CL1")
    device, _ = make_device()
    report = device.apply(two_ports())
    assert report.ok  # nothing readable differs ...
    assert any("write-only" in n and "provisioning file" in n for n in report.notes)
    status = device.status()  # ... but the line shows the password never arrived
    assert status.loc[0, "registration"] == "Not Registered"
    configure_twin(password_writable=True)
    device.apply(two_ports())
    assert device.status().loc[0, "registration"] == "Registered"


def test_status_has_one_row_per_port() -> None:
    device, _ = make_device()
    device.apply(two_ports())
    table = device.status()
    assert list(table.columns) == ["port", "hook", "registration", "user_id", "sip_server", "account_active"]
    assert table["port"].tolist() == [1, 2] and table["user_id"].tolist() == ["alice", "bob"]
    assert set(table["registration"]) == {"Not Registered"} and set(table["hook"]) == {"On Hook"}


def test_wait_for_registration_times_out_with_progress() -> None:
    fake = FakeTime()
    device, calls = make_device(sleep=fake.sleep, clock=fake.clock, poll_interval=2.0)
    device.apply(two_ports())
    table = device.wait_for_registration(timeout=6)
    assert (table["registration"] == "Not Registered").all()
    assert fake.sleeps == [2.0, 2.0, 2.0] and calls[-1] == (6, 6, "waiting for Registered")


def test_model_mismatch_is_refused_before_writing() -> None:
    configure_twin(product="HT801V2")
    device, _ = make_device()
    with pytest.raises(SettingError, match="one port"):
        device.apply(two_ports())
    assert twin_pvalues()["P47"] == ""


def test_legacy_firmware_gets_the_provisioning_file_steps() -> None:
    configure_twin(firmware="v1")
    device, _ = make_device()
    with pytest.raises(LegacyFirmwareError) as info:
        device.login()
    text = str(info.value)
    assert "legacy (V1) firmware" in text and "config.save(folder" in text and "P237" in text


def test_reboot_waits_until_the_device_answers_again() -> None:
    configure_twin(reboot_seconds=0.5)
    device, calls = make_device(poll_interval=0.1)
    device.login()
    device.reboot()
    assert device.detect() == "HT802V2"
    assert any(what.startswith("waiting for the device at http") for _, _, what in calls)
    assert calls[-1][2] == "device is back"
    assert device.read(["P40"]) == {"P40": "5060"}  # logged in again after the reboot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_device_retries_with_progress_then_times_out() -> None:
    fake = FakeTime()
    calls: list[tuple[float, float, str]] = []
    device = HT80xDevice(f"http://127.0.0.1:{free_port()}", "admin", connect_timeout=10, poll_interval=2.5,
                         sleep=fake.sleep, clock=fake.clock, progress=lambda *a: calls.append(a))
    with pytest.raises(DeviceUnreachableError, match="connection refused for 10 s"):
        device.detect()
    assert fake.sleeps == [2.5, 2.5, 2.5, 2.5]
    assert [c[0] for c in calls] == [2.5, 5.0, 7.5, 10]  # quiet for the first two seconds


def test_first_contact_with_a_closed_port_fails_in_seconds_saying_what_to_check() -> None:
    calls: list[tuple[float, float, str]] = []
    device = HT80xDevice(f"http://127.0.0.1:{free_port()}", "admin", connect_timeout=2.5, poll_interval=0.5,
                         progress=lambda *a: calls.append(a))
    started = time.monotonic()
    with pytest.raises(DeviceUnreachableError) as info:
        device.detect()
    took = time.monotonic() - started
    assert 2.4 <= took < 5, took
    text = str(info.value)
    assert "connection refused" in text and "Check that ATA_HOST is the ATA's address" in text
    assert calls and all(waited >= 2.0 for waited, _, _ in calls)  # progress only once past two seconds
    assert calls[-1][:2] == (2.5, 2.5) and "127.0.0.1" in calls[-1][2]


def test_first_contact_with_a_silent_address_fails_in_seconds_with_progress() -> None:
    """A blackhole: a listener whose backlog is full drops new connection attempts, as a
    non-routable address would, so the connect itself hangs."""
    with socket.socket() as server, socket.socket() as filler:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        filler.connect(("127.0.0.1", port))  # fills the backlog; later SYNs go unanswered
        calls: list[tuple[float, float, str]] = []
        device = HT80xDevice(f"http://127.0.0.1:{port}", "admin", connect_timeout=3.0, poll_interval=0.2,
                             progress=lambda *a: calls.append(a))
        started = time.monotonic()
        with pytest.raises(DeviceUnreachableError) as info:
            device.detect()
        took = time.monotonic() - started
    assert 3.0 <= took < 6, took
    text = str(info.value)
    assert "did not answer for 3 s" in text and "powered" in text and "same network" in text
    shown = [waited for waited, _, _ in calls]
    assert any(2.0 <= w < 3.0 for w in shown), shown  # progress while still waiting, not only at the end


def test_read_refuses_names_that_would_break_the_request() -> None:
    device, _ = make_device()
    with pytest.raises(ValueError):
        device.read(["P47:P34"])
    with pytest.raises(ValueError):
        device.write({"P47&P2": "x"})


def test_plan_reads_and_never_writes() -> None:
    import ata_helpers as ata

    device = ata.ht80x_device()
    config = ata.HT80xConfig(model="HT801", sip_server="plan.sip.twilio.com",
                             ports=[ata.FxsPort(user_id="ht801", password="Plan12345abc")])
    before = device.read(["P47", "P35"])
    plan = device.plan(config).set_index("setting")
    assert plan.loc["sip_server", "result"] == "would change" and plan.loc["sip_server", "wanted"] == "plan.sip.twilio.com"
    assert plan.loc["password", "result"] == "would send"
    assert device.read(["P47", "P35"]) == before
    device.apply(config)
    assert (device.plan(config).query("setting != 'password'")["result"] == "unchanged").all()
