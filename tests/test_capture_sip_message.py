"""SIP parsing rules of RFC 3261 (shared/reference/sip-pcap.md §2), one test per rule."""

from __future__ import annotations

import copy
import json
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from ata_helpers.capture.sip_message import (
    looks_like_sip,
    name_addr,
    next_message,
    parse_message,
    split_list,
)

BASE = ("INVITE sip:bob@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx\r\n"
        "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
        "To: <sip:bob@example.com>\r\n"
        "Call-ID: abc@10.0.0.1\r\n"
        "CSeq: 1 INVITE\r\n")


def test_compact_forms_and_case_insensitive_names_map_to_long_names() -> None:
    raw = (b"REGISTER sip:example.com SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
           b"f: <sip:a@example.com>;tag=9\r\nt: <sip:a@example.com>\r\ni: compact-1\r\n"
           b"cseq: 7 REGISTER\r\nm: <sip:a@10.0.0.1:5062>\r\nK: outbound\r\nCALL-INFO: <http://x>\r\n"
           b"l: 0\r\n\r\n")
    msg = parse_message(raw)
    assert msg.problem is None
    assert msg.call_id == "compact-1"
    assert msg.via == "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1"
    assert msg.contact_uri == "sip:a@10.0.0.1:5062"
    assert msg.from_tag == "9" and msg.cseq == 7 and msg.cseq_method == "REGISTER"
    assert msg.headers["supported"] == ["outbound"]
    assert "call-info" in msg.headers and "k" not in msg.headers


def test_folded_lines_are_unfolded() -> None:
    raw = (BASE + "Subject: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n").encode()
    msg = parse_message(raw)
    assert msg.headers["subject"] == ["first second third"]
    assert msg.problem is None


def test_comma_lists_respect_quotes_and_angle_brackets() -> None:
    assert split_list('"Doe, John" <sip:j@x;a=1,2>, <sip:k@y>') == [
        '"Doe, John" <sip:j@x;a=1,2>', "<sip:k@y>"]
    raw = (BASE.replace("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx\r\n",
                        "Via: SIP/2.0/UDP p1:5060;branch=z9hG4bKp1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
                        "Via: SIP/2.0/TCP p0;branch=z9hG4bK0\r\n")
           + "Contact: \"Doe, J\" <sip:j@10.0.0.9>, <sip:k@10.0.0.8>\r\n"
           + "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\n").encode()
    msg = parse_message(raw)
    assert msg.headers["via"] == ["SIP/2.0/UDP p1:5060;branch=z9hG4bKp1",
                                  "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx", "SIP/2.0/TCP p0;branch=z9hG4bK0"]
    assert msg.via == "SIP/2.0/UDP p1:5060;branch=z9hG4bKp1" and msg.branch == "z9hG4bKp1"
    assert msg.contact_uri == "sip:j@10.0.0.9"
    assert msg.headers["www-authenticate"] == ['Digest realm="r", nonce="n"']  # not split


def test_name_addr_keeps_uri_params_and_addr_spec_params_are_header_params() -> None:
    assert name_addr('"A;b" <sip:a@h;transport=tcp>;tag=1') == ("sip:a@h;transport=tcp", ";tag=1")
    assert name_addr("sip:a@h;tag=2") == ("sip:a@h", ";tag=2")
    raw = (BASE.replace('From: "Alice" <sip:alice@example.com>;tag=a1', "From: sip:alice@example.com;tag=z9")
           + "Content-Length: 0\r\n\r\n").encode()
    msg = parse_message(raw)
    assert (msg.from_uri, msg.from_tag) == ("sip:alice@example.com", "z9")


def test_bare_lf_messages_parse_like_crlf_ones() -> None:
    crlf = parse_message((BASE + "Content-Length: 4\r\n\r\nv=0\n").encode())
    lf = parse_message((BASE + "Content-Length: 4\r\n\r\nv=0\n").replace("\r\n", "\n").encode())
    assert lf.problem is None and crlf.problem is None
    assert lf.call_id == crlf.call_id and lf.headers == crlf.headers


def test_content_length_frames_udp_body_and_ignores_trailing_bytes() -> None:
    sdp = "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5004 RTP/AVP 0\r\n"
    raw = (BASE + f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n" + sdp
           + "GARBAGE").encode()
    msg = parse_message(raw)
    assert msg.sdp == sdp and msg.problem is None


