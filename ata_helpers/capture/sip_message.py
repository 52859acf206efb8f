"""Parse one SIP message by RFC 3261's rules, and split a TCP byte stream into messages.

Hand-written (not dpkt.sip or sipmessage) because the course needs what neither does: compact
forms mapped to long names, folded lines, bare-LF tolerance, unknown methods, Content-Length
framing on streams, bodies on 1xx responses, SDP inside multipart bodies (RFC 5621), and a
malformed message kept as a row with its reason instead of an exception.

Every message is read from its own bytes: the header block is split into lines, each line into
name and value (RFC 3261 §7.3.1: any SP/HTAB around the colon, folded lines joined), and the
columns are looked up by name in that message's own dict. The only memory kept between
messages is of pure functions of a string (a header name's canonical form, a From value's URI
and tag), never of where a header sits in a message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .sip_headers import COMPACT_FORMS, read_headers, split_list

__all__ = ["SipFields", "COMPACT_FORMS", "looks_like_sip", "parse_message", "next_message",
           "split_list", "name_addr", "header_param", "sdp_part", "rule_breaks"]

REQUEST_LINE = re.compile(rb"[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*(?:\r?\n|$)")
"""A request's start line (RFC 3261 §7.1: Method SP Request-URI SP SIP-Version CRLF)."""
START_LINE = re.compile(rb"(?:SIP/2\.0 \d{3}|[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*\r?\n)")
"""A request's or a response's start line, to find where a message begins in a stream."""
LOOSE_START_LINE = re.compile(rb"(?:[A-Za-z0-9.!%*_+`'~-]+[ \t]+[^\r\n]*[ \t]SIP/\d+\.\d+[ \t]*\r?\n"
                              rb"|SIP/\d+\.\d+[ \t]+\d{3})")
"""A line shaped like a start line but breaking its exact form (extra blanks, another SIP
version): such a message is kept as a row flagged malformed (RFC 4475 §3.1.2.6, §3.1.2.14)."""
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)", re.I | re.M)
_TAG_VALUE = re.compile(r"[^;, \t]*")
_BOUNDARY = re.compile(r';\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', re.I)
_CACHE_SIZE = 4096
_NO_VALUE: list[str | None] = [None]
_PARAM_CACHE: dict[str, re.Pattern[str]] = {}
# The usual name-addr, `<uri>;params` after an optional display name without quotes, angle
# brackets or backslashes inside: name_addr reads it as (URI, params) the same way.
_BRACKETED = re.compile(r'(?:"[^"\\<>]*")?[^"<>]*<([^<>"]*)>(.*)', re.S).fullmatch


class SipFields(NamedTuple):
    """What one SIP message says, in the order read_sip's columns need it."""

    method: str | None
    status: int | None
    reason: str | None
    request_uri: str | None
    call_id: str | None
    cseq: int | None
    cseq_method: str | None
    from_uri: str | None
    from_tag: str | None
    to_uri: str | None
    to_tag: str | None
    contact_uri: str | None
    via: str | None
    user_agent: str | None
    expires: int | None
    headers: dict[str, list[str]]
    sdp: str | None
    problem: str | None
    branch: str | None


def looks_like_sip(payload: bytes) -> bool:
    """True when a datagram or segment starts (after CRLFs) with a SIP start line."""
    if payload[:1] in (b"\r", b"\n"):
        payload = payload.lstrip(b"\r\n")
    if payload.startswith(b"SIP/2.0 "):
        return True
    return REQUEST_LINE.match(payload) is not None


def header_param(params: str, name: str) -> str | None:
    """Value of `;name=value` in a header's parameter string; names are case-insensitive
    (RFC 3261 §7.3.1) and blanks around `;` and `=` are allowed. "" for a value-less one."""
    if name not in params and name.lower() not in params.lower():
        return None
    pattern = _PARAM_CACHE.get(name)
    if pattern is None:
        pattern = re.compile(r";[ \t]*" + re.escape(name) + r"[ \t]*(?:=[ \t]*(\"[^\"]*\"|[^;,\s]*))?"
                             r"(?=[ \t]*(?:[;,]|$))", re.I)
        _PARAM_CACHE[name] = pattern
    match = pattern.search(params)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else ""


