"""Twilio error codes this course meets, each with its meaning for an HT80x line and the fix.

Source: Twilio's error dictionary (https://www.twilio.com/docs/api/errors). One entry per line so
an update is a one-line change; the HT80x settings named in fixes come from the settings model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Callable

from .grandstream.settings_model import setting
from .twilio_ranges import media_summary

__all__ = ["ERRORS", "explain"]


def _ata(name: str, value: object = None) -> str:
    """An HT80x setting as the fix names it: label and P-values, with the value to set if given."""
    info = setting(name)
    return info.describe() if value is None else info.describe(None, value)


_TABLE: dict[int, tuple[str, str | Callable[[], str]]] = {
    20003: ("Twilio refused the credentials (Permission Denied).",
            "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or the API key and secret)."),
    20404: ("The resource does not exist in this account.",
            "Check the SID; it may have been deleted or belong to another account or subaccount."),
    21201: ("No 'To' was given for the call.", "Pass the number or SIP URI to call."),
    21205: ("The Url for the call is not a valid URL.", "Give an absolute http(s) URL that returns TwiML."),
    21210: ("The caller ID ('From') is not a Twilio number or verified caller ID on this account.",
            "Use one of your Twilio numbers, or verify the number in the Console."),
    21211: ("The 'To' number is not valid.", "Give the number in E.164 form, e.g. +14155550123."),
    21212: ("The 'From' number is not valid.", "Give a Twilio number in E.164 form, e.g. +14155550123."),
    21213: ("No 'From' was given for the call.", "Pass one of your Twilio numbers as from_."),
    21214: ("Twilio cannot route a call to that number.", "Check the number; try another destination."),
    21215: ("Geo Permissions do not allow calls to that destination.",
            "Enable the country in Console > Voice > Settings > Geo Permissions."),
    21216: ("Twilio blocked the call to that number.", "Choose another destination or contact Twilio support."),
    21217: ("The number is not a valid phone number.", "Check the digits and the country code."),
    21220: ("The call is not in a state that allows this change (it may have ended).",
            "Fetch the call to see its status; only queued, ringing or in-progress calls can be changed."),
    21230: ("The account already has the most SIP domains allowed (100).", "Delete a domain you no longer use."),
    21231: ("The SIP domain change was refused (for example a list that is already mapped).",
            "Look at the domain's existing mappings; the course's ensure_* steps skip what exists."),
    21232: ("The SIP domain name is invalid or already taken by someone on Twilio.",
            "Use letters, digits and '-' and end it in .sip.twilio.com; pick another name if it is taken."),
    21237: ("The IP access control list is full.", "Remove old addresses from the list."),
    21239: ("The account already has the most credential lists or IP ACLs allowed.",
            "Delete lists you no longer use."),
    21240: ("The SIP credential was refused (username too long or already in the list).",
            "Use a username of at most 32 characters that is not in the list yet."),
    21242: ("The credential list is full (1000 credentials).", "Use another list."),
    21243: ("The SIP credential password does not meet Twilio's policy.",
            "Use at least 12 characters with an upper-case letter, a lower-case letter and a digit."),
    21245: ("The trunk change was refused (invalid value, or a list already associated).",
            "Check the value; the course's ensure_* steps skip what exists."),
    21248: ("The trunk's domain name is invalid or already taken.",
            "End it in .pstn.twilio.com and pick a unique name."),
    21249: ("The trunk has the most origination URLs allowed.", "Remove an origination URL first."),
    32002: ("The SIP domain in the dialled URI does not exist.", "Check the domain name; create it first (notebook 03)."),
    32007: ("More than 10 devices are registered for this SIP user.", "Unregister old devices."),
    32008: ("The device sent more than 5 REGISTER requests per second.",
            lambda: f"Raise the ATA's {_ata('register_expiration_min')} and check it is not in a restart loop."),
    32009: ("The SIP user you called is not registered.",
            "Check the ATA shows 'Registered' (notebook 05); fix its credentials or registration."),
    32011: ("Twilio could not reach your SIP endpoint (timeout, error reply, firewall, bad URI).",
            lambda: f"Usually the ATA's Contact holds a LAN address: set {_ata('contact_uses_wan', True)}, "
            "and open the firewall to Twilio's media range."),
    32014: ("The call ended because no audio was received.",
            lambda: f"Open {media_summary()} and check the SDP address is public."),
    32018: ("The Twiml parameter is longer than 4000 characters.", "Host the TwiML at a URL instead."),
    32019: ("Both Twiml and Url were given; Twilio used the Url.", "Give only one of them."),
    32022: ("No ACK arrived 32 s after the 200 OK, usually NAT or firewall.",
            lambda: f"Set {_ata('contact_uses_wan', True)} and keep {_ata('nat_traversal', 'keep-alive')}."),
    32100: ("Trial accounts can only call verified numbers.", "Verify the number or upgrade the account."),
    32101: ("The number dialled over SIP is not valid E.164.",
            lambda: f"Set the ATA's {_ata('dial_plan_prefix', '+')} and dial the country code."),
    32102: ("The SDP in the INVITE is malformed.", "Check the ATA firmware; capture the INVITE."),
    32106: ("The digest username does not match the SIP user.",
            lambda: f"Set the ATA's {_ata('auth_id')} equal to its {_ata('user_id')}."),
    32201: ("The source IP address is not in the IP access control list mapped to the domain or trunk.",
            "Add your public IP to the IP ACL, or map a credential list for calls instead."),
    32202: ("The digest credentials are not in a credential list mapped to the domain or trunk.",
            lambda: f"Make the ATA's SIP password, {_ata('password')}, match the credential's password (write it "
                    "again; if the firmware ignores it over HTTP, load the provisioning file), and its "
                    f"{_ata('auth_id')} the credential's username."),
    32203: ("Twilio blocked the call (fraud risk or regulatory destination).",
            "Check Geo Permissions and the account's customer profile."),
    32204: ("The caller ID is not a Twilio number or verified caller ID.",
            "Set callerId in the domain's TwiML to one of your Twilio numbers."),
    32205: ("Geo Permissions do not allow this destination.", "Enable the country in Voice Geo Permissions."),
    32206: ("The From number is not valid.", "Use an E.164 caller ID."),
    32210: ("The device tried to register, but SIP Registration is off for the domain.",
            "Turn on SIP Registration for the domain (notebook 03)."),
    32212: ("The device tried to register, but no credential list is mapped for registrations.",
            "Map the credential list under the domain's SIP Registration (notebook 03)."),
    32214: ("<Dial><Sip> targets a domain outside this account.", "Dial a domain of this account."),
    32215: ("(Legacy) a region was needed to dial a registered user.", "Use the global domain URI."),
    32220: ("An edge-specific SIP URI (…sip.EDGE.twilio.com) was used to call a registered user.",
            "Dial the global URI sip:USER@DOMAIN.sip.twilio.com."),
    32221: ("No device is registered through the edge named in the URI.",
            "Dial the global URI sip:USER@DOMAIN.sip.twilio.com."),
    32223: ("The SIP URI has no user part.", "Dial sip:USER@DOMAIN.sip.twilio.com."),
    13214: ("<Dial callerId> is not a valid caller ID.", "Use a Twilio number or verified caller ID."),
    13223: ("The number in <Dial> is not E.164.", "Use {{#e164}}{{To}}{{/e164}} and the + dial prefix."),
    13224: ("Twilio cannot call the number in <Dial>.", "Check the number."),
    11200: ("Twilio could not fetch the TwiML URL.", "Check the URL answers 200 with TwiML."),
    12100: ("The TwiML document could not be parsed.", "Validate the XML."),
    12300: ("The TwiML URL returned the wrong Content-Type.", "Serve text/xml or application/xml."),
}


class _Errors(Mapping[int, tuple[str, str]]):
    """code -> (meaning, fix); fixes that name an ATA setting are worded from the settings model when read."""

    def __getitem__(self, code: int) -> tuple[str, str]:
        meaning, fix = _TABLE[code]
        return meaning, fix if isinstance(fix, str) else fix()

    def __iter__(self) -> Iterator[int]:
        return iter(_TABLE)

    def __len__(self) -> int:
        return len(_TABLE)


ERRORS: Mapping[int, tuple[str, str]] = _Errors()


def explain(code: int | str | None) -> tuple[str, str]:
    """(meaning, fix) for a Twilio error code, or ("", "") when unknown."""
    try:
        return ERRORS.get(int(str(code).strip()), ("", ""))
    except (TypeError, ValueError):
        return ("", "")
