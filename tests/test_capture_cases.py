"""Captures from the field (tests/data/cases/README.md): each reads and diagnoses as it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from tshark_oracle import READERS, TSHARK, our_fields, tshark_fields

import ata_helpers as ata
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes

CASES = Path(__file__).parent / "data" / "cases"


def _read(name: str):  # type: ignore[no-untyped-def]
    return ata.read_sip(CASES / name)


def test_every_case_file_is_tested() -> None:
    tested = {"nflog_linktype239.pcap", "multipart_mixed_sdp_private_media.pcap",
              "twilio_200ok_never_acked.pcap", "uppercase_names_tab_in_cseq.pcap",
              "header_line_without_colon.pcap"}
    assert {p.name for p in CASES.glob("*.pcap")} == tested


def test_nflog_register_is_read() -> None:
    frame = _read("nflog_linktype239.pcap")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["method"] == "REGISTER" and row["call_id"] == "vlan-call-1@198.51.100.10"
    assert (row["cseq"], row["cseq_method"]) == (1, "REGISTER")
    assert row["contact_uri"] == "sip:ht801@198.51.100.10:5060"
    assert frame.attrs["linktypes"] == [239] and frame.attrs["skipped"] == {}
    assert frame.attrs["packets"] == {"SIP": 1}


def test_sdp_inside_multipart_mixed_is_the_sdp_and_diagnosed_like_a_whole_body() -> None:
    frame = _read("multipart_mixed_sdp_private_media.pcap")
    sdp = frame.loc[0, "sdp"]
    assert sdp.startswith("v=0") and "c=IN IP4 192.168.1.50" in sdp and "--" not in sdp
    assert "Content-Type" not in sdp
    findings = ata.diagnose(frame)
    private = findings[findings["code"] == "sdp-private-media"]
    assert len(private) == 1 and "192.168.1.50:5004" in private.iloc[0]["summary"]
    # The same SDP as the whole body of the same INVITE gives the same finding.
    row = frame.iloc[0]
    head = b"\r\n".join(
        [f"INVITE {row['request_uri']} SIP/2.0".encode()]
        + [f"{name}: {value}".encode() for name, values in row["headers"].items()
           if name not in ("content-type", "content-length", "mime-version") for value in values]
        + [b"Content-Type: application/sdp", f"Content-Length: {len(sdp)}".encode()])
    whole = pcap_bytes([Packet(1.0, row["src"], row["sport"], row["dst"], row["dport"],
                               head + b"\r\n\r\n" + sdp.encode())])
    plain = ata.diagnose(whole)
    plain = plain[plain["code"] == "sdp-private-media"]
    assert plain[["severity", "summary"]].values.tolist() == private[["severity", "summary"]].values.tolist()
    assert private.iloc[0]["severity"] == "warning"  # no RTP in the capture: inferred, not seen


def test_twilio_200_never_acked_blames_the_missing_ack_not_twilio() -> None:
    frame = _read("twilio_200ok_never_acked.pcap")
    findings = ata.diagnose(frame)
    codes = findings["code"].tolist()
    assert "contact-private-address" not in codes and "sdp-private-media" not in codes
    ack = findings[findings["code"] == "ack-missing"]
    assert len(ack) == 1 and ack.iloc[0]["severity"] == "error"
    summary = ack.iloc[0]["summary"]
    assert "Twilio's 200 OK" in summary and "11 times" in summary and "30 seconds" in summary
    assert "§13.3.1.4" in summary and "BYE" in ack.iloc[0]["evidence"]
    oks = frame[(frame["status"] == 200) & (frame["cseq_method"] == "INVITE")]
    assert len(oks) == 11 and set(oks["src"]) == {"54.172.60.0"}


def test_upper_case_names_tab_in_cseq_and_upper_case_tag() -> None:
    frame = _read("uppercase_names_tab_in_cseq.pcap")
    request = frame.iloc[0]
    assert (request["method"], request["cseq"], request["cseq_method"]) == ("OPTIONS", 7, "OPTIONS")
    assert not request["malformed"] and request["from_tag"] == "up1"


def test_stray_line_is_flagged_and_changes_nothing_else() -> None:
    frame = _read("header_line_without_colon.pcap")
    assert len(frame) == 2
    for _, row in frame.iterrows():
        assert row["user_agent"] == "Example ATA 1.0" and row["expires"] == 3600
        assert row["headers"]["content-length"] == ["0"]
    assert frame["malformed"].tolist() == [False, True]
    assert "without a colon" in frame.loc[1, "problem"]
    first, second = frame.iloc[0], frame.iloc[1]
    same = [c for c in ("method", "request_uri", "call_id", "from_uri", "from_tag", "to_uri",
                        "contact_uri", "user_agent", "expires") if first[c] != second[c]]
    assert same == []


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.pcap")))
def test_cases_match_tshark(name: str) -> None:
    fields = [f for f in READERS if f != "sip.resend"]  # tshark leaves it out on multipart bodies
    theirs, ours = tshark_fields(CASES / name, fields), our_fields(CASES / name, fields)
    if name == "uppercase_names_tab_in_cseq.pcap":
        # tshark 4.0 misses `;TAG=` (RFC 3261 §7.3.1 makes parameter names case-insensitive).
        assert ours[1].pop("sip.from.tag") == ["up1"] and theirs[1].pop("sip.from.tag") == []
    assert ours == theirs
