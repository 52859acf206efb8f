"""The account's phone numbers (Twilio's IncomingPhoneNumber resource): bought, listed, fetched,
updated, released.

A fresh sandbox account owns a few numbers (`seed_account`); more can be bought from a small pool
of made-up numbers (`AVAILABLE_NUMBERS`), by PhoneNumber or by AreaCode, and released (DELETE), with
Twilio's errors: 21422 for a number that cannot be bought, 21452 when an area code has none left.
https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from .format import TwinError, snake
from .resource import (
    ACCOUNT,
    Ctx,
    Spec,
    account_path,
    base_fields,
    bool_param,
    method_param,
    stamp,
)

__all__ = ["SPECS", "NUMBER_UPDATE", "NUMBER_CREATE", "SANDBOX_NUMBERS", "AVAILABLE_NUMBERS", "seed_account",
           "number_fields"]


SANDBOX_NUMBERS = [("+14155550100", "Sandbox line (415) 555-0100"),
                    ("+14155550101", "Sandbox spare (415) 555-0101"),
                    ("+442079460000", "Sandbox London +44 20 7946 0000")]


# The pool a sandbox account can buy from (made-up 555-01xx numbers; one outside North America).
AVAILABLE_NUMBERS = ["+14155550102", "+14155550103", "+14155550104", "+12025550100", "+12025550101",
                     "+442079460001"]

NUMBER_CREATE = ["AddressSid", "ApiVersion", "AreaCode", "BundleSid", "EmergencyAddressSid", "EmergencyStatus",
                 "FriendlyName", "IdentitySid", "PhoneNumber", "SmsApplicationSid", "SmsFallbackMethod",
                 "SmsFallbackUrl", "SmsMethod", "SmsUrl", "StatusCallback", "StatusCallbackMethod", "TrunkSid",
                 "VoiceApplicationSid", "VoiceCallerIdLookup", "VoiceFallbackMethod", "VoiceFallbackUrl",
                 "VoiceMethod", "VoiceReceiveMode", "VoiceUrl"]

NUMBER_UPDATE = ["AccountSid", "AddressSid", "ApiVersion", "BundleSid", "EmergencyAddressSid",
                 "EmergencyStatus", "FriendlyName", "IdentitySid", "SmsApplicationSid",
                 "SmsFallbackMethod", "SmsFallbackUrl", "SmsMethod", "SmsUrl", "StatusCallback",
                 "StatusCallbackMethod", "TrunkSid", "VoiceApplicationSid", "VoiceCallerIdLookup",
                 "VoiceFallbackMethod", "VoiceFallbackUrl", "VoiceMethod", "VoiceReceiveMode", "VoiceUrl"]


def seed_account(store: Store) -> None:
    """Give a fresh sandbox account its few phone numbers (once)."""
    if store.get_value("seeded:numbers"):
        return
    with store.transaction():
        if store.get_value("seeded:numbers"):
            return
        for number, friendly in SANDBOX_NUMBERS:
            sid = store.new_sid("PN")
            store.insert("incoming_phone_number", sid, _new_number(sid, number, friendly))
        store.set_value("seeded:numbers", True)


def _new_number(sid: str, number: str, friendly: str) -> dict[str, Any]:
    return stamp({
        "sid": sid, "phone_number": number, "friendly_name": friendly, "voice_url": None,
        "voice_method": "POST", "voice_fallback_url": None, "voice_fallback_method": "POST",
        "voice_application_sid": None, "trunk_sid": None, "status_callback": None,
        "status_callback_method": "POST", "voice_caller_id_lookup": False,
        "voice_receive_mode": "voice", "sms_url": None, "sms_method": "POST",
        "sms_fallback_url": None, "sms_fallback_method": "POST", "sms_application_sid": None,
        "address_sid": None, "identity_sid": None, "bundle_sid": None,
        "emergency_address_sid": None, "emergency_status": "Inactive"})


def _buy_number(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    """Buy PhoneNumber, or the first free pool number in AreaCode (North American area codes)."""
    owned = {n["phone_number"] for n in ctx.store.list("incoming_phone_number")}
    free = [n for n in AVAILABLE_NUMBERS if n not in owned]
    if params.get("PhoneNumber"):
        number = params["PhoneNumber"].strip()
        if number not in free:
            raise TwinError(400, 21422, f"PhoneNumber {number} is not available")
    elif params.get("AreaCode"):
        matching = [n for n in free if n.startswith("+1" + params["AreaCode"].strip())]
        if not matching:
            raise TwinError(400, 21452, f"No phone numbers found in area code {params['AreaCode']}")
        number = matching[0]
    else:
        raise TwinError(400, 20001, "Missing required parameter PhoneNumber or AreaCode in the post body")
    rec = _new_number("", number, params.get("FriendlyName") or number)
    return _update_number(ctx, rec, {k: v for k, v in params.items() if k not in ("PhoneNumber", "AreaCode")})


def _release_number(ctx: Ctx, rec: dict[str, Any]) -> None:
    """Releasing a number takes it off any trunk too."""
    ctx.store.delete_everywhere("trunk_phone_number", rec["sid"])


def _update_number(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    for name in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback", "SmsUrl", "SmsFallbackUrl",
                 "FriendlyName", "AddressSid", "IdentitySid", "BundleSid", "EmergencyAddressSid",
                 "SmsApplicationSid"):
        if name in params:
            rec[snake(name)] = params[name] or None
    for name in ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod", "SmsMethod",
                 "SmsFallbackMethod"):
        if name in params:
            rec[snake(name)] = method_param(params, name)
    if "VoiceCallerIdLookup" in params:
        rec["voice_caller_id_lookup"] = bool_param(params, "VoiceCallerIdLookup")
    if "VoiceReceiveMode" in params:
        rec["voice_receive_mode"] = params["VoiceReceiveMode"]
    if "TrunkSid" in params:
        trunk = params["TrunkSid"] or None
        if trunk and ctx.store.get("trunk", trunk) is None:
            raise TwinError(404, 20404, f"The requested resource {trunk} was not found")
        rec["trunk_sid"] = trunk
        if trunk:
            rec["voice_application_sid"] = None
    if "VoiceApplicationSid" in params:
        rec["voice_application_sid"] = params["VoiceApplicationSid"] or None
        if rec["voice_application_sid"]:
            rec["trunk_sid"] = None
    return rec


def number_fields(rec: dict[str, Any]) -> dict[str, Any]:
    keys = ("phone_number", "friendly_name", "voice_url", "voice_method", "voice_fallback_url",
            "voice_fallback_method", "voice_application_sid", "trunk_sid", "status_callback",
            "status_callback_method", "voice_caller_id_lookup", "sms_url", "sms_method",
            "sms_fallback_url", "sms_fallback_method", "sms_application_sid")
    out = {k: rec.get(k) for k in keys}
    out.update({"api_version": "2010-04-01", "beta": False,
                "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
                "address_requirements": "none"})
    return out


def _render_number(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec)
    out.update(number_fields(rec))
    out.update({"address_sid": rec.get("address_sid"), "identity_sid": rec.get("identity_sid"),
                "bundle_sid": rec.get("bundle_sid"), "emergency_address_sid": rec.get("emergency_address_sid"),
                "emergency_address_status": "unregistered", "emergency_status": rec.get("emergency_status"),
                "origin": "twilio", "status": "in-use", "type": "local",
                "voice_receive_mode": rec.get("voice_receive_mode", "voice"),
                "uri": f"{account_path(ctx)}/IncomingPhoneNumbers/{rec['sid']}.json"})
    return out


def _filter_numbers(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if q.get("PhoneNumber"):
        wanted = q["PhoneNumber"].replace(" ", "")
        recs = [r for r in recs if wanted in r["phone_number"]]
    if q.get("FriendlyName"):
        recs = [r for r in recs if r["friendly_name"] == q["FriendlyName"]]
    return recs


SPECS: list[Spec] = [
    Spec(kind="incoming_phone_number", sid_prefix="PN", api="2010",
         collection=ACCOUNT + "/IncomingPhoneNumbers.json", instance=ACCOUNT + "/IncomingPhoneNumbers/{Sid}.json",
         list_key="incoming_phone_numbers", render=_render_number,
         ops={"create", "list", "fetch", "update", "delete"}, create_params=NUMBER_CREATE,
         update_params=NUMBER_UPDATE, list_params=["Beta", "FriendlyName", "PhoneNumber", "Origin"],
         create=_buy_number, update=_update_number, delete=_release_number, list_filter=_filter_numbers),
]
