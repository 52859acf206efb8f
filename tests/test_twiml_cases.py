"""Every line of tests/data/twiml_checks.txt (cases from the field) gets the answer Twilio's pages give.

- INBOUND: `<Sip>` URIs with `;transport=tcp`, `;region=ie1` or a `?X-Custom=1` header part are valid
  TwiML (Twilio's <Sip> noun and "Making SIP calls" pages).
- OUTBOUND: `<Dial callerId=…><Number>{{#e164}}{{To}}{{/e164}}</Number></Dial>` is valid (error 13223's
  page shows the number inside <Number>); the caller ID is +15550100100.
- URI: `…sip.us1.twilio.com` and `…sip.us1-ix.twilio.com` are accepted, deprecated (error 32220's page);
  other edge names fail with 32220; URI parameters are fine.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from ata_helpers.calls import check_destination
from ata_helpers.errors import TwilioDeprecationWarning, ValidationError
from ata_helpers.twiml import check_inbound_twiml, check_outbound_twiml
from ata_helpers.validate import validate_global_sip_uri

CASES = Path(__file__).parent / "data" / "twiml_checks.txt"
GLOBAL = "sip:ht801@example.sip.twilio.com"


def _lines(kind: str) -> list[str]:
    rows = [line.rstrip("\n").split("\t", 1) for line in CASES.read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert {k for k, _ in rows} == {"INBOUND", "OUTBOUND", "URI"}
    return [text for k, text in rows if k == kind]


def _no_warning(call, *args):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call(*args)


def test_the_case_file_has_every_line() -> None:
    assert (len(_lines("INBOUND")), len(_lines("OUTBOUND")), len(_lines("URI"))) == (3, 1, 4)


@pytest.mark.parametrize("twiml", _lines("INBOUND"))
def test_inbound_sip_uris_with_parameters_and_headers_are_valid(twiml: str) -> None:
    uri = _no_warning(check_inbound_twiml, twiml)
    assert uri == twiml.split("<Sip>")[1].split("</Sip>")[0]
    assert uri.startswith(GLOBAL)


def test_outbound_number_noun_with_the_e164_template_is_valid() -> None:
    (twiml,) = _lines("OUTBOUND")
    assert _no_warning(check_outbound_twiml, twiml) == "+15550100100"


@pytest.mark.parametrize("check", [validate_global_sip_uri, check_destination])
def test_uri_lines(check) -> None:  # type: ignore[no-untyped-def]
    us1, us1_ix, ashburn, tcp = _lines("URI")
    for deprecated in (us1, us1_ix):
        with pytest.warns(TwilioDeprecationWarning) as caught:
            assert check(deprecated) == deprecated
        message = str(caught[0].message)
        assert GLOBAL in message and "deprecated" in message and "32220" in message
    assert _no_warning(check, tcp) == tcp
    with pytest.raises(ValidationError) as refused:
        check(ashburn)
    rule = refused.value.rule
    assert "32220" in rule and GLOBAL in rule and "ashburn" in rule
    assert "must end in" not in rule  # the false reason the old check gave


def test_the_inbound_check_refuses_only_with_reasons_true_for_the_input() -> None:
    head = '<Response><Dial answerOnBridge="true"><Sip>'
    tail = "</Sip></Dial></Response>"
    for uri, words in [("sip:ht801@example.sip.dublin.twilio.com;transport=tcp", "32220"),
                       ("sip:example.sip.twilio.com?X-Custom=1", "32223"),
                       ("sip:ht801@example.sip.twilio.com;transport=sctp", "udp, tcp or tls"),
                       ("sip:ht801@example.sip.twilio.com;region=mars", "us1"),
                       ("sip:ht801@pbx.example.com", "pbx.example.com is not a Twilio SIP domain host"),
                       ("sip:ht801@example.sip.twilio.com?X-Custom", "name=value")]:
        with pytest.raises(ValidationError) as refused:
            check_inbound_twiml(head + uri + tail)
        assert words in refused.value.rule, (uri, refused.value.rule)
        assert "must end in" not in refused.value.rule
