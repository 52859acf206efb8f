"""Twilio's published SIP address ranges, and firewall rules for them in each router's dialect.

The ranges live in one data file, `data/twilio_ip_ranges.csv` (one line per range, with the page
it comes from and the date it was checked), read through `twilio_ranges.twilio_ranges()`, so a
change on Twilio's side is a one-line edit.

What an ATA behind a home router needs:
- **Signalling** needs no inbound port forward. The HT80x registers *outbound* to Twilio and keeps
  the NAT binding alive, so Twilio's replies and its INVITEs come back through connection
  tracking (the `established,related` rule). Allowing the eight signalling ranges out on
  5060 UDP/TCP and 5061 TLS only matters where LAN traffic out is filtered.
- **Media** comes from a pool: any host in `168.86.128.0/18`, any UDP port 10000-60000, chosen
  per call, and it may arrive before the ATA has sent a packet. So it is allowed in as a range,
  and forwarded to the ATA's RTP ports (Local RTP Port, P39/P739: 5004 and 5012 by default) when
  its LAN address is given.
- **SIP ALG** on the router rewrites SIP messages and usually breaks registration or audio; every
  rule set comes with a note on turning it off.
"""

from __future__ import annotations

import html
import ipaddress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Literal

from .errors import ValidationError
from .grandstream.settings_model import DEFAULT_LOCAL_PORTS, setting
from .twilio_ranges import (
    IpRange,
    media_ranges,
    parse_port_range,
    twilio_edges,
    twilio_ranges,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "EDGES",
    "LEGACY_EDGE_NAMES",
    "DEFAULT_RTP_PORTS",
    "IpRange",
    "Rule",
    "FirewallRules",
    "twilio_ip_ranges",
    "firewall_rules",
    "normalize_edges",
    "validate_ata_ip",
    "parse_port_range",
    "sip_alg_note",
]

FORMATS: tuple[str, ...] = ("nftables", "iptables", "pfsense", "openwrt", "mikrotik", "table")
FORMAT_LABELS: dict[str, str] = {
    "nftables": "Linux nftables",
    "iptables": "Linux iptables",
    "pfsense": "pfSense / OPNsense",
    "openwrt": "OpenWrt (uci)",
    "mikrotik": "MikroTik RouterOS",
    "table": "Any other router (plain table)",
}
DEFAULT_RTP_PORTS: tuple[int, int] = (DEFAULT_LOCAL_PORTS[1][1], DEFAULT_LOCAL_PORTS[2][1] + 1)
"""The HT80x's default Local RTP Port (P39/P739) range: FXS1 5004 (RTP) and 5005 (RTCP), FXS2 5012 and 5013."""

SetName = Literal["twilio_signalling", "twilio_media"]


def _signalling() -> tuple[IpRange, ...]:
    return tuple(r for r in twilio_ranges() if r.purpose == "signalling")


EDGES: tuple[str, ...] = tuple(e.name for e in twilio_edges())
LEGACY_EDGE_NAMES: dict[str, str] = {e.legacy_name: e.name for e in twilio_edges() if e.legacy_name}


def normalize_edges(edges: str | Iterable[str] | None) -> tuple[str, ...]:
    """Edge names as the reference spells them, in the data file's order; legacy names accepted.

    None means every edge: Twilio asks for all of them to be allowed because failover can move a
    call to another edge.
    """
    if edges is None:
        return EDGES
    items = [edges] if isinstance(edges, str) else list(edges)
    allowed = ", ".join(EDGES) + " (or legacy " + ", ".join(LEGACY_EDGE_NAMES) + ")"
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ValidationError("edges", f"edge names are text, one of {allowed}", item)
        name = item.strip().lower()
        name = LEGACY_EDGE_NAMES.get(name, name)
        if name not in EDGES:
            raise ValidationError("edges", f"unknown edge {item!r}; choose from {allowed}", item)
        chosen.add(name)
    if not chosen:
        raise ValidationError("edges", f"choose at least one edge from {allowed}", edges)
    return tuple(e for e in EDGES if e in chosen)


_RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")  # private address space, RFC 1918 §3


