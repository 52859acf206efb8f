"""What every resource of the Twilio twin shares: the Spec, its context, and parameter checks.

A resource module (sip_domains, credential_lists, …, named as Twilio names the resource) defines
its Specs with keywords and the functions they point to; `specs.SPECS` gathers them for the server.
Records are kept in the sandbox Store under Twilio's resource names in snake_case; dates as Unix
timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..store import Store
from .format import TwinError, iso8601, now, parse_bool, rfc2822

__all__ = ["Ctx", "Render", "Create", "Update", "Spec", "Operation", "PAGING", "ACCOUNT", "require", "bool_param", "int_param",
           "method_param", "stamp", "base_fields", "account_path", "friendly_name_param",
           "update_friendly_name", "link_create", "delete_with_links", "LIST_LINKS", "sip_list_spec"]


@dataclass
class Ctx:
    """What a resource handler needs: the store, the account, and the twin's own address."""

    store: Store
    account_sid: str
    twin_url: str


Render = Callable[[Ctx, dict[str, Any]], dict[str, Any]]
Create = Callable[[Ctx, dict[str, str], str], dict[str, Any]]
Update = Callable[[Ctx, dict[str, Any], dict[str, str]], dict[str, Any]]

# Path prefix of the 2010 API's account-scoped resources, as in Twilio's OpenAPI paths.
ACCOUNT = "/2010-04-01/Accounts/{AccountSid}"


