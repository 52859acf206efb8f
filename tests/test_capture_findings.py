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


# --- who is who: Twilio's own messages are never blamed --------------------------------------

def _twilio_ok(src: str, extra: list[tuple[str, str]] = ()) -> Packet:
    """Twilio's 200 OK to an INVITE: its own private addresses in Contact, Record-Route and
    SDP, as Twilio's SIP trunking troubleshooting page says it sends them."""
    body = sdp_body("10.20.30.40", 18000)
    ok = response(200, "OK", [
        ("Via", f"SIP/2.0/UDP {NAT}:41952;branch=z9hG4bKINVITE1"),
        ("Record-Route", "<sip:172.18.0.5;lr;twnat=sip:54.172.60.1:5060>"),
        ("From", "<sip:alice@example.sip.twilio.com>;tag=a"),
        ("To", "<sip:+14155550100@example.sip.twilio.com>;tag=tw"), ("Call-ID", "who"),
        ("CSeq", "1 INVITE"), ("Contact", "<sip:172.18.0.5:5060>"), *extra], body)
    return Packet(1.0, src, 5060, NAT, 41952, ok)


def _invite_from_public_ata() -> Packet:
    return _up(0.0, _req("INVITE", 1, via_host=NAT, contact=f"<sip:alice@{NAT}:41952>",
                         body=sdp_body(NAT, 5004), call_id="who"))


def test_twilio_private_contact_and_sdp_are_not_findings_from_its_ranges() -> None:
    codes = ata.diagnose(pcap_bytes([_invite_from_public_ata(), _twilio_ok(TW)]))["code"].tolist()
    assert "contact-private-address" not in codes and "sdp-private-media" not in codes


def test_twilio_is_recognised_by_what_the_capture_shows_outside_its_ranges() -> None:
    """An address outside the published ranges (a new edge) is Twilio's when it sends
    `Server: Twilio…`, an X-Twilio-Error, or is the target of a *.twilio.com Request-URI."""
    other = "198.51.100.77"
    for extra in ([("Server", "Twilio Gateway")], [("X-Twilio-Error", "32011 Timeout")], []):
        invite = _invite_from_public_ata()
        packets = [Packet(0.0, NAT, 41952, other, 5060, invite.payload), _twilio_ok(other, extra)]
        codes = ata.diagnose(pcap_bytes(packets))["code"].tolist()
        assert "contact-private-address" not in codes and "sdp-private-media" not in codes, extra


def test_the_customer_side_is_still_blamed_and_named() -> None:
    invite = _up(0.0, _req("INVITE", 1, via_host=NAT, contact=f"<sip:alice@{ATA}:5060>",
                           body=sdp_body(ATA, 5004), call_id="who"))
    findings = ata.diagnose(pcap_bytes([invite, _twilio_ok(TW)]))
    contact = findings[findings["code"] == "contact-private-address"]
    media = findings[findings["code"] == "sdp-private-media"]
    assert len(contact) == 1 and contact.iloc[0]["summary"].startswith("Your ATA")
    assert len(media) == 1 and media.iloc[0]["summary"].startswith("Your ATA")


# --- severity by evidence ---------------------------------------------------------------------

def _call_with_rtp(streams: list[tuple[str, int, str, int]]) -> bytes:
    """The ATA's INVITE offers its private 192.168.1.50:5004; Twilio answers from its media
    range; then the given RTP streams (src, sport, dst, dport), 20 packets each."""
    from ata_helpers.capture.writers.sip import rtp_payload

    invite = _up(0.0, _req("INVITE", 1, via_host=ATA, contact=f"<sip:alice@{NAT}:41952>",
                           body=sdp_body(ATA, 5004), call_id="media"))
    ok = _down(0.5, response(200, "OK", [
        ("Via", f"SIP/2.0/UDP {ATA}:5060;branch=z9hG4bKINVITE1;rport=41952;received={NAT}"),
        ("From", "<sip:alice@example.sip.twilio.com>;tag=a"), ("To", "<sip:x@example.sip.twilio.com>;tag=t"),
        ("Call-ID", "media"), ("CSeq", "1 INVITE"), ("Contact", "<sip:54.172.60.1:5060>")],
        sdp_body("168.86.128.10", 30000)))
    packets = [invite, ok]
    for k, (src, sport, dst, dport) in enumerate(streams):
        packets += [Packet(1.0 + i * 0.02, src, sport, dst, dport, rtp_payload(i, 160 * i, 0x100 + k))
                    for i in range(20)]
    return pcap_bytes(packets)


def _media_severity(data: bytes) -> str:
    findings = ata.diagnose(data)
    return findings[findings["code"] == "sdp-private-media"].iloc[0]["severity"]


def test_private_sdp_is_an_error_when_the_rtp_shows_the_audio_failing() -> None:
    toward_private = [(NAT, 5004, "168.86.128.10", 30000), ("168.86.128.10", 30000, ATA, 5004)]
    one_way = [(NAT, 5004, "168.86.128.10", 30000)]
    assert _media_severity(_call_with_rtp(toward_private)) == "error"
    assert _media_severity(_call_with_rtp(one_way)) == "error"


def test_private_sdp_is_a_warning_when_no_rtp_or_when_audio_flowed_both_ways() -> None:
    both = [(NAT, 5004, "168.86.128.10", 30000), ("168.86.128.10", 30000, NAT, 5004)]
    assert _media_severity(_call_with_rtp([])) == "warning"
    assert _media_severity(_call_with_rtp(both)) == "warning"
    summary = ata.diagnose(_call_with_rtp([])).query("code == 'sdp-private-media'").iloc[0]["summary"]
    assert "holds no RTP" in summary and "listen" in summary


def test_ack_missing_needs_a_resent_2xx_without_ack() -> None:
    invite = _invite_from_public_ata()
    ok = _twilio_ok(TW)
    resent = [Packet(1.0 + 0.5 * (2 ** k), ok.src, ok.sport, ok.dst, ok.dport, ok.payload) for k in range(4)]
    codes = ata.diagnose(pcap_bytes([invite, ok, *resent]))["code"].tolist()
    assert "ack-missing" in codes
    ack = _up(1.2, _req("ACK", 1, via_host=NAT, call_id="who"))
    codes = ata.diagnose(pcap_bytes([invite, ok, ack, *resent]))["code"].tolist()
    assert "ack-missing" not in codes
