"""The line's inputs, kept between notebooks: defaults, a saved JSON file, and the SIP password.

Notebook 02 saves what the learner typed; 03 and 06 (and the CLI's --config) read it back, so
every step works on the same domain, username and numbers. The password is never saved: it
comes from ATA_SIP_PASSWORD, a prompt, or (sandbox only) a fixed demo value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..settings import load_env, mode, project_root, sandbox_dir

__all__ = ["INPUT_FIELDS", "SANDBOX_DEFAULTS", "SANDBOX_SIP_PASSWORD", "config_path", "load_inputs",
           "save_inputs", "sip_password", "default_inputs"]

# the non-secret inputs of TwilioSetup, in form order
INPUT_FIELDS = ("domain_label", "username", "caller_id", "phone_number", "edge", "public_ip",
                "outbound_bin_url", "inbound_bin_url")
SANDBOX_DEFAULTS: dict[str, Any] = {
    "domain_label": "my-ht801",
    "username": "ht801",
    "caller_id": "+14155550100",
    "phone_number": "+14155550100",
    "edge": "us1",
    "public_ip": "203.0.113.7",  # the sandbox router's public address (sandbox.line.network.WAN_IP)
    "outbound_bin_url": None,
    "inbound_bin_url": None,
}
# The sandbox's demo SIP password: not a secret (the sandbox has no account), but masked like one.
SANDBOX_SIP_PASSWORD = "Sandbox-HT801-line1"
_ENV_NAMES = {"domain_label": "ATA_DOMAIN_LABEL", "username": "ATA_SIP_USERNAME",
              "caller_id": "ATA_CALLER_ID", "phone_number": "ATA_PHONE_NUMBER", "edge": "ATA_EDGE",
              "public_ip": "ATA_PUBLIC_IP"}


def config_path() -> Path:
    """Where the inputs are saved: in the sandbox folder (sandbox) or `generated/` (live, git-ignored)."""
    if mode() == "sandbox":
        return sandbox_dir() / "twilio_setup.json"
    root = project_root() or Path.cwd()
    return root / "generated" / "twilio_setup.json"


def default_inputs() -> dict[str, Any]:
    """Starting values: the sandbox's numbers, or in live mode ATA_* variables (else blank)."""
    load_env()
    if mode() == "sandbox":
        return dict(SANDBOX_DEFAULTS)
    values: dict[str, Any] = {name: None for name in INPUT_FIELDS}
    values["edge"] = "us1"
    for name, env in _ENV_NAMES.items():
        if os.environ.get(env):
            values[name] = os.environ[env].strip()
    return values


def load_inputs(path: Path | None = None) -> dict[str, Any]:
    """The saved inputs over the defaults (the defaults alone when nothing was saved yet)."""
    values = default_inputs()
    path = path or config_path()
    if path.is_file():
        try:
            saved = json.loads(path.read_text("utf-8"))
        except ValueError:
            from ..errors import ValidationError

            raise ValidationError("saved inputs", f"{path} is not valid JSON; fix it or delete it to start "
                                                  "from the defaults") from None
        if not isinstance(saved, dict):
            from ..errors import ValidationError

            raise ValidationError("saved inputs", f"{path} must hold a JSON object")
        values.update({k: v for k, v in saved.items() if k in INPUT_FIELDS})
    return values


def save_inputs(values: dict[str, Any], path: Path | None = None) -> Path:
    """Write the non-secret inputs as JSON with 0600 permissions; a password is never written."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: values.get(k) for k in INPUT_FIELDS}
    from ..settings import write_private_file

    return write_private_file(path, json.dumps(data, indent=2))


def sip_password(prompt: bool = True) -> str:
    """The SIP credential password: ATA_SIP_PASSWORD, else the sandbox demo value, else a getpass prompt."""
    load_env()
    value = os.environ.get("ATA_SIP_PASSWORD", "")
    if value:
        return value
    if mode() == "sandbox":
        return SANDBOX_SIP_PASSWORD
    if not prompt:
        return ""
    import getpass

    return getpass.getpass("SIP credential password (12+ characters, upper, lower, digit): ")
