"""`ata-helpers ata …`: write the provisioning file, show port status, apply settings to the device."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers ata xml|status|plan|apply`."""
    p = subparsers.add_parser("ata", help="the Grandstream HT801/HT802: provisioning file, status, apply")
    sub = p.add_subparsers(dest="ata_command", metavar="ACTION")

    xml = sub.add_parser("xml", help="print the provisioning file (passwords masked) or save it with --out")
    _config_arguments(xml)
    xml.add_argument("--mac", required=True, help="the device's MAC (label underneath), any common spelling")
    xml.add_argument("--out", type=Path, help="folder to save cfg<mac>.xml into (0600, holds the password)")
    xml.set_defaults(func=_xml)

    status = sub.add_parser("status", help="port status: hook, registration, user ID")
    status.set_defaults(func=_status)

    apply = sub.add_parser("apply", help="write the settings to the device and show what changed "
                                         "(in live mode the plan is shown and confirmed first)")
    _config_arguments(apply)
    apply.add_argument("--yes", action="store_true", help="do not ask before writing to a live device")
    apply.set_defaults(func=_apply)

    plan = sub.add_parser("plan", help="show what `apply` would change on the device, writing nothing")
    _config_arguments(plan)
    plan.set_defaults(func=_plan)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="HT801", choices=["HT801", "HT802"])
    parser.add_argument("--server", required=True, help="Primary SIP Server: your DOMAIN.sip.twilio.com")
    parser.add_argument("--user", required=True, action="append",
                        help="SIP User ID = the credential's username (give twice for both HT802 ports)")
    parser.add_argument("--name", action="append", default=[], help="display name per port")
    parser.add_argument("--password-env", default="ATA_SIP_PASSWORD",
                        help="environment variable (or .env line) holding the SIP password; asked for on a "
                             "terminal if unset")


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ..grandstream import FxsPort, HT80xConfig
    from ..validate import validate_domain_name

    server = validate_domain_name(args.server, "server")  # before the password prompt
    password = _sip_password(args.password_env)
    names = args.name + [""] * len(args.user)
    ports = [FxsPort(user_id=user, password=password, display_name=names[i]) for i, user in enumerate(args.user)]
    return HT80xConfig(model=args.model, sip_server=server, ports=ports)


def _sip_password(variable: str) -> str:
    """The SIP password from `variable` (environment or `.env`; the sandbox line's own when unset in the
    sandbox), else asked for on the terminal; raises ConfigurationError when there is neither."""
    from ..errors import ConfigurationError
    from ..settings import load_env, sip_password_env

    load_env()
    password = sip_password_env() if variable == "ATA_SIP_PASSWORD" else os.environ.get(variable, "")
    if password:
        return password
    problem = (f"no SIP password: set {variable} in the environment or in .env (the credential's password), "
               "or run this in a terminal to type it")
    if not sys.stdin.isatty():
        raise ConfigurationError(problem)
    try:
        return getpass.getpass("SIP password (not shown): ")
    except EOFError:
        raise ConfigurationError(problem) from None


def _xml(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.out:
        print(f"saved {config.save(args.out, args.mac)} (0600)")
    else:
        print(config.preview(mac=args.mac), end="")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ..grandstream import ht80x_device

    table = ht80x_device().status()
    print(table.to_string(index=False))
    active = table[table["account_active"]]
    if len(active) and (active["registration"] != "Registered").any():
        from ..errors import AtaHelpersError
        from ..twilio_registration import RECENT, registration_refusal

        try:
            refusal = registration_refusal()
        except AtaHelpersError as exc:
            print(f"Twilio's answer could not be read: {str(exc).splitlines()[0]}")
            return 0
        print(refusal if refusal is not None else
              f"Twilio's debugger holds no refusal of a REGISTER in the last {RECENT.seconds // 60} minutes: "
              "check the server, the router (UDP 5060 out, SIP ALG off) and notebook 05's checks.")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from ..grandstream import ht80x_device

    print(ht80x_device().plan(_config(args)).to_string(index=False))
    return 0


def _apply(args: argparse.Namespace) -> int:
    from ..grandstream import ht80x_device
    from ..settings import mode

    device, config = ht80x_device(), _config(args)
    if mode() == "live" and not getattr(args, "yes", False):
        plan = device.plan(config)
        print(plan[plan["result"] != "unchanged"].to_string(index=False))
        if not sys.stdin.isatty() or input("Write these settings to the ATA? [y/N] ").strip().lower() != "y":
            print("nothing written (use --yes to skip this question)")
            return 1
    report = device.apply(config)
    print(report)
    return 0 if report.ok else 1
