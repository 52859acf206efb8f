"""diagnose: each code on a scenario that must produce it, and the precision cases."""

from __future__ import annotations

from pathlib import Path

import ata_helpers as ata
from ata_helpers.capture.samples import write_healthy, write_nat_failure
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes
from ata_helpers.capture.writers.sip import request, response, sdp_body

ATA, NAT, TW = "192.168.1.50", "203.0.113.7", "54.172.60.1"
REQUIRED = {"contact-private-address", "sdp-private-media", "rtp-one-way", "no-response"}


def _req(method: str, cseq: int, via_host: str = ATA, rport: bool = True, contact: str | None = None,
         extra: list[tuple[str, str]] = (), body: str = "", call_id: str = "c1") -> bytes:
    headers = [("Via", f"SIP/2.0/UDP {via_host}:5060;branch=z9hG4bK{method}{cseq}" + (";rport" if rport else "")),
               ("From", "<sip:alice@example.sip.twilio.com>;tag=a"), ("To", "<sip:alice@example.sip.twilio.com>"),
               ("Call-ID", call_id), ("CSeq", f"{cseq} {method}")]
    if contact:
        headers.append(("Contact", contact))
    return request(method, "sip:example.sip.twilio.com", [*headers, *extra], body)


def _resp(status: int, reason: str, method: str, cseq: int, extra: list[tuple[str, str]] = (),
          call_id: str = "c1", via: str | None = None) -> bytes:
    return response(status, reason, [
        ("Via", via or f"SIP/2.0/UDP {ATA}:5060;branch=z9hG4bK{method}{cseq};rport=41952;received={NAT}"),
        ("From", "<sip:alice@example.sip.twilio.com>;tag=a"), ("To", "<sip:alice@example.sip.twilio.com>;tag=t"),
        ("Call-ID", call_id), ("CSeq", f"{cseq} {method}"), *extra])


def _up(t: float, data: bytes, src: str = NAT) -> Packet:
    return Packet(t, src, 41952, TW, 5060, data)


def _down(t: float, data: bytes, dst: str = NAT) -> Packet:
    return Packet(t, TW, 5060, dst, 41952, data)


def test_nat_failure_sample_gives_every_nat_code_with_frames_quote_and_fix(tmp_path: Path) -> None:
    findings = ata.diagnose(write_nat_failure(tmp_path / "n.pcap"))
    codes = set(findings["code"])
    assert REQUIRED <= codes and "twilio-error" in codes
    contact = findings[findings["code"] == "contact-private-address"].iloc[0]
    assert contact["severity"] == "error"
    assert "Contact: <sip:alice@192.168.1.50:5060>" in contact["evidence"]
    assert contact["frames"][:2] == [1, 3]
    assert "P4437" in contact["fix"] and "32011" in contact["fix"]
    twilio = findings[findings["code"] == "twilio-error"].iloc[0]
    assert "32014" in twilio["evidence"] and "no audio" in twilio["summary"]
    assert list(findings.columns[:6]) == ["code", "severity", "summary", "evidence", "fix", "call_id"]
    assert findings["severity"].tolist() == sorted(findings["severity"].tolist(),
                                                   key=["error", "warning", "info"].index)


def test_healthy_sample_has_no_error_and_reports_the_unregister(tmp_path: Path) -> None:
    findings = ata.diagnose(write_healthy(tmp_path / "h.pcap"))
    assert "error" not in set(findings["severity"])
    assert findings["code"].tolist() == ["unregister"]


def test_private_via_with_rport_is_normal_but_without_rport_is_a_warning() -> None:
    contact = f"<sip:alice@{NAT}:41952>"
    ok = pcap_bytes([_up(1, _req("OPTIONS", 1, contact=contact)), _down(1.1, _resp(200, "OK", "OPTIONS", 1))])
    assert ata.diagnose(ok).empty
    bad = pcap_bytes([_up(1, _req("OPTIONS", 1, rport=False)), _down(1.1, _resp(200, "OK", "OPTIONS", 1))])
    assert ata.diagnose(bad)["code"].tolist() == ["via-without-rport"]


def test_a_challenge_answered_with_credentials_is_not_a_failure() -> None:
    contact = f"<sip:alice@{NAT}:41952>"
    auth = [("Authorization", 'Digest username="alice", realm="sip.twilio.com", nonce="n", response="r"')]
    capture = pcap_bytes([
        _up(1, _req("REGISTER", 1, contact=contact)),
        _down(1.1, _resp(401, "Unauthorized", "REGISTER", 1, [("WWW-Authenticate", 'Digest realm="sip.twilio.com", nonce="n"')])),
        _up(1.2, _req("REGISTER", 2, contact=contact, extra=auth)),
        _down(1.3, _resp(200, "OK", "REGISTER", 2))])
    assert ata.diagnose(capture).empty


