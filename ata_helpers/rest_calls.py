"""Calls placed through Twilio's REST API: make the phone ring, then follow the call to its end.

`place_call` checks the destination, the caller ID and the TwiML before anything reaches the
network (an edge-specific SIP URI is refused with Twilio's 32220 explanation, TwiML longer than
4000 characters with 32018's), and turns a Twilio error into one that carries code, meaning and
fix. `wait_for_call` polls the call until Twilio reports a final status and returns what
happened, with the error Twilio logged for it (Monitor alerts) when it failed.

The module is not named `place_call` so that importing it never shadows `ata.place_call`.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from .calls.statuses import FINAL_STATUSES
from .errors import ValidationError
from .twilio_error_codes import explain

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["place_call", "wait_for_call", "CallResult", "build_twiml", "check_destination",
           "check_e164", "ata_sip_uri", "default_caller_id", "FINAL_STATUSES", "TWIML_LIMIT",
           "DEFAULT_MESSAGE"]

TWIML_LIMIT = 4000
DEFAULT_MESSAGE = "Hello. This is a test call from your Twilio line."

def check_e164(value: str | None, field: str = "to") -> str:
    """The number in E.164 (+, country code, at most 15 digits); ValidationError otherwise."""
    from .validate import validate_e164

    return validate_e164(str(value or ""), field)


def check_destination(value: str, field: str = "to") -> str:
    """`to` as Twilio needs it: an E.164 number or the global `sip:USER@DOMAIN.sip.twilio.com`.

    An edge-specific host (…sip.ashburn.twilio.com) is refused with Twilio's 32220 explanation;
    the legacy us1/us1-ix hosts pass with a TwilioDeprecationWarning (`validate_global_sip_uri`).
    """
    from .validate import validate_global_sip_uri

    text = str(value or "").strip()
    if not text.lower().startswith(("sip:", "sips:")):
        if "@" in text:
            raise ValidationError(field, f"a SIP URI starts with 'sip:', e.g. sip:{text}", value)
        return check_e164(text, field)
    return validate_global_sip_uri(text, field)


def ata_sip_uri() -> str:
    """The ATA's global SIP address from the saved line inputs (notebook 02), e.g. sip:ht801@my-ht801.sip.twilio.com."""
    from .provision.config import load_inputs
    from .validate import domain_name_for

    inputs = load_inputs()
    return check_destination(f"sip:{inputs['username']}@{domain_name_for(inputs['domain_label'])}")


def build_twiml(say: str | None = None, twiml: Any = None, voice: str | None = None,
                loop: int = 1) -> str:
    """TwiML for a call: a <Say> built with twilio.twiml, or given TwiML checked to be a <Response>."""
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

        message = (DEFAULT_MESSAGE if say is None else str(say)).strip()
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
    """The From number: the line's saved caller ID (notebook 02), else the account's first number."""
    from .provision.config import load_inputs
    from .twilio_api import explained_errors, twilio_client

    configured = load_inputs().get("caller_id")
    if configured:
        return check_e164(configured, "caller_id")
    client = client or twilio_client()
    with explained_errors():
        numbers = client.incoming_phone_numbers.list(limit=1)
    if not numbers:
        raise ValidationError("from_", "a Twilio number of this account to call from; the account has "
                                       "none (buy one, or set ATA_CALLER_ID)")
    return str(numbers[0].phone_number)


def place_call(to: str, say: str | None = None, twiml: Any = None, url: str | None = None,
               from_: str | None = None, timeout: int = 30, client: "Client | None" = None,
               voice: str | None = None) -> str:
    """Ring `to` (E.164 or the ATA's SIP URI) and return the new call's SID.

    Give one of `say` (text spoken with <Say>), `twiml` (a TwiML document or VoiceResponse) or
    `url` (where Twilio fetches TwiML); with none, a short test message is spoken. `timeout` is
    how many seconds Twilio lets it ring (1-600).
    """
    from .twilio_api import explained_errors, twilio_client

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


