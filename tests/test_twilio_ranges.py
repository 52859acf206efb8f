"""twilio_ranges: the data file is read once, checked, and is the only list of edges."""

from __future__ import annotations

import pytest

from ata_helpers import firewall, validate
from ata_helpers.errors import ValidationError
from ata_helpers.sandbox.line.registration import TWILIO_EDGES
from ata_helpers.twilio_ranges import (
    media_ranges,
    media_summary,
    parse_port_range,
    twilio_edges,
    twilio_ranges,
)


def test_edges_come_from_the_signalling_lines_in_file_order() -> None:
    edges = twilio_edges()
    signalling = [r for r in twilio_ranges() if r.purpose == "signalling"]
    assert [e.name for e in edges] == [r.edge for r in signalling]
    assert edges[0].name == "ashburn" and edges[0].legacy_name == "us1"
    assert edges[0].location == "North America Virginia"


def test_every_list_of_edges_in_the_package_is_the_data_file() -> None:
    names = {e.name for e in twilio_edges()}
    legacy = {e.legacy_name: e.name for e in twilio_edges() if e.legacy_name}
    assert set(validate.EDGES) == names and validate.LEGACY_EDGES == legacy
    assert {e: validate.EDGES[e] for e in names} == {e.name: e.location for e in twilio_edges()}
    assert set(firewall.EDGES) == names and firewall.LEGACY_EDGE_NAMES == legacy
    assert TWILIO_EDGES == names | set(legacy)


def test_media_summary_words_the_media_lines() -> None:
    (media,) = media_ranges()
    assert media.cidr == "168.86.128.0/18"
    assert media_summary() == "UDP 10000-60000 from Twilio's media range 168.86.128.0/18"


def test_port_ranges_are_checked() -> None:
    assert parse_port_range("5004-5013") == (5004, 5013) and parse_port_range(5060) == (5060, 5060)
    with pytest.raises(ValidationError):
        parse_port_range("6000-5000")
