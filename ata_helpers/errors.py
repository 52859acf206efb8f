"""The library's exception tree, rooted in one AtaHelpersError.

Each error that comes from bad input also subclasses ValueError, so callers can catch either
the library's type or the builtin one (the pattern of requests' exceptions).
"""

from __future__ import annotations

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
