"""SIP Domains and their auth mappings (Twilio's SipDomain, SipAuthCallsCredentialListMapping,
SipAuthCallsIpAccessControlListMapping and SipAuthRegistrationsCredentialListMapping resources).

https://www.twilio.com/docs/voice/sip/api/sip-domain-resource
"""

from __future__ import annotations

import re
from typing import Any

from .format import TwinError, snake
from .resource import (
    ACCOUNT,
    Create,
    Ctx,
    Spec,
    account_path,
    base_fields,
    bool_param,
    link_create,
    method_param,
    require,
)

__all__ = ["SPECS", "DOMAIN_PARAMS"]


_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}\.sip\.twilio\.com$")


# Names the twin treats as taken by other Twilio customers (domain names are global on Twilio).
_TAKEN_LABELS = {"example", "test", "demo", "sip", "twilio"}


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
            rec[snake(name)] = method_param(params, name)
    for name in ("SipRegistration", "EmergencyCallingEnabled", "Secure"):
        if name in params:
            rec[snake(name)] = bool_param(params, name)
    return rec


def _create_domain(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    require(params, ["DomainName"])
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
    if ctx.store.count("auth_calls_ip_access_control_list_mapping", domain_sid):
        kinds.append("IP_ACL")
    if (ctx.store.count("auth_calls_credential_list_mapping", domain_sid)
            or ctx.store.count("auth_registrations_credential_list_mapping", domain_sid)):
        kinds.append("CREDENTIAL_LIST")
    return ",".join(kinds)


def _render_domain(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    base = f"{account_path(ctx)}/SIP/Domains/{rec['sid']}"
    out = base_fields(ctx, rec)
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


def _mapping_create(param: str, list_kind: str, kind: str) -> Create:
    return link_create(param, list_kind, kind, 21231, "mapped to this domain")


def _render_mapping(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec)
    out["friendly_name"] = rec["friendly_name"]
    return out


_AUTH = ACCOUNT + "/SIP/Domains/{DomainSid}/Auth"
_OPS_LINK = {"create", "list", "fetch", "delete"}


def _mapping_spec(kind: str, path: str, param: str, list_kind: str) -> Spec:
    return Spec(kind=kind, sid_prefix="CL" if param == "CredentialListSid" else "AL", api="2010",
                collection=f"{_AUTH}/{path}.json", instance=f"{_AUTH}/{path}/{{Sid}}.json", list_key="contents",
                render=_render_mapping, ops=_OPS_LINK, parent_param="DomainSid", create_params=[param],
                required_params=[param], create=_mapping_create(param, list_kind, kind))


def _legacy_render(collection: str) -> Any:
    def render(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
        out = _render_mapping(ctx, rec)
        out.update({"domain_sid": rec["_parent"],
                    "uri": f"{account_path(ctx)}/SIP/Domains/{rec['_parent']}/{collection}/{rec['sid']}.json"})
        return out
    return render


def _legacy_spec(kind: str, collection: str, param: str, list_kind: str, list_key: str) -> Spec:
    """The domain's original mappings (`Domains/{DomainSid}/CredentialListMappings`, advertised in its
    `subresource_uris`): the same call-auth mappings as `Auth/Calls/…`, rendered with `domain_sid`
    and `uri` as Twilio's legacy resources are."""
    base = ACCOUNT + "/SIP/Domains/{DomainSid}"
    return Spec(kind=kind, sid_prefix="CL" if param == "CredentialListSid" else "AL", api="2010",
                collection=f"{base}/{collection}.json", instance=f"{base}/{collection}/{{Sid}}.json",
                list_key=list_key, render=_legacy_render(collection), ops=_OPS_LINK, parent_param="DomainSid",
                create_params=[param], required_params=[param], create=_mapping_create(param, list_kind, kind))


SPECS: list[Spec] = [
    Spec(kind="sip_domain", sid_prefix="SD", api="2010",
         collection=ACCOUNT + "/SIP/Domains.json", instance=ACCOUNT + "/SIP/Domains/{Sid}.json",
         list_key="domains", render=_render_domain, ops={"create", "list", "fetch", "update", "delete"},
         create_params=DOMAIN_PARAMS, required_params=["DomainName"], update_params=DOMAIN_PARAMS,
         create=_create_domain, update=_update_domain, delete=_delete_domain),
    _mapping_spec("auth_registrations_credential_list_mapping", "Registrations/CredentialListMappings",
                  "CredentialListSid", "credential_list"),
    _mapping_spec("auth_calls_credential_list_mapping", "Calls/CredentialListMappings",
                  "CredentialListSid", "credential_list"),
    _mapping_spec("auth_calls_ip_access_control_list_mapping", "Calls/IpAccessControlListMappings",
                  "IpAccessControlListSid", "ip_access_control_list"),
    _legacy_spec("auth_calls_credential_list_mapping", "CredentialListMappings", "CredentialListSid",
                 "credential_list", "credential_list_mappings"),
    _legacy_spec("auth_calls_ip_access_control_list_mapping", "IpAccessControlListMappings",
                 "IpAccessControlListSid", "ip_access_control_list", "ip_access_control_list_mappings"),
]
