"""Capture subcommands: `sip` (message table), `diagnose` (findings), `ladder` (SVG call flow).

Each reads a pcap/pcapng file, or `-` for stdin. `tcpdump -U -w - | ata-helpers diagnose -`
reports each call's findings as soon as the call ends, and the rest when the pipe closes.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register"]

_TABLE_COLUMNS = ["frame", "time", "src", "sport", "dst", "dport", "transport", "method",
                  "status", "reason", "call_id", "cseq", "cseq_method", "retransmission"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers sip`, `diagnose` and `ladder`."""
    p = subparsers.add_parser("sip", help="list the SIP messages of a capture (pcap/pcapng, - = stdin)")
    p.add_argument("file", help="capture file, or - to read stdin")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print every column as CSV")
    fmt.add_argument("--json", action="store_true", help="print every column as JSON lines")
    p.set_defaults(func=_sip)
    p = subparsers.add_parser("diagnose", help="find NAT, auth and routing faults in a capture")
    p.add_argument("file", help="capture file, or - to read stdin")
    p.set_defaults(func=_diagnose)
    p = subparsers.add_parser("ladder", help="draw a capture's call flow as SVG")
    p.add_argument("file", help="capture file, or - to read stdin")
    p.add_argument("--call", dest="call_id", help="Call-ID of the call to draw (default: all)")
    p.add_argument("-o", "--output", required=True, help="SVG file to write")
    p.set_defaults(func=_ladder)


def _accounting(attrs: dict, messages: int) -> str:
    """One line on what the packets were: read, and skipped with reasons."""
    packets = attrs.get("packets") or {}
    parts = ", ".join(f"{n} {reason}" for reason, n in packets.items())
    return f"{messages} SIP message(s) from {attrs.get('frames', 0)} packet(s): {parts or 'none'}"


def _explain(frame: object) -> None:
    """Warnings, packets that may hide SIP, and why nothing was found, on stderr."""
    attrs = frame.attrs  # type: ignore[attr-defined]
    for warning in attrs.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    skipped = attrs.get("skipped") or {}
    for reason, n in skipped.items():
        print(f"warning: {n} packet(s) skipped that may hold SIP: {reason}", file=sys.stderr)
    if frame.empty:  # type: ignore[attr-defined]
        from ..capture.sip_table import no_sip_reason

        print(f"no SIP messages found; {_accounting(attrs, 0)}. {no_sip_reason(attrs)}", file=sys.stderr)


def _sip(args: argparse.Namespace) -> int:
    import json

    from ..capture.sip_table import read_sip

    frame = read_sip(args.file)
    _explain(frame)
    if args.csv or args.json:
        out = frame.copy()
        out["time"] = out["time"].map(lambda t: t.isoformat())
        if args.csv:
            # Each headers dict as JSON text, so every header survives and reads back.
            out["headers"] = out["headers"].map(json.dumps)
            out.to_csv(sys.stdout, index=False)
        elif len(out):
            text = out.to_json(orient="records", lines=True, default_handler=str)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    if not frame.empty:
        print(frame[_TABLE_COLUMNS].to_string(index=False))
    return 0


def _print_findings(findings: "pd.DataFrame", indent: str = "") -> None:
    for row in findings.itertuples(index=False):
        print(f"{indent}[{row.severity}] {row.code}: {row.summary}")
        print(f"{indent}    evidence: {row.evidence}")
        print(f"{indent}    fix: {row.fix}")


def _diagnose(args: argparse.Namespace) -> int:
    from ..capture.findings import diagnose
    from ..capture.live import diagnose_live
    from ..capture.load import load_capture

    errors = False
    if args.file == "-":  # a pipe: report each call as soon as it ends
        def on_call(call_id: str, found: "pd.DataFrame") -> None:
            nonlocal errors
            errors = errors or bool((found["severity"] == "error").any())
            print(f"call {call_id} ended: {len(found)} finding(s)", flush=True)
            _print_findings(found, "  ")
            sys.stdout.flush()

        capture, findings = diagnose_live(args.file, on_call)
    else:
        capture = load_capture(args.file)
        findings = diagnose(capture)
    print(_accounting(capture.sip.attrs, len(capture.sip)))
    if findings.empty:
        if args.file == "-" and not capture.sip.empty:
            print("no other findings")
        else:
            from ..capture.findings import no_findings_reason

            print(no_findings_reason(capture.sip))
        return 1 if errors else 0
    _print_findings(findings)
    return 1 if errors or (findings["severity"] == "error").any() else 0


def _ladder(args: argparse.Namespace) -> int:
    from ..capture.ladder_svg import ladder

    drawing = ladder(args.file, call_id=args.call_id)
    drawing.save(args.output)
    print(f"wrote {args.output} ({drawing.messages} messages)")
    return 0
