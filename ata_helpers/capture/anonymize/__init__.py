"""`anonymize_capture(src, dst, key=None)`: a copy of a capture that is safe to share.

Every IP and MAC address in the packet headers, and in SIP headers and SDP, gets a keyed stand-in of
the same kind (private stays private, public stays public; Twilio's published ranges, loopback and
multicast are kept, so the diagnosis still knows who is who); so do phone numbers (`+` and country
code kept), SIP user names, domain labels (`.sip.twilio.com` kept; only where they are part of a
host, so a domain named `invite` or `ht801` leaves the method and the User-Agent alone), display
names, Twilio SIDs, instance UUIDs and digest `nonce`/`cnonce`/`response`/`opaque` values. RTP keeps
its headers but carries silence; RTCP SDES text and STUN addresses are keyed too. Content-Length, IP and UDP
lengths, checksums and TCP sequence numbers follow the new text; timestamps and packet order are
copied; a UDP datagram in IPv4 fragments is rewritten whole and cut into as many fragments again;
an ICMP error's quoted header and text are rewritten, ping data zeroed.
What cannot be read safely — TLS, SIP over WebSocket, other protocols, unknown link types, IPv6
fragments — is refused unless `drop_unreadable=True` leaves those packets out.

The same key gives the same stand-ins, so two captures anonymized with one key can be compared —
by whoever holds the key, which must stay secret: anyone who knows or guesses it (a ticket number,
a name) can try candidate numbers and user names and find the ones that give the stand-ins. Without
a key a random one is used and the stand-ins cannot be traced back.
"""

from __future__ import annotations

import gzip
import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Union

from ...errors import CaptureError, ValidationError
from .container import read_container
from .packets import ICMP_ERRORS, Frame, Unreadable, decode, rewrite_arp, rewrite_icmp
from .payloads import blank_rtp, classify_udp, rewrite_rtcp, rewrite_stun
from .pseudonyms import Pseudonyms, is_twilio
from .sip_text import Recorder, SipRewriter, host_labels
from .tcp import TcpStreams

__all__ = ["anonymize_capture", "Anonymized"]

Source = Union[str, Path, bytes, BinaryIO]


@dataclass
class Anonymized:
    """What anonymize_capture wrote: where, how many frames, and what it left out or replaced."""

    path: Path
    frames: int
    written: int
    dropped: list[str] = field(default_factory=list)  # "frame N: why"
    left_out: list[str] = field(default_factory=list)  # pcapng blocks not copied
    replaced: dict[str, int] = field(default_factory=dict)  # kind -> distinct values replaced

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.replaced.items() if n)
        text = f"Anonymized({self.path}: {self.written} of {self.frames} frames; replaced {kinds or 'nothing'}"
        if self.dropped:
            text += f"; {len(self.dropped)} frame(s) left out"
        return text + ")"


def _read(src: Source) -> bytes:
    if isinstance(src, (bytes, bytearray)):
        data = bytes(src)
    elif isinstance(src, (str, Path)):
        try:
            data = Path(src).read_bytes()
        except FileNotFoundError:
            raise CaptureError(f"capture file not found: {src}") from None
    else:
        data = src.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CaptureError(f"gzip-compressed capture is damaged: {exc}") from None
    if not data:
        raise CaptureError("the capture file is empty")
    return data


