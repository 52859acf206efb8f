"""The twin speaks HTTP as Twilio does: connection handling, JSON errors for every method, paging
tokens, the spec's date filters, the account, numbers bought and released, finished calls deleted."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

import ata_helpers as ata
from ata_helpers.sandbox import twin_url
from ata_helpers.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

AUTH = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
API = f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}"


def _raw(method: str, path: str, headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    parts = urlsplit(twin_url())
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    import base64

    token = base64.b64encode(f"{AUTH[0]}:{AUTH[1]}".encode()).decode()
    connection.request(method, path, headers={"Authorization": f"Basic {token}", **(headers or {})})
    response = connection.getresponse()
    return response, response.read()


def test_connection_close_is_said_whenever_the_twin_closes() -> None:
    response, _ = _raw("GET", f"{API}/IncomingPhoneNumbers.json", {"Connection": "close"})
    assert response.status == 200 and response.getheader("Connection") == "close"
    kept, _ = _raw("GET", f"{API}/IncomingPhoneNumbers.json")
    assert kept.status == 200 and kept.getheader("Connection") is None  # HTTP/1.1 keep-alive


@pytest.mark.parametrize("method", ["PATCH", "PUT", "OPTIONS", "TRACE", "PROPFIND"])
def test_every_method_gets_a_json_405_with_twilios_code(method: str) -> None:
    response, body = _raw(method, f"{API}/SIP/Domains.json")
    assert response.status == 405 and response.getheader("Content-Type") == "application/json"
    payload = json.loads(body)
    assert payload["code"] == 20004 and payload["status"] == 405 and payload["more_info"].endswith("/20004")


def test_an_unknown_path_is_a_json_404() -> None:
    answer = requests.get(twin_url() + f"{API}/Nothing.json", auth=AUTH, timeout=10)
    assert answer.status_code == 404 and answer.json()["code"] == 20404


def test_page_token_is_honoured_and_a_bad_one_refused() -> None:
    client = ata.twilio_client()
    acl = client.sip.ip_access_control_lists.create(friendly_name="paging")
    made = [acl.ip_addresses.create(friendly_name=f"a{i}", ip_address=f"198.51.100.{i + 1}").sid for i in range(5)]
    url = twin_url() + f"{API}/SIP/IpAccessControlLists/{acl.sid}/IpAddresses.json"
    first = requests.get(url, params={"PageSize": 2}, auth=AUTH, timeout=10).json()
    token = first["next_page_uri"].split("PageToken=")[1]
    second = requests.get(url, params={"PageSize": 2, "PageToken": token}, auth=AUTH, timeout=10).json()
    assert [a["sid"] for a in second["ip_addresses"]] == made[2:4] and second["page"] == 1
    bad = requests.get(url, params={"PageSize": 2, "PageToken": "PAnot-a-token"}, auth=AUTH, timeout=10)
    assert bad.status_code == 400 and bad.json()["code"] == 20001


@pytest.mark.parametrize("name, value", [("StartTime", "2008-01-02"), ("StartTime<", "2008-01-02"),
                                         ("StartTime>", "2008-01-02"), ("StartTime<", "06/11/2019 22:05:25 MST"),
                                         ("EndTime>", "2019-06-11T22:05:25Z")])
def test_call_date_filters_accept_the_specs_examples(name: str, value: str) -> None:
    answer = requests.get(twin_url() + f"{API}/Calls.json", params={name: value}, auth=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    refused = requests.get(twin_url() + f"{API}/Calls.json", params={name: "last tuesday"}, auth=AUTH, timeout=10)
    assert refused.status_code == 400 and refused.json()["code"] == 20001


def test_the_account_is_served_and_listed() -> None:
    client = ata.twilio_client()
    account = client.api.v2010.accounts(SANDBOX_ACCOUNT_SID).fetch()
    assert account.sid == SANDBOX_ACCOUNT_SID and account.status == "active"
    assert [a.sid for a in client.api.v2010.accounts.list()] == [SANDBOX_ACCOUNT_SID]
    with pytest.raises(TwilioRestException) as missing:
        client.api.v2010.accounts("AC" + "0" * 32).fetch()
    assert missing.value.status == 404


def test_numbers_are_bought_from_the_pool_and_released() -> None:
    client = ata.twilio_client()
    bought = client.incoming_phone_numbers.create(area_code="202", voice_url="https://example.com/v.xml")
    assert bought.phone_number == "+12025550100" and bought.voice_url == "https://example.com/v.xml"
    again = client.incoming_phone_numbers.create(phone_number="+12025550101")
    with pytest.raises(TwilioRestException) as taken:
        client.incoming_phone_numbers.create(phone_number="+12025550101")
    assert (taken.value.status, taken.value.code) == (400, 21422)
    with pytest.raises(TwilioRestException) as none_left:
        client.incoming_phone_numbers.create(area_code="202")
    assert none_left.value.code == 21452
    assert client.incoming_phone_numbers(again.sid).delete() is True
    assert client.incoming_phone_numbers.create(area_code="202").phone_number == "+12025550101"
    numbers = {n.phone_number for n in client.incoming_phone_numbers.list()}
    assert {"+14155550100", "+12025550100", "+12025550101"} <= numbers


def test_a_finished_call_can_be_deleted_an_unfinished_one_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.02")
    client = ata.twilio_client()
    call = client.calls.create(to="+14155550123", from_="+14155550100", twiml="<Response><Say>hi</Say></Response>")
    with pytest.raises(TwilioRestException) as going:
        client.calls(call.sid).delete()
    assert (going.value.status, going.value.code) == (400, 21220)
    deadline = time.monotonic() + 10
    while client.calls(call.sid).fetch().status != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.calls(call.sid).delete() is True
    with pytest.raises(TwilioRestException) as gone:
        client.calls(call.sid).fetch()
    assert gone.value.status == 404


def test_booleans_and_methods_only_as_the_spec_writes_them(monkeypatch: Any) -> None:
    client = ata.twilio_client()
    for params in ({"SipRegistration": "TRUE"}, {"SipRegistration": "1"}, {"VoiceMethod": "get"}):
        answer = requests.post(twin_url() + f"{API}/SIP/Domains.json",
                               data={"DomainName": "strict.sip.twilio.com", **params}, auth=AUTH, timeout=10)
        assert answer.status_code == 400 and answer.json()["code"] == 20001, params
    made = client.sip.domains.create(domain_name="strict.sip.twilio.com", sip_registration=True, voice_method="GET")
    assert made.sip_registration is True and made.voice_method == "GET"
    bad_status = requests.get(twin_url() + f"{API}/Calls.json", params={"Status": "done"}, auth=AUTH, timeout=10)
    assert bad_status.status_code == 400 and "Status" in bad_status.json()["message"]
