"""The twin's Voice Insights: Summary and Events as Twilio's OpenAPI description names them, ready when
Twilio says (nothing before the call ends, partial at once, complete 30 minutes later), refused without
Advanced Features, and telling what the line simulation did to the call."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from ata_helpers.sandbox import twin_url
from ata_helpers.sandbox.store import open_store
from ata_helpers.sandbox.twilio import insights
from ata_helpers.sandbox.twilio.calls import new_call_record
from ata_helpers.sandbox.twilio.specs import OPERATIONS
from ata_helpers.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

SUBSET = json.loads((Path(__file__).parent / "data" / "twilio_openapi_subset.json").read_text())["paths"]
AUTH = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)


def _ended_call(seconds_ago: float = 5.0, talk: float = 20.0, **fields: Any) -> dict[str, Any]:
    t = time.time() - seconds_ago - talk - 4
    timeline = [[t, "queued"], [t + 1, "ringing"], [t + 4, "in-progress"], [t + 4 + talk, "completed"]]
    fields.setdefault("to", "sip:ht801@contract.sip.twilio.com")
    return new_call_record(open_store(), **{"from": "+14155550100"}, direction="outbound-api",
                           timeline=timeline, time_scale=1.0, **fields)


def _get(path: str, **query: str) -> requests.Response:
    return requests.get(twin_url() + path, params=query, auth=AUTH, timeout=10)


@pytest.mark.parametrize("op", OPERATIONS, ids=[f"{o.method} {o.path}" for o in OPERATIONS])
def test_operations_are_documented_with_their_parameter_names(op: Any) -> None:
    if op.reference is not None:  # documented on a Twilio page, not in the OpenAPI description
        assert op.reference.startswith("https://www.twilio.com/docs/")
        assert op.path not in SUBSET or op.method not in SUBSET[op.path]
        return
    assert op.path in SUBSET and op.method in SUBSET[op.path]
    documented = SUBSET[op.path][op.method]
    assert sorted(op.query) == sorted(documented["query"])
    assert sorted(op.form) == documented["form"]


def test_summary_and_events_return_exactly_the_documented_fields() -> None:
    call = _ended_call()
    summary = _get(f"/v1/Voice/{call['sid']}/Summary", ProcessingState="partial")
    assert summary.status_code == 200, summary.text
    assert sorted(summary.json()) == SUBSET["/v1/Voice/{CallSid}/Summary"]["GET"]["fields"]
    events = _get(f"/v1/Voice/{call['sid']}/Events")
    documented = SUBSET["/v1/Voice/{CallSid}/Events"]["GET"]
    body = events.json()
    assert sorted(k for k in body if k != "events") == documented["envelope"]
    assert sorted(body["meta"]) == documented["meta"] and body["meta"]["key"] == "events"
    assert [e["name"] for e in body["events"]] == ["initiated", "ringing", "answered", "completed"]
    for event in body["events"]:
        assert sorted(event) == documented["fields"]
        assert event["sip_edge"]["metadata"]["external_ip"] and event["carrier_edge"] is None


def test_no_summary_before_the_end_then_partial_then_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store()
    t = time.time()
    going = new_call_record(store, to="+14155550123", **{"from": "+14155550100"}, direction="outbound-api",
                            timeline=[[t, "queued"], [t + 1, "ringing"], [t + 60, "completed"]], time_scale=1.0)
    assert _get(f"/v1/Voice/{going['sid']}/Summary", ProcessingState="partial").status_code == 404
    ended = _ended_call(seconds_ago=60)
    assert _get(f"/v1/Voice/{ended['sid']}/Summary").json()["code"] == 20404  # complete not ready yet
    partial = _get(f"/v1/Voice/{ended['sid']}/Summary", ProcessingState="partial").json()
    assert partial["processing_state"] == "partial"
    old = _ended_call(seconds_ago=insights.COMPLETE_AFTER + 1)
    complete = _get(f"/v1/Voice/{old['sid']}/Summary").json()
    assert complete["processing_state"] == "complete" and complete["call_state"] == "completed"
    assert complete["connect_duration"] == 20 and complete["duration"] == 23
    assert _get(f"/v1/Voice/{old['sid']}/Summary", ProcessingState="sometimes").status_code == 400


def test_a_pstn_call_has_a_carrier_edge_and_a_sip_call_a_sip_edge() -> None:
    pstn = _get(f"/v1/Voice/{_ended_call(to='+14155550123')['sid']}/Summary", ProcessingState="partial").json()
    sip = _get(f"/v1/Voice/{_ended_call()['sid']}/Summary", ProcessingState="partial").json()
    assert pstn["call_type"] == "carrier" and pstn["sip_edge"] is None
    assert pstn["carrier_edge"]["metrics"]["inbound"]["packets_received"] == 20 * 50
    assert sip["call_type"] == "sip" and sip["carrier_edge"] is None
    assert sip["sip_edge"]["metrics"]["outbound"]["packets_sent"] == 20 * 50
    assert sip["properties"]["last_sip_response_num"] == 200 and sip["tags"] == []
    sip_events = _get(f"/v1/Voice/{_ended_call()['sid']}/Events", Edge="carrier_edge").json()
    assert sip_events["events"] == []


def test_without_advanced_features_the_twin_refuses() -> None:
    call = _ended_call()
    insights.set_advanced_features(False)
    for path in ("Summary", "Events"):
        refused = _get(f"/v1/Voice/{call['sid']}/{path}")
        assert refused.status_code == 403 and refused.json()["code"] == 20403
    insights.set_advanced_features(True)
    assert _get(f"/v1/Voice/{call['sid']}/Events").status_code == 200


def test_unknown_call_and_wrong_method() -> None:
    assert _get("/v1/Voice/CA" + "0" * 32 + "/Summary").status_code == 404
    assert _get("/v1/Voice/XYZ/Summary").status_code == 400
    call = _ended_call()
    posted = requests.post(twin_url() + f"/v1/Voice/{call['sid']}/Summary", auth=AUTH, timeout=10)
    assert posted.status_code == 405
    assert requests.get(twin_url() + f"/v1/Voice/{call['sid']}/Summary", timeout=10).status_code == 401


def test_events_page_like_every_v1_list() -> None:
    call = _ended_call()
    first = _get(f"/v1/Voice/{call['sid']}/Events", PageSize="3").json()
    next_url = first["meta"]["next_page_url"]
    assert len(first["events"]) == 3 and next_url.startswith("https://insights.twilio.com/v1/Voice/")
    # as the SDK's client does in the sandbox: Twilio's host, answered by the twin
    second = requests.get(twin_url() + next_url.removeprefix("https://insights.twilio.com"), auth=AUTH,
                          timeout=10).json()
    assert [e["name"] for e in second["events"]] == ["completed"]
