"""`ata.sandbox.reset()` empties the shared state that other processes still have open."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ata_helpers as ata


def test_reset_is_seen_by_another_process_and_keeps_working() -> None:
    client = ata.twilio_client()
    client.sip.domains.create(domain_name="before-reset.sip.twilio.com")
    code = ("import ata_helpers as ata\n"
            "ata.sandbox.reset()\n"
            "c = ata.twilio_client()\n"
            "c.sip.credential_lists.create(friendly_name='after-reset')\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert client.sip.domains.list() == []
    assert [cl.friendly_name for cl in client.sip.credential_lists.list()] == ["after-reset"]
    assert [n.phone_number for n in client.incoming_phone_numbers.list()][:1] == ["+14155550100"]


def test_reset_removes_generated_files(sandbox_env) -> None:  # type: ignore[no-untyped-def]
    (sandbox_env / "captures").mkdir()
    (sandbox_env / "captures" / "call.pcap").write_bytes(b"x")
    assert ata.sandbox.reset() == sandbox_env.resolve()
    assert not (sandbox_env / "captures").exists()


@pytest.mark.parametrize("to", ["99", "abc", "-1"])
def test_reset_to_a_bad_number_touches_nothing(to: str, capsys: pytest.CaptureFixture[str]) -> None:
    from ata_helpers.cli import main

    client = ata.twilio_client()
    client.sip.domains.create(domain_name="kept.sip.twilio.com")
    assert main(["sandbox", "reset", "--to", to]) == 1
    assert "notebook number from 0 to 11" in capsys.readouterr().err
    with pytest.raises(ata.ValidationError):
        ata.sandbox.reset(to=to)
    assert [d.domain_name for d in client.sip.domains.list()] == ["kept.sip.twilio.com"]
