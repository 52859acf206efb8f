"""Commands that make something safe to hand to someone else: `report` (and, later, `anonymize`)."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers report`."""
    p = subparsers.add_parser("report", help="write the line report: one self-contained HTML file, no secrets",
                              description="Write the line report (doctor, Twilio side, ATA settings, last calls "
                                          "and, with --capture, the capture's findings, ladders and RTP) as one "
                                          "HTML file readable by its owner only.")
    p.add_argument("-o", "--output", default="line.html", help="the HTML file to write (default: line.html)")
    p.add_argument("--capture", help="a pcap/pcapng of a call to include (the Console's SIP PCAP download)")
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from ..report import line_report

    html = line_report(args.output, capture=args.capture)
    print(f"wrote {args.output} ({len(html.encode('utf-8')) // 1024 + 1} KB, permissions 0600)")
    return 0
