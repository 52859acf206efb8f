"""Validators shared by the course: each checks one kind of input before anything goes to the network.

Every function returns the value in canonical form, or raises ValidationError naming the field
and the rule that was broken. The rules are Twilio's (shared/reference/twilio.md §1.2, §3), so
a value that passes here is not refused by Twilio for its form.
"""

from __future__ import annotations

import ipaddress
import re

from .errors import ValidationError
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
    "validate_global_sip_uri",
    "validate_voice_method",
    "validate_bin_url",
    "validate_friendly_name",
]

# Twilio's public edge locations -> where they are, and legacy region names -> edge: both read from
# the ranges data file (twilio_ranges.twilio_edges()), the package's only list of edges.
EDGES: dict[str, str] = {e.name: e.location for e in twilio_edges()}
LEGACY_EDGES: dict[str, str] = {e.legacy_name: e.name for e in twilio_edges() if e.legacy_name}
GLOBAL_SIP_SUFFIX = ".sip.twilio.com"

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_NUMBER_SEPARATORS = re.compile(r"[\s().-]")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_EDGE_HOST = re.compile(r"^[a-z0-9-]+\.sip\.([a-z0-9-]+)\.twilio\.com$")
_USERNAME = re.compile(r"^[A-Za-z0-9+._-]{1,32}$")
_SIP_URI = re.compile(r"^sip:(?:(?P<user>[^@\s;:]+)@)?(?P<host>[^\s;:>]+)$", re.I)


def validate_e164(value: str, field: str = "phone_number") -> str:
    """A phone number in E.164 (`+` then country code and number, at most 15 digits); spaces, dots,
    dashes and brackets are dropped."""
    text = _NUMBER_SEPARATORS.sub("", str(value or ""))
    if not text:
        raise ValidationError(field, "required: a number in E.164 form, e.g. +14155550123", value)
    if not text.startswith("+"):
        raise ValidationError(field, "E.164 starts with + and the country code, e.g. +14155550123", value)
    if not _E164.match(text):
        raise ValidationError(field, "E.164: + then 2 to 15 digits, the first not 0, e.g. +14155550123",
                              value)
    return text


def validate_domain_label(value: str, field: str = "domain_label") -> str:
    """The first part of a SIP domain (`LABEL.sip.twilio.com`), lower-cased: letters, digits and '-',
    1-63 characters, not starting or ending with '-'. A full domain name is accepted and cut down."""
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
    if not _LABEL.match(text):
        raise ValidationError(field, "letters, digits and '-' only, not starting or ending with '-'", value)
    return text


def domain_name_for(label: str) -> str:
    """`LABEL.sip.twilio.com` for a validated label."""
    return validate_domain_label(label) + GLOBAL_SIP_SUFFIX


def validate_domain_name(value: str, field: str = "domain_name") -> str:
    """A SIP domain name: one valid label followed by `.sip.twilio.com` (the global name, no edge)."""
    text = str(value or "").strip().lower()
    match = _EDGE_HOST.match(text)
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
    if not _USERNAME.match(text):
        raise ValidationError(field, "letters, digits, '+', '.', '_' and '-' only (it goes into a SIP URI)",
                              value)
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
    """A SIP credential password under Twilio's policy: 12+ characters with upper, lower and a digit.

    The password itself is never put in the error.
    """
    text = str(value or "")
    if not text:
        raise ValidationError(field, "required: 12+ characters with upper-case, lower-case and a digit")
    if text != text.strip():
        raise ValidationError(field, "no spaces at the start or end (the ATA would not send them)")
    problems = password_problems(text)
    if problems:
        raise ValidationError(field, "Twilio's password policy needs " + ", ".join(problems))
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


def validate_global_sip_uri(value: str, field: str = "sip_uri") -> str:
    """`sip:USER@LABEL.sip.twilio.com`: the URI Twilio must dial to reach a registered device.

    An edge-specific host (…sip.ashburn.twilio.com) gives error 32220 and no user part gives 32223.
    """
    text = str(value or "").strip()
    match = _SIP_URI.match(text)
    if not match:
        raise ValidationError(field, "a SIP URI of the form sip:USER@DOMAIN.sip.twilio.com", value)
    host = match.group("host").lower()
    edge = _EDGE_HOST.match(host)
    if edge:
        raise ValidationError(field, f"use the global host {host.split('.')[0]}{GLOBAL_SIP_SUFFIX}; the "
                              f"edge-specific '.{edge.group(1)}' fails with Twilio error 32220", value)
    if not match.group("user"):
        raise ValidationError(field, "needs the user part, sip:USER@DOMAIN.sip.twilio.com "
                              "(without it Twilio answers 32223)", value)
    user = validate_sip_username(match.group("user"), field)
    return f"sip:{user}@{validate_domain_name(host, field)}"


def validate_voice_method(value: str, field: str = "voice_method") -> str:
    """GET or POST, the two methods Twilio uses to fetch TwiML."""
    text = str(value or "").strip().upper()
    if text not in ("GET", "POST"):
        raise ValidationError(field, "GET or POST", value)
    return text


def validate_bin_url(value: str, field: str = "bin_url") -> str:
    """A TwiML Bin URL as the Console shows it: https://handler.twilio.com/twiml/EH + 32 hex digits."""
    from .sandbox.twilio.bins import bin_sid_from_url

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