def validate_ata_ip(ata_ip: str | None) -> str | None:
    """The ATA's LAN address as a canonical IPv4 string; it must be a private, usable host address."""
    if ata_ip is None:
        return None
    text = str(ata_ip).strip()
    if not text:
        return None
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        raise ValidationError("ata_ip", "an IPv4 address such as 192.168.1.50 "
                              "(see the ATA's Status page or your router's DHCP list)", ata_ip) from None
    if address.is_link_local:
        raise ValidationError("ata_ip", "169.254.x.x means the ATA got no address from DHCP; "
                              "use the address your router gave it", ata_ip)
    if address.is_loopback or address.is_multicast or address.is_unspecified or address.is_reserved:
        raise ValidationError("ata_ip", "the ATA's own LAN address, e.g. 192.168.1.50", ata_ip)
    if not any(address in ipaddress.IPv4Network(block) for block in _RFC1918):
        raise ValidationError("ata_ip", "the ATA's private LAN address (10.x, 172.16-31.x or "
                              "192.168.x), not a public one", ata_ip)
    return str(address)


@dataclass(frozen=True)
class Rule:
    """One allow rule, independent of any router's syntax; the renderers translate it."""

    name: str
    description: str
    direction: Literal["outbound", "inbound", "both"]
    action: Literal["accept", "port-forward"]
    protocol: Literal["udp", "tcp", "any"]
    src_set: SetName | None = None
    src_host: str | None = None
    sport: tuple[int, int] | None = None
    dst_set: SetName | None = None
    dst_host: str | None = None
    dport: tuple[int, int] | None = None
    to_host: str | None = None
    established: bool = False


def _media_ports() -> tuple[int, int]:
    """Twilio's media source ports (UDP 10000-60000), as the data file gives them."""
    return parse_port_range(media_ranges()[0].services[0][1], name="media ports")


def _build_rules(ata_ip: str | None, rtp_ports: tuple[int, int]) -> tuple[Rule, ...]:
    """The rule set every renderer writes: return traffic, signalling and media out, media in."""
    media_ports = _media_ports()
    rules = [
        Rule("twilio-established", "Replies to connections the ATA opened (SIP signalling comes back "
             "this way)", "both", "accept", "any", established=True),
        Rule("twilio-sip-udp-out", "ATA to Twilio SIP signalling over UDP", "outbound", "accept", "udp",
             src_host=ata_ip, dst_set="twilio_signalling", dport=(5060, 5060)),
        Rule("twilio-sip-tcp-out", "ATA to Twilio SIP signalling over TCP (5060) and TLS (5061)",
             "outbound", "accept", "tcp", src_host=ata_ip, dst_set="twilio_signalling", dport=(5060, 5061)),
        Rule("twilio-media-out", "ATA to Twilio media (RTP)", "outbound", "accept", "udp",
             src_host=ata_ip, dst_set="twilio_media", dport=media_ports),
    ]
    if ata_ip:
        rules.append(Rule("twilio-media-forward", "Port forward: Twilio media to the ATA's RTP ports",
                          "inbound", "port-forward", "udp", src_set="twilio_media", sport=media_ports,
                          dport=rtp_ports, to_host=ata_ip))
    rules.append(Rule("twilio-media-in", "Twilio media (RTP) in to the ATA", "inbound", "accept", "udp",
                      src_set="twilio_media", sport=media_ports, dst_host=ata_ip, dport=rtp_ports))
    return tuple(rules)


def twilio_ip_ranges(edges: str | Iterable[str] | None = None) -> "pd.DataFrame":
    """Twilio's SIP signalling and media ranges, one row per range and protocol, from the data file.

    `edges` limits the signalling rows to those edges (legacy names such as us1 work); the media
    range serves every edge and is always included. `df.attrs` holds the source page and date
    (https://www.twilio.com/docs/sip-trunking/ip-addresses). Raises ValidationError for an unknown edge.
    """
    import pandas as pd

    chosen = normalize_edges(edges)
    rows = []
    for item in twilio_ranges():
        if item.purpose == "signalling" and item.edge not in chosen:
            continue
        for protocol, ports in item.services:
            rows.append({"edge": item.edge, "legacy_name": item.legacy_name, "location": item.location,
                         "purpose": item.purpose, "cidr": item.cidr, "protocol": protocol, "ports": ports,
                         "source": item.source, "checked": item.checked})
    frame = pd.DataFrame(rows, columns=["edge", "legacy_name", "location", "purpose", "cidr", "protocol",
                                        "ports", "source", "checked"])
    frame.attrs["source"] = sorted({r.source for r in twilio_ranges()})
    frame.attrs["checked"] = max(r.checked for r in twilio_ranges())
    return frame


