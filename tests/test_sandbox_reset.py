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


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ata_helpers.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_reset_says_what_it_removed_and_what_to_run_next(sandbox_env) -> None:  # type: ignore[no-untyped-def]
    from ata_helpers import FxsPort, HT80xConfig

    client = ata.twilio_client()
    client.sip.domains.create(domain_name="gone.sip.twilio.com")
    client.sip.credential_lists.create(friendly_name="a")
    client.sip.credential_lists.create(friendly_name="b")
    ata.ht80x_device(progress=lambda *a: None).apply(
        HT80xConfig(sip_server="gone.sip.twilio.com", ports=[FxsPort(user_id="ata1", auth_id="ata1")]))
    (sandbox_env / "captures").mkdir()
    (sandbox_env / "captures" / "call.pcap").write_bytes(b"x")
    out = _cli("sandbox", "reset")
    assert out.returncode == 0, out.stderr
    first, twins, nxt = out.stdout.strip().splitlines()
    assert first.startswith(f"Sandbox reset in {sandbox_env.resolve()}: removed 1 SIP domain, 2 credential lists;")
    assert "the ATA twin's settings (" in first and "captures/" in first
    assert "start again, empty, the next time" in twins and "live accounts and devices were not touched" in twins
    assert nxt.startswith("Next: run the notebooks from 01")
    assert client.sip.domains.list() == []
    again = _cli("sandbox", "reset")
    assert "it held nothing of yours, so nothing was removed" in again.stdout
