"""TwiML for the line: the outbound Bin template and the inbound <Dial><Sip>, built and checked.

Both are built with `twilio.twiml.voice_response` and validated before they are used: an E.164
caller ID, the global `…sip.twilio.com` URI (an edge one fails with error 32220), well-formed XML.
`check_outbound_twiml` / `check_inbound_twiml` also check TwiML a learner pasted or edited, by
the rules on Twilio's pages named in each docstring; `e164_helper` says what a Bin's
`{{#e164}}` gives for a dialled URI.

A TwiML Bin is served at a public URL of one shape, `https://handler.twilio.com/twiml/EH` + 32 hex
digits (the Bin's SID), shown on the Bin's page in the Console; `BIN_URL` and `bin_sid_from_url`
are the one home of that shape (validate.validate_bin_url checks a pasted URL against it).
"""

from __future__ import annotations

import re
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
    "check_outbound_twiml",
    "check_inbound_twiml",
    "e164_helper",
    "console_bin_steps",
    "BIN_URL",
    "bin_sid_from_url",
]

# The Bin template that turns the dialled SIP URI (sip:+1415…@domain) into an E.164 number
E164_TO_TEMPLATE = "{{#e164}}{{To}}{{/e164}}"
_E164_TEMPLATE = re.compile(r"\{\{\s*#\s*e164\s*\}\}\s*\{\{\s*To\s*\}\}\s*\{\{\s*/\s*e164\s*\}\}")
_LITERAL_NUMBER = re.compile(r"\+?[\d\s().-]{3,}")

# The public URL of a TwiML Bin: https://www.twilio.com/docs/serverless/twiml-bins
BIN_URL = "https://handler.twilio.com/twiml/{sid}"
_BIN_URL = re.compile(r"^https://handler\.twilio\.com/twiml/(EH[0-9a-f]{32})$")


def bin_sid_from_url(url: str) -> str | None:
    """The EH… SID of a TwiML Bin URL, or None when the URL is not one."""
    match = _BIN_URL.match(str(url or "").strip())
    return match.group(1) if match else None


def _device_uri(username: str, domain: str) -> str:
    """The ATA's global SIP address for `username` on `domain` (a label or LABEL.sip.twilio.com)."""
    from .line import LineInputs

    label = validate_domain_label(domain, "domain")
    user = validate_sip_username(username)
    return validate_global_sip_uri(LineInputs(domain_label=label, username=user).device_uri)


def outbound_twiml(caller_id: str) -> str:
    """The domain's "a call comes in" Bin: dial the E.164 form of what the ATA dialled, from `caller_id`.

    Raises ValidationError when `caller_id` is not an E.164 number (+ and 8-15 digits,
    https://www.twilio.com/docs/glossary/what-e164).
    """
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.dial(E164_TO_TEMPLATE, caller_id=validate_e164(caller_id, "caller_id"))
    text = str(response)
    check_outbound_twiml(text)
    return text


def inbound_twiml(username: str, domain: str) -> str:
    """The phone number's "a call comes in" Bin: ring the registered ATA at its global SIP URI.

    answerOnBridge keeps the caller hearing ringback (not silence) until the phone is picked up
    (https://www.twilio.com/docs/voice/twiml/dial#answeronbridge). Raises ValidationError for a
    SIP username or domain label that Twilio would refuse.
    """
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    dial = response.dial(answer_on_bridge=True)
    dial.sip(_device_uri(username, domain))
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


def _single_dial(root: ET.Element, field: str, what: str) -> ET.Element:
    dials = root.findall("Dial")
    if len(dials) != 1 or len(root) != 1:
        found = ", ".join(f"<{child.tag}>" for child in root) or "nothing"
        raise ValidationError(field, f"the {what} Bin is one <Dial> inside <Response>; found {found}")
    return dials[0]


