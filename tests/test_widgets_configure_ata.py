"""The step-4 form: validation beside the field, masked preview, apply through the twin."""

from __future__ import annotations

from ata_helpers.grandstream import FxsPort, HT80xConfig, HT80xDevice
from ata_helpers.sandbox.ht80x.twin import (
    SANDBOX_ADMIN_PASSWORD,
    device_url,
    twin_pvalues,
)
from ata_helpers.widgets.configure_ata import BLOG_FIELDS, configure_ata_form


def filled(**extra: str):  # type: ignore[no-untyped-def]
    form = configure_ata_form(device_factory=lambda: HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD,
                                                                 progress=lambda *a: None))
    form.inputs[(0, "sip_server")].value = "example.sip.twilio.com"
    form.inputs[(1, "user_id")].value = "alice"
    form.inputs[(1, "password")].value = "Secret123456"
    for key, value in extra.items():
        port, _, name = key.partition("__")
        form.inputs[(int(port[1:]), name)].value = value
    return form


def shown(form) -> str:  # type: ignore[no-untyped-def]
    return str(form.out.outputs)


def test_blank_form_starts_with_the_twilio_recommendations() -> None:
    form = configure_ata_form()
    assert form.inputs[(0, "sip_server")].value == "" and form.inputs[(1, "user_id")].value == ""
    assert form.inputs[(1, "contact_uses_wan")].value is True
    assert form.inputs[(1, "dial_plan_prefix")].value == "+"
    assert form.inputs[(1, "nat_traversal")].value == "keep-alive"
    assert form.inputs[(2, "local_sip_port")].value == 5062
    assert form.inputs[(1, "contact_uses_wan")].description == "SIP REGISTER Contact Header Uses"
    assert "192.168" in form.inputs[(1, "contact_uses_wan")].tooltip


def test_blog_fields_are_on_top_and_the_rest_folded() -> None:
    form = configure_ata_form()
    section = form.port_sections[0]
    top = [row.children[0].description for row in section.children[1:-1]]
    assert len(top) == len(BLOG_FIELDS) and top[0] == "SIP User ID"
    fold = section.children[-1]
    assert fold.selected_index is None and len(fold.children[0].children) == 14


def test_errors_appear_beside_the_field() -> None:
    form = filled()
    form.inputs[(1, "register_expiration_min")].value = 0
    form.inputs[(1, "user_id")].value = "alice smith"
    form.preview_button.click()
    assert "user part of a SIP address" in form.messages[(1, "user_id")].value
    assert "Fix the field" in shown(form)
    form.inputs[(1, "user_id")].value = "alice"
    form.preview_button.click()
    assert form.messages[(1, "user_id")].value == ""
    assert "from 1 to 64800" in form.messages[(1, "register_expiration_min")].value


def test_bad_mac_and_server_are_flagged() -> None:
    form = filled()
    form.mac.value = "00:0B:82"
    form.preview_button.click()
    assert "not a MAC address" in form.messages[(0, "mac")].value
    form.mac.value = ""
    form.inputs[(0, "sip_server")].value = "sip:example.sip.twilio.com"
    form.preview_button.click()
    assert "no scheme" in form.messages[(0, "sip_server")].value


def test_preview_masks_the_password_and_names_the_file() -> None:
    form = filled()
    form.mac.value = "00:0B:82:12:34:56"
    form.preview_button.click()
    text = shown(form)
    assert "cfg000b82123456.xml" in text and "&lt;P35&gt;alice&lt;/P35&gt;" in text
    assert "Secret123456" not in text and "&lt;P34&gt;••••&lt;/P34&gt;" in text


def test_port_two_only_with_ht802_and_the_checkbox() -> None:
    form = filled()
    assert form.port_sections[1].layout.display == "none"
    form.model.value = "HT802"
    form.use_port2.value = True
    assert form.port_sections[1].layout.display == ""
    form.inputs[(2, "user_id")].value = "bob"
    config = form.config()
    assert config is not None and [p.user_id for p in config.ports] == ["alice", "bob"]
    form.inputs[(2, "local_sip_port")].value = 5060
    assert form.config() is None and "different local SIP ports" in form.messages[(2, "local_sip_port")].value


