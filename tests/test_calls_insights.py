"""call_summary / call_events / join_insights: the verdicts the line simulation's calls deserve, refusals
explained (Advanced Features off, not ready yet), Twilio's 429 waited out, and the quality chart."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException

import ata_helpers as ata
from ata_helpers.calls import insights
from ata_helpers.calls.insights import (
    InsightsUnavailableError,
    call_events,
    call_summary,
)
from ata_helpers.sandbox.course_steps import STEP_ACTIONS
from ata_helpers.sandbox.twilio import insights as twin_insights


@pytest.fixture()
def working_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notebooks 00-06's Twilio side and ATA, calls 100 times faster than real time."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    for step in (0, 2, 3, 4):
        STEP_ACTIONS[step]()
    ata.TwilioSetup.from_saved().apply()


def _call_the_phone() -> str:
    from ata_helpers import nat_story

    return nat_story.call_the_phone(max_wait_s=30).sid


def test_healthy_call(working_line: None) -> None:
    sid = _call_the_phone()
    row = call_summary(sid).iloc[0]
    assert row["verdict"] == "healthy" and row["edge"] == "sip_edge" and row["call_type"] == "sip"
    assert row["packets_sent"] > 0 and row["packets_received"] == row["packets_sent"]
    assert row["outbound_loss_pct"] == 0 and row["last_sip_response_num"] == 200
    assert row["processing_state"] == "partial" and "partial summary" in row["note"]
    events = call_events(sid)
    assert list(events["name"]) == ["initiated", "ringing", "answered", "completed"]
    assert list(events.columns) == list(insights.EVENT_COLUMNS)
    assert str(events["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_one_way_audio_call(working_line: None) -> None:
    ata.sandbox.break_line("media-blocked")
    row = call_summary(_call_the_phone()).iloc[0]
    assert row["verdict"] == "one-way-audio"
    assert row["outbound_loss_pct"] == 100 and row["inbound_loss_pct"] == 0
    assert "blocked" in row["note"] and "high_packet_loss" in row["tags"]


def test_call_dropped_for_a_missing_ack(working_line: None) -> None:
    ata.sandbox.break_line("ack-missing")
    row = call_summary(_call_the_phone()).iloc[0]
    assert row["verdict"] == "dropped-after-32s", row["note"]
    assert row["connect_duration"] == 32 and row["disconnected_by"] == "callee"
    assert "Timer H" in row["note"] and row["packets_received"] > 0


def test_unanswered_call_is_not_connected(working_line: None) -> None:
    import pandas as pd

    ata.sandbox.break_line("lan-contact")
    row = call_summary(_call_the_phone()).iloc[0]
    assert row["verdict"] == "not-connected" and row["last_sip_response_num"] == 408
    assert row["packets_sent"] is pd.NA and row["connect_duration"] == 0


def test_summary_of_a_call_still_going_says_not_ready() -> None:
    sid = ata.place_call("+14155550123", say="hello")
    with pytest.raises(InsightsUnavailableError) as caught:
        call_summary(sid)
    assert caught.value.reason == "not-ready" and "summarizes a call after it ends" in caught.value.explanation


def test_without_advanced_features_the_refusal_is_explained(working_line: None) -> None:
    sid = _call_the_phone()
    twin_insights.set_advanced_features(False)
    with pytest.raises(InsightsUnavailableError) as caught:
        call_summary(sid)
    assert caught.value.reason == "not-enabled" and caught.value.status == 403
    assert "Advanced Features" in str(caught.value)
    log = ata.call_log(limit=3, progress=False, insights=True)
    assert set(log["verdict"]) == {"unavailable"}
    assert log["insights_note"].str.contains("Advanced Features").all()


def test_malformed_sid_is_refused_before_the_network() -> None:
    with pytest.raises(ata.ValidationError):
        call_summary("CA123")
    with pytest.raises(ata.ValidationError):
        call_events("CA" + "0" * 32, edge="moon_edge")


def test_rate_limit_is_waited_out_with_back_off() -> None:
    answers: list[Any] = [TwilioRestException(429, "/v1/Voice", "Too Many Requests", 20429)] * 3 + ["summary"]
    slept: list[float] = []

    def request() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert insights._with_backoff(request, sleep=slept.append) == "summary"
    assert slept == [1.0, 2.0, 4.0]
    always = TwilioRestException(429, "/v1/Voice", "Too Many Requests", 20429)

    def refuse() -> Any:
        raise always

    with pytest.raises(TwilioRestException):
        insights._with_backoff(refuse, sleep=slept.append)


def test_call_log_joins_insights_and_the_chart_draws_them(working_line: None) -> None:
    healthy = _call_the_phone()
    ata.sandbox.break_line("media-blocked")
    one_way = _call_the_phone()
    log = ata.call_log(limit=2, progress=False, insights=True)
    verdicts = dict(zip(log["sid"], log["verdict"], strict=True))
    assert verdicts == {healthy: "healthy", one_way: "one-way-audio"}
    for name, dtype in insights.INSIGHTS_COLUMNS.items():
        assert str(log[name].dtype) == dtype
    figure = insights.quality_chart(log)
    bars = [p for p in figure.axes[0].patches]
    assert len(bars) == 4 and max(b.get_height() for b in bars) == 100
