"""Calls: Twilio's call statuses, the call log, placing and following calls, alerts, analysis."""

from __future__ import annotations

from .statuses import CALL_STATUSES, FINAL_STATUSES, UNANSWERED_STATUSES

__all__ = ["CALL_STATUSES", "FINAL_STATUSES", "UNANSWERED_STATUSES"]
