"""The TwiML desk protocol and the Console's Bins desk (live Bins: pasted URLs, no API)."""

from __future__ import annotations

import pytest

from ata_helpers.errors import ValidationError
from ata_helpers.provision import TwilioSetup
from ata_helpers.provision.twiml_desk import (
    TWIML_HOSTS,
    ConsoleBinDesk,
    HostedTwiml,
    TwimlDesk,
    validate_twiml_host,
)

URL = "https://handler.twilio.com/twiml/EH" + "4" * 32


def test_the_console_desk_needs_the_pasted_url() -> None:
    desk = ConsoleBinDesk()
    assert isinstance(desk, TwimlDesk) and desk.host in TWIML_HOSTS
    with pytest.raises(ValidationError) as info:
        desk.ensure("ata-course:t outbound", "<Response/>", field="outbound_bin_url")
    assert info.value.field == "outbound_bin_url" and "Console" in info.value.rule
    assert "<Response/>" in info.value.rule  # the steps show the TwiML to paste
    assert desk.ensure("n", "<Response/>", dry_run=True).action == "paste in Console"
    given = desk.ensure("n", "<Response/>", URL)
    assert (given.action, given.name, given.sid) == ("unchanged", URL, "EH" + "4" * 32)
    with pytest.raises(ValidationError, match="TwiML Bin URL"):
        desk.ensure("n", "<Response/>", "https://example.com/twiml")


def test_the_console_desk_finds_only_what_was_pasted_and_never_deletes() -> None:
    desk = ConsoleBinDesk()
    assert desk.find("n") is None
    assert desk.find("n", URL) == HostedTwiml("n", URL, "EH" + "4" * 32, None)
    removed = desk.remove("n", URL)
    assert removed.action == "kept" and "Console" in removed.detail and removed.name == URL


def test_twiml_host_is_checked() -> None:
    assert validate_twiml_host(" Bins ") == "bins" and validate_twiml_host("functions") == "functions"
    with pytest.raises(ValidationError, match="one of functions, bins"):
        validate_twiml_host("lambda")


def test_setup_takes_the_host_and_a_matching_desk() -> None:
    values = dict(domain_label="line-one", username="ht801", password="Correct-Horse-9",
                  caller_id="+14155550100", public_ip="203.0.113.10")
    desk = ConsoleBinDesk()
    setup = TwilioSetup(**values, twiml_host="bins", desk=desk)
    assert setup.desk is desk and setup.twiml_host == "bins"
    with pytest.raises(ValidationError) as info:
        TwilioSetup(**values, twiml_host="lambda")
    assert info.value.field == "twiml_host"


def test_a_live_setup_plans_the_console_bins_without_the_network() -> None:
    setup = TwilioSetup(domain_label="line-one", username="ht801", password="Correct-Horse-9",
                        caller_id="+14155550100", public_ip="203.0.113.10", desk=ConsoleBinDesk(),
                        inbound_bin_url=URL)
    outbound = setup.desk.ensure(setup.bin_name("outbound"), setup.outbound_twiml, setup.outbound_bin_url,
                                 field="outbound_bin_url", dry_run=True)
    assert outbound.action == "paste in Console" and "outbound_bin_url" in outbound.detail
    assert setup._inbound_url() == URL