def anonymize_capture(src: Source, dst: str | Path, key: bytes | str | None = None, *,
                      drop_unreadable: bool = False, keep_audio: bool = False) -> Anonymized:
    """Write an anonymized copy of the capture `src` (pcap/pcapng, optionally gzip) to `dst`.

    `key` (bytes or text) makes the stand-ins repeatable: the same key gives the same replacements,
    so captures anonymized with one key can be compared. Keep it secret, like a password (for
    example `secrets.token_hex(16)`): whoever knows it can test guessed numbers and user names
    against the stand-ins (HMAC-SHA256 with that key) and so reverse them. `key=None` (the default)
    uses a random key that is forgotten, so the stand-ins cannot be traced back. An empty key
    (`""` or `b""`) is refused with ValidationError rather than used, as is a `dst` that is the
    same file as `src` (the copy must never overwrite the evidence).
    `keep_audio=True` keeps RTP payloads (the voice) instead of silence. The output keeps the input's
    container (pcap or pcapng; `dst` ending in `.gz` is compressed). Raises CaptureError when the
    file cannot be read, and when packets cannot be anonymized safely (TLS, WebSocket, other
    protocols, unknown link types, IPv6 fragments) unless `drop_unreadable=True` leaves them out.
    Returns an Anonymized summary (no original value in it).
    """
    key_bytes = _key_bytes(key)
    _refuse_same_file(src, dst)
    container = read_container(_read(src))
    records = container.records()
    frames: dict[int, Frame | bytes] = {}
    problems: dict[int, str] = {}
    kinds: dict[int, str] = {}
    tcp = TcpStreams()
    fragments: dict[tuple, list[Frame]] = {}
    for record in records:
        try:
            decoded = decode(record.frame, record.linktype, record.data)
        except Unreadable as exc:
            problems[record.frame] = exc.what
            continue
        frames[record.frame] = decoded
        if isinstance(decoded, bytes):
            continue
        if decoded.fragment is not None:
            fragments.setdefault(_fragment_key(decoded), []).append(decoded)
            continue
        if decoded.proto == 6:
            tcp.add(decoded)
        elif decoded.proto == 1:
            if decoded.transport[0] in (0, 8) or decoded.transport[0] in ICMP_ERRORS:
                kinds[record.frame] = "icmp"
            else:
                problems[record.frame] = f"ICMP type {decoded.transport[0]}, which this does not rewrite"
        else:
            kind = classify_udp(decoded.payload)
            if kind is None:
                flow = decoded.flow
                problems[record.frame] = (f"UDP {flow[0]}:{flow[1]} → {flow[2]}:{flow[3]} carries neither SIP, RTP, "
                                          "RTCP nor STUN")
            else:
                kinds[record.frame] = kind
    datagrams = _reassemble(fragments, problems)
    for datagram in datagrams.values():
        kind = classify_udp(datagram.payload)
        if kind is None:
            for part in fragments[_fragment_key(datagram)]:
                problems[part.number] = "fragments of a UDP datagram that is neither SIP, RTP, RTCP nor STUN"
        else:
            kinds[datagram.number] = kind
    for numbers, what in tcp.unreadable():  # every segment of that direction goes with it
        for number in numbers:
            problems.setdefault(number, what)
    if problems and not drop_unreadable:
        earliest = min(problems)
        raise CaptureError(f"{len(problems)} frame(s) cannot be anonymized safely; the first is frame {earliest}: "
                           f"{problems[earliest]}. Pass drop_unreadable=True (ata-helpers anonymize --drop-unreadable) "
                           "to leave them out of the copy.")

    # Pass 1: learn every original value, so no stand-in reproduces one.
    recorder = Recorder()
    learn = SipRewriter(recorder)
    header_ips: set[str] = set()
    for number, decoded in frames.items():
        if number in problems or isinstance(decoded, bytes):
            continue
        for ip in decoded.ips:
            header_ips.update(str(ipaddress.ip_address(a)) for a in (ip.src, ip.dst))
        if kinds.get(number) == "sip" and decoded.fragment is None:
            learn.rewrite_stream(decoded.payload)
        elif kinds.get(number) == "icmp":
            rewrite_icmp(number, decoded.transport, decoded.payload, _Quoted(header_ips), learn.rewrite_stream)
    for datagram in datagrams.values():
        if kinds.get(datagram.number) == "sip":
            learn.rewrite_stream(datagram.payload)
    tcp.plan(learn.pieces, set(problems))
    pseudonyms = Pseudonyms(key_bytes, recorder.originals() | header_ips)
    rewriter = SipRewriter(pseudonyms, recorder.users, recorder.numbers, recorder.labels)

    # Pass 2: rewrite.
    tcp = _replan(tcp)
    tcp.plan(rewriter.pieces, set(problems))
    out: dict[int, bytes | None] = {}
    for datagram in datagrams.values():
        parts = fragments[_fragment_key(datagram)]
        if parts[0].number in problems:
            continue
        payload = _rewrite_udp(kinds[datagram.number], datagram.payload, rewriter, pseudonyms, keep_audio)
        try:
            out.update(_split(parts, datagram.transport_bytes(payload, pseudonyms), pseudonyms))
        except Unreadable as exc:
            if not drop_unreadable:
                raise CaptureError(f"frame {exc.frame}: {exc.what}. Pass drop_unreadable=True to leave it out.") from None
            for part in parts:
                problems[part.number] = exc.what
                out[part.number] = None
    for record in records:
        number = record.frame
        if number in problems:
            out[number] = None
            continue
        decoded = frames[number]
        if isinstance(decoded, Frame) and decoded.fragment is not None:
            continue  # written with its datagram above
        if isinstance(decoded, bytes):
            try:
                out[number] = rewrite_arp(number, record.linktype, decoded, record.data, pseudonyms)
            except Unreadable as exc:
                if not drop_unreadable:
                    raise CaptureError(f"frame {number}: {exc.what}. Pass drop_unreadable=True to leave it "
                                       "out.") from None
                problems[number] = exc.what
                out[number] = None
            continue
        if decoded.proto == 6:
            payload, fields = tcp.rewrite(decoded)
            out[number] = decoded.build(payload, pseudonyms, fields)
            continue
        if decoded.proto == 1:
            head, payload = rewrite_icmp(number, decoded.transport, decoded.payload, pseudonyms,
                                         rewriter.rewrite_stream)
            decoded.transport = head
            out[number] = decoded.build(payload, pseudonyms)
            continue
        payload = _rewrite_udp(kinds[number], decoded.payload, rewriter, pseudonyms, keep_audio)
        out[number] = decoded.build(payload, pseudonyms)
    data = container.write(out)
    _check(data, recorder, header_ips)
    target = Path(dst)
    target.write_bytes(gzip.compress(data, mtime=0) if target.suffix == ".gz" else data)
    public = {ip for ip in recorder.ips | header_ips if _public(ip)}
    replaced = {"public addresses": len(public), "phone numbers": len(recorder.numbers),
                "user names": len(recorder.users), "domain labels": len(recorder.labels),
                "display names": len(recorder.displays), "tokens": len(recorder.tokens)}
    return Anonymized(target, len(records), sum(1 for v in out.values() if v is not None),
                      [f"frame {n}: {why}" for n, why in sorted(problems.items())], container.left_out, replaced)


