"""The Bins' TwiML: built with twilio.twiml, and checked against the mistakes people make."""

from __future__ import annotations

import pytest

from ata_helpers.errors import ValidationError
from ata_helpers.twiml import (
    E164_TO_TEMPLATE,
    check_inbound_twiml,
    check_outbound_twiml,
    console_bin_steps,
    device_sip_uri,
    inbound_twiml,
    outbound_twiml,
)

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def test_outbound_exact_text() -> None:
    assert outbound_twiml("+1 415 555 0100") == (
        HEAD + '<Response><Dial callerId="+14155550100">{{#e164}}{{To}}{{/e164}}</Dial></Response>')


def test_inbound_exact_text() -> None:
    assert inbound_twiml("ht801", "My-HT801") == (
        HEAD + '<Response><Dial answerOnBridge="true"><Sip>sip:ht801@my-ht801.sip.twilio.com</Sip>'
        "</Dial></Response>")


def test_device_uri_is_global() -> None:
    assert device_sip_uri("ht801", "line.sip.twilio.com") == "sip:ht801@line.sip.twilio.com"
    with pytest.raises(ValidationError):
        device_sip_uri("ht801", "line.sip.us1.twilio.com")


def test_outbound_rules() -> None:
    with pytest.raises(ValidationError, match="caller_id"):
        outbound_twiml("4155550100")
    with pytest.raises(ValidationError, match="hard-coded"):
        check_outbound_twiml('<Response><Dial callerId="+14155550100">+14155550199</Dial></Response>')
    with pytest.raises(ValidationError, match="callerId"):
        check_outbound_twiml(f"<Response><Dial>{E164_TO_TEMPLATE}</Dial></Response>")
    with pytest.raises(ValidationError, match="callerId"):
        check_outbound_twiml(f'<Response><Dial callerId="4155550100">{E164_TO_TEMPLATE}</Dial></Response>')
    with pytest.raises(ValidationError, match="well-formed XML"):
        check_outbound_twiml(f'<Response><Dial callerId="+14155550100">{E164_TO_TEMPLATE}</Response>')
    with pytest.raises(ValidationError, match="<Response>"):
        check_outbound_twiml(f'<Dial callerId="+14155550100">{E164_TO_TEMPLATE}</Dial>')
    with pytest.raises(ValidationError, match="exactly one <Dial>"):
        check_outbound_twiml("<Response><Say>hi</Say></Response>")
    assert check_outbound_twiml(outbound_twiml("+14155550100")) == "+14155550100"


def test_inbound_rules() -> None:
    good = '<Response><Dial answerOnBridge="true"><Sip>sip:ht801@line.sip.twilio.com</Sip></Dial></Response>'
    assert check_inbound_twiml(good) == "sip:ht801@line.sip.twilio.com"
    error = pytest.raises(ValidationError, check_inbound_twiml, good.replace("sip.twilio", "sip.us1.twilio"))
    assert "32220" in error.value.rule and error.value.field == "inbound_twiml.Sip"
    with pytest.raises(ValidationError, match="answerOnBridge"):
        check_inbound_twiml(good.replace(' answerOnBridge="true"', ""))
    with pytest.raises(ValidationError, match="32223"):
        check_inbound_twiml(good.replace("ht801@", ""))
    with pytest.raises(ValidationError, match="exactly one <Sip>"):
        check_inbound_twiml('<Response><Dial answerOnBridge="true">+14155550100</Dial></Response>')


def test_console_steps_show_the_twiml_and_the_field() -> None:
    text = console_bin_steps("ata-course:line outbound", outbound_twiml("+14155550100"), "outbound_bin_url")
    assert "{{#e164}}{{To}}{{/e164}}" in text and "outbound_bin_url" in text and "TwiML Bins" in text
