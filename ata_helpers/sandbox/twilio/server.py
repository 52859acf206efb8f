"""The Twilio twin: a local HTTP server that answers the real twilio SDK like Twilio does.

Routing, HTTP Basic auth, form parsing, pagination envelopes (2010 and v1) and error bodies live
here; what each resource accepts and returns lives in its resource module (sip_domains, calls, …).
Calls created here are handed to the line simulation (line.calls), which decides what a real line
would do.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import urlencode

from ...settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from ..http_base import TwinHandler
from ..store import open_store
from .accounts import seed_account_record
from .format import TwinError, error_body, now
from .incoming_phone_numbers import seed_account
from .parameters import check_parameters
from .resource import Ctx, Operation, Spec
from .specs import OPERATIONS, SPECS

__all__ = ["TwilioTwinHandler", "ROUTES", "route_for", "operation_for"]


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile(f"^{pattern}$")


ROUTES: list[tuple[re.Pattern[str], Spec, bool]] = []
for _spec in SPECS:
    ROUTES.append((_compile(_spec.collection), _spec, False))
    ROUTES.append((_compile(_spec.instance), _spec, True))


def route_for(path: str) -> tuple[Spec, bool, dict[str, str]] | None:
    """The resource spec a path belongs to, whether it names one instance, and its path values."""
    for pattern, spec, is_instance in ROUTES:
        match = pattern.match(path)
        if match:
            return spec, is_instance, match.groupdict()
    return None


_OPERATION_ROUTES = [(_compile(op.path), op) for op in OPERATIONS]


def operation_for(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The function-served operation for a method and path, with its path values, or None.

    A path may have some methods served by an operation and others by a Spec (a Function's
    Versions: listed from the store, created by a multipart upload); a path nothing serves is 404.
    """
    for pattern, op in _OPERATION_ROUTES:
        match = pattern.match(path)
        if match and op.method == method:
            return op, match.groupdict()
    return None


def _first(values: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in values.items()}


def _page_token(offset: int) -> str:
    """The PageToken of the page that starts at record `offset` (Twilio's tokens are opaque `PA…`)."""
    return f"PA{offset:08x}"


def _page_of_token(token: str, size: int) -> int:
    """The page a PageToken made by `_page_token` points at; Twilio's 400 for any other token."""
    match = re.fullmatch(r"PA([0-9a-f]{8})", token)
    if match is None:
        raise TwinError(400, 20001, f"Invalid PageToken {token!r}")
    return int(match.group(1), 16) // size


