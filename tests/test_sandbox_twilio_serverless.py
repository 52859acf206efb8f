"""The twin's Serverless subset through the real twilio SDK (and the multipart upload it lacks): a
build completes or fails on a syntax error, a deployment puts Functions on a *.twil.io domain, the
line simulation runs a deployed handler when the ATA dials, and refuses one it cannot interpret."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ata_helpers.errors import TwilioApiError
from ata_helpers.provision.functions import handler_source, upload_function_version
from ata_helpers.sandbox.store import open_store
from ata_helpers.sandbox.twilio.function_runtime import NotInterpretable, run_handler
from ata_helpers.sandbox.twilio.serverless import resolve_function_url
from ata_helpers.twilio_api import twilio_client
from ata_helpers.twiml import check_inbound_twiml, inbound_twiml, outbound_twiml

BROKEN = "exports.handler = function (context, event, callback) {\n  const twiml = new Twilio.twiml.VoiceResponse(;\n};\n"


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


def _wait_build(client: Any, service: str, build: str) -> str:
    for _ in range(200):
        status = client.serverless.v1.services(service).builds(build).build_status().fetch().status
        if status != "building":
            return str(status)
        time.sleep(0.02)
    raise AssertionError("the build never finished")


def _deploy(sources: dict[str, str], visibility: str = "protected") -> tuple[Any, Any, Any]:
    client = twilio_client()
    service = client.serverless.v1.services.create(unique_name="ata-line", friendly_name="ATA line")
    environment = client.serverless.v1.services(service.sid).environments.create(unique_name="production",
                                                                                 domain_suffix="prod")
    versions = []
    for path, source in sources.items():
        function = client.serverless.v1.services(service.sid).functions.create(friendly_name=path.strip("/"))
        versions.append(upload_function_version(client, service.sid, function.sid, path, source, visibility)["sid"])
    build = client.serverless.v1.services(service.sid).builds.create(function_versions=versions,
                                                                     dependencies='[{"name": "twilio", "version": "5.0.0"}]',
                                                                     runtime="node22")
    assert build.status == "building"
    return client, service, (environment, build)


def test_build_completes_and_deployment_serves_the_handlers_on_the_domain() -> None:
    out = handler_source(outbound_twiml("+14155550100"))
    inb = handler_source(inbound_twiml("ht801", "example-ata.sip.twilio.com"))
    client, service, (environment, build) = _deploy({"/outbound": out, "/inbound": inb})
    assert _wait_build(client, service.sid, build.sid) == "completed"
    fetched = client.serverless.v1.services(service.sid).builds(build.sid).fetch()
    assert [v["path"] for v in fetched.function_versions] == ["/outbound", "/inbound"]
    assert fetched.function_versions[0]["visibility"] == "PROTECTED"
    deployment = client.serverless.v1.services(service.sid).environments(environment.sid).deployments.create(
        build_sid=build.sid)
    assert deployment.build_sid == build.sid
    environment = client.serverless.v1.services(service.sid).environments(environment.sid).fetch()
    assert environment.build_sid == build.sid and environment.domain_name.endswith("-prod.twil.io")
    assert environment.domain_name.startswith(service.domain_base)
    found = resolve_function_url(open_store(), f"https://{environment.domain_name}/outbound")
    assert found is not None and found["content"] == out
    twiml = run_handler(found["content"], {"To": "sip:+15125551212@example-ata.sip.twilio.com"})
    assert twiml == outbound_twiml("+14155550100").replace("{{#e164}}{{To}}{{/e164}}", "+15125551212")
    inbound = run_handler(resolve_function_url(open_store(), f"https://{environment.domain_name}/inbound")["content"], {})
    check_inbound_twiml(inbound)
    assert inbound == inbound_twiml("ht801", "example-ata.sip.twilio.com")
    assert resolve_function_url(open_store(), f"https://{environment.domain_name}/nowhere") is None
    content = client.serverless.v1.services(service.sid).functions(fetched.function_versions[0]["function_sid"]) \
        .function_versions(fetched.function_versions[0]["sid"]).function_version_content().fetch()
    assert content.content == out


def test_a_syntax_error_fails_the_build_and_a_failed_build_cannot_be_deployed() -> None:
    client, service, (environment, build) = _deploy({"/outbound": BROKEN})
    assert _wait_build(client, service.sid, build.sid) == "failed"
    with pytest.raises(Exception) as caught:
        client.serverless.v1.services(service.sid).environments(environment.sid).deployments.create(build_sid=build.sid)
    assert getattr(caught.value, "status", None) == 400


def test_upload_is_multipart_on_the_upload_host_and_checked() -> None:
    client = twilio_client()
    service = client.serverless.v1.services.create(unique_name="up", friendly_name="up")
    function = client.serverless.v1.services(service.sid).functions.create(friendly_name="f")
    with pytest.raises(TwilioApiError) as caught:
        upload_function_version(client, service.sid, function.sid, "no-slash", "x", "protected")
    assert caught.value.status == 400
    with pytest.raises(TwilioApiError):
        upload_function_version(client, service.sid, function.sid, "/f", "x", "secret")
    version = upload_function_version(client, service.sid, function.sid, "/f", "exports.handler = 1;", "private")
    assert version["visibility"] == "private" and version["path"] == "/f"
    listed = client.serverless.v1.services(service.sid).functions(function.sid).function_versions.list()
    assert [v.sid for v in listed] == [version["sid"]]


def test_unique_names_and_service_deletion() -> None:
    client = twilio_client()
    service = client.serverless.v1.services.create(unique_name="once", friendly_name="once")
    with pytest.raises(Exception) as caught:
        client.serverless.v1.services.create(unique_name="once", friendly_name="again")
    assert getattr(caught.value, "status", None) == 409
    client.serverless.v1.services(service.sid).functions.create(friendly_name="f")
    client.serverless.v1.services(service.sid).delete()
    assert client.serverless.v1.services.list() == []
    assert open_store().list("function") == []


def test_the_runtime_refuses_what_it_cannot_interpret() -> None:
    with pytest.raises(NotInterpretable, match="line 2"):
        run_handler("exports.handler = function (context, event, callback) {\n  fetch('https://example.com');\n"
                    "  callback(null, new Twilio.twiml.VoiceResponse());\n};", {})
    with pytest.raises(NotInterpretable, match="never calls callback"):
        run_handler("exports.handler = function (context, event, callback) {\n  const x = 1;\n};", {})
    with pytest.raises(NotInterpretable, match="syntax error"):
        run_handler(BROKEN, {})


def _line_with_function(source: str) -> Any:
    import ata_helpers as ata
    from ata_helpers.provision.steps import find_domain
    from ata_helpers.sandbox.course_steps import STEP_ACTIONS

    for step in (0, 2, 3, 4):
        STEP_ACTIONS[step]()
    setup = ata.TwilioSetup.from_saved()
    setup.apply()
    client, service, (environment, build) = _deploy({"/outbound": source})
    assert _wait_build(client, service.sid, build.sid) == "completed"
    client.serverless.v1.services(service.sid).environments(environment.sid).deployments.create(build_sid=build.sid)
    domain_name = client.serverless.v1.services(service.sid).environments(environment.sid).fetch().domain_name
    domain = find_domain(client, setup.domain_name)
    client.sip.domains(domain.sid).update(voice_url=f"https://{domain_name}/outbound")
    return client


def test_the_line_simulation_runs_the_deployed_handler_when_the_ata_dials() -> None:
    import ata_helpers as ata
    from ata_helpers.line import LineInputs

    client = _line_with_function(handler_source(outbound_twiml(load_inputs_caller_id())))
    parent = ata.sandbox.dial("14155550123")
    children = client.calls.list(parent_call_sid=parent)
    assert [c.to for c in children] == ["+14155550123"]
    assert children[0]._from == LineInputs.load().caller_id


def test_a_handler_the_sandbox_cannot_run_fails_the_call_with_the_reason() -> None:
    import ata_helpers as ata
    from ata_helpers.calls import call_alerts

    source = ("exports.handler = async function (context, event, callback) {\n"
              "  const res = await fetch('https://example.com');\n  callback(null, res);\n};\n")
    client = _line_with_function(source)
    parent = ata.sandbox.dial("14155550123")
    alerts = call_alerts(client, parent, None)
    assert [int(a.error_code) for a in alerts] == [11200]
    assert "82002" in alerts[0].alert_text and "line 2" in alerts[0].alert_text
    assert client.calls.list(parent_call_sid=parent) == []


def load_inputs_caller_id() -> str:
    from ata_helpers.line import LineInputs

    return str(LineInputs.load().caller_id)
