"""Secrets at rest: the sandbox folder holds passwords only as digests (credentials, the device's
write-only P-values, the line simulation's call snapshots), and `.env` values are quoted and read
back exactly, with line breaks refused."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

import ata_helpers as ata
from ata_helpers.errors import ValidationError
from ata_helpers.settings import write_env_file

DOMAIN = "secret.sip.twilio.com"
PASSWORD = "Rest-Secret-42x"


def _every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_sandbox_folder_never_holds_a_sip_password(sandbox_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.02")
    client = ata.twilio_client()
    domain = client.sip.domains.create(domain_name=DOMAIN, sip_registration=True)
    cl = client.sip.credential_lists.create(friendly_name="secret")
    cl.credentials.create(username="ht801", password=PASSWORD)
    client.sip.domains(domain.sid).auth.registrations.credential_list_mappings.create(credential_list_sid=cl.sid)
    device = ata.ht80x_device()
    config = ata.HT80xConfig(model="HT801", sip_server=DOMAIN, ports=[ata.FxsPort(
        user_id="ht801", password=PASSWORD, contact_uses_wan=True)])
    assert device.apply(config).ok
    assert device.status().loc[0, "registration"] == "Registered"  # the digests still match
    call: Any = client.calls.create(to=f"sip:ht801@{DOMAIN}", from_="+14155550100",
                                    twiml="<Response><Say>hi</Say></Response>")
    deadline = time.monotonic() + 10
    while client.calls(call.sid).fetch().status != "completed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.calls(call.sid).fetch().status == "completed"  # the call snapshot is stored too
    ata.sandbox.capture(call.sid)
    data = _every_byte(sandbox_env)
    assert b"ht801" in data  # the scan reads the state
    for form in (PASSWORD.encode(), PASSWORD.encode("utf-16-le"), PASSWORD[1:-1].encode()):
        assert form not in data


def test_env_values_are_quoted_and_read_back_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = {"TWILIO_AUTH_TOKEN": "a1b2 c3#d4", "ATA_SIP_PASSWORD": "it's $HOME ${X} \\n \"q\"",
              "ATA_ADMIN_PASSWORD": "=x=y="}
    for key in values:  # write_env_file also sets them in this process: restored after the test
        monkeypatch.setenv(key, "")
    path = write_env_file(values, tmp_path / ".env")
    assert dotenv_values(path, interpolate=False) == values
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().splitlines()) == 3


@pytest.mark.parametrize("value", ["abc\nEVIL=1", "abc\rEVIL=1", "a\x00b", "a\x1bb"])
def test_env_values_with_line_breaks_are_refused(tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", "")
    path = tmp_path / ".env"
    path.write_text("KEEP='me'\n")
    with pytest.raises(ValidationError) as caught:
        write_env_file({"ATA_SIP_PASSWORD": value}, path)
    assert value not in str(caught.value) and caught.value.value is None
    assert path.read_text() == "KEEP='me'\n"  # nothing written


def test_a_sandbox_from_before_digests_is_migrated(sandbox_env: Path) -> None:
    from ata_helpers.sandbox.ht80x.twin import twin_pvalues
    from ata_helpers.sandbox.store import open_store

    store = open_store()
    values = twin_pvalues(store)
    store.set_value("ht80x:pvalues", {**values, "P34": PASSWORD})  # as an older sandbox kept it
    assert twin_pvalues(store)["P34"].startswith("sha256:")
    assert store.get_value("ht80x:pvalues")["P34"] == twin_pvalues(store)["P34"]
