"""TwiML for the line: the outbound Bin template and the inbound <Dial><Sip>, built and checked.

Both are built with `twilio.twiml.voice_response` and validated before they are used: an E.164
caller ID, the global `…sip.twilio.com` URI (never an edge one, error 32220), well-formed XML.
`check_outbound_twiml` / `check_inbound_twiml` also check TwiML a learner pasted or edited.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .errors import ValidationError
from .validate import (
    validate_domain_label,
    validate_e164,
    validate_global_sip_uri,
    validate_sip_username,
)

__all__ = [
    "E164_TO_TEMPLATE",
    "outbound_twiml",
    "inbound_twiml",
    "device_sip_uri",
    "check_outbound_twiml",
    "check_inbound_twiml",
    "console_bin_steps",
]

# The Bin template that turns the dialled SIP URI (sip:+1415…@domain) into an E.164 number
E164_TO_TEMPLATE = "{{#e164}}{{To}}{{/e164}}"


def device_sip_uri(username: str, domain: str) -> str:
    """`sip:USER@LABEL.sip.twilio.com`, the global URI Twilio dials to reach the registered ATA."""
    label = validate_domain_label(domain, "domain")
    user = validate_sip_username(username)
    return validate_global_sip_uri(f"sip:{user}@{label}.sip.twilio.com")


def outbound_twiml(caller_id: str) -> str:
    """The domain's "a call comes in" Bin: dial the E.164 form of what the ATA dialled, from `caller_id`."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.dial(E164_TO_TEMPLATE, caller_id=validate_e164(caller_id, "caller_id"))
    text = str(response)
    check_outbound_twiml(text)
    return text


def inbound_twiml(username: str, domain: str) -> str:
    """The phone number's "a call comes in" Bin: ring the registered ATA at its global SIP URI.

    answerOnBridge keeps the caller hearing ringback (not silence) until the phone is picked up.
    """
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    dial = response.dial(answer_on_bridge=True)
    dial.sip(device_sip_uri(username, domain))
    text = str(response)
    check_inbound_twiml(text)
    return text


def _parse(twiml: str, field: str) -> ET.Element:
    try:
        root = ET.fromstring(twiml.strip().encode("utf-8"))
    except ET.ParseError as exc:
        raise ValidationError(field, f"well-formed XML ({exc})") from None
    if root.tag != "Response":
        raise ValidationError(field, f"the root element must be <Response>, not <{root.tag}>")
    return root


def _single_dial(root: ET.Element, field: str) -> ET.Element:
    dials = root.findall("Dial")
    if len(dials) != 1 or len(root) != 1:
        raise ValidationError(field, "exactly one <Dial> inside <Response>")
    return dials[0]


def check_outbound_twiml(twiml: str, field: str = "outbound_twiml") -> str:
    """Check the outbound Bin: one <Dial> with an E.164 callerId whose number is the e164 template.

    Returns the caller ID. A hard-coded number in <Dial> would send every call to that number.
    """
    dial = _single_dial(_parse(twiml, field), field)
    caller_id = dial.get("callerId")
    if not caller_id:
        raise ValidationError(field, "<Dial> needs callerId=\"+1…\", one of your Twilio numbers; without "
                              "it the ATA's SIP username is sent and the call is refused")
    caller_id = validate_e164(caller_id, f"{field}.callerId")
    body = (dial.text or "").strip()
    if len(dial) or body != E164_TO_TEMPLATE:
        raise ValidationError(field, f"<Dial> must contain exactly {E164_TO_TEMPLATE}, so each call goes "
                              "to the number dialled on the phone (not a hard-coded one)")
    return caller_id


def check_inbound_twiml(twiml: str, field: str = "inbound_twiml") -> str:
    """Check the inbound Bin: <Dial answerOnBridge="true"> holding one <Sip> with the global URI.

    Returns the SIP URI.
    """
    dial = _single_dial(_parse(twiml, field), field)
    if (dial.get("answerOnBridge") or "").lower() != "true":
        raise ValidationError(field, "<Dial answerOnBridge=\"true\">, so the caller hears ringing until "
                              "the phone is answered")
    sips = dial.findall("Sip")
    if len(sips) != 1 or len(dial) != 1:
        raise ValidationError(field, "exactly one <Sip> inside <Dial>")
    return validate_global_sip_uri((sips[0].text or "").strip(), f"{field}.Sip")


def console_bin_steps(friendly_name: str, twiml: str, where: str) -> str:
    """Markdown: how to paste this Bin in the Twilio Console and where its URL goes (live mode)."""
    return "\n".join([
        f"**Create the TwiML Bin `{friendly_name}` in the Twilio Console** (Bins have no public API):",
        "",
        "1. Console → *Develop* → *TwiML Bins* → *My TwiML Bins* → **+** (Create new TwiML Bin).",
        f"2. *Friendly Name*: `{friendly_name}`.",
        "3. *TwiML*: paste exactly this, then **Create**:",
        "",
        "```xml",
        twiml,
        "```",
        "",
        "4. Copy the Bin's **URL** (`https://handler.twilio.com/twiml/EH…`, shown under *Properties*)",
        f"   and paste it into the form's *{where}* field.",
    ])
