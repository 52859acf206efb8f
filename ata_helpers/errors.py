"""The library's exception tree, rooted in one AtaHelpersError.

Each error also subclasses the builtin it refines (ValueError for bad input, ConnectionError for
an unreachable device, …), so callers can catch either the library's type or the builtin one
(the pattern of requests' exceptions). Every class is exported as `ata_helpers.<Name>`::

    AtaHelpersError(Exception)
    ├── ValidationError(ValueError)            bad input: `field`, `rule`, `value`
    │   └── SettingError                       an HT80x setting; `port`, label and P-value in the text
    ├── ConfigurationError(RuntimeError)       missing credentials, unknown mode
    ├── TwilioApiError                         Twilio's REST error: `status`, `code`, meaning and fix
    │   └── InsightsUnavailableError           no Voice Insights for a call: `reason`
    ├── SetupError(RuntimeError)               apply/teardown stopped: `step`, `cause`, `report`
    ├── CaptureError(ValueError)               a capture that cannot be read (truncated at byte N, …)
    │   └── AnonymizeError                     a packet that cannot be anonymized safely: `frame`
    ├── DeviceError(ConnectionError)           the HT80x answered with an error
    │   ├── DeviceAuthError(PermissionError)   wrong admin password: `tries_left`
    │   ├── DeviceLockedError(PermissionError) locked out: `retry_after` seconds
    │   ├── DeviceUnreachableError(TimeoutError)
    │   └── LegacyFirmwareError                V1 firmware: the message gives the file steps
    ├── SandboxError(RuntimeError)             the local twins failed, or a twin-only call against Twilio
    ├── CallTimeoutError(TimeoutError)         waiting for a call ran out (the call goes on)
    ├── TwilioDeprecationWarning(FutureWarning) a value Twilio still accepts but has deprecated
    └── DuplicateResourcesWarning(UserWarning) more than one resource carries the course's tag
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AtaHelpersError",
    "ValidationError",
    "ConfigurationError",
    "TwilioApiError",
    "CaptureError",
    "DeviceError",
    "DeviceAuthError",
    "DeviceLockedError",
    "DeviceUnreachableError",
    "SandboxError",
    "CallTimeoutError",
    "TwilioDeprecationWarning",
    "DuplicateResourcesWarning",
    "SettingError",
    "InsightsUnavailableError",
    "SetupError",
    "AnonymizeError",
    "LegacyFirmwareError",
]


class AtaHelpersError(Exception):
    """Root of every error this library raises on purpose."""


class ValidationError(AtaHelpersError, ValueError):
    """Input broke a rule; `field` names the input and `rule` says what was expected."""

    def __init__(self, field: str, rule: str, value: object = None) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(f"{field}: {rule}")


class ConfigurationError(AtaHelpersError, RuntimeError):
    """The environment is not set up for what was asked (missing credentials, unknown mode)."""


class TwilioApiError(AtaHelpersError):
    """A Twilio REST error, kept with its code and status and explained for this setup."""

    def __init__(self, status: int, code: int | None, message: str, explanation: str = "",
                 fix: str = "", method: str = "", uri: str = "") -> None:
        self.status = status
        self.code = code
        self.message = message
        self.explanation = explanation
        self.fix = fix
        self.method = method
        self.uri = uri
        text = f"Twilio error {code} (HTTP {status}): {message}"
        if explanation:
            text += f"\n  What it means: {explanation}"
        if fix:
            text += f"\n  Fix: {fix}"
        super().__init__(text)


class CaptureError(AtaHelpersError, ValueError):
    """A capture file could not be read (not a pcap, truncated at a byte offset, …)."""


class DeviceError(AtaHelpersError, ConnectionError):
    """The HT80x answered with an error or could not be reached."""


class DeviceAuthError(DeviceError, PermissionError):
    """Wrong admin password; `tries_left` says how many attempts remain before lockout."""

    def __init__(self, message: str, tries_left: int | None = None) -> None:
        self.tries_left = tries_left
        super().__init__(message)


class DeviceLockedError(DeviceError, PermissionError):
    """Too many wrong passwords; `retry_after` is the number of seconds until the lock ends."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class DeviceUnreachableError(DeviceError, TimeoutError):
    """The device did not answer (offline, rebooting, wrong address) within the timeout."""


class SandboxError(AtaHelpersError, RuntimeError):
    """The local twins could not be started or reached, or what only the twins have was asked for in live mode."""


class CallTimeoutError(AtaHelpersError, TimeoutError):
    """A call was still going when waiting for it ran out; the call itself goes on."""


class TwilioDeprecationWarning(AtaHelpersError, FutureWarning):
    """A value Twilio still accepts but has deprecated (e.g. a `…sip.us1.twilio.com` URI for a
    registered user); the message names the current form. A FutureWarning, so Python shows it."""


class DuplicateResourcesWarning(AtaHelpersError, UserWarning):
    """More than one resource of a kind carries the course's tag (left by runs before the line lock);
    `TwilioSetup.teardown()` removes them all."""


class SettingError(ValidationError):
    """A setting broke its rule; `field` is the Python name and `port` the FXS port (1, 2) or None.

    The message names the HT80x web page's label and P-value of the setting.
    """

    def __init__(self, field_name: str, rule: str, value: object = None, port: int | None = None) -> None:
        from .grandstream.settings_model import DEVICE_SETTINGS, PORT_SETTINGS

        super().__init__(field_name, rule, None if field_name == "password" else value)
        self.port = port
        info = PORT_SETTINGS.get(field_name) or DEVICE_SETTINGS.get(field_name)
        where = f"FXS port {port} " if port else ""
        label = ""
        if info is not None:
            pvals = info.pvalues_for(port or 1)
            label = f" ({info.label}, {'/'.join(pvals)})"
        shown = "" if value is None or field_name == "password" else f"; got {value!r}"
        self.args = (f"{where}{field_name}{label}: {rule}{shown}",)


class InsightsUnavailableError(TwilioApiError):
    """Twilio gave no Voice Insights for the call; `reason` is "not-enabled", "not-ready" or "not-found"."""

    def __init__(self, reason: str, status: int, code: int | None, message: str, explanation: str,
                 fix: str, uri: str = "") -> None:
        self.reason = reason
        super().__init__(status, code, message, explanation, fix, "GET", uri)


class SetupError(AtaHelpersError, RuntimeError):
    """An apply (or teardown) stopped at a failing step; `report` says what ran and what did not."""

    def __init__(self, step: str, cause: BaseException, report: "pd.DataFrame") -> None:
        from .settings import redact_text

        self.step = step
        self.cause = cause
        self.report = report
        done = report[~report.action.isin(["failed", "not run"])]
        pending = report[report.action == "not run"]
        ran = ", ".join(f"{s} [{a}]" for s, a in zip(done.step, done.action, strict=True))
        lines = [f"step '{step}' failed:", f"  {redact_text(str(cause))}".replace("\n", "\n  "), "",
                 f"done ({len(done)}): " + (ran or "nothing"),
                 f"not run ({len(pending)}): " + (", ".join(pending.step) or "nothing"),
                 "Fix the cause and run it again: steps that already ran report 'unchanged'."]
        super().__init__("\n".join(lines))


class AnonymizeError(CaptureError):
    """A packet that cannot be anonymized safely (TLS, an unknown encapsulation or payload)."""

    def __init__(self, frame: int, what: str) -> None:
        super().__init__(f"frame {frame}: {what}")
        self.frame = frame
        self.what = what


class LegacyFirmwareError(DeviceError):
    """The device runs V1 (HTML form) firmware; the message gives the provisioning-file steps."""
