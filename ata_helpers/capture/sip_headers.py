"""SIP header fields: compact forms, comma lists, unfolding, and the full name → values parse.

The full, line-by-line rules of RFC 3261 §7.3 shared by parse_message's fallback path and its
tests; parse_message's quick path must give the same dict (see test_capture_sip_message).
"""

from __future__ import annotations

import re

__all__ = ["COMPACT_FORMS", "LIST_HEADERS", "parse_headers", "split_list", "unfold"]

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

_HEADER = re.compile(r"^([^:\n]+):[ \t]*([^\n]*)", re.M)
_FOLD = re.compile(r"\n[ \t]+")


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


def unfold(text: str) -> str:
    """A header block with CRs dropped (CRLF → LF, bare CR removed) and folded lines joined."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "")
    if "\n " in text or "\n\t" in text:
        text = _FOLD.sub(" ", text)
    return text


def parse_headers(text: str) -> dict[str, list[str]]:
    """The header lines of an unfolded, LF-only header block, as name → list of values.

    Names are lower-cased with compact forms mapped to long names; comma lists are split for
    the headers RFC 3261 allows it for; repeated headers are joined in order.
    """
    headers: dict[str, list[str]] = {}
    compact = COMPACT_FORMS
    lists = LIST_HEADERS
    for name, value in _HEADER.findall(text):
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
    return headers
