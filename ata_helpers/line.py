"""LineInputs: the learner's line — SIP domain label, username, numbers, edge, public IP — typed.

Notebook 02 (or `ata-helpers setup`) saves what the learner typed; every later step loads the same
inputs, so all work on one domain, username and numbers. The file is `twilio_setup.json` in
`settings.state_dir()` (a JSON object, one key per field; unknown keys are ignored, missing ones
take the defaults), written with 0600 permissions. The SIP password is never part of it.

Every Twilio SIP host name and SIP address the course builds comes from here: `sip_domain()` is
the one place `LABEL.sip[.EDGE].twilio.com` is written, and the properties of LineInputs give the
domain name, the registrar, the ATA's global address and the trunk's origination URL. Sources:
https://www.twilio.com/docs/voice/api/sip-registration (global vs edge host names),
https://www.twilio.com/docs/sip-trunking#origination (origination URLs).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .settings import line_env, state_dir, write_private_file
from .twilio_ranges import DEFAULT_EDGE
from .validate import GLOBAL_SIP_SUFFIX, validate_domain_label, validate_edge

__all__ = ["LineInputs", "INPUT_FIELDS", "inputs_path", "sip_domain", "sip_address"]

INPUT_FIELDS = ("domain_label", "username", "caller_id", "phone_number", "edge", "public_ip",
                "outbound_bin_url", "inbound_bin_url", "twiml_host")
"""The stored fields, in form order (the keys of `twilio_setup.json`)."""

_ENV_NAMES = {"domain_label": "ATA_DOMAIN_LABEL", "username": "ATA_SIP_USERNAME",
              "caller_id": "ATA_CALLER_ID", "phone_number": "ATA_PHONE_NUMBER", "edge": "ATA_EDGE",
              "public_ip": "ATA_PUBLIC_IP"}
_FILE_NAME = "twilio_setup.json"


def sip_domain(label: str, edge: str | None = None) -> str:
    """`LABEL.sip.twilio.com` (the global name), or `LABEL.sip.EDGE.twilio.com` for an edge.

    `edge` is an edge name (`ashburn`) or a legacy one (`us1`), kept as given. Raises
    ValidationError for a bad label or an unknown edge.
    """
    host = validate_domain_label(label)
    if edge:
        return f"{host}.sip.{validate_edge(edge)}.twilio.com"
    return host + GLOBAL_SIP_SUFFIX


def sip_address(user: str, host: str) -> str:
    """`sip:USER@HOST`; raises ValidationError for an empty user."""
    if not user:
        raise ValidationError("username", "required: the SIP credential's username", user)
    return f"sip:{user}@{host}"


def inputs_path() -> Path:
    """Where the inputs are saved: `twilio_setup.json` in settings.state_dir()."""
    return state_dir() / _FILE_NAME


@dataclass(frozen=True)
class LineInputs:
    """The line's non-secret inputs; `None` where not given yet. Frozen: change with `replace()`.

    `domain_name`, `registrar`, `device_uri` and `origination_url` are derived, never stored.
    """

    domain_label: str | None = None
    username: str | None = None
    caller_id: str | None = None
    phone_number: str | None = None
    edge: str | None = DEFAULT_EDGE
    public_ip: str | None = None
    outbound_bin_url: str | None = None
    inbound_bin_url: str | None = None
    twiml_host: str | None = None  # where the call handling lives: "functions" or "bins" (None: the default)

    # -- derived addresses -------------------------------------------------------------------
    @property
    def domain_name(self) -> str:
        """The SIP domain's global name, `LABEL.sip.twilio.com` (what Twilio calls the domain)."""
        return sip_domain(self._label())

    @property
    def registrar(self) -> str:
        """Where the ATA registers: `LABEL.sip.EDGE.twilio.com` for the line's edge (global without one)."""
        return sip_domain(self._label(), self.edge or None)

    @property
    def device_uri(self) -> str:
        """The ATA's global SIP address, `sip:USER@LABEL.sip.twilio.com`: how Twilio dials the phone."""
        return sip_address(self.username or "", self.domain_name)

    @property
    def origination_url(self) -> str:
        """The Elastic SIP Trunk's origination URL, `sip:USER@LABEL.sip.EDGE.twilio.com`."""
        return sip_address(self.username or "", self.registrar)

    def _label(self) -> str:
        if not self.domain_label:
            raise ValidationError("domain_label", "required: the SIP domain's label, e.g. my-ht801 "
                                                  "(save the line's inputs in notebook 02)", self.domain_label)
        return self.domain_label

    # -- storage -----------------------------------------------------------------------------
    @classmethod
    def defaults(cls) -> "LineInputs":
        """Starting values from the ATA_* line variables (settings.line_env()); None where unset, edge ashburn (DEFAULT_EDGE)."""
        env = line_env()
        return cls(**{name: env[var] for name, var in _ENV_NAMES.items() if var in env})

    @classmethod
    def from_dict(cls, values: dict[str, Any], base: "LineInputs | None" = None) -> "LineInputs":
        """`base` (default: all None, edge ashburn) with the known fields of `values`; other keys are ignored."""
        known = {k: (None if v in ("", None) else str(v)) for k, v in values.items() if k in INPUT_FIELDS}
        return replace(base or cls(), **known)

    @classmethod
    def load(cls, path: Path | None = None) -> "LineInputs":
        """The saved inputs over the defaults (the defaults alone when nothing was saved yet).

        Raises ValidationError when the file is not a JSON object.
        """
        defaults = cls.defaults()
        path = path or inputs_path()
        if not path.is_file():
            return defaults
        try:
            saved = json.loads(path.read_text("utf-8"))
        except ValueError:
            raise ValidationError("saved inputs", f"{path} is not valid JSON; fix it or delete it to start "
                                                  "from the defaults") from None
        if not isinstance(saved, dict):
            raise ValidationError("saved inputs", f"{path} must hold a JSON object")
        return cls.from_dict(saved, defaults)

    def save(self, path: Path | None = None) -> Path:
        """Write the inputs as JSON (0600 permissions) and return the file's path."""
        path = path or inputs_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_private_file(path, json.dumps(self.as_dict(), indent=2))

    def as_dict(self) -> dict[str, Any]:
        """The stored fields, in INPUT_FIELDS order (the JSON file's content)."""
        values = asdict(self)
        return {name: values[name] for name in INPUT_FIELDS}

    def replace(self, **changes: Any) -> "LineInputs":
        """A copy with `changes` (field names from INPUT_FIELDS); raises TypeError for unknown names."""
        return replace(self, **changes)