def _key_bytes(key: bytes | str | None) -> bytes:
    """The HMAC key: the given one, or a random one for `None`; an empty key is refused."""
    if key is None:
        return secrets.token_bytes(32)
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw.strip():
        raise ValidationError("key", "an empty key would make the stand-ins the same for everyone and reversible "
                                     "by anyone; give a secret key (e.g. secrets.token_hex(16)) or none for a "
                                     "random one")
    return raw


def _refuse_same_file(src: Source, dst: str | Path) -> None:
    """Refuse a `dst` that is (or resolves to, or is a hard link of) the file `src`."""
    name = src if isinstance(src, (str, Path)) else getattr(src, "name", None)
    if not isinstance(name, (str, Path)):
        return
    source, target = Path(name), Path(dst)
    same = source.resolve() == target.resolve()
    if not same and source.exists() and target.exists():
        try:
            same = os.path.samefile(source, target)
        except OSError:
            same = False
    if same:
        raise ValidationError("dst", f"{dst} is the capture being anonymized ({name}); writing the copy there "
                                     "would overwrite the original. Give another file name.")


class _Quoted:
    """While learning: note the addresses an ICMP error quotes, change nothing."""

    def __init__(self, found: set[str]) -> None:
        self.found = found

    def ip(self, ip: "ipaddress.IPv4Address | ipaddress.IPv6Address") -> "ipaddress.IPv4Address | ipaddress.IPv6Address":
        self.found.add(str(ip))
        return ip


def _rewrite_udp(kind: str, payload: bytes, rewriter: SipRewriter, pseudonyms: Pseudonyms, keep_audio: bool) -> bytes:
    if kind == "sip":
        return rewriter.rewrite_stream(payload)
    if kind == "rtp" and not keep_audio:
        return blank_rtp(payload)
    if kind == "rtcp":
        return rewrite_rtcp(payload, pseudonyms)
    if kind == "stun":
        return rewrite_stun(payload, pseudonyms)
    return payload


