"""call_log against the Twilio twin: every call, typed columns, Twilio's filters, alerts joined."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

import ata_helpers as ata
from ata_helpers.calls import (
    COLUMNS,
    calls_for_sip_address,
    calls_per_day,
    calls_per_day_chart,
    duration_chart,
    duration_summary,
    failures_by_error_code,
)
from ata_helpers.errors import ValidationError
from ata_helpers.sandbox.store import open_store
from ata_helpers.sandbox.twilio.seed_history import seed_call_history

ATA = "sip:ht801@my-ht801.sip.twilio.com"
END = datetime(2025, 3, 1, tzinfo=timezone.utc)


@pytest.fixture
def history() -> pd.DataFrame:
    """2,500 seeded calls over 60 days and the full log read back."""
    summary = seed_call_history(n=2500, seed=3, days=60, end=END)
    assert summary["calls"] == 2500
    return ata.call_log(progress=False)


def test_empty_log_has_every_column_with_its_dtype() -> None:
    log = ata.call_log(progress=False)
    assert log.empty
    assert list(log.columns) == list(COLUMNS)
    assert {c: str(t) for c, t in log.dtypes.items()} == COLUMNS


def test_all_2500_calls_come_back_typed_with_alerts_joined(history: pd.DataFrame) -> None:
    assert len(history) == 2500
    assert history["sid"].is_unique
    assert {c: str(t) for c, t in history.dtypes.items()} == COLUMNS
    store = open_store()
    alerts = {a["resource_sid"]: a for a in store.list("alert")}
    joined = history.dropna(subset=["error_code"])
    assert set(joined["sid"]) == set(alerts)
    for row in joined.head(50).itertuples():
        assert row.error_code == alerts[row.sid]["error_code"]
        assert row.alert_text == alerts[row.sid]["alert_text"]
    nat = joined[joined["error_code"] == 32011].iloc[0]
    assert "Contact Header Uses (P4437 port 1 / P4438 port 2) = WAN Address" in nat["explanation"]
    # newest first, like Twilio
    created = history["date_created"]
    assert created.is_monotonic_decreasing


def test_typed_values_follow_the_call_records(history: pd.DataFrame) -> None:
    completed = history[history["status"] == "completed"]
    assert (completed["duration"] >= 0).all()
    assert (completed["end_time"] >= completed["start_time"]).all()
    assert completed["price"].notna().all() and (completed["price"] < 0).all()
    assert set(history["price_unit"].dropna()) == {"USD"}
    children = history[history["direction"] == "outbound-dial"]
    assert children["parent_call_sid"].isin(history["sid"]).all()
    assert set(history["direction"]) == {"inbound", "outbound-api", "outbound-dial"}


def _days(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%Y-%m-%d")


@pytest.mark.parametrize("filters, expected", [
    ({"status": "failed"}, lambda f: f["status"] == "failed"),
    ({"status": "no-answer"}, lambda f: f["status"] == "no-answer"),
    ({"to": ATA}, lambda f: f["to"] == ATA),
    ({"from_": ATA}, lambda f: f["from"] == ATA),
    ({"to": "+14155550100", "status": "completed"},
     lambda f: (f["to"] == "+14155550100") & (f["status"] == "completed")),
    ({"start_time": "2025-02-03"}, lambda f: _days(f["start_time"]) == "2025-02-03"),
    ({"start_time_after": date(2025, 2, 20)}, lambda f: _days(f["start_time"]) >= "2025-02-20"),
    ({"start_time_before": "2025-01-05"}, lambda f: _days(f["start_time"]) <= "2025-01-05"),
    ({"start_time_after": "2025-02-01", "start_time_before": "2025-02-07"},
     lambda f: (_days(f["start_time"]) >= "2025-02-01") & (_days(f["start_time"]) <= "2025-02-07")),
    ({"end_time": "2025-02-10"}, lambda f: _days(f["end_time"]) == "2025-02-10"),
    ({"end_time_after": "2025-02-27"}, lambda f: _days(f["end_time"]) >= "2025-02-27"),
])
def test_filters_have_twilios_meaning(history: pd.DataFrame, filters: dict, expected) -> None:
    """Twilio: To/From/Status match exactly; StartTime/EndTime are UTC days, bounds inclusive."""
    got = ata.call_log(progress=False, **filters)
    want = history[expected(history).fillna(False).astype(bool)]
    assert len(want) > 0
    assert set(got["sid"]) == set(want["sid"])


def test_pages_of_1000_are_fetched_until_the_last(history: pd.DataFrame) -> None:
    from ata_helpers.twilio_api import twilio_client

    client = twilio_client()
    urls: list[str] = []
    send = client.http_client.request

    def recording(method: str, url: str, params: dict | None = None, **kwargs: object) -> object:
        urls.append(url + "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items()))
        return send(method, url, params=params, **kwargs)

    client.http_client.request = recording  # type: ignore[method-assign]
    got = ata.call_log(client=client, progress=False)
    assert len(got) == 2500
    calls = [u for u in urls if "/Calls.json" in u]
    assert len(calls) == 3 and all("PageSize=1000" in u for u in calls)
    assert any("/v1/Alerts" in u for u in urls)


def test_parent_call_sid_filter_returns_the_dialled_leg(history: pd.DataFrame) -> None:
    child = history[history["direction"] == "outbound-dial"].iloc[0]
    got = ata.call_log(parent_call_sid=child["parent_call_sid"], progress=False)
    assert list(got["sid"]) == [child["sid"]]


def test_a_datetime_bound_is_applied_to_the_minute(history: pd.DataFrame) -> None:
    after = datetime(2025, 2, 20, 15, 0, tzinfo=timezone.utc)
    got = ata.call_log(start_time_after=after, progress=False)
    want = history[history["start_time"] >= after]
    assert set(got["sid"]) == set(want["sid"])
    assert len(got) < len(ata.call_log(start_time_after=after.date(), progress=False))


def test_limit_stops_after_that_many_calls(history: pd.DataFrame) -> None:
    got = ata.call_log(limit=1500, alerts=False, progress=False)
    assert list(got["sid"]) == list(history["sid"].head(1500))
    assert got["error_code"].isna().all()


@pytest.mark.parametrize("filters, field", [
    ({"status": "done"}, "status"),
    ({"to": "0415 555 0100"}, "to"),
    ({"start_time_after": "yesterday"}, "start_time_after"),
    ({"end_time": "2025-13-40"}, "end_time"),
    ({"parent_call_sid": "CA123"}, "parent_call_sid"),
    ({"limit": 0}, "limit"),
])
def test_bad_filters_are_refused_with_the_rule(filters: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ata.call_log(progress=False, **filters)
    assert caught.value.field == field
    assert caught.value.rule


def test_a_failed_call_placed_through_the_twin_shows_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    sid = ata.place_call(ATA, say="Is anybody there?")
    result = ata.wait_for_call(sid, poll_interval=0.05, progress=False)
    log = ata.call_log(progress=False)
    row = log.set_index("sid").loc[sid]
    assert row["status"] == result.status == "failed"
    assert row["error_code"] == result.error_code == 32002
    assert row["explanation"].startswith("The SIP domain in the dialled URI does not exist.")


def test_calls_for_the_atas_sip_address(history: pd.DataFrame) -> None:
    mine = calls_for_sip_address(history, "ht801@MY-HT801.sip.twilio.com;transport=udp")
    assert len(mine) > 0
    assert ((mine["to"] == ATA) | (mine["from"] == ATA)).all()
    others = history[~history["sid"].isin(mine["sid"])]
    assert not ((others["to"] == ATA) | (others["from"] == ATA)).any()
    with pytest.raises(ValidationError):
        calls_for_sip_address(history, "+14155550100")


def test_failures_by_error_code_counts_and_explains(history: pd.DataFrame) -> None:
    table = failures_by_error_code(history)
    counts = history["error_code"].value_counts()
    assert dict(zip(table["error_code"], table["calls"], strict=True)) == {int(k): int(v) for k, v in counts.items()}
    assert table["calls"].is_monotonic_decreasing
    assert table.iloc[0]["error_code"] == 32011  # the NAT story dominates
    assert "WAN Address" in table.iloc[0]["fix"]
    assert (table["first_seen"] <= table["last_seen"]).all()


def test_calls_per_day_counts_every_call_once(history: pd.DataFrame) -> None:
    table = calls_per_day(history)
    assert int(table.to_numpy().sum()) == len(history)
    assert table.index[0] == date(2024, 12, 31) and table.index[-1] == date(2025, 2, 28)
    assert len(table) == 60  # every day present, quiet days as zeros
    local = calls_per_day(history, tz="America/Los_Angeles")
    assert int(local.to_numpy().sum()) == len(history)


def test_charts_are_figures_with_a_stable_text_repr(history: pd.DataFrame) -> None:
    figure = calls_per_day_chart(history)
    assert repr(figure).startswith("<Figure size 900x320 with 1 Axes>")
    stacked = sum(len(c) for c in figure.axes[0].containers)
    assert stacked == len(calls_per_day(history).columns) * 60
    histogram = duration_chart(history)
    assert histogram.axes[0].get_xlabel() == "duration (minutes)"


def test_duration_summary_uses_answered_calls(history: pd.DataFrame) -> None:
    summary = duration_summary(history).iloc[0]
    answered = history[history["status"] == "completed"]["duration"]
    assert summary["answered calls"] == len(answered)
    assert summary["longest s"] == answered.max()
    assert summary["median s"] == float(answered.median())


def test_seeded_history_window_is_before_the_reference_date(history: pd.DataFrame) -> None:
    assert history["date_created"].max() < pd.Timestamp(END)
    assert history["date_created"].min() >= pd.Timestamp(END - timedelta(days=60))
