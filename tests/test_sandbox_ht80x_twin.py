"""The HT80x twin over raw HTTP: the V2 API as the reference describes it."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
import requests

from ata_helpers.sandbox.ht80x.twin import (
    SANDBOX_ADMIN_PASSWORD,
    configure_twin,
    device_url,
    twin_pvalues,
)
from ata_helpers.sandbox.store import open_store


@pytest.fixture
def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def login(http: requests.Session, password: str = SANDBOX_ADMIN_PASSWORD) -> requests.Response:
    return http.post(device_url() + "/cgi-bin/dologin",
                     data={"username": "admin", "P2": base64.b64encode(password.encode()).decode()})


def token_of(response: requests.Response) -> str:
    return response.json()["body"]["session_token"]


def get(http: requests.Session, token: str, names: str) -> dict:
    return http.post(device_url() + "/cgi-bin/api.values.get",
                     data={"request": names, "session_token": token}).json()


def test_product_info_answers_before_login(http: requests.Session) -> None:
    body = http.post(device_url() + "/cgi-bin/api-get_system_base_info").json()
    assert body == {"response": "success", "body": {"product": "HT802V2", "vendor": "Grandstream Networks, Inc."}}


def test_login_gives_a_cookie_and_a_token(http: requests.Session) -> None:
    response = login(http)
    payload = response.json()
    assert payload["response"] == "success" and payload["body"]["role"] == "admin"
    assert len(token_of(response)) == 32 and len(response.cookies["session_id"]) == 32


def test_plain_text_password_is_refused(http: requests.Session) -> None:
    response = http.post(device_url() + "/cgi-bin/dologin", data={"username": "admin", "P2": "admin"})
    assert response.json() == {"response": "error", "body": "remain4"}


def test_reads_need_both_cookie_and_token(http: requests.Session) -> None:
    token = token_of(login(http))
    assert get(http, token, "P47:P35")["response"] == "success"
    assert get(http, "0" * 32, "P47")["body"] == {"reason": "invalid session"}
    bare = requests.Session()
    bare.trust_env = False
    assert get(bare, token, "P47")["response"] == "error"


def test_factory_values_carry_the_v2_quirks(http: requests.Session) -> None:
    token = token_of(login(http))
    body = get(http, token, "P271:P20501:P4437:P89:P67:P4921:P4901")["body"]
    assert body["P271"] == "0" and body["P20501"] == "1" and body["P4437"] == "0"
    assert body["P89"] == "HT802V2" and body["P4921"] == "Not Registered" and body["P4901"] == "On Hook"


def test_write_rotates_the_token_and_the_old_one_stops_working(http: requests.Session) -> None:
    token = token_of(login(http))
    reply = http.post(device_url() + "/cgi-bin/api.values.post",
                      data={"P47": "example.sip.twilio.com", "P66": "+", "update": "1", "session_token": token}).json()
    new = reply["body"]["token"]
    assert reply["response"] == "success" and new != token
    assert get(http, token, "P47")["response"] == "error"
    assert get(http, new, "P47:P66")["body"] == {"P47": "example.sip.twilio.com", "P66": "+"}


def test_write_can_end_the_session_instead(http: requests.Session) -> None:
    configure_twin(after_write="invalidate")
    token = token_of(login(http))
    reply = http.post(device_url() + "/cgi-bin/api.values.post",
                      data={"P3": "Hall", "session_token": token}).json()
    assert reply == {"response": "success", "body": {"status": "right"}}
    assert get(http, token, "P3")["response"] == "error"
    assert get(http, token_of(login(http)), "P3")["body"]["P3"] == "Hall"


def test_sip_password_is_write_only(http: requests.Session) -> None:
    token = token_of(login(http))
    token = http.post(device_url() + "/cgi-bin/api.values.post",
                      data={"P34": "Secret123456", "session_token": token}).json()["body"]["token"]
    assert get(http, token, "P34:P2")["body"] == {"P34": "", "P2": ""}
    assert twin_pvalues()["P34"] == "sha256:" + hashlib.sha256(b"Secret123456").hexdigest()  # never in the clear


def test_firmware_that_ignores_password_writes(http: requests.Session) -> None:
    configure_twin(password_writable=False)
    token = token_of(login(http))
    reply = http.post(device_url() + "/cgi-bin/api.values.post",
                      data={"P34": "Secret123456", "P35": "alice", "session_token": token}).json()
    assert reply["response"] == "success"
    assert twin_pvalues()["P34"] == "" and twin_pvalues()["P35"] == "alice"


def test_status_values_cannot_be_written(http: requests.Session) -> None:
    token = token_of(login(http))
    token = http.post(device_url() + "/cgi-bin/api.values.post",
                      data={"P4921": "Registered", "session_token": token}).json()["body"]["token"]
    assert get(http, token, "P4921")["body"]["P4921"] == "Not Registered"


def test_five_wrong_passwords_lock_the_login(http: requests.Session) -> None:
    bodies = [login(http, "wrong").json()["body"] for _ in range(5)]
    assert bodies == ["remain4", "remain3", "remain2", "remain1", "locked"]
    assert login(http).json() == {"response": "error", "body": "locked"}
    store = open_store()
    assert store.get_value("ht80x:locked_until") > time.time() + 14 * 60
    store.set_value("ht80x:locked_until", time.time() - 1)
    assert login(http).json()["response"] == "success"
    assert login(http, "wrong").json()["body"] == "remain4"


def test_a_good_login_resets_the_failure_count(http: requests.Session) -> None:
    login(http, "wrong")
    login(http, "wrong")
    login(http)
    assert login(http, "wrong").json()["body"] == "remain4"


def test_reboot_drops_connections_then_comes_back(http: requests.Session) -> None:
    configure_twin(reboot_seconds=0.6)
    token = token_of(login(http))
    reply = http.post(device_url() + "/cgi-bin/rs", data={"session_token": token}).json()
    assert reply["response"] == "success" and reply["body"]["reason"] == "no error"
    with pytest.raises(requests.ConnectionError):
        http.post(device_url() + "/cgi-bin/api-get_system_base_info", timeout=2)
    time.sleep(0.7)
    assert http.post(device_url() + "/cgi-bin/api-get_system_base_info").json()["response"] == "success"
    assert get(http, token, "P47")["response"] == "error"


def test_legacy_firmware_serves_the_html_login(http: requests.Session) -> None:
    configure_twin(firmware="v1")
    page = http.get(device_url() + "/cgi-bin/login")
    assert page.headers["Content-Type"] == "text/html" and 'name="gnkey" value="0b82"' in page.text
    assert http.post(device_url() + "/cgi-bin/api-get_system_base_info").status_code == 404


def test_unknown_behaviour_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown twin behaviour"):
        configure_twin(explode=True)


def test_ht801_product_has_one_port(http: requests.Session) -> None:
    configure_twin(product="HT801V2")
    token = token_of(login(http))
    body = get(http, token, "P4921:P4922:P4902:P735")["body"]
    assert body == {"P4921": "Not Registered", "P4922": "", "P4902": "", "P735": ""}
