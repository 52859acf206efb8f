"""The NAT story end to end in a fresh sandbox: LAN contact → inbound call fails and its capture
shows the private Contact; WAN contact → the call completes with two-way audio."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import Any

import pytest

import ata_helpers as ata

DOMAIN = "story.sip.twilio.com"
PASSWORD = "Story12345pass"


@pytest.fixture()
def line(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.02")
    client = ata.twilio_client()
    domain = client.sip.domains.create(domain_name=DOMAIN, sip_registration=True)
    cl = client.sip.credential_lists.create(friendly_name="story")
    cl.credentials.create(username="ht801", password=PASSWORD)
    client.sip.domains(domain.sid).auth.registrations.credential_list_mappings.create(credential_list_sid=cl.sid)
    return client


def _configure(wan: bool, **port: Any) -> Any:
    device = ata.ht80x_device()
    config = ata.HT80xConfig(model="HT801", sip_server=DOMAIN, ports=[ata.FxsPort(
        user_id="ht801", auth_id="ht801", password=PASSWORD, display_name="Bell", contact_uses_wan=wan, **port)])
    assert device.apply(config).ok
    return device


def _call_and_wait(client: Any, to: str = f"sip:ht801@{DOMAIN}") -> Any:
    call = client.calls.create(to=to, from_="+14155550100", twiml="<Response><Say>Wake up</Say></Response>")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fetched = client.calls(call.sid).fetch()
        if fetched.status in ("completed", "failed", "busy", "no-answer", "canceled"):
            return fetched
        time.sleep(0.1)
    pytest.fail("call never reached a final status")


def _alerts(client: Any, sid: str) -> list[str]:
    return [a.error_code for a in client.monitor.v1.alerts.list() if a.resource_sid == sid]


def test_lan_contact_breaks_inbound_calls_and_the_capture_shows_why(line: Any) -> None:
    device = _configure(wan=False)
    assert device.status().loc[0, "registration"] == "Registered"  # REGISTER works: the trap
    call = _call_and_wait(line)
    assert call.status == "failed"
    assert _alerts(line, call.sid) == ["32011"]
    frame = ata.read_sip(ata.sandbox.capture(call.sid))
    invites = frame[frame["method"] == "INVITE"]
    assert set(invites["dst"]) == {"192.168.1.50"}
    assert invites["retransmission"].sum() == len(invites) - 1
    assert (frame["status"] == 200).sum() == 1  # the REGISTER's 200 only; nobody answered the INVITE
    findings = ata.diagnose(frame)
    assert {"contact-private-address", "no-response"} <= set(findings["code"])
    private = findings[findings["code"] == "contact-private-address"].iloc[0]
    assert "192.168.1.50" in private["evidence"] and "P4437" in private["fix"]


def test_wan_contact_completes_the_call_with_two_way_audio(line: Any) -> None:
    _configure(wan=True)
    call = _call_and_wait(line)
    assert call.status == "completed" and call.duration == "8"
    assert _alerts(line, call.sid) == []
    path = ata.sandbox.capture(call.sid)
    frame = ata.read_sip(path)
    assert list(frame.loc[frame["cseq_method"] == "INVITE", "status"].dropna()) == [100, 180, 200]
    assert list(frame["method"].dropna()) == ["REGISTER", "REGISTER", "INVITE", "ACK", "BYE"]
    assert (ata.diagnose(frame)["severity"] == "error").sum() == 0
    streams = ata.rtp_streams(path)
    assert len(streams) == 2 and set(streams["packets"]) == {25}


def test_use_nat_ip_with_the_right_address_also_works(line: Any) -> None:
    _configure(wan=False, use_nat_ip="203.0.113.7")
    assert _call_and_wait(line).status == "completed"


def test_unregistered_user_is_32009_and_edge_uri_is_32220(line: Any) -> None:
    assert _alerts(line, _call_and_wait(line).sid) == ["32009"]  # no device configured yet
    _configure(wan=True)
    edge = _call_and_wait(line, to="sip:ht801@story.sip.ashburn.twilio.com")
    assert edge.status == "failed" and _alerts(line, edge.sid) == ["32220"]


def test_registration_capture_shows_the_digest_challenge(line: Any) -> None:
    _configure(wan=True)
    frame = ata.read_sip(ata.sandbox.registration_capture())
    assert list(frame["status"].astype("object").fillna(0)) == [0, 401, 0, 200]
    assert "authorization" in frame.iloc[2]["headers"] and "www-authenticate" in frame.iloc[1]["headers"]


def test_registration_refused_when_registration_is_off(line: Any) -> None:
    domain = line.sip.domains.list()[0]
    line.sip.domains(domain.sid).update(sip_registration=False)
    device = _configure(wan=True)
    assert device.status().loc[0, "registration"] == "Not Registered"
    frame = ata.read_sip(ata.sandbox.registration_capture())
    assert frame.iloc[-1]["status"] == 403
    assert frame.iloc[-1]["headers"]["x-twilio-error"][0].startswith("32210")


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_tshark_reads_the_simulated_captures_the_same_way(line: Any) -> None:
    _configure(wan=False)
    call = _call_and_wait(line)
    path = ata.sandbox.capture(call.sid)
    out = subprocess.run(["tshark", "-r", str(path), "-Y", "sip", "-T", "fields", "-e", "frame.number",
                          "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.Call-ID", "-e", "sip.contact.uri"],
                         capture_output=True, text=True, check=True, timeout=60)
    rows = [line_.split("\t") for line_ in out.stdout.strip().splitlines()]
    frame = ata.read_sip(path)
    assert [int(r[0]) for r in rows] == list(frame["frame"])
    assert [r[1] or None for r in rows] == list(frame["method"])
    assert [r[3] for r in rows] == list(frame["call_id"])


def _outbound_bin() -> str:
    from ata_helpers.sandbox.twilio.bins import create_bin

    return create_bin("outbound", '<?xml version="1.0" encoding="UTF-8"?><Response>'
                      '<Dial callerId="+14155550100">{{#e164}}{{To}}{{/e164}}</Dial></Response>')["url"]


def test_dialling_with_the_plus_prefix_reaches_the_number(line: Any) -> None:
    domain = line.sip.domains.list()[0]
    line.sip.domains(domain.sid).update(voice_url=_outbound_bin())
    line.sip.domains(domain.sid).auth.calls.credential_list_mappings.create(
        credential_list_sid=line.sip.credential_lists.list()[0].sid)
    _configure(wan=True)
    parent = ata.sandbox.dial("14155550123")
    time.sleep(0.5)
    calls = {c.sid: c for c in line.calls.list()}
    child = next(c for c in calls.values() if c.parent_call_sid == parent)
    assert calls[parent].direction == "inbound" and calls[parent].to == f"sip:+14155550123@{DOMAIN}"
    assert (child.direction, child.to, child._from, child.status) == ("outbound-dial", "+14155550123",
                                                                       "+14155550100", "completed")


@pytest.mark.parametrize("digits, reached", [("4155550123", "+14155550123"),
                                             ("442079460000", "+12079460000")])
def test_dialling_without_the_prefix_depends_on_an_undocumented_guess(line: Any, digits: str,
                                                                      reached: str) -> None:
    """Without the + the Bin's e164 helper reads the digits as a North American number (the one
    public report of Twilio's behaviour): a UK number dialled as 44… reaches a wrong +1 number."""
    domain = line.sip.domains.list()[0]
    line.sip.domains(domain.sid).update(voice_url=_outbound_bin())
    line.sip.domains(domain.sid).auth.calls.credential_list_mappings.create(
        credential_list_sid=line.sip.credential_lists.list()[0].sid)
    _configure(wan=True, dial_plan_prefix="")
    parent = ata.sandbox.dial(digits)
    time.sleep(0.5)
    calls = {c.sid: c for c in line.calls.list()}
    assert calls[parent].to == f"sip:{digits}@{DOMAIN}"
    (child,) = [c for c in calls.values() if c.parent_call_sid == parent]
    assert child.to == reached


