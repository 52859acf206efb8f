"""Provisioning against the Twilio twin: each ensure_* step's paths, TwilioSetup's plan/apply/teardown.

Every assertion about state reads the twin back through the twilio SDK (or its store, for what the
API never returns, such as a password hash), so a step that only claims success fails here.
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.errors import TwilioApiError, ValidationError
from ata_helpers.line import LineInputs, inputs_path
from ata_helpers.provision import (
    SetupError,
    TwilioSetup,
    ensure_call_credential_mapping,
    ensure_call_ip_acl_mapping,
    ensure_credential,
    ensure_credential_list,
    ensure_domain,
    ensure_ip_acl,
    ensure_ip_address,
    ensure_number_voice_url,
    ensure_origination_url,
    ensure_registration_mapping,
    ensure_trunk,
    origination_sip_url,
)
from ata_helpers.sandbox.store import open_store
from ata_helpers.sandbox.twilio import bins
from ata_helpers.settings import SANDBOX_SIP_PASSWORD
from ata_helpers.twilio_api import twiml_desk

PASSWORD = "Correct-Horse-9"
NUMBER = "+14155550100"


@pytest.fixture
def client() -> Any:
    return ata.twilio_client()


def _setup(**overrides: Any) -> TwilioSetup:
    values = dict(domain_label="line-one", username="ht801", password=PASSWORD, caller_id=NUMBER,
                  public_ip="203.0.113.10")
    values.update(overrides)
    return TwilioSetup(**values)


def _state(client: Any) -> dict[str, Any]:
    """Everything the setup could touch, read back through the SDK."""
    number = client.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    return {
        "domains": [(d.domain_name, d.voice_url, d.sip_registration) for d in client.sip.domains.list()],
        "credential_lists": [c.friendly_name for c in client.sip.credential_lists.list()],
        "acls": [a.friendly_name for a in client.sip.ip_access_control_lists.list()],
        "trunks": [t.friendly_name for t in client.trunking.v1.trunks.list()],
        "number": (number.voice_url, number.trunk_sid, number.voice_application_sid),
        "bins": [b["friendly_name"] for b in bins.list_bins()],
        "services": [v.unique_name for v in client.serverless.v1.services.list()],
    }


# -- ensure_* paths --------------------------------------------------------------------------------
def test_credential_list_and_credential(client: Any) -> None:
    first = ensure_credential_list(client, "ata-course:t")
    assert first.action == "created" and first.sid.startswith("CL")
    again = ensure_credential_list(client, "ata-course:t")
    assert (again.action, again.sid) == ("unchanged", first.sid)
    assert [c.friendly_name for c in client.sip.credential_lists.list()] == ["ata-course:t"]

    made = ensure_credential(client, first.sid, "ht801", PASSWORD)
    assert made.action == "created" and PASSWORD not in made.detail
    assert [c.username for c in client.sip.credential_lists(first.sid).credentials.list()] == ["ht801"]
    kept = ensure_credential(client, first.sid, "ht801", "Another-Pass-77")
    assert kept.action == "unchanged" and "never returns" in kept.detail
    store = open_store()
    before = store.get("credential", made.sid)["password_sha256"]
    reset = ensure_credential(client, first.sid, "ht801", "Another-Pass-77", reset_password=True)
    assert reset.action == "updated" and store.get("credential", made.sid)["password_sha256"] != before


def test_credential_password_checked_before_any_request(client: Any) -> None:
    cl = ensure_credential_list(client, "ata-course:t").sid
    with pytest.raises(ValidationError) as info:
        ensure_credential(client, cl, "ht801", "weakpass")
    assert info.value.field == "password" and "12 characters" in info.value.rule
    assert client.sip.credential_lists(cl).credentials.list() == []


def test_ip_acl_and_address(client: Any) -> None:
    acl = ensure_ip_acl(client, "ata-course:t")
    assert acl.action == "created" and ensure_ip_acl(client, "ata-course:t").action == "unchanged"
    made = ensure_ip_address(client, acl.sid, "203.0.113.10", "ata-course:t public IP")
    assert (made.action, made.name) == ("created", "203.0.113.10/32")
    assert ensure_ip_address(client, acl.sid, "203.0.113.10", "x").action == "unchanged"
    wider = ensure_ip_address(client, acl.sid, "203.0.113.10/31", "x")
    assert wider.action == "updated" and "32 → 31" in wider.detail
    entries = client.sip.ip_access_control_lists(acl.sid).ip_addresses.list()
    assert [(e.ip_address, e.cidr_prefix_length) for e in entries] == [("203.0.113.10", 31)]
    with pytest.raises(ValidationError, match="public_ip"):
        ensure_ip_address(client, acl.sid, "192.168.1.20", "x")


def test_domain_created_unchanged_updated(client: Any) -> None:
    url = "https://handler.twilio.com/twiml/EH" + "1" * 32
    made = ensure_domain(client, "line-one.sip.twilio.com", friendly_name="ata-course:line-one",
                         voice_url=url, voice_method="POST", tag="ata-course:line-one")
    assert made.action == "created" and made.sid.startswith("SD")
    same = ensure_domain(client, "line-one.sip.twilio.com", voice_url=url, tag="ata-course:line-one")
    assert same.action == "unchanged" and same.detail == ""
    on = ensure_domain(client, "line-one.sip.twilio.com", sip_registration=True)
    assert on.action == "updated" and "sip_registration: False → True" in on.detail
    domain = client.sip.domains(made.sid).fetch()
    assert (domain.voice_url, domain.voice_method, domain.sip_registration) == (url, "POST", True)
    assert domain.friendly_name == "ata-course:line-one"


def test_domain_not_created_by_course_is_marked(client: Any) -> None:
    client.sip.domains.create(domain_name="mine.sip.twilio.com", friendly_name="my own")
    row = ensure_domain(client, "mine.sip.twilio.com", voice_url="https://example.com/x", tag="ata-course:mine")
    assert row.action == "updated" and "teardown keeps it" in row.detail
    assert client.sip.domains.list()[0].friendly_name == "my own"


def test_domain_twilio_error_is_explained(client: Any) -> None:
    with pytest.raises(TwilioApiError) as info:
        ensure_domain(client, "demo.sip.twilio.com")
    assert info.value.code == 21232 and "pick another name" in info.value.fix
    with pytest.raises(ValidationError, match="edge-specific"):
        ensure_domain(client, "line.sip.us1.twilio.com")


def test_mappings(client: Any) -> None:
    domain = ensure_domain(client, "line-one.sip.twilio.com").sid
    cl = ensure_credential_list(client, "ata-course:t").sid
    acl = ensure_ip_acl(client, "ata-course:t").sid
    for ensure, list_sid in ((ensure_call_credential_mapping, cl), (ensure_call_ip_acl_mapping, acl),
                             (ensure_registration_mapping, cl)):
        assert ensure(client, domain, list_sid, "t").action == "created"
        assert ensure(client, domain, list_sid, "t").action == "unchanged"
    auth = client.sip.domains(domain).auth
    assert [m.sid for m in auth.calls.credential_list_mappings.list()] == [cl]
    assert [m.sid for m in auth.calls.ip_access_control_list_mappings.list()] == [acl]
    assert [m.sid for m in auth.registrations.credential_list_mappings.list()] == [cl]
    assert set(client.sip.domains(domain).fetch().auth_type.split(",")) == {"IP_ACL", "CREDENTIAL_LIST"}


def test_trunk_and_origination_url(client: Any) -> None:
    url = origination_sip_url("ht801", "line-one.sip.twilio.com", "us1")
    assert url == "sip:ht801@line-one.sip.us1.twilio.com"
    assert origination_sip_url("ht801", "line-one.sip.twilio.com") == "sip:ht801@line-one.sip.ashburn.twilio.com"
    assert origination_sip_url("ht801", "line-one.sip.twilio.com", "Frankfurt").endswith(".sip.frankfurt.twilio.com")
    with pytest.raises(ValidationError, match="edge"):
        origination_sip_url("ht801", "line-one.sip.twilio.com", "moon")
    trunk = ensure_trunk(client, "ata-course:t")
    assert trunk.action == "created" and ensure_trunk(client, "ata-course:t").action == "unchanged"
    made = ensure_origination_url(client, trunk.sid, url, "ata-course:t")
    assert made.action == "created"
    assert ensure_origination_url(client, trunk.sid, url, "ata-course:t").action == "unchanged"
    heavier = ensure_origination_url(client, trunk.sid, url, "ata-course:t", weight=20)
    assert heavier.action == "updated" and "weight: 10 → 20" in heavier.detail
    rows = client.trunking.v1.trunks(trunk.sid).origination_urls.list()
    assert [(o.sip_url, o.weight, o.priority, o.enabled) for o in rows] == [(url, 20, 10, True)]


def test_number_voice_url(client: Any) -> None:
    url = "https://handler.twilio.com/twiml/EH" + "2" * 32
    row = ensure_number_voice_url(client, NUMBER, url)
    assert row.action == "updated" and row.sid.startswith("PN")
    assert ensure_number_voice_url(client, NUMBER, url).action == "unchanged"
    assert client.incoming_phone_numbers(row.sid).fetch().voice_url == url
    with pytest.raises(ValidationError, match="not a number of this Twilio account"):
        ensure_number_voice_url(client, "+14155550199", url)


def test_number_on_a_trunk_warns_then_detaches(client: Any) -> None:
    url = "https://handler.twilio.com/twiml/EH" + "2" * 32
    trunk = ensure_trunk(client, "someone else's trunk").sid
    number = client.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    client.trunking.v1.trunks(trunk).phone_numbers.create(phone_number_sid=number.sid)
    warned = ensure_number_voice_url(client, NUMBER, url)
    assert "⚠" in warned.detail and trunk in warned.detail and "ignores voice_url" in warned.detail
    assert client.incoming_phone_numbers(number.sid).fetch().trunk_sid == trunk
    fixed = ensure_number_voice_url(client, NUMBER, url, detach=True)
    assert fixed.action == "updated" and "detached" in fixed.detail
    fetched = client.incoming_phone_numbers(number.sid).fetch()
    assert (fetched.trunk_sid, fetched.voice_url) == (None, url)
    assert ensure_number_voice_url(client, NUMBER, url).action == "unchanged"


def test_number_with_an_application_warns_then_detaches(client: Any) -> None:
    number = client.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    client.incoming_phone_numbers(number.sid).update(voice_application_sid="AP" + "3" * 32)
    warned = ensure_number_voice_url(client, NUMBER, "https://example.com/voice")
    assert "TwiML App" in warned.detail
    ensure_number_voice_url(client, NUMBER, "https://example.com/voice", detach=True)
    assert client.incoming_phone_numbers(number.sid).fetch().voice_application_sid is None


def test_dry_runs_change_nothing(client: Any) -> None:
    before = _state(client)
    assert ensure_credential_list(client, "x", dry_run=True).action == "would create"
    assert ensure_credential(client, None, "ht801", PASSWORD, dry_run=True).action == "would create"
    assert ensure_domain(client, "line-one.sip.twilio.com", dry_run=True).action == "would create"
    assert ensure_trunk(client, "x", dry_run=True).action == "would create"
    assert ensure_number_voice_url(client, NUMBER, "https://example.com/v", dry_run=True).action == "would update"
    assert twiml_desk().ensure("x", "<Response/>", dry_run=True).action == "would create"
    assert _state(client) == before


# -- TwilioSetup ----------------------------------------------------------------------------------------
def test_setup_validates_every_input_before_the_network() -> None:
    for field, value in (("domain_label", "bad_label"), ("username", "u" * 40), ("password", "short"),
                         ("caller_id", "4155550100"), ("public_ip", "192.168.1.2"), ("edge", "mars"),
                         ("phone_number", "+0"), ("outbound_bin_url", "https://example.com")):
        with pytest.raises(ValidationError) as info:
            _setup(**{field: value})
        assert info.value.field == field
    with pytest.raises(ValidationError, match="53 characters"):
        _setup(domain_label="a" * 60)
    assert PASSWORD not in repr(_setup()) and "••••" in repr(_setup())


def _hosted_twiml(url: str) -> str | None:
    """The TwiML a call would get from a Bin or a deployed Function of the twin."""
    from ata_helpers.sandbox.line.calls import webhook_twiml
    from ata_helpers.sandbox.store import open_store

    return webhook_twiml(open_store(), url, {"To": "sip:{{#e164}}{{To}}{{/e164}}@x"})[0]


@pytest.mark.parametrize("host", ["functions", "bins"])
def test_apply_twice_then_teardown(client: Any, host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    setup = _setup(twiml_host=host)
    empty = _state(client)
    plan = setup.plan()
    assert set(plan.action) == {"would create", "would update"} and _state(client) == empty
    first = setup.apply()
    assert list(first.step) == list(plan.step)
    assert set(first.action) == {"created", "updated"}
    after_first = _state(client)
    assert after_first["domains"][0][0] == "line-one.sip.twilio.com" and after_first["domains"][0][2] is True
    assert after_first["credential_lists"] == after_first["acls"] == after_first["trunks"] == ["ata-course:line-one"]
    if host == "bins":
        assert after_first["number"][0].startswith("https://handler.twilio.com/twiml/EH")
        assert bins.get_bin(after_first["number"][0])["twiml"] == setup.inbound_twiml
        assert bins.get_bin(after_first["domains"][0][1])["twiml"] == setup.outbound_twiml
    else:
        assert re.fullmatch(r"https://ata-course-line-one-\d{4}\.twil\.io/inbound", after_first["number"][0])
        assert after_first["domains"][0][1].endswith(".twil.io/outbound")
        assert after_first["services"] == ["ata-course-line-one"] and after_first["bins"] == []
        assert _hosted_twiml(after_first["number"][0]) == setup.inbound_twiml
        # the template's e164 is the Function's own work: the To the ATA dialled, its user part
        assert _hosted_twiml(after_first["domains"][0][1]) == setup.outbound_twiml

    second = setup.apply()
    assert set(second.action) == {"unchanged"} and list(second.sid) == list(first.sid)
    assert _state(client) == after_first
    assert set(setup.plan().action) == {"unchanged"}

    described = setup.describe()
    assert set(described.state) == {"present"}
    assert "sip_registration=True" in described.set_index("resource").loc["SIP domain", "detail"]

    removed = setup.teardown()
    assert set(removed.action) <= {"deleted", "reset"}
    assert _state(client) == empty
    assert set(setup.describe().state) == {"missing", "present"}
    assert set(setup.teardown().action) == {"absent", "kept"}


def test_stages_follow_the_notebooks(client: Any) -> None:
    setup = _setup()
    outbound = setup.apply(stages="outbound")
    assert "SIP registration" not in set(outbound.step)
    assert client.sip.domains.list()[0].sip_registration is False
    plan = setup.plan(stages=["registration"]).set_index("step")
    assert plan.loc["SIP registration", "action"] == "would update"
    assert plan.loc["registration auth: credential list", "action"] == "would create"
    setup.apply(stages="registration")
    assert client.sip.domains.list()[0].sip_registration is True
    again = setup.apply(stages="outbound")
    assert set(again.action) == {"unchanged"} and client.sip.domains.list()[0].sip_registration is True
    with pytest.raises(ValidationError, match="stages"):
        setup.plan(stages="everything")


def test_failed_apply_reports_what_ran(client: Any) -> None:
    setup = _setup(domain_label="demo")  # the twin treats demo.sip.twilio.com as taken by someone else
    with pytest.raises(SetupError) as info:
        setup.apply()
    report = info.value.report.set_index("step")
    assert report.loc["credential list", "action"] == "created"
    assert report.loc["SIP domain", "action"] == "failed" and "21232" in report.loc["SIP domain", "detail"]
    assert (report.loc["phone number", "action"], report.loc["origination URL", "action"]) == ("not run", "not run")
    message = str(info.value)
    assert "SIP domain" in message and "not run (8)" in message and "pick another name" in message
    assert isinstance(info.value.cause, TwilioApiError) and PASSWORD not in message


def test_teardown_keeps_what_the_course_did_not_create(client: Any) -> None:
    client.sip.domains.create(domain_name="line-one.sip.twilio.com", friendly_name="made by hand")
    setup = _setup()
    setup.apply()
    rows = setup.teardown().set_index("resource")
    assert rows.loc["SIP domain", "action"] == "kept"
    assert [d.friendly_name for d in client.sip.domains.list()] == ["made by hand"]
    assert client.sip.credential_lists.list() == []


def test_inputs_saved_without_password() -> None:
    setup = _setup()
    setup.apply(stages="outbound")
    path = inputs_path()
    saved = json.loads(path.read_text())
    assert saved["domain_label"] == "line-one" and PASSWORD not in path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert LineInputs.load().domain_label == "line-one"
    assert setup.line == LineInputs.load() and setup.device_uri == LineInputs.load().device_uri
    assert TwilioSetup.from_saved(password=PASSWORD).domain_name == "line-one.sip.twilio.com"


def test_from_saved_defaults_in_sandbox() -> None:
    setup = TwilioSetup.from_saved()
    assert (setup.domain_label, setup.phone_number) == ("my-ht801", NUMBER)
    assert setup._password == SANDBOX_SIP_PASSWORD


def test_a_failed_teardown_reports_what_was_removed(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from twilio.base.exceptions import TwilioRestException

    from ata_helpers.provision import SetupError

    setup = _setup()
    setup.apply()
    real = type(client.sip.domains("SD" + "0" * 32))

    def refuse(self: Any) -> bool:
        raise TwilioRestException(400, "/x", msg="domain busy", code=21231)

    monkeypatch.setattr(real, "delete", refuse)
    with pytest.raises(SetupError) as info:
        setup.teardown()
    report = info.value.report
    assert list(report["action"])[:1] == ["deleted"] and list(report["action"])[-1] == "failed"
    assert "21231" in str(info.value)
