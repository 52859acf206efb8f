"""Commands that make something safe to hand to someone else: `report`, `anonymize` and `record`."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers report`, `ata-helpers anonymize` and `ata-helpers record`."""
    p = subparsers.add_parser("report", help="write the line report: one self-contained HTML file, no secrets",
                              description="Write the line report (doctor, Twilio side, ATA settings, last calls "
                                          "and, with --capture, the capture's findings, ladders and RTP) as one "
                                          "HTML file readable by its owner only.")
    p.add_argument("-o", "--output", default="line.html", help="the HTML file to write (default: line.html)")
    p.add_argument("--capture", help="a pcap/pcapng of a call to include (the Console's SIP PCAP download)")
    p.set_defaults(func=_report)
    p = subparsers.add_parser("anonymize", help="write a copy of a capture that is safe to share",
                              description="Replace addresses, numbers, user names, domain labels, display names "
                                          "and digest values with keyed stand-ins; the copy gives the same "
                                          "diagnosis. Refuses TLS and what it cannot read unless --drop-unreadable, "
                                          "and never writes over the input.")
    p.add_argument("input", help="the pcap/pcapng to anonymize")
    p.add_argument("output", help="where to write the copy (.gz compresses it)")
    p.add_argument("--key", help="a secret key that makes the stand-ins repeatable across files (default: a "
                                 "random key, forgotten). Keep it secret like a password: whoever knows it can "
                                 "reverse the stand-ins by trying guesses, so never a ticket number or a name; "
                                 "an empty key is refused")
    p.add_argument("--drop-unreadable", action="store_true",
                   help="leave out packets that cannot be anonymized safely (TLS, other protocols) instead of "
                        "refusing")
    p.add_argument("--keep-audio", action="store_true", help="keep RTP payloads (the voice) instead of silence")
    p.set_defaults(func=_anonymize)
    p = subparsers.add_parser("record", help="export an executed notebook to one HTML file, secrets masked",
                              description="Export an executed notebook (a path, or its number such as 07) to one "
                                          "self-contained HTML file with its forms drawn from their saved state, "
                                          "charts inline and every known secret masked.")
    p.add_argument("notebook", help="the notebook: a path to an .ipynb file, or its number (07): your copy in "
                                    "my-notebooks/ when there is one, else the course's in notebooks/")
    p.add_argument("-o", "--output", help="the HTML file (default: records/NAME.html at the project root)")
    p.set_defaults(func=_record)


def _report(args: argparse.Namespace) -> int:
    from ..report import line_report

    html = line_report(args.output, capture=args.capture)
    print(f"wrote {args.output} ({len(html.encode('utf-8')) // 1024 + 1} KB, permissions 0600)")
    return 0


def _anonymize(args: argparse.Namespace) -> int:
    from ..capture.anonymize import anonymize_capture

    result = anonymize_capture(args.input, args.output, key=args.key, drop_unreadable=args.drop_unreadable,
                               keep_audio=args.keep_audio)
    kinds = ", ".join(f"{n} {k}" for k, n in result.replaced.items() if n) or "nothing identifying found"
    print(f"wrote {result.path}: {result.written} of {result.frames} frames; replaced {kinds}")
    for line in result.left_out:
        print(f"left out {line}")
    for line in result.dropped:
        print(f"dropped {line}")
    return 0


def _record(args: argparse.Namespace) -> int:
    from ..record import LEARNER_FOLDER, find_notebook, record_notebook

    source = find_notebook(args.notebook)
    path = record_notebook(source, args.output)
    whose = ("your copy" if source.parent.name == LEARNER_FOLDER else
             f"the course's copy; no {LEARNER_FOLDER}/ copy found" if source.parent.name == "notebooks" else "")
    print(f"exported {source}{f' ({whose})' if whose else ''}\nwrote {path} (permissions 0600)")
    return 0
