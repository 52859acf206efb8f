"""Twilio Serverless (Serverless v1): Services, Environments, Functions, Function Versions, Builds, Deployments.

The subset a deployment of two voice handlers needs, as twilio_serverless_v1.json and Twilio's pages
describe it (https://www.twilio.com/docs/serverless/api):

- a Function Version is uploaded as multipart/form-data (`Content`, `Path`, `Visibility`) to
  `https://serverless-upload.twilio.com/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions`
  (https://www.twilio.com/docs/serverless/api/resource/function-version); it is not in the OpenAPI
  description, so the twin follows that page;
- a Build goes `building` → `completed`, or `failed` when a Function's JavaScript does not parse
  (checked with a real ECMAScript parser, function_runtime.syntax_error); the Build resource itself
  carries no error text, as on Twilio;
- a Deployment puts a completed Build on an Environment, whose domain `{domain_base}[-{suffix}].twil.io`
  then serves each Function at its path (`resolve_function_url`), for the line simulation.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .format import TwinError, iso8601, now
from .resource import Ctx, Operation, Spec, base_fields, require

__all__ = ["SPECS", "OPERATIONS", "resolve_function_url", "serve_function_url", "BUILD_SECONDS", "RUNTIMES"]

_HOST = "serverless.twilio.com"
_UPLOAD_HOST = "serverless-upload.twilio.com"
BUILD_SECONDS = 2.0  # how long the twin's packager takes (times ATA_SANDBOX_TIME_SCALE)
RUNTIMES = ("node8", "node10", "node12", "node14", "node16", "node18", "node20", "node22", "node24")
_DEFAULT_RUNTIME = "node22"
_VISIBILITIES = ("public", "protected", "private")
_UNIQUE = re.compile(r"^[A-Za-z0-9-]{1,50}$")


def _url(path: str) -> str:
    return f"https://{_HOST}{path}"


def _service_path(sid: str) -> str:
    return f"/v1/Services/{sid}"


# -- Services ----------------------------------------------------------------------------------------
def _create_service(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    from .resource import bool_param

    require(params, ["UniqueName", "FriendlyName"])
    unique = params["UniqueName"].strip()
    if not _UNIQUE.match(unique):
        raise TwinError(400, 20001, "UniqueName must be 1 to 50 letters, digits or hyphens (it names the "
                                    "service's domain)")
    if len(params["FriendlyName"]) > 255:
        raise TwinError(400, 20001, "FriendlyName must be at most 255 characters")
    if any(s["unique_name"] == unique for s in ctx.store.list("service")):
        raise TwinError(409, 20409, f"Service with UniqueName {unique} already exists")
    suffix = 1000 + ctx.store.next_counter("serverless:domain") % 9000
    return {"unique_name": unique, "friendly_name": params["FriendlyName"],
            "include_credentials": bool_param(params, "IncludeCredentials", True),
            "ui_editable": bool_param(params, "UiEditable", False), "domain_base": f"{unique}-{suffix}"}


def _update_service(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    from .resource import bool_param

    if "FriendlyName" in params:
        rec["friendly_name"] = params["FriendlyName"]
    rec["include_credentials"] = bool_param(params, "IncludeCredentials", rec["include_credentials"])
    rec["ui_editable"] = bool_param(params, "UiEditable", rec["ui_editable"])
    return rec


def _render_service(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    path = _service_path(rec["sid"])
    out = base_fields(ctx, rec, v1=True)
    out.update({"friendly_name": rec["friendly_name"], "unique_name": rec["unique_name"],
                "include_credentials": rec["include_credentials"], "ui_editable": rec["ui_editable"],
                "domain_base": rec["domain_base"], "url": _url(path),
                "links": {name: _url(f"{path}/{name.capitalize()}")
                          for name in ("environments", "functions", "assets", "builds")}})
    return out


def _delete_service(ctx: Ctx, rec: dict[str, Any]) -> None:
    """Deleting a Service deletes everything in it, as Twilio does."""
    store, sid = ctx.store, rec["sid"]
    for environment in store.list("environment", sid):
        store.delete_children(environment["sid"])
    for function in store.list("function", sid):
        store.delete_children(function["sid"])
    store.delete_children(sid)


# -- Environments --------------------------------------------------------------------------------------
def _create_environment(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    require(params, ["UniqueName"])
    unique, suffix = params["UniqueName"].strip(), params.get("DomainSuffix", "").strip()
    if len(unique) > 100:
        raise TwinError(400, 20001, "UniqueName must be at most 100 characters")
    if suffix and not re.fullmatch(r"[A-Za-z0-9-]{1,16}", suffix):
        raise TwinError(400, 20001, "DomainSuffix must be 1 to 16 letters, digits or hyphens")
    if any(e["unique_name"] == unique for e in ctx.store.list("environment", parent)):
        raise TwinError(409, 20409, f"Environment with UniqueName {unique} already exists")
    service = ctx.store.get("service", parent) or {}
    domain = f"{service.get('domain_base')}-{suffix}.twil.io" if suffix else f"{service.get('domain_base')}.twil.io"
    return {"unique_name": unique, "domain_suffix": suffix or None, "domain_name": domain, "build_sid": None,
            "service_sid": parent}


def _render_environment(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    path = f"{_service_path(rec['_parent'])}/Environments/{rec['sid']}"
    out = base_fields(ctx, rec, v1=True)
    out.update({"service_sid": rec["_parent"], "build_sid": rec.get("build_sid"), "unique_name": rec["unique_name"],
                "domain_suffix": rec.get("domain_suffix"), "domain_name": rec["domain_name"], "url": _url(path),
                "links": {name: _url(f"{path}/{name.capitalize()}") for name in ("variables", "deployments", "logs")}})
    return out


def _delete_environment(ctx: Ctx, rec: dict[str, Any]) -> None:
    ctx.store.delete_children(rec["sid"])


# -- Functions and their Versions --------------------------------------------------------------------------
def _function_name(params: dict[str, str]) -> str:
    require(params, ["FriendlyName"])
    if len(params["FriendlyName"]) > 255:
        raise TwinError(400, 20001, "FriendlyName must be at most 255 characters")
    return params["FriendlyName"]


def _create_function(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    return {"friendly_name": _function_name(params), "service_sid": parent}


def _update_function(ctx: Ctx, rec: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    rec["friendly_name"] = _function_name(params)
    return rec


def _render_function(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    path = f"{_service_path(rec['service_sid'])}/Functions/{rec['sid']}"
    out = base_fields(ctx, rec, v1=True)
    out.update({"service_sid": rec["service_sid"], "friendly_name": rec["friendly_name"], "url": _url(path),
                "links": {"function_versions": _url(f"{path}/Versions")}})
    return out


def _delete_function(ctx: Ctx, rec: dict[str, Any]) -> None:
    ctx.store.delete_children(rec["sid"])


def _version_path(rec: dict[str, Any]) -> str:
    return f"{_service_path(rec['service_sid'])}/Functions/{rec['function_sid']}/Versions/{rec['sid']}"


def _render_version(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {"sid": rec["sid"], "account_sid": ctx.account_sid, "service_sid": rec["service_sid"],
            "function_sid": rec["function_sid"], "path": rec["path"], "visibility": rec["visibility"],
            "date_created": iso8601(rec["date_created"]), "url": _url(_version_path(rec)),
            "links": {"function_version_content": _url(_version_path(rec) + "/Content")}}


def _multipart(handler: Any) -> dict[str, tuple[bytes, str | None]]:
    """name -> (bytes, filename) of a multipart/form-data body (RFC 7578)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    ctype = handler.headers.get("Content-Type") or ""
    if not ctype.lower().startswith("multipart/form-data"):
        raise TwinError(400, 20001, "A Function Version is uploaded as multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + handler.raw_body)
    fields: dict[str, tuple[bytes, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True)
            fields[str(name)] = (payload if isinstance(payload, bytes) else b"", part.get_filename())
    return fields


def _upload_version(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    original = (handler.headers.get("X-Sandbox-Original-Host") or _UPLOAD_HOST).lower()
    if original != _UPLOAD_HOST:
        raise TwinError(405, 20004, f"Function Versions are created on {_UPLOAD_HOST}, not {original}")
    service, function = values["ServiceSid"], values["FunctionSid"]
    if ctx.store.get("service", service) is None or ctx.store.get("function", function, service) is None:
        raise TwinError(404, 20404, f"The requested resource {handler.url_path} was not found")
    fields = _multipart(handler)
    for name in ("Content", "Path", "Visibility"):
        if name not in fields or not fields[name][0]:
            raise TwinError(400, 20001, f"Missing required parameter {name} in the post body")
    path = fields["Path"][0].decode("utf-8").strip()
    visibility = fields["Visibility"][0].decode("utf-8").strip().lower()
    if not path.startswith("/") or len(path) > 255:
        raise TwinError(400, 20001, "Path must start with / and be at most 255 characters")
    if visibility not in _VISIBILITIES:
        raise TwinError(400, 20001, "Visibility must be public, protected or private")
    try:
        content = fields["Content"][0].decode("utf-8")
    except UnicodeDecodeError:
        raise TwinError(400, 20001, "Content must be UTF-8 JavaScript") from None
    with ctx.store.transaction():
        sid = ctx.store.new_sid("ZN")
        rec = {"sid": sid, "_parent": function, "service_sid": service, "function_sid": function, "path": path,
               "visibility": visibility, "content": content, "date_created": now(), "date_updated": now()}
        ctx.store.insert("function_version", sid, rec, function)
    handler.send_json(201, _render_version(ctx, rec))


def _serve_content(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    rec = ctx.store.get("function_version", values["Sid"], values["FunctionSid"])
    if rec is None or rec["service_sid"] != values["ServiceSid"]:
        raise TwinError(404, 20404, f"The requested resource {handler.url_path} was not found")
    handler.send_json(200, {"sid": rec["sid"], "account_sid": ctx.account_sid, "service_sid": rec["service_sid"],
                            "function_sid": rec["function_sid"], "content": rec["content"],
                            "url": _url(_version_path(rec) + "/Content")})


# -- Builds ---------------------------------------------------------------------------------------------
def _build_status(rec: dict[str, Any], at: float | None = None) -> str:
    if (now() if at is None else at) < rec["ready_at"]:
        return "building"
    return "failed" if rec.get("failure") else "completed"


def _version_summary(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {"sid": rec["sid"], "account_sid": ctx.account_sid, "service_sid": rec["service_sid"],
            "function_sid": rec["function_sid"], "date_created": iso8601(rec["date_created"]), "path": rec["path"],
            "visibility": rec["visibility"].upper()}


def _render_build(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    path = f"{_service_path(rec['_parent'])}/Builds/{rec['sid']}"
    versions = [ctx.store.get("function_version", sid) for sid in rec["function_versions"]]
    out = base_fields(ctx, rec, v1=True)
    out.update({"service_sid": rec["_parent"], "status": _build_status(rec), "runtime": rec["runtime"],
                "dependencies": rec["dependencies"], "asset_versions": [],
                "function_versions": [_version_summary(ctx, v) for v in versions if v is not None],
                "url": _url(path), "links": {"build_status": _url(path + "/Status")}})
    return out


def _create_build(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    from .calls import time_scale
    from .function_runtime import syntax_error

    service = values["ServiceSid"]
    if ctx.store.get("service", service) is None:
        raise TwinError(404, 20404, f"The requested resource {handler.url_path} was not found")
    form = handler.form
    if form.get("AssetVersions"):
        raise TwinError(400, 20001, "the sandbox builds Functions only (no Asset Versions)")
    versions = []
    for sid in form.get("FunctionVersions", []):
        version = ctx.store.get("function_version", sid)
        if version is None or version["service_sid"] != service:
            raise TwinError(404, 20404, f"Function Version {sid} was not found in service {service}")
        versions.append(version)
    runtime = (form.get("Runtime") or [_DEFAULT_RUNTIME])[-1]
    if runtime not in RUNTIMES:
        raise TwinError(400, 20001, f"Runtime must be one of {', '.join(RUNTIMES)}")
    try:
        dependencies = json.loads((form.get("Dependencies") or ["[]"])[-1])
    except ValueError:
        raise TwinError(400, 20001, "Dependencies must be a JSON array of {name, version}") from None
    failure = next((f"{v['path']}: {error}" for v in versions if (error := syntax_error(v["content"]))), None)
    t = now()
    with ctx.store.transaction():
        sid = ctx.store.new_sid("ZB")
        rec = {"sid": sid, "_parent": service, "function_versions": [v["sid"] for v in versions],
               "dependencies": dependencies, "runtime": runtime, "failure": failure,
               "ready_at": t + BUILD_SECONDS * time_scale(), "date_created": t, "date_updated": t}
        ctx.store.insert("build", sid, rec, service)
    handler.send_json(201, _render_build(ctx, rec))


def _serve_build_status(handler: Any, ctx: Ctx, values: dict[str, str]) -> None:
    rec = ctx.store.get("build", values["Sid"], values["ServiceSid"])
    if rec is None:
        raise TwinError(404, 20404, f"The requested resource {handler.url_path} was not found")
    handler.send_json(200, {"sid": rec["sid"], "account_sid": ctx.account_sid, "service_sid": rec["_parent"],
                            "status": _build_status(rec), "url": _url(handler.url_path)})


def _delete_build(ctx: Ctx, rec: dict[str, Any]) -> None:
    for environment in ctx.store.list("environment", rec["_parent"]):
        if environment.get("build_sid") == rec["sid"]:
            raise TwinError(409, 20409, f"Build {rec['sid']} is deployed to {environment['unique_name']}")


# -- Deployments ------------------------------------------------------------------------------------------
def _create_deployment(ctx: Ctx, params: dict[str, str], parent: str) -> dict[str, Any]:
    environment = ctx.store.get("environment", parent)
    if environment is None:
        raise TwinError(404, 20404, f"Environment {parent} was not found")
    build_sid = params.get("BuildSid", "").strip() or None
    if build_sid is not None:
        build = ctx.store.get("build", build_sid, environment["service_sid"])
        if build is None:
            raise TwinError(404, 20404, f"Build {build_sid} was not found in service {environment['service_sid']}")
        if _build_status(build) != "completed":
            raise TwinError(400, 20001, f"Build {build_sid} is {_build_status(build)}; only a completed build "
                                        "can be deployed")
    environment.update(build_sid=build_sid, date_updated=now())
    ctx.store.update("environment", parent, environment)
    return {"build_sid": build_sid, "environment_sid": parent, "service_sid": environment["service_sid"]}


def _render_deployment(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec, v1=True)
    out.update({"service_sid": rec["service_sid"], "environment_sid": rec["environment_sid"],
                "build_sid": rec["build_sid"],
                "url": _url(f"{_service_path(rec['service_sid'])}/Environments/{rec['environment_sid']}"
                            f"/Deployments/{rec['sid']}")})
    return out


# -- the deployed domain ---------------------------------------------------------------------------------------
def resolve_function_url(store: Any, url: str) -> dict[str, Any] | None:
    """The deployed Function Version a `https://….twil.io/path` URL reaches, or None.

    The record has `content`, `path`, `visibility`, and the `service_sid`/`environment` it was found in.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host.endswith(".twil.io"):
        return None
    environment = next((e for e in store.list("environment") if e["domain_name"].lower() == host), None)
    if environment is None or not environment.get("build_sid"):
        return None
    build = store.get("build", environment["build_sid"])
    if build is None or _build_status(build) != "completed":
        return None
    for sid in build["function_versions"]:
        version = store.get("function_version", sid)
        if version is not None and version["path"] == (parts.path or "/"):
            return {**version, "environment": environment["unique_name"]}
    return None


def serve_function_url(handler: Any, store: Any, auth_token: str) -> None:
    """Answer a request for a deployed Function's URL (the twin standing in for the *.twil.io domain).

    `public` Functions answer anyone; `protected` ones only requests with a valid X-Twilio-Signature
    (checked with the twilio SDK's RequestValidator), else 401; `private` ones have no URL (404).
    A handler the sandbox cannot interpret answers 500 with the reason, as a failing Function does.
    """
    from twilio.request_validator import RequestValidator

    from .function_runtime import NotInterpretable, run_handler

    host = (handler.headers.get("X-Sandbox-Original-Host") or "").lower()
    url = f"https://{host}{handler.url_path}"
    version = resolve_function_url(store, url)
    if version is None or version["visibility"] == "private":
        handler.send_body(404, b"Not Found", "text/plain")
        return
    params = {k: v[-1] for k, v in {**handler.query, **handler.form}.items()}
    if version["visibility"] == "protected":
        full = url + (f"?{handler.path.split('?', 1)[1]}" if "?" in handler.path else "")
        signed = RequestValidator(auth_token).validate(full, {k: v[-1] for k, v in handler.form.items()},
                                                       handler.headers.get("X-Twilio-Signature") or "")
        if not signed:
            handler.send_body(401, b"Unauthorized: a protected Function needs a valid X-Twilio-Signature",
                              "text/plain")
            return
    try:
        twiml = run_handler(version["content"], params)
    except NotInterpretable as exc:
        handler.send_body(500, f"Function error (Twilio error 82002): {exc}".encode(), "text/plain")
        return
    handler.send_body(200, twiml.encode("utf-8"), "text/xml")


_V1 = dict(api="v1", host=_HOST)
SPECS: list[Spec] = [
    Spec(kind="service", sid_prefix="ZS", collection="/v1/Services", instance="/v1/Services/{Sid}",
         list_key="services", render=_render_service, ops={"create", "list", "fetch", "update", "delete"},
         create_params=["FriendlyName", "IncludeCredentials", "UiEditable", "UniqueName"],
         required_params=["FriendlyName", "UniqueName"], update_params=["FriendlyName", "IncludeCredentials", "UiEditable"],
         create=_create_service, update=_update_service, delete=_delete_service, **_V1),  # type: ignore[arg-type]
    Spec(kind="environment", sid_prefix="ZE", collection="/v1/Services/{ServiceSid}/Environments",
         instance="/v1/Services/{ServiceSid}/Environments/{Sid}", list_key="environments",
         render=_render_environment, ops={"create", "list", "fetch", "delete"}, parent_param="ServiceSid",
         create_params=["DomainSuffix", "UniqueName"], required_params=["UniqueName"], create=_create_environment,
         delete=_delete_environment, **_V1),  # type: ignore[arg-type]
    Spec(kind="function", sid_prefix="ZH", collection="/v1/Services/{ServiceSid}/Functions",
         instance="/v1/Services/{ServiceSid}/Functions/{Sid}", list_key="functions", render=_render_function,
         ops={"create", "list", "fetch", "update", "delete"}, parent_param="ServiceSid",
         create_params=["FriendlyName"], required_params=["FriendlyName"], update_params=["FriendlyName"],
         create=_create_function, update=_update_function, delete=_delete_function, **_V1),  # type: ignore[arg-type]
    Spec(kind="function_version", sid_prefix="ZN",
         collection="/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions",
         instance="/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}", list_key="function_versions",
         render=_render_version, ops={"list", "fetch"}, parent_param="FunctionSid", **_V1),  # type: ignore[arg-type]
    Spec(kind="build", sid_prefix="ZB", collection="/v1/Services/{ServiceSid}/Builds",
         instance="/v1/Services/{ServiceSid}/Builds/{Sid}", list_key="builds", render=_render_build,
         ops={"list", "fetch", "delete"}, parent_param="ServiceSid", delete=_delete_build, newest_first=True,
         **_V1),  # type: ignore[arg-type]
    Spec(kind="deployment", sid_prefix="ZD",
         collection="/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments",
         instance="/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments/{Sid}",
         list_key="deployments", render=_render_deployment, ops={"create", "list", "fetch"},
         parent_param="EnvironmentSid", create_params=["BuildSid", "IsPlugin"], create=_create_deployment,
         newest_first=True, **_V1),  # type: ignore[arg-type]
]

def _nothing(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {}


def _empty_list(kind: str, sid_prefix: str, collection: str, list_key: str, parent_param: str,
                list_params: list[str] | None = None) -> Spec:
    """A list the twin links to from its Services and Environments (`links`) and keeps empty: the
    course deploys no Assets and no Variables, and the twin writes no Function logs."""
    return Spec(kind=kind, sid_prefix=sid_prefix, collection=collection, instance=collection + "/{Sid}",
                list_key=list_key, render=_nothing, ops={"list"}, parent_param=parent_param,
                list_params=list_params or [], **_V1)  # type: ignore[arg-type]


SPECS += [
    _empty_list("asset", "ZH", "/v1/Services/{ServiceSid}/Assets", "assets", "ServiceSid"),
    _empty_list("variable", "ZV", "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables", "variables",
                "EnvironmentSid"),
    _empty_list("log", "NO", "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs", "logs", "EnvironmentSid",
                ["FunctionSid", "StartDate", "EndDate"]),
]

OPERATIONS: list[Operation] = [
    Operation(path="/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions", method="POST",
              serve=_upload_version, host=_UPLOAD_HOST, form=["Content", "Path", "Visibility"],
              required_form=["Content", "Path", "Visibility"],
              reference="https://www.twilio.com/docs/serverless/api/resource/function-version"),
    Operation(path="/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}/Content", method="GET",
              serve=_serve_content, host=_HOST),
    Operation(path="/v1/Services/{ServiceSid}/Builds", method="POST", serve=_create_build, host=_HOST,
              form=["AssetVersions", "Dependencies", "FunctionVersions", "Runtime"]),
    Operation(path="/v1/Services/{ServiceSid}/Builds/{Sid}/Status", method="GET", serve=_serve_build_status,
              host=_HOST),
]