def name_addr(value: str) -> tuple[str, str]:
    """(URI, header parameters) of a name-addr (`"D" <uri>;p`) or addr-spec (`uri;p`)."""
    search_from = 0
    if value.startswith('"'):
        i = 1
        while i < len(value):
            if value[i] == "\\":
                i += 2
                continue
            if value[i] == '"':
                break
            i += 1
        search_from = i + 1
    lt = value.find("<", search_from)
    if lt >= 0:
        gt = value.find(">", lt)
        if gt < 0:
            return value[lt + 1:].strip(), ""
        return value[lt + 1:gt].strip(), value[gt + 1:]
    semi = value.find(";")
    if semi >= 0:
        return value[:semi].strip(), value[semi:]
    return value.strip(), ""


def _tag(params: str) -> str | None:
    """The tag parameter, by a plain find for the usual `;tag=value` spelling."""
    i = params.find(";tag=")
    if i < 0:
        return header_param(params, "tag")
    value = params[i + 5:]
    if ";" in value or "," in value or " " in value or "\t" in value:
        return value[:_TAG_VALUE.match(value).end()]  # type: ignore[union-attr]
    return value


def _to_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    if not (text.isdigit() and text.isascii()) or len(text) > 10:
        return None
    value = int(text)
    return value if value <= 0xFFFFFFFF else None  # RFC 3261 caps CSeq at 2**31; beyond 32 bits is junk


class _Memo(dict):
    """A bounded memo of a pure function of one string (cleared when full)."""

    def __init__(self, function: object) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: str) -> object:
        value = self.function(key)  # type: ignore[operator]
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[key] = value
        return value


def _address(value: str) -> tuple[str, str, str | None]:
    """(URI, header parameters, tag) of a From/To/Contact value."""
    match = _BRACKETED(value)
    if match is not None:
        uri, params = match.groups()
        uri = uri.strip()
    else:
        uri, params = name_addr(value)
    return uri, params, _tag(params) if ";" in params else None


def _cseq(value: str) -> tuple[int | None, str | None]:
    """(number, method) of a CSeq value; SP or HTAB between them (RFC 3261 §20.16, §25.1)."""
    parts = value.split()
    if len(parts) != 2:
        return _to_int(parts[0]) if parts else None, None
    return _to_int(parts[0]), parts[1]


def _start_line(first: str) -> tuple[str | None, int | None, str | None, str | None] | str:
    """(method, status, reason, request URI) of a start line, or the problem with it."""
    if first.startswith("SIP/2.0 "):
        code, _, reason = first[8:].partition(" ")
        if len(code) != 3 or not code.isdigit():
            return f"bad status line {first[:60]!r}"
        return None, int(code), reason.strip(), None
    parts = first.split(" ")
    if len(parts) != 3 or parts[2].rstrip() != "SIP/2.0" or not parts[0]:
        return f"bad request line {first[:60]!r}"
    return parts[0], None, None, parts[1]


_ADDRESSES = _Memo(_address).__getitem__
_CSEQS = _Memo(_cseq).__getitem__
_NUMBERS = _Memo(_to_int).__getitem__
_STARTS = _Memo(_start_line).__getitem__


