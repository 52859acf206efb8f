"""The SIP credential's password for the line: never saved with the line's inputs.

The inputs themselves (domain label, username, numbers, edge, public IP) are `line.LineInputs`,
saved by notebook 02 and loaded by every later step. The password comes from ATA_SIP_PASSWORD
(settings.sip_password_env()) or a prompt.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import sip_password_env, state_dir

__all__ = ["sip_password", "lock_path"]


def lock_path(domain_label: str) -> Path:
    """The lock file that lets one `TwilioSetup.apply()`/`teardown()` at a time work on a line: in a
    `locks/` folder beside the saved inputs (settings.state_dir())."""
    return state_dir() / "locks" / f"twilio-setup-{domain_label}.lock"


def sip_password(prompt: bool = True) -> str:
    """The SIP credential password: settings.sip_password_env(), else a getpass prompt (when `prompt`)."""
    value = sip_password_env()
    if value:
        return value
    if not prompt:
        return ""
    import getpass

    return getpass.getpass("SIP credential password (12+ characters, upper, lower, digit): ")
