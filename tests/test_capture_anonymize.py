"""anonymize_capture: same diagnosis, same SIP rows, nothing identifying left, tshark reads it.

The properties are checked on every capture in tests/data/captures and ../shared/cases/captures,
on the sandbox's NAT-story capture, and on captures generated from random users, numbers, domains
and addresses (UDP and TCP). The originals searched for are found independently of the anonymizer:
from read_sip's columns and the SIP text itself.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ata_helpers as ata
from ata_helpers.capture.addresses import address_class
from ata_helpers.capture.anonymize import anonymize_capture
from ata_helpers.capture.anonymize.pseudonyms import is_twilio
from ata_helpers.capture.samples import write_healthy, write_nat_failure
from ata_helpers.capture.writers.pcap import (
    Interface,
    Packet,
    frame_bytes,
    pcap_bytes,
    pcapng_bytes,
)
from ata_helpers.cli import main
from ata_helpers.errors import CaptureError, ValidationError

ROOT = Path(__file__).parent
# the field cases sit in ../shared/cases beside the project (the main checkout or a worktree of it)
_CASES = [p / "shared" / "cases" / "captures" for p in (ROOT.parent.parent, ROOT.parent.parent.parent)]
CAPTURES = sorted((ROOT / "data" / "captures").glob("*.pcap*")) + next(
    (sorted(p.glob("*.pcap*")) for p in _CASES if p.is_dir()), [])

_IP4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_URI = re.compile(r"\b(?:sips?|tel):([^\s<>\"';,?]+)", re.I)


def _diagnosis(path: Path) -> list[tuple[str, str, tuple[int, ...]]]:
    found = ata.diagnose(path)
    return [(r.code, r.severity, tuple(r.frames)) for r in found.itertuples()]


def _rows(path: Path) -> list[tuple]:
    sip = ata.read_sip(path)
    import pandas as pd

    return [(m, None if pd.isna(s) else int(s), int(f), t)
            for m, s, f, t in zip(sip["method"], sip["status"], sip["frame"], sip["time"], strict=True)]


def _originals(path: Path) -> dict[str, set[str]]:
    """Numbers, users, domain labels and public addresses of a capture, read from its SIP table."""
    sip = ata.read_sip(path)
    found: dict[str, set[str]] = {"number": set(), "user": set(), "label": set(), "public": set()}
    texts = []
    for row in sip.itertuples():
        # product names (User-Agent, Server) hold firmware versions such as 1.0.9.3, not addresses
        texts += [str(v) for name, values in dict(row.headers).items() for v in values
                  if name not in ("user-agent", "server")]
        texts += [row.request_uri or "", row.sdp or ""]
        for host in (row.src, row.dst):
            texts.append(host)
    for text in texts:
        for rest in _URI.findall(text):
            user, _, host = rest.rpartition("@")
            user = user.split(":")[0]
            digits = re.sub(r"\D", "", user)
            if len(digits) >= 7 and re.fullmatch(r"\+?[\d().-]+", user):
                found["number"].add(user)
            elif len(user) >= 3 and not user.isdigit():
                found["user"].add(user)
            host = host.split(":")[0].strip("[]").lower()
            if host and not _IP4.fullmatch(host) and ":" not in host:
                match = re.match(r"^([a-z0-9-]+)\.sip(?:\.[a-z0-9-]+)?\.twilio\.com$", host)
                if match:
                    found["label"].add(match.group(1))
                elif not host.endswith("twilio.com"):
                    found["label"].update(lb for lb in host.split(".")[:-1] if len(lb) >= 3)
        for ip in _IP4.findall(text):
            try:
                addr = ipaddress.ip_address(ip)
            except ValueError:
                continue
            if address_class(ip) == "public" and not is_twilio(addr) and not addr.is_multicast:
                found["public"].add(ip)
    return found


# Hosts, found without the anonymizer's code: a SIP/SIPS URI's host, a one-label host after `@`, `//`,
# a Via's transport or an SDP `IN IP4`, and any dotted name whose last label starts with a letter.
_HOSTS = re.compile(r"""(?i:\bsips?):(?:[^\s<>"@;,?]*@)?([A-Za-z0-9.-]+)
                        | (?:@|//|SIP/2\.0/[A-Za-z]+[ \t]+|\bIN[ \t]+IP[46][ \t]+)([A-Za-z0-9-]+)(?![\w.-]|/\d)
                        | (?<![\w.-])((?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)(?![\w-]|\.[\w-])""", re.X)


def _host_labels(text: str) -> set[str]:
    """The labels of every host in `text`, lower case (Twilio's own names left out)."""
    labels: set[str] = set()
    for match in _HOSTS.finditer(text):
        host = next(g for g in match.groups() if g is not None).lower()
        twilio = re.match(r"^([a-z0-9-]+)\.sip(?:\.[a-z0-9-]+)?\.twilio\.com$", host)
        if twilio:
            labels.add(twilio.group(1))
        elif not host.endswith("twilio.com"):
            labels.update(host.split(".")[:-1] or [host])
    return labels


def _assert_nothing_left(original: Path, anonymized: Path) -> None:
    """No original number, user or public address anywhere in the bytes, no original domain label in a host.

    A domain label is looked for in hosts only (URIs, Via sent-by, SDP addresses, dotted names): a
    label may be a common word SIP itself needs (`invite`, `ack`, `sip`, `via`) or a product name
    (`ht801` in `User-Agent: Grandstream HT801`), which must stay.
    """
    data = anonymized.read_bytes()
    text = data.decode("latin-1")
    sip = ata.read_sip(anonymized)
    header_addresses = set(sip["src"]) | set(sip["dst"])  # the IP headers, read back
    hosts = _host_labels(text)
    for kind, values in _originals(original).items():
        for value in values:
            if kind == "label":
                assert value.lower() not in hosts, f"original label {value!r} survives in a host"
                continue
            assert not re.search(rf"(?<![A-Za-z0-9.]){re.escape(value)}(?![A-Za-z0-9]|\.\d)", text), \
                f"original {kind} {value!r} survives"
            if kind == "public":
                assert value not in header_addresses, f"{value} survives in an IP header"


def _tshark_problems(path: Path) -> list[str]:
    result = subprocess.run(
        ["tshark", "-r", str(path), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
         "-o", "tcp.check_checksum:TRUE", "-Y", "_ws.malformed || ip.checksum.status == 0 || "
         "udp.checksum.status == 0 || tcp.checksum.status == 0 || _ws.expert.severity == error",
         "-T", "fields", "-e", "frame.number"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _tshark_sip_count(path: Path) -> int:
    result = subprocess.run(["tshark", "-r", str(path), "-Y", "sip", "-T", "fields", "-e", "frame.number"],
                            capture_output=True, text=True, timeout=120)
    return len(result.stdout.split())


def _check_properties(original: Path, anonymized: Path) -> None:
    assert _diagnosis(anonymized) == _diagnosis(original)
    assert _rows(anonymized) == _rows(original)
    _assert_nothing_left(original, anonymized)
    if shutil.which("tshark"):
        assert len(_tshark_problems(anonymized)) <= len(_tshark_problems(original))
        assert _tshark_sip_count(anonymized) == _tshark_sip_count(original)


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_properties_hold_for_every_test_capture(capture: Path, tmp_path: Path) -> None:
    out = tmp_path / ("anon" + "".join(capture.suffixes).replace(".gz", ""))
    result = anonymize_capture(capture, out, key=b"test key")
    assert result.frames == result.written and not result.dropped
    _check_properties(capture, out)


def test_cases_folder_was_found() -> None:
    if not any(p.parent.parent.is_dir() for p in _CASES):
        pytest.skip("no ../shared folder beside the project (the field cases live there)")
    assert any(p.parent.name == "captures" and p.parent.parent.name == "cases" for p in CAPTURES)


def test_properties_hold_after_the_nat_story(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ata_helpers import nat_story

    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    nat_story.ensure_line()
    nat_story.set_contact_header(wan=False)
    capture = ata.sandbox.capture(nat_story.call_the_phone().sid)
    out = tmp_path / "nat.pcap"
    anonymize_capture(capture, out)
    _check_properties(capture, out)
    assert "contact-private-address" in {c for c, _, _ in _diagnosis(out)}
    text = out.read_bytes().decode("latin-1")
    assert "my-ht801" not in text and "ht801@" not in text and "203.0.113.7" not in text


@pytest.mark.parametrize("writer", [write_nat_failure, write_healthy])
def test_properties_hold_for_the_samples(writer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    capture = writer(tmp_path / "sample.pcap")
    anonymize_capture(capture, tmp_path / "anon.pcap", key="k")
    _check_properties(capture, tmp_path / "anon.pcap")


# -- generated captures ------------------------------------------------------------------------------
_label = st.from_regex(r"[a-z][a-z0-9-]{2,12}[a-z0-9]", fullmatch=True).filter(
    lambda s: s not in ("us1", "us2", "ie1", "de1") and "--" not in s)
_user = st.from_regex(r"[a-z][a-z0-9._]{3,10}[a-z0-9]", fullmatch=True)
_number = st.from_regex(r"\+1[2-9]\d{2}[2-9]\d{6}", fullmatch=True)
_public = st.ip_addresses(v=4).filter(lambda ip: address_class(str(ip)) == "public" and ip.is_global
                                      and not ip.is_multicast and not ip.is_reserved and not is_twilio(ip))
_private = st.sampled_from(["192.168.", "10.0.", "172.16."]).flatmap(
    lambda p: st.tuples(st.integers(0, 255), st.integers(1, 254)).map(lambda t: f"{p}{t[0]}.{t[1]}"))
TWILIO = "54.172.60.1"


def _invite(user: str, label: str, number: str, lan: str, wan: str, name: str, body_ip: str) -> list[bytes]:
    sdp = (f"v=0\r\no={user} 8000 8000 IN IP4 {body_ip}\r\ns=SIP Call\r\nc=IN IP4 {body_ip}\r\nt=0 0\r\n"
           "m=audio 5004 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n")
    domain = f"{label}.sip.twilio.com"
    def request(cseq: int, auth: str) -> bytes:
        return (f"INVITE sip:{number}@{domain} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {lan}:5060;branch=z9hG4bK-{cseq}-{lan};rport\r\n"
                f'From: "{name}" <sip:{user}@{domain}>;tag=t-{lan}\r\n'
                f"To: <sip:{number}@{domain}>\r\nCall-ID: c1-{user}@{lan}\r\nCSeq: {cseq} INVITE\r\n"
                f"Contact: <sip:{user}@{lan}:5060>\r\n{auth}"
                f"User-Agent: Grandstream HT801 1.0.25.5\r\nContent-Type: application/sdp\r\n"
                f"Content-Length: {len(sdp)}\r\n\r\n{sdp}").encode()
    challenge = (f"SIP/2.0 407 Proxy Authentication Required\r\n"
                 f"Via: SIP/2.0/UDP {lan}:5060;branch=z9hG4bK-1-{lan};rport=5060;received={wan}\r\n"
                 f'From: "{name}" <sip:{user}@{domain}>;tag=t-{lan}\r\nTo: <sip:{number}@{domain}>;tag=tw1\r\n'
                 f"Call-ID: c1-{user}@{lan}\r\nCSeq: 1 INVITE\r\n"
                 f'Proxy-Authenticate: Digest realm="sip.twilio.com", nonce="f00dfeed0123456789abcdef"\r\n'
                 "Content-Length: 0\r\n\r\n").encode()
    auth = (f'Proxy-Authorization: Digest username="{user}", realm="sip.twilio.com", '
            f'nonce="f00dfeed0123456789abcdef", uri="sip:{number}@{domain}", '
            'response="0123456789abcdef0123456789abcdef"\r\n')
    return [request(1, ""), challenge, request(2, auth)]


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(user=_user, label=_label, number=_number, wan=_public, lan=_private, tcp=st.booleans(),
       name=st.from_regex(r"[A-Z][a-z]{2,8} [A-Z][a-z]{2,8}", fullmatch=True), ng=st.booleans())
def test_properties_hold_for_generated_captures(tmp_path: Path, user: str, label: str, number: str,
                                                wan: ipaddress.IPv4Address, lan: str, tcp: bool, name: str,
                                                ng: bool) -> None:
    wan_text = str(wan)
    messages = _invite(user, label, number, lan, wan_text, name, lan)
    packets = []
    seq = {"up": 1000, "down": 5000}
    for i, payload in enumerate(messages):
        up = not payload.startswith(b"SIP/2.0")
        src, dst = (wan_text, TWILIO) if up else (TWILIO, wan_text)
        direction = "up" if up else "down"
        packets.append(Packet(1_700_000_000 + i * 0.25, src, 5060, dst, 5060, payload, "tcp" if tcp else "udp",
                              seq=seq[direction], ack=seq["down" if up else "up"]))
        seq[direction] += len(payload)
    capture = tmp_path / ("gen.pcapng" if ng else "gen.pcap")
    if ng:
        capture.write_bytes(pcapng_bytes([([Interface(1, 9)], [(0, p.time, frame_bytes(p)) for p in packets])]))
    else:
        capture.write_bytes(pcap_bytes(packets))
    out = tmp_path / "anon.out"
    anonymize_capture(capture, out, key=b"gen")
    assert len(ata.read_sip(capture)) == 3
    _check_properties(capture, out)
    text = out.read_bytes().decode("latin-1")
    for original in (user, number, wan_text, name, "f00dfeed0123456789abcdef", "0123456789abcdef0123456789abcdef"):
        assert not re.search(rf"(?<![A-Za-z0-9.]){re.escape(original)}(?![A-Za-z0-9]|\.\d)", text, re.I), original
    assert label not in _host_labels(text)  # a label may also be a word (`call` in `s=SIP Call`): hosts only


# -- behaviour ---------------------------------------------------------------------------------------
def test_same_key_same_copy_and_times_kept(tmp_path: Path) -> None:
    capture = CAPTURES[0]
    anonymize_capture(capture, tmp_path / "a.pcapng", key="one")
    anonymize_capture(capture, tmp_path / "b.pcapng", key="one")
    anonymize_capture(capture, tmp_path / "c.pcapng", key="two")
    assert (tmp_path / "a.pcapng").read_bytes() == (tmp_path / "b.pcapng").read_bytes()
    assert (tmp_path / "a.pcapng").read_bytes() != (tmp_path / "c.pcapng").read_bytes()
    assert list(ata.read_sip(tmp_path / "a.pcapng")["time"]) == list(ata.read_sip(capture)["time"])


def test_private_stays_private_and_twilio_is_kept(tmp_path: Path) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    anonymize_capture(capture, tmp_path / "anon.pcap")
    before, after = ata.read_sip(capture), ata.read_sip(tmp_path / "anon.pcap")
    for b, a in zip(before["contact_uri"], after["contact_uri"], strict=True):
        if b is None:
            continue
        host_b = b.split("@")[-1].split(":")[0]
        host_a = a.split("@")[-1].split(":")[0]
        assert address_class(host_a) == address_class(host_b)
        if is_twilio(ipaddress.ip_address(host_b)) if _IP4.fullmatch(host_b) else False:
            assert host_a == host_b
    twilio = {h for h in before["src"] if is_twilio(ipaddress.ip_address(h))}
    assert twilio and twilio <= set(after["src"])


def test_phone_number_keeps_plus_and_country_code() -> None:
    from ata_helpers.capture.anonymize.pseudonyms import Pseudonyms

    names = Pseudonyms(b"k", {"+442071234567", "+14155550100"})
    uk, us = names.number("+442071234567"), names.number("+14155550100")
    assert uk.startswith("+44") and len(uk) == 13 and uk != "+442071234567"
    assert us.startswith("+1") and len(us) == 12 and us != "+14155550100"
    assert names.number("+14155550100") == us


def _tls_capture(path: Path) -> Path:
    hello = b"\x16\x03\x01\x00\x05" + b"\x01\x00\x00\x01\x00"
    sip = b"OPTIONS sip:a@203.0.113.9 SIP/2.0\r\nCall-ID: x@203.0.113.9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    path.write_bytes(pcap_bytes([Packet(1.0, "203.0.113.7", 5062, "54.172.60.1", 5061, hello, "tcp", seq=1),
                                 Packet(2.0, "203.0.113.7", 5060, "54.172.60.1", 5060, sip)]))
    return path


def test_tls_is_refused_unless_dropped(tmp_path: Path) -> None:
    capture = _tls_capture(tmp_path / "tls.pcap")
    with pytest.raises(CaptureError, match=r"frame 1: TCP .* is TLS .*drop_unreadable=True"):
        anonymize_capture(capture, tmp_path / "out.pcap")
    assert not (tmp_path / "out.pcap").exists()
    result = anonymize_capture(capture, tmp_path / "out.pcap", drop_unreadable=True)
    assert result.written == 1 and result.dropped[0].startswith("frame 1: TCP")
    assert len(ata.read_sip(tmp_path / "out.pcap")) == 1
    # without a key a stand-in may be 203.0.113.7x: look for the whole address
    assert not re.search(rb"(?<![\d.])203\.0\.113\.7(?!\d)", (tmp_path / "out.pcap").read_bytes())


def test_unknown_link_type_is_refused(tmp_path: Path) -> None:
    capture = tmp_path / "odd.pcap"
    capture.write_bytes(pcap_bytes([(1.0, b"\x00" * 40)], linktype=147))
    with pytest.raises(CaptureError, match="link type 147"):
        anonymize_capture(capture, tmp_path / "out.pcap")


def test_rtp_keeps_its_headers_and_loses_its_voice(tmp_path: Path) -> None:
    voice = bytes(range(160))
    rtp = [struct.pack("!BBHII", 0x80, 0, n, 160 * n, 0x1234) + voice for n in range(5)]
    capture = tmp_path / "rtp.pcap"
    capture.write_bytes(pcap_bytes([Packet(1.0 + n * 0.02, "203.0.113.7", 5004, "168.86.128.10", 12000, p)
                                    for n, p in enumerate(rtp)]))
    anonymize_capture(capture, tmp_path / "out.pcap")
    assert voice not in (tmp_path / "out.pcap").read_bytes()
    before = ata.rtp_streams(capture).drop(columns=["src"])
    after = ata.rtp_streams(tmp_path / "out.pcap").drop(columns=["src"])
    assert before.equals(after)


def test_cli_anonymize(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    assert main(["anonymize", str(capture), str(tmp_path / "out.pcap"), "--key", "k"]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "203.0.113.7" not in out
    assert main(["anonymize", str(_tls_capture(tmp_path / "tls.pcap")), str(tmp_path / "x.pcap")]) == 1
    assert "drop-unreadable" in capsys.readouterr().err


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_captures_raise_only_capture_errors(tmp_path: Path, data: st.DataObject) -> None:
    seed = bytearray(write_nat_failure(tmp_path / "seed.pcap").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(seed) - 1))
        seed[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(24, len(seed)))
    try:
        anonymize_capture(bytes(seed[:cut]), tmp_path / "out.pcap", key="k", drop_unreadable=data.draw(st.booleans()))
    except CaptureError:
        pass


@pytest.mark.parametrize("shrink", [False, True])
def test_fragmented_invite_keeps_its_fragments(tmp_path: Path, shrink: bool) -> None:
    """An INVITE larger than the MTU arrives in IPv4 fragments; the copy has as many, in the same frames."""
    from ata_helpers.capture.writers.pcap import ethernet, ipv4_fragments, udp_bytes

    user = "averyveryverylongusername" if shrink else "ab1"  # its stand-in has 8 characters
    messages = _invite(user, "fraglab", "+14155550123", "192.168.1.50", "198.51.100.20", "Carol Jones",
                       "192.168.1.50")
    datagram = udp_bytes("198.51.100.20", 5060, TWILIO, 5060, messages[2])
    parts = ipv4_fragments("198.51.100.20", TWILIO, 17, datagram, ident=77, size=256)
    frames = [(1.0, frame_bytes(Packet(1.0, "198.51.100.20", 5060, TWILIO, 5060, messages[0])))]
    frames += [(1.1 + i * 0.001, ethernet("198.51.100.20", TWILIO, part)) for i, part in enumerate(parts)]
    capture = tmp_path / "frag.pcap"
    capture.write_bytes(pcap_bytes(frames))
    assert len(parts) > 2 and len(ata.read_sip(capture)) == 2
    out = tmp_path / "anon.pcap"
    result = anonymize_capture(capture, out, key="frag")
    assert result.written == len(frames)
    _check_properties(capture, out)
    assert ata.read_sip(out)["frame"].tolist() == [1, len(frames)]


def test_icmp_port_unreachable_quoting_sip_is_rewritten(tmp_path: Path) -> None:
    """The router's 'port unreachable' quotes the start of the INVITE it could not deliver (RFC 1812
    §4.3.2.3 lets it quote up to 576 bytes): the quoted addresses and SIP text are keyed too."""
    from ata_helpers.capture.writers.pcap import ethernet, ip_packet, udp_bytes

    messages = _invite("quoteduser", "icmplab", "+14155550123", "192.168.1.50", "198.51.100.20", "Dan Poe",
                       "192.168.1.50")
    invite = udp_bytes(TWILIO, 5060, "198.51.100.20", 5060, messages[0])
    quoted = ip_packet(TWILIO, "198.51.100.20", 17, invite)[:548]
    icmp = bytearray(b"\x03\x03\x00\x00\x00\x00\x00\x00" + quoted)
    icmp[2:4] = _icmp_checksum(bytes(icmp)).to_bytes(2, "big")
    frames = [(1.0, frame_bytes(Packet(1.0, TWILIO, 5060, "198.51.100.20", 5060, messages[0]))),
              (1.01, ethernet("198.51.100.20", TWILIO, ip_packet("198.51.100.20", TWILIO, 1, bytes(icmp)))),
              (1.02, ethernet(TWILIO, "198.51.100.20", ip_packet(TWILIO, "198.51.100.20", 1,
                                                                 b"\x08\x00\xf7\xfe\x00\x01\x00\x00secret-ping")))]
    capture = tmp_path / "icmp.pcap"
    capture.write_bytes(pcap_bytes(frames))
    out = tmp_path / "anon.pcap"
    assert anonymize_capture(capture, out, key="icmp").written == 3
    _check_properties(capture, out)
    data = out.read_bytes()
    for original in (b"quoteduser", b"icmplab", b"4155550123", b"198.51.100.20", b"secret-ping",
                     ipaddress.ip_address("198.51.100.20").packed):
        assert original not in data


def _icmp_checksum(data: bytes) -> int:
    from ata_helpers.capture.checksums import internet_checksum as checksum

    return checksum(data)


# -- key and target ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["", b"", "   "])
def test_an_empty_key_is_refused(tmp_path: Path, key: str | bytes) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    with pytest.raises(ValidationError, match="empty key"):
        anonymize_capture(capture, tmp_path / "out.pcap", key=key)
    assert not (tmp_path / "out.pcap").exists()


def test_cli_refuses_an_empty_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    assert main(["anonymize", str(capture), str(tmp_path / "out.pcap"), "--key", ""]) == 1
    assert "empty key" in capsys.readouterr().err
    assert not (tmp_path / "out.pcap").exists()


def test_without_a_key_two_copies_differ(tmp_path: Path) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    anonymize_capture(capture, tmp_path / "a.pcap")
    anonymize_capture(capture, tmp_path / "b.pcap")
    assert (tmp_path / "a.pcap").read_bytes() != (tmp_path / "b.pcap").read_bytes()


def test_the_cli_help_says_the_key_must_stay_secret(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["anonymize", "--help"])
    assert "secret" in " ".join(capsys.readouterr().out.split())


def _same_file_targets(capture: Path) -> list[Path]:
    link = capture.with_name("link.pcap")
    link.symlink_to(capture)
    hard = capture.with_name("hard.pcap")
    hard.hardlink_to(capture)
    return [capture, capture.parent / "." / capture.name, link, hard]


def test_writing_over_the_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    before = capture.read_bytes()
    monkeypatch.chdir(tmp_path)
    for target in [*_same_file_targets(capture), Path("nat.pcap")]:
        with pytest.raises(ValidationError, match="overwrite the original"):
            anonymize_capture(capture, target, key="k")
        with open(capture, "rb") as handle, pytest.raises(ValidationError, match="overwrite the original"):
            anonymize_capture(handle, target, key="k")
    assert capture.read_bytes() == before


def test_cli_refuses_to_write_over_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = write_nat_failure(tmp_path / "nat.pcap")
    before = capture.read_bytes()
    for target in _same_file_targets(capture):
        assert main(["anonymize", str(capture), str(target), "--key", "k"]) == 1
        assert "overwrite the original" in capsys.readouterr().err
    assert capture.read_bytes() == before


# -- domain labels that are also words ---------------------------------------------------------------
# A customer's domain label may be a SIP method (invite, ack, bye, register, options), a word of the
# protocol (sip, via), a model (ht801) or a company (twilio). Replaced in hosts only, it must leave
# methods, header names and product names (User-Agent, Server) as they are, so the diagnosis holds.
WORD_LABELS = ["invite", "ack", "bye", "sip", "via", "ht801", "twilio", "register", "options"]


def _keepalive(path: Path, label: str) -> Path:
    """An OPTIONS keep-alive from the ATA and Twilio's 200 OK; the ATA names itself by host name."""
    from ata_helpers.capture.writers.pcap import write_pcap
    from ata_helpers.capture.writers.sip import request, response

    via = f"SIP/2.0/UDP {label}.home.example.net:5060;branch=z9hG4bKka1;rport"
    common = [("From", f"<sip:alice@{label}.sip.twilio.com>;tag=ka1"), ("To", f"<sip:{label}.sip.twilio.com>"),
              ("Call-ID", f"ka-77@{label}.home.example.net"), ("CSeq", "7 OPTIONS")]
    ask = request("OPTIONS", f"sip:{label}.sip.twilio.com",
                  [("Via", via), *common, ("Contact", f"<sip:alice@{label}.home.example.net:5060>"),
                   ("Max-Forwards", "70"), ("User-Agent", "Grandstream HT801 1.0.19.11"),
                   ("Accept", "application/sdp")])
    answer = response(200, "OK", [("Via", via + ";received=203.0.113.7"), *common[:1],
                                   ("To", common[1][1] + ";tag=tw-ka"), *common[2:],
                                   ("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER"),
                                   ("Server", "Twilio Gateway")])
    return write_pcap(path, [Packet(1_767_261_600.0, "203.0.113.7", 5060, TWILIO, 5060, ask),
                             Packet(1_767_261_600.1, TWILIO, 5060, "203.0.113.7", 5060, answer)])


def _headers(path: Path, names: tuple[str, ...]) -> list[list[tuple[str, ...]]]:
    return [[tuple(dict(row.headers).get(name, ())) for name in names] for row in ata.read_sip(path).itertuples()]


@pytest.mark.parametrize("label", WORD_LABELS)
def test_a_label_that_is_also_a_word_is_replaced_in_hosts_only(label: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ata_helpers.capture import samples

    domain = f"{label}.sip.twilio.com"
    monkeypatch.setattr(samples, "DOMAIN", domain)
    monkeypatch.setattr(samples, "AUTH", samples.AUTH.replace("example.sip.twilio.com", domain))
    captures = [samples.write_nat_failure(tmp_path / "nat.pcap"), samples.write_healthy(tmp_path / "healthy.pcap"),
                _keepalive(tmp_path / "keepalive.pcap", label)]
    for capture in captures:
        assert label in _host_labels(capture.read_bytes().decode("latin-1")), capture.name
        out = tmp_path / f"anon-{capture.name}"
        anonymize_capture(capture, out, key="a secret key")
        assert _diagnosis(out) == _diagnosis(capture), capture.name
        assert _rows(out) == _rows(capture), capture.name  # methods, statuses, frames, times
        kept = ("user-agent", "server", "cseq", "allow", "accept", "max-forwards")
        assert _headers(out, kept) == _headers(capture, kept), capture.name
        _assert_nothing_left(capture, out)  # the label is looked for in hosts: it is also a word here
        assert label not in _host_labels(out.read_bytes().decode("latin-1"))
    assert "contact-private-address" in {code for code, _, _ in _diagnosis(tmp_path / "anon-nat.pcap")}


def test_a_field_case_keeps_its_user_agent(tmp_path: Path) -> None:
    case = next((c for c in CAPTURES if c.name == "header_line_without_colon.pcap"), None)
    if case is None:
        pytest.skip("the field case header_line_without_colon.pcap is not beside the project")
    anonymize_capture(case, tmp_path / "out.pcap", key="t1")
    assert _headers(tmp_path / "out.pcap", ("user-agent",)) == _headers(case, ("user-agent",))
    _check_properties(case, tmp_path / "out.pcap")


def test_the_course_never_teaches_a_guessable_key() -> None:
    """A key someone else knows (a ticket number) makes the stand-ins reversible: none is taught."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in [ROOT.parent / "README.md",
                                                              *sorted((ROOT.parent / "notebooks").glob("*.md"))]}
    for name, text in texts.items():
        assert not re.search(r"anonymize_capture\([^)]*key\s*=\s*b?[\"']", text), name
        # `--key K` (a placeholder) and `--key "$SHARE_KEY"` (a secret from .env) are fine
        assert not re.search(r"ata-helpers anonymize [^`\n]*--key (?!K\b|\"\$)\S", text), name
    assert "secrets.token_hex(16)" in texts["07_troubleshoot_with_pcap.md"]
