"""Validators shared by the course: each checks one kind of input before anything goes to the network.

Every function returns the value in canonical form, or raises ValidationError naming the field
and the rule that was broken. The rules are Twilio's, each with its Twilio page in the function's
docstring, so a value that passes here is not refused by Twilio for its form, and a refusal never
states a reason that is false for the input.
"""

from __future__ import annotations

import ipaddress
import re
import warnings
from dataclasses import dataclass

from .errors import TwilioDeprecationWarning, ValidationError
from .twilio_ranges import twilio_edges

__all__ = [
    "EDGES",
    "LEGACY_EDGES",
    "GLOBAL_SIP_SUFFIX",
    "validate_e164",
    "validate_domain_label",
    "validate_domain_name",
    "domain_name_for",
    "validate_sip_username",
    "validate_sip_password",
    "password_problems",
    "validate_public_ip",
    "validate_edge",
    "canonical_edge",
    "DEPRECATED_REGISTRAR_EDGES",
    "SipUri",
    "parse_sip_uri",
    "validate_sip_uri",
    "twilio_sip_host",
    "validate_global_sip_uri",
    "validate_voice_method",
    "validate_bin_url",
    "validate_friendly_name",
    "validate_text",
    "control_characters",
]

# Twilio's public edge locations -> where they are, and legacy region names -> edge: both read from
# the ranges data file (twilio_ranges.twilio_edges()), the package's only list of edges.
EDGES: dict[str, str] = {e.name: e.location for e in twilio_edges()}
LEGACY_EDGES: dict[str, str] = {e.legacy_name: e.name for e in twilio_edges() if e.legacy_name}
GLOBAL_SIP_SUFFIX = ".sip.twilio.com"
# edge hosts Twilio still accepts for calling registered users, deprecated (twilio.com/docs/api/errors/32220)
DEPRECATED_REGISTRAR_EDGES = frozenset({"us1", "us1-ix"})

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_NUMBER_SEPARATORS = re.compile(r"[\s().-]")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_EDGE_HOST = re.compile(r"^[a-z0-9-]+\.sip\.([a-z0-9-]+)\.twilio\.com$")
_USERNAME = re.compile(r"^[A-Za-z0-9+._-]{1,32}$")
_GLOBAL_HOST = re.compile(r"^([a-z0-9-]+)\.sip\.twilio\.com$")
_SIP_URI = re.compile(r"^(?P<scheme>sips?):(?:(?P<user>[^@\s;?:]+)@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s;?:@\[\]]+)"
                      r"(?::(?P<port>\d{1,5}))?(?P<params>(?:;[^\s;?]*)*)(?:\?(?P<headers>\S*))?$", re.I)
_HOST = re.compile(r"^(\[[0-9a-f:.]+\]|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?)$")


def validate_e164(value: str, field: str = "phone_number") -> str:
    """A phone number in E.164 (`+` then country code and number, at most 15 digits); spaces, dots,
    dashes and brackets are dropped."""
    text = _NUMBER_SEPARATORS.sub("", str(value or ""))
    if not text:
        raise ValidationError(field, "required: a number in E.164 form, e.g. +14155550123", value)
    if not text.startswith("+"):
        raise ValidationError(field, "E.164 starts with + and the country code, e.g. +14155550123", value)
    if not _E164.fullmatch(text):
        raise ValidationError(field, "E.164: + then 2 to 15 digits, the first not 0, e.g. +14155550123",
                              value)
    return text


def validate_domain_label(value: str, field: str = "domain_label") -> str:
    """The first part of a SIP domain (`LABEL.sip.twilio.com`), lower-cased: letters, digits and '-',
    1-63 characters, not starting or ending with '-'. A full domain name is accepted and cut down."""
    if not isinstance(value, str) and value is not None:
        raise ValidationError(field, "text: letters, digits and '-', e.g. my-ht801", value)
    text = str(value or "").strip().lower()
    if text.endswith(GLOBAL_SIP_SUFFIX):
        text = text[: -len(GLOBAL_SIP_SUFFIX)]
    if not text:
        raise ValidationError(field, "required: letters, digits and '-', e.g. my-ht801", value)
    if "." in text:
        raise ValidationError(field, "one label without dots (the course adds .sip.twilio.com); "
                              "edge names such as .us1 do not belong in the domain name", value)
    if len(text) > 63:
        raise ValidationError(field, "at most 63 characters", value)
    if not _LABEL.fullmatch(text):
        raise ValidationError(field, "letters, digits and '-' only, not starting or ending with '-'", value)
    return text