def sip_alg_note(fmt: str) -> str:
    """Advice on turning off the router's SIP ALG (SIP helper), worded for the chosen router type."""
    common = ("Turn off SIP ALG (also called SIP helper or SIP passthrough) on the router: it rewrites "
              "SIP headers and SDP on the way through, which commonly breaks registration, inbound "
              "calls or audio. The ATA already writes its WAN address itself (Contact uses WAN address).")
    specific = {
        "nftables": "On Linux the ALG is the nf_conntrack_sip/nf_nat_sip modules: unload them "
                    "(`modprobe -r nf_nat_sip nf_conntrack_sip`), blacklist them, and add no "
                    "`ct helper` rule for SIP.",
        "iptables": "On Linux the ALG is the nf_conntrack_sip/nf_nat_sip modules: unload them "
                    "(`modprobe -r nf_nat_sip nf_conntrack_sip`), blacklist them, and add no "
                    "`-j CT --helper sip` rule.",
        "pfsense": "pfSense and OPNsense have no SIP ALG unless the siproxd package is installed; "
                   "leave it off. Do set Firewall > NAT > Outbound to Hybrid and add a mapping for the "
                   "ATA with 'Static Port' ticked: the default source-port randomisation confuses SIP.",
        "openwrt": "OpenWrt only has a SIP helper if kmod-nf-nathelper-extra is installed: remove it "
                   "(`opkg remove kmod-nf-nathelper-extra`) or set `uci set "
                   "firewall.@defaults[0].auto_helper='0'`, then reload the firewall.",
        "mikrotik": "RouterOS has a SIP helper on by default: `/ip firewall service-port set sip "
                    "disabled=yes`.",
        "table": "Look in the router's WAN, NAT or firewall settings for 'SIP ALG', 'SIP helper' or "
                 "'SIP passthrough' and turn it off; restart the ATA afterwards so it registers afresh.",
    }
    return f"{common} {specific[fmt]}"


@dataclass(frozen=True)
class FirewallRules:
    """Rendered rules for one router type: `.text` to copy, `.note` on SIP ALG, `.table` to read."""

    fmt: str
    text: str
    note: str
    rules: tuple[Rule, ...]
    edges: tuple[str, ...]
    ata_ip: str | None
    rtp_ports: tuple[int, int]
    signalling_cidrs: tuple[str, ...]
    media_cidrs: tuple[str, ...]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        edges = "all edges" if self.edges == EDGES else ", ".join(self.edges)
        target = self.ata_ip or "no ATA address (no port forward)"
        return f"<FirewallRules {self.fmt}: {len(self.rules)} rules, {edges}, {target}>"

    @property
    def table(self) -> "pd.DataFrame":
        """The same rules as a plain table (one row per rule), whatever the format."""
        return _rules_frame(self)

    def _repr_html_(self) -> str:
        title = html.escape(f"{FORMAT_LABELS[self.fmt]} rules for Twilio SIP")
        if self.fmt == "table":
            body = self.table.to_html(index=False)
        else:
            body = f"<pre>{html.escape(self.text)}</pre>"
        return f"<p><b>{title}</b></p>{body}<p><b>SIP ALG:</b> {html.escape(self.note)}</p>"


