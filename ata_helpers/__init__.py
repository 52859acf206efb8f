"""Helpers for the Grandstream HT80x + Twilio SIP notebook course.

`import ata_helpers as ata` stays light: every public name is imported from its module on
first use (PEP 562), so reading a capture does not pay for twilio or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # settings and clients
    "mode": "ata_helpers.settings",
    "twilio_client": "ata_helpers.twilio_api",
    "environment_check": "ata_helpers.environment",
    # errors
    "AtaHelpersError": "ata_helpers.errors",
    "ValidationError": "ata_helpers.errors",
    "ConfigurationError": "ata_helpers.errors",
    "TwilioApiError": "ata_helpers.errors",
    "CaptureError": "ata_helpers.errors",
    "DeviceError": "ata_helpers.errors",
    "DeviceAuthError": "ata_helpers.errors",
    "DeviceLockedError": "ata_helpers.errors",
    "DeviceUnreachableError": "ata_helpers.errors",
    "SandboxError": "ata_helpers.errors",
}

# subpackages reachable as attributes (ata.sandbox.capture(...))
_SUBMODULES = {"sandbox", "settings", "capture", "grandstream", "widgets"}

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"ata_helpers.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ata_helpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
