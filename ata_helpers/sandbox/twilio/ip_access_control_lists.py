"""IP access control lists and their addresses (Twilio's SipIpAccessControlList and SipIpAddress).

https://www.twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .format import TwinError
from .resource import ACCOUNT, Ctx, Spec, account_path, base_fields, int_param, require, sip_list_spec

__all__ = ["SPECS"]


def _ip_fields(params: dict[str, str], rec: dict[str, Any]) -> dict[str, Any]:
    if "IpAddress" in params:
        try:
            address = ipaddress.IPv4Address(params["IpAddress"].strip())
        except ValueError:
            raise TwinError(400, 21236, f"IpAddress {params['IpAddress']!r} is not a valid IPv4 address") \
                from None
        rec["ip_address"] = str(address)
    if "CidrPrefixLength" in params:
        rec["cidr_prefix_length"] = int_param(params, "CidrPrefixLength", 8, 32)
    if "FriendlyName" in params:
        rec["friendly_name"] = params["FriendlyName"]
    return rec


def _create_ip(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    require(params, ["FriendlyName", "IpAddress"])
    if ctx.store.count("ip_address", parent) >= 100:
        raise TwinError(400, 21237, "Maximum number of addresses (100) reached for this list")
    return _ip_fields(params, {"cidr_prefix_length": 32})


def _render_ip(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec)
    out.update({k: rec[k] for k in ("friendly_name", "ip_address", "cidr_prefix_length")})
    out.update({"ip_access_control_list_sid": rec["_parent"],
                "uri": f"{account_path(ctx)}/SIP/IpAccessControlLists/{rec['_parent']}/IpAddresses/{rec['sid']}.json"})
    return out


_ACLS = ACCOUNT + "/SIP/IpAccessControlLists"

SPECS: list[Spec] = [
    sip_list_spec(kind="ip_access_control_list", sid_prefix="AL", resource="IpAccessControlLists",
                  list_key="ip_access_control_lists", limit=1000,
                  limit_text="Maximum number of IP access control lists (1000) reached",
                  name_limit=255, name_code=21235, entries="IpAddresses", entries_key="ip_addresses"),
    Spec(kind="ip_address", sid_prefix="IP", api="2010",
         collection=_ACLS + "/{IpAccessControlListSid}/IpAddresses.json",
         instance=_ACLS + "/{IpAccessControlListSid}/IpAddresses/{Sid}.json", list_key="ip_addresses",
         render=_render_ip, ops={"create", "list", "fetch", "update", "delete"},
         parent_param="IpAccessControlListSid", create_params=["CidrPrefixLength", "FriendlyName", "IpAddress"],
         required_params=["FriendlyName", "IpAddress"],
         update_params=["CidrPrefixLength", "FriendlyName", "IpAddress"],
         create=_create_ip, update=lambda ctx, rec, params: _ip_fields(params, rec)),
]
