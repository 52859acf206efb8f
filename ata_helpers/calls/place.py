"""Calls placed through Twilio's REST API: make a phone ring, then follow the call to its end.

`place_call` checks the destination, the caller ID and the TwiML before anything reaches the
network (an edge-specific SIP URI is refused with Twilio's 32220 explanation, TwiML longer than
4000 characters with 32018's), and turns a Twilio error into one that carries code, meaning and
fix. `wait_for_call` polls the call until Twilio reports a final status and returns a CallResult
with the alerts Twilio logged for it. `call_ata` is the ATA's test call: `calls.create(to=
"sip:USER@DOMAIN.sip.twilio.com", …)` is what the inbound TwiML does for a caller, so it shows
whether Twilio can ring the phone. Source: https://www.twilio.com/docs/voice/api/call-resource
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ElementTree
from typing import TYPE_CHECKING, Any, Callable

from ..errors import ValidationError
from ..twilio_error_codes import explain
from .result import CallResult, result_from_call
from .statuses import FINAL_STATUSES

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["place_call", "wait_for_call", "call_ata", "build_twiml", "check_destination", "check_e164",
           "default_caller_id", "check_caller_id", "TWIML_LIMIT", "DEFAULT_MESSAGE", "TEST_CALL_MESSAGE"]

TWIML_LIMIT = 4000
DEFAULT_MESSAGE = "Hello. This is a test call from your Twilio line."
TEST_CALL_MESSAGE = "Hello from Twilio. Your H T 8 0 1 line receives calls."
_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def check_e164(value: str | None, field: str = "to") -> str:
    """The number in E.164 (+, country code, at most 15 digits); ValidationError otherwise."""
    from ..validate import validate_e164

    return validate_e164(str(value or ""), field)


def check_destination(value: str, field: str = "to") -> str:
    """`to` as Twilio needs it: an E.164 number or the global `sip:USER@DOMAIN.sip.twilio.com`.

    An edge-specific host (…sip.ashburn.twilio.com) is refused with Twilio's 32220 explanation;
    the legacy us1/us1-ix hosts pass with a TwilioDeprecationWarning (`validate_global_sip_uri`).
    Raises ValidationError.
    """
    from ..validate import validate_global_sip_uri

    text = str(value or "").strip()
    if not text.lower().startswith(("sip:", "sips:")):
        if "@" in text:
            raise ValidationError(field, f"a SIP URI starts with 'sip:', e.g. sip:{text}", value)
        return check_e164(text, field)
    return validate_global_sip_uri(text, field)


def build_twiml(say: str | None = None, twiml: Any = None, voice: str | None = None,
                loop: int = 1) -> str:
    """TwiML for a call: a <Say> built with twilio.twiml, or given TwiML checked to be a <Response>.

    Raises ValidationError for XML that is not a <Response> or TwiML over TWIML_LIMIT characters.
    """
    if say is not None and twiml is not None:
        raise ValidationError("twiml", "give either say or twiml, not both")
    if twiml is not None:
        text = str(twiml).strip()
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            raise ValidationError("twiml", f"well-formed XML ({exc})", twiml) from None
        if root.tag != "Response":
            raise ValidationError("twiml", f"a <Response> document (got <{root.tag}>)", twiml)
    else:
        from twilio.twiml.voice_response import VoiceResponse

        from ..validate import validate_text

        message = validate_text(DEFAULT_MESSAGE if say is None else say, "say", allow_line_breaks=True).strip()
        if voice is not None:
            validate_text(voice, "voice")
        if not message:
            raise ValidationError("say", "a message to speak (not empty)", say)
        if not 1 <= int(loop) <= 10:
            raise ValidationError("loop", "between 1 and 10 repetitions", loop)
        response = VoiceResponse()
        response.say(message, voice=voice, loop=int(loop) if loop > 1 else None)
        text = str(response)
    if len(text) > TWIML_LIMIT:
        raise ValidationError("twiml", f"at most {TWIML_LIMIT} characters of TwiML, got {len(text)} "
                                       f"(Twilio error 32018); {explain(32018)[1]}", None)
    return text


def _check_url(url: str) -> str:
    text = str(url).strip()
    if not re.match(r"^https?://[^\s/]+", text, re.I):
        raise ValidationError("url", "an absolute http(s) URL that returns TwiML", url)
    return text


def default_caller_id(client: "Client | None" = None) -> str:
    """The From number: the line's saved caller ID (notebook 02), else the account's first number.

    Raises ValidationError when neither exists.
    """
    from ..line import LineInputs
    from ..twilio_api import explained_errors, twilio_client

    configured = LineInputs.load().caller_id
    if configured:
        return check_e164(configured, "caller_id")
    client = client or twilio_client()
    with explained_errors():
        numbers = client.incoming_phone_numbers.list(limit=1)
    if not numbers:
        raise ValidationError("from_", "a Twilio number of this account to call from; the account has "
                                       "none (buy one, or set ATA_CALLER_ID)")
    return str(numbers[0].phone_number)


def check_caller_id(from_: str, client: "Client | None" = None, field: str = "from_") -> str:
    """`from_` in E.164 and one of the account's phone numbers or verified caller IDs; returns it.

    For a caller ID saved now and used later (a wake-up alarm): Twilio checks `From` only when the
    call is created and refuses any other number with error 21210, hours later. A call's `From` may
    be a number of the account (IncomingPhoneNumbers) or one verified as an outgoing caller ID
    (OutgoingCallerIds): https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource.
    Raises ValidationError naming the account's numbers, TwilioApiError when the account cannot be read.
    """
    from ..twilio_api import explained_errors, twilio_client

    caller = check_e164(from_, field)
    client = client or twilio_client()
    with explained_errors():
        if client.incoming_phone_numbers.list(phone_number=caller, limit=1) or \
                client.outgoing_caller_ids.list(phone_number=caller, limit=1):
            return caller
        numbers = [str(n.phone_number) for n in client.incoming_phone_numbers.list(limit=20)]
    if caller not in numbers:
        meaning, _fix = explain(21210)
        raise ValidationError(field, f"{caller} is not a phone number on this account, so Twilio would refuse "
                                     f"the call with error 21210 ({meaning}); use one of its numbers: "
                                     f"{', '.join(numbers) or 'none (buy one first)'}", from_)
    return caller


def place_call(to: str, say: str | None = None, twiml: Any = None, url: str | None = None,
               from_: str | None = None, timeout: int = 30, client: "Client | None" = None,
               voice: str | None = None) -> str:
    """Ring `to` (E.164 or the ATA's SIP URI) and return the new call's SID.

    Give one of `say` (text spoken with <Say>), `twiml` (a TwiML document or VoiceResponse) or
    `url` (where Twilio fetches TwiML); with none, a short test message is spoken. `timeout` is
    how many seconds Twilio lets it ring (1-600). Raises ValidationError before the network,
    TwilioApiError (with code, meaning and fix) when Twilio refuses.
    """
    from ..twilio_api import explained_errors, twilio_client

    destination = check_destination(to)
    if url is not None and (say is not None or twiml is not None):
        raise ValidationError("url", "give url alone: with a url Twilio ignores Twiml (warning 32019)")
    try:
        ring_seconds = int(timeout)
    except (TypeError, ValueError):
        raise ValidationError("timeout", "a whole number of seconds between 1 and 600", timeout) from None
    if not 1 <= ring_seconds <= 600:
        raise ValidationError("timeout", "a whole number of seconds between 1 and 600", timeout)
    params: dict[str, Any] = {"timeout": ring_seconds}
    if url is not None:
        params["url"] = _check_url(url)
    else:
        params["twiml"] = build_twiml(say=say, twiml=twiml, voice=voice)
    client = client or twilio_client()
    caller = check_e164(from_, "from_") if from_ is not None else default_caller_id(client)
    with explained_errors():
        call = client.calls.create(to=destination, from_=caller, **params)
    return str(call.sid)


def _finished(client: "Client", call: Any, waited_s: float | None) -> CallResult:
    from ..twilio_api import explained_errors
    from .alerts import call_alerts_frame

    with explained_errors():
        alerts = call_alerts_frame(client, call.sid, call.date_created)
    return result_from_call(call, alerts, waited_s)


def wait_for_call(sid: str, timeout: float = 900.0, poll_interval: float = 1.0, progress: bool = True,
                  client: "Client | None" = None, sleep: Callable[[float], None] = time.sleep,
                  monotonic: Callable[[], float] = time.monotonic) -> CallResult:
    """Poll call `sid` until it reaches a final status and return how it ended, with its alerts.

    Raises ValidationError for a malformed SID, CallTimeoutError (a TimeoutError) when the call is
    still going after `timeout` seconds (the call itself is left alone: end it with
    `client.calls(sid).update(status="completed")`).
    """
    from ..progress import progress_reporter
    from ..twilio_api import explained_errors, twilio_client

    if not _CALL_SID.match(str(sid or "")):
        raise ValidationError("sid", "a call SID: CA followed by 32 hex digits", sid)
    client = client or twilio_client()
    reporter = progress_reporter("Call", progress)
    started = monotonic()
    deadline = started + timeout
    seen: list[str] = []
    try:
        while True:
            with explained_errors():
                call = client.calls(sid).fetch()
            if not seen or seen[-1] != call.status:
                seen.append(call.status)
            # elapsed seconds, so a long wait (Twilio gives an unanswered INVITE 32 s) shows it is alive
            reporter.update(len(seen), None, f"{' → '.join(seen)} ({monotonic() - started:.0f} s)")
            if call.status in FINAL_STATUSES:
                return _finished(client, call, monotonic() - started)
            if monotonic() >= deadline:
                from ..errors import CallTimeoutError

                raise CallTimeoutError(f"call {sid} is still {call.status} after {timeout:g} s; it goes on — "
                                       f"look again with client.calls('{sid}').fetch()")
            sleep(poll_interval)
    finally:
        reporter.close(" → ".join(seen))


def call_ata(sip_uri: str | None = None, from_: str | None = None, *, message: str = TEST_CALL_MESSAGE,
             max_wait_s: float = 60.0, poll_s: float = 1.0, client: "Client | None" = None) -> CallResult:
    """The ATA's test call: ring its global SIP address and follow the call (at most `max_wait_s`).

    `sip_uri` defaults to the saved line's `LineInputs.device_uri`, `from_` to its caller ID.
    A call still going after `max_wait_s` is returned as it is (not final) rather than raised.
    Raises ValidationError for an edge-specific or malformed address.
    """
    from ..errors import CallTimeoutError
    from ..line import LineInputs
    from ..twilio_api import explained_errors, twilio_client
    from ..validate import validate_e164, validate_global_sip_uri

    line = LineInputs.load() if sip_uri is None or from_ is None else LineInputs()
    to = validate_global_sip_uri(sip_uri if sip_uri is not None else line.device_uri)
    caller = validate_e164(from_ if from_ is not None else line.caller_id or "", "from_")
    client = client or twilio_client()
    started = time.monotonic()
    sid = place_call(to, say=message, from_=caller, timeout=30, client=client)
    try:
        return wait_for_call(sid, timeout=max_wait_s, poll_interval=poll_s, client=client)  # shows progress
    except CallTimeoutError:
        with explained_errors():
            current = client.calls(sid).fetch()
        return _finished(client, current, time.monotonic() - started)