def firewall_rules(fmt: str, edges: str | Iterable[str] | None = None, ata_ip: str | None = None, *,
                   rtp_ports: int | str | tuple[int, int] = DEFAULT_RTP_PORTS) -> FirewallRules:
    """Allow rules for Twilio SIP in the syntax of `fmt`, limited to `edges`, forwarded to `ata_ip`.

    `fmt` is one of nftables, iptables, pfsense, openwrt, mikrotik or table. Without `ata_ip` the
    rules match any LAN host and no port forward is written. `rtp_ports` are the ATA's RTP and RTCP
    ports (HT80x Local RTP Port, P39/P739). Every input is checked before anything is rendered: raises
    ValidationError for an unknown format or edge, an `ata_ip` that is not a private IPv4 address,
    or a bad port range.
    """
    if not isinstance(fmt, str) or fmt.strip().lower() not in FORMATS:
        raise ValidationError("fmt", f"one of {', '.join(FORMATS)}", fmt)
    fmt = fmt.strip().lower()
    chosen = normalize_edges(edges)
    host = validate_ata_ip(ata_ip)
    ports = parse_port_range(rtp_ports)
    rules = _build_rules(host, ports)
    signalling = tuple(r.cidr for r in _signalling() if r.edge in chosen)
    media = tuple(r.cidr for r in media_ranges())
    draft = FirewallRules(fmt=fmt, text="", note=sip_alg_note(fmt), rules=rules, edges=chosen,
                          ata_ip=host, rtp_ports=ports, signalling_cidrs=signalling, media_cidrs=media)
    return replace(draft, text=_RENDERERS[fmt](draft))


def _header(r: FirewallRules, comment: str = "#") -> list[str]:
    """Comment lines that say what the rules are for and where the addresses come from."""
    data = twilio_ranges()
    edges = "all edges" if r.edges == EDGES else "edges " + ", ".join(r.edges)
    target = (f"media forwarded to the ATA at {r.ata_ip}" if r.ata_ip
              else "media allowed to any LAN host, no port forward (give the ATA's address to add one)")
    lines = [
        f"Twilio SIP for a Grandstream HT80x: {edges}; {target}.",
        f"Addresses from {data[0].source} (checked {max(d.checked for d in data)}).",
    ]
    if r.edges != EDGES:
        lines.append("Twilio asks for all edges to be allowed: failover can move a call to another edge.")
    return [f"{comment} {line}" for line in lines]


def _range_label(item: IpRange) -> str:
    """How a range is described beside its address: `ashburn (North America Virginia)`, `all edges`."""
    return f"{item.edge} ({item.location})" if item.purpose == "signalling" else item.location.lower()


def _ports(span: tuple[int, int], sep: str = "-") -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]}{sep}{span[1]}"


def _cidrs(r: FirewallRules, name: SetName | None) -> tuple[str, ...]:
    return r.signalling_cidrs if name == "twilio_signalling" else r.media_cidrs


def _render_nftables(r: FirewallRules) -> str:
    """An `nft -f` file that merges into Debian's `inet filter` table and adds a `ip nat` DNAT chain."""
    lines = ["#!/usr/sbin/nft -f", *_header(r),
             "# Load once with `nft -f FILE`: it adds to the existing tables (created if missing) and",
             "# sets no policy. If your forward chain ends in an explicit drop rule, move these above it.",
             "",
             "table inet filter {"]
    for name, cidrs in (("twilio_signalling", r.signalling_cidrs), ("twilio_media", r.media_cidrs)):
        lines += [f"\tset {name} {{", "\t\ttype ipv4_addr", "\t\tflags interval",
                  f"\t\telements = {{ {', '.join(cidrs)} }}", "\t}"]
    lines += ["", "\tchain forward {", "\t\ttype filter hook forward priority filter;"]
    nat: list[str] = []
    for rule in r.rules:
        if rule.established:
            lines.append(f'\t\tct state established,related accept comment "{rule.description}"')
            continue
        match: list[str] = []
        if rule.src_set:
            match.append(f"ip saddr @{rule.src_set}")
        if rule.src_host:
            match.append(f"ip saddr {rule.src_host}")
        if rule.dst_set:
            match.append(f"ip daddr @{rule.dst_set}")
        if rule.dst_host:
            match.append(f"ip daddr {rule.dst_host}")
        if rule.sport:
            match.append(f"{rule.protocol} sport {_ports(rule.sport)}")
        if rule.dport:
            match.append(f"{rule.protocol} dport {_ports(rule.dport)}")
        if rule.action == "port-forward":
            sources = _cidrs(r, rule.src_set)
            saddr = sources[0] if len(sources) == 1 else "{ " + ", ".join(sources) + " }"
            nat.append(f"\t\tip saddr {saddr} {rule.protocol} sport {_ports(rule.sport or (1, 65535))} "
                       f"{rule.protocol} dport {_ports(rule.dport or (1, 65535))} dnat to {rule.to_host} "
                       f'comment "{rule.description}"')
            continue
        lines.append(f'\t\t{" ".join(match)} accept comment "{rule.description}"')
    lines += ["\t}", "}"]
    if nat:
        lines += ["", "table ip nat {", "\tchain prerouting {",
                  "\t\ttype nat hook prerouting priority dstnat;", *nat, "\t}", "}"]
    return "\n".join(lines) + "\n"