class TwilioTwinHandler(TwinHandler):
    """Answers Twilio REST paths; every request is authenticated like Twilio's API."""

    def route(self, method: str) -> None:
        try:
            self._route(method)
        except TwinError as error:
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if error.status == 401 else None
            self.send_json(error.status, error_body(error), headers)

    # -- plumbing --------------------------------------------------------------------------------
    def _ctx(self) -> Ctx:
        store = open_store(self.server.sandbox_folder)  # type: ignore[attr-defined]
        seed_account(store)
        seed_account_record(store, SANDBOX_ACCOUNT_SID)
        return Ctx(store, SANDBOX_ACCOUNT_SID, self.server.base_url)  # type: ignore[attr-defined]

    def _authenticate(self) -> None:
        creds = self.basic_auth()
        if creds != (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN):
            raise TwinError(401, 20003, "Authenticate")

    def _route(self, method: str) -> None:
        if self.url_path.startswith("/_sandbox/"):
            from .bins import handle_sandbox_path

            handle_sandbox_path(self, method)
            return
        if (self.headers.get("X-Sandbox-Original-Host") or "").lower().endswith(".twil.io"):
            from .serverless import serve_function_url

            serve_function_url(self, open_store(self.server.sandbox_folder), SANDBOX_AUTH_TOKEN)  # type: ignore[attr-defined]
            return
        if self.url_path.startswith("/twiml/"):
            from .bins import serve_bin

            serve_bin(self)
            return
        self._authenticate()
        operation = operation_for(method, self.url_path)
        if operation is not None:
            op, values = operation
            op.serve(self, self._ctx(), values)
            return
        found = route_for(self.url_path)
        if found is None:
            if any(pattern.match(self.url_path) for pattern, _ in _OPERATION_ROUTES):
                raise TwinError(405, 20004, f"Method {method} not allowed on {self.url_path}")
            raise TwinError(404, 20404, f"The requested resource {self.url_path} was not found")
        spec, is_instance, values = found
        if values.get("AccountSid", SANDBOX_ACCOUNT_SID) != SANDBOX_ACCOUNT_SID:
            raise TwinError(404, 20404, f"The requested resource {self.url_path} was not found")
        ctx = self._ctx()
        parent = values.get(spec.parent_param or "", "") if spec.parent_param else ""
        if parent:
            self._require_parent(ctx, spec, parent)
        template = spec.instance if is_instance else spec.collection
        check_parameters(template, method, self.query if method == "GET" else self.form)
        params = _first(self.form)
        if is_instance:
            self._instance(ctx, spec, method, values["Sid"], parent, params)
        else:
            self._collection(ctx, spec, method, parent, params)

    def _require_parent(self, ctx: Ctx, spec: Spec, parent: str) -> None:
        parent_kind = {"DomainSid": "sip_domain", "CredentialListSid": "credential_list",
                       "IpAccessControlListSid": "ip_access_control_list", "TrunkSid": "trunk",
                       "ServiceSid": "service", "FunctionSid": "function",
                       "EnvironmentSid": "environment", "CallSid": "call"}[spec.parent_param or ""]
        if ctx.store.get(parent_kind, parent) is None:
            raise TwinError(404, 20404, f"The requested resource {self.url_path} was not found")

    def _load(self, ctx: Ctx, spec: Spec, sid: str, parent: str) -> dict[str, Any]:
        rec = ctx.store.get(spec.kind, sid, parent)
        if rec is None:
            raise TwinError(404, 20404, f"The requested resource {self.url_path} was not found")
        return rec

    def _instance(self, ctx: Ctx, spec: Spec, method: str, sid: str, parent: str,
                  params: dict[str, str]) -> None:
        if method == "GET" and "fetch" in spec.ops:
            rec = self._load(ctx, spec, sid, parent)
            body = spec.render(ctx, rec)
            if spec.fetch_extra is not None:
                body.update(spec.fetch_extra(ctx, rec))
            self.send_json(200, body)
        elif method == "POST" and "update" in spec.ops and spec.update is not None:
            with ctx.store.transaction():
                rec = self._load(ctx, spec, sid, parent)
                rec = spec.update(ctx, rec, params)
                rec["date_updated"] = now()
                ctx.store.update(spec.kind, sid, rec, parent)
            self.send_json(200, spec.render(ctx, rec))
        elif method == "DELETE" and "delete" in spec.ops:
            with ctx.store.transaction():
                rec = self._load(ctx, spec, sid, parent)
                if spec.delete is not None:
                    spec.delete(ctx, rec)
                ctx.store.delete(spec.kind, sid, parent)
            self.send_json(204, None)
        else:
            raise TwinError(405, 20004, f"Method {method} not allowed on {self.url_path}")

    def _collection(self, ctx: Ctx, spec: Spec, method: str, parent: str, params: dict[str, str]) -> None:
        if spec.singleton:
            self._singleton(ctx, spec, method, parent, params)
            return
        if method == "POST" and "create" in spec.ops and spec.create is not None:
            with ctx.store.transaction():
                data = spec.create(ctx, params, parent)
                sid = data.get("sid") or ctx.store.new_sid(spec.sid_prefix)
                data.update({"sid": sid, "_parent": parent})
                data.setdefault("date_created", now())
                data.setdefault("date_updated", data["date_created"])
                ctx.store.insert(spec.kind, sid, data, parent)
            if spec.kind == "call":
                from ..line.calls import route_call

                data = route_call(ctx.store, data)
            self.send_json(201, spec.render(ctx, data))
        elif method == "GET" and "list" in spec.ops:
            self._list(ctx, spec, parent)
        else:
            raise TwinError(405, 20004, f"Method {method} not allowed on {self.url_path}")

    def _singleton(self, ctx: Ctx, spec: Spec, method: str, parent: str, params: dict[str, str]) -> None:
        if method == "GET":
            self.send_json(200, spec.render(ctx, {"_parent": parent}))
        elif method == "POST" and spec.update is not None:
            with ctx.store.transaction():
                spec.update(ctx, {"_parent": parent}, params)
            self.send_json(200, spec.render(ctx, {"_parent": parent}))
        else:
            raise TwinError(405, 20004, f"Method {method} not allowed on {self.url_path}")

    def _list(self, ctx: Ctx, spec: Spec, parent: str) -> None:
        query = _first(self.query)
        records = ctx.store.list(spec.kind, parent if spec.parent_param else None)
        if spec.list_filter is not None:
            records = spec.list_filter(ctx, records, query)
        if spec.newest_first:
            records.sort(key=lambda r: r["date_created"], reverse=True)
        self.send_page(spec, records, lambda r: spec.render(ctx, r), spec.list_params)

    def send_page(self, spec: Spec, records: list[dict[str, Any]], render: Callable[[dict[str, Any]], dict[str, Any]],
                  filter_names: list[str]) -> None:
        """Answer one page of `records` (PageSize/Page from the query) in the envelope of `spec.api`."""
        query = _first(self.query)
        try:
            size = int(query.get("PageSize", "50"))
            page = int(query.get("Page", "0"))
        except ValueError:
            raise TwinError(400, 20001, "PageSize and Page must be integers") from None
        if not 1 <= size <= 1000 or page < 0:
            raise TwinError(400, 20001, "PageSize must be between 1 and 1000")
        if query.get("PageToken"):
            page = _page_of_token(query["PageToken"], size)
        chunk = records[page * size:(page + 1) * size]
        items = [render(r) for r in chunk]
        filters = {k: v for k, v in query.items() if k in filter_names}
        has_next = (page + 1) * size < len(records)
        if spec.api == "2010":
            self.send_json(200, self._envelope_2010(spec, items, filters, page, size, has_next))
        else:
            self.send_json(200, self._envelope_v1(spec, items, filters, page, size, has_next))

    def _page_query(self, filters: dict[str, str], page: int, size: int) -> str:
        return urlencode({**filters, "PageSize": size, "Page": page})

    def _next_query(self, filters: dict[str, str], page: int, size: int) -> str:
        return f"{self._page_query(filters, page, size)}&PageToken={_page_token(page * size)}"

    def _envelope_2010(self, spec: Spec, items: list[dict[str, Any]], filters: dict[str, str], page: int,
                       size: int, has_next: bool) -> dict[str, Any]:
        path = self.url_path
        start = page * size
        return {
            spec.list_key: items,
            "end": start + max(len(items), 1) - 1,
            "first_page_uri": f"{path}?{self._page_query(filters, 0, size)}",
            "next_page_uri": f"{path}?{self._next_query(filters, page + 1, size)}" if has_next else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": f"{path}?{self._page_query(filters, page - 1, size)}" if page > 0 else None,
            "start": start,
            "uri": f"{path}?{self._page_query(filters, page, size)}",
        }

    def _envelope_v1(self, spec: Spec, items: list[dict[str, Any]], filters: dict[str, str], page: int,
                     size: int, has_next: bool) -> dict[str, Any]:
        base = f"https://{spec.host}{self.url_path}"  # Twilio's host: the client maps it to the twin
        return {
            spec.list_key: items,
            "meta": {
                "first_page_url": f"{base}?{self._page_query(filters, 0, size)}",
                "key": spec.list_key,
                "next_page_url": f"{base}?{self._next_query(filters, page + 1, size)}" if has_next else None,
                "page": page,
                "page_size": size,
                "previous_page_url": f"{base}?{self._page_query(filters, page - 1, size)}" if page > 0 else None,
                "url": f"{base}?{self._page_query(filters, page, size)}",
            },
        }
