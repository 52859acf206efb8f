"""Twilio's call statuses: the one list the library, the wake-up alarm and the Twilio twin share.

Source: the Call resource's `status` values, https://www.twilio.com/docs/voice/api/call-resource#call-status-values
"""

from __future__ import annotations

__all__ = ["CALL_STATUSES", "FINAL_STATUSES", "UNANSWERED_STATUSES"]

CALL_STATUSES: tuple[str, ...] = ("queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy",
                                  "no-answer")
"""Every status a Call resource can have, in Twilio's order."""

FINAL_STATUSES: frozenset[str] = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
"""Statuses a call never leaves: it has ended."""

UNANSWERED_STATUSES: frozenset[str] = FINAL_STATUSES - {"completed"}
"""Final statuses of a call nobody answered (Twilio's `completed` means it was answered)."""
