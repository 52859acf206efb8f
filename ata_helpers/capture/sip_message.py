"""Parse one SIP message by RFC 3261's rules, and split a TCP byte stream into messages.

Hand-written (not dpkt.sip or sipmessage) because the course needs what neither does: compact
forms mapped to long names, folded lines, bare-LF tolerance, unknown methods, Content-Length
framing on streams, bodies on 1xx responses, and a malformed message kept as a row with its
reason instead of an exception. See shared/reference/sip-pcap.md §2 for the rule table.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SipFields", "COMPACT_FORMS", "looks_like_sip", "parse_message", "next_message",
           "split_list", "name_addr", "header_param"]

COMPACT_FORMS = {
    "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
    "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via",
    "a": "accept-contact", "u": "allow-events", "o": "event", "y": "identity", "r": "refer-to",
    "b": "referred-by", "j": "reject-contact", "d": "request-disposition", "x": "session-expires",
    "n": "identity-info",
}
# Headers whose value is a comma-separated list (RFC 3261 §7.3.1); the auth headers are not.
LIST_HEADERS = frozenset({
    "via", "contact", "route", "record-route", "path", "service-route", "allow", "supported",
    "require", "proxy-require", "unsupported", "accept", "accept-encoding", "accept-language",
    "allow-events", "content-encoding", "in-reply-to", "alert-info", "call-info", "error-info",
    "history-info", "p-asserted-identity", "reason", "security-client", "security-server",
    "security-verify", "accept-contact", "reject-contact", "request-disposition",
})

_REQUEST_LINE = re.compile(rb"[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*(?:\r?\n|$)")
_START = re.compile(rb"(?:SIP/2\.0 \d{3}|[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*\r?\n)")
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)", re.I | re.M)
_FOLD = re.compile(r"\n[ \t]+")
_HEADER = re.compile(r"^([^:\n]+):[ \t]*([^\n]*)", re.M)
_PARAM_CACHE: dict[str, re.Pattern[str]] = {}


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


def split_list(value: str) -> list[str]:
    """Split a comma-list header value, ignoring commas inside quotes and <...>."""
    if "," not in value:
        return [value]
    if '"' not in value and "<" not in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    parts: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    start = 0
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif quoted:
            if ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif ch == "," and depth == 0:
            part = value[start:i].strip()
            if part:
                parts.append(part)
            start = i + 1
    part = value[start:].strip()
    if part:
        parts.append(part)
    return parts


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
    start = i + 5
    end = start
    size = len(params)
    while end < size and params[end] not in ";, \t":
        end += 1
    return params[start:end]


def _to_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() and text.isascii() else None


def _malformed(problem: str, headers: dict[str, list[str]] | None = None,
               start: tuple = (None, None, None, None)) -> SipFields:
    return SipFields(start[0], start[1], start[2], start[3], None, None, None, None, None, None,
                     None, None, None, None, None, headers or {}, None, problem, None)


def parse_message(data: bytes, datagram: bool = True) -> SipFields:
    """Parse one message; a broken one comes back with `problem` set, never as an exception.

    `datagram` applies UDP framing (RFC 3261 §18.3): bytes past Content-Length are ignored and
    a message without Content-Length runs to the end of the datagram.
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
        end = len(data)
        sep = 0
        problem = "no blank line after the headers (message cut short?)"
    text = data[:end].decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "")
    if "\n " in text or "\n\t" in text:
        text = _FOLD.sub(" ", text)
    lines = text.split("\n")
    first = lines[0]
    method = reason = request_uri = None
    status: int | None = None
    if first.startswith("SIP/2.0 "):
        code, _, reason = first[8:].partition(" ")
        if len(code) != 3 or not code.isdigit():
            return _malformed(f"bad status line {first[:60]!r}")
        status = int(code)
        reason = reason.strip()
    else:
        parts = first.split(" ")
        if len(parts) != 3 or parts[2].rstrip() != "SIP/2.0" or not parts[0]:
            return _malformed(f"bad request line {first[:60]!r}")
        method, request_uri = parts[0], parts[1]
    start = (method, status, reason, request_uri)
    headers: dict[str, list[str]] = {}
    body_text = text[len(first) + 1:] if len(lines) > 1 else ""
    pairs = _HEADER.findall(body_text)
    if len(pairs) != len(lines) - 1:
        for line in lines[1:]:
            if ":" not in line and line.strip():
                problem = problem or f"header line without a colon: {line[:60]!r}"
                break
    compact = COMPACT_FORMS
    lists = LIST_HEADERS
    for name, value in pairs:
        name = name.lower()
        if name[-1] in " \t":
            name = name.rstrip()
        if value and value[-1] in " \t":
            value = value.rstrip()
        if len(name) == 1:
            name = compact.get(name, name)
        if "," in value and name in lists:
            values = split_list(value)
        else:
            values = [value]
        existing = headers.get(name)
        if existing is None:
            headers[name] = values
        else:
            existing.extend(values)
    get = headers.get
    body_start = end + sep
    clen_values = get("content-length")
    if clen_values is not None:
        clen = _to_int(clen_values[0])
        if clen is None:
            problem = problem or f"Content-Length is not a number: {clen_values[0][:30]!r}"
            body = data[body_start:] if datagram else b""
        else:
            body = data[body_start:body_start + clen]
            if len(body) < clen:
                problem = problem or (f"body cut short: Content-Length {clen} but "
                                      f"{len(body)} bytes follow the headers")
    else:
        body = data[body_start:] if datagram else b""
    call_id = get("call-id")
    cseq_v = get("cseq")
    from_v = get("from")
    to_v = get("to")
    via_v = get("via")
    if problem is None:
        missing = [n for n, v in (("Call-ID", call_id), ("CSeq", cseq_v), ("From", from_v),
                                  ("To", to_v), ("Via", via_v)) if not v]
        if missing:
            problem = "missing " + ", ".join(missing)
    cseq = cseq_method = None
    if cseq_v:
        num, _, cmeth = cseq_v[0].partition(" ")
        cseq = _to_int(num)
        cseq_method = cmeth.strip() or None
        if (cseq is None or cseq_method is None) and problem is None:
            problem = f"bad CSeq {cseq_v[0][:40]!r}"
    from_uri = from_tag = to_uri = to_tag = contact_uri = None
    if from_v:
        from_uri, params = name_addr(from_v[0])
        from_tag = _tag(params) if "tag" in params else None
    if to_v:
        to_uri, params = name_addr(to_v[0])
        to_tag = _tag(params) if "tag" in params else None
    contact_v = get("contact")
    contact_params = ""
    if contact_v:
        contact_uri, contact_params = name_addr(contact_v[0])
    via = via_v[0] if via_v else None
    branch = None
    if via:
        i = via.find(";branch=")
        if i >= 0:
            end = via.find(";", i + 8)
            branch = (via[i + 8:] if end < 0 else via[i + 8:end]).strip()
        elif "branch" in via.lower():
            branch = header_param(via, "branch")
    ua = get("user-agent") or get("server")
    expires_v = get("expires")
    expires = _to_int(expires_v[0]) if expires_v else None
    if expires is None and "expires" in contact_params:
        expires = _to_int(header_param(contact_params, "expires"))
    sdp = None
    if body:
        ctype = get("content-type")
        if (ctype and "sdp" in ctype[0].lower()) or (not ctype and body.startswith(b"v=0")):
            sdp = body.decode("utf-8", "replace")
    return SipFields(method, status, reason, request_uri, call_id[0] if call_id else None,
                     cseq, cseq_method, from_uri, from_tag, to_uri, to_tag, contact_uri, via,
                     ua[0] if ua else None, expires, headers, sdp, problem, branch)


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