@dataclass(frozen=True)
class CallResult:
    """How a call ended: its final status and, when it failed, the error Twilio logged."""

    sid: str
    status: str
    to: str
    from_: str
    start_time: datetime | None
    end_time: datetime | None
    duration: int | None
    error_code: int | None = None
    alert_text: str = ""
    meaning: str = ""
    fix: str = ""

    @property
    def answered(self) -> bool:
        """True when someone (or something) picked up: Twilio's `completed` status."""
        return self.status == "completed"

    def summary(self) -> str:
        """One line for people: status, duration and, for a failure, code, meaning and fix."""
        text = f"{self.sid}: {self.status}"
        if self.duration is not None and self.answered:
            text += f" after {self.duration} s"
        if self.error_code:
            text += f" — error {self.error_code}"
            if self.meaning:
                text += f": {self.meaning}"
            if self.fix:
                text += f" Fix: {self.fix}"
        return text

    def __str__(self) -> str:
        return self.summary()


def alert_message(text: str | None) -> str:
    """The readable part of an alert's text (Twilio stores some as `Msg=...&ErrorCode=...`)."""
    value = (text or "").strip()
    if "=" in value and "&" in value and "Msg=" in value:
        from urllib.parse import parse_qs

        return parse_qs(value).get("Msg", [value])[0]
    return value


def call_alerts(client: "Client", call_sid: str, since: datetime | None) -> list[Any]:
    """Monitor alerts Twilio logged for one call, oldest first (the API has no per-call filter)."""
    start = (since or datetime.now(timezone.utc)) - timedelta(minutes=5)
    alerts = client.monitor.v1.alerts.list(start_date=start, page_size=1000)
    found = [a for a in alerts if a.resource_sid == call_sid]
    return sorted(found, key=lambda a: a.date_generated or a.date_created)


def _result(client: "Client", call: Any) -> CallResult:
    code, text, meaning, fix = None, "", "", ""
    if call.status != "completed":
        alerts = call_alerts(client, call.sid, call.date_created)
        errors = [a for a in alerts if (a.log_level or "error") == "error"] or alerts
        if errors:
            code = int(errors[0].error_code)
            text = alert_message(errors[0].alert_text)
            meaning, fix = explain(code)
    duration = int(call.duration) if call.duration not in (None, "") else None
    return CallResult(call.sid, call.status, call.to, call._from, call.start_time, call.end_time,
                      duration, code, text, meaning, fix)


def wait_for_call(sid: str, timeout: float = 900.0, poll_interval: float = 1.0, progress: bool = True,
                  client: "Client | None" = None, sleep: Callable[[float], None] = time.sleep,
                  monotonic: Callable[[], float] = time.monotonic) -> CallResult:
    """Poll call `sid` until it reaches a final status and return how it ended.

    Raises CallTimeoutError (a TimeoutError) when the call is still going after `timeout` seconds (the call itself
    is left alone: end it with `client.calls(sid).update(status="completed")`).
    """
    from .progress import progress_reporter
    from .twilio_api import explained_errors, twilio_client

    if not re.match(r"^CA[0-9a-fA-F]{32}$", str(sid or "")):
        raise ValidationError("sid", "a call SID: CA followed by 32 hex digits", sid)
    client = client or twilio_client()
    reporter = progress_reporter("Call", progress)
    deadline = monotonic() + timeout
    seen: list[str] = []
    try:
        while True:
            with explained_errors():
                call = client.calls(sid).fetch()
            if not seen or seen[-1] != call.status:
                seen.append(call.status)
            reporter.update(len(seen), None, " → ".join(seen))
            if call.status in FINAL_STATUSES:
                with explained_errors():
                    return _result(client, call)
            if monotonic() >= deadline:
                from .errors import CallTimeoutError

                raise CallTimeoutError(f"call {sid} is still {call.status} after {timeout:g} s; it goes on — "
                                       f"look again with client.calls('{sid}').fetch()")
            sleep(poll_interval)
    finally:
        reporter.close(" → ".join(seen))