def test_short_body_and_bad_content_length_are_flagged() -> None:
    short = parse_message((BASE + "Content-Length: 50\r\n\r\nv=0\r\n").encode())
    assert short.problem and "Content-Length 50" in short.problem
    bad = parse_message((BASE + "Content-Length: ten\r\n\r\n").encode())
    assert bad.problem and "not a number" in bad.problem


def test_missing_content_length_on_udp_runs_to_end_of_datagram() -> None:
    msg = parse_message((BASE + "Content-Type: application/sdp\r\n\r\nv=0\r\n").encode())
    assert msg.sdp == "v=0\r\n"


def test_unknown_methods_are_legal_and_sdp_on_183_is_kept() -> None:
    frobnicate = BASE.replace("INVITE sip", "FROBNICATE sip").replace("1 INVITE", "1 FROBNICATE")
    msg = parse_message((frobnicate + "Content-Length: 0\r\n\r\n").encode())
    assert msg.method == "FROBNICATE" and msg.cseq_method == "FROBNICATE" and msg.problem is None
    sdp = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"
    resp = parse_message((BASE.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 183 Session Progress")
                          + f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}").encode())
    assert (resp.status, resp.reason, resp.sdp) == (183, "Session Progress", sdp)


def test_malformed_messages_come_back_with_a_reason_not_an_exception() -> None:
    assert "bad status line" in parse_message(b"SIP/2.0 2x0 OK\r\n\r\n").problem
    assert "bad request line" in parse_message(b"INVITE sip:x\r\n\r\n").problem
    missing = parse_message(b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n")
    assert missing.problem == "missing Call-ID, CSeq, From, To"
    assert "bad CSeq" in parse_message((BASE.replace("CSeq: 1 INVITE", "CSeq: one") + "l: 0\r\n\r\n").encode()).problem


def test_looks_like_sip_by_content_not_port() -> None:
    assert looks_like_sip(b"\r\nOPTIONS sip:x SIP/2.0\r\n")
    assert looks_like_sip(b"SIP/2.0 200 OK\r\n")
    assert not looks_like_sip(b"GET / HTTP/1.1\r\n")
    assert not looks_like_sip(b"\x80\x00\x00\x01")


def test_next_message_splits_a_stream_by_content_length_and_skips_keepalives() -> None:
    one = (BASE + "Content-Length: 3\r\n\r\nabc").encode()
    stream = b"\r\n\r\n" + one + one[:40]
    first = next_message(stream, 0)
    assert first == (4, 4 + len(one), 4)
    assert next_message(stream, first[1]) is None  # second message incomplete


_NAMES = ["Via", "v", "VIA ", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m", "User-Agent",
          "Server", "Expires", "Content-Length", "l", "Content-Type", "Allow", "X-Foo", "", " Folded"]
_VALUES = ["SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport", "SIP/2.0/UDP a;branch=z9hG4bKa, SIP/2.0/TCP b", ",",
           '"A, B" <sip:a@b>;tag=1', "<sip:a@b>;tag=9 ", "", "abc@host", "1 INVITE", "x", "0", "3600",
           "application/sdp", "INVITE, ACK, BYE", "*", "<sip:a@10.0.0.1>;expires=60", "v\x0cw \t"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", "BYE x"]),
       st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from([": ", ":", " :\t"]),
                          st.sampled_from(_VALUES)), max_size=10),
       st.sampled_from(["", "v=0\r\nc=IN IP4 10.0.0.1\r\n"]))
def test_crlf_and_bare_lf_line_ends_read_alike(start: str, lines: list, body: str) -> None:
    """A header block with CRLF line ends and the same block with bare LF ends (tolerated, as
    tshark does) give the same fields and the same plain headers dict."""
    head = "\r\n".join([start] + [n + c + v for n, c, v in lines])
    crlf = parse_message(f"{head}\r\n\r\n{body}".encode())
    lf = parse_message(f"{head.replace(chr(13) + chr(10), chr(10))}\n\n{body}".encode())
    assert crlf == lf and isinstance(crlf.headers, dict)
    assert dict(crlf.headers) == lf.headers and type(dict(crlf.headers)) is dict


