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


def _version() -> str:
    """The installed distribution's version (importlib.metadata), or "unknown" when run from a bare checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ata-helpers")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every feature's subcommands registered."""
    parser = argparse.ArgumentParser(
        prog="ata-helpers",
        description="Grandstream HT801/HT802 on Twilio SIP: set up, check and troubleshoot the line. "
                    "Runs against the local twins unless ATA_MODE=live.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    Every error ends as one line on stderr and a non-zero status, never a traceback (a traceback
    could show a secret held in a local variable): 1 for errors, 2 for bad arguments (argparse),
    130 for Ctrl-C, and 141 — quietly — when the reader of stdout went away (`| head -1`).
    """
    import warnings

    def one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                         file: object = None, line: str | None = None) -> None:
        from .settings import redact_text

        print(f"warning: {redact_text(str(message))}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.showwarning = one_line_warning
            status = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return 141


def _run(argv: Sequence[str] | None) -> int:
    from .errors import AtaHelpersError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        raise
    except KeyboardInterrupt:
        return 130
    except AtaHelpersError as exc:
        _error(str(exc))
    except MemoryError:
        _error("out of memory: the input is too large for this machine (give a smaller file or a time range)")
    except RecursionError:
        _error("the input is nested too deeply to read")
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        _error(f"{type(exc).__name__}: {exc}")
    return 1


def _error(text: str) -> None:
    """Print `error: …` on one line, secrets redacted, at most 2,000 characters."""
    from .settings import redact_text

    line = " ".join(part.strip() for part in redact_text(text).splitlines() if part.strip())
    if len(line) > 2000:
        line = line[:2000] + "…"
    try:
        print(f"error: {line}", file=sys.stderr)
    except (OSError, ValueError):
        pass  # stderr is gone too: the exit status still tells


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush does not complain about the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing will be flushed to a pipe


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