def parse_message(data: bytes, datagram: bool = True) -> SipFields:
    """Parse one message; a broken one comes back with `problem` set, never as an exception.

    `datagram` applies UDP framing (RFC 3261 §18.3): bytes past Content-Length are ignored and
    a message without Content-Length runs to the end of the datagram. Lines may end in CRLF or
    a bare LF; folded lines (a line starting with SP or HTAB) continue the one before.
    """
    if data[:1] in (b"\r", b"\n"):
        data = data.lstrip(b"\r\n")
    end = data.find(b"\r\n\r\n")
    sep = 4
    lf_end = data.find(b"\n\n", 0, end if end >= 0 else len(data))
    if lf_end >= 0:
        end, sep = lf_end, 2
    problem: str | None = None
    if end < 0:
        end, sep = len(data), 0
        problem = "no blank line after the headers (message cut short?)"
    text = data[:end].decode("utf-8", "replace")
    lines = text.split("\r\n")
    count = len(lines) - 1
    if text.count("\n") != count or text.count("\r") != count:  # a bare CR or LF
        lines = text.replace("\r\n", "\n").replace("\r", "").split("\n")
    start = _STARTS(lines[0])
    if type(start) is str:
        return SipFields(None, None, None, None, None, None, None, None, None, None, None, None,
                         None, None, None, {}, None, start, None)
    method, status, reason, request_uri = start
    del lines[0]
    headers, line_problem = read_headers(lines) if lines else ({}, None)
    problem = problem or line_problem
    get = headers.get
    call_id = (get("call-id") or _NO_VALUE)[0]
    cseq_v = (get("cseq") or _NO_VALUE)[0]
    from_v = (get("from") or _NO_VALUE)[0]
    to_v = (get("to") or _NO_VALUE)[0]
    contact = (get("contact") or _NO_VALUE)[0]
    via = (get("via") or _NO_VALUE)[0]
    ua = (get("user-agent") or _NO_VALUE)[0]
    if ua is None:
        ua = (get("server") or _NO_VALUE)[0]
    expires_v = (get("expires") or _NO_VALUE)[0]
    clen_v = (get("content-length") or _NO_VALUE)[0]
    body_start = end + sep
    if clen_v is not None:
        clen = _NUMBERS(clen_v)
        if clen is None:
            problem = problem or f"Content-Length is not a number: {clen_v[:30]!r}"
            body = data[body_start:] if datagram else b""
        else:
            body = data[body_start:body_start + clen]
            if len(body) < clen:
                problem = problem or (f"body cut short: Content-Length {clen} but "
                                      f"{len(body)} bytes follow the headers")
    else:
        body = data[body_start:] if datagram else b""
    if problem is None and (call_id is None or cseq_v is None or from_v is None or to_v is None
                            or via is None):
        problem = "missing " + ", ".join(
            n for n, v in (("Call-ID", call_id), ("CSeq", cseq_v), ("From", from_v),
                           ("To", to_v), ("Via", via)) if v is None)
    cseq = cseq_method = None
    if cseq_v is not None:
        cseq, cseq_method = _CSEQS(cseq_v)
        if (cseq is None or cseq_method is None) and problem is None:
            problem = f"bad CSeq {cseq_v[:40]!r}"
    from_uri = from_tag = to_uri = to_tag = contact_uri = None
    if from_v is not None:
        from_uri, _, from_tag = _ADDRESSES(from_v)
    if to_v is not None:
        to_uri, _, to_tag = _ADDRESSES(to_v)
    contact_params = ""
    if contact is not None:
        contact_uri, contact_params, _ = _ADDRESSES(contact)
    if problem is None:
        problem = rule_breaks(method, request_uri, cseq_method, (from_v, to_v, contact),
                              (from_uri, to_uri))
    branch = None
    if via:
        i = via.find(";branch=")
        if i >= 0:
            stop = via.find(";", i + 8)
            branch = (via[i + 8:] if stop < 0 else via[i + 8:stop]).strip()
        elif "branch" in via.lower():
            branch = header_param(via, "branch")
    expires = None if expires_v is None else _NUMBERS(expires_v)
    if expires is None and "expires" in contact_params.lower():
        expires = _to_int(header_param(contact_params, "expires"))
    sdp = sdp_part((get("content-type") or _NO_VALUE)[0], body) if body else None
    return SipFields(method, status, reason, request_uri, call_id, cseq, cseq_method, from_uri,
                     from_tag, to_uri, to_tag, contact_uri, via, ua, expires, headers, sdp,
                     problem, branch)