def _render_iptables(r: FirewallRules) -> str:
    """An `iptables-restore --noflush` file: rules inserted at the top of FORWARD, DNAT in nat."""
    lines = [*_header(r),
             "# Load once with `iptables-restore --noflush FILE` (without --noflush the tables are replaced).",
             "# Rules are inserted at the top of FORWARD, ahead of any drop rule.", ""]
    filt: list[str] = []
    nat: list[str] = []
    for rule in r.rules:
        comment = f'-m comment --comment "{rule.description}"'
        if rule.established:
            filt.append(f"-m conntrack --ctstate ESTABLISHED,RELATED {comment} -j ACCEPT")
            continue
        if rule.action == "port-forward":
            for cidr in _cidrs(r, rule.src_set):
                nat.append(f"-s {cidr} -p {rule.protocol} --sport {_ports(rule.sport or (1, 65535), ':')} "
                           f"--dport {_ports(rule.dport or (1, 65535), ':')} {comment} "
                           f"-j DNAT --to-destination {rule.to_host}")
            continue
        sources = _cidrs(r, rule.src_set) if rule.src_set else (rule.src_host,)
        dests = _cidrs(r, rule.dst_set) if rule.dst_set else (rule.dst_host,)
        for src in sources:
            for dst in dests:
                parts = []
                if src:
                    parts.append(f"-s {src}")
                if dst:
                    parts.append(f"-d {dst}")
                parts.append(f"-p {rule.protocol}")
                if rule.sport:
                    parts.append(f"--sport {_ports(rule.sport, ':')}")
                if rule.dport:
                    parts.append(f"--dport {_ports(rule.dport, ':')}")
                filt.append(f"{' '.join(parts)} {comment} -j ACCEPT")
    lines.append("*filter")
    lines += [f"-I FORWARD {n} {body}" for n, body in enumerate(filt, start=1)]
    lines.append("COMMIT")
    if nat:
        lines.append("*nat")
        lines += [f"-I PREROUTING {n} {body}" for n, body in enumerate(nat, start=1)]
        lines.append("COMMIT")
    return "\n".join(lines) + "\n"


_PF_ALIAS = {"twilio_signalling": "Twilio_Signalling", "twilio_media": "Twilio_Media"}


