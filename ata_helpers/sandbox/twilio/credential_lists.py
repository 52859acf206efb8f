"""Credential lists and their credentials (Twilio's SipCredentialList and SipCredential resources).

https://www.twilio.com/docs/voice/sip/api/sip-credentiallist-resource
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .format import TwinError
from .resource import ACCOUNT, Ctx, Spec, account_path, base_fields, require, sip_list_spec

__all__ = ["SPECS", "password_hash", "check_password"]


def password_hash(password: str) -> str:
    """How the sandbox keeps a SIP password: a SHA-256 digest, never the password itself."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


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
    sip_list_spec(kind="credential_list", sid_prefix="CL", resource="CredentialLists", list_key="credential_lists",
                  limit=100, limit_text="Maximum number of credential lists (100) reached for this account",
                  name_limit=64, name_code=21240, entries="Credentials", entries_key="credentials"),
    Spec(kind="credential", sid_prefix="CR", api="2010",
         collection=_LISTS + "/{CredentialListSid}/Credentials.json",
         instance=_LISTS + "/{CredentialListSid}/Credentials/{Sid}.json", list_key="credentials",
         render=_render_credential, ops={"create", "list", "fetch", "update", "delete"},
         parent_param="CredentialListSid", create_params=["Password", "Username"],
         required_params=["Password", "Username"], update_params=["Password"],
         create=_create_credential, update=_update_credential),
]
