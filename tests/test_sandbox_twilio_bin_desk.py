"""The twin's Bins desk: TwiML Bins created, found and deleted over HTTP, as a desk with an API."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from ata_helpers.errors import SandboxError
from ata_helpers.provision.twiml_desk import HostedTwiml, TwimlDesk
from ata_helpers.sandbox import twin_url
from ata_helpers.sandbox.twilio import bins
from ata_helpers.sandbox.twilio.bin_desk import TwinBinDesk
from ata_helpers.twiml import bin_sid_from_url


def test_ensure_creates_then_reports_unchanged_then_updates() -> None:
    desk = TwinBinDesk()
    assert isinstance(desk, TwimlDesk)
    planned = desk.ensure("ata-course:t outbound", "<Response/>", dry_run=True)
    assert planned.action == "would create" and bins.list_bins() == []
    made = desk.ensure("ata-course:t outbound", "<Response/>")
    assert made.action == "created" and bin_sid_from_url(made.name) == made.sid
    assert desk.ensure("ata-course:t outbound", "<Response/>").action == "unchanged"
    assert desk.ensure("ata-course:t outbound", "<Response><Hangup/></Response>").action == "updated"
    assert bins.get_bin(made.name)["twiml"] == "<Response><Hangup/></Response>"
    assert desk.find("ata-course:t outbound").url == made.name


def test_remove_deletes_through_the_api_and_is_idempotent() -> None:
    desk = TwinBinDesk()
    made = desk.ensure("gone", "<Response/>")
    removed = desk.remove("gone")
    assert (removed.action, removed.sid) == ("deleted", made.sid) and bins.get_bin(made.sid) is None
    assert desk.remove("gone").action == "absent"


def test_the_desk_talks_http_so_another_process_sees_the_same_bins() -> None:
    TwinBinDesk().ensure("shared", "<Response/>")
    code = ("from ata_helpers.sandbox.twilio.bin_desk import TwinBinDesk\n"
            "print(TwinBinDesk().find('shared').twiml)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, timeout=60, capture_output=True, text=True)
    assert out.stdout.strip() == "<Response/>"


def test_the_bins_endpoint_wants_the_account_and_says_what_failed() -> None:
    assert requests.get(twin_url() + "/_sandbox/TwimlBins", timeout=10).status_code == 401
    with pytest.raises(SandboxError, match="HTTP 404"):
        TwinBinDesk().delete(HostedTwiml("none", "https://handler.twilio.com/twiml/EH" + "0" * 32, "EH" + "0" * 32))
