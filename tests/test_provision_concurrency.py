"""TwilioSetup under concurrency: four real processes applying the same line at once create each
resource once; a create that loses a race to another run is looked up afresh and reported
`unchanged`; duplicates left by older runs are warned about and all removed by one teardown."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.errors import DuplicateResourcesWarning
from ata_helpers.provision import TwilioSetup, ensure_credential, ensure_domain
from ata_helpers.provision import steps as steps_module
from ata_helpers.provision.steps import CREATED_MEANWHILE, find_tagged

PASSWORD = "Correct-Horse-9"
TAG = "ata-course:line-one"
ARGS = ["setup", "apply", "--domain-label", "line-one", "--username", "ht801", "--caller-id", "+14155550100",
        "--public-ip", "203.0.113.10"]


def _setup() -> TwilioSetup:
    return TwilioSetup("line-one", "ht801", PASSWORD, "+14155550100", public_ip="203.0.113.10")


def _counts(client: Any) -> dict[str, int]:
    counts = {kind: len(found) for kind, found in find_tagged(client, TAG).items()}
    lists = find_tagged(client, TAG)
    counts["credential"] = sum(len(client.sip.credential_lists(c.sid).credentials.list())
                               for c in lists["credential list"])
    counts["IP address"] = sum(len(client.sip.ip_access_control_lists(a.sid).ip_addresses.list())
                               for a in lists["IP access control list"])
    counts["SIP domain"] = len([d for d in client.sip.domains.list() if d.domain_name == "line-one.sip.twilio.com"])
    counts["origination URL"] = sum(len(client.trunking.v1.trunks(t.sid).origination_urls.list())
                                    for t in lists["Elastic SIP trunk"])
    return counts


@pytest.mark.parametrize("trial", range(3))
def test_four_processes_applying_at_once_create_each_resource_once(trial: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", PASSWORD)
    client = ata.twilio_client()
    client.calls.list(limit=1)  # the twin runs in this process, shared by the four
    runs = [subprocess.Popen([sys.executable, "-m", "ata_helpers.cli", *ARGS], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err and "warning" not in err
    assert _counts(client) == {"credential list": 1, "IP access control list": 1, "Elastic SIP trunk": 1,
                               "credential": 1, "IP address": 1, "SIP domain": 1, "origination URL": 1}
    created = sum(out.count(" created ") for out, _ in outputs)
    assert created >= 10  # one run created everything; the others found it there
    assert set(_setup().apply().action) == {"unchanged"}


def test_a_create_that_lost_the_race_is_reported_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    client = ata.twilio_client()
    ensure_domain(client, "line-one.sip.twilio.com", friendly_name=TAG)
    made = _setup()
    made.apply(stages="outbound")
    real_first = steps_module._first
    calls = {"n": 0}

    def stale_first(items: Any, match: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(items, match)  # the first lookup is stale

    monkeypatch.setattr(steps_module, "_first", stale_first)
    result = ensure_domain(client, "line-one.sip.twilio.com", friendly_name=TAG)
    assert result.action == "unchanged"  # Twilio answered "already taken"; a fresh lookup found it
    calls["n"] = 0
    lists = find_tagged(client, TAG)["credential list"]
    result = ensure_credential(client, lists[0].sid, "ht801", PASSWORD)
    assert (result.action, result.detail) == ("unchanged", CREATED_MEANWHILE)


def test_duplicates_are_warned_about_and_all_torn_down() -> None:
    client = ata.twilio_client()
    setup = _setup()
    setup.apply()
    for _ in range(2):  # what runs before the line lock could leave behind
        client.sip.credential_lists.create(friendly_name=TAG)
        client.sip.ip_access_control_lists.create(friendly_name=TAG)
    with pytest.warns(DuplicateResourcesWarning, match="3 of credential list"):
        setup.apply()
    with pytest.warns(DuplicateResourcesWarning):
        described = setup.describe()
    assert set(described[described.state == "duplicate"].resource) == {"credential list", "IP access control list"}
    removed = setup.teardown()
    assert (removed.action == "deleted").sum() >= 7
    assert _counts(client) == {"credential list": 0, "IP access control list": 0, "Elastic SIP trunk": 0,
                               "credential": 0, "IP address": 0, "SIP domain": 0, "origination URL": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setup.describe()  # nothing left to warn about
