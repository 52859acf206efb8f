"""The resources the Twilio twin serves: parameters, validation and JSON, as Twilio documents them.

Each Spec names its paths, SID prefix, list key, accepted form parameters (exactly those of
Twilio's OpenAPI description; the contract tests check it) and how a stored record renders.
Records are kept in the sandbox Store in snake_case; dates as Unix timestamps.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .store import Store
from .twilio_format import TwinError, iso8601, now, parse_bool, rfc2822, snake

__all__ = ["Ctx", "Spec", "SPECS", "seed_account", "password_hash", "E164", "call_status_at"]

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}\.sip\.twilio\.com$")
_TRUNK_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}\.pstn\.twilio\.com$")
# Names the twin treats as taken by other Twilio customers (domain names are global on Twilio).
_TAKEN_LABELS = {"example", "test", "demo", "sip", "twilio"}
_SANDBOX_NUMBERS = [("+14155550100", "Sandbox line (415) 555-0100"),
                    ("+14155550101", "Sandbox spare (415) 555-0101"),
                    ("+442079460000", "Sandbox London +44 20 7946 0000")]


@dataclass
class Ctx:
    """What a resource handler needs: the store, the account, and the twin's own address."""

    store: Store
    account_sid: str
    twin_url: str


Render = Callable[[Ctx, dict[str, Any]], dict[str, Any]]


@dataclass
class Spec:
    """One REST resource of the twin."""

    kind: str
    prefix: str
    api: str  # "2010" or "v1"
    collection: str  # path template of the list, e.g. "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json"
    instance: str
    list_key: str
    render: Render
    ops: set[str]
    parent_param: str | None = None
    create_params: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    update_params: list[str] = field(default_factory=list)
    list_params: list[str] = field(default_factory=list)
    create: Callable[[Ctx, dict[str, str], str], dict[str, Any]] | None = None
    update: Callable[[Ctx, dict[str, Any], dict[str, str]], dict[str, Any]] | None = None
    delete: Callable[[Ctx, dict[str, Any]], None] | None = None
    list_filter: Callable[[Ctx, list[dict[str, Any]], dict[str, str]], list[dict[str, Any]]] | None = None
    newest_first: bool = False
    host: str = "api.twilio.com"
    fetch_extra: Callable[[Ctx, dict[str, Any]], dict[str, Any]] | None = None


PAGING = ["PageSize", "Page", "PageToken"]


