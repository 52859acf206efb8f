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
    "doctor": "ata_helpers._doctor",
    "check": "ata_helpers.selfcheck",
    # Grandstream HT80x
    "HT80xConfig": "ata_helpers.grandstream",
    "FxsPort": "ata_helpers.grandstream",
    "ht80x_device": "ata_helpers.grandstream",
    "normalize_mac": "ata_helpers.grandstream",
    # firewall
    "twilio_ip_ranges": "ata_helpers.firewall",
    "firewall_rules": "ata_helpers.firewall",
    # calls: log, REST-placed calls, wake-up alarm
    "call_log": "ata_helpers.calls",
    "call_summary": "ata_helpers.calls",
    "call_events": "ata_helpers.calls",
    "place_call": "ata_helpers.calls",
    "wait_for_call": "ata_helpers.calls",
    "WakeUpCall": "ata_helpers.wakeup",
    # Twilio side of the line
    "TwilioSetup": "ata_helpers.provision",
    "outbound_twiml": "ata_helpers.twiml",
    "inbound_twiml": "ata_helpers.twiml",
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
    "CallTimeoutError": "ata_helpers.errors",
    "TwilioDeprecationWarning": "ata_helpers.errors",
    "DuplicateResourcesWarning": "ata_helpers.errors",
    "SettingError": "ata_helpers.errors",
    "InsightsUnavailableError": "ata_helpers.errors",
    "SetupError": "ata_helpers.errors",
    "AnonymizeError": "ata_helpers.errors",
    "LegacyFirmwareError": "ata_helpers.errors",
    # packet captures
    "load_capture": "ata_helpers.capture.load",
    "read_sip": "ata_helpers.capture.sip_table",
    "diagnose": "ata_helpers.capture.findings",
    "ladder": "ata_helpers.capture.ladder_svg",
    "rtp_streams": "ata_helpers.capture.rtp_table",
    "sip_calls": "ata_helpers.capture.dialogs",
    # the troubleshooting record
    "line_report": "ata_helpers.report",
    "anonymize_capture": "ata_helpers.capture.anonymize",
}

# subpackages reachable as attributes (ata.capture.…, ata.settings.…); the public surface names them all
_SUBMODULES = {"sandbox", "settings", "capture", "grandstream", "widgets"}

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS or name in _SUBMODULES:
        from ._jupyter_display import install_in_kernel

        install_in_kernel()  # the first use of the course in a Jupyter kernel: results shown in full
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
