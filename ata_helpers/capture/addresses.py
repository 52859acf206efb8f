"""Address classes for NAT diagnosis, and host/port extraction from SIP URIs and Via values.

An explicit network list, not `ipaddress.is_private`: that property leaves out CGNAT
100.64.0.0/10 and changed between Python patch releases (CVE-2024-4032), so results would
depend on the interpreter (CVE-2024-4032).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

__all__ = ["address_class", "is_internal", "is_public", "in_twilio_ranges", "uri_host_port",
           "via_sent_by"]

_CLASSES = [
    ("private", ipaddress.ip_network("10.0.0.0/8")),
    ("private", ipaddress.ip_network("172.16.0.0/12")),
    ("private", ipaddress.ip_network("192.168.0.0/16")),
    ("CGNAT", ipaddress.ip_network("100.64.0.0/10")),
    ("link-local", ipaddress.ip_network("169.254.0.0/16")),
    ("loopback", ipaddress.ip_network("127.0.0.0/8")),
    ("unspecified", ipaddress.ip_network("0.0.0.0/32")),
    ("private", ipaddress.ip_network("fc00::/7")),
    ("link-local", ipaddress.ip_network("fe80::/10")),
    ("loopback", ipaddress.ip_network("::1/128")),
    ("unspecified", ipaddress.ip_network("::/128")),
]


@lru_cache(maxsize=4096)
def address_class(host: str | None) -> str | None:
    """"private", "CGNAT", "link-local", "loopback", "unspecified", "public", or None (a name)."""
    if not host:
        return None
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    for name, net in _CLASSES:
        if ip.version == net.version and ip in net:
            return name
    return "public"


def is_internal(host: str | None) -> bool:
    """True for addresses a host on the Internet cannot send to (private, CGNAT, link-local, loopback)."""
    return address_class(host) in ("private", "CGNAT", "link-local", "loopback")


def is_public(host: str | None) -> bool:
    """True for a literal public IP address."""
    return address_class(host) == "public"


@lru_cache(maxsize=4096)
def in_twilio_ranges(host: str | None) -> bool:
    """True for an address inside Twilio's published SIP signalling or media ranges (the one
    list of them, twilio_ranges, from twilio.com/docs/sip-trunking/ip-addresses)."""
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in _twilio_networks())


@lru_cache(maxsize=1)
def _twilio_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    from ..twilio_ranges import twilio_ranges

    return tuple(dict.fromkeys(ipaddress.ip_network(r.cidr) for r in twilio_ranges()))


def uri_host_port(uri: str | None) -> tuple[str | None, int | None]:
    """(host, port) of `sip:user@host:port;params` (IPv6 hosts without brackets)."""
    if not uri:
        return None, None
    rest = uri.split(":", 1)[1] if uri[:4].lower() in ("sip:", "sips") else uri
    if rest.startswith(":"):
        rest = rest[1:]
    rest = rest.split(";", 1)[0].split("?", 1)[0]
    hostport = rest.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        end = hostport.find("]")
        host = hostport[1:end]
        port_text = hostport[end + 2:] if hostport[end + 1:end + 2] == ":" else ""
    else:
        host, _, port_text = hostport.partition(":")
    return host or None, int(port_text) if port_text.isdigit() else None


def via_sent_by(via: str | None) -> tuple[str | None, int | None]:
    """(host, port) of a Via value's sent-by (`SIP/2.0/UDP host:port;params`)."""
    if not via:
        return None, None
    parts = via.split(None, 1)
    if len(parts) < 2:
        return None, None
    return uri_host_port("sip:" + parts[1].split(";", 1)[0].strip())
