"""`ata-helpers setup plan|apply|teardown|describe`: the Twilio side of the line from a terminal.

Inputs come from flags, over a JSON config file (default: the inputs the notebooks saved). The
SIP password comes from --password, ATA_SIP_PASSWORD or a hidden prompt, and is never echoed.
In live mode apply and teardown show what they will do and ask before changing the account.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..twilio_ranges import DEFAULT_EDGE, twilio_edges

__all__ = ["register"]

_ACTIONS = ("plan", "apply", "teardown", "describe")
_FLAGS = {  # config key -> (flag, help)
    "domain_label": ("--domain-label", "SIP domain label: LABEL.sip.twilio.com"),
    "username": ("--username", "SIP credential username (the ATA's SIP User ID and Authenticate ID)"),
    "caller_id": ("--caller-id", "caller ID for outbound calls, E.164 (one of your Twilio numbers)"),
    "phone_number": ("--phone-number", "Twilio number whose incoming calls ring the ATA (default: caller ID)"),
    "edge": ("--edge", f"edge in the trunk's origination URL: {', '.join(e.name for e in twilio_edges())} (default {DEFAULT_EDGE}; "
                       "legacy names such as us1 are still accepted)"),
    "public_ip": ("--public-ip", "your public IPv4 address or CIDR block, for the IP access control list"),
    "outbound_bin_url": ("--outbound-bin-url", "live mode: URL of the outbound TwiML Bin you pasted"),
    "inbound_bin_url": ("--inbound-bin-url", "live mode: URL of the inbound TwiML Bin you pasted"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `setup ACTION` with the TwilioSetup inputs as flags."""
    p = subparsers.add_parser(
        "setup", help="plan, apply, tear down or describe the Twilio side of the line",
        description="Manage the SIP domain, credential list, IP ACL, trunk, call handlers (Functions or "
                    "Bins) and phone number of "
                    "the course's line. Flags override the config file.")
    p.add_argument("action", choices=_ACTIONS, help="plan (read only), apply, teardown or describe")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="JSON file of inputs (default: the inputs saved by the notebooks, if any)")
    for key, (flag, text) in _FLAGS.items():
        p.add_argument(flag, dest=key, help=text)
    p.add_argument("--password", help="SIP credential password (prefer ATA_SIP_PASSWORD or the prompt: "
                                      "flags are visible to other users of this computer)")
    p.add_argument("--stage", dest="stages", action="append", choices=("outbound", "registration", "inbound"),
                   help="limit plan/apply to a stage (repeatable; default: all)")
    p.add_argument("--twiml-host", dest="twiml_host", choices=("functions", "bins"),
                   help="where the call handling lives: functions (default: Twilio Functions deployed for you "
                        "through the Serverless API) or bins (TwiML Bins you paste in the Console)")
    p.add_argument("--reset-password", action="store_true",
                   help="set the existing credential's password again (Twilio never returns it)")
    p.add_argument("--detach-number", action="store_true",
                   help="remove the number from a trunk or TwiML App so its voice URL takes effect")
    p.add_argument("--yes", "-y", action="store_true", help="live mode: apply or tear down without asking")
    p.set_defaults(func=_run)


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    from ..errors import ValidationError
    from ..line import INPUT_FIELDS, LineInputs

    values = LineInputs.load().as_dict()
    if args.config is not None:
        try:
            loaded = json.loads(args.config.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError("config", f"a readable JSON file of inputs ({exc})", str(args.config)) from None
        if not isinstance(loaded, dict) or not all(isinstance(v, (str, type(None))) for v in loaded.values()):
            raise ValidationError("config", 'a JSON object of text values, e.g. {"domain_label": "my-ht801"}',
                                  str(args.config))
        unknown = sorted(set(loaded) - set(INPUT_FIELDS) - {"password"})
        if unknown or "password" in loaded:
            raise ValidationError("config", "only these keys: " + ", ".join(INPUT_FIELDS)
                                  + " (never the password)", ", ".join(unknown) or "password")
        values.update(loaded)
    values.update({k: getattr(args, k) for k in _FLAGS if getattr(args, k) is not None})
    return values


def _password(args: argparse.Namespace) -> str | None:
    from ..provision.config import sip_password

    if args.password:
        return str(args.password)
    needs = args.action in ("plan", "apply") and (not args.stages or "outbound" in args.stages)
    return sip_password(prompt=needs and sys.stdin.isatty()) or None


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _print(frame: Any) -> None:
    import pandas as pd

    from ..empty_results import frame_text

    with pd.option_context("display.max_colwidth", 120, "display.width", 250):
        print(frame_text(frame))


def _run(args: argparse.Namespace) -> int:
    from ..errors import ValidationError

    try:
        return _setup(args)
    except ValidationError as exc:
        # printed as is: a rule never holds the value of a password, and the CLI's generic redaction
        # would mask the word after "password:"
        print(f"error: {exc.field}: {exc.rule}", file=sys.stderr)
        return 1


def _setup(args: argparse.Namespace) -> int:
    from ..provision import SetupError, TwilioSetup
    from ..settings import mode

    values = _inputs(args)
    setup = TwilioSetup(values["domain_label"], values["username"], _password(args), values["caller_id"],
                        public_ip=values["public_ip"], phone_number=values.get("phone_number"),
                        edge=values.get("edge") or DEFAULT_EDGE, outbound_bin_url=values.get("outbound_bin_url"),
                        inbound_bin_url=values.get("inbound_bin_url"), reset_password=args.reset_password,
                        detach_number=args.detach_number, twiml_host=args.twiml_host or values.get("twiml_host"))
    live = mode() == "live"
    print(f"mode: {mode()}  domain: {setup.domain_name}  tag: {setup.tag}")
    if args.action == "describe":
        _print(setup.describe())
        return 0
    if args.action == "plan":
        _print(setup.plan(args.stages))
        return 0
    if args.action == "teardown":
        if live and not args.yes:
            _print(setup.describe())
            if not _confirm(f"Delete what carries the tag {setup.tag}?"):
                print("nothing deleted (use --yes to skip this question)")
                return 1
        _print(setup.teardown())
        return 0
    if live and not args.yes:
        _print(setup.plan(args.stages))
        if not _confirm("Apply these changes to your Twilio account?"):
            print("nothing changed (use --yes to skip this question)")
            return 1
    try:
        _print(setup.apply(args.stages))
    except SetupError as exc:
        _print(exc.report)  # what ran, what failed, what did not; the CLI prints the error's line
        raise
    return 0
