"""The Twilio setup form, driven as a learner would: set values, click, read what the Output holds."""

from __future__ import annotations

from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.errors import ValidationError
from ata_helpers.widgets.twilio_setup import TwilioSetupForm

PASSWORD = "Widget-Pass-123"


def _form(**values: Any) -> TwilioSetupForm:
    form = TwilioSetupForm(values={"domain_label": "widget-line", **values}, password=PASSWORD)
    return form


def _frames(form: TwilioSetupForm) -> list[str]:
    return [o["data"].get("text/html", "") for o in form.out.outputs if o["output_type"] == "display_data"]


def _stderr(form: TwilioSetupForm) -> str:
    return "".join(o["text"] for o in form.out.outputs if o.get("name") == "stderr")


def test_defaults_come_from_the_sandbox_and_repr_hides_the_password() -> None:
    form = TwilioSetupForm()
    assert form.fields["domain_label"].value == "my-ht801"
    assert form.fields["caller_id"].value == "+14155550100"
    assert form.edge.value == "ashburn"
    assert form.edge.options[0] == ("ashburn (North America Virginia)", "ashburn")
    assert not any(value in ("us1", "ie1") for _, value in form.edge.options)  # legacy names not offered
    assert "Sandbox" not in repr(form) and repr(form) == "TwilioSetupForm(stages=['outbound', 'registration', 'inbound'])"


@pytest.mark.parametrize("key, value, words", [
    ("domain_label", "bad_label", "letters, digits"),
    ("username", "has space", "letters, digits"),
    ("password", "short", "12 characters"),
    ("caller_id", "4155550100", "starts with +"),
    ("phone_number", "+0", "E.164"),
    ("public_ip", "192.168.1.4", "LAN addresses"),
    ("outbound_bin_url", "https://example.com/x", "TwiML Bin URL"),
])
def test_message_beside_the_field(key: str, value: str, words: str) -> None:
    form = _form()
    form.fields[key].value = value
    assert words in form.messages[key].value
    assert all(not m.value for k, m in form.messages.items() if k != key)
    with pytest.raises(ValidationError) as info:
        form.setup()
    assert info.value.field == key
    form.plan_button.click()
    assert "Fix the field first" in _stderr(form) and form.apply_button.disabled
    if key == "password":
        assert value not in form.messages[key].value


def test_plan_then_apply_then_describe_then_teardown() -> None:
    form = _form()
    client = ata.twilio_client()
    form.apply_button.click()
    assert client.sip.domains.list() == [] and form.apply_button.disabled
    form.plan_button.click()
    assert "would create" in _frames(form)[0] and client.sip.domains.list() == []
    assert not form.apply_button.disabled
    form.apply_button.click()
    assert "created" in _frames(form)[0]
    assert [d.domain_name for d in client.sip.domains.list()] == ["widget-line.sip.twilio.com"]
    form.describe_button.click()
    assert "present" in _frames(form)[0]
    form.fields["username"].value = "other"
    assert form.apply_button.disabled
    form.teardown_button.click()
    assert client.sip.domains.list() != [] and "Click again" in form.teardown_button.description
    form.teardown_button.click()
    assert "deleted" in _frames(form)[0] and client.sip.domains.list() == []


def test_stages_limit_the_form() -> None:
    form = TwilioSetupForm("outbound", values={"domain_label": "widget-line"}, password=PASSWORD)
    form.plan_button.click()
    form.apply_button.click()
    assert ata.twilio_client().sip.domains.list()[0].sip_registration is False
    assert "SIP registration" not in _frames(form)[0]


def test_failed_apply_shows_the_report() -> None:
    form = _form(domain_label="demo")
    form.plan_button.click()
    form.apply_button.click()
    assert "not run" in _frames(form)[0] and "21232" in _stderr(form)


def test_live_plan_shows_console_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    form = _form()
    ata_client = ata.twilio_client()
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setattr("ata_helpers.twilio_api.twilio_client", lambda: ata_client)
    form.twiml_host.value = "bins"
    form.plan_button.click()
    markdown = [o["data"].get("text/markdown", "") for o in form.out.outputs if o["output_type"] == "display_data"]
    assert any("{{#e164}}{{To}}{{/e164}}" in m for m in markdown)
    assert any("Inbound Bin URL" in m for m in markdown)
    assert "paste in Console" in _frames(form)[0]


def test_the_password_never_stays_in_a_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from ipywidgets import Widget

    def state() -> str:
        return json.dumps(Widget.get_manager_state(drop_defaults=False)["state"], default=str)

    secret = "Env-Secret-Pass-987"
    monkeypatch.setenv("ATA_SIP_PASSWORD", secret)
    form = TwilioSetupForm("outbound", values={"domain_label": "widget-line"})
    assert form.fields["password"].value == "" and secret not in state()  # never pre-filled
    assert form.setup()._password == secret                               # an empty field uses the env value
    typed = "Typed-Secret-Pass-654"
    form.fields["password"].value = typed
    assert not form.messages["password"].value
    form.plan_button.click()
    assert not form.apply_button.disabled                                 # emptying the field is no change
    assert form.fields["password"].value == "" and typed not in state()   # used, then moved out of the widget
    assert form.setup()._password == typed                                # ...and kept in the kernel


def test_functions_are_the_default_and_need_no_paste(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    form = _form()
    assert form.twiml_host.value == "functions"
    form.plan_button.click()
    plan = _frames(form)[0]
    assert "Twilio Function" in plan and "paste in Console" not in plan
    form.apply_button.click()
    number = ata.twilio_client().incoming_phone_numbers.list(phone_number="+14155550100")[0]
    assert number.voice_url.endswith(".twil.io/inbound")


def test_a_saved_legacy_edge_is_shown_labelled_as_legacy() -> None:
    from ata_helpers.twilio_ranges import edge_choices

    form = TwilioSetupForm(values={"edge": "us1"})
    assert form.edge.value == "us1"
    assert form.edge.options[-1] == ("us1 (legacy name of ashburn; choose ashburn)", "us1")
    assert [value for _, value in form.edge.options[:-1]] == ["ashburn", "umatilla", "dublin", "frankfurt",
                                                               "tokyo", "singapore", "sydney", "sao-paulo"]
    assert edge_choices("ashburn") == edge_choices(None) == list(form.edge.options[:-1])
    assert TwilioSetupForm(values={"edge": "atlantis"}).edge.value == "ashburn"  # unknown: the default
