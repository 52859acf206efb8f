"""Calls: placing and following them, the ATA's test call, the call log, alerts, analysis, charts.

One result type, `CallResult`, carries how a call went (status, error code, meaning and fix, every
Monitor alert, an HTML view) for `wait_for_call`, `call_ata` and the NAT story. Modules:
`statuses` (Twilio's call statuses), `place` (place_call, wait_for_call, call_ata), `result`
(CallResult), `alerts` (Monitor alerts), `log` (call_log), `insights` (Voice Insights: call_summary,
call_events, quality_chart), `analysis` and `charts` (questions asked of a call log). Nothing here imports twilio, pandas or matplotlib until a function runs.
"""

from __future__ import annotations

from .alerts import alert_message, alerts_frame, call_alerts, call_alerts_frame
from .analysis import (
    calls_for_sip_address,
    calls_per_day,
    duration_summary,
    failures_by_error_code,
    sip_key,
)
from .charts import calls_per_day_chart, duration_chart
from .insights import call_events, call_summary, join_insights, quality_chart
from .log import COLUMNS, call_log
from .place import (
    DEFAULT_MESSAGE,
    TEST_CALL_MESSAGE,
    TWIML_LIMIT,
    build_twiml,
    call_ata,
    check_caller_id,
    check_destination,
    check_e164,
    default_caller_id,
    place_call,
    wait_for_call,
)
from .result import ALERT_COLUMNS, CallResult
from .statuses import CALL_STATUSES, FINAL_STATUSES, UNANSWERED_STATUSES

__all__ = [
    "CallResult", "ALERT_COLUMNS",
    "place_call", "wait_for_call", "call_ata", "build_twiml", "check_destination", "check_e164",
    "default_caller_id", "check_caller_id", "TWIML_LIMIT", "DEFAULT_MESSAGE", "TEST_CALL_MESSAGE",
    "call_log", "COLUMNS", "call_summary", "call_events", "join_insights", "quality_chart",
    "alert_message", "call_alerts", "call_alerts_frame", "alerts_frame",
    "sip_key", "calls_for_sip_address", "failures_by_error_code", "calls_per_day", "duration_summary",
    "calls_per_day_chart", "duration_chart",
    "CALL_STATUSES", "FINAL_STATUSES", "UNANSWERED_STATUSES",
]
