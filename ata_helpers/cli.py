"""`ata-helpers` command line: each feature module adds its own subcommands.

A command module exposes `register(subparsers)` that adds parsers whose `func(args) -> int`
runs the command. Modules are imported only when the CLI starts, keeping `import ata_helpers`
light.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

# One line per feature; each module defines register(subparsers).
COMMAND_MODULES = [
    "ata_helpers.commands.core",
    "ata_helpers.commands.doctor",
    "ata_helpers.commands.ata",
    "ata_helpers.commands.firewall",
    "ata_helpers.commands.setup",
    "ata_helpers.commands.capture",
    "ata_helpers.commands.calls",
    "ata_helpers.commands.share",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every feature's subcommands registered."""
    parser = argparse.ArgumentParser(
        prog="ata-helpers",
        description="Grandstream HT801/HT802 on Twilio SIP: set up, check and troubleshoot the line. "
                    "Runs against the local twins unless ATA_MODE=live.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    from .errors import AtaHelpersError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    import sqlite3

    from .settings import redact_text

    try:
        return int(args.func(args) or 0)
    except AtaHelpersError as exc:
        print(f"error: {redact_text(str(exc))}", file=sys.stderr)
        return 1
    except (OSError, ValueError, sqlite3.Error) as exc:
        # Bad files, unreadable databases, network failures: one line, never a traceback (which
        # could show a secret held in a local variable).
        print(f"error: {type(exc).__name__}: {redact_text(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
