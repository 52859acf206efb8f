"""Parse one SIP message by RFC 3261's rules, and split a TCP byte stream into messages.

Hand-written (not dpkt.sip or sipmessage) because the course needs what neither does: compact
forms mapped to long names, folded lines, bare-LF tolerance, unknown methods, Content-Length
framing on streams, bodies on 1xx responses, and a malformed message kept as a row with its
reason instead of an exception. See shared/reference/sip-pcap.md §2 for the rule table.
"""

from __future__ import annotations

import re
from itertools import islice, repeat
from operator import getitem, itemgetter
from typing import NamedTuple

from .sip_headers import (COMPACT_FORMS, LIST_HEADERS, HeaderLayout, LazyHeaders, parse_headers,
                          split_list, unfold)

__all__ = ["SipFields", "COMPACT_FORMS", "looks_like_sip", "parse_message", "next_message",
           "quick_header_values",
           "split_list", "name_addr", "header_param"]

_REQUEST_LINE = re.compile(rb"[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*(?:\r?\n|$)")
_START = re.compile(rb"(?:SIP/2\.0 \d{3}|[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*\r?\n)")
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)", re.I | re.M)
# The name of each header line of a CRLF-only block, as written.
_NAME = re.compile(r"\r\n([^:\r]*):")
# The single-valued headers the columns are made of, in the order parse_message unpacks them.
_COLUMN_HEADERS = ("call-id", "cseq", "from", "to", "user-agent", "server", "expires",
                   "content-length", "content-type", "contact", "via")
_NOT_A_NAME = "\n"  # what _Canonical gives a name the full parse would read differently
_MISSING = object()
_CACHE_SIZE = 4096
_LAYOUTS: dict[tuple[str, ...], HeaderLayout | None] = {}
_ADDRESSES: dict[str, tuple[str, str, str | None]] = {}
_CSEQS: dict[str, tuple[int | None, str | None]] = {}
_NUMBERS: dict[str, int | None] = {}
_STARTS: dict[str, tuple[str | None, int | None, str | None, str | None] | str] = {}
_new_fields = tuple.__new__
_headers_from_message = LazyHeaders.from_message
_TAG_VALUE = re.compile(r"[^;, \t]*")
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
    return _REQUEST_LINE.match(payload) is not None


def header_param(params: str, name: str) -> str | None:
    """Value of `;name=value` in a header's parameter string (name case-insensitive)."""
    if name not in params and name.lower() not in params.lower():
        return None
    pattern = _PARAM_CACHE.get(name)
    if pattern is None:
        pattern = re.compile(r";\s*" + re.escape(name) + r"\s*(?:=\s*(\"[^\"]*\"|[^;,\s]*))?",
                             re.I)
        _PARAM_CACHE[name] = pattern
    match = pattern.search(params)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else ""


def name_addr(value: str) -> tuple[str, str]:
    """(URI, header parameters) of a name-addr (`"D" <uri>;p`) or addr-spec (`uri;p`)."""
    search_from = 0
    if value.startswith('"'):
        close = value.find('"', 1)  # no backslash before it: the loop below stops there at once
        i = close if close > 0 and "\\" not in value[1:close] else 1
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
        return _TAG_VALUE.match(value).group()
    return value


def _to_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    if not (text.isdigit() and text.isascii()) or len(text) > 10:
        return None
    value = int(text)
    return value if value <= 0xFFFFFFFF else None  # RFC 3261 caps CSeq at 2**31; beyond 32 bits is junk


def _malformed(problem: str, headers: dict[str, list[str]] | None = None,
               start: tuple = (None, None, None, None)) -> SipFields:
    return SipFields(start[0], start[1], start[2], start[3], None, None, None, None, None, None,
                     None, None, None, None, None, headers or {}, None, problem, None)


class _Canonical(dict):
    """Header name as written → lower-case long name, as parse_headers spells it (memoised).

    Only for the ASCII names of the quick pass, where str.rstrip() strips just blanks. A name
    that is empty or starts with a blank (a folded line) maps to _NOT_A_NAME, so the message
    is parsed in full.
    """

    def __missing__(self, name: str) -> str:
        if not name or name[0] in " \t":
            canon = _NOT_A_NAME
        else:
            canon = name.lower().rstrip(" \t")
            if len(canon) == 1:
                canon = COMPACT_FORMS.get(canon, canon)
        if len(self) < _CACHE_SIZE:
            self[name] = canon
        return canon


_CANON = _Canonical()
_canonical = _CANON.__getitem__


