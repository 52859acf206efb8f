"""Elastic SIP Trunks (Twilio's Trunking v1 Trunk) with their OriginationUrl, PhoneNumber,
CredentialList and IpAccessControlList subresources.

https://www.twilio.com/docs/sip-trunking/api/trunk-resource
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .format import TwinError, snake
from .incoming_phone_numbers import number_fields
from .resource import (
    Create,
    Ctx,
    Render,
    Spec,
    base_fields,
    bool_param,
    int_param,
    link_create,
    method_param,
    require,
)

__all__ = ["SPECS", "TRUNK_PARAMS", "ORIGINATION_PARAMS"]


_TRUNK_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}\.pstn\.twilio\.com$")


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
        rec["disaster_recovery_method"] = method_param(params, "DisasterRecoveryMethod")
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
            rec[snake(name)] = bool_param(params, name)
    return rec


def _create_trunk(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    rec = {"friendly_name": None, "domain_name": None, "disaster_recovery_url": None,
           "disaster_recovery_method": "POST", "transfer_mode": "disable-all",
           "transfer_caller_id": "from-transferee", "secure": False, "cnam_lookup_enabled": False}
    return _trunk_fields(ctx, params, rec)


def _delete_trunk(ctx: Ctx, rec: dict[str, Any]) -> None:
    for number in ctx.store.list("incoming_phone_number"):
        if number.get("trunk_sid") == rec["sid"]:
            number["trunk_sid"] = None
            ctx.store.update("incoming_phone_number", number["sid"], number)
    ctx.store.delete_children(rec["sid"])


def _render_trunk(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    url = f"{_TRUNKING}/Trunks/{rec['sid']}"
    auth = []
    if ctx.store.count("trunk_credential_list", rec["sid"]):
        auth.append("CREDENTIAL_LIST")
    if ctx.store.count("trunk_ip_access_control_list", rec["sid"]):
        auth.append("IP_ACL")
    out = base_fields(ctx, rec, v1=True)
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
        rec["weight"] = int_param(params, "Weight", 1, 65535)
    if "Priority" in params:
        rec["priority"] = int_param(params, "Priority", 0, 65535)
    if "Enabled" in params:
        rec["enabled"] = bool_param(params, "Enabled")
    if "FriendlyName" in params:
        rec["friendly_name"] = params["FriendlyName"]
    if "SipUrl" in params:
        if not re.match(r"^sips?:[^\s]+$", params["SipUrl"].strip()):
            raise TwinError(400, 21245, f"SipUrl {params['SipUrl']!r} must be a sip: URI")
        rec["sip_url"] = params["SipUrl"].strip()
    return rec


def _create_origination(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    require(params, ORIGINATION_PARAMS)
    if ctx.store.count("origination_url", parent) >= 10:
        raise TwinError(400, 21249, "Maximum number of origination URLs (10) reached for this trunk")
    return _origination_fields(params, {})


def _render_origination(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec, v1=True)
    out.update({k: rec[k] for k in ("weight", "enabled", "sip_url", "friendly_name", "priority")})
    out.update({"trunk_sid": rec["_parent"],
                "url": f"{_TRUNKING}/Trunks/{rec['_parent']}/OriginationUrls/{rec['sid']}"})
    return out


def _trunk_link_create(param: str, list_kind: str, kind: str) -> Create:
    create = link_create(param, list_kind, kind, 21245, "associated with this trunk")
    if kind != "trunk_phone_number":
        return create

    def create_number_link(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
        made = create(ctx, params, parent)
        number = ctx.store.get("incoming_phone_number", made["sid"])
        if number is not None:  # a number routes to one trunk, never to an application too
            number["trunk_sid"] = parent
            number["voice_application_sid"] = None
            ctx.store.update("incoming_phone_number", number["sid"], number)
        return made
    return create_number_link


def _delete_trunk_number(ctx: Ctx, rec: dict[str, Any]) -> None:
    number = ctx.store.get("incoming_phone_number", rec["sid"])
    if number is not None:
        number["trunk_sid"] = None
        ctx.store.update("incoming_phone_number", number["sid"], number)


def _render_trunk_link(collection: str) -> Render:
    def render(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
        out = base_fields(ctx, rec, v1=True)
        out.update({"friendly_name": rec["friendly_name"], "trunk_sid": rec["_parent"],
                    "url": f"{_TRUNKING}/Trunks/{rec['_parent']}/{collection}/{rec['sid']}"})
        return out
    return render


def _render_trunk_number(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    number = ctx.store.get("incoming_phone_number", rec["sid"]) or {}
    out = base_fields(ctx, rec, v1=True)
    out.update(number_fields(number) if number else {})
    url = f"{_TRUNKING}/Trunks/{rec['_parent']}/PhoneNumbers/{rec['sid']}"
    out.update({"trunk_sid": rec["_parent"], "url": url, "links": {"phone_number": url}})
    return out


_T = "/v1/Trunks/{TrunkSid}"
_HOST = "trunking.twilio.com"


def _link_spec(kind: str, sid_prefix: str, collection: str, param: str, list_kind: str, list_key: str,
               render: Render | None = None, delete: Callable[[Ctx, dict[str, Any]], None] | None = None) -> Spec:
    """A trunk subresource that links an existing number or list (its SID is the linked one's)."""
    return Spec(kind=kind, sid_prefix=sid_prefix, api="v1",
                collection=f"{_T}/{collection}", instance=f"{_T}/{collection}/{{Sid}}", list_key=list_key,
                render=render or _render_trunk_link(collection), ops={"create", "list", "fetch", "delete"},
                parent_param="TrunkSid", create_params=[param], required_params=[param],
                create=_trunk_link_create(param, list_kind, kind), delete=delete, host=_HOST)


RECORDING_MODES = ("do-not-record", "record-from-ringing", "record-from-answer", "record-from-ringing-dual",
                   "record-from-answer-dual")
RECORDING_TRIMS = ("trim-silence", "do-not-trim")


def _render_recording(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    trunk = ctx.store.get("trunk", rec["_parent"]) or {}
    return dict(trunk.get("recording") or {"mode": "do-not-record", "trim": "do-not-trim"})


def _update_recording(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """Mode and Trim, each one of the values Twilio's OpenAPI lists (else Twilio's 400)."""
    trunk = ctx.store.get("trunk", rec["_parent"])
    if trunk is None:
        raise TwinError(404, 20404, f"The requested resource {rec['_parent']} was not found")
    current = dict(trunk.get("recording") or {"mode": "do-not-record", "trim": "do-not-trim"})
    for name, allowed in (("Mode", RECORDING_MODES), ("Trim", RECORDING_TRIMS)):
        if name in params:
            if params[name] not in allowed:
                raise TwinError(400, 20001, f"Invalid value for {name}: {params[name]!r}; expected one of "
                                            + ", ".join(allowed))
            current[name.lower()] = params[name]
    trunk["recording"] = current
    ctx.store.update("trunk", trunk["sid"], trunk)
    return current


SPECS: list[Spec] = [
    Spec(kind="trunk", sid_prefix="TK", api="v1", collection="/v1/Trunks", instance="/v1/Trunks/{Sid}",
         list_key="trunks", render=_render_trunk, ops={"create", "list", "fetch", "update", "delete"},
         create_params=TRUNK_PARAMS, update_params=TRUNK_PARAMS, create=_create_trunk,
         update=lambda ctx, rec, params: _trunk_fields(ctx, params, rec), delete=_delete_trunk, host=_HOST),
    Spec(kind="origination_url", sid_prefix="OU", api="v1",
         collection=_T + "/OriginationUrls", instance=_T + "/OriginationUrls/{Sid}", list_key="origination_urls",
         render=_render_origination, ops={"create", "list", "fetch", "update", "delete"}, parent_param="TrunkSid",
         create_params=ORIGINATION_PARAMS, required_params=ORIGINATION_PARAMS, update_params=ORIGINATION_PARAMS,
         create=_create_origination, update=lambda ctx, rec, params: _origination_fields(params, rec),
         host=_HOST),
    _link_spec("trunk_phone_number", "PN", "PhoneNumbers", "PhoneNumberSid", "incoming_phone_number", "phone_numbers",
               render=_render_trunk_number, delete=_delete_trunk_number),
    _link_spec("trunk_credential_list", "CL", "CredentialLists", "CredentialListSid", "credential_list",
               "credential_lists"),
    _link_spec("trunk_ip_access_control_list", "AL", "IpAccessControlLists", "IpAccessControlListSid",
               "ip_access_control_list", "ip_access_control_lists"),
    Spec(kind="trunk_recording", sid_prefix="", api="v1", collection=_T + "/Recording", instance=_T + "/Recording/{Sid}",
         list_key="", render=_render_recording, ops=set(), parent_param="TrunkSid", update_params=["Mode", "Trim"],
         update=_update_recording, host=_HOST, singleton=True),
]
