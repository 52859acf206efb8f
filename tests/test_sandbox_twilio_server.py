"""The real twilio SDK against the Twilio twin: every resource's CRUD, pagination and errors."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any, Callable

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

import ata_helpers as ata
from ata_helpers.settings import SANDBOX_ACCOUNT_SID


@pytest.fixture()
def client() -> Any:
    return ata.twilio_client()


def _error(call: Callable[[], Any]) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as info:
        call()
    return info.value


def test_domain_crud(client: Any) -> None:
    domain = client.sip.domains.create(domain_name="lab-one.sip.twilio.com", friendly_name="ata-course: lab",
                                       voice_url="https://handler.twilio.com/twiml/EH" + "0" * 32,
                                       voice_method="GET", sip_registration=True)
    assert domain.sid.startswith("SD") and len(domain.sid) == 34
    assert domain.domain_name == "lab-one.sip.twilio.com"
    assert domain.sip_registration is True and domain.voice_method == "GET"
    assert domain.uri == f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/SIP/Domains/{domain.sid}.json"
    assert domain.date_created.tzinfo is not None  # RFC 2822 parsed by the SDK
    fetched = client.sip.domains(domain.sid).fetch()
    assert fetched.friendly_name == "ata-course: lab"
    updated = client.sip.domains(domain.sid).update(sip_registration=False, voice_url="https://example.com/v")
    assert updated.sip_registration is False and updated.voice_url == "https://example.com/v"
    assert [d.sid for d in client.sip.domains.list()] == [domain.sid]
    assert client.sip.domains(domain.sid).delete() is True
    assert _error(lambda: client.sip.domains(domain.sid).fetch()).status == 404


def test_credentials_and_mappings(client: Any) -> None:
    domain = client.sip.domains.create(domain_name="lab-two.sip.twilio.com")
    cl = client.sip.credential_lists.create(friendly_name="ata-course: creds")
    cred = cl.credentials.create(username="ht801", password="Sandbox12345")
    assert cred.sid.startswith("CR") and cred.credential_list_sid == cl.sid
    assert not hasattr(cred, "password")
    assert client.sip.credential_lists(cl.sid).credentials(cred.sid).update(password="Another12345").username == "ht801"
    assert client.sip.credential_lists(cl.sid).update(friendly_name="renamed").friendly_name == "renamed"
    regs = client.sip.domains(domain.sid).auth.registrations.credential_list_mappings
    calls = client.sip.domains(domain.sid).auth.calls.credential_list_mappings
    mapping = regs.create(credential_list_sid=cl.sid)
    assert mapping.sid == cl.sid  # a mapping's sid is the mapped list's sid
    calls.create(credential_list_sid=cl.sid)
    assert [m.sid for m in regs.list()] == [cl.sid]
    assert regs(cl.sid).fetch().friendly_name == "renamed"
    assert client.sip.domains(domain.sid).fetch().auth_type == "CREDENTIAL_LIST"
    duplicate = _error(lambda: regs.create(credential_list_sid=cl.sid))
    assert (duplicate.status, duplicate.code) == (400, 21231)
    assert regs(cl.sid).delete() is True
    assert regs.list() == []
    assert client.sip.credential_lists(cl.sid).credentials(cred.sid).delete() is True
    assert client.sip.credential_lists(cl.sid).delete() is True
    assert calls.list() == []  # deleting the list removed its mappings


def test_ip_acl_and_addresses(client: Any) -> None:
    domain = client.sip.domains.create(domain_name="lab-three.sip.twilio.com")
    acl = client.sip.ip_access_control_lists.create(friendly_name="ata-course: home")
    ip = acl.ip_addresses.create(friendly_name="home", ip_address="203.0.113.7", cidr_prefix_length=32)
    assert ip.sid.startswith("IP") and ip.cidr_prefix_length == 32
    assert acl.ip_addresses(ip.sid).update(ip_address="203.0.113.0", cidr_prefix_length=24).cidr_prefix_length == 24
    mapping = client.sip.domains(domain.sid).auth.calls.ip_access_control_list_mappings.create(
        ip_access_control_list_sid=acl.sid)
    assert mapping.sid == acl.sid
    assert client.sip.domains(domain.sid).fetch().auth_type == "IP_ACL"
    bad = _error(lambda: acl.ip_addresses.create(friendly_name="x", ip_address="999.1.1.1"))
    assert bad.status == 400
    assert acl.ip_addresses(ip.sid).delete() is True
    assert client.sip.ip_access_control_lists(acl.sid).delete() is True


def test_incoming_numbers_and_trunk_exclusivity(client: Any) -> None:
    numbers = client.incoming_phone_numbers.list()
    assert [n.phone_number for n in numbers][:2] == ["+14155550100", "+14155550101"]
    number = numbers[0]
    updated = client.incoming_phone_numbers(number.sid).update(voice_url="https://example.com/in", voice_method="POST")
    assert updated.voice_url == "https://example.com/in"
    assert client.incoming_phone_numbers.list(phone_number="+14155550100")[0].sid == number.sid
    trunk = client.trunking.v1.trunks.create(friendly_name="ata-course: trunk", domain_name="lab.pstn.twilio.com")
    trunk.phone_numbers.create(phone_number_sid=number.sid)
    assert client.incoming_phone_numbers(number.sid).fetch().trunk_sid == trunk.sid
    trunk.phone_numbers(number.sid).delete()
    assert client.incoming_phone_numbers(number.sid).fetch().trunk_sid is None


def test_trunk_crud_and_subresources(client: Any) -> None:
    trunk = client.trunking.v1.trunks.create(friendly_name="ata-course: trunk")
    assert trunk.sid.startswith("TK") and trunk.recording == {"mode": "do-not-record", "trim": "do-not-trim"}
    assert trunk.links["origination_urls"].endswith(f"/v1/Trunks/{trunk.sid}/OriginationUrls")
    ou = trunk.origination_urls.create(weight=10, priority=10, enabled=True, friendly_name="ata",
                                       sip_url="sip:ht801@lab.sip.us1.twilio.com")
    assert ou.sid.startswith("OU") and ou.enabled is True
    assert trunk.origination_urls(ou.sid).update(priority=5).priority == 5
    cl = client.sip.credential_lists.create(friendly_name="c")
    acl = client.sip.ip_access_control_lists.create(friendly_name="a")
    assert trunk.credentials_lists.create(credential_list_sid=cl.sid).sid == cl.sid
    assert trunk.ip_access_control_lists.create(ip_access_control_list_sid=acl.sid).sid == acl.sid
    assert client.trunking.v1.trunks(trunk.sid).fetch().auth_type_set == ["CREDENTIAL_LIST", "IP_ACL"]
    again = _error(lambda: trunk.credentials_lists.create(credential_list_sid=cl.sid))
    assert (again.status, again.code) == (400, 21245)
    assert client.trunking.v1.trunks(trunk.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert trunk.origination_urls(ou.sid).delete() is True
    assert client.trunking.v1.trunks(trunk.sid).delete() is True
    assert _error(lambda: client.trunking.v1.trunks(trunk.sid).fetch()).code == 20404


def test_calls_create_fetch_list_update(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.05")
    call = client.calls.create(to="+14155550199", from_="+14155550100", twiml="<Response><Say>hi</Say></Response>")
    assert call.sid.startswith("CA") and call.status == "queued" and call.direction == "outbound-api"
    time.sleep(0.7)
    done = client.calls(call.sid).fetch()
    assert done.status == "completed" and done.duration == "6" and float(done.price) < 0
    assert done.start_time is not None and done.end_time is not None
    long_call = client.calls.create(to="+14155550198", from_="+14155550100", url="https://example.com/t")
    canceled = client.calls(long_call.sid).update(status="canceled")
    assert canceled.status == "canceled"
    finished = _error(lambda: client.calls(long_call.sid).update(status="completed"))
    assert (finished.status, finished.code) == (400, 21220)
    assert [c.sid for c in client.calls.list(to="+14155550199")] == [call.sid]
    assert {c.sid for c in client.calls.list(status="canceled")} == {long_call.sid}
    assert [c.sid for c in client.calls.list()] == [long_call.sid, call.sid]  # newest first


def test_call_list_date_filters(client: Any) -> None:
    from datetime import date, timedelta

    call = client.calls.create(to="+14155550199", from_="+14155550100", twiml="<Response/>")
    client.calls(call.sid).update(status="canceled")
    today = date.today()
    assert [c.sid for c in client.calls.list(start_time_after=today)] == [call.sid]
    assert client.calls.list(start_time_after=today + timedelta(days=1)) == []
    assert [c.sid for c in client.calls.list(end_time_before=today + timedelta(days=1))] == [call.sid]


@pytest.mark.parametrize("kwargs,status,code", [
    ({"to": "", "from_": "+14155550100", "twiml": "<Response/>"}, 400, 21201),
    ({"to": "+14155550199", "from_": "", "twiml": "<Response/>"}, 400, 21213),
    ({"to": "555-1234", "from_": "+14155550100", "twiml": "<Response/>"}, 400, 21211),
    ({"to": "+14155550199", "from_": "4155550100", "twiml": "<Response/>"}, 400, 21212),
    ({"to": "+14155550199", "from_": "+14155559999", "twiml": "<Response/>"}, 400, 21210),
    ({"to": "+14155550199", "from_": "+14155550100", "twiml": "<Response>" + "x" * 4000 + "</Response>"}, 400, 32018),
    ({"to": "+14155550199", "from_": "+14155550100"}, 400, 21205),
])
def test_call_validation_errors(client: Any, kwargs: dict[str, str], status: int, code: int) -> None:
    error = _error(lambda: client.calls.create(**kwargs))
    assert (error.status, error.code) == (status, code)


@pytest.mark.parametrize("make,code", [
    (lambda c: c.sip.domains.create(domain_name="lab.example.com"), 21232),
    (lambda c: c.sip.domains.create(domain_name="example.sip.twilio.com"), 21232),
    (lambda c: c.sip.domains.create(domain_name=f"{SANDBOX_ACCOUNT_SID.lower()}.sip.twilio.com"), 21232),
    (lambda c: c.trunking.v1.trunks.create(domain_name="lab.sip.twilio.com"), 21245),
    (lambda c: c.sip.credential_lists.create(friendly_name="c").credentials.create(
        username="u" * 33, password="Sandbox12345"), 21240),
    (lambda c: c.sip.credential_lists.create(friendly_name="c").credentials.create(
        username="ht801", password="short1A"), 21243),
    (lambda c: c.sip.credential_lists.create(friendly_name="c").credentials.create(
        username="ht801", password="alllowercase123"), 21243),
    (lambda c: c.sip.domains("SD" + "0" * 32).fetch(), 20404),
])
def test_validation_errors_have_twilio_codes(client: Any, make: Callable[[Any], Any], code: int) -> None:
    error = _error(lambda: make(client))
    assert error.code == code
    assert error.status in (400, 404)


def test_domain_name_taken_twice(client: Any) -> None:
    client.sip.domains.create(domain_name="twice.sip.twilio.com")
    error = _error(lambda: client.sip.domains.create(domain_name="Twice.sip.twilio.com"))
    assert (error.status, error.code) == (400, 21232)


def test_trunk_domain_taken(client: Any) -> None:
    client.trunking.v1.trunks.create(domain_name="mine.pstn.twilio.com")
    assert _error(lambda: client.trunking.v1.trunks.create(domain_name="mine.pstn.twilio.com")).code == 21248


def test_missing_required_parameter(client: Any) -> None:
    import requests

    from ata_helpers.sandbox import twin_url
    from ata_helpers.settings import SANDBOX_AUTH_TOKEN

    response = requests.post(f"{twin_url()}/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/SIP/Domains.json",
                             data={"FriendlyName": "x"}, auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN))
    assert response.status_code == 400
    assert response.json() == {"code": 20001, "message": "Missing required parameter DomainName in the post body",
                               "more_info": "https://www.twilio.com/docs/errors/20001", "status": 400}


def test_bad_credentials_are_401_20003() -> None:
    from twilio.rest import Client

    from ata_helpers.sandbox.twilio.http_client import SandboxHttpClient

    client = Client(SANDBOX_ACCOUNT_SID, "not-the-token", http_client=SandboxHttpClient(),
                    environment={"ATA_MODE": "sandbox"})
    error = _error(lambda: client.sip.domains.create(domain_name="x.sip.twilio.com"))
    assert (error.status, error.code) == (401, 20003)
    with pytest.raises(TwilioException):
        client.sip.domains.list()


@pytest.mark.parametrize("page_size,total", [(50, 120), (1000, 1005)])
def test_pagination_across_pages(client: Any, page_size: int, total: int) -> None:
    cl = client.sip.credential_lists.create(friendly_name="many")
    from ata_helpers.sandbox.store import open_store

    store = open_store()
    from ata_helpers.sandbox.twilio.credential_lists import password_hash

    for i in range(total):  # bulk insert through the store; the API path is tested above
        sid = store.new_sid("CR")
        store.insert("credential", sid, {"sid": sid, "username": f"user{i:04d}", "password_sha256":
                                         password_hash("Sandbox12345"), "_parent": cl.sid,
                                         "date_created": i, "date_updated": i}, cl.sid)
    page = cl.credentials.page(page_size=page_size)
    assert len(list(page)) == page_size and page.next_page_url is not None
    names = [c.username for c in cl.credentials.list(page_size=page_size)]
    assert names == [f"user{i:04d}" for i in range(total)]


def test_v1_paging_urls_name_twilios_host_and_the_client_maps_them_back(client: Any) -> None:
    for i in range(55):
        client.trunking.v1.trunks.create(friendly_name=f"t{i}")
    page = client.trunking.v1.trunks.page(page_size=50)
    assert page.next_page_url.startswith("https://trunking.twilio.com/v1/Trunks?")
    assert len(client.trunking.v1.trunks.list(page_size=50)) == 55


def test_edge_and_region_variables_cannot_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    client = ata.twilio_client()
    assert client.edge is None and client.region is None
    assert client.incoming_phone_numbers.list()[0].phone_number == "+14155550100"


def test_second_process_sees_state(client: Any, sandbox_env: Any) -> None:
    client.sip.domains.create(domain_name="shared.sip.twilio.com")
    code = ("import ata_helpers as ata\n"
            "c = ata.twilio_client()\n"
            "print([d.domain_name for d in c.sip.domains.list()])\n"
            "c.sip.credential_lists.create(friendly_name='from-second')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert "shared.sip.twilio.com" in out.stdout
    assert [cl.friendly_name for cl in client.sip.credential_lists.list()] == ["from-second"]


def test_two_processes_writing_at_once(client: Any) -> None:
    code = ("import ata_helpers as ata\n"
            "c = ata.twilio_client()\n"
            "cl = c.sip.credential_lists.create(friendly_name='p')\n"
            "[cl.credentials.create(username=f'u{i}', password='Sandbox12345') for i in range(30)]\n")
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    lists = client.sip.credential_lists.list()
    assert len(lists) == 2
    assert sorted(len(cl.credentials.list()) for cl in lists) == [30, 30]


def test_twin_restarts_when_it_stops(client: Any, sandbox_env: Any) -> None:
    from ata_helpers.sandbox.runtime import stop_services

    client.sip.domains.create(domain_name="survives.sip.twilio.com")
    stop_services(sandbox_env)
    assert [d.domain_name for d in client.sip.domains.list()] == ["survives.sip.twilio.com"]


def test_sandbox_client_refuses_other_hosts(client: Any) -> None:
    from ata_helpers.errors import SandboxError

    with pytest.raises(SandboxError):
        client.http_client.request("GET", "https://example.com/x")


@pytest.mark.parametrize("kind,count,make,code", [
    ("sip_domain", 100, lambda c: c.sip.domains.create(domain_name="one-more.sip.twilio.com"), 21230),
    ("credential_list", 100, lambda c: c.sip.credential_lists.create(friendly_name="one more"), 21239),
    ("ip_access_control_list", 1000, lambda c: c.sip.ip_access_control_lists.create(friendly_name="one more"), 21239),
])
def test_account_limits(client: Any, kind: str, count: int, make: Callable[[Any], Any], code: int) -> None:
    from ata_helpers.sandbox.store import open_store

    store = open_store()
    for i in range(count):
        sid = store.new_sid("XX")
        store.insert(kind, sid, {"sid": sid, "domain_name": f"filler{i}.sip.twilio.com", "friendly_name": f"f{i}",
                                 "date_created": i, "date_updated": i, "_parent": ""})
    error = _error(lambda: make(client))
    assert (error.status, error.code) == (400, code)


@pytest.mark.parametrize("lists,name_limit,code,entries", [
    (lambda c: c.sip.credential_lists, 64, 21240, ("credentials", "Credentials")),
    (lambda c: c.sip.ip_access_control_lists, 255, 21235, ("ip_addresses", "IpAddresses")),
])
def test_sip_lists_names_and_entries(client: Any, lists: Callable[[Any], Any], name_limit: int, code: int,
                                     entries: tuple[str, str]) -> None:
    """Credential lists and IP access control lists: FriendlyName limits on create and rename, the
    entries' link, and the list's links removed with it."""
    resource = lists(client)
    made = resource.create(friendly_name="n" * name_limit)
    assert _error(lambda: resource.create(friendly_name="n" * (name_limit + 1))).code == code
    assert _error(lambda: resource(made.sid).update(friendly_name="n" * (name_limit + 1))).code == code
    assert resource(made.sid).update(friendly_name="renamed").friendly_name == "renamed"
    key, segment = entries
    assert made.subresource_uris == {key: made.uri.removesuffix(".json") + f"/{segment}.json"}
    trunk = client.trunking.v1.trunks.create(friendly_name="t")
    links = trunk.credentials_lists if key == "credentials" else trunk.ip_access_control_lists
    links.create(made.sid)
    assert resource(made.sid).delete() is True
    assert links.list() == [] and _error(lambda: resource(made.sid).fetch()).status == 404


def test_per_list_limits(client: Any) -> None:
    from ata_helpers.sandbox.store import open_store

    store = open_store()
    cl = client.sip.credential_lists.create(friendly_name="full")
    acl = client.sip.ip_access_control_lists.create(friendly_name="full")
    for i in range(1000):
        sid = store.new_sid("CR")
        store.insert("credential", sid, {"sid": sid, "username": f"u{i}", "_parent": cl.sid,
                                         "date_created": i, "date_updated": i}, cl.sid)
    for i in range(100):
        sid = store.new_sid("IP")
        store.insert("ip_address", sid, {"sid": sid, "ip_address": f"198.51.100.{i}", "_parent": acl.sid,
                                         "date_created": i, "date_updated": i}, acl.sid)
    assert _error(lambda: cl.credentials.create(username="extra", password="Sandbox12345")).code == 21242
    assert _error(lambda: acl.ip_addresses.create(friendly_name="x", ip_address="198.51.100.200")).code == 21237