def rule_breaks(method: str | None, request_uri: str | None, cseq_method: str | None,
                addresses: tuple[str | None, ...] = (),
                uris: tuple[str | None, ...] = ()) -> str | None:
    """The first RFC 3261 rule a well-framed message breaks, as RFC 4475 §3.1.2 and RFC 5118
    test them, or None: a Request-URI in angle brackets (§25.1), an IPv6 address without
    brackets in it or in `uris` (the From and To URIs; RFC 5118 §4.1, RFC 3261 §25.1
    IPv6reference), a CSeq method other than the request's (§8.1.1.5), an unterminated quoted
    string in one of the `addresses` (From, To, Contact values; §25.1 quoted-string). Repeated
    single-value headers are found by read_headers."""
    if request_uri is not None:
        if request_uri[:1] == "<":
            return "Request-URI enclosed in <> (RFC 3261 §25.1)"
        if request_uri.count(":") > 2 and _bare_ipv6(request_uri):
            return f"IPv6 address without [] in the Request-URI {request_uri[:60]!r} (RFC 5118 §4.1)"
    if method is not None and cseq_method is not None and cseq_method != method:
        return f"CSeq method {cseq_method} differs from the request's {method} (RFC 3261 §8.1.1.5)"
    for value in addresses:
        if (value is not None and '"' in value and (value.count('"') % 2 or "\\" in value)
                and _unbalanced_quotes(value)):
            return f"unterminated quoted string in {value[:60]!r} (RFC 3261 §25.1)"
    for uri in uris:
        if uri is not None and uri.count(":") > 2 and _bare_ipv6(uri):
            return f"IPv6 address without [] in {uri[:60]!r} (RFC 5118 §4.1)"
    return None


def _bare_ipv6(uri: str) -> bool:
    """True for a sip:/sips: URI whose host is an IPv6 address written without brackets."""
    if uri.count(":") < 3 or "[" in uri:
        return False
    scheme, _, rest = uri.partition(":")
    if scheme.lower() not in ("sip", "sips"):
        return False
    host = rest.rsplit("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]
    return host.count(":") >= 2


def _unbalanced_quotes(value: str) -> bool:
    """True when a quoted string in the value is never closed (backslash escapes honoured)."""
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
    return quoted


def sdp_part(content_type: str | None, body: bytes) -> str | None:
    """The SDP of a message body: the body itself when it is `application/sdp` (or untyped and
    starts with `v=0`), or the first `application/sdp` part of a `multipart/mixed`,
    `multipart/alternative` or `multipart/related` body (RFC 5621 §3, RFC 2046 §5.1)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "application/sdp" or (not kind and body.startswith(b"v=0")):
        return body.decode("utf-8", "replace")
    if not kind.startswith("multipart/") or content_type is None:
        return None
    match = _BOUNDARY.search(content_type)
    if match is None:
        return None
    delimiter = b"--" + (match.group(1) or match.group(2)).encode()
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the close delimiter
        part = part[2:] if part.startswith(b"\r\n") else part.lstrip(b"\n")
        end = part.find(b"\r\n\r\n")
        sep = 4
        if end < 0 or 0 <= part.find(b"\n\n") < end:
            end, sep = part.find(b"\n\n"), 2
        if end < 0:
            continue
        text = part[:end].decode("utf-8", "replace")
        headers, _problem = read_headers(text.replace("\r\n", "\n").replace("\r", "").split("\n"))
        inner = part[end + sep:]
        if inner.endswith(b"\r\n"):
            inner = inner[:-2]  # the CRLF before the next delimiter belongs to it (RFC 2046)
        found = sdp_part((headers.get("content-type") or _NO_VALUE)[0] or "text/plain", inner)
        if found is not None:
            return found
    return None


def next_message(buffer: bytes, pos: int) -> tuple[int, int, int] | None:
    """Find the next whole message in a stream buffer from `pos`.

    Returns (start, end, skipped keep-alive/junk bytes) or None when more bytes are needed.
    CRLF keep-alives before a start line are skipped (RFC 3261 §7.5, RFC 5626 §4.4.1); bytes that
    are not SIP are skipped up to the next start line; Content-Length alone delimits (§18.3).
    """
    size = len(buffer)
    start = pos
    while start < size and buffer[start] in (13, 10):
        start += 1
    if start >= size:
        return None
    if START_LINE.match(buffer, start) is None:
        found = START_LINE.search(buffer, start + 1)
        if found is None:
            return None
        start = found.start()
    head_end = buffer.find(b"\r\n\r\n", start)
    sep = 4
    lf_end = buffer.find(b"\n\n", start, head_end if head_end >= 0 else size)
    if lf_end >= 0:
        head_end, sep = lf_end, 2
    if head_end < 0:
        return None
    match = _CONTENT_LENGTH.search(buffer, start, head_end)
    clen = 0
    if match is not None:
        digits = match.group(1).strip()
        clen = int(digits) if digits.isdigit() else 0
    end = head_end + sep + clen
    if end > size:
        return None
    return start, end, start - pos
