"""sip_calls: one row per call with parties, times, final status, setup time and who hung up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import ata_helpers as ata
from ata_helpers.capture.samples import write_healthy, write_nat_failure


def test_healthy_call_row(tmp_path: Path) -> None:
    calls = ata.sip_calls(write_healthy(tmp_path / "h.pcap"))
    assert len(calls) == 1  # the REGISTER dialog is not a call
    call = calls.iloc[0]
    assert call["caller"] == "sip:+14155550199@example.sip.twilio.com"
    assert call["callee_addr"] == "203.0.113.7:41952"
    assert call["final_status"] == 200 and call["setup_time_s"] == 4.0
    assert round(call["duration_s"], 2) == 2.2 and call["hung_up_by"] == "callee"


def test_failed_and_unanswered_calls(tmp_path: Path) -> None:
    frame = ata.read_sip(write_nat_failure(tmp_path / "n.pcap"))
    calls = ata.sip_calls(frame).set_index("call_id")
    unanswered = calls.loc["in-5d1c2b@54.172.60.2"]
    assert pd.isna(unanswered["final_status"]) and pd.isna(unanswered["answered"])
    assert unanswered["messages"] == 7
    out = calls.loc["out-9a8b7c@192.168.1.50"]
    assert out["hung_up_by"] == "callee" and out["twilio_error"].startswith("32014")
