"""Keyed stand-ins: the same original always gets the same replacement under one key.

Each stand-in is drawn from HMAC-SHA256(key, kind + original + attempt) and checked against every
original value the capture holds, so a replacement never reproduces an original (and two originals
never share a replacement). Classes are kept where the diagnosis needs them: a private address
stays in its private block, a public one becomes another public one (from the documentation and
benchmarking blocks, RFC 5737 and RFC 2544), Twilio's published ranges, loopback and multicast stay
as they are; a phone number keeps its `+` and country code (ITU-T E.164 country codes).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import string
from typing import Callable, Iterable

from ..addresses import address_class, in_twilio_ranges

__all__ = ["Pseudonyms", "country_code_length"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Public IPv4 stand-ins: documentation (RFC 5737) first, then benchmarking (RFC 2544).
_PUBLIC_V4_POOLS = [ipaddress.IPv4Network(n) for n in ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24",
                                                       "198.18.0.0/15")]
_PUBLIC_V6 = ipaddress.ip_network("2001:db8::/32")  # RFC 3849
_KEEP_V4 = [ipaddress.ip_network(n) for n in ("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4")]
_KEEP_V6 = [ipaddress.ip_network(n) for n in ("::/128", "::1/128", "ff00::/8")]
_PRIVATE_V4 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                 "100.64.0.0/10", "169.254.0.0/16")]
_ALNUM = string.ascii_lowercase + string.digits
_B64 = string.ascii_letters + string.digits
# ITU-T E.164 country codes of one and two digits; every other code has three.
_CC1 = {"1", "7"}
_CC2 = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48",
        "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81",
        "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"}


def country_code_length(digits: str) -> int:
    """How many leading digits of an international number are its country code (1 to 3)."""
    if digits[:1] in _CC1:
        return 1
    return 2 if digits[:2] in _CC2 else 3


def is_twilio(ip: IPAddress) -> bool:
    """True for an address in Twilio's published signalling or media ranges."""
    return in_twilio_ranges(str(ip))


