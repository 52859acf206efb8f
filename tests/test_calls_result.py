"""calls.result: one CallResult for every way a call is followed, with a summary and an HTML view."""

from __future__ import annotations

import pandas as pd

from ata_helpers.calls.result import ALERT_COLUMNS, CallResult

SID = "CA" + "0" * 32


def test_an_answered_call_without_alerts_is_ok() -> None:
    result = CallResult(SID, "completed", to="sip:ht801@my-ht801.sip.twilio.com", duration=12,
                        alerts=pd.DataFrame(columns=ALERT_COLUMNS))
    assert result.ok and result.answered and result.final
    assert result.summary().startswith("✓") and "after 12 s" in result.summary()
    assert "No alerts for this call." in result._repr_html_()


def test_a_failed_call_shows_code_meaning_fix_and_its_alerts() -> None:
    alerts = pd.DataFrame([{"code": 32009, "log_level": "error", "alert_text": "not registered",
                            "meaning": "The SIP user you called is not registered.", "fix": "Register it."}],
                          columns=ALERT_COLUMNS)
    result = CallResult(SID, "failed", error_code=32009, meaning="The SIP user you called is not registered.",
                        fix="Register it.", alerts=alerts)
    assert not result.ok and result.final
    assert "✗" in result.summary() and "error 32009" in result.summary() and "Fix: Register it." in str(result)
    html = result._repr_html_()
    assert "<table" in html and "32009" in html


def test_a_call_still_going_is_not_final_and_says_how_to_look_again() -> None:
    result = CallResult(SID, "ringing", waited_s=60.2)
    assert not result.final and not result.ok
    assert "still ringing after 60 s" in result.summary() and f"client.calls('{SID}')" in result.summary()
    assert result.alerts_table().columns.tolist() == ALERT_COLUMNS
