"""Each message is read on its own bytes: messages that share header names but not their layout,
in one capture, read as tshark reads them; and a fuzzer that mutates a valid message's header
layout (RFC 3261 §7.3: order, case, compact forms, SP/HTAB around the colon, folding, stray and
empty lines) and checks every header still reads the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tshark_oracle import READERS, TSHARK, our_fields, tshark_fields

import ata_helpers as ata
from ata_helpers.capture.sip_message import parse_message
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes

ATA, TWILIO = "203.0.113.7", "54.172.60.1"
LINES = [("Via", f"SIP/2.0/UDP {ATA}:5060;branch=z9hG4bK{{n}};rport"),
         ("Max-Forwards", "70"), ("From", "<sip:ht801@example.sip.twilio.com>;tag=lay{n}"),
         ("To", "<sip:ht801@example.sip.twilio.com>"), ("Call-ID", "layout-{n}@203.0.113.7"),
         ("CSeq", "{n} REGISTER"), ("Contact", f"<sip:ht801@{ATA}:5060>"),
         ("User-Agent", "Example ATA 1.0"), ("Expires", "3600"),
         ("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"), ("Content-Length", "0")]
COMPACT = {"Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m", "Content-Length": "l"}


def _message(n: int, lines: list[str]) -> bytes:
    return ("\r\n".join(["REGISTER sip:example.sip.twilio.com SIP/2.0", *lines]) + "\r\n\r\n").encode()


def _plain(n: int) -> list[str]:
    return [f"{name}: {value.format(n=n)}" for name, value in LINES]


def _variants() -> list[tuple[str, list[str]]]:
    """(what differs, header lines) for messages 1..N: same names, other layouts."""
    out = [("plain", _plain(1))]
    stray = _plain(2)
    stray.insert(3, "ht802[auth user= pass=abc]")
    out.append(("a stray line without a colon", stray))
    folded = _plain(3)
    folded[9] = "Allow: INVITE, ACK,\r\n BYE, CANCEL,\r\n\tOPTIONS"
    out.append(("a folded line (SP and HTAB)", folded))
    repeated = _plain(4)
    repeated.insert(10, "Allow: SUBSCRIBE, NOTIFY")
    out.append(("a repeated header", repeated))
    empty = _plain(5)
    empty.insert(2, "Subject:")
    out.append(("an empty value", empty))
    compact = [f"{COMPACT.get(name, name)}: {value.format(n=6)}" for name, value in LINES]
    out.append(("compact names", compact))
    spaced = [f"{name.upper()}\t:\t{value.format(n=7)}" for name, value in LINES]
    out.append(("upper-case names and HTAB around the colon", spaced))
    return out


def _capture(tmp_path: Path) -> Path:
    packets = [Packet(1.0 + i, ATA, 5060, TWILIO, 5060, _message(i + 1, lines))
               for i, (_what, lines) in enumerate(_variants())]
    path = tmp_path / "layouts.pcap"
    path.write_bytes(pcap_bytes(packets))
    return path


def test_every_layout_reads_every_column(tmp_path: Path) -> None:
    frame = ata.read_sip(_capture(tmp_path))
    assert len(frame) == len(_variants())
    for (what, _lines), (_, row) in zip(_variants(), frame.iterrows(), strict=True):
        n = row["cseq"]
        assert row["call_id"] == f"layout-{n}@203.0.113.7", what
        assert (row["cseq_method"], row["from_tag"]) == ("REGISTER", f"lay{n}"), what
        assert row["user_agent"] == "Example ATA 1.0" and row["expires"] == 3600, what
        assert row["contact_uri"] == f"sip:ht801@{ATA}:5060", what
        assert row["headers"]["content-length"] == ["0"], what
        assert row["headers"]["max-forwards"] == ["70"], what
        allow = row["headers"]["allow"]
        assert allow[:5] == ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"], what
        assert row["malformed"] == (what == "a stray line without a colon"), what
    assert frame.loc[3, "headers"]["allow"][5:] == ["SUBSCRIBE", "NOTIFY"]
    assert frame.loc[4, "headers"]["subject"] == [""]


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_every_layout_reads_as_tshark_reads_it(tmp_path: Path) -> None:
    path = _capture(tmp_path)
    fields = [f for f in READERS if f not in ("sip.Status-Code", "sip.to.tag")]
    theirs, ours = tshark_fields(path, fields), our_fields(path, fields)
    assert sorted(theirs) == list(range(1, len(_variants()) + 1))
    # tshark 4.0 does not read a header with blanks before its colon, which RFC 3261 §7.3.1
    # allows (HCOLON = *( SP / HTAB ) ":" SWS): there we keep our reading and its disagreement.
    assert ours[7]["sip.Call-ID"] == ["layout-7@203.0.113.7"] and theirs[7]["sip.Call-ID"] == []
    del ours[7], theirs[7]
    assert ours == theirs


_MUTATIONS = ["reorder", "case", "compact", "blanks", "fold", "stray", "empty", "crlf-keepalive"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MUTATIONS), max_size=6), st.randoms(use_true_random=False))
def test_layout_mutations_keep_every_header(mutations: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    """Whatever the layout, the headers dict and the columns read the same as the plain
    message's, apart from what the mutation itself adds (a stray line is flagged)."""
    expected = parse_message(_message(1, _plain(1)))
    lines = [[name, ": ", value.format(n=1)] for name, value in LINES]
    extra: list[str] = []
    for mutation in mutations:
        i = rnd.randrange(len(lines))
        if mutation == "reorder":
            j = rnd.randrange(len(lines))
            if lines[i][0] != lines[j][0] and "Via" not in (lines[i][0], lines[j][0]):
                lines[i], lines[j] = lines[j], lines[i]
        elif mutation == "case":
            lines[i][0] = rnd.choice([str.upper, str.lower, str.swapcase])(lines[i][0])
        elif mutation == "compact":
            lines[i][0] = COMPACT.get(lines[i][0], lines[i][0])
        elif mutation == "blanks":
            lines[i][1] = rnd.choice([":", " : ", "\t:\t", ":  \t", " \t: "])
        elif mutation == "fold" and " " in lines[i][2] and "\n" not in lines[i][2]:
            head, _, tail = lines[i][2].partition(" ")
            lines[i][2] = head + rnd.choice(["\r\n ", "\r\n\t", "\r\n   "]) + tail
        elif mutation == "stray":
            extra.append("junk line without colon")
        elif mutation == "empty":
            extra.append("X-Empty:")
    text = ["".join(parts) for parts in lines]
    for line in extra:
        text.insert(rnd.randrange(1, len(text)), line)
    data = _message(1, text)
    if "crlf-keepalive" in mutations:
        data = b"\r\n" + data
    got = parse_message(data)
    headers = dict(got.headers)
    headers.pop("x-empty", None)
    assert headers == expected.headers
    assert got._replace(headers=expected.headers, problem=None) == expected._replace(problem=None)
    assert (got.problem is not None) == ("stray" in mutations)