def domain_name_for(label: str) -> str:
    """`LABEL.sip.twilio.com` for a validated label."""
    return validate_domain_label(label) + GLOBAL_SIP_SUFFIX


def validate_domain_name(value: str, field: str = "domain_name") -> str:
    """A SIP domain name: one valid label followed by `.sip.twilio.com` (the global name, no edge)."""
    text = str(value or "").strip().lower()
    match = _EDGE_HOST.fullmatch(text)
    if match:
        raise ValidationError(field, f"use the global name ending in {GLOBAL_SIP_SUFFIX}; "
                              f"'.{match.group(1)}' makes it an edge-specific hostname", value)
    if not text.endswith(GLOBAL_SIP_SUFFIX):
        raise ValidationError(field, f"must end in {GLOBAL_SIP_SUFFIX}", value)
    return validate_domain_label(text, field) + GLOBAL_SIP_SUFFIX


def validate_sip_username(value: str, field: str = "username") -> str:
    """A SIP credential username: 1-32 characters of letters, digits, '+', '.', '_' and '-'.

    The HT80x sends it as SIP User ID and Authenticate ID, so it must match exactly (case too).
    """
    text = str(value or "").strip()
    if not text:
        raise ValidationError(field, "required: 1-32 letters, digits, '+', '.', '_' or '-'", value)
    if len(text) > 32:
        raise ValidationError(field, "at most 32 characters (Twilio's limit)", value)
    if not _USERNAME.fullmatch(text):
        raise ValidationError(field, "letters, digits, '+', '.', '_' and '-' only (it goes into a SIP URI)",
                              value)
    return text


def control_characters(text: str, allow: str = "") -> list[str]:
    """The control characters in `text` (Unicode category Cc: NUL, line breaks, ESC, DEL, C1…) and
    the code points XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates), as U+XXXX names; characters
    in `allow` are let through."""
    import unicodedata

    found = []
    for char in text:
        if char in allow:
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff":
            name = f"U+{ord(char):04X}"
            if name not in found:
                found.append(name)
    return found


def validate_text(value: str, field: str, allow_line_breaks: bool = False, limit: int | None = None) -> str:
    """Text that goes into TwiML, XML or a config file: no control characters (tab, and line breaks
    when `allow_line_breaks`, excepted), at most `limit` characters. XML 1.0 cannot carry most control
    characters at all (W3C XML 1.0 §2.2), so they are refused here rather than written broken."""
    text = str(value if value is not None else "")
    bad = control_characters(text, allow="\t\n\r" if allow_line_breaks else "")
    if bad:
        kind = "control characters" if allow_line_breaks else "control characters or line breaks"
        raise ValidationError(field, f"text without {kind} (found {', '.join(bad[:5])})", value)
    if limit is not None and len(text) > limit:
        raise ValidationError(field, f"at most {limit} characters, got {len(text)}", None)
    return text


def password_problems(password: str) -> list[str]:
    """What a SIP credential password lacks under Twilio's policy (empty when it is fine)."""
    problems = []
    if len(password) < 12:
        problems.append("at least 12 characters")
    if not re.search(r"[A-Z]", password):
        problems.append("an upper-case letter")
    if not re.search(r"[a-z]", password):
        problems.append("a lower-case letter")
    if not re.search(r"\d", password):
        problems.append("a digit")
    return problems


