"""Every response the twin gives during a full course run, checked from outside.

The course's steps are run through the library (TwilioSetup for notebooks 02, 03 and 06, the ATA of
notebook 04, a call each way, a REST call, the call log, the doctor; the teardown last) while every
Twilio REST exchange is recorded at the twilio SDK's HTTP client. Then:
- every link in every JSON body (`uri`, `url`, `*_page_uri`, `*_page_url`, `subresource_uris`,
  `links`) is followed, and so is every link of what that returns: each must name a real Twilio
  host (or be relative to https://api.twilio.com) and answer 200;
- every body is validated against the response schema of its operation in Twilio's OpenAPI
  description (tests/data/twilio_openapi_responses.json, made by scripts/extract_openapi_subset.py)
  with the `jsonschema` validator, formats included (RFC 2822 and ISO 8601 dates, URIs).
"""

from __future__ import annotations

import email.utils
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import jsonschema
import pytest

import ata_helpers as ata
from ata_helpers.sandbox import twin_url

SCHEMAS = json.loads((Path(__file__).parent / "data" / "twilio_openapi_responses.json").read_text())["paths"]
HOSTS = {"/2010-04-01/": "api.twilio.com", "/v1/Trunks": "trunking.twilio.com", "/v1/Alerts": "monitor.twilio.com"}
LINK_KEYS = re.compile(r"^(uri|url|(first|next|previous)_page_ur[il])$")


class Exchange:
    """One recorded request and its answer."""

    def __init__(self, method: str, url: str, status: int, text: str) -> None:
        self.method, self.status, self.text = method, status, text
        parts = urlsplit(url)
        self.path, self.query = parts.path, parts.query

    def body(self) -> Any:
        return json.loads(self.text) if self.text else None


@pytest.fixture()
def exchanges(monkeypatch: pytest.MonkeyPatch) -> list[Exchange]:
    """The course run (all but its teardown), with every exchange between the SDK and the twin recorded."""
    from twilio.http.http_client import TwilioHttpClient

    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    recorded: list[Exchange] = []
    original = TwilioHttpClient.request

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = original(self, method, url, *args, **kwargs)
        recorded.append(Exchange(method, url, response.status_code, response.text))
        return response

    monkeypatch.setattr(TwilioHttpClient, "request", request)
    _course_run()
    return recorded


def _course_run() -> None:
    from ata_helpers import nat_story
    from ata_helpers.calls.place import call_ata, wait_for_call
    from ata_helpers.provision import TwilioSetup

    nat_story.ensure_line()                    # notebooks 02, 03, 06 and the ATA of notebook 04
    setup = TwilioSetup.from_saved(ask_password=False)
    setup.describe()
    assert call_ata(setup.device_uri, setup.phone_number, poll_s=0.05, max_wait_s=20).ok
    client = ata.twilio_client()
    dialled = ata.sandbox.dial("14155550123")  # a call from the phone, through the outbound Bin
    sid = ata.place_call("+14155550123", say="Wake up")
    wait_for_call(sid, timeout=20, poll_interval=0.05, progress=False)
    wait_for_call(dialled, timeout=20, poll_interval=0.05, progress=False)
    ata.call_log()
    client.calls.list(status="completed", page_size=2, limit=5)
    client.trunking.v1.trunks.list(page_size=1)
    ata.doctor()


def _links(body: Any, key: str = "") -> Iterator[str]:
    """Every link value in a JSON body, found by key name."""
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(value, str) and LINK_KEYS.match(name):
                yield value
            elif name in ("subresource_uris", "links") and isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from _links(value, name)
    elif isinstance(body, list):
        for item in body:
            yield from _links(item, key)


def _api_exchanges(recorded: list[Exchange]) -> list[Exchange]:
    return [e for e in recorded if e.path.startswith(("/2010-04-01/", "/v1/")) and e.text]


