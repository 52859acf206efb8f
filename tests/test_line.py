"""line: LineInputs (typed, frozen, stored as before) and the one place SIP host names are built."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from ata_helpers.errors import ValidationError
from ata_helpers.line import INPUT_FIELDS, LineInputs, inputs_path, sip_address, sip_domain


def test_addresses_are_derived_from_label_user_and_edge() -> None:
    line = LineInputs(domain_label="my-ht801", username="ht801", edge="ashburn")
    assert line.domain_name == "my-ht801.sip.twilio.com"
    assert line.registrar == "my-ht801.sip.ashburn.twilio.com"
    assert line.device_uri == "sip:ht801@my-ht801.sip.twilio.com"
    assert line.origination_url == "sip:ht801@my-ht801.sip.ashburn.twilio.com"
    assert LineInputs(domain_label="x", username="u", edge="us1").origination_url == "sip:u@x.sip.us1.twilio.com"


def test_host_names_are_checked() -> None:
    assert sip_domain("My-HT801") == "my-ht801.sip.twilio.com"
    with pytest.raises(ValidationError):
        sip_domain("my-ht801", edge="moon")
    with pytest.raises(ValidationError):
        sip_address("", "x.sip.twilio.com")
    with pytest.raises(ValidationError, match="notebook 02"):
        _ = LineInputs().domain_name


def test_inputs_are_frozen_and_replaced() -> None:
    line = LineInputs(domain_label="a", username="u")
    with pytest.raises(FrozenInstanceError):
        line.username = "v"  # type: ignore[misc]
    assert line.replace(username="v").username == "v" and line.username == "u"


def test_saved_file_keeps_its_format_and_old_files_still_load(tmp_path: Path) -> None:
    path = tmp_path / "twilio_setup.json"
    line = LineInputs(domain_label="line-one", username="ht801", caller_id="+14155550100",
                      phone_number="+14155550100", edge="us1", public_ip="203.0.113.10")
    line.save(path)
    stored = json.loads(path.read_text())
    assert list(stored) == list(INPUT_FIELDS) and stored["domain_label"] == "line-one"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert LineInputs.load(path) == line
    # a file written before LineInputs existed: some keys missing, one unknown
    path.write_text(json.dumps({"domain_label": "old-line", "username": "ht801", "password": "never read"}))
    old = LineInputs.load(path)
    assert old.domain_label == "old-line" and old.edge == LineInputs.defaults().edge
    assert not hasattr(old, "password")


def test_a_broken_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "twilio_setup.json"
    path.write_text("{not json")
    with pytest.raises(ValidationError, match="delete it"):
        LineInputs.load(path)


def test_the_default_file_lives_in_the_state_folder() -> None:
    from ata_helpers.settings import state_dir

    assert inputs_path() == state_dir() / "twilio_setup.json"
