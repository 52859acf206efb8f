"""SIP header fields (RFC 3261 §7.3): compact forms, comma lists, unfolding, name → values."""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["COMPACT_FORMS", "LIST_HEADERS", "SINGLE_VALUED", "NOT_A_NAME", "read_headers",
           "split_list", "unfold"]

COMPACT_FORMS = {
    "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
    "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via",
    "a": "accept-contact", "u": "allow-events", "o": "event", "y": "identity", "r": "refer-to",
    "b": "referred-by", "j": "reject-contact", "d": "request-disposition", "x": "session-expires",
    "n": "identity-info",
}
# Headers that take one value (RFC 3261 §7.3.1, §20): a second one breaks the message.
SINGLE_VALUED = frozenset({"call-id", "cseq", "from", "to", "max-forwards", "content-length"})
# Headers whose value is a comma-separated list (RFC 3261 §7.3.1); the auth headers are not.
LIST_HEADERS = frozenset({
    "via", "contact", "route", "record-route", "path", "service-route", "allow", "supported",
    "require", "proxy-require", "unsupported", "accept", "accept-encoding", "accept-language",
    "allow-events", "content-encoding", "in-reply-to", "alert-info", "call-info", "error-info",
    "history-info", "p-asserted-identity", "reason", "security-client", "security-server",
    "security-verify", "accept-contact", "reject-contact", "request-disposition",
})

_CACHE_SIZE = 4096
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


class _Canonical(dict):
    """Header name as written → its lower-case long name (RFC 3261 §7.3.3 compact forms),
    memoised: a pure function of the name, so nothing of one message is reused for another.
    A name that is empty or starts with a blank (a folded line) maps to NOT_A_NAME."""

    def __missing__(self, name: str) -> str:
        if not name or name[0] in " \t":
            canon = NOT_A_NAME
        else:
            canon = name.lower().rstrip(" \t")
            if len(canon) == 1:
                canon = COMPACT_FORMS.get(canon, canon)
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[name] = canon
        return canon


NOT_A_NAME = "\n"
_CANONICAL = _Canonical().__getitem__


def read_headers(lines: Iterable[str]) -> tuple[dict[str, list[str]], str | None]:
    """(name → values, problem) of a message's header lines (after the start line, without
    line ends). Names are lower-case long names; values lose the SP/HTAB around them; comma
    lists are split for the headers RFC 3261 §7.3.1 allows it for; repeated headers keep every
    value in order. A line starting with SP/HTAB continues the one before (folding, joined with
    one SP). A line without a colon is left out and named in `problem`; the other lines read
    as if it were absent."""
    headers: dict[str, list[str]] = {}
    problem = None
    values: list[str] | None = None
    canonical = _CANONICAL
    for line in lines:
        name, colon, value = line.partition(":")
        key = canonical(name)
        if key is NOT_A_NAME or not colon:
            if line[:1] in (" ", "\t") and values is not None:
                values[-1] = (values[-1] + " " + line.strip(" \t")).lstrip(" ")
            elif line.strip(" \t") and problem is None:
                problem = f"header line without a colon: {line[:60]!r}"
            continue
        values = headers.get(key)
        if values is None:
            values = headers[key] = [value.strip(" \t")]
        else:
            value = value.strip(" \t")
            if problem is None and key in SINGLE_VALUED and (key != "content-length"
                                                               or value not in values):
                problem = (f"{key} appears more than once; it takes one value "
                           "(RFC 3261 §7.3.1, §20.14)")
            values.append(value)
    for key in LIST_HEADERS.intersection(headers):
        items = headers[key]
        if len(items) == 1:
            if "," in items[0]:
                headers[key] = split_list(items[0])
        else:
            headers[key] = [part for item in items for part in split_list(item)]
    return headers, problem