def test_the_course_run_talks_to_every_kind_of_resource(exchanges: list[Exchange]) -> None:
    paths = {re.sub(r"/[A-Z]{2}[0-9a-f]{32}", "/{Sid}", e.path) for e in exchanges}
    for part in ("/SIP/Domains.json", "/SIP/CredentialLists/{Sid}/Credentials.json", "/Calls/{Sid}.json",
                 "/SIP/IpAccessControlLists/{Sid}/IpAddresses.json", "/v1/Trunks/{Sid}/OriginationUrls",
                 "/IncomingPhoneNumbers.json", "/v1/Alerts"):
        assert any(p.endswith(part) for p in paths), part
    assert all(e.status < 500 for e in exchanges)


def test_every_link_names_a_twilio_host_and_resolves(exchanges: list[Exchange]) -> None:
    import requests

    from ata_helpers.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

    session = requests.Session()
    session.trust_env = False
    base = twin_url()
    todo = [link for e in _api_exchanges(exchanges) for link in _links(e.body())]
    seen: set[str] = set()
    wrong_host, broken = [], []
    while todo and len(seen) < 2000:
        link = todo.pop()
        if link in seen:
            continue
        seen.add(link)
        parts = urlsplit(link)
        if parts.scheme:
            if parts.scheme != "https" or not (parts.hostname or "").endswith(".twilio.com"):
                wrong_host.append(link)
                continue
            if parts.hostname == "handler.twilio.com":
                continue  # a TwiML Bin: served to Twilio's signed requests, not a REST resource
        elif not link.startswith("/2010-04-01/"):
            wrong_host.append(link)
            continue
        query = parts.query
        if re.fullmatch(r"/v1/Voice/CA[0-9a-f]{32}/Summary", parts.path) and not query:
            # a summary's own `url` answers once the summary is complete (30 minutes after the call);
            # until then Twilio serves it with ProcessingState=partial, as the course asks for it
            query = "ProcessingState=partial"
        answer = session.get(base + parts.path + (f"?{query}" if query else ""),
                             auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN), timeout=10)
        if answer.status_code != 200:
            broken.append(f"{answer.status_code} {link}")
            continue
        todo.extend(_links(answer.json()))
    assert len(seen) > 50
    assert not wrong_host and not broken, ("links not built for Twilio's hosts:\n" + "\n".join(sorted(wrong_host)[:20])
                                           + "\nlinks that do not resolve:\n" + "\n".join(sorted(broken)[:40]))


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time-rfc-2822", raises=(TypeError, ValueError))
def _rfc2822(value: object) -> bool:
    return not isinstance(value, str) or email.utils.parsedate_to_datetime(value) is not None


@FORMATS.checks("date-time", raises=ValueError)
def _iso8601(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    """An absolute URI (RFC 3986 §3: a scheme, then ':'), or a path relative to the API host."""
    return not isinstance(value, str) or bool(re.match(r"^([A-Za-z][A-Za-z0-9+.-]*:|/)", value))


def _operation(path: str) -> str | None:
    for template in SCHEMAS:
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


def test_every_body_matches_twilios_response_schema(exchanges: list[Exchange]) -> None:
    from ata_helpers.provision import TwilioSetup

    TwilioSetup.from_saved(ask_password=False).teardown()  # recorded too: its answers are checked
    checked, problems = 0, []
    for exchange in _api_exchanges(exchanges):
        template = _operation(exchange.path)
        assert template is not None, f"{exchange.path} is not an operation in Twilio's OpenAPI description"
        schema = SCHEMAS[template].get(exchange.method, {}).get(str(exchange.status))
        if (exchange.method, exchange.status) == ("POST", 201) and template.endswith("/Functions/{FunctionSid}/Versions"):
            # the upload (serverless-upload.twilio.com) is not in the OpenAPI description; Twilio's
            # Function Version page documents its answer as the Function Version resource
            schema = SCHEMAS[template + "/{Sid}"]["GET"]["200"]
        if schema is None:
            if exchange.status < 400:
                problems.append(f"{exchange.method} {exchange.path}: status {exchange.status} is not documented")
            continue
        validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
        for error in validator.iter_errors(exchange.body()):
            problems.append(f"{exchange.method} {exchange.path} {exchange.status}: "
                            f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
        checked += 1
    assert checked > 50
    assert not problems, "\n".join(problems[:40])
