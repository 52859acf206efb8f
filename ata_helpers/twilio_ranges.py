"""Twilio's published SIP address ranges and edge locations, read from one data file.

`data/twilio_ip_ranges.csv` holds one line per range (edge, legacy name, location, purpose, CIDR,
services, the page it comes from and the day it was checked). It is the only list of Twilio's
edges in the package: the validators, the firewall rules and the line simulation all read it
through `twilio_edges()` and `twilio_ranges()`, so a change on Twilio's side is a one-line edit.
Source: https://www.twilio.com/docs/sip-trunking/ip-addresses
"""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import ValidationError

__all__ = ["IpRange", "Edge", "twilio_ranges", "twilio_edges", "media_ranges", "parse_port_range",
           "media_summary", "edge_choices", "DATA_FILE", "DEFAULT_EDGE"]

DATA_FILE = "twilio_ip_ranges.csv"
# The edge the course uses when none is chosen: ashburn (North America, Virginia), Twilio's default
# edge for the US, which the older docs and the setup story call by its legacy name `us1`
# (https://www.twilio.com/docs/global-infrastructure/edge-locations).
DEFAULT_EDGE = "ashburn"


def parse_port_range(ports: int | str | tuple[int, int] | list[int], *,
                     name: str = "rtp_ports") -> tuple[int, int]:
    """A port or port range (5004, "5004-5013", (5004, 5013)) as a checked (low, high) pair.

    Raises ValidationError (a ValueError) naming `name` when it is not one.
    """
    try:
        if isinstance(ports, int) and not isinstance(ports, bool):
            low = high = ports
        elif isinstance(ports, str):
            parts = ports.replace("–", "-").replace(":", "-").split("-")
            if len(parts) == 1:
                low = high = int(parts[0])
            elif len(parts) == 2:
                low, high = int(parts[0]), int(parts[1])
            else:
                raise ValueError(ports)
        else:
            low, high = (int(p) for p in ports)  # type: ignore[union-attr]  # bools fail int checks above
    except (TypeError, ValueError):
        raise ValidationError(name, "a port (5004) or a range (5004-5013)", ports) from None
    if not (1 <= low <= high <= 65535):
        raise ValidationError(name, "ports between 1 and 65535, low end first", ports)
    return low, high


@dataclass(frozen=True)
class IpRange:
    """One line of the data file: a Twilio range, its edge and the services reachable on it."""

    edge: str
    legacy_name: str
    location: str
    purpose: str
    cidr: str
    services: tuple[tuple[str, str], ...]
    source: str
    checked: str


@dataclass(frozen=True)
class Edge:
    """A Twilio edge location: its name (`ashburn`), legacy region name (`us1`) and where it is."""

    name: str
    legacy_name: str
    location: str


@lru_cache(maxsize=1)
def twilio_ranges() -> tuple[IpRange, ...]:
    """Every line of the data file, checked once; a malformed line raises ValueError naming it."""
    text = resources.files("ata_helpers").joinpath("data", DATA_FILE).read_text("utf-8")
    rows: list[IpRange] = []
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        services: list[tuple[str, str]] = []
        for item in row["services"].split(";"):
            protocol, ports = item.split()
            parse_port_range(ports, name=f"{DATA_FILE} line {number} ports")
            if protocol not in ("UDP", "TCP", "TLS"):
                raise ValueError(f"{DATA_FILE} line {number}: unknown protocol {protocol!r}")
            services.append((protocol, ports))
        network = ipaddress.IPv4Network(row["cidr"])
        if row["purpose"] not in ("signalling", "media"):
            raise ValueError(f"{DATA_FILE} line {number}: purpose must be signalling or media")
        rows.append(IpRange(edge=row["edge"], legacy_name=row["legacy_name"], location=row["location"],
                            purpose=row["purpose"], cidr=str(network), services=tuple(services),
                            source=row["source"], checked=row["checked"]))
    return tuple(rows)


@lru_cache(maxsize=1)
def twilio_edges() -> tuple[Edge, ...]:
    """Twilio's edge locations, in the data file's order (one per signalling line)."""
    seen: dict[str, Edge] = {}
    for r in twilio_ranges():
        if r.purpose == "signalling" and r.edge not in seen:
            seen[r.edge] = Edge(r.edge, r.legacy_name, r.location)
    return tuple(seen.values())


def edge_choices(current: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs for a form's edge list: Twilio's current edge names with where they are.

    Legacy names (`us1`, `ie1`, …) are not offered; when `current` is one (an older saved line),
    it is added last, labelled as the legacy name of its edge, so the form still shows it.
    """
    edges = twilio_edges()
    choices = [(f"{e.name} ({e.location})", e.name) for e in edges]
    legacy = {e.legacy_name: e for e in edges if e.legacy_name}
    if current and current.lower() in legacy:
        edge = legacy[current.lower()]
        choices.append((f"{current.lower()} (legacy name of {edge.name}; choose {edge.name})", current.lower()))
    return choices


def media_ranges() -> tuple[IpRange, ...]:
    """The media (RTP) lines of the data file: where Twilio's audio comes from."""
    return tuple(r for r in twilio_ranges() if r.purpose == "media")


def media_summary() -> str:
    """Twilio's media in words, from the data file: "UDP 10000-60000 from Twilio's media range 168.86.128.0/18"."""
    media = media_ranges()
    services = ", ".join(dict.fromkeys(f"{protocol} {ports}" for r in media for protocol, ports in r.services))
    cidrs = ", ".join(dict.fromkeys(r.cidr for r in media))
    return f"{services} from Twilio's media range {cidrs}"
