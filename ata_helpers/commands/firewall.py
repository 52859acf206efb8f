"""`ata-helpers firewall`: print allow rules for Twilio SIP in a router's syntax, or the ranges."""

from __future__ import annotations

import argparse

from ..twilio_ranges import twilio_edges

__all__ = ["register"]

_FORMATS = ("nftables", "iptables", "pfsense", "openwrt", "mikrotik", "table")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `firewall` subcommand; the firewall module itself loads only when it runs."""
    from ..grandstream.settings_model import setting

    p = subparsers.add_parser(
        "firewall",
        help="firewall rules for Twilio's SIP signalling and media addresses",
        description="Print allow rules for Twilio SIP in your router's syntax (the SIP ALG advice "
                    "goes to stderr), or Twilio's address ranges with --ranges.",
    )
    p.add_argument("--format", "-f", dest="fmt", default="table", choices=_FORMATS,
                   help="router type / rule syntax (default: table)")
    p.add_argument("--edge", "-e", dest="edges", action="append", metavar="EDGE",
                   help=f"limit signalling ranges to this edge, one of {', '.join(e.name for e in twilio_edges())} (repeatable; "
                        "legacy names such as us1 are still accepted); default: all edges, as Twilio recommends")
    p.add_argument("--ata-ip", metavar="IP",
                   help="the ATA's LAN address: narrows the rules to it and adds the media port forward")
    p.add_argument("--rtp-ports", default="5004-5013", metavar="LOW-HIGH",
                   help=f"the ATA's RTP and RTCP ports, {setting('local_rtp_port').describe()}; "
                        "default 5004-5013 covers both HT802 ports")
    p.add_argument("--ranges", action="store_true",
                   help="print Twilio's address ranges (with source page and date checked) instead")
    p.set_defaults(func=_firewall)


def _firewall(args: argparse.Namespace) -> int:
    import sys

    from ..firewall import firewall_rules, twilio_ip_ranges

    if args.ranges:
        frame = twilio_ip_ranges(args.edges)
        print(frame.to_string(index=False))
        return 0
    rules = firewall_rules(args.fmt, edges=args.edges, ata_ip=args.ata_ip, rtp_ports=args.rtp_ports)
    sys.stdout.write(rules.text)
    print(f"\nSIP ALG: {rules.note}", file=sys.stderr)
    return 0
