"""calls.place: place_call, wait_for_call and the ATA test call through the Twilio twin."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from twilio.twiml.voice_response import VoiceResponse

import ata_helpers as ata
from ata_helpers.calls import TWIML_LIMIT, CallResult, build_twiml, call_ata, check_destination
from ata_helpers.errors import TwilioApiError, ValidationError
from ata_helpers.sandbox.store import open_store


@pytest.fixture(autouse=True)
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")


def _stored(sid: str) -> dict:
    call = open_store().get("call", sid)
    assert call is not None
    return call


def test_a_call_to_a_number_rings_and_completes() -> None:
    sid = ata.place_call("+14155550123", say="Good morning")
    assert sid.startswith("CA") and len(sid) == 34
    stored = _stored(sid)
    assert stored["to"] == "+14155550123"
    assert stored["from"] == "+14155550100"  # the line's caller ID in the sandbox
    root = ElementTree.fromstring(stored["twiml"])
    assert root.tag == "Response" and root.find("Say").text == "Good morning"
    result = ata.wait_for_call(sid, poll_interval=0.02, progress=False)
    assert result.status == "completed" and result.answered
    assert result.duration == 6 and result.error_code is None
    assert "completed after 6 s" in str(result)


def test_given_twiml_and_url_are_sent_as_given() -> None:
    response = VoiceResponse()
    response.say("Wake up")
    response.pause(length=2)
    sid = ata.place_call("+14155550123", twiml=response, timeout=20)
    stored = _stored(sid)
    assert stored["twiml"] == str(response) and stored["timeout"] == 20
    sid = ata.place_call("+14155550123", url="https://example.com/wake.xml")
    assert _stored(sid)["url"] == "https://example.com/wake.xml"


def test_a_call_to_the_ata_that_fails_reports_code_meaning_and_fix() -> None:
    sid = ata.place_call("sip:ht801@my-ht801.sip.twilio.com")
    result = ata.wait_for_call(sid, poll_interval=0.02, progress=False)
    assert result.status == "failed" and not result.answered
    assert result.error_code == 32002
    assert "not found" in result.alert_text
    assert result.meaning and result.fix
    assert "error 32002" in result.summary()
    assert isinstance(result, CallResult) and list(result.alerts["code"]) == [32002]
    assert "32002" in result._repr_html_() and result.final and not result.ok


@pytest.mark.parametrize("to, rule_part", [
    ("4155550123", "E.164"),
    ("+0415555", "E.164"),
    ("ht801@my-ht801.sip.twilio.com", "sip:"),
    ("sip:my-ht801.sip.twilio.com", "32223"),
    ("sip:ht801@my-ht801.sip.ashburn.twilio.com", "32220"),
    ("sip:ht801@pbx.example.com", "sip.twilio.com"),
])
def test_bad_destinations_are_refused_before_any_request(to: str, rule_part: str) -> None:
    before = open_store().count("call")
    with pytest.raises(ValidationError) as caught:
        ata.place_call(to)
    assert caught.value.field == "to"
    assert rule_part in caught.value.rule
    assert open_store().count("call") == before


def test_the_edge_refusal_explains_32220_and_names_the_global_uri() -> None:
    with pytest.raises(ValidationError) as caught:
        check_destination("sip:ht801@my-ht801.sip.ashburn.twilio.com")
    assert "my-ht801.sip.twilio.com" in caught.value.rule
    assert "registered user" in caught.value.rule  # the meaning from twilio_error_codes


def test_destinations_are_normalised() -> None:
    assert check_destination("sip:ht801@My-HT801.sip.twilio.com") == "sip:ht801@my-ht801.sip.twilio.com"
    assert check_destination("+1 (415) 555-0123") == "+14155550123"


def test_twiml_limit_is_4000_characters() -> None:
    assert len(build_twiml(say="x" * 3900)) <= TWIML_LIMIT
    with pytest.raises(ValidationError) as caught:
        ata.place_call("+14155550123", say="x" * 4000)
    assert caught.value.field == "twiml" and "32018" in caught.value.rule


@pytest.mark.parametrize("kwargs, field", [
    ({"say": "hi", "twiml": "<Response/>"}, "twiml"),
    ({"twiml": "<Dial>+1</Dial>"}, "twiml"),
    ({"twiml": "<Response><Say>unclosed</Response>"}, "twiml"),
    ({"say": "   "}, "say"),
    ({"url": "/wake.xml"}, "url"),
    ({"url": "https://example.com/x", "say": "hi"}, "url"),
    ({"timeout": 0}, "timeout"),
    ({"timeout": 601}, "timeout"),
    ({"from_": "415-555"}, "from_"),
])
def test_bad_call_options_are_refused(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ata.place_call("+14155550123", **kwargs)
    assert caught.value.field == field


def test_a_twilio_error_keeps_its_code_and_gains_meaning_and_fix() -> None:
    with pytest.raises(TwilioApiError) as caught:
        ata.place_call("+14155550123", from_="+15005550199")  # not a number of this account
    error = caught.value
    assert error.code == 21210 and error.status == 400
    assert "Twilio number" in error.explanation
    assert "verify" in error.fix
    assert "21210" in str(error)


def test_wait_for_call_times_out_on_a_call_that_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "1")
    sid = ata.place_call("+14155550123")
    ticks = iter(range(100))
    with pytest.raises(ata.CallTimeoutError, match=sid):
        ata.wait_for_call(sid, timeout=3, poll_interval=0, progress=False, monotonic=lambda: next(ticks),
                          sleep=lambda s: None)


def test_wait_for_call_checks_the_sid() -> None:
    with pytest.raises(ValidationError) as caught:
        ata.wait_for_call("CA123", progress=False)
    assert caught.value.field == "sid"


def test_wait_for_call_reports_an_unknown_call_as_a_twilio_error() -> None:
    with pytest.raises(TwilioApiError) as caught:
        ata.wait_for_call("CA" + "0" * 32, progress=False)
    assert caught.value.code == 20404


def test_the_ata_test_call_to_an_unregistered_line_is_explained() -> None:
    from ata_helpers.provision import TwilioSetup

    setup = TwilioSetup(domain_label="line-one", username="ht801", password="Sandbox-HT801-line1",
                        caller_id="+14155550100", public_ip="203.0.113.10")
    setup.apply()
    result = call_ata(setup.device_uri, "+14155550100", poll_s=0.1, max_wait_s=10)
    assert isinstance(result, CallResult)
    assert result.status == "failed" and not result.ok and result.error_code == 32009
    assert list(result.alerts.code) == [32009]
    assert "not registered" in result.alerts.meaning[0] and "32009" in result.summary()
    with pytest.raises(ValidationError, match="32220"):
        call_ata("sip:ht801@line-one.sip.ashburn.twilio.com", "+14155550100")


def test_a_caller_id_is_a_number_of_the_account_or_a_verified_one() -> None:
    """Twilio takes as From a number of the account or a verified outgoing caller ID; the check asks
    both lists for that one number (PhoneNumber filter), through the documented list endpoints."""
    from ata_helpers.calls import check_caller_id
    from ata_helpers.errors import ValidationError
    from ata_helpers.settings import SANDBOX_LINE
    from ata_helpers.twilio_api import twilio_client

    client = twilio_client()
    sent: list[tuple[str, dict[str, object]]] = []
    inner = client.http_client
    original = inner.request

    def request(method: str, url: str, params: object = None, *args: object, **kwargs: object) -> object:
        sent.append((url, dict(params or {})))  # type: ignore[call-overload]
        return original(method, url, params, *args, **kwargs)

    inner.request = request  # type: ignore[method-assign]
    own = SANDBOX_LINE["ATA_PHONE_NUMBER"]
    assert check_caller_id(own, client=client) == own
    with pytest.raises(ValidationError, match="21210"):
        check_caller_id("+19995550100", client=client)
    verified = [url for url, params in sent if url.endswith("/OutgoingCallerIds.json")]
    assert verified and all(params.get("PhoneNumber") == "+19995550100"
                            for url, params in sent if url.endswith("/OutgoingCallerIds.json"))

    class Verified:
        """A client whose account has the number verified as an outgoing caller ID (not bought)."""

        class incoming_phone_numbers:  # noqa: N801 - the SDK's attribute name
            @staticmethod
            def list(**kwargs: object) -> list[object]:
                return []

        class outgoing_caller_ids:  # noqa: N801
            @staticmethod
            def list(phone_number: str = "", **kwargs: object) -> list[object]:
                return [object()] if phone_number == "+19995550100" else []

    assert check_caller_id("+19995550100", client=Verified()) == "+19995550100"  # type: ignore[arg-type]