def password_hash(password: str) -> str:
    """How the sandbox keeps a SIP password: a SHA-256 digest, never the password itself."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def _require(params: dict[str, str], names: list[str]) -> None:
    for name in names:
        if not params.get(name, "").strip():
            raise TwinError(400, 20001, f"Missing required parameter {name} in the post body")


def _bool(params: dict[str, str], name: str, default: bool | None = None) -> bool | None:
    if name not in params:
        return default
    value = parse_bool(params[name])
    if value is None:
        raise TwinError(400, 20001, f"Invalid value for {name}: {params[name]!r} is not a boolean")
    return value


def _int(params: dict[str, str], name: str, low: int, high: int, default: int | None = None) -> int | None:
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise TwinError(400, 20001, f"Invalid value for {name}: {params[name]!r} is not an integer") from None
    if not low <= value <= high:
        raise TwinError(400, 20001, f"{name} must be between {low} and {high}")
    return value


def _method(params: dict[str, str], name: str, default: str = "POST") -> str:
    value = params.get(name, default).upper()
    if value not in ("GET", "POST"):
        raise TwinError(400, 20001, f"{name} must be GET or POST")
    return value


def _stamp(data: dict[str, Any]) -> dict[str, Any]:
    t = now()
    data.setdefault("date_created", t)
    data["date_updated"] = t
    return data


def _base(ctx: Ctx, rec: dict[str, Any], v1: bool = False) -> dict[str, Any]:
    fmt = iso8601 if v1 else rfc2822
    return {"account_sid": ctx.account_sid, "date_created": fmt(rec["date_created"]),
            "date_updated": fmt(rec["date_updated"]), "sid": rec["sid"]}


def _acc(ctx: Ctx) -> str:
    return f"/2010-04-01/Accounts/{ctx.account_sid}"


# -- SIP domains ------------------------------------------------------------------------------
DOMAIN_PARAMS = ["ByocTrunkSid", "DomainName", "EmergencyCallerSid", "EmergencyCallingEnabled",
                 "FriendlyName", "Secure", "SipRegistration", "VoiceFallbackMethod", "VoiceFallbackUrl",
                 "VoiceMethod", "VoiceStatusCallbackMethod", "VoiceStatusCallbackUrl", "VoiceUrl"]


def _check_domain_name(ctx: Ctx, name: str, own_sid: str = "") -> str:
    if not _DOMAIN.match(name):
        raise TwinError(400, 21232, f"Domain name {name!r} is invalid: use letters, digits and '-' "
                                    "and end it in .sip.twilio.com")
    label = name.split(".", 1)[0].lower()
    if label in _TAKEN_LABELS or label == ctx.account_sid.lower():
        raise TwinError(400, 21232, f"Domain name {name} is already taken")
    for other in ctx.store.list("sip_domain"):
        if other["domain_name"].lower() == name.lower() and other["sid"] != own_sid:
            raise TwinError(400, 21232, f"Domain name {name} is already taken")
    return name.lower()


def _domain_fields(params: dict[str, str], rec: dict[str, Any]) -> dict[str, Any]:
    if "FriendlyName" in params:
        if len(params["FriendlyName"]) > 64:
            raise TwinError(400, 21231, "FriendlyName must be at most 64 characters")
        rec["friendly_name"] = params["FriendlyName"]
    for name in ("VoiceUrl", "VoiceFallbackUrl", "VoiceStatusCallbackUrl", "ByocTrunkSid",
                 "EmergencyCallerSid"):
        if name in params:
            rec[snake(name)] = params[name] or None
    for name in ("VoiceMethod", "VoiceFallbackMethod", "VoiceStatusCallbackMethod"):
        if name in params:
            rec[snake(name)] = _method(params, name)
    for name in ("SipRegistration", "EmergencyCallingEnabled", "Secure"):
        if name in params:
            rec[snake(name)] = _bool(params, name)
    return rec


def _create_domain(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    _require(params, ["DomainName"])
    if ctx.store.count("sip_domain") >= 100:
        raise TwinError(400, 21230, "Maximum number of SIP domains (100) reached for this account")
    name = _check_domain_name(ctx, params["DomainName"].strip())
    rec = {"domain_name": name, "friendly_name": name, "voice_url": None, "voice_method": "POST",
           "voice_fallback_url": None, "voice_fallback_method": "POST", "voice_status_callback_url": None,
           "voice_status_callback_method": "POST", "sip_registration": False,
           "emergency_calling_enabled": False, "secure": False, "byoc_trunk_sid": None,
           "emergency_caller_sid": None}
    return _domain_fields(params, rec)


def _update_domain(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    if "DomainName" in params:
        rec["domain_name"] = _check_domain_name(ctx, params["DomainName"].strip(), rec["sid"])
    return _domain_fields(params, rec)


def _delete_domain(ctx: Ctx, rec: dict[str, Any]) -> None:
    ctx.store.delete_children(rec["sid"])


def _auth_type(ctx: Ctx, domain_sid: str) -> str:
    kinds = []
    if ctx.store.count("call_acl_mapping", domain_sid):
        kinds.append("IP_ACL")
    if ctx.store.count("call_cred_mapping", domain_sid) or ctx.store.count("reg_mapping", domain_sid):
        kinds.append("CREDENTIAL_LIST")
    return ",".join(kinds)


def _render_domain(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    base = f"{_acc(ctx)}/SIP/Domains/{rec['sid']}"
    out = _base(ctx, rec)
    out.update({k: rec.get(k) for k in (
        "domain_name", "friendly_name", "voice_url", "voice_method", "voice_fallback_url",
        "voice_fallback_method", "voice_status_callback_url", "voice_status_callback_method",
        "sip_registration", "emergency_calling_enabled", "secure", "byoc_trunk_sid",
        "emergency_caller_sid")})
    out.update({"api_version": "2010-04-01", "auth_type": _auth_type(ctx, rec["sid"]),
                "uri": base + ".json",
                "subresource_uris": {
                    "credential_list_mappings": base + "/CredentialListMappings.json",
                    "ip_access_control_list_mappings": base + "/IpAccessControlListMappings.json"}})
    return out


# -- credential lists and credentials ----------------------------------------------------------
def _friendly(params: dict[str, str], limit: int, code: int) -> str:
    _require(params, ["FriendlyName"])
    name = params["FriendlyName"]
    if len(name) > limit:
        raise TwinError(400, code, f"FriendlyName must be at most {limit} characters")
    return name


def _create_cl(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    if ctx.store.count("credential_list") >= 100:
        raise TwinError(400, 21239, "Maximum number of credential lists (100) reached for this account")
    return {"friendly_name": _friendly(params, 64, 21240)}


def _update_friendly(limit: int, code: int) -> Callable[[Ctx, dict[str, Any], dict[str, str]], dict[str, Any]]:
    def update(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        rec["friendly_name"] = _friendly(params, limit, code)
        return rec
    return update


def _delete_with_children(ctx: Ctx, rec: dict[str, Any]) -> None:
    ctx.store.delete_children(rec["sid"])
    for kind in ("reg_mapping", "call_cred_mapping", "call_acl_mapping", "trunk_credential_list",
                 "trunk_acl"):
        ctx.store.delete_everywhere(kind, rec["sid"])


def _render_cl(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    base = f"{_acc(ctx)}/SIP/CredentialLists/{rec['sid']}"
    out = _base(ctx, rec)
    out.update({"friendly_name": rec["friendly_name"], "uri": base + ".json",
                "subresource_uris": {"credentials": base + "/Credentials.json"}})
    return out


def _check_password(password: str) -> None:
    if (len(password) < 12 or not re.search(r"\d", password) or not re.search(r"[a-z]", password)
            or not re.search(r"[A-Z]", password)):
        raise TwinError(400, 21243, "Password must be at least 12 characters long and contain at least "
                                    "one digit, one lowercase and one uppercase letter")


def _create_credential(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    _require(params, ["Username", "Password"])
    username = params["Username"]
    if len(username) > 32:
        raise TwinError(400, 21240, "Username must be at most 32 characters")
    if any(c["username"] == username for c in ctx.store.list("credential", parent)):
        raise TwinError(400, 21240, f"Username {username} already exists in this credential list")
    if ctx.store.count("credential", parent) >= 1000:
        raise TwinError(400, 21242, "Maximum number of credentials (1000) reached for this list")
    _check_password(params["Password"])
    return {"username": username, "password_sha256": password_hash(params["Password"])}


def _update_credential(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    if "Password" in params:
        _check_password(params["Password"])
        rec["password_sha256"] = password_hash(params["Password"])
    return rec


def _render_credential(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = _base(ctx, rec)
    out.update({"credential_list_sid": rec["_parent"], "username": rec["username"],
                "uri": f"{_acc(ctx)}/SIP/CredentialLists/{rec['_parent']}/Credentials/{rec['sid']}.json"})
    return out


# -- IP access control lists -------------------------------------------------------------------
def _create_acl(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    if ctx.store.count("ip_acl") >= 1000:
        raise TwinError(400, 21239, "Maximum number of IP access control lists (1000) reached")
    return {"friendly_name": _friendly(params, 255, 21235)}


def _render_acl(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    base = f"{_acc(ctx)}/SIP/IpAccessControlLists/{rec['sid']}"
    out = _base(ctx, rec)
    out.update({"friendly_name": rec["friendly_name"], "uri": base + ".json",
                "subresource_uris": {"ip_addresses": base + "/IpAddresses.json"}})
    return out


def _ip_fields(params: dict[str, str], rec: dict[str, Any]) -> dict[str, Any]:
    if "IpAddress" in params:
        try:
            address = ipaddress.IPv4Address(params["IpAddress"].strip())
        except ValueError:
            raise TwinError(400, 21236, f"IpAddress {params['IpAddress']!r} is not a valid IPv4 address") \
                from None
        rec["ip_address"] = str(address)
    if "CidrPrefixLength" in params:
        rec["cidr_prefix_length"] = _int(params, "CidrPrefixLength", 8, 32)
    if "FriendlyName" in params:
        rec["friendly_name"] = params["FriendlyName"]
    return rec


def _create_ip(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    _require(params, ["FriendlyName", "IpAddress"])
    if ctx.store.count("ip_address", parent) >= 100:
        raise TwinError(400, 21237, "Maximum number of addresses (100) reached for this list")
    return _ip_fields(params, {"cidr_prefix_length": 32})


def _render_ip(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = _base(ctx, rec)
    out.update({k: rec[k] for k in ("friendly_name", "ip_address", "cidr_prefix_length")})
    out.update({"ip_access_control_list_sid": rec["_parent"],
                "uri": f"{_acc(ctx)}/SIP/IpAccessControlLists/{rec['_parent']}/IpAddresses/{rec['sid']}.json"})
    return out


# -- domain auth mappings (sid = the mapped list's sid) -----------------------------------------
def _link_create(param: str, list_kind: str, kind: str, duplicate_code: int,
                 duplicate_text: str) -> Callable[[Ctx, dict[str, str], str], dict[str, Any]]:
    """Create for resources that link an existing list or number to a domain or trunk (sid = its sid)."""
    def create(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
        _require(params, [param])
        linked = ctx.store.get(list_kind, params[param])
        if linked is None:
            raise TwinError(404, 20404, f"The requested resource {params[param]} was not found")
        if ctx.store.get(kind, linked["sid"], parent) is not None:
            raise TwinError(400, duplicate_code, f"{linked['sid']} is already {duplicate_text}")
        if kind == "trunk_phone_number":  # a number routes to one trunk, never to an application too
            linked["trunk_sid"] = parent
            linked["voice_application_sid"] = None
            ctx.store.update("incoming_number", linked["sid"], linked)
        return {"sid": linked["sid"], "friendly_name": linked["friendly_name"]}
    return create


def _mapping_create(param: str, list_kind: str, kind: str) -> Callable[[Ctx, dict[str, str], str], dict[str, Any]]:
    return _link_create(param, list_kind, kind, 21231, "mapped to this domain")


def _render_mapping(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = _base(ctx, rec)
    out["friendly_name"] = rec["friendly_name"]
    return out


# -- incoming phone numbers ----------------------------------------------------------------------
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
        for number, friendly in _SANDBOX_NUMBERS:
            sid = store.new_sid("PN")
            store.insert("incoming_number", sid, _stamp({
                "sid": sid, "phone_number": number, "friendly_name": friendly, "voice_url": None,
                "voice_method": "POST", "voice_fallback_url": None, "voice_fallback_method": "POST",
                "voice_application_sid": None, "trunk_sid": None, "status_callback": None,
                "status_callback_method": "POST", "voice_caller_id_lookup": False,
                "voice_receive_mode": "voice", "sms_url": None, "sms_method": "POST",
                "sms_fallback_url": None, "sms_fallback_method": "POST", "sms_application_sid": None,
                "address_sid": None, "identity_sid": None, "bundle_sid": None,
                "emergency_address_sid": None, "emergency_status": "Inactive"}))
        store.set_value("seeded:numbers", True)


def _update_number(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    for name in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback", "SmsUrl", "SmsFallbackUrl",
                 "FriendlyName", "AddressSid", "IdentitySid", "BundleSid", "EmergencyAddressSid",
                 "SmsApplicationSid"):
        if name in params:
            rec[snake(name)] = params[name] or None
    for name in ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod", "SmsMethod",
                 "SmsFallbackMethod"):
        if name in params:
            rec[snake(name)] = _method(params, name)
    if "VoiceCallerIdLookup" in params:
        rec["voice_caller_id_lookup"] = _bool(params, "VoiceCallerIdLookup")
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


def _number_fields(rec: dict[str, Any]) -> dict[str, Any]:
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
    out = _base(ctx, rec)
    out.update(_number_fields(rec))
    out.update({"address_sid": rec.get("address_sid"), "identity_sid": rec.get("identity_sid"),
                "bundle_sid": rec.get("bundle_sid"), "emergency_address_sid": rec.get("emergency_address_sid"),
                "emergency_address_status": "unregistered", "emergency_status": rec.get("emergency_status"),
                "origin": "twilio", "status": "in-use", "type": "local",
                "voice_receive_mode": rec.get("voice_receive_mode", "voice"),
                "uri": f"{_acc(ctx)}/IncomingPhoneNumbers/{rec['sid']}.json"})
    return out


def _filter_numbers(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if q.get("PhoneNumber"):
        wanted = q["PhoneNumber"].replace(" ", "")
        recs = [r for r in recs if wanted in r["phone_number"]]
    if q.get("FriendlyName"):
        recs = [r for r in recs if r["friendly_name"] == q["FriendlyName"]]
    return recs


# -- calls ------------------------------------------------------------------------------------------
CALL_CREATE = ["ApplicationSid", "AsyncAmd", "AsyncAmdStatusCallback", "AsyncAmdStatusCallbackMethod",
               "Byoc", "CallReason", "CallToken", "CallerId", "ClientNotificationUrl", "FallbackMethod",
               "FallbackUrl", "From", "MachineDetection", "MachineDetectionSilenceTimeout",
               "MachineDetectionSpeechEndThreshold", "MachineDetectionSpeechThreshold",
               "MachineDetectionTimeout", "Method", "Passports", "Record", "RecordingChannels",
               "RecordingConfigurationId", "RecordingStatusCallback", "RecordingStatusCallbackEvent",
               "RecordingStatusCallbackMethod", "RecordingTrack", "SendDigits", "SipAuthPassword",
               "SipAuthUsername", "StatusCallback", "StatusCallbackEvent", "StatusCallbackMethod",
               "TimeLimit", "Timeout", "To", "Trim", "Twiml", "Url"]
CALL_UPDATE = ["FallbackMethod", "FallbackUrl", "Method", "Status", "StatusCallback",
               "StatusCallbackMethod", "TimeLimit", "Twiml", "Url"]
CALL_FILTERS = ["To", "From", "ParentCallSid", "Status", "StartTime", "StartTime<", "StartTime>",
                "EndTime", "EndTime<", "EndTime>"]
FINAL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")


def time_scale() -> float:
    """Sandbox call timelines are multiplied by ATA_SANDBOX_TIME_SCALE (default 1: real seconds)."""
    try:
        return max(0.0, float(os.environ.get("ATA_SANDBOX_TIME_SCALE", "1")))
    except ValueError:
        return 1.0


def call_status_at(rec: dict[str, Any], at: float) -> dict[str, Any]:
    """A call's status, start/end times and duration as seen at time `at` from its timeline."""
    status, start, answered, end = "queued", None, None, None
    for ts, state in rec["timeline"]:
        if ts > at:
            break
        status = state
        if state in ("ringing", "in-progress") and start is None:
            start = ts
        if state == "in-progress":
            answered = ts
        if state in FINAL_STATUSES:
            end = ts
            start = start if start is not None else ts
    duration = None
    if end is not None:
        scale = rec.get("time_scale") or 1.0  # durations are reported in the call's own seconds
        # Twilio leaves duration empty for busy, failed, unanswered and canceled calls
        duration = str(int(round((end - answered) / scale))) if answered is not None else None
    return {"status": status, "start_time": start, "end_time": end, "duration": duration}


