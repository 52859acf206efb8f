"""Core subcommands: `mode`, `env` (environment check) and `sandbox reset`."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers env` and `ata-helpers sandbox reset|where`."""
    p = subparsers.add_parser("env", help="show the mode, package versions and whether the twins answer")
    p.set_defaults(func=_env)
    p = subparsers.add_parser("sandbox", help="manage the local sandbox (twins and their state)")
    sub = p.add_subparsers(dest="sandbox_command", metavar="ACTION")
    reset = sub.add_parser("reset", help="forget everything the sandbox holds (no effect on live accounts)")
    reset.add_argument("--to", metavar="N", help="then build the state a learner has when starting notebook N "
                                                 "(after notebooks 00 … N-1), e.g. --to 05")
    reset.set_defaults(func=_reset)
    where = sub.add_parser("where", help="print the sandbox folder and the twins' addresses")
    where.set_defaults(func=_where)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _env(args: argparse.Namespace) -> int:
    from ..environment import environment_check

    table = environment_check()
    print(table.to_string(index=False))
    return 1 if (table["status"] == "fail").any() else 0


def _reset(args: argparse.Namespace) -> int:
    from ..sandbox.course_steps import step_number
    from ..sandbox.reset_report import reset_and_report
    from ..settings import mode

    if args.to is not None:
        step_number(args.to)  # before anything is cleared
        if mode() != "sandbox":
            print("reset --to builds sandbox state; ATA_MODE is live, so nothing was changed", file=sys.stderr)
            return 2
    print(reset_and_report(args.to))
    return 0


def _where(args: argparse.Namespace) -> int:
    from ..sandbox import twin_url
    from ..settings import sandbox_dir

    print(f"sandbox folder: {sandbox_dir()}")
    print(f"Twilio twin:    {twin_url()}")
    return 0