def _address(value: str) -> tuple[str, str, str | None]:
    """(URI, header parameters, tag) of a From/To/Contact value, memoised in _ADDRESSES.

    Every message of a dialog repeats the same From and To, and a registration repeats its
    Contact, so most lookups hit.
    """
    match = _BRACKETED(value)
    if match is not None:
        uri, params = match.groups()
        uri = uri.strip()
    else:
        uri, params = name_addr(value)
    hit = (uri, params, _tag(params) if "tag" in params else None)
    if len(_ADDRESSES) >= _CACHE_SIZE:
        _ADDRESSES.clear()
    _ADDRESSES[value] = hit
    return hit


def _cseq(value: str) -> tuple[int | None, str | None]:
    """(number, method) of a CSeq value, memoised in _CSEQS ("1 INVITE" recurs in every call)."""
    num, _, method = value.partition(" ")
    hit = (_to_int(num), method.strip() or None)
    if len(_CSEQS) >= _CACHE_SIZE:
        _CSEQS.clear()
    _CSEQS[value] = hit
    return hit


def _start_line(first: str) -> tuple[str | None, int | None, str | None, str | None] | str:
    """(method, status, reason, request URI) of a start line, or the problem with it;
    memoised in _STARTS (status lines and in-dialog requests' lines recur)."""
    hit: tuple[str | None, int | None, str | None, str | None] | str
    if first.startswith("SIP/2.0 "):
        code, _, reason = first[8:].partition(" ")
        if len(code) != 3 or not code.isdigit():
            hit = f"bad status line {first[:60]!r}"
        else:
            hit = (None, int(code), reason.strip(), None)
    else:
        parts = first.split(" ")
        if len(parts) != 3 or parts[2].rstrip() != "SIP/2.0" or not parts[0]:
            hit = f"bad request line {first[:60]!r}"
        else:
            hit = (parts[0], None, None, parts[1])
    if len(_STARTS) >= _CACHE_SIZE:
        _STARTS.clear()
    _STARTS[first] = hit
    return hit


def _number(value: str) -> int | None:
    """_to_int memoised in _NUMBERS (Content-Length and Expires values recur)."""
    hit = _to_int(value)
    if len(_NUMBERS) >= _CACHE_SIZE:
        _NUMBERS.clear()
    _NUMBERS[value] = hit
    return hit


def _layout(names: tuple[str, ...], count: int) -> HeaderLayout | None:
    """The _Layout for these header names, memoised in _LAYOUTS; None when the full parse must
    read the block (a line without a colon, an odd name, a repeated header)."""
    keys = tuple(map(_canonical, names))
    layout = None
    if len(keys) == count and _NOT_A_NAME not in keys and len(set(keys)) == count:
        where = {key: index for index, key in enumerate(keys)}
        layout = HeaderLayout(keys, frozenset(keys),
                              tuple(slice(len(name) + 1, None) for name in names),
                              itemgetter(*(where.get(key, count) for key in _COLUMN_HEADERS)),
                              tuple((index, key) for index, key in enumerate(keys)
                                    if key in LIST_HEADERS))
    if len(_LAYOUTS) >= _CACHE_SIZE:
        _LAYOUTS.clear()
    _LAYOUTS[names] = layout
    return layout


def quick_header_values(data: bytes, layout: HeaderLayout) -> list[str | None]:
    """The values list (None appended) of `data`'s header block, which the quick pass of
    parse_message read with this `layout`: what LazyHeaders fills itself from."""
    if data[:1] in (b"\r", b"\n"):
        data = data.lstrip(b"\r\n")
    text = data[:data.find(b"\r\n\r\n")].decode("utf-8", "replace")
    values: list[str | None] = list(map(
        str.strip, map(getitem, islice(text.split("\r\n"), 1, None), layout.starts),
        repeat(" \t")))
    values.append(None)
    return values