def _fragment_key(frame: Frame) -> tuple:
    ip = frame.ips[-1]
    assert frame.fragment is not None
    return (ip.src, ip.dst, frame.fragment[0], frame.proto)


def _reassemble(fragments: dict[tuple, list[Frame]], problems: dict[int, str]) -> dict[tuple, Frame]:
    """The whole UDP datagram of each complete fragment group, as a Frame numbered like its last part."""
    whole: dict[tuple, Frame] = {}
    for key, parts in fragments.items():
        ordered = sorted(parts, key=lambda f: f.fragment[1] if f.fragment else 0)
        data = b""
        complete = True
        for part in ordered:
            assert part.fragment is not None
            if part.fragment[1] != len(data):
                complete = False
                break
            data += part.payload
        if not complete or ordered[-1].fragment is None or ordered[-1].fragment[2] or len(data) < 8:
            for part in parts:
                problems[part.number] = "an IPv4 fragment whose datagram is not complete in the capture"
            continue
        first = ordered[0]
        ulen = (data[4] << 8) | data[5]
        layer = first.ips[-1]
        ips = [*first.ips[:-1], type(layer)(4, layer.header, layer.src, layer.dst, len(data))]
        whole[key] = Frame(parts[-1].number, first.linktype, first.link, ips, 17, data[:8],
                           data[8:ulen] if 8 <= ulen <= len(data) else data[8:], b"", False, first.nflog,
                           first.fragment)
    return whole


def _split(parts: list[Frame], datagram: bytes, pseudonyms: Pseudonyms) -> dict[int, bytes]:
    """The rewritten datagram cut into as many fragments as before, in the same frames and order.

    Each fragment keeps its original offset (a multiple of 8) where the new length allows; the
    last one takes the change.
    """
    ordered = sorted(parts, key=lambda f: f.fragment[1] if f.fragment else 0)
    count = len(ordered)
    bounds = []
    for index, part in enumerate(ordered):
        assert part.fragment is not None
        limit = (len(datagram) - 1 - 8 * (count - 1 - index)) // 8 * 8
        bounds.append(min(part.fragment[1], limit))
    if any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)) or bounds[0] != 0:
        raise Unreadable(ordered[-1].number, "a fragmented datagram too short to keep its fragments after rewriting")
    bounds.append(len(datagram))
    out = {}
    for index, part in enumerate(ordered):
        data = datagram[bounds[index]:bounds[index + 1]]
        out[part.number] = part.build_fragment(data, bounds[index], index < count - 1, pseudonyms)
    return out


def _replan(old: TcpStreams) -> TcpStreams:
    """A fresh plan over the same segments (the learning pass filled the old one)."""
    fresh = TcpStreams()
    for flow, direction in old.directions.items():
        copy = fresh.directions.setdefault(flow, type(direction)())
        copy.base = direction.base
        copy.segments = direction.segments
    return fresh


def _public(text: str) -> bool:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    from ..addresses import address_class

    return address_class(text) == "public" and not is_twilio(ip) and not ip.is_multicast


def _check(data: bytes, recorder: Recorder, header_ips: set[str]) -> None:
    """Refuse to write a copy in which an original number, user, label or public address survives."""
    text = data.decode("latin-1")
    left = []
    for kind, values in (("phone number", {n for n in recorder.numbers if sum(c.isdigit() for c in n) >= 7}),
                         ("user name", {u for u in recorder.users if len(u) >= 3}),
                         ("public address", {ip for ip in recorder.ips | header_ips if _public(ip)})):
        for value in values:
            if re.search(rf"(?<![A-Za-z0-9.]){re.escape(value)}(?![A-Za-z0-9]|\.\d)", text):
                left.append(kind)
                break
    # a label such as `invite` or `ack` is also a word SIP needs: looked for in hosts only
    if {lb for lb in recorder.labels if len(lb) >= 3} & host_labels(text):
        left.append("domain label")
    if left:
        raise CaptureError(f"the anonymized copy would still hold an original {', '.join(left)}; nothing was "
                           "written. Please report this capture's structure (not the file) as a bug.")