def validate_sip_password(value: str, field: str = "password") -> str:
    """A SIP credential password that works on both sides of the line: Twilio's credential policy
    (12+ characters with upper, lower and a digit) and what the HT80x's Authenticate Password
    (P34/P734) takes (printable ASCII without spaces; the rule lives with that setting, see
    `grandstream.setting("password")`). Checked before the course creates the credential, so a
    password the ATA would refuse is not stored at Twilio first.

    Raises ValidationError naming both rules; the password itself is never put in the error.
    """
    from .grandstream.settings_model import PORT_SETTINGS
    text = str(value or "")
    if not text:
        raise ValidationError(field, "required: 12+ characters with upper-case, lower-case and a digit")
    if text != text.strip():
        raise ValidationError(field, "no spaces at the start or end (the ATA would not send them)")
    if control_characters(text):
        raise ValidationError(field, "no control characters such as NUL, tab or line breaks (the ATA takes "
                                     "printable characters only)")
    problems = password_problems(text)
    ata = PORT_SETTINGS["password"]
    if ata.accepts is not None and not ata.accepts(text):
        found = "a space" if " " in text else "a character outside printable ASCII (an accent, symbol or emoji)"
        twilio = ("Twilio's password policy needs " + ", ".join(problems) if problems else
                  "Twilio's password policy (12+ characters with upper-case, lower-case and a digit) is met")
        raise ValidationError(field, f"the password must work on both sides: the ATA's {ata.label} "
                                     f"({ata.pvalue()}) takes {ata.rule}, and this one has {found}; {twilio}")
    if problems:
        raise ValidationError(field, "Twilio's password policy needs " + ", ".join(problems) +
                                     f" (and the ATA takes {ata.rule})")
    return text


