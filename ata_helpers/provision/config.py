"""The line's inputs, kept between notebooks: defaults, a saved JSON file, and the SIP password.

Notebook 02 saves what the learner typed; 03 and 06 (and the CLI's --config) read it back, so
every step works on the same domain, username and numbers. The password is never saved: it
comes from ATA_SIP_PASSWORD (settings.sip_password_env()) or a prompt. Defaults come from the ATA_*
line variables (settings.line_env()); the file lives in settings.state_dir().
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..settings import line_env, sip_password_env, state_dir

__all__ = ["INPUT_FIELDS", "config_path", "load_inputs", "save_inputs", "sip_password", "default_inputs"]

# the non-secret inputs of TwilioSetup, in form order
INPUT_FIELDS = ("domain_label", "username", "caller_id", "phone_number", "edge", "public_ip",
                "outbound_bin_url", "inbound_bin_url")
_ENV_NAMES = {"domain_label": "ATA_DOMAIN_LABEL", "username": "ATA_SIP_USERNAME",
              "caller_id": "ATA_CALLER_ID", "phone_number": "ATA_PHONE_NUMBER", "edge": "ATA_EDGE",
              "public_ip": "ATA_PUBLIC_IP"}


def config_path() -> Path:
    """Where the inputs are saved: `twilio_setup.json` in settings.state_dir()."""
    return state_dir() / "twilio_setup.json"


def default_inputs() -> dict[str, Any]:
    """Starting values from the ATA_* line variables (settings.line_env()); blank where unset, edge us1."""
    env = line_env()
    values: dict[str, Any] = {name: None for name in INPUT_FIELDS}
    values["edge"] = "us1"
    values.update({name: env[var] for name, var in _ENV_NAMES.items() if var in env})
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
    """The SIP credential password: settings.sip_password_env(), else a getpass prompt (when `prompt`)."""
    value = sip_password_env()
    if value:
        return value
    if not prompt:
        return ""
    import getpass

    return getpass.getpass("SIP credential password (12+ characters, upper, lower, digit): ")
