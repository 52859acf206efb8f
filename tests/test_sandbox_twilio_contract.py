"""Contract tests: the twin serves only documented routes, accepts exactly the documented
parameter names, and returns objects with exactly the documented field names.

The reference is tests/data/twilio_openapi_subset.json, extracted from Twilio's own OpenAPI
description by scripts/extract_openapi_subset.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from ata_helpers.sandbox import twin_url
from ata_helpers.sandbox.twilio.resource import PAGING, Spec
from ata_helpers.sandbox.twilio.specs import SPECS
from ata_helpers.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

SUBSET = json.loads((Path(__file__).parent / "data" / "twilio_openapi_subset.json").read_text())["paths"]
AUTH = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)


def _ops(spec: Spec) -> list[tuple[str, str, str]]:
    """(path template, HTTP method, operation name) the twin serves for a spec."""
    table = {"create": (spec.collection, "POST"), "list": (spec.collection, "GET"),
             "fetch": (spec.instance, "GET"), "update": (spec.instance, "POST"),
             "delete": (spec.instance, "DELETE")}
    return [(*table[op], op) for op in sorted(spec.ops)]


ALL_OPS = [(spec, path, method, op) for spec in SPECS for path, method, op in _ops(spec)]


@pytest.mark.parametrize("spec,path,method,op", ALL_OPS, ids=[f"{s.kind}-{o}" for s, _, _, o in ALL_OPS])
def test_every_served_route_is_documented(spec: Spec, path: str, method: str, op: str) -> None:
    assert path in SUBSET, f"{path} is not in Twilio's OpenAPI description"
    assert method in SUBSET[path], f"{method} {path} is not documented"


@pytest.mark.parametrize("spec,path,method,op", ALL_OPS, ids=[f"{s.kind}-{o}" for s, _, _, o in ALL_OPS])
def test_parameter_names_match(spec: Spec, path: str, method: str, op: str) -> None:
    documented = SUBSET[path][method]
    if op == "create":
        assert sorted(spec.create_params) == documented["form"]
        assert sorted(spec.required_params) == documented["required_form"]
    elif op == "update":
        assert sorted(spec.update_params) == documented["form"]
    elif op == "list":
        expected = sorted(set(documented["query"]))
        assert sorted(spec.list_params + PAGING) == expected


def _documented_fields(path: str, method: str) -> list[str]:
    return SUBSET[path][method]["fields"]


def _url(path: str, **values: str) -> str:
    filled = path.replace("{AccountSid}", SANDBOX_ACCOUNT_SID)
    for key, value in values.items():
        filled = filled.replace("{" + key + "}", value)
    return twin_url() + filled


def _post(path: str, data: dict[str, Any], **values: str) -> dict[str, Any]:
    response = requests.post(_url(path, **values), data=data, auth=AUTH, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


HELLO = """exports.handler = function (context, event, callback) {
  const twiml = new Twilio.twiml.VoiceResponse();
  twiml.say('hello');
  return callback(null, twiml);
};
"""


@pytest.fixture()
def world(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One of every resource, made through the HTTP API exactly as the SDK would."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")  # builds complete in 20 ms
    by_kind = {s.kind: s for s in SPECS}
    domain = _post(by_kind["sip_domain"].collection, {"DomainName": "contract.sip.twilio.com"})
    cl = _post(by_kind["credential_list"].collection, {"FriendlyName": "contract list"})
    cred = _post(by_kind["credential"].collection, {"Username": "ht801", "Password": "Contract12345"},
                 CredentialListSid=cl["sid"])
    acl = _post(by_kind["ip_access_control_list"].collection, {"FriendlyName": "contract acl"})
    ip = _post(by_kind["ip_address"].collection, {"FriendlyName": "home", "IpAddress": "203.0.113.7"},
               IpAccessControlListSid=acl["sid"])
    maps = {kind: _post(by_kind[kind].collection, {param: sid}, DomainSid=domain["sid"])
            for kind, param, sid in (
                ("auth_registrations_credential_list_mapping", "CredentialListSid", cl["sid"]),
                ("auth_calls_credential_list_mapping", "CredentialListSid", cl["sid"]),
                ("auth_calls_ip_access_control_list_mapping", "IpAccessControlListSid", acl["sid"]))}
    trunk = _post(by_kind["trunk"].collection, {"FriendlyName": "contract trunk"})
    ou = _post(by_kind["origination_url"].collection,
               {"Weight": "10", "Priority": "10", "Enabled": "true", "FriendlyName": "ata",
                "SipUrl": "sip:ht801@contract.sip.us1.twilio.com"}, TrunkSid=trunk["sid"])
    numbers = requests.get(_url(by_kind["incoming_phone_number"].collection), auth=AUTH, timeout=10).json()
    number = numbers["incoming_phone_numbers"][1]
    tpn = _post(by_kind["trunk_phone_number"].collection, {"PhoneNumberSid": number["sid"]},
                TrunkSid=trunk["sid"])
    tcl = _post(by_kind["trunk_credential_list"].collection, {"CredentialListSid": cl["sid"]},
                TrunkSid=trunk["sid"])
    tacl = _post(by_kind["trunk_ip_access_control_list"].collection, {"IpAccessControlListSid": acl["sid"]},
                 TrunkSid=trunk["sid"])
    call = _post(by_kind["call"].collection, {"To": "sip:ht801@contract.sip.twilio.com",
                                              "From": "+14155550100", "Twiml": "<Response/>"})
    alerts = requests.get(_url(by_kind["alert"].collection), auth=AUTH, timeout=10).json()["alerts"]
    service = _post(by_kind["service"].collection, {"UniqueName": "contract", "FriendlyName": "contract"})
    environment = _post(by_kind["environment"].collection, {"UniqueName": "dev", "DomainSuffix": "dev"},
                        ServiceSid=service["sid"])
    function = _post(by_kind["function"].collection, {"FriendlyName": "hello"}, ServiceSid=service["sid"])
    upload = requests.post(_url(by_kind["function_version"].collection, ServiceSid=service["sid"],
                                FunctionSid=function["sid"]), auth=AUTH, timeout=10,
                           files={"Content": ("hello.js", HELLO, "application/javascript")},
                           data={"Path": "/hello", "Visibility": "protected"})
    assert upload.status_code == 201, upload.text
    build = _post(by_kind["build"].collection, {"FunctionVersions": upload.json()["sid"]}, ServiceSid=service["sid"])
    for _ in range(100):
        if requests.get(_url(by_kind["build"].instance, ServiceSid=service["sid"], Sid=build["sid"]),
                        auth=AUTH, timeout=10).json()["status"] != "building":
            break
        time.sleep(0.05)
    deployment = _post(by_kind["deployment"].collection, {"BuildSid": build["sid"]}, ServiceSid=service["sid"],
                       EnvironmentSid=environment["sid"])
    sids = {"sip_domain": ({"Sid": domain["sid"]}), "credential_list": {"Sid": cl["sid"]},
            "credential": {"CredentialListSid": cl["sid"], "Sid": cred["sid"]},
            "ip_access_control_list": {"Sid": acl["sid"]},
            "ip_address": {"IpAccessControlListSid": acl["sid"], "Sid": ip["sid"]},
            "incoming_phone_number": {"Sid": number["sid"]}, "call": {"Sid": call["sid"]},
            "trunk": {"Sid": trunk["sid"]}, "origination_url": {"TrunkSid": trunk["sid"], "Sid": ou["sid"]},
            "trunk_phone_number": {"TrunkSid": trunk["sid"], "Sid": tpn["sid"]},
            "trunk_credential_list": {"TrunkSid": trunk["sid"], "Sid": tcl["sid"]},
            "trunk_ip_access_control_list": {"TrunkSid": trunk["sid"], "Sid": tacl["sid"]},
            "alert": {"Sid": alerts[0]["sid"]}, "service": {"Sid": service["sid"]},
            "environment": {"ServiceSid": service["sid"], "Sid": environment["sid"]},
            "function": {"ServiceSid": service["sid"], "Sid": function["sid"]},
            "function_version": {"ServiceSid": service["sid"], "FunctionSid": function["sid"],
                                 "Sid": upload.json()["sid"]},
            "build": {"ServiceSid": service["sid"], "Sid": build["sid"]},
            "deployment": {"ServiceSid": service["sid"], "EnvironmentSid": environment["sid"],
                           "Sid": deployment["sid"]}, "account": {"Sid": SANDBOX_ACCOUNT_SID}}
    legacy = {"CredentialListMappings": cl["sid"], "IpAccessControlListMappings": acl["sid"]}
    for spec in SPECS:
        for collection, sid in legacy.items():
            if spec.collection.endswith(f"/{{DomainSid}}/{collection}.json"):
                sids[f"legacy {collection}"] = {"DomainSid": domain["sid"], "Sid": sid}
    for kind, mapping in maps.items():
        sids[kind] = {"DomainSid": domain["sid"], "Sid": mapping["sid"]}
    return sids


FIELD_SPECS = [s for s in SPECS if "fetch" in s.ops]


def _world_key(spec: Spec) -> str:
    legacy = spec.collection.rsplit("/", 1)[-1].removesuffix(".json")
    return f"legacy {legacy}" if "/{DomainSid}/" in spec.collection and "/Auth/" not in spec.collection else spec.kind


@pytest.mark.parametrize("spec", FIELD_SPECS, ids=[_world_key(s) for s in FIELD_SPECS])
def test_returned_fields_match(spec: Spec, world: dict[str, Any]) -> None:
    values = world[_world_key(spec)]
    parents = {k: v for k, v in values.items() if k != "Sid"}
    fetched = requests.get(_url(spec.instance, **values), auth=AUTH, timeout=10)
    assert fetched.status_code == 200, fetched.text
    assert sorted(fetched.json()) == _documented_fields(spec.instance, "GET")
    listed = requests.get(_url(spec.collection, **parents), auth=AUTH, timeout=10)
    assert listed.status_code == 200
    body = listed.json()
    documented = SUBSET[spec.collection]["GET"]
    assert spec.list_key == documented["list_key"]
    assert sorted(k for k in body if k != spec.list_key) == documented["envelope"]
    if "meta" in body:
        assert sorted(body["meta"]) == documented["meta"]
    assert body[spec.list_key], f"{spec.kind} list is empty"
    for item in body[spec.list_key]:
        assert sorted(item) == documented["fields"]


def test_a_drifted_field_name_would_be_caught() -> None:
    """The comparison above is strict: one renamed field makes the sets differ."""
    documented = _documented_fields("/v1/Trunks/{Sid}", "GET")
    drifted = [("domainName" if f == "domain_name" else f) for f in documented]
    assert sorted(drifted) != documented


EMPTY_LISTS = [s for s in SPECS if s.ops == {"list"}]


@pytest.mark.parametrize("spec", EMPTY_LISTS, ids=[s.kind for s in EMPTY_LISTS])
def test_advertised_lists_are_served_empty_with_the_documented_envelope(spec: Spec,
                                                                             world: dict[str, Any]) -> None:
    parents = {"CallSid": world["call"]["Sid"], "ServiceSid": world["environment"]["ServiceSid"],
               "EnvironmentSid": world["environment"]["Sid"]}
    listed = requests.get(_url(spec.collection, **parents), auth=AUTH, timeout=10)
    assert listed.status_code == 200, listed.text
    documented = SUBSET[spec.collection]["GET"]
    assert spec.list_key == documented["list_key"] and listed.json()[spec.list_key] == []
    assert sorted(k for k in listed.json() if k != spec.list_key) == documented["envelope"]
    if spec.parent_param is None:
        return  # a list of the account itself: no parent that could be missing
    missing = requests.get(_url(spec.collection, **{**parents, spec.parent_param: "XX" + "0" * 32}),
                           auth=AUTH, timeout=10)
    assert missing.status_code == 404 and missing.json()["code"] == 20404


def test_trunk_recording_is_served_and_validates_its_enums(world: dict[str, Any]) -> None:
    path = "/v1/Trunks/{TrunkSid}/Recording"
    url = _url(path, TrunkSid=world["trunk"]["Sid"])
    fetched = requests.get(url, auth=AUTH, timeout=10)
    assert fetched.status_code == 200 and sorted(fetched.json()) == SUBSET[path]["GET"]["fields"]
    assert fetched.json() == {"mode": "do-not-record", "trim": "do-not-trim"}
    enums = SUBSET[path]["POST"]["enums"]
    assert sorted(SUBSET[path]["POST"]["form"]) == ["Mode", "Trim"]
    changed = requests.post(url, data={"Mode": enums["Mode"][2], "Trim": enums["Trim"][0]}, auth=AUTH, timeout=10)
    assert changed.status_code == 200 and changed.json() == {"mode": enums["Mode"][2], "trim": enums["Trim"][0]}
    refused = requests.post(url, data={"Mode": "record-everything"}, auth=AUTH, timeout=10)
    assert refused.status_code == 400 and refused.json()["code"] == 20001
    assert requests.get(url, auth=AUTH, timeout=10).json()["mode"] == enums["Mode"][2]


def _validated() -> list[tuple[str, str, str, str]]:
    """(path, method, parameter, a value Twilio's description does not allow) for every served operation."""
    served = {(path, method) for spec in SPECS for path, method, _ in _ops(spec)}
    served |= {(s.collection, "POST") for s in SPECS if s.singleton}
    out = []
    for (path, method) in sorted(served):
        documented = SUBSET.get(path, {}).get(method, {})
        for name, values in sorted(documented.get("enums", {}).items()):
            out.append((path, method, name, values[0].upper() if values[0].upper() != values[0] else values[0].lower()))
            out.append((path, method, name, "not-a-documented-value"))
        for name in documented.get("booleans", []):
            out += [(path, method, name, "TRUE"), (path, method, name, "1")]
    return out


VALIDATED = _validated()


@pytest.mark.parametrize("path,method,name,value", VALIDATED, ids=[f"{m} {p.rsplit('/', 1)[-1]} {n}={v}"
                                                                  for p, m, n, v in VALIDATED])
def test_enum_and_boolean_parameters_are_validated_as_documented(path: str, method: str, name: str, value: str,
                                                                 world: dict[str, Any]) -> None:
    values = {"CallSid": world["call"]["Sid"], "TrunkSid": world["trunk"]["Sid"], "DomainSid": world["sip_domain"]["Sid"]}
    for known in world.values():
        values.update({k: v for k, v in known.items() if k != "Sid" and k not in values})
    kind = next((s.kind for s in SPECS if s.instance == path), None)
    if kind is not None:
        values.update(world[kind])
    send = requests.get if method == "GET" else requests.post
    answer = send(_url(path, **values), **({"params": {name: value}} if method == "GET" else {"data": {name: value}}),
                  auth=AUTH, timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 20001 and name in answer.json()["message"]


def test_the_validated_parameters_cover_the_setup_story() -> None:
    names = {(p.rsplit("/", 1)[-1], n) for p, _, n, _ in VALIDATED}
    for wanted in [("Domains.json", "SipRegistration"), ("Domains.json", "VoiceMethod"), ("Calls.json", "Status"),
                   ("{Sid}.json", "VoiceMethod"), ("OriginationUrls", "Enabled"), ("Recording", "Mode")]:
        assert wanted in names, wanted