def check_outbound_twiml(twiml: str, field: str = "outbound_twiml") -> str:
    """Check the outbound Bin: one <Dial callerId="+1…"> that dials `{{#e164}}{{To}}{{/e164}}`.

    The number may be the <Dial>'s text or one <Number> noun inside it: Twilio's <Dial> page
    (twilio.com/docs/voice/twiml/dial) takes the number either way, and error 13223's page
    (twilio.com/docs/api/errors/13223) shows it as `<Dial><Number>+15555555555</Number></Dial>`.
    The callerId must be E.164: for a call from a SIP domain to a phone number it has to be one
    of your Twilio numbers or a verified caller ID (twilio.com/docs/api/errors/13214). Mustache
    tags may carry spaces (`{{ To }}`), as in Twilio's TwiML Bins page. Returns the caller ID.
    """
    dial = _single_dial(_parse(twiml, field), field, "outbound")
    caller_id = dial.get("callerId")
    if not caller_id:
        raise ValidationError(field, "<Dial> needs callerId=\"+1…\", one of your Twilio numbers; without "
                              "it Twilio uses the ATA's SIP identity as caller ID and refuses the call (13214)")
    caller_id = validate_e164(caller_id, f"{field}.callerId")
    numbers = list(dial)
    bare = (dial.text or "").strip()
    if numbers:
        if bare or any((n.tail or "").strip() for n in numbers):
            raise ValidationError(field, "<Dial> holds either the number as text or <Number> nouns, not both")
        nouns = sorted({n.tag for n in numbers})
        if nouns != ["Number"]:
            raise ValidationError(field, f"the outbound Bin dials a phone number (<Number>); it holds "
                                  f"{', '.join(f'<{t}>' for t in nouns)}")
        if len(numbers) != 1:
            raise ValidationError(field, f"one <Number>, the number dialled on the phone; {len(numbers)} "
                                  "<Number> nouns ring several numbers at once")
        bare = (numbers[0].text or "").strip()
    if not bare:
        raise ValidationError(field, f"<Dial> has no number: put {E164_TO_TEMPLATE} in it (or in its <Number>)")
    if not _E164_TEMPLATE.fullmatch(bare):
        if _LITERAL_NUMBER.fullmatch(bare):
            raise ValidationError(field, f"{bare} is hard-coded: every call would go to that number; use "
                                  f"{E164_TO_TEMPLATE} so each call goes to the number dialled on the phone")
        raise ValidationError(field, f"the number must be {E164_TO_TEMPLATE} (the E.164 form of what the "
                              f"phone dialled); found {bare!r}")
    return caller_id


def check_inbound_twiml(twiml: str, field: str = "inbound_twiml") -> str:
    """Check the inbound Bin: <Dial answerOnBridge="true"> holding one <Sip> with the ATA's URI.

    Twilio's rules: one <Sip> per <Dial> and no other noun beside it (twilio.com/docs/voice/twiml/sip);
    the URI may carry `;transport=`, `;region=` parameters and a `?X-Header=value` part
    (same page, and twilio.com/docs/voice/api/sip-making-calls); a registered user is dialled at
    the global host (`validate_global_sip_uri`, error 32220). answerOnBridge is the course's
    choice (twilio.com/docs/voice/twiml/dial#answeronbridge). Returns the SIP URI.
    """
    dial = _single_dial(_parse(twiml, field), field, "inbound")
    if (dial.get("answerOnBridge") or "").lower() != "true":
        raise ValidationError(field, "<Dial answerOnBridge=\"true\">, so the caller hears ringing until "
                              "the phone is answered")
    sips = dial.findall("Sip")
    if len(sips) != 1 or len(dial) != 1:
        found = ", ".join(f"<{child.tag}>" for child in dial) or (dial.text or "").strip() or "nothing"
        raise ValidationError(field, f"exactly one <Sip> inside <Dial> (Twilio allows no other noun beside "
                              f"it); found {found}")
    return validate_global_sip_uri((sips[0].text or "").strip(), f"{field}.Sip")


def e164_helper(value: str) -> str:
    """What a TwiML Bin's `{{#e164}}…{{/e164}}` gives for `value`, as far as Twilio says.

    Documented: it pulls the E.164 number out of a SIP URI, `sip:+15125551212@mydomain.sip.us1.twilio.com`
    → `+15125551212` (twilio.com/blog/2017/02/building-more-powerful-voice-applications-with-
    enhanced-twiml-bins-templates.html). **Not documented**: digits without the `+` (a national
    number, as an ATA sends it without the `+` dial prefix). A user part that is not a number
    (`sip:ht801@…`) comes back as it is. The one public report
    (github.com/eric-brechemier/how-i-replaced-skype-with-twilio/issues/11, 2022) shows Twilio
    turning `44-7355-547122` into `+17355547122`, i.e. reading the digits as a North American
    number; this function follows that report (`+1` and the last ten digits when there are at
    least ten) and leaves shorter digit strings as they are (Twilio then logs 13223). Do not
    depend on it: dial E.164 from the ATA (Dial Plan Prefix = `+`).
    """
    text = re.sub(r"^sips?:", "", str(value or "").strip(), flags=re.I)
    user = text.split("@", 1)[0] if "@" in text else text.split(".", 1)[0]
    user = user.split(";", 1)[0].strip()
    if not _LITERAL_NUMBER.fullmatch(user):
        return user
    digits = re.sub(r"\D", "", user)
    if user.startswith("+"):
        return "+" + digits
    if len(digits) >= 10:
        return "+1" + digits[-10:]
    return digits


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