@dataclass(kw_only=True)
class Spec:
    """One REST resource of the twin, written with keywords: what it serves and how.

    `kind` is the store name (Twilio's resource name in snake_case); `collection` and `instance` are
    path templates as in Twilio's OpenAPI description; the `*_params` lists are exactly the form
    (or query) parameters Twilio documents for that operation.
    """

    kind: str
    sid_prefix: str
    api: str  # "2010" or "v1"
    collection: str  # path template of the list, e.g. "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json"
    instance: str
    list_key: str
    render: Render
    ops: set[str]
    parent_param: str | None = None
    create_params: list[str] = field(default_factory=list)
    required_params: list[str] = field(default_factory=list)
    update_params: list[str] = field(default_factory=list)
    list_params: list[str] = field(default_factory=list)
    create: Create | None = None
    update: Update | None = None
    delete: Callable[[Ctx, dict[str, Any]], None] | None = None
    list_filter: Callable[[Ctx, list[dict[str, Any]], dict[str, str]], list[dict[str, Any]]] | None = None
    newest_first: bool = False
    host: str = "api.twilio.com"
    fetch_extra: Callable[[Ctx, dict[str, Any]], dict[str, Any]] | None = None
    # a single sub-object of its parent at `collection` (no SID, no list): GET renders it, POST updates it
    singleton: bool = False


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One REST operation served by a function rather than by a Spec over stored records.

    For what is not a plain collection of stored records: singletons such as a call's Voice
    Insights Summary, lists derived from other records, multipart uploads. `path` is the template
    as in Twilio's OpenAPI description, `method` its HTTP method, and `serve(handler, ctx, values)`
    answers it (`values` are the path's values); `query` and `form` list the parameter names Twilio
    documents for it. Requests are authenticated before `serve` is called. `reference` is the Twilio
    page that documents an operation the OpenAPI description leaves out (None: it is in the description).
    """

    path: str
    method: str
    serve: Callable[[Any, Ctx, dict[str, str]], None]
    host: str = "api.twilio.com"
    query: list[str] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    required_form: list[str] = field(default_factory=list)
    reference: str | None = None


PAGING = ["PageSize", "Page", "PageToken"]


def require(params: dict[str, str], names: list[str]) -> None:
    """Raise Twilio's 20001 when a required form parameter is missing or blank."""
    for name in names:
        if not params.get(name, "").strip():
            raise TwinError(400, 20001, f"Missing required parameter {name} in the post body")


def bool_param(params: dict[str, str], name: str, default: bool | None = None) -> bool | None:
    """A boolean form parameter ('true'/'false'), `default` when absent; 20001 when neither."""
    if name not in params:
        return default
    value = parse_bool(params[name])
    if value is None:
        raise TwinError(400, 20001, f"Invalid value for {name}: {params[name]!r} is not a boolean")
    return value


def int_param(params: dict[str, str], name: str, low: int, high: int, default: int | None = None) -> int | None:
    """An integer form parameter within [low, high], `default` when absent; 20001 otherwise."""
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise TwinError(400, 20001, f"Invalid value for {name}: {params[name]!r} is not an integer") from None
    if not low <= value <= high:
        raise TwinError(400, 20001, f"{name} must be between {low} and {high}")
    return value


def method_param(params: dict[str, str], name: str, default: str = "POST") -> str:
    """An HTTP method parameter (GET or POST, any case), `default` when absent."""
    value = params.get(name, default).upper()
    if value not in ("GET", "POST"):
        raise TwinError(400, 20001, f"{name} must be GET or POST")
    return value


def stamp(data: dict[str, Any]) -> dict[str, Any]:
    """Set date_updated (and date_created when unset) to now; returns `data`."""
    t = now()
    data.setdefault("date_created", t)
    data["date_updated"] = t
    return data


def base_fields(ctx: Ctx, rec: dict[str, Any], v1: bool = False) -> dict[str, Any]:
    """account_sid, sid and dates as every resource returns them (RFC 2822 in 2010, ISO 8601 in v1)."""
    fmt = iso8601 if v1 else rfc2822
    return {"account_sid": ctx.account_sid, "date_created": fmt(rec["date_created"]),
            "date_updated": fmt(rec["date_updated"]), "sid": rec["sid"]}


def account_path(ctx: Ctx) -> str:
    """`/2010-04-01/Accounts/AC…` of the twin's account, for `uri` fields."""
    return f"/2010-04-01/Accounts/{ctx.account_sid}"


def friendly_name_param(params: dict[str, str], limit: int, code: int) -> str:
    """The required FriendlyName, at most `limit` characters (else Twilio's error `code`)."""
    require(params, ["FriendlyName"])
    name = params["FriendlyName"]
    if len(name) > limit:
        raise TwinError(400, code, f"FriendlyName must be at most {limit} characters")
    return name


def update_friendly_name(limit: int, code: int) -> Update:
    """An update that changes only FriendlyName (credential lists, IP access control lists)."""
    def update(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        rec["friendly_name"] = friendly_name_param(params, limit, code)
        return rec
    return update


def link_create(param: str, list_kind: str, kind: str, duplicate_code: int, duplicate_text: str) -> Create:
    """Create for resources that link an existing list or number to a domain or trunk (sid = its sid)."""
    def create(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
        require(params, [param])
        linked = ctx.store.get(list_kind, params[param])
        if linked is None:
            raise TwinError(404, 20404, f"The requested resource {params[param]} was not found")
        if ctx.store.get(kind, linked["sid"], parent) is not None:
            raise TwinError(400, duplicate_code, f"{linked['sid']} is already {duplicate_text}")
        return {"sid": linked["sid"], "friendly_name": linked["friendly_name"]}
    return create


# Resources whose record SID is the SID of the list they link (deleted with that list).
LIST_LINKS = ("auth_registrations_credential_list_mapping", "auth_calls_credential_list_mapping",
              "auth_calls_ip_access_control_list_mapping", "trunk_credential_list", "trunk_ip_access_control_list")


def delete_with_links(ctx: Ctx, rec: dict[str, Any]) -> None:
    """Delete a list's entries and every mapping or trunk link that names it, as Twilio does."""
    ctx.store.delete_children(rec["sid"])
    for kind in LIST_LINKS:
        ctx.store.delete_everywhere(kind, rec["sid"])


def sip_list_spec(*, kind: str, sid_prefix: str, resource: str, list_key: str, limit: int, limit_text: str,
                  name_limit: int, name_code: int, entries: str, entries_key: str) -> Spec:
    """A SIP list resource under `/SIP/{resource}` (CredentialLists, IpAccessControlLists), as Twilio serves both.

    Created, fetched, listed and renamed by FriendlyName (at most `name_limit` characters, else
    error `name_code`); at most `limit` per account (21239 with `limit_text`); rendered with
    `subresource_uris[entries_key]` pointing at its `entries` collection; deleted with its entries
    and every mapping or trunk link that names it.
    """
    path = f"{ACCOUNT}/SIP/{resource}"

    def create(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
        if ctx.store.count(kind) >= limit:
            raise TwinError(400, 21239, limit_text)
        return {"friendly_name": friendly_name_param(params, name_limit, name_code)}

    def render(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
        base = f"{account_path(ctx)}/SIP/{resource}/{rec['sid']}"
        out = base_fields(ctx, rec)
        out.update({"friendly_name": rec["friendly_name"], "uri": base + ".json",
                    "subresource_uris": {entries_key: f"{base}/{entries}.json"}})
        return out

    return Spec(kind=kind, sid_prefix=sid_prefix, api="2010", collection=path + ".json",
                instance=path + "/{Sid}.json", list_key=list_key, render=render,
                ops={"create", "list", "fetch", "update", "delete"}, create_params=["FriendlyName"],
                required_params=["FriendlyName"], update_params=["FriendlyName"], create=create,
                update=update_friendly_name(name_limit, name_code), delete=delete_with_links)
