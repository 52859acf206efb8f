"""Credential lists and their credentials (Twilio's SipCredentialList and SipCredential resources).

https://www.twilio.com/docs/voice/sip/api/sip-credentiallist-resource
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .format import TwinError
from .resource import (
    ACCOUNT,
    Ctx,
    Spec,
    account_path,
    base_fields,
    delete_with_links,
    friendly_name_param,
    require,
    update_friendly_name,
)

__all__ = ["SPECS", "password_hash", "check_password"]


def password_hash(password: str) -> str:
    """How the sandbox keeps a SIP password: a SHA-256 digest, never the password itself."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def _create_cl(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    if ctx.store.count("credential_list") >= 100:
        raise TwinError(400, 21239, "Maximum number of credential lists (100) reached for this account")
    return {"friendly_name": friendly_name_param(params, 64, 21240)}


def _render_cl(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    base = f"{account_path(ctx)}/SIP/CredentialLists/{rec['sid']}"
    out = base_fields(ctx, rec)
    out.update({"friendly_name": rec["friendly_name"], "uri": base + ".json",
                "subresource_uris": {"credentials": base + "/Credentials.json"}})
    return out


def check_password(password: str) -> None:
    if (len(password) < 12 or not re.search(r"\d", password) or not re.search(r"[a-z]", password)
            or not re.search(r"[A-Z]", password)):
        raise TwinError(400, 21243, "Password must be at least 12 characters long and contain at least "
                                    "one digit, one lowercase and one uppercase letter")


def _create_credential(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    require(params, ["Username", "Password"])
    username = params["Username"]
    if len(username) > 32:
        raise TwinError(400, 21240, "Username must be at most 32 characters")
    if any(c["username"] == username for c in ctx.store.list("credential", parent)):
        raise TwinError(400, 21240, f"Username {username} already exists in this credential list")
    if ctx.store.count("credential", parent) >= 1000:
        raise TwinError(400, 21242, "Maximum number of credentials (1000) reached for this list")
    check_password(params["Password"])
    return {"username": username, "password_sha256": password_hash(params["Password"])}


def _update_credential(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    if "Password" in params:
        check_password(params["Password"])
        rec["password_sha256"] = password_hash(params["Password"])
    return rec


def _render_credential(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec)
    out.update({"credential_list_sid": rec["_parent"], "username": rec["username"],
                "uri": f"{account_path(ctx)}/SIP/CredentialLists/{rec['_parent']}/Credentials/{rec['sid']}.json"})
    return out


_LISTS = ACCOUNT + "/SIP/CredentialLists"

SPECS: list[Spec] = [
    Spec(kind="credential_list", sid_prefix="CL", api="2010",
         collection=_LISTS + ".json", instance=_LISTS + "/{Sid}.json", list_key="credential_lists",
         render=_render_cl, ops={"create", "list", "fetch", "update", "delete"},
         create_params=["FriendlyName"], required_params=["FriendlyName"], update_params=["FriendlyName"],
         create=_create_cl, update=update_friendly_name(64, 21240), delete=delete_with_links),
    Spec(kind="credential", sid_prefix="CR", api="2010",
         collection=_LISTS + "/{CredentialListSid}/Credentials.json",
         instance=_LISTS + "/{CredentialListSid}/Credentials/{Sid}.json", list_key="credentials",
         render=_render_credential, ops={"create", "list", "fetch", "update", "delete"},
         parent_param="CredentialListSid", create_params=["Password", "Username"],
         required_params=["Password", "Username"], update_params=["Password"],
         create=_create_credential, update=_update_credential),
]
