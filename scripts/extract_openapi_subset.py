"""Extract, from Twilio's OpenAPI description, the subset of paths the sandbox twin serves.

Source: the npm package @twilio/cli-core (MIT), which ships Twilio's generated OpenAPI files
(src/services/twilio-api/twilio_api_v2010.json, twilio_trunking_v1.json, twilio_monitor_v1.json,
twilio_insights_v1.json, twilio_serverless_v1.json).
The output, tests/data/twilio_openapi_subset.json, lists per path and method: the query and
form parameter names (with the required ones), and the field names of returned objects.
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
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings/{Sid}.json",
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
    for param in op.get("parameters", []):
        where = param["in"]
        if where in ("query", "path"):
            out[where].append(param["name"])
    body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if body:
        schema = _resolve(spec, body["schema"])
        out["form"] = sorted(schema.get("properties", {}))
        out["required_form"] = sorted(schema.get("required", []))
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