def parse_message(data: bytes, datagram: bool = True) -> SipFields:
    """Parse one message; a broken one comes back with `problem` set, never as an exception.

    `datagram` applies UDP framing (RFC 3261 §18.3): bytes past Content-Length are ignored and
    a message without Content-Length runs to the end of the datagram.

    A quick pass splits the header block with C-level calls (str.split, one regex for the
    names, map/zip) and reads the columns through a _Layout memoised by the header names, so
    no Python loop runs per line. Header blocks where it could differ from the full rules (bare
    CR or LF, folded lines, non-ASCII or control characters, lines without a colon, a repeated
    header, long and compact forms together) take the full parse.
    """
    if data[:1] in (b"\r", b"\n"):
        data = data.lstrip(b"\r\n")
    end = data.find(b"\r\n\r\n")
    sep = 4
    problem: str | None = None
    headers: dict[str, list[str]] | None = None
    # The quick pass: a header block of CRLF lines only (so no bare-LF blank line can end it
    # sooner), ASCII without the control characters str.rstrip counts as blanks. As many lines
    # as CRs and LFs means no CR or LF stands alone; as many names (each match starts at its
    # own CRLF) as lines means every line has a colon.
    text = data[:end].decode("utf-8", "replace") if end > 0 else ""
    lines = text.split("\r\n")
    count = len(lines) - 1
    if (count and text.isascii() and count == text.count("\r") == text.count("\n")
            and "\x0b" not in text and "\x0c" not in text and "\x1c" not in text
            and "\x1d" not in text and "\x1e" not in text and "\x1f" not in text):
        names = tuple(_NAME.findall(text))
        layout = _LAYOUTS.get(names, _MISSING)
        if layout is _MISSING:
            layout = _layout(names, count)
        if layout is not None:
            # The value of each line: after its name and colon, without blanks around it.
            values = list(map(str.strip, map(getitem, islice(lines, 1, None), layout.starts),
                              repeat(" \t")))
            values.append(None)
            # Kept for filling the headers later: a copy if the caller may change it.
            headers = _headers_from_message(data if type(data) is bytes else bytes(data),
                                            layout)
            (call_id, cseq_v, from_v, to_v, ua, server, expires_v, clen_v, ctype, contact,
             via) = layout.columns(values)
            if ua is None:
                ua = server
            if contact is not None and "," in contact:
                contact = _first_listed(contact)
            if via is not None and "," in via:
                via = _first_listed(via)
            first = lines[0]
    if headers is None:
        lf_end = data.find(b"\n\n", 0, end if end >= 0 else len(data))
        if lf_end >= 0:
            end, sep = lf_end, 2
        if end < 0:
            end = len(data)
            sep = 0
            problem = "no blank line after the headers (message cut short?)"
        text = unfold(data[:end].decode("utf-8", "replace"))
        first, _, rest = text.partition("\n")
        headers = parse_headers(rest)
        for line in rest.split("\n"):
            if ":" not in line and line.strip():
                problem = problem or f"header line without a colon: {line[:60]!r}"
                break
        first_of = _first_value
        call_id = first_of(headers, "call-id")
        cseq_v = first_of(headers, "cseq")
        from_v = first_of(headers, "from")
        to_v = first_of(headers, "to")
        contact = first_of(headers, "contact")
        via = first_of(headers, "via")
        ua = first_of(headers, "user-agent")
        if ua is None:
            ua = first_of(headers, "server")
        expires_v = first_of(headers, "expires")
        clen_v = first_of(headers, "content-length")
        ctype = first_of(headers, "content-type")
    start = _STARTS.get(first)
    if start is None:
        start = _start_line(first)
    if type(start) is str:
        return _malformed(start)
    method, status, reason, request_uri = start
    body_start = end + sep
    if clen_v is not None:
        clen = _NUMBERS.get(clen_v, _MISSING)
        if clen is _MISSING:
            clen = _number(clen_v)
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
        hit = _CSEQS.get(cseq_v)
        cseq, cseq_method = hit if hit is not None else _cseq(cseq_v)
        if (cseq is None or cseq_method is None) and problem is None:
            problem = f"bad CSeq {cseq_v[:40]!r}"
    from_uri = from_tag = to_uri = to_tag = contact_uri = None
    addresses = _ADDRESSES.get
    if from_v is not None:
        from_uri, _, from_tag = addresses(from_v) or _address(from_v)
    if to_v is not None:
        to_uri, _, to_tag = addresses(to_v) or _address(to_v)
    contact_params = ""
    if contact is not None:
        contact_uri, contact_params, _ = addresses(contact) or _address(contact)
    branch = None
    if via:
        i = via.find(";branch=")
        if i >= 0:
            stop = via.find(";", i + 8)
            branch = (via[i + 8:] if stop < 0 else via[i + 8:stop]).strip()
        elif "branch" in via.lower():
            branch = header_param(via, "branch")
    expires = None
    if expires_v is not None:
        expires = _NUMBERS.get(expires_v, _MISSING)
        if expires is _MISSING:
            expires = _number(expires_v)
    if expires is None and "expires" in contact_params:
        expires = _to_int(header_param(contact_params, "expires"))
    sdp = None
    if body and ((ctype is not None and "sdp" in ctype.lower())
                 or (ctype is None and body.startswith(b"v=0"))):
        sdp = body.decode("utf-8", "replace")
    return _new_fields(SipFields, (method, status, reason, request_uri, call_id, cseq,
                                   cseq_method, from_uri, from_tag, to_uri, to_tag, contact_uri,
                                   via, ua, expires, headers, sdp, problem, branch))


def _first_listed(value: str) -> str | None:
    """First item of a comma-list header value, as headers[name][0] would give it."""
    items = split_list(value)
    return items[0] if items else None


def _first_value(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


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
    if _START.match(buffer, start) is None:
        found = _START.search(buffer, start + 1)
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
