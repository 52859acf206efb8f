"""samples: the demonstration captures are deterministic and tell the story they claim."""

from __future__ import annotations

from pathlib import Path

import ata_helpers as ata
from ata_helpers.capture.samples import write_samples


def test_samples_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first = write_samples(tmp_path / "a")
    second = write_samples(tmp_path / "b")
    assert sorted(first) == ["healthy", "nat_failure"]
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes()


def test_nat_failure_story(tmp_path: Path) -> None:
    frame = ata.read_sip(write_samples(tmp_path)["nat_failure"])
    register = frame[frame["method"] == "REGISTER"].iloc[0]
    assert register["src"] == "203.0.113.7" and register["contact_uri"].endswith("192.168.1.50:5060")
    invites = frame[(frame["method"] == "INVITE") & frame["src"].str.startswith("54.172.60.")]
    assert (invites["dst"] == "192.168.1.50").all() and invites["retransmission"].sum() == 6
    assert any("x-twilio-error" in h for h in frame["headers"])