def test_repeated_and_list_headers_merge_in_order() -> None:
    raw = (BASE + "Allow: INVITE, ACK\r\nVia: SIP/2.0/TCP p0;branch=z9hG4bK0\r\n"
           "ALLOW: BYE\r\ni: second@x\r\nContent-Length: 0\r\n\r\n").encode()
    msg = parse_message(raw)
    assert msg.headers["allow"] == ["INVITE", "ACK", "BYE"]
    assert msg.headers["via"] == ["SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx", "SIP/2.0/TCP p0;branch=z9hG4bK0"]
    assert msg.headers["call-id"] == ["abc@10.0.0.1", "second@x"] and msg.call_id == "abc@10.0.0.1"


EXPECTED = {"via": ["SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx"],
            "from": ['"Alice" <sip:alice@example.com>;tag=a1'], "to": ["<sip:bob@example.com>"],
            "call-id": ["abc@10.0.0.1"], "cseq": ["1 INVITE"], "allow": ["INVITE", "ACK"],
            "content-length": ["0"]}


def test_headers_are_a_plain_dict_of_lists_in_message_order() -> None:
    headers = parse_message((BASE + "Allow: INVITE, ACK\r\nContent-Length: 0\r\n\r\n").encode()).headers
    assert type(headers) is dict and headers == EXPECTED and list(headers) == list(EXPECTED)
    assert json.loads(json.dumps(headers)) == EXPECTED
    assert pickle.loads(pickle.dumps(headers)) == EXPECTED and copy.deepcopy(headers) == EXPECTED


def test_headers_in_a_table_serialise_whole() -> None:
    import pandas as pd

    table = pd.DataFrame({"headers": [parse_message((BASE + "Allow: INVITE, ACK\r\n"
                                                            "Content-Length: 0\r\n\r\n").encode()).headers]})
    assert json.loads(table["headers"].to_json(orient="records")) == [EXPECTED]


def test_absurd_numbers_do_not_break_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A CSeq or Expires beyond 32 bits is read as missing, not an OverflowError for the capture."""
    from ata_helpers.capture import read_sip
    from ata_helpers.capture.writers.pcap import Packet, write_pcap
    from ata_helpers.capture.writers.sip import request

    msg = request("REGISTER", "sip:example.sip.twilio.com", [
        ("Via", "SIP/2.0/UDP 192.168.1.50:5060;branch=z9hG4bKx"), ("From", "<sip:a@b>;tag=1"),
        ("To", "<sip:a@b>"), ("Call-ID", "big"), ("CSeq", "99999999999999999999 REGISTER"),
        ("Expires", "123456789012345678901234")])
    ok = request("OPTIONS", "sip:b", [("Via", "SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKy"), ("From", "<sip:a@b>;tag=2"),
                                      ("To", "<sip:b>"), ("Call-ID", "fine"), ("CSeq", "7 OPTIONS")])
    path = write_pcap(tmp_path / "big.pcap", [Packet(1.0, "203.0.113.7", 5060, "54.172.60.1", 5060, msg),
                                               Packet(2.0, "203.0.113.7", 5060, "54.172.60.1", 5060, ok)])
    frame = read_sip(path)
    assert len(frame) == 2
    assert frame["cseq"].isna().tolist() == [True, False] and frame.loc[1, "cseq"] == 7


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"<>;\\ a:=t\t', max_size=16))
def test_from_to_fast_path_reads_like_name_addr(value: str) -> None:
    """The regex for the usual `<uri>;params` form gives what name_addr gives, or declines."""
    from ata_helpers.capture.sip_message import _BRACKETED

    match = _BRACKETED(value)
    if match is not None:
        assert (match.group(1).strip(), match.group(2)) == name_addr(value)


def test_memoised_start_lines_give_the_same_fields_each_time() -> None:
    """A start line read from the cache gives the same row as the first reading, bad ones too."""
    raw = (BASE + "Content-Length: 0\r\n\r\n").encode()
    ok = raw.replace(b"INVITE sip:bob@example.com SIP/2.0", b"SIP/2.0 180 Ringing ")
    bad = raw.replace(b"INVITE sip:bob@example.com SIP/2.0", b"SIP/2.0 18 Ringing")
    for message in (raw, ok, bad):
        first, second = parse_message(message), parse_message(message)
        assert first[:15] == second[:15] and first.problem == second.problem
    assert parse_message(ok)[:4] == (None, 180, "Ringing", None)
    assert parse_message(bad).problem == "bad status line 'SIP/2.0 18 Ringing'"