def _valid_to(value: str) -> bool:
    return bool(E164.match(value) or value.startswith(("sip:", "client:")))


def _create_call(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    to, from_ = params.get("To", "").strip(), params.get("From", "").strip()
    if not to:
        raise TwinError(400, 21201, "No 'To' number is specified")
    if not from_:
        raise TwinError(400, 21213, "No 'From' number is specified")
    if not _valid_to(to):
        raise TwinError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if E164.match(to) and not E164.match(from_):
        raise TwinError(400, 21212, f"The 'From' number {from_} is not a valid phone number, "
                                    "shortcode, or alphanumeric sender ID.")
    if E164.match(from_) and not any(n["phone_number"] == from_ for n in ctx.store.list("incoming_number")):
        raise TwinError(400, 21210, f"The source phone number provided, {from_}, is not yet verified "
                                    "for your account. You may only make calls from phone numbers that "
                                    "you've verified or purchased from Twilio.")
    url, twiml = params.get("Url", "").strip(), params.get("Twiml", "")
    if not url and not twiml and not params.get("ApplicationSid"):
        raise TwinError(400, 21205, "Url, Twiml or ApplicationSid is required")
    if twiml and len(twiml) > 4000:
        raise TwinError(400, 32018, "Twiml parameter exceeds the maximum length of 4000 characters")
    timeout = _int(params, "Timeout", 1, 600, 60)
    t = now()
    rec = _stamp({"to": to, "from": from_, "url": url or None, "twiml": None if url else (twiml or None),
                  "method": _method(params, "Method"), "timeout": timeout, "direction": "outbound-api",
                  "parent_call_sid": None, "trunk_sid": None, "answered_by": None, "caller_name": None,
                  "forwarded_from": None, "group_sid": None, "queue_time": "0",
                  "price_per_minute": None, "timeline": [[t, "queued"]]})
    if url and twiml:
        rec["warnings"] = [32019]
    rec["phone_number_sid"] = next((n["sid"] for n in ctx.store.list("incoming_number")
                                    if n["phone_number"] == from_), None)
    return rec


def _update_call(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    state = call_status_at(rec, now())
    if "Status" in params:
        wanted = params["Status"]
        if wanted not in ("canceled", "completed"):
            raise TwinError(400, 20001, "Status must be canceled or completed")
        if state["status"] in FINAL_STATUSES or (wanted == "canceled" and state["status"] == "in-progress"):
            raise TwinError(400, 21220, "Call is not in-progress. Cannot redirect.")
        t = now()
        rec["timeline"] = [e for e in rec["timeline"] if e[0] <= t] + [
            [t, "canceled" if state["status"] in ("queued", "ringing") else "completed"]]
    for name in ("Url", "Twiml"):
        if name in params:
            if state["status"] in FINAL_STATUSES:
                raise TwinError(400, 21220, "Call is not in-progress. Cannot redirect.")
            rec[name.lower()] = params[name]
    return rec


def _render_call(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    state = call_status_at(rec, now())
    out = _base(ctx, rec)
    price = None
    if state["status"] == "completed" and rec.get("price_per_minute") is not None:
        minutes = max(1, -(-int(state["duration"] or 0) // 60))
        price = f"{-abs(rec['price_per_minute']) * minutes:.5f}"
    elif state["status"] in FINAL_STATUSES:
        price = "0.00000" if rec.get("price_per_minute") is not None else None
    base = f"{_acc(ctx)}/Calls/{rec['sid']}"
    out.update({"parent_call_sid": rec.get("parent_call_sid"), "to": rec["to"],
                "to_formatted": rec["to"], "from": rec["from"], "from_formatted": rec["from"],
                "phone_number_sid": rec.get("phone_number_sid"), "status": state["status"],
                "start_time": rfc2822(state["start_time"]), "end_time": rfc2822(state["end_time"]),
                "duration": state["duration"], "price": price, "price_unit": "USD",
                "direction": rec["direction"], "answered_by": rec.get("answered_by"),
                "api_version": "2010-04-01", "forwarded_from": rec.get("forwarded_from"),
                "group_sid": rec.get("group_sid"), "caller_name": rec.get("caller_name"),
                "queue_time": rec.get("queue_time", "0"), "trunk_sid": rec.get("trunk_sid"),
                "uri": base + ".json",
                "subresource_uris": {"notifications": base + "/Notifications.json",
                                     "recordings": base + "/Recordings.json",
                                     "events": base + "/Events.json"}})
    return out


def _day(value: str, name: str) -> str:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise TwinError(400, 20001, f"{name} must be a date in YYYY-MM-DD form")
    return value[:10]


def _filter_calls(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    import time as _time

    at = now()
    states = {r["sid"]: call_status_at(r, at) for r in recs}
    if q.get("To"):
        recs = [r for r in recs if r["to"] == q["To"]]
    if q.get("From"):
        recs = [r for r in recs if r["from"] == q["From"]]
    if q.get("ParentCallSid"):
        recs = [r for r in recs if r.get("parent_call_sid") == q["ParentCallSid"]]
    if q.get("Status"):
        recs = [r for r in recs if states[r["sid"]]["status"] == q["Status"]]

    def day(ts: float | None) -> str | None:
        return None if ts is None else _time.strftime("%Y-%m-%d", _time.gmtime(ts))

    for field_name, key in (("StartTime", "start_time"), ("EndTime", "end_time")):
        for suffix, test in (("", lambda d, v: d == v), (">", lambda d, v: d >= v),
                             ("<", lambda d, v: d <= v)):
            value = q.get(field_name + suffix)
            if value:
                wanted = _day(value, field_name + suffix)
                recs = [r for r in recs if (d := day(states[r["sid"]][key])) is not None and test(d, wanted)]
    return recs


# -- trunking v1 -------------------------------------------------------------------------------------
TRUNK_PARAMS = ["CnamLookupEnabled", "DisasterRecoveryMethod", "DisasterRecoveryUrl", "DomainName",
                "FriendlyName", "Secure", "TransferCallerId", "TransferMode"]
_TRUNKING = "https://trunking.twilio.com/v1"


def _trunk_fields(ctx: Ctx, params: dict[str, str], rec: dict[str, Any]) -> dict[str, Any]:
    if "FriendlyName" in params:
        if len(params["FriendlyName"]) > 64:
            raise TwinError(400, 21245, "FriendlyName must be at most 64 characters")
        rec["friendly_name"] = params["FriendlyName"]
    if "DomainName" in params:
        name = params["DomainName"].strip().lower()
        if name and not _TRUNK_DOMAIN.match(name):
            raise TwinError(400, 21245, f"Domain name {name!r} is invalid: it must end in .pstn.twilio.com")
        if name and any(t["domain_name"] == name and t["sid"] != rec.get("sid")
                        for t in ctx.store.list("trunk")):
            raise TwinError(400, 21248, f"Trunk domain name {name} is already taken")
        rec["domain_name"] = name or None
    if "DisasterRecoveryUrl" in params:
        rec["disaster_recovery_url"] = params["DisasterRecoveryUrl"] or None
    if "DisasterRecoveryMethod" in params:
        rec["disaster_recovery_method"] = _method(params, "DisasterRecoveryMethod")
    if "TransferMode" in params:
        if params["TransferMode"] not in ("disable-all", "enable-all", "sip-only"):
            raise TwinError(400, 21245, "TransferMode must be disable-all, enable-all or sip-only")
        rec["transfer_mode"] = params["TransferMode"]
    if "TransferCallerId" in params:
        if params["TransferCallerId"] not in ("from-transferee", "from-transferor"):
            raise TwinError(400, 21245, "TransferCallerId must be from-transferee or from-transferor")
        rec["transfer_caller_id"] = params["TransferCallerId"]
    for name in ("Secure", "CnamLookupEnabled"):
        if name in params:
            rec[snake(name)] = _bool(params, name)
    return rec


def _create_trunk(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    rec = {"friendly_name": None, "domain_name": None, "disaster_recovery_url": None,
           "disaster_recovery_method": "POST", "transfer_mode": "disable-all",
           "transfer_caller_id": "from-transferee", "secure": False, "cnam_lookup_enabled": False}
    return _trunk_fields(ctx, params, rec)


def _delete_trunk(ctx: Ctx, rec: dict[str, Any]) -> None:
    for number in ctx.store.list("incoming_number"):
        if number.get("trunk_sid") == rec["sid"]:
            number["trunk_sid"] = None
            ctx.store.update("incoming_number", number["sid"], number)
    ctx.store.delete_children(rec["sid"])


def _render_trunk(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    url = f"{_TRUNKING}/Trunks/{rec['sid']}"
    auth = []
    if ctx.store.count("trunk_credential_list", rec["sid"]):
        auth.append("CREDENTIAL_LIST")
    if ctx.store.count("trunk_acl", rec["sid"]):
        auth.append("IP_ACL")
    out = _base(ctx, rec, v1=True)
    out.update({k: rec.get(k) for k in ("domain_name", "disaster_recovery_method", "disaster_recovery_url",
                                        "friendly_name", "secure", "transfer_mode", "transfer_caller_id",
                                        "cnam_lookup_enabled")})
    out.update({"recording": {"mode": "do-not-record", "trim": "do-not-trim"},
                "auth_type": ",".join(auth), "auth_type_set": auth, "symmetric_rtp_enabled": False,
                "url": url, "links": {"origination_urls": url + "/OriginationUrls",
                                      "credential_lists": url + "/CredentialLists",
                                      "ip_access_control_lists": url + "/IpAccessControlLists",
                                      "phone_numbers": url + "/PhoneNumbers",
                                      "recording": url + "/Recording"}})
    return out


ORIGINATION_PARAMS = ["Enabled", "FriendlyName", "Priority", "SipUrl", "Weight"]


def _origination_fields(params: dict[str, str], rec: dict[str, Any]) -> dict[str, Any]:
    if "Weight" in params:
        rec["weight"] = _int(params, "Weight", 1, 65535)
    if "Priority" in params:
        rec["priority"] = _int(params, "Priority", 0, 65535)
    if "Enabled" in params:
        rec["enabled"] = _bool(params, "Enabled")
    if "FriendlyName" in params:
        rec["friendly_name"] = params["FriendlyName"]
    if "SipUrl" in params:
        if not re.match(r"^sips?:[^\s]+$", params["SipUrl"].strip()):
            raise TwinError(400, 21245, f"SipUrl {params['SipUrl']!r} must be a sip: URI")
        rec["sip_url"] = params["SipUrl"].strip()
    return rec


def _create_origination(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    _require(params, ORIGINATION_PARAMS)
    if ctx.store.count("origination_url", parent) >= 10:
        raise TwinError(400, 21249, "Maximum number of origination URLs (10) reached for this trunk")
    return _origination_fields(params, {})


def _render_origination(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = _base(ctx, rec, v1=True)
    out.update({k: rec[k] for k in ("weight", "enabled", "sip_url", "friendly_name", "priority")})
    out.update({"trunk_sid": rec["_parent"],
                "url": f"{_TRUNKING}/Trunks/{rec['_parent']}/OriginationUrls/{rec['sid']}"})
    return out


def _trunk_link_create(param: str, list_kind: str, kind: str) -> Callable[[Ctx, dict[str, str], str], dict[str, Any]]:
    return _link_create(param, list_kind, kind, 21245, "associated with this trunk")


def _delete_trunk_number(ctx: Ctx, rec: dict[str, Any]) -> None:
    number = ctx.store.get("incoming_number", rec["sid"])
    if number is not None:
        number["trunk_sid"] = None
        ctx.store.update("incoming_number", number["sid"], number)


def _render_trunk_link(collection: str) -> Render:
    def render(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
        out = _base(ctx, rec, v1=True)
        out.update({"friendly_name": rec["friendly_name"], "trunk_sid": rec["_parent"],
                    "url": f"{_TRUNKING}/Trunks/{rec['_parent']}/{collection}/{rec['sid']}"})
        return out
    return render


def _render_trunk_number(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    number = ctx.store.get("incoming_number", rec["sid"]) or {}
    out = _base(ctx, rec, v1=True)
    out.update(_number_fields(number) if number else {})
    url = f"{_TRUNKING}/Trunks/{rec['_parent']}/PhoneNumbers/{rec['sid']}"
    out.update({"trunk_sid": rec["_parent"], "url": url, "links": {"phone_number": url}})
    return out


# -- monitor v1 alerts ------------------------------------------------------------------------------
def _render_alert(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = _base(ctx, rec, v1=True)
    out.update({"alert_text": rec["alert_text"], "api_version": "2010-04-01",
                "date_generated": iso8601(rec.get("date_generated", rec["date_created"])),
                "error_code": str(rec["error_code"]), "log_level": rec.get("log_level", "error"),
                "more_info": f"https://www.twilio.com/docs/errors/{rec['error_code']}",
                "request_method": rec.get("request_method"), "request_url": rec.get("request_url"),
                "resource_sid": rec.get("resource_sid"), "service_sid": None,
                "url": f"https://monitor.twilio.com/v1/Alerts/{rec['sid']}"})
    return out


def _alert_details(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {"request_headers": rec.get("request_headers"), "request_variables": rec.get("request_variables"),
            "response_body": rec.get("response_body"), "response_headers": rec.get("response_headers")}


def _filter_alerts(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if q.get("LogLevel"):
        recs = [r for r in recs if r.get("log_level", "error") == q["LogLevel"]]
    for name, keep in (("StartDate", lambda d, v: d >= v), ("EndDate", lambda d, v: d <= v)):
        if q.get(name):
            wanted = q[name]
            # a date alone covers that whole day; a date-time is compared to the second
            width = 10 if len(wanted) == 10 else 19
            recs = [r for r in recs
                    if keep((iso8601(r.get("date_generated", r["date_created"])) or "")[:width], wanted[:width])]
    return recs


A = "/2010-04-01/Accounts/{AccountSid}"
T = "/v1/Trunks/{TrunkSid}"

SPECS: list[Spec] = [
    Spec("sip_domain", "SD", "2010", A + "/SIP/Domains.json", A + "/SIP/Domains/{Sid}.json", "domains",
         _render_domain, {"create", "list", "fetch", "update", "delete"}, None, DOMAIN_PARAMS, ["DomainName"],
         DOMAIN_PARAMS, create=_create_domain, update=_update_domain, delete=_delete_domain),
    Spec("reg_mapping", "CL", "2010", A + "/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings.json",
         A + "/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings/{Sid}.json", "contents",
         _render_mapping, {"create", "list", "fetch", "delete"}, "DomainSid", ["CredentialListSid"],
         ["CredentialListSid"], create=_mapping_create("CredentialListSid", "credential_list", "reg_mapping")),
    Spec("call_cred_mapping", "CL", "2010", A + "/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings.json",
         A + "/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings/{Sid}.json", "contents",
         _render_mapping, {"create", "list", "fetch", "delete"}, "DomainSid", ["CredentialListSid"],
         ["CredentialListSid"], create=_mapping_create("CredentialListSid", "credential_list", "call_cred_mapping")),
    Spec("call_acl_mapping", "AL", "2010", A + "/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json",
         A + "/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings/{Sid}.json", "contents",
         _render_mapping, {"create", "list", "fetch", "delete"}, "DomainSid", ["IpAccessControlListSid"],
         ["IpAccessControlListSid"],
         create=_mapping_create("IpAccessControlListSid", "ip_acl", "call_acl_mapping")),
    Spec("credential_list", "CL", "2010", A + "/SIP/CredentialLists.json", A + "/SIP/CredentialLists/{Sid}.json",
         "credential_lists", _render_cl, {"create", "list", "fetch", "update", "delete"}, None,
         ["FriendlyName"], ["FriendlyName"], ["FriendlyName"], create=_create_cl,
         update=_update_friendly(64, 21240), delete=_delete_with_children),
    Spec("credential", "CR", "2010", A + "/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
         A + "/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json", "credentials",
         _render_credential, {"create", "list", "fetch", "update", "delete"}, "CredentialListSid",
         ["Password", "Username"], ["Password", "Username"], ["Password"], create=_create_credential,
         update=_update_credential),
    Spec("ip_acl", "AL", "2010", A + "/SIP/IpAccessControlLists.json", A + "/SIP/IpAccessControlLists/{Sid}.json",
         "ip_access_control_lists", _render_acl, {"create", "list", "fetch", "update", "delete"}, None,
         ["FriendlyName"], ["FriendlyName"], ["FriendlyName"], create=_create_acl,
         update=_update_friendly(255, 21235), delete=_delete_with_children),
    Spec("ip_address", "IP", "2010", A + "/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses.json",
         A + "/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses/{Sid}.json", "ip_addresses",
         _render_ip, {"create", "list", "fetch", "update", "delete"}, "IpAccessControlListSid",
         ["CidrPrefixLength", "FriendlyName", "IpAddress"], ["FriendlyName", "IpAddress"],
         ["CidrPrefixLength", "FriendlyName", "IpAddress"], create=_create_ip,
         update=lambda ctx, rec, params: _ip_fields(params, rec)),
    Spec("incoming_number", "PN", "2010", A + "/IncomingPhoneNumbers.json", A + "/IncomingPhoneNumbers/{Sid}.json",
         "incoming_phone_numbers", _render_number, {"list", "fetch", "update"}, None, [], [], NUMBER_UPDATE,
         ["Beta", "FriendlyName", "PhoneNumber", "Origin"], update=_update_number, list_filter=_filter_numbers),
    Spec("call", "CA", "2010", A + "/Calls.json", A + "/Calls/{Sid}.json", "calls", _render_call,
         {"create", "list", "fetch", "update"}, None, CALL_CREATE, ["From", "To"], CALL_UPDATE, CALL_FILTERS,
         create=_create_call, update=_update_call, list_filter=_filter_calls, newest_first=True),
    Spec("trunk", "TK", "v1", "/v1/Trunks", "/v1/Trunks/{Sid}", "trunks", _render_trunk,
         {"create", "list", "fetch", "update", "delete"}, None, TRUNK_PARAMS, [], TRUNK_PARAMS,
         create=_create_trunk, update=lambda ctx, rec, params: _trunk_fields(ctx, params, rec),
         delete=_delete_trunk, host="trunking.twilio.com"),
    Spec("origination_url", "OU", "v1", T + "/OriginationUrls", T + "/OriginationUrls/{Sid}", "origination_urls",
         _render_origination, {"create", "list", "fetch", "update", "delete"}, "TrunkSid", ORIGINATION_PARAMS,
         ORIGINATION_PARAMS, ORIGINATION_PARAMS, create=_create_origination,
         update=lambda ctx, rec, params: _origination_fields(params, rec), host="trunking.twilio.com"),
    Spec("trunk_phone_number", "PN", "v1", T + "/PhoneNumbers", T + "/PhoneNumbers/{Sid}", "phone_numbers",
         _render_trunk_number, {"create", "list", "fetch", "delete"}, "TrunkSid", ["PhoneNumberSid"],
         ["PhoneNumberSid"], create=_trunk_link_create("PhoneNumberSid", "incoming_number", "trunk_phone_number"),
         delete=_delete_trunk_number, host="trunking.twilio.com"),
    Spec("trunk_credential_list", "CL", "v1", T + "/CredentialLists", T + "/CredentialLists/{Sid}",
         "credential_lists", _render_trunk_link("CredentialLists"), {"create", "list", "fetch", "delete"},
         "TrunkSid", ["CredentialListSid"], ["CredentialListSid"],
         create=_trunk_link_create("CredentialListSid", "credential_list", "trunk_credential_list"),
         host="trunking.twilio.com"),
    Spec("trunk_acl", "AL", "v1", T + "/IpAccessControlLists", T + "/IpAccessControlLists/{Sid}",
         "ip_access_control_lists", _render_trunk_link("IpAccessControlLists"),
         {"create", "list", "fetch", "delete"}, "TrunkSid", ["IpAccessControlListSid"],
         ["IpAccessControlListSid"],
         create=_trunk_link_create("IpAccessControlListSid", "ip_acl", "trunk_acl"), host="trunking.twilio.com"),
    Spec("alert", "NO", "v1", "/v1/Alerts", "/v1/Alerts/{Sid}", "alerts", _render_alert, {"list", "fetch"},
         list_params=["LogLevel", "StartDate", "EndDate"], list_filter=_filter_alerts, newest_first=True,
         host="monitor.twilio.com", fetch_extra=_alert_details),
]
