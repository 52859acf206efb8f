"""`ata-helpers doctor`: the end-to-end checklist in the terminal; exit 1 when any check fails."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register", "render"]

_COLOURS = {"pass": "\033[32m", "fail": "\033[31m", "warn": "\033[33m", "skip": "\033[90m"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers doctor`."""
    p = subparsers.add_parser("doctor", help="walk the whole chain (Twilio, ATA, calls, capture) and say what is broken",
                              description="Check every link from your Twilio credentials to the latest capture. "
                                          "Exits 1 when a check fails.")
    p.add_argument("--domain", help="the SIP domain (default: the ATA's Primary SIP Server)")
    p.add_argument("--user", help="the SIP username / auth ID (default: the ATA's)")
    p.add_argument("--number", help="your Twilio phone number, E.164")
    p.add_argument("--capture", help="a pcap/pcapng of a call to diagnose (the Console's SIP PCAP download; "
                                     "on the twins, the latest call's simulated capture)")
    p.add_argument("--colour", choices=["auto", "always", "never"], default="auto")
    p.set_defaults(func=_doctor)


def render(frame: "object", colour: bool) -> str:
    """The doctor's table as terminal text, with the status coloured when asked."""
    rows = frame.to_dict("records")  # type: ignore[attr-defined]
    width = max(len(r["check"]) for r in rows)
    lines = []
    for r in rows:
        status = r["status"].upper().ljust(4)
        if colour:
            status = f"{_COLOURS[r['status']]}{status}\033[0m"
        lines.append(f"{status}  {r['check'].ljust(width)}  {r['detail']}")
        if r["fix"] and r["status"] in ("fail", "warn"):
            lines.append(f"{'':4}  {'':{width}}  fix: {r['fix']}")
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    from .._doctor import doctor
    from ..sandbox import latest_capture
    from ..settings import redact_text

    # Without --capture: the twins' capture of the latest call (None in live mode, so the check is skipped).
    capture = args.capture or latest_capture()
    frame = doctor(domain=args.domain, user=args.user, phone_number=args.number, capture=capture)
    colour = args.colour == "always" or (args.colour == "auto" and sys.stdout.isatty()
                                         and not os.environ.get("NO_COLOR"))
    print(redact_text(render(frame, colour)))
    return 1 if (frame["status"] == "fail").any() else 0
