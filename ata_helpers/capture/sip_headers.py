"""SIP header fields: compact forms, comma lists, unfolding, and the full name → values parse.

The full, line-by-line rules of RFC 3261 §7.3 shared by parse_message's fallback path and its
tests; parse_message's quick path must give the same dict (see test_capture_sip_message).
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any, Callable, Iterator, NamedTuple, Self

__all__ = ["COMPACT_FORMS", "LIST_HEADERS", "HeaderLayout", "LazyHeaders", "parse_headers",
           "split_list", "unfold"]

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


class HeaderLayout(NamedTuple):
    """How the quick pass reads a header block whose names (as written, in order) are known."""

    keys: tuple[str, ...]  # lower-case long name of each line
    names: frozenset[str]  # the same, for membership tests
    starts: tuple[slice, ...]  # each line's text after its name and colon
    columns: Callable[[list], tuple]  # values list (None appended) → the column headers' values
    lists: tuple[tuple[int, str], ...]  # (line index, name) of the comma-list headers


# What a LazyHeaders holds in its dict storage until filled: one entry, so that C code that
# looks at the storage's size before calling items() (json's encoder) does call it.
_PENDING_ITEMS = {"(headers not read yet: pass dict(headers) to writers such as to_json)": None}
# pending() and from_message() build their dicts with these C calls, not through __init__:
# tens of thousands are made per capture.
_new_dict = dict.__new__
_dict_update = dict.update


class LazyHeaders(dict):
    """A message's headers dict (lower-case long name → list of values), filled on first use.

    read_sip builds tens of thousands of these and most are never read; filling one takes as
    long as parsing the rest of its message. Every dict operation fills it first, and `get`,
    `in` and `[]` on a name the message does not carry answer without filling. Pickling and
    copying give a plain dict. C code that reads a dict's storage directly without calling its
    methods (pandas' to_json) sees a placeholder: pass it `dict(headers)` instead.
    """

    __slots__ = ("_pending",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.__init__(self, *args, **kwargs)
        self._pending: tuple[list[str | None] | bytes, HeaderLayout] | None = None

    @classmethod
    def pending(cls, values: list[str], layout: HeaderLayout) -> Self:
        """Headers to be filled from a quick-pass header block's values (line order) on first use."""
        headers = _new_dict(cls)
        _dict_update(headers, _PENDING_ITEMS)
        headers._pending = (values, layout)
        return headers

    @classmethod
    def from_message(cls, message: bytes, layout: HeaderLayout) -> Self:
        """Headers to be filled on first use by reading `message` (the whole SIP message,
        whose quick-pass header block has this layout) again. parse_message gives these: one
        bytes object kept per row instead of a dozen value strings (less memory, fewer objects
        to make and free), and rows parsed in another process (parallel.py) need not send
        their header values back."""
        headers = _new_dict(cls)
        _dict_update(headers, _PENDING_ITEMS)
        headers._pending = (message, layout)
        return headers

    def _fill(self) -> None:
        values, layout = self._pending
        self._pending = None
        if type(values) is not list:
            from .sip_message import quick_header_values

            values = quick_header_values(values, layout)
        dict.clear(self)
        # [value] for each, made in C: values hold no LF, so split("\n") gives one item.
        dict.update(self, zip(layout.keys, map(str.split, values, repeat("\n"))))
        for index, name in layout.lists:
            value = values[index]
            if "," in value:
                dict.__setitem__(self, name, split_list(value))

    def _absent(self, key: object) -> bool:
        """True when the message surely lacks `key`, read without filling."""
        pending = self._pending
        return pending is not None and key not in pending[1].names

    def get(self, key: Any, default: Any = None) -> Any:
        if self._absent(key):
            return default
        if self._pending is not None:
            self._fill()
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if self._absent(key):
            return False
        if self._pending is not None:
            self._fill()
        return dict.__contains__(self, key)

    def __getitem__(self, key: Any) -> Any:
        if self._pending is not None:
            if self._absent(key):
                raise KeyError(key)
            self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self) -> Iterator[str]:
        if self._pending is not None:
            self._fill()
        return dict.__iter__(self)

    def __reversed__(self) -> Iterator[str]:
        if self._pending is not None:
            self._fill()
        return dict.__reversed__(self)

    def __len__(self) -> int:
        if self._pending is not None:
            self._fill()
        return dict.__len__(self)

    def __repr__(self) -> str:
        if self._pending is not None:
            self._fill()
        return dict.__repr__(self)

    def __eq__(self, other: object) -> bool:
        if self._pending is not None:
            self._fill()
        if isinstance(other, LazyHeaders) and other._pending is not None:
            other._fill()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        merged = dict(other)
        merged.update(self)
        return merged

    def __ior__(self, other: Any) -> Self:
        self.update(other)
        return self

    def __reduce__(self) -> tuple:
        return dict, (self.copy(),)

    def __copy__(self) -> dict[str, list[str]]:
        return self.copy()

    def __deepcopy__(self, memo: dict) -> dict[str, list[str]]:
        import copy

        return copy.deepcopy(self.copy(), memo)

    def __sizeof__(self) -> int:
        if self._pending is not None:
            self._fill()
        return dict.__sizeof__(self)

    def copy(self) -> dict[str, list[str]]:
        if self._pending is not None:
            self._fill()
        return dict(dict.items(self))

    def keys(self) -> Any:
        if self._pending is not None:
            self._fill()
        return dict.keys(self)

    def values(self) -> Any:
        if self._pending is not None:
            self._fill()
        return dict.values(self)

    def items(self) -> Any:
        if self._pending is not None:
            self._fill()
        return dict.items(self)

    def pop(self, *args: Any) -> Any:
        if self._pending is not None:
            self._fill()
        return dict.pop(self, *args)

    def popitem(self) -> tuple[str, list[str]]:
        if self._pending is not None:
            self._fill()
        return dict.popitem(self)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if self._pending is not None:
            self._fill()
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        if self._pending is not None:
            self._fill()
        dict.update(self, *args, **kwargs)

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._pending is not None:
            self._fill()
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        if self._pending is not None:
            self._fill()
        dict.__delitem__(self, key)

    def clear(self) -> None:
        self._pending = None
        dict.clear(self)

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None) -> dict:  # type: ignore[override]
        return dict.fromkeys(keys, value)
