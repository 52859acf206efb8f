"""`ata.sandbox.reset()` empties the shared state that other processes still have open."""

from __future__ import annotations

import subprocess
import sys

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
