"""The Function desk: deploys the course's handlers through the Serverless API, idempotently; a changed
caller ID makes a new version and deployment; teardown removes only the course's service; every request
it sends is one Twilio's API reference documents (recorded at the HTTP client)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ata_helpers.provision.function_desk import FunctionDesk
from ata_helpers.sandbox.store import open_store
from ata_helpers.sandbox.twilio.function_runtime import run_handler
from ata_helpers.sandbox.twilio.serverless import resolve_function_url
from ata_helpers.sandbox.twilio.specs import OPERATIONS
from ata_helpers.twilio_api import twilio_client
from ata_helpers.twiml import inbound_twiml, outbound_twiml

SUBSET = json.loads((Path(__file__).parent / "data" / "twilio_openapi_subset.json").read_text())["paths"]
OUT, IN = "ata-course:test outbound", "ata-course:test inbound"


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


class Recorder:
    """Wraps the client's HTTP client and keeps (method, url, data, headers) of every request."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.sent = inner, []

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                **kwargs: Any) -> Any:
        self.sent.append((method, url, params, data, dict(headers or {})))
        return self.inner.request(method, url, params=params, data=data, headers=headers, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _desk() -> tuple[FunctionDesk, Recorder]:
    client = twilio_client()
    recorder = Recorder(client.http_client)
    client.http_client = recorder  # type: ignore[assignment]
    return FunctionDesk(client, "ata-course:test", sleep=lambda s: None, progress=False), recorder


def _documented(method: str, url: str, data: Any) -> None:
    """Assert a request is one Twilio documents: OpenAPI path, method and form names, or the upload page."""
    host, path = re.match(r"https://([^/]+)(/[^?]*)", url).groups()  # type: ignore[union-attr]
    shape = re.sub(r"/[A-Z]{2}[0-9a-f]{32}", "/{}", path)
    upload = [op for op in OPERATIONS if op.reference and op.method == method
              and re.sub(r"\{\w+\}", "{}", op.path) == shape]
    if upload:
        assert host == "serverless-upload.twilio.com"
        for name in upload[0].required_form:
            assert f'name="{name}"'.encode() in data
        return
    assert host == "serverless.twilio.com", url
    candidates = [p for p in SUBSET if re.sub(r"\{\w+\}", "{}", p) == shape]
    assert candidates, f"{method} {path} is not in Twilio's OpenAPI description"
    documented = SUBSET[candidates[0]]
    assert method in documented, f"{method} {candidates[0]} is not documented"
    if isinstance(data, dict):
        assert set(data) <= set(documented[method]["form"]), (path, data)
        assert set(documented[method]["required_form"]) <= set(data)


def test_apply_twice_changes_nothing_and_every_request_is_documented() -> None:
    desk, recorder = _desk()
    first = [desk.ensure(OUT, outbound_twiml("+14155550100")), desk.ensure(IN, inbound_twiml("ht801", "a.sip.twilio.com"))]
    assert [r.action for r in first] == ["created", "created"]
    assert all(r.name.startswith("https://") and ".twil.io/" in r.name for r in first)
    second = [desk.ensure(OUT, outbound_twiml("+14155550100")), desk.ensure(IN, inbound_twiml("ht801", "a.sip.twilio.com"))]
    assert [r.action for r in second] == ["unchanged", "unchanged"]
    assert [r.name for r in second] == [r.name for r in first]
    writes = [s for s in recorder.sent if s[0] != "GET"]
    for method, url, _params, data, _headers in recorder.sent:
        _documented(method, url, data)
    assert sum(1 for s in writes if "serverless-upload" in s[1]) == 2
    # both handlers stay deployed: the second build kept the first Function's version
    store = open_store()
    for result, twiml in zip(first, (None, inbound_twiml("ht801", "a.sip.twilio.com")), strict=True):
        version = resolve_function_url(store, result.name)
        assert version is not None and version["visibility"] == "protected"
        if twiml is not None:
            assert run_handler(version["content"], {}) == twiml


def test_changed_caller_id_makes_a_new_version_and_deployment_and_plan_shows_it() -> None:
    desk, recorder = _desk()
    desk.ensure(OUT, outbound_twiml("+14155550100"))
    count = len(recorder.sent)
    planned = desk.ensure(OUT, outbound_twiml("+14155550101"), dry_run=True)
    assert planned.action == "would update"
    assert not [s for s in recorder.sent[count:] if s[0] != "GET"]
    changed = desk.ensure(OUT, outbound_twiml("+14155550101"))
    assert changed.action == "updated"
    version = resolve_function_url(open_store(), changed.name)
    assert "+14155550101" in version["content"]
    client = twilio_client()
    service = client.serverless.v1.services.list()[0]
    environment = client.serverless.v1.services(service.sid).environments.list()[0]
    assert len(client.serverless.v1.services(service.sid).environments(environment.sid).deployments.list()) == 2


def test_teardown_removes_only_the_course_service() -> None:
    client = twilio_client()
    other = client.serverless.v1.services.create(unique_name="someone-else", friendly_name="theirs")
    desk, _ = _desk()
    desk.ensure(OUT, outbound_twiml("+14155550100"))
    desk.ensure(IN, inbound_twiml("ht801", "a.sip.twilio.com"))
    assert desk.remove(OUT).action == "deleted"
    assert desk.find(IN) is not None and desk.find(OUT) is None
    assert desk.remove(IN).action == "deleted"
    assert desk.remove(IN).action == "absent"
    assert [s.sid for s in client.serverless.v1.services.list()] == [other.sid]


def test_a_failed_build_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from ata_helpers.errors import TwilioApiError
    from ata_helpers.provision import function_desk

    desk, _ = _desk()
    monkeypatch.setattr(function_desk, "handler_source", lambda twiml, comment="": "exports.handler = function( {")
    with pytest.raises(TwilioApiError, match="syntax error"):
        desk.ensure(OUT, outbound_twiml("+14155550100"))


def test_doctor_checks_the_deployed_functions_and_the_line_works_through_them() -> None:
    import ata_helpers as ata
    from ata_helpers import nat_story
    from ata_helpers.provision.steps import find_domain, find_number

    nat_story.ensure_line()
    client = twilio_client()
    setup = ata.TwilioSetup.from_saved()
    domain_name = setup.domain_name
    desk = FunctionDesk(client, f"ata-course:{setup.domain_name.split('.')[0]}", sleep=lambda s: None,
                        progress=False)
    out = desk.ensure(OUT, outbound_twiml(setup.caller_id))
    inb = desk.ensure(IN, inbound_twiml(setup.username, domain_name))
    client.sip.domains(find_domain(client, domain_name).sid).update(voice_url=out.name)
    client.incoming_phone_numbers(find_number(client, setup.phone_number).sid).update(voice_url=inb.name)
    frame = ata.doctor(phone_number=setup.phone_number).set_index("check")
    assert frame.loc["domain voice URL and outbound TwiML", "status"] == "pass", frame.to_string()
    assert "deployed Function" in frame.loc["domain voice URL and outbound TwiML", "detail"]
    assert frame.loc["phone number routes to the ATA", "status"] == "pass"
    parent = ata.sandbox.dial("14155550123")  # the phone dials through the deployed Function
    assert [c.to for c in client.calls.list(parent_call_sid=parent)] == ["+14155550123"]
    # someone edits the Function: same TwiML shape, other code
    edited = FunctionDesk(client, desk.service_name, sleep=lambda s: None, progress=False)
    edited.put(OUT, outbound_twiml(setup.caller_id).replace("<Response>", "<Response><Say>hi</Say>"))
    row = ata.doctor(phone_number=setup.phone_number).set_index("check").loc["domain voice URL and outbound TwiML"]
    assert row["status"] == "fail" and "not the course's handler" in row["detail"]


def test_switching_to_bins_keeps_the_functions_visible_and_teardown_removes_them() -> None:
    """Call handling switched from Functions to Bins: describe() shows the Functions left behind and
    one teardown() removes the course's service with them (nothing of someone else's)."""
    import ata_helpers as ata
    from ata_helpers import nat_story

    nat_story.ensure_line()
    client = twilio_client()
    other = client.serverless.v1.services.create(unique_name="someone-else", friendly_name="theirs")
    saved = ata.TwilioSetup.from_saved()
    saved.apply()  # Functions, the default
    assert saved.twiml_host == "functions" and len(client.serverless.v1.services.list()) == 2
    bins = ata.TwilioSetup.from_saved(twiml_host="bins")
    bins.apply()
    described = bins.describe()
    left = described[described["resource"] == "Twilio Function"]
    assert len(left) == 2 and set(left["state"]) == {"present"}, described.to_string()
    assert left["detail"].str.contains("teardown removes it").all()
    handlers = described[described["resource"] == "TwiML Bin"]
    assert len(handlers) == 2 and set(handlers["state"]) == {"present"}, described.to_string()
    removed = bins.teardown()
    assert (removed.loc[removed["resource"] == "Twilio Function", "action"] == "deleted").sum() == 2
    assert [s.sid for s in client.serverless.v1.services.list()] == [other.sid]
