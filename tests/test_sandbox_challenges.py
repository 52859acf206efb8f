"""Troubleshooting challenges: each fault breaks a working line through the simulation, shows its evidence
in the doctor and/or diagnose, and the documented fix — applied through the library — makes it work again."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pytest

import ata_helpers as ata
from ata_helpers.sandbox.course_steps import STEP_ACTIONS


@pytest.fixture(autouse=True)
def working_line(sandbox_env, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Notebooks 00-06's Twilio side and ATA, with calls running 100 times faster than real time."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    for step in (0, 2, 3, 4):
        STEP_ACTIONS[step]()
    ata.TwilioSetup.from_saved().apply()
    assert ata.sandbox.challenge_status()["working"]


# -- what a learner does ----------------------------------------------------------------------------
def _doctor_row(check: str) -> dict[str, str]:
    table = ata.doctor(phone_number="+14155550100")
    return table[table["check"] == check].iloc[0].to_dict()


def _inbound_call_findings() -> set[str]:
    from ata_helpers import nat_story

    call = nat_story.call_the_phone(max_wait_s=30)
    return set(ata.diagnose(ata.sandbox.capture(call.sid))["code"])


def _alert_of_dialled_call(digits: str = "14155550123") -> int:
    from ata_helpers.calls import call_alerts, wait_for_call

    result = wait_for_call(ata.sandbox.dial(digits))
    alerts = call_alerts(ata.twilio_client(), result.sid, None)
    return int(alerts[0].error_code) if alerts else 0


def _number_reached(digits: str) -> str:
    """The number the call dialled on the phone as `digits` went on to (its child call's To), or ''."""
    from ata_helpers.calls import wait_for_call

    parent = wait_for_call(ata.sandbox.dial(digits)).sid
    children = [c.to for c in ata.twilio_client().calls.list() if c.parent_call_sid == parent]
    return children[0] if children else ""


def _write_port(**changes: object) -> None:
    from ata_helpers.provision.config import sip_password

    device = ata.ht80x_device()
    config = device.read_config()
    port = replace(config.ports[0], password=sip_password(prompt=False), **changes)
    device.apply(replace(config, ports=(port, *config.ports[1:])))


def _setup(stages: object = None, **options: object) -> None:
    ata.TwilioSetup.from_saved(**options).apply(stages)  # type: ignore[arg-type]


EVIDENCE: dict[str, Callable[[], None]] = {
    "lan-contact": lambda: _assert({"contact-private-address", "no-response"} <= _inbound_call_findings()),
    "wrong-password": lambda: (_assert(_doctor_row("ATA port registered")["status"] == "fail"),
                               _assert("auth-rejected" in set(ata.diagnose(ata.sandbox.registration_capture())["code"]))),
    "registration-off": lambda: _assert("32210" in _doctor_row("SIP registration enabled")["detail"]),
    "no-registration-list": lambda: _assert("32212" in _doctor_row("credential list mapped for registrations")["detail"]),
    "no-call-auth": lambda: (_assert(_doctor_row("call authentication mapped")["status"] == "fail"),
                             _assert(_alert_of_dialled_call() == 32202)),
    "no-plus-prefix": lambda: (_assert("Dial Plan Prefix" in _doctor_row("ATA settings match the recommendations")["detail"]),
                               _assert(_alert_of_dialled_call("442079460000") == 13223)),
    "wrong-voice-url": lambda: _assert("trunk" in _doctor_row("phone number routes to the ATA")["detail"]),
    "edge-uri": lambda: _assert("32220" in _doctor_row("phone number routes to the ATA")["detail"]),
    "check-user-id": lambda: (_assert("Check SIP User ID" in _doctor_row("ATA settings match the recommendations")["detail"]),
                              _assert(_last_inbound_error() == 32009)),
    "sip-alg": lambda: _assert("no-response" in _inbound_call_findings()),
    "media-blocked": lambda: _assert("rtp-one-way" in _inbound_call_findings()),
    "ack-missing": lambda: (_assert("NAT Traversal" in _doctor_row("ATA settings match the recommendations")["detail"]),
                            _assert("contact-private-address" in _inbound_call_findings())),
}

FIXES: dict[str, Callable[[], None]] = {
    "lan-contact": lambda: _write_port(contact_uses_wan=True),
    "wrong-password": lambda: _write_port(),
    "registration-off": lambda: _setup(["outbound", "registration"]),
    "no-registration-list": lambda: _setup(["outbound", "registration"]),
    "no-call-auth": lambda: _setup("outbound"),
    "no-plus-prefix": lambda: _write_port(dial_plan_prefix="+"),
    "wrong-voice-url": lambda: _setup(detach_number=True),
    "edge-uri": lambda: _setup(),
    "check-user-id": lambda: _write_port(user_id="ht801", check_user_id_on_invite=True),
    "sip-alg": lambda: ata.sandbox.set_router(sip_alg=False),
    "media-blocked": lambda: ata.sandbox.load_firewall_rules(ata.firewall_rules("nftables", ata_ip="192.168.1.50")),
    "ack-missing": lambda: _write_port(nat_traversal="keep-alive"),
}


def _assert(condition: bool) -> None:
    assert condition


def _last_inbound_error() -> int:
    from ata_helpers.calls import call_ata

    call = call_ata("sip:ht801@my-ht801.sip.twilio.com", "+14155550100", max_wait_s=30)
    return int(call.alerts["code"].iloc[0]) if len(call.alerts) else 0


def test_the_catalogue_names_every_fault_and_gives_no_answer() -> None:
    required = {"lan-contact", "wrong-password", "registration-off", "no-registration-list", "no-call-auth",
                "no-plus-prefix", "wrong-voice-url", "edge-uri", "check-user-id", "sip-alg", "media-blocked",
                "ack-missing"}
    assert required <= set(ata.sandbox.FAULTS) and set(EVIDENCE) == set(FIXES) == set(ata.sandbox.FAULTS)
    for symptom in ata.sandbox.FAULTS.values():
        assert symptom.endswith(".") and "P4437" not in symptom and "fix" not in symptom.lower()


@pytest.mark.parametrize("name", sorted(EVIDENCE))
def test_fault_shows_its_evidence_and_the_documented_fix_repairs_the_line(name: str) -> None:
    shown = ata.sandbox.break_line(scenario=name)
    assert shown == {"symptom": ata.sandbox.FAULTS[name], "working": False}
    status = ata.sandbox.challenge_status()
    assert status["working"] is False and status["fault"] is None  # never revealed while broken
    EVIDENCE[name]()
    FIXES[name]()
    status = ata.sandbox.challenge_status()
    assert status == {"working": True, "symptom": ata.sandbox.FAULTS[name], "fault": name}


def test_answer_reveals_fault_evidence_and_fix() -> None:
    ata.sandbox.break_line(seed=3)
    told = ata.sandbox.answer()
    assert set(told) == {"fault", "evidence", "fix"} and all(told.values())
    status = ata.sandbox.challenge_status()
    assert status["working"] is False and told["fault"].startswith(status["fault"] + ":")


def test_same_seed_same_fault_and_a_broken_line_cannot_be_broken_again() -> None:
    ata.sandbox.break_line(seed=11)
    first = ata.sandbox.answer()["fault"]
    with pytest.raises(ata.SandboxError, match="does not work yet"):
        ata.sandbox.break_line(seed=11)
    ata.sandbox.reset()
    for step in (0, 2, 3, 4):
        STEP_ACTIONS[step]()
    ata.TwilioSetup.from_saved().apply()
    ata.sandbox.break_line(seed=11)
    assert ata.sandbox.answer()["fault"] == first


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(ata.ValidationError):
        ata.sandbox.break_line(scenario="gremlins")


def test_without_the_plus_a_bin_rings_a_wrong_north_american_number() -> None:
    """The Bin's undocumented {{#e164}} reading of digits without '+' (the course's Function refuses them: 13223)."""
    ata.TwilioSetup.from_saved(twiml_host="bins").apply()
    ata.sandbox.break_line(scenario="no-plus-prefix")
    assert _number_reached("442079460000") == "+12079460000"