class Pseudonyms:
    """The stand-in for each kind of identifying value; `originals` must hold every value to avoid."""

    def __init__(self, key: bytes, originals: Iterable[str] = ()) -> None:
        self.key = key
        self.originals: set[str] = {o.lower() for o in originals}
        self._given: dict[tuple[str, str], str] = {}
        self._used: set[tuple[str, str]] = set()

    # -- the engine -------------------------------------------------------------------------------
    def _digest(self, kind: str, value: str, attempt: int) -> bytes:
        return hmac.new(self.key, f"{kind}\0{value}\0{attempt}".encode("utf-8", "surrogateescape"),
                        hashlib.sha256).digest()

    def _pick(self, kind: str, value: str, make: Callable[[bytes, int], str]) -> str:
        known = self._given.get((kind, value))
        if known is not None:
            return known
        for attempt in range(1000):
            candidate = make(self._digest(kind, value, attempt), attempt)
            if candidate.lower() in self.originals or (kind, candidate.lower()) in self._used:
                continue
            self._given[(kind, value)] = candidate
            self._used.add((kind, candidate.lower()))
            return candidate
        raise RuntimeError(f"no free stand-in for a {kind}")  # pragma: no cover - pools are large

    @staticmethod
    def _chars(raw: bytes, alphabet: str, count: int) -> str:
        stream = raw
        while len(stream) < count:
            stream += hashlib.sha256(stream).digest()
        return "".join(alphabet[b % len(alphabet)] for b in stream[:count])

    # -- kinds ------------------------------------------------------------------------------------
    def ip(self, ip: IPAddress) -> IPAddress:
        """The stand-in address: same class (private block, CGNAT, link-local, public); some kept."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return ipaddress.IPv6Address(f"::ffff:{self.ip(ip.ipv4_mapped)}")
        keep = _KEEP_V4 if ip.version == 4 else _KEEP_V6
        if any(ip in net for net in keep) or str(ip) == "255.255.255.255" or is_twilio(ip):
            return ip
        text = self._pick("ip", str(ip), lambda raw, attempt: str(self._ip_candidate(ip, raw, attempt)))
        return ipaddress.ip_address(text)

    def _ip_candidate(self, ip: IPAddress, raw: bytes, attempt: int) -> IPAddress:
        number = int.from_bytes(raw, "big")
        if ip.version == 4:
            for net in _PRIVATE_V4:
                if ip in net:
                    return self._host_in(net, number)
            pools = _PUBLIC_V4_POOLS
            # documentation addresses; the large benchmarking block once they are taken
            net = pools[number % 3] if attempt < 12 else pools[3]
            return self._host_in(net, number >> 8)
        cls = address_class(str(ip))
        if cls == "private":
            return ipaddress.IPv6Address((0xFD << 120) | (number & ((1 << 120) - 1)))
        if cls == "link-local":
            return ipaddress.IPv6Address((0xFE80 << 112) | (number & ((1 << 64) - 1)))
        return ipaddress.IPv6Address(int(_PUBLIC_V6.network_address) | (number & ((1 << 96) - 1)))

    @staticmethod
    def _host_in(net: ipaddress.IPv4Network, number: int) -> ipaddress.IPv4Address:
        size = net.num_addresses
        host = 1 + number % (size - 2)  # neither the network nor the broadcast address
        if host % 256 in (0, 255):
            host = (host & ~0xFF) | (1 + (number >> 16) % 254)
        return net.network_address + host

    def ip_text(self, text: str) -> str:
        """The stand-in of an address written as text (IPv6 without brackets); other text unchanged."""
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return text
        return str(self.ip(ip))

    def number(self, number: str) -> str:
        """A phone number's stand-in: `+` and country code kept (international form), digits keyed."""
        plus = number.startswith("+")
        digits = "".join(ch for ch in number if ch.isdigit())
        keep = country_code_length(digits) if plus or len(digits) > 10 else 0
        head, tail = digits[:keep], digits[keep:]

        def make(raw: bytes, _attempt: int) -> str:
            body = "".join(str(b % 10) for b in (raw * 2)[:len(tail)])
            if body:
                body = str(2 + raw[-1] % 8) + body[1:]  # a national number never starts with 0 or 1
            return ("+" if plus else "") + head + body

        return self._pick("number", ("+" if plus else "") + digits, make)

    def user(self, user: str) -> str:
        """A SIP user name's stand-in: `u` and seven keyed letters and digits."""
        return self._pick("user", user, lambda raw, _: "u" + self._chars(raw, _ALNUM, 7))

    def label(self, label: str) -> str:
        """A DNS label's stand-in: `d` and seven keyed letters and digits."""
        return self._pick("label", label.lower(), lambda raw, _: "d" + self._chars(raw, _ALNUM, 7))

    def display(self, name: str) -> str:
        """A display name's stand-in: `Caller` and four keyed hex digits."""
        return self._pick("display", name, lambda raw, _: "Caller " + raw[:2].hex())

    def token(self, value: str) -> str:
        """Same length and shape: hex stays hex (case kept), letters and digits stay letters and digits."""
        def make(raw: bytes, _attempt: int) -> str:
            out = []
            stream = self._chars(raw, _B64, len(value))
            hexes = self._chars(raw[::-1], "0123456789abcdef", len(value))
            is_hex = all(ch in string.hexdigits for ch in value if ch.isalnum())
            for ch, r, h in zip(value, stream, hexes, strict=True):
                if not ch.isalnum():
                    out.append(ch)
                elif is_hex:
                    out.append(h.upper() if ch.isupper() else h)
                else:
                    out.append(r)
            return "".join(out)

        return self._pick("token", value, make)

    def mac(self, mac: bytes) -> bytes:
        """A MAC address's stand-in: the maker's prefix (OUI) and group bit kept, the rest keyed."""
        if mac[0] & 1 or mac == b"\x00" * 6:  # broadcast and multicast say nothing about anyone
            return mac
        text = self._pick("mac", mac.hex(), lambda raw, _: mac[:3].hex() + raw[:3].hex())
        return bytes.fromhex(text)
