"""Extract, from Twilio's OpenAPI description, the subset of paths the sandbox twin serves.

Source: the npm package @twilio/cli-core (MIT), which ships Twilio's generated OpenAPI files
(src/services/twilio-api/twilio_api_v2010.json, twilio_trunking_v1.json, twilio_monitor_v1.json,
twilio_insights_v1.json, twilio_serverless_v1.json).
The output, tests/data/twilio_openapi_subset.json, lists per path and method: the query and
form parameter names (with the required ones), the enum values of query and form parameters,
and the field names of returned objects. A second output, tests/data/twilio_openapi_responses.json,
holds each operation's JSON response schemas (references resolved, OpenAPI 3.0 `nullable` turned
into JSON Schema null types) for a JSON-schema validator; a third, in the package,
ata_helpers/data/twilio_openapi_parameters.json, the enum and boolean parameters the twin validates.
Run:  npm pack @twilio/cli-core@9.0.0 && tar xzf twilio-cli-core-9.0.0.tgz
      python scripts/extract_openapi_subset.py package/src/services/twilio-api
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SPECS = {
    "twilio_api_v2010.json": [
        "/2010-04-01/Accounts.json",
        "/2010-04-01/Accounts/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/CredentialListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/CredentialListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/IpAccessControlListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/IpAccessControlListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/OutgoingCallerIds.json",  # a call's From may be a verified caller ID
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/Calls.json",
        "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Events.json",
        "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Notifications.json",
        "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json",
    ],
    "twilio_trunking_v1.json": [
        "/v1/Trunks",
        "/v1/Trunks/{Sid}",
        "/v1/Trunks/{TrunkSid}/OriginationUrls",
        "/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}",
        "/v1/Trunks/{TrunkSid}/CredentialLists",
        "/v1/Trunks/{TrunkSid}/CredentialLists/{Sid}",
        "/v1/Trunks/{TrunkSid}/IpAccessControlLists",
        "/v1/Trunks/{TrunkSid}/IpAccessControlLists/{Sid}",
        "/v1/Trunks/{TrunkSid}/Recording",
    ],
    "twilio_monitor_v1.json": [
        "/v1/Alerts",
        "/v1/Alerts/{Sid}",
    ],
    "twilio_insights_v1.json": [
        "/v1/Voice/{CallSid}/Summary",
        "/v1/Voice/{CallSid}/Events",
    ],
    "twilio_serverless_v1.json": [
        "/v1/Services",
        "/v1/Services/{Sid}",
        "/v1/Services/{ServiceSid}/Environments",
        "/v1/Services/{ServiceSid}/Environments/{Sid}",
        "/v1/Services/{ServiceSid}/Functions",
        "/v1/Services/{ServiceSid}/Functions/{Sid}",
        "/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions",
        "/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}",
        "/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}/Content",
        "/v1/Services/{ServiceSid}/Builds",
        "/v1/Services/{ServiceSid}/Builds/{Sid}",
        "/v1/Services/{ServiceSid}/Builds/{Sid}/Status",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments/{Sid}",
        # linked from every Service and Environment the twin returns (`links`): served, empty
        "/v1/Services/{ServiceSid}/Assets",
        "/v1/Services/{ServiceSid}/Assets/{Sid}",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs",
        "/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs/{Sid}",
    ],
}

PAGING = {"PageSize", "Page", "PageToken"}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _operation(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"query": [], "path": [], "form": [], "required_form": []}
    enums: dict[str, list[str]] = {}
    booleans: list[str] = []

    def kinds(name: str, schema: dict[str, Any]) -> None:
        schema = _resolve(spec, schema)
        if schema.get("enum"):
            enums[name] = list(schema["enum"])
        elif schema.get("type") == "boolean":
            booleans.append(name)

    for param in op.get("parameters", []):
        where = param["in"]
        if where in ("query", "path"):
            out[where].append(param["name"])
            kinds(param["name"], param.get("schema", {}))
    body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if body:
        schema = _resolve(spec, body["schema"])
        out["form"] = sorted(schema.get("properties", {}))
        out["required_form"] = sorted(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            kinds(name, prop)
    if enums:
        out["enums"] = enums
    if booleans:
        out["booleans"] = sorted(booleans)
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {}).get("application/json")
        out.setdefault("status", []).append(int(status))
        if not content:
            continue
        schema = _resolve(spec, content["schema"])
        props = schema.get("properties", {})
        arrays = {k: v for k, v in props.items() if v.get("type") == "array" and "items" in v
                  and "$ref" in v["items"]}
        if arrays and ("meta" in props or "page" in props):
            key, array = next(iter(arrays.items()))
            out["list_key"] = key
            out["envelope"] = sorted(k for k in props if k != key)
            out["fields"] = sorted(_resolve(spec, array["items"]).get("properties", {}))
            if "meta" in props:
                out["meta"] = sorted(_resolve(spec, props["meta"]).get("properties", {}))
        else:
            out["fields"] = sorted(props)
    return out


def _json_schema(spec: dict[str, Any], schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: $refs inlined, `nullable` as a null type."""
    if isinstance(schema, list):
        return [_json_schema(spec, item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = _resolve(spec, schema)
    out = {k: _json_schema(spec, v) for k, v in schema.items()
           if k not in ("nullable", "description", "example", "examples", "x-twilio")}
    if "properties" in schema:
        out["properties"] = {k: _json_schema(spec, v) for k, v in schema["properties"].items()}
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def responses(folder: Path) -> dict[str, Any]:
    """path -> METHOD -> status -> JSON Schema of the response body, for every path in SPECS."""
    result: dict[str, Any] = {"source": "@twilio/cli-core@9.0.0 src/services/twilio-api", "paths": {}}
    for filename, paths in SPECS.items():
        spec = json.loads((folder / filename).read_text())
        for path in paths:
            for method, op in spec["paths"][path].items():
                if method not in ("get", "post", "delete"):
                    continue
                for status, response in op.get("responses", {}).items():
                    content = response.get("content", {}).get("application/json")
                    if content:
                        result["paths"].setdefault(path, {}).setdefault(method.upper(), {})[status] = \
                            _json_schema(spec, content["schema"])
    return result


def parameter_kinds(subset: dict[str, Any]) -> dict[str, Any]:
    """path -> METHOD -> {"enums": {name: values}, "booleans": [names]}: what the twin validates
    (ata_helpers/data/twilio_openapi_parameters.json, read by ata_helpers.sandbox.twilio.parameters)."""
    out: dict[str, Any] = {"source": subset["source"], "paths": {}}
    for path, methods in subset["paths"].items():
        for method, op in methods.items():
            if op.get("enums") or op.get("booleans"):
                out["paths"].setdefault(path, {})[method] = {"enums": op.get("enums", {}),
                                                             "booleans": op.get("booleans", [])}
    return out


def extract(folder: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"source": "@twilio/cli-core@9.0.0 src/services/twilio-api", "paths": {}}
    for filename, paths in SPECS.items():
        spec = json.loads((folder / filename).read_text())
        for path in paths:
            item = spec["paths"][path]
            result["paths"][path] = {
                method.upper(): _operation(spec, op)
                for method, op in item.items() if method in ("get", "post", "delete")
            }
    return result


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "package/src/services/twilio-api")
    target = Path(__file__).resolve().parents[1] / "tests" / "data" / "twilio_openapi_subset.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(extract(folder), indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}")
    parameters = Path(__file__).resolve().parents[1] / "ata_helpers" / "data" / "twilio_openapi_parameters.json"
    parameters.write_text(json.dumps(parameter_kinds(extract(folder)), indent=1, sort_keys=True) + "\n")
    print(f"wrote {parameters}")
    schemas = target.with_name("twilio_openapi_responses.json")
    schemas.write_text(json.dumps(responses(folder), indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {schemas}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