def _render_pfsense(r: FirewallRules) -> str:
    """Aliases to paste into pfSense/OPNsense (Firewall > Aliases) and the rules that use them."""
    labels = {x.cidr: _range_label(x) for x in twilio_ranges()}
    media_ports = _ports(_media_ports(), ":")
    lines = [*_header(r), "",
             "# 1. Firewall > Aliases > IP: add each alias (type Network(s)); the lines under it are its",
             "#    entries: network, then description. Firewall > Aliases > Import accepts them as pasted.",
             ""]
    for name, cidrs, what in (("twilio_signalling", r.signalling_cidrs, "Twilio SIP signalling ranges"),
                              ("twilio_media", r.media_cidrs, "Twilio media (RTP) range")):
        lines += [f"Alias: {_PF_ALIAS[name]}", "Type: Network(s)", f"Description: {what}"]
        lines += [f"{cidr} {labels[cidr]}" for cidr in cidrs]
        lines.append("")
    lines += ["# 2. Firewall > Aliases > Ports: add each alias (type Port(s)).", "",
              "Alias: Twilio_Media_Ports", "Type: Port(s)", "Description: Twilio media source ports",
              f"{media_ports} RTP", "",
              "Alias: ATA_RTP_Ports", "Type: Port(s)", f"Description: the ATA's RTP/RTCP ports, {setting('local_rtp_port').describe()}",
              f"{_ports(r.rtp_ports, ':')} RTP and RTCP", ""]
    lines.append("# 3. Rules (descriptions as shown; a port forward creates its own WAN pass rule).")
    for rule in r.rules:
        if rule.established:
            continue
        if rule.action == "port-forward":
            lines.append(f"Firewall > NAT > Port Forward: Interface WAN | Protocol UDP | Source "
                         f"{_PF_ALIAS['twilio_media']} port Twilio_Media_Ports | Destination WAN address "
                         f"port ATA_RTP_Ports | Redirect target IP {rule.to_host} port {r.rtp_ports[0]} | "
                         f'Description "{rule.description}"')
        elif rule.direction == "outbound":
            source = f"{rule.src_host}/32" if rule.src_host else "LAN net"
            dport = ("Twilio_Media_Ports" if rule.dst_set == "twilio_media"
                     else _ports(rule.dport or (1, 65535), ":"))
            lines.append(f"Firewall > Rules > LAN (only if LAN traffic out is restricted): Pass | Protocol "
                         f"{rule.protocol.upper()} | Source {source} | Destination "
                         f"{_PF_ALIAS[rule.dst_set or 'twilio_media']} port {dport} | "
                         f'Description "{rule.description}"')
        elif not r.ata_ip:
            lines.append(f"Firewall > Rules > WAN: Pass | Protocol UDP | Source {_PF_ALIAS['twilio_media']} "
                         f"port Twilio_Media_Ports | Destination LAN net port ATA_RTP_Ports | "
                         f'Description "{rule.description}" (add a port forward once you know the ATA\'s address)')
    return "\n".join(lines) + "\n"


def _uci_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _render_openwrt(r: FirewallRules) -> str:
    """`uci` commands for OpenWrt's firewall (fw3 and fw4): named sections, safe to run twice."""
    lines = [*_header(r), "# Paste into an SSH session on the router.", ""]
    for rule in r.rules:
        if rule.established:
            continue
        section = rule.name.replace("-", "_")
        kind = "redirect" if rule.action == "port-forward" else "rule"
        lines += [f"uci -q delete firewall.{section}", f"uci set firewall.{section}={kind}"]
        options: list[tuple[str, str]] = [("name", rule.description)]
        if rule.direction == "outbound":
            options += [("src", "lan"), ("dest", "wan")]
        else:
            options += [("src", "wan"), ("dest", "lan")]
        options.append(("proto", rule.protocol))
        if kind == "rule":
            options.append(("family", "ipv4"))
        if rule.sport:
            options.append(("src_port", _ports(rule.sport)))
        if rule.action == "port-forward":
            options += [("src_dport", _ports(rule.dport or (1, 65535))), ("dest_ip", rule.to_host or ""),
                        ("dest_port", _ports(rule.dport or (1, 65535))), ("target", "DNAT")]
        else:
            if rule.src_host:
                options.append(("src_ip", rule.src_host))
            if rule.dst_host:
                options.append(("dest_ip", rule.dst_host))
            if rule.dport:
                options.append(("dest_port", _ports(rule.dport)))
            options.append(("target", "ACCEPT"))
        lines += [f"uci set firewall.{section}.{key}={_uci_quote(value)}" for key, value in options]
        for key, name in (("src_ip", rule.src_set), ("dest_ip", rule.dst_set)):
            if name:
                lines += [f"uci add_list firewall.{section}.{key}={_uci_quote(c)}" for c in _cidrs(r, name)]
    lines += ["uci commit firewall", "/etc/init.d/firewall reload"]
    return "\n".join(lines) + "\n"


def _ros_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ROS_LIST = {"twilio_signalling": "twilio-signalling", "twilio_media": "twilio-media"}


