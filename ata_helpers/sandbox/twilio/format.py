"""How Twilio writes things: SIDs, dates, error bodies, booleans, PascalCase to snake_case."""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from typing import Any

__all__ = ["rfc2822", "iso8601", "error_body", "TwinError", "snake", "parse_bool", "now"]

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def now() -> float:
    """Current time as a Unix timestamp (one place, so tests can read the twin's clock)."""
    return time.time()


def rfc2822(ts: float | None) -> str | None:
    """The 2010 API's date format, e.g. 'Mon, 20 Jul 2015 17:27:10 +0000'."""
    if ts is None:
        return None
    return formatdate(ts, usegmt=False).replace("-0000", "+0000")


def iso8601(ts: float | None) -> str | None:
    """The v1 APIs' date format, e.g. '2015-01-02T11:23:45Z'."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def snake(pascal: str) -> str:
    """PascalCase form parameter to the snake_case JSON field ('SipRegistration' -> 'sip_registration')."""
    return _SNAKE.sub("_", pascal).lower()


def parse_bool(value: str) -> bool | None:
    """Twilio's boolean form values ('true'/'false', case-insensitive); None if neither."""
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


class TwinError(Exception):
    """An error the twin answers with Twilio's JSON body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_body(error: TwinError) -> dict[str, Any]:
    """Twilio's legacy error JSON: {code, message, more_info, status}."""
    return {"code": error.code, "message": error.message,
            "more_info": f"https://www.twilio.com/docs/errors/{error.code}", "status": error.status}
