"""Rewrite the identifying parts of SIP messages and SDP bodies, and fix Content-Length.

One left-to-right pass of one regular expression per header kind, so no replacement is read
twice: display names (in name-addr headers), digest parameters (`username`, `realm`, `nonce`,
`cnonce`, `response`, `opaque`), SIP/SIPS/TEL URIs (user part and host), UUIDs, Twilio SIDs, MAC
addresses, IPv4 and IPv6 literals, host names after `@`, `//`, a Via's transport or an SDP
`IN IP4`/`IN IP6`, phone numbers, SDP `o=` user names and `e=`/`p=` lines, and any user name or
number met anywhere else in the capture. A domain label met in a host is replaced only where it is
a host label again — in a dotted host name anywhere (`invite.example.com`), or alone where a host
stands (after `@`, `//`, a Via's transport, `IN IP4`) — never as a word: a label `invite`, `ack` or
`ht801` leaves the method names, header names and product names (User-Agent, Server) as they are.
The same code runs first with a recorder (to learn every original value), then with the keyed
stand-ins.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterable, Protocol

from ..sip_headers import COMPACT_FORMS
from ..sip_message import next_message

__all__ = ["Mapper", "Recorder", "SipRewriter", "host_labels", "keyed_labels"]

# Headers whose values are name-addr lists that may carry display names (RFC 3261 §20, RFC 3325).
NAME_ADDR_HEADERS = frozenset({
    "from", "to", "contact", "reply-to", "refer-to", "referred-by", "p-asserted-identity",
    "p-preferred-identity", "remote-party-id", "diversion", "history-info", "p-called-party-id",
    "route", "record-route", "path", "service-route", "identity",
})
_TWILIO_HOST = re.compile(r"^(?P<label>[a-z0-9-]+)(?P<rest>\.sip(?:\.[a-z0-9-]+)?\.twilio\.com)$")
_TWILIO_EDGES = frozenset({"us1", "us2", "ie1", "de1", "jp1", "sg1", "au1", "br1"})
# Where a host stands: after a URI's `@`, `//`, a Via's transport (RFC 3261 §20.42), an SDP
# connection or origin address (RFC 4566 §5.2, §5.7).
_HOST_PREFIX = r"(?:@|//|SIP/2\.0/[A-Za-z]+[ \t]+|\bIN[ \t]+IP[46][ \t]+)"
# A dotted host name: labels, then a top-level label that starts with a letter (not a version 1.0.19).
_DOTTED = r"""(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"""
_PHONE = re.compile(r"^\+?[0-9][0-9().-]*$")

_ALTERNATIVES = {
    "dparam": r"""(?P<dparam>\b(?P<dname>username|realm|c?nonce|response|opaque|nextnonce|rspauth)[ \t]*=[ \t]*
                   (?P<dq>"?)(?P<dval>[^",\s]*)(?P=dq))""",
    "uri": r"""(?P<uri>\b(?P<scheme>sips?|tel):(?P<urest>\[[0-9A-Fa-f:.]+\](?::\d+)?|[^\s<>"',;?]+))""",
    "sdp": r"""(?m:^(?P<ohead>o=)(?P<ouser>\S+)) | (?m:^(?P<ehead>[ep]=)(?P<evalue>[^\r\n]+))""",
    "uuid": r"""(?P<uuid>\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b)""",
    "sid": r"""(?P<sid>\b[A-Z]{2}[0-9a-f]{32}\b)""",
    "mac": r"""(?P<mac>(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}(?![0-9A-Fa-f:-]))""",
    "ip4": r"""(?P<ip4>(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d))""",
    "ip6": r"""(?P<ip6>\[[0-9A-Fa-f:.]{2,45}\]|(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}
                (?::(?:\d{1,3}\.){3}\d{1,3})?(?![\w:]))""",
    "host": r"""(?P<hpre>""" + _HOST_PREFIX + r""")
                (?P<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z])(?![\w-])""",
    # a one-label host in a Via's sent-by or an SDP address (a URI's host is read with the URI)
    "shost": r"""(?P<spre>SIP/2\.0/[A-Za-z]+[ \t]+|\bIN[ \t]+IP[46][ \t]+)
                 (?P<shost>[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?=[ \t]*(?:[:;,\r\n]|\Z))""",
    "num": r"""(?P<num>(?<!\d)\+?\d{7,15}(?!\d))""",
}
_DISPLAY = r"""(?P<dn>"(?:[^"\\\r\n]|\\.)*"(?=[ \t]*<)|(?<![^\s,])[^"<>,;:\s][^"<>,;\r\n]*?(?=[ \t]*<))"""
# Product names: a firmware version such as 1.0.25.5 is not an address, and model names stay.
_PRODUCT_HEADERS = frozenset({"user-agent", "server"})


class Mapper(Protocol):
    """What the rewriter asks for each kind of value (see pseudonyms.Pseudonyms)."""

    def ip_text(self, text: str) -> str: ...
    def number(self, number: str) -> str: ...
    def user(self, user: str) -> str: ...
    def label(self, label: str) -> str: ...
    def display(self, name: str) -> str: ...
    def token(self, value: str) -> str: ...
    def mac(self, mac: bytes) -> bytes: ...


class Recorder:
    """A Mapper that changes nothing and remembers every original it was shown."""

    def __init__(self) -> None:
        self.ips: set[str] = set()
        self.numbers: set[str] = set()
        self.users: set[str] = set()
        self.labels: set[str] = set()
        self.displays: set[str] = set()
        self.tokens: set[str] = set()

    def ip_text(self, text: str) -> str:
        self.ips.add(text)
        return text

    def number(self, number: str) -> str:
        self.numbers.add(number)
        return number

    def user(self, user: str) -> str:
        self.users.add(user)
        return user

    def label(self, label: str) -> str:
        self.labels.add(label.lower())
        return label

    def display(self, name: str) -> str:
        self.displays.add(name)
        return name

    def token(self, value: str) -> str:
        self.tokens.add(value)
        return value

    def mac(self, mac: bytes) -> bytes:
        return mac

    def originals(self) -> set[str]:
        """Every value a stand-in must not reproduce."""
        return self.ips | self.numbers | self.users | self.labels | self.displays | self.tokens


class SipRewriter:
    """Rewrite SIP text with a Mapper; `users`/`numbers`/`labels` are swept wherever else they appear."""

    def __init__(self, mapper: Mapper, users: Iterable[str] = (), numbers: Iterable[str] = (),
                 labels: Iterable[str] = ()) -> None:
        self.mapper = mapper
        self.numbers = {n.lstrip("+") for n in numbers}
        self.users = set(users)
        self.labels = {label.lower() for label in labels}
        known = []
        # user names are case-sensitive (RFC 3261 §19.1.4): swept wherever they appear
        words = sorted((w for w in self.users if len(w) >= 3), key=len, reverse=True)
        if words:
            alternatives = "|".join(re.escape(w) for w in words)
            known.append(rf"(?P<kuser>(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9]))")
        if self.labels:
            # domain labels only where they are host labels: a one-label host where a host stands,
            # or a dotted name anywhere (checked in _replace); a method or product name is a word
            alternatives = "|".join(re.escape(w) for w in sorted(self.labels, key=len, reverse=True))
            known.append(rf"(?P<lpre>@|//)(?P<klabel>(?i:{alternatives}))(?![\w.-]|/\d)")
            known.append(rf"(?P<dotted>(?<![\w.-]){_DOTTED})(?![\w-]|\.[\w-])")
        common = list(_ALTERNATIVES.values())
        self._plain = re.compile("|".join(common + known), re.VERBOSE)
        self._names = re.compile("|".join([_DISPLAY] + common + known), re.VERBOSE)
        product = [_ALTERNATIVES[k] for k in ("uuid", "mac", "sid", "host")]
        self._product = re.compile("|".join(product + known), re.VERBOSE)

    # -- whole payloads ---------------------------------------------------------------------------
    def rewrite_stream(self, data: bytes) -> bytes:
        """Rewrite every message of a datagram or TCP byte run; bytes between messages are swept."""
        return b"".join(new for _start, _end, new in self.pieces(data))

    def pieces(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """(start, end, new bytes) for each message and each run between messages, covering `data`."""
        out: list[tuple[int, int, bytes]] = []
        pos = 0
        while pos < len(data):
            found = next_message(data, pos)
            if found is None:
                out.append((pos, len(data), self.rewrite_message(data[pos:], whole=False)))
                break
            start, end, _skipped = found
            if start > pos:
                out.append((pos, start, self.sweep(data[pos:start])))
            out.append((start, end, self.rewrite_message(data[start:end])))
            pos = end
        return out

    def sweep(self, data: bytes) -> bytes:
        """Rewrite identifying values in text that is not a whole SIP message."""
        return self._plain.sub(self._replace, data.decode("latin-1")).encode("latin-1")

    def rewrite_message(self, data: bytes, whole: bool = True) -> bytes:
        """One SIP message: start line, each header, body; Content-Length follows the body.

        A message cut short (`whole=False`) keeps its Content-Length offset by the body's change.
        """
        text = data.decode("latin-1")
        head_end, sep = text.find("\r\n\r\n"), 4
        lf = text.find("\n\n", 0, head_end if head_end >= 0 else len(text))
        if lf >= 0:
            head_end, sep = lf, 2
        if head_end < 0:
            return self._rewrite_head(text, None).encode("latin-1")
        head, body = text[:head_end], text[head_end + sep:]
        new_body = self._plain.sub(self._replace, body)
        change = len(new_body.encode("latin-1")) - len(body.encode("latin-1"))
        new_head = self._rewrite_head(head, (len(body), change, whole))
        return (new_head + text[head_end:head_end + sep] + new_body).encode("latin-1")

    def _rewrite_head(self, head: str, body: tuple[int, int, bool] | None) -> str:
        lines = re.split(r"(\r?\n)", head)
        # lines alternates text, newline, text, …; continuation lines join the header before them
        out: list[str] = []
        current_name = ""
        for index in range(0, len(lines), 2):
            line = lines[index]
            newline = lines[index + 1] if index + 1 < len(lines) else ""
            if index == 0:
                out.append(self._plain.sub(self._replace, line) + newline)
                continue
            if line[:1] in (" ", "\t"):
                name = current_name
                value_start = 0
            else:
                colon = line.find(":")
                if colon < 0:
                    out.append(self._plain.sub(self._replace, line) + newline)
                    continue
                raw_name = line[:colon].strip().lower()
                name = current_name = COMPACT_FORMS.get(raw_name, raw_name)
                value_start = colon + 1
            prefix, value = line[:value_start], line[value_start:]
            if name == "content-length" and body is not None and value.strip().isdigit():
                length, change, whole = body
                new_length = length + change if whole else int(value.strip()) + change
                value = re.sub(r"\d+", str(max(new_length, 0)), value, count=1)
            else:
                pattern = (self._names if name in NAME_ADDR_HEADERS else
                           self._product if name in _PRODUCT_HEADERS else self._plain)
                value = pattern.sub(self._replace, value)
            out.append(prefix + value + newline)
        return "".join(out)

    # -- one match --------------------------------------------------------------------------------
    def _replace(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        mapper = self.mapper
        if g.get("dn"):
            return self._display(g["dn"])
        if g.get("kuser"):
            return mapper.user(g["kuser"])
        if g.get("klabel"):
            return g["lpre"] + self.host(g["klabel"])
        if g.get("dotted"):
            name = g["dotted"]
            known = self.labels.intersection(keyed_labels(name))
            return self.host(name) if known else name
        if g.get("dparam"):
            return self._digest(m)
        if g.get("uri"):
            return g["scheme"] + ":" + self._uri_rest(g["scheme"].lower(), g["urest"])
        if g.get("ohead"):
            return g["ohead"] + self._user_or_number(g["ouser"])
        if g.get("ehead"):
            return g["ehead"] + mapper.token(g["evalue"])
        if g.get("uuid"):
            return mapper.token(g["uuid"])
        if g.get("sid"):
            return g["sid"][:2] + mapper.token(g["sid"][2:])
        if g.get("mac"):
            sep = g["mac"][2]
            raw = bytes.fromhex(g["mac"].replace(sep, ""))
            return sep.join(f"{b:02x}" for b in mapper.mac(raw))
        if g.get("ip4"):
            return self._ip(g["ip4"])
        if g.get("ip6"):
            text = g["ip6"]
            if text.startswith("["):
                return "[" + self._ip(text[1:-1]) + "]"
            return self._ip(text)
        if g.get("host"):
            return g["hpre"] + self.host(g["host"])
        if g.get("shost"):
            return g["spre"] + self.host(g["shost"])
        if g.get("num"):
            number = g["num"]
            if number.startswith("+") or number in self.numbers:
                return mapper.number(number)
        return m.group(0)

    def _ip(self, text: str) -> str:
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return text
        return self.mapper.ip_text(text)

    def _display(self, name: str) -> str:
        quoted = name.startswith('"')
        inner = name[1:-1] if quoted else name
        if not inner.strip():
            return name
        if _PHONE.match(inner.strip()) and sum(ch.isdigit() for ch in inner) >= 7:
            new = self.mapper.number(inner.strip())
        else:
            new = self.mapper.display(inner)
        return f'"{new}"' if quoted else new

    def _digest(self, m: re.Match[str]) -> str:
        name, quote, value = m.group("dname"), m.group("dq"), m.group("dval")
        lower = name.lower()
        if lower == "username":
            new = self._user_or_number(value)
        elif lower == "realm":
            new = self.host(value) if "." in value else value
        else:
            new = self.mapper.token(value) if value else value
        text = m.group("dparam")
        return text[: text.rfind(value) if value else len(text)] + new + (quote if value else "")

    def _user_or_number(self, user: str) -> str:
        if user in ("-", ""):
            return user
        digits = sum(ch.isdigit() for ch in user)
        if _PHONE.match(user):
            if digits >= 7:
                return self.mapper.number(user)
            return user  # an extension or short code says nothing about anyone
        if user.startswith("*") or user.startswith("#"):
            return user
        return self.mapper.user(user)

    def _uri_rest(self, scheme: str, rest: str) -> str:
        if scheme == "tel":
            return self._user_or_number(rest)
        if "@" in rest:
            userinfo, hostport = rest.rsplit("@", 1)
            user, colon, password = userinfo.partition(":")
            new_user = self._user_or_number(user) + (colon + self.mapper.token(password) if colon else "")
            return new_user + "@" + self._hostport(hostport)
        return self._hostport(rest)

    def _hostport(self, hostport: str) -> str:
        if hostport.startswith("["):
            end = hostport.find("]")
            if end < 0:
                return hostport
            return "[" + self._ip(hostport[1:end]) + "]" + hostport[end + 1:]
        host, colon, port = hostport.partition(":")
        return self.host(host) + colon + port

    def host(self, host: str) -> str:
        """A host name or address: Twilio's own names kept, a customer label or any other name keyed."""
        if not host:
            return host
        try:
            ipaddress.ip_address(host)
            return self.mapper.ip_text(host)
        except ValueError:
            pass
        lower = host.lower().rstrip(".")
        if lower.endswith(".twilio.com") or lower == "twilio.com":
            match = _TWILIO_HOST.match(lower)
            if match and match.group("label") not in _TWILIO_EDGES:
                return self.mapper.label(match.group("label")) + match.group("rest")
            return host
        labels = lower.split(".")
        if len(labels) == 1:
            return self.mapper.label(lower) if keyed_labels(lower) else host
        return ".".join([self.mapper.label(label) for label in labels[:-1]] + [labels[-1]])


def keyed_labels(host: str) -> list[str]:
    """The labels of a host name that get stand-ins (lower case): a customer's label before
    `.sip.twilio.com`, none of Twilio's own names, every label of another name but the last, a
    one-label name unless `localhost`/`invalid` (RFC 6761)."""
    lower = host.lower().rstrip(".")
    if lower.endswith(".twilio.com") or lower == "twilio.com":
        match = _TWILIO_HOST.match(lower)
        return [match.group("label")] if match and match.group("label") not in _TWILIO_EDGES else []
    labels = lower.split(".")
    if len(labels) == 1:
        return [] if lower in ("localhost", "invalid", "") else labels
    return labels[:-1]


_HOSTS_IN_TEXT = re.compile(
    rf"""\b(?i:sips?):(?:[^\s<>"@;,?]*@)?(?P<uri>[A-Za-z0-9.-]+)
       | (?P<pre>{_HOST_PREFIX})(?P<after>[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?)(?![\w.-]|/\d)
       | (?<![\w.-])(?P<dotted>{_DOTTED})(?![\w-]|\.[\w-])""", re.VERBOSE)


def host_labels(text: str) -> set[str]:
    """Every label (lower case) that would get a stand-in in a host of `text`: in SIP/SIPS URIs, a
    one-label host after `@`, `//`, a Via's transport or `IN IP4`, and any dotted host name."""
    found: set[str] = set()
    for m in _HOSTS_IN_TEXT.finditer(text):
        host = m.group("uri") or m.group("after") or m.group("dotted") or ""
        if not re.fullmatch(r"[\d.]+", host):  # an IPv4 address is not a name
            found.update(keyed_labels(host))
    return found