def _render_mikrotik(r: FirewallRules) -> str:
    """A RouterOS script: address lists, forward filter rules and a dst-nat for the media."""
    labels = {x.cidr: f"Twilio {x.purpose}, {_range_label(x)}" for x in twilio_ranges()}
    lines = [*_header(r), "# Paste into a RouterOS terminal. `add` appends: move the accept rules above",
             "# any drop rule in the forward chain (Winbox: drag them up).", "",
             "/ip firewall address-list"]
    for name, cidrs in (("twilio_signalling", r.signalling_cidrs), ("twilio_media", r.media_cidrs)):
        lines += [f"add list={_ROS_LIST[name]} address={c} comment={_ros_quote(labels[c])}" for c in cidrs]
    lines.append("/ip firewall filter")
    nat: list[str] = []
    for rule in r.rules:
        parts: list[str] = []
        if rule.established:
            parts = ["chain=forward", "action=accept", "connection-state=established,related"]
        elif rule.action == "port-forward":
            nat.append(" ".join([
                "add chain=dstnat action=dst-nat", f"protocol={rule.protocol}",
                f"src-address-list={_ROS_LIST[rule.src_set or 'twilio_media']}",
                f"src-port={_ports(rule.sport or (1, 65535))}", f"dst-port={_ports(rule.dport or (1, 65535))}",
                f"to-addresses={rule.to_host}", f"comment={_ros_quote(rule.description)}"]))
            continue
        else:
            parts = ["chain=forward", "action=accept", f"protocol={rule.protocol}"]
            if rule.src_set:
                parts.append(f"src-address-list={_ROS_LIST[rule.src_set]}")
            if rule.src_host:
                parts.append(f"src-address={rule.src_host}")
            if rule.dst_set:
                parts.append(f"dst-address-list={_ROS_LIST[rule.dst_set]}")
            if rule.dst_host:
                parts.append(f"dst-address={rule.dst_host}")
            if rule.sport:
                parts.append(f"src-port={_ports(rule.sport)}")
            if rule.dport:
                parts.append(f"dst-port={_ports(rule.dport)}")
        lines.append(" ".join(["add", *parts, f"comment={_ros_quote(rule.description)}"]))
    if nat:
        lines += ["/ip firewall nat", *nat]
    return "\n".join(lines) + "\n"


_GROUP_LABEL = {"twilio_signalling": "Twilio signalling ranges", "twilio_media": "Twilio media range"}


def _rules_frame(r: FirewallRules, expand: bool = True) -> "pd.DataFrame":
    """One row per rule, for routers with a web form; `expand` writes the ranges out in full."""
    import pandas as pd

    def where(name: SetName | None, host: str | None, fallback: str) -> str:
        if name:
            return ", ".join(_cidrs(r, name)) if expand else _GROUP_LABEL[name]
        return host or fallback

    rows = []
    for rule in r.rules:
        if rule.established:
            rows.append({"rule": rule.description, "type": "allow (stateful)", "protocol": "any",
                         "source": "any", "source_ports": "any", "destination": "any",
                         "destination_ports": "any", "forward_to": ""})
            continue
        outbound = rule.direction == "outbound"
        rows.append({
            "rule": rule.description,
            "type": "port forward" if rule.action == "port-forward" else "allow",
            "protocol": rule.protocol.upper(),
            "source": where(rule.src_set, rule.src_host, "LAN" if outbound else "any"),
            "source_ports": _ports(rule.sport) if rule.sport else "any",
            "destination": "WAN address" if rule.action == "port-forward"
            else where(rule.dst_set, rule.dst_host, "LAN" if not outbound else "any"),
            "destination_ports": _ports(rule.dport) if rule.dport else "any",
            "forward_to": f"{rule.to_host}:{_ports(rule.dport or (1, 65535))}" if rule.to_host else "",
        })
    return pd.DataFrame(rows)


def _render_table(r: FirewallRules) -> str:
    """The rules as a fixed-width table, then the addresses each named group stands for."""
    labels = {x.cidr: _range_label(x) for x in twilio_ranges()}
    lines = [*_header(r), "", _rules_frame(r, expand=False).to_string(index=False), ""]
    for name, cidrs in (("twilio_signalling", r.signalling_cidrs), ("twilio_media", r.media_cidrs)):
        lines.append(f"{_GROUP_LABEL[name]}:")
        lines += [f"  {cidr:<18} {labels[cidr]}" for cidr in cidrs]
    return "\n".join(lines) + "\n"


_RENDERERS = {
    "nftables": _render_nftables,
    "iptables": _render_iptables,
    "pfsense": _render_pfsense,
    "openwrt": _render_openwrt,
    "mikrotik": _render_mikrotik,
    "table": _render_table,
}