def validate_public_ip(value: str, field: str = "public_ip") -> tuple[str, int]:
    """The learner's public IPv4 address, or a CIDR block, as (network address, prefix length).

    Private, CGNAT, loopback and link-local addresses are refused: Twilio sees the router's public
    address, never the LAN one. Documentation ranges (203.0.113.0/24 …) pass, for examples.
    """
    text = str(value or "").strip()
    if not text:
        raise ValidationError(field, "required: your public IPv4 address, e.g. 203.0.113.10 "
                              "(search 'what is my IP' from the ATA's network)", value)
    try:
        network = ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        raise ValidationError(field, "an IPv4 address such as 203.0.113.10, or a block such as "
                              "203.0.113.0/24 (Twilio IP ACLs take IPv4 only)", value) from None
    if network.prefixlen < 8:
        raise ValidationError(field, "a CIDR prefix of 8 to 32 (Twilio's range)", value)
    if "/" in text and str(network.network_address) != text.split("/")[0]:
        raise ValidationError(field, f"host bits set in the block; did you mean {network}?", value)
    address = network.network_address
    documentation = any(address in ipaddress.IPv4Network(n)
                        for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
    shared = address in ipaddress.IPv4Network("100.64.0.0/10")
    if address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified:
        raise ValidationError(field, "a public address that Twilio can see, not a loopback, link-local "
                              "or multicast one", value)
    if shared:
        raise ValidationError(field, "100.64.0.0/10 is carrier-grade NAT: ask your ISP for your public "
                              "address, or rely on the credential list alone", value)
    if address.is_reserved or address == ipaddress.IPv4Address("255.255.255.255"):
        raise ValidationError(field, "a public address that Twilio can see, not a reserved (240.0.0.0/4) "
                              "or broadcast one", value)
    if address.is_private and not documentation:
        raise ValidationError(field, "a public address; 10.x, 172.16-31.x and 192.168.x are LAN addresses "
                              "that Twilio never sees", value)
    return str(address), network.prefixlen


def validate_edge(value: str, field: str = "edge") -> str:
    """A Twilio edge name (ashburn, dublin, …) or its legacy name (us1, ie1, …), lower-cased."""
    text = str(value or "").strip().lower()
    if text in EDGES or text in LEGACY_EDGES:
        return text
    allowed = ", ".join(EDGES) + " (or legacy " + ", ".join(LEGACY_EDGES) + ")"
    raise ValidationError(field, f"one of {allowed}", value)


def canonical_edge(value: str, field: str = "edge") -> str:
    """The current edge name for an edge or legacy name: us1 -> ashburn."""
    text = validate_edge(value, field)
    return LEGACY_EDGES.get(text, text)


@dataclass(frozen=True)
class SipUri:
    """A SIP URI taken apart (RFC 3261 §19.1.1): `scheme:user@host:port;params?headers`.

    `params` and `headers` keep their order; a parameter without `=` has the value None.
    `text` is the URI as given with the scheme and host lower-cased.
    """

    scheme: str
    user: str | None
    host: str
    port: int | None
    params: tuple[tuple[str, str | None], ...]
    headers: tuple[tuple[str, str], ...]
    text: str

    def param(self, name: str) -> str | None:
        """The value of URI parameter `name` (case-insensitive), or None."""
        return next((v for k, v in self.params if k.lower() == name.lower()), None)


def parse_sip_uri(value: str, field: str = "sip_uri") -> SipUri:
    """A `sip:`/`sips:` URI read by RFC 3261 §19.1.1 and checked against Twilio's limits.

    Twilio's limits (twilio.com/docs/voice/twiml/sip and
    twilio.com/docs/voice/api/sip-making-calls): the URI is under 255 characters, and the
    headers part (`?name=value&name=value`) is under 1024 characters; the pages give the two
    limits apart, so the 255 are counted before the `?`. Raises ValidationError.
    """
    text = str(value or "").strip()
    match = _SIP_URI.fullmatch(text)
    if not match:
        raise ValidationError(field, "a SIP URI such as sip:USER@HOST, optionally followed by ;name=value "
                              "parameters and a ?name=value header part", value)
    address = text.split("?", 1)[0]
    if len(address) >= 255:
        raise ValidationError(field, f"under 255 characters before any '?' headers (Twilio's limit for a SIP "
                              f"URI); this one has {len(address)}", value)
    host = match.group("host").lower()
    if not _HOST.fullmatch(host):
        raise ValidationError(field, f"{host!r} is not a host name or IP address", value)
    params: list[tuple[str, str | None]] = []
    for item in (match.group("params") or "").split(";")[1:]:
        name, sep, val = item.partition("=")
        if not name:
            raise ValidationError(field, f"an empty URI parameter (';;' or a trailing ';') in {text!r}", value)
        params.append((name, val if sep else None))
    headers: list[tuple[str, str]] = []
    raw_headers = match.group("headers")
    if raw_headers is not None:
        if len(raw_headers) >= 1024:
            raise ValidationError(field, f"a header part under 1024 characters (Twilio's limit); this one has "
                                  f"{len(raw_headers)}", value)
        for item in raw_headers.split("&"):
            name, sep, val = item.partition("=")
            if not name or not sep:
                raise ValidationError(field, f"each header after '?' written name=value; {item!r} is not", value)
            headers.append((name, val))
    port = int(match.group("port")) if match.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise ValidationError(field, f"a port from 1 to 65535, not {port}", value)
    scheme = match.group("scheme").lower()
    canonical = f"{scheme}:" + (f"{match.group('user')}@" if match.group("user") else "") + host
    canonical += (f":{port}" if port is not None else "") + (match.group("params") or "")
    canonical += f"?{raw_headers}" if raw_headers is not None else ""
    return SipUri(scheme, match.group("user"), host, port, tuple(params), tuple(headers), canonical)


def validate_sip_uri(value: str, field: str = "sip_uri") -> str:
    """A SIP URI Twilio can dial (`<Dial><Sip>` or the Calls `To`), returned with host lower-cased.

    Besides `parse_sip_uri`'s syntax and limits, Twilio's documented URI parameters are checked:
    `transport` is udp, tcp or tls (twilio.com/docs/voice/api/sip-making-calls, "Transport");
    `region` is one of Twilio's regions, us1 us2 ie1 de1 sg1 jp1 br1 au1
    (twilio.com/docs/voice/twiml/sip, "The region parameter"). Other parameters and headers
    (custom `X-` headers, User-to-User) are passed through as Twilio does.
    """
    uri = parse_sip_uri(value, field)
    transport = uri.param("transport")
    if transport is not None and transport.lower() not in ("udp", "tcp", "tls"):
        raise ValidationError(field, f"transport=udp, tcp or tls (the transports Twilio supports), "
                              f"not {transport!r}", value)
    region = uri.param("region")
    if region is not None and region.lower() not in LEGACY_EDGES:
        raise ValidationError(field, "region= one of " + ", ".join(LEGACY_EDGES)
                              + f" (the regions on Twilio's <Sip> page), not {region!r}", value)
    return uri.text


def twilio_sip_host(host: str) -> tuple[str, str | None] | None:
    """(label, edge) for a Twilio SIP domain host: `LABEL.sip.twilio.com` gives (LABEL, None),
    `LABEL.sip.EDGE.twilio.com` gives (LABEL, EDGE); None for any other host."""
    text = host.strip().lower()
    match = _GLOBAL_HOST.fullmatch(text)
    if match:
        return match.group(1), None
    match = _EDGE_HOST.fullmatch(text)
    if match:
        return text.split(".", 1)[0], match.group(1)
    return None


def validate_global_sip_uri(value: str, field: str = "sip_uri") -> str:
    """The URI Twilio dials to reach a device registered on a SIP domain: `sip:USER@LABEL.sip.twilio.com`.

    Twilio's rules (twilio.com/docs/api/errors/32220, /32223): a registered user is dialled at
    the global host; an edge-specific host (`…sip.ashburn.twilio.com`, `…sip.ie1.twilio.com`) fails
    with error 32220, except the legacy `…sip.us1.twilio.com` and `…sip.us1-ix.twilio.com`, which
    Twilio still accepts but has deprecated: those pass with a TwilioDeprecationWarning naming the
    global form. A URI without a user part fails with 32223. URI parameters (`;transport=tcp`,
    `;region=ie1`) and headers (`?X-Custom=1`) are Twilio's to accept (see `validate_sip_uri`).
    Returns the URI with scheme and host lower-cased; raises ValidationError.
    """
    text = validate_sip_uri(value, field)
    uri = parse_sip_uri(text, field)
    found = twilio_sip_host(uri.host)
    if found is None:
        raise ValidationError(field, f"a user on a Twilio SIP domain (sip:USER@LABEL{GLOBAL_SIP_SUFFIX}), "
                              f"where the ATA registers; {uri.host} is not a Twilio SIP domain host", value)
    label, edge = found
    global_uri = f"sip:{uri.user or 'USER'}@{label}{GLOBAL_SIP_SUFFIX}"
    if not uri.user:
        raise ValidationError(field, f"needs the user part, {global_uri} (without it Twilio answers 32223: "
                              "no username in the SIP URI)", value)
    validate_sip_username(uri.user, field)
    if edge in DEPRECATED_REGISTRAR_EDGES:
        warnings.warn(f"{field}: {uri.host} is a deprecated edge-specific host; Twilio still connects calls "
                      f"to registered users through '{edge}' but recommends the global {global_uri} "
                      "(twilio.com/docs/api/errors/32220)", TwilioDeprecationWarning, stacklevel=2)
    elif edge is not None:
        known = edge in EDGES or edge in LEGACY_EDGES or edge.endswith("-ix")
        what = f"the edge-specific host '.{edge}'" if known else f"'.{edge}', which is not a Twilio edge,"
        raise ValidationError(field, f"use the global {global_uri}: {what} fails with Twilio error 32220 "
                              "(a registered user is dialled at the global URI; only the deprecated us1 and "
                              "us1-ix hosts are still accepted)", value)
    return text


def validate_voice_method(value: str, field: str = "voice_method") -> str:
    """GET or POST, the two methods Twilio uses to fetch TwiML."""
    text = str(value or "").strip().upper()
    if text not in ("GET", "POST"):
        raise ValidationError(field, "GET or POST", value)
    return text


def validate_bin_url(value: str, field: str = "bin_url") -> str:
    """A TwiML Bin URL as the Console shows it: https://handler.twilio.com/twiml/EH + 32 hex digits."""
    # twiml imports this module, so its Bin URL shape is imported here, when first used
    from .twiml import bin_sid_from_url

    text = str(value or "").strip()
    if not text:
        raise ValidationError(field, "required: the Bin's URL from the Console, "
                              "https://handler.twilio.com/twiml/EH…", value)
    if bin_sid_from_url(text) is None:
        raise ValidationError(field, "a TwiML Bin URL: https://handler.twilio.com/twiml/EH followed by "
                              "32 hex digits (copy it from the Bin's page in the Console)", value)
    return text


def validate_friendly_name(value: str, limit: int, field: str = "friendly_name") -> str:
    """A friendly name of at most `limit` characters (64 for domains, lists and trunks; 255 for ACLs)."""
    text = str(value or "")
    if not text.strip():
        raise ValidationError(field, "required", value)
    if len(text) > limit:
        raise ValidationError(field, f"at most {limit} characters (Twilio's limit)", value)
    return text