def test_apply_writes_to_the_device_and_shows_the_report() -> None:
    form = filled(p1__vocoders="PCMA, PCMU")
    form.apply_button.click()
    assert "Show what would change" in shown(form) and twin_pvalues()["P35"] != "alice"
    form.plan_button.click()
    assert "would change" in shown(form) and not form.apply_button.disabled
    form.apply_button.click()
    outputs = form.out.outputs
    assert len(outputs) == 1 and "text/html" in outputs[0]["data"]
    assert "did not stick" not in outputs[0]["data"]["text/html"]
    assert "Secret123456" not in shown(form)
    values = twin_pvalues()
    assert values["P35"] == "alice" and values["P57"] == "8" and values["P4437"] == "1"


def test_device_errors_are_shown_not_raised() -> None:
    form = configure_ata_form(
        HT80xConfig(sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="alice")]),
        device_factory=lambda: HT80xDevice(device_url(), "wrong", progress=lambda *a: None))
    form.plan_button.click()
    assert "wrong admin password, 4 tries left" in shown(form) and form.apply_button.disabled


def test_changing_a_field_after_the_plan_asks_for_a_new_plan() -> None:
    form = filled()
    form.plan_button.click()
    assert not form.apply_button.disabled
    form.inputs[(1, "user_id")].value = "carol"
    assert form.apply_button.disabled


def test_prefilled_form_round_trips_its_config() -> None:
    config = HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                         ports=[FxsPort(user_id="alice", nat_traversal="stun"), FxsPort(user_id="bob")])
    assert configure_ata_form(config).config() == config


def test_apply_in_live_mode_without_a_host_says_what_to_set(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ata_helpers.widgets.configure_ata import ConfigureAtaForm

    monkeypatch.setenv("ATA_MODE", "live")
    form = ConfigureAtaForm()
    form.inputs[(0, "sip_server")].value = "example.sip.twilio.com"
    form.inputs[(1, "user_id")].value = "alice"
    form.inputs[(1, "password")].value = "Secret123456"
    form.plan_button.click()
    text = "".join(o.get("text", "") for o in form.out.outputs)
    assert "ATA_HOST" in text and "Secret123456" not in text


def test_the_authenticate_password_never_stays_in_a_widget() -> None:
    import json

    from ipywidgets import Widget

    def state() -> str:
        return json.dumps(Widget.get_manager_state(drop_defaults=False)["state"], default=str)

    given = "Given-Secret-Pass-321"
    form = configure_ata_form(HT80xConfig(sip_server="x.sip.twilio.com",
                                          ports=[FxsPort(user_id="ht801", password=given)]))
    assert form.inputs[(1, "password")].value == "" and given not in state()
    assert form.config().ports[0].password == given          # still used, from the kernel
    typed = "Typed-Secret-Pass-654"
    form.inputs[(1, "password")].value = typed
    assert form.config().ports[0].password == typed
    assert form.inputs[(1, "password")].value == "" and typed not in state()


def test_every_wrong_field_is_shown_at_once_beside_it() -> None:
    form = configure_ata_form(HT80xConfig(sip_server="x.sip.twilio.com", ports=[FxsPort(user_id="ht801")]))
    form.inputs[(0, "sip_server")].value = "mylab.example.com"
    form.inputs[(1, "user_id")].value = "alice smith"
    form.inputs[(1, "register_expiration_min")].value = 0
    assert form.config() is None
    flagged = {key for key, message in form.messages.items() if message.value}
    assert flagged == {(0, "sip_server"), (1, "user_id"), (1, "register_expiration_min")}
    assert "sip.twilio.com" in form.messages[(0, "sip_server")].value
    for good in ("x.sip.twilio.com", "x.sip.ashburn.twilio.com", "x.sip.us1.twilio.com"):
        form.inputs[(0, "sip_server")].value = good
        form.inputs[(1, "user_id")].value = "ht801"
        form.inputs[(1, "register_expiration_min")].value = 60
        assert form.config() is not None, good