def test_dialling_a_short_number_without_the_prefix_is_13223(line: Any) -> None:
    domain = line.sip.domains.list()[0]
    line.sip.domains(domain.sid).update(voice_url=_outbound_bin())
    line.sip.domains(domain.sid).auth.calls.credential_list_mappings.create(
        credential_list_sid=line.sip.credential_lists.list()[0].sid)
    _configure(wan=True, dial_plan_prefix="")
    parent = ata.sandbox.dial("5550123")
    assert _alerts(line, parent) == ["13223"]
    assert [c for c in line.calls.list() if c.parent_call_sid == parent] == []


def test_dialling_without_call_auth_is_rejected(line: Any) -> None:
    _configure(wan=True)
    assert _alerts(line, ata.sandbox.dial("14155550123")) == ["32202"]


def test_bin_template_rendering() -> None:
    from ata_helpers.sandbox.twilio.bins import render_bin

    template = "<Dial>{{#e164}}{{To}}{{/e164}}</Dial><Say>{{From}}</Say>"
    assert render_bin(template, {"To": "sip:+15125551212@x.sip.twilio.com", "From": "a"}) == \
        "<Dial>+15125551212</Dial><Say>a</Say>"
    assert render_bin(template, {"To": "sip:15125551212@x.sip.twilio.com"}).startswith("<Dial>+15125551212<")
    assert render_bin("<Dial><Number>{{ #e164 }}{{ To }}{{ /e164 }}</Number></Dial>",
                      {"To": "sip:+442079460000@x.sip.twilio.com"}) == "<Dial><Number>+442079460000</Number></Dial>"


def test_ip_acl_admits_only_the_router_address(line: Any) -> None:
    domain = line.sip.domains.list()[0]
    line.sip.domains(domain.sid).update(voice_url=_outbound_bin())
    acl = line.sip.ip_access_control_lists.create(friendly_name="home")
    entry = acl.ip_addresses.create(friendly_name="elsewhere", ip_address="198.51.100.9")
    line.sip.domains(domain.sid).auth.calls.ip_access_control_list_mappings.create(ip_access_control_list_sid=acl.sid)
    _configure(wan=True)
    assert _alerts(line, ata.sandbox.dial("14155550123")) == ["32201"]
    acl.ip_addresses(entry.sid).update(ip_address="203.0.113.0", cidr_prefix_length=24)
    parent = ata.sandbox.dial("14155550123")
    assert _alerts(line, parent) == []