def test_credentials_refused_with_403_or_a_repeated_challenge_are_auth_rejected() -> None:
    contact = f"<sip:alice@{NAT}:41952>"
    auth = [("Authorization", 'Digest username="alice", realm="sip.twilio.com", nonce="n", response="r"')]
    challenge = [("WWW-Authenticate", 'Digest realm="sip.twilio.com", nonce="n2"')]
    for final in (_resp(403, "Forbidden", "REGISTER", 2, [("X-Twilio-Error", "32202 Bad credentials")]),
                  _resp(401, "Unauthorized", "REGISTER", 2, challenge)):
        findings = ata.diagnose(pcap_bytes([
            _up(1, _req("REGISTER", 1, contact=contact)),
            _down(1.1, _resp(401, "Unauthorized", "REGISTER", 1, challenge)),
            _up(1.2, _req("REGISTER", 2, contact=contact, extra=auth)), _down(1.3, final)]))
        rejected = findings[findings["code"] == "auth-rejected"]
        assert len(rejected) == 1 and rejected.iloc[0]["frames"] == [3, 4]
        assert "P36" in rejected.iloc[0]["fix"] and "alice" in rejected.iloc[0]["summary"]


def test_stale_nonce_rechallenge_is_not_auth_rejected() -> None:
    auth = [("Authorization", 'Digest username="alice", nonce="old", response="r"')]
    stale = [("WWW-Authenticate", 'Digest realm="sip.twilio.com", nonce="new", stale=true')]
    findings = ata.diagnose(pcap_bytes([
        _up(1, _req("REGISTER", 2, contact=f"<sip:alice@{NAT}:41952>", extra=auth)),
        _down(1.1, _resp(401, "Unauthorized", "REGISTER", 2, stale))]))
    assert "auth-rejected" not in set(findings["code"])


def test_unregister_with_private_contact_star_is_not_a_contact_finding() -> None:
    findings = ata.diagnose(pcap_bytes([
        _up(1, _req("REGISTER", 5, contact="*", extra=[("Expires", "0")])),
        _down(1.1, _resp(200, "OK", "REGISTER", 5))]))
    assert findings["code"].tolist() == ["unregister"]


def test_device_side_capture_uses_the_received_echo() -> None:
    findings = ata.diagnose(pcap_bytes([
        Packet(1, ATA, 5060, TW, 5060, _req("REGISTER", 1, contact=f"<sip:alice@{ATA}:5060>")),
        Packet(1.1, TW, 5060, ATA, 5060, _resp(200, "OK", "REGISTER", 1))]))
    row = findings[findings["code"] == "contact-private-address"].iloc[0]
    assert f"received={NAT}" in row["evidence"]


def test_hold_sdp_and_public_sdp_are_not_private_media() -> None:
    hold = sdp_body("0.0.0.0", 5004, direction="sendonly")
    public = sdp_body(NAT, 5004)
    findings = ata.diagnose(pcap_bytes([
        _up(1, _req("INVITE", 1, contact=f"<sip:alice@{NAT}:41952>", body=public)),
        _down(1.1, _resp(100, "Trying", "INVITE", 1)),
        _up(2, _req("INVITE", 2, contact=f"<sip:alice@{NAT}:41952>", body=hold, call_id="c2")),
        _down(2.1, _resp(100, "Trying", "INVITE", 2, call_id="c2"))]))
    assert "sdp-private-media" not in set(findings["code"])


def test_no_response_needs_a_retransmission_or_time_to_answer() -> None:
    lonely = pcap_bytes([_up(1, _req("OPTIONS", 1, contact=f"<sip:alice@{NAT}:41952>"))])
    assert ata.diagnose(lonely).empty
    retried = pcap_bytes([_up(1, _req("OPTIONS", 1)), _up(1.5, _req("OPTIONS", 1))])
    row = ata.diagnose(retried).iloc[0]
    assert row["code"] == "no-response" and row["frames"] == [1, 2]


def test_diagnose_accepts_a_read_sip_frame(tmp_path: Path) -> None:
    frame = ata.read_sip(write_nat_failure(tmp_path / "n.pcap"))
    codes = set(ata.diagnose(frame)["code"])
    assert {"contact-private-address", "no-response", "sdp-private-media"} <= codes
    assert "rtp-one-way" not in codes  # RTP is only known when the capture itself is read


def test_dialled_without_plus_is_a_warning_with_the_dial_plan_fix() -> None:
    invite = request("INVITE", "sip:14155550123@example.sip.twilio.com", [
        ("Via", f"SIP/2.0/UDP {NAT}:41952;branch=z9hG4bKd1;rport"), ("From", "<sip:alice@x>;tag=a"),
        ("To", "<sip:14155550123@example.sip.twilio.com>"), ("Call-ID", "d1"), ("CSeq", "1 INVITE"),
        ("Contact", f"<sip:alice@{NAT}:41952>")])
    findings = ata.diagnose(pcap_bytes([_up(1, invite), _down(1.1, _resp(100, "Trying", "INVITE", 1, call_id="d1"))]))
    row = findings[findings["code"] == "dialled-without-plus"].iloc[0]
    assert row["severity"] == "warning" and "P66" in row["fix"]
