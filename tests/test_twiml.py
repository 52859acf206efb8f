"""The Bins' TwiML: built with twilio.twiml, and checked against the mistakes people make."""

from __future__ import annotations

import pytest

from ata_helpers.errors import TwilioDeprecationWarning, ValidationError
from ata_helpers.twiml import (
    E164_TO_TEMPLATE,
    check_inbound_twiml,
    check_outbound_twiml,
    console_bin_steps,
    e164_helper,
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


def test_inbound_twiml_dials_the_global_device_uri() -> None:
    assert "<Sip>sip:ht801@line.sip.twilio.com</Sip>" in inbound_twiml("ht801", "line.sip.twilio.com")
    with pytest.raises(ValidationError):
        inbound_twiml("ht801", "line.sip.us1.twilio.com")


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
    with pytest.raises(ValidationError, match="one <Dial> inside <Response>; found <Say>"):
        check_outbound_twiml("<Response><Say>hi</Say></Response>")
    assert check_outbound_twiml(outbound_twiml("+14155550100")) == "+14155550100"


@pytest.mark.parametrize("body", [E164_TO_TEMPLATE, f"<Number>{E164_TO_TEMPLATE}</Number>",
                                  f'<Number sendDigits="ww1">{E164_TO_TEMPLATE}</Number>',
                                  "{{ #e164 }}{{ To }}{{ /e164 }}", f"\n  <Number>{E164_TO_TEMPLATE}</Number>\n"])
def test_outbound_number_as_text_or_number_noun(body: str) -> None:
    twiml = f'<Response><Dial callerId="+14155550100">{body}</Dial></Response>'
    assert check_outbound_twiml(twiml) == "+14155550100"


@pytest.mark.parametrize("body, words", [
    ("<Number>+14155550199</Number>", "+14155550199 is hard-coded"),
    ("+1 415 555 0199", "hard-coded"),
    (f"<Number>{E164_TO_TEMPLATE}</Number><Number>+14155550199</Number>", "2 <Number> nouns"),
    (f"<Sip>{E164_TO_TEMPLATE}</Sip>", "holds <Sip>"),
    (f"{E164_TO_TEMPLATE}<Number>{E164_TO_TEMPLATE}</Number>", "not both"),
    ("{{To}}", "found '{{To}}'"),
    ("", "has no number"),
])
def test_outbound_refusals_say_what_is_there(body: str, words: str) -> None:
    twiml = f'<Response><Dial callerId="+14155550100">{body}</Dial></Response>'
    with pytest.raises(ValidationError) as refused:
        check_outbound_twiml(twiml)
    assert words in refused.value.rule
    if "hard-coded" not in words:
        assert "hard-coded" not in refused.value.rule


@pytest.mark.parametrize("given, expected", [
    ("sip:+15125551212@mydomain.sip.us1.twilio.com", "+15125551212"),   # Twilio's documented example
    ("sip:+44 20 7946 0000@x.sip.twilio.com;transport=tcp", "+442079460000"),
    ("44-7355-547122.sip.twilio.com", "+17355547122"),                 # the public report (no +)
    ("sip:4155550123@x.sip.twilio.com", "+14155550123"),
    ("sip:14155550123@x.sip.twilio.com", "+14155550123"),
    ("sip:5550123@x.sip.twilio.com", "5550123"),
    ("sip:ht801@x.sip.twilio.com", "ht801"),
])
def test_e164_helper(given: str, expected: str) -> None:
    assert e164_helper(given) == expected


def test_inbound_rules() -> None:
    good = '<Response><Dial answerOnBridge="true"><Sip>sip:ht801@line.sip.twilio.com</Sip></Dial></Response>'
    assert check_inbound_twiml(good) == "sip:ht801@line.sip.twilio.com"
    error = pytest.raises(ValidationError, check_inbound_twiml, good.replace("sip.twilio", "sip.ie1.twilio"))
    assert "32220" in error.value.rule and error.value.field == "inbound_twiml.Sip"
    with pytest.warns(TwilioDeprecationWarning, match="sip:ht801@line.sip.twilio.com"):
        assert check_inbound_twiml(good.replace("sip.twilio", "sip.us1.twilio")) == "sip:ht801@line.sip.us1.twilio.com"
    with pytest.raises(ValidationError, match="answerOnBridge"):
        check_inbound_twiml(good.replace(' answerOnBridge="true"', ""))
    with pytest.raises(ValidationError, match="32223"):
        check_inbound_twiml(good.replace("ht801@", ""))
    with pytest.raises(ValidationError, match="exactly one <Sip> inside <Dial>.*found \\+14155550100"):
        check_inbound_twiml('<Response><Dial answerOnBridge="true">+14155550100</Dial></Response>')


def test_console_steps_show_the_twiml_and_the_field() -> None:
    text = console_bin_steps("ata-course:line outbound", outbound_twiml("+14155550100"), "outbound_bin_url")
    assert "{{#e164}}{{To}}{{/e164}}" in text and "outbound_bin_url" in text and "TwiML Bins" in text
