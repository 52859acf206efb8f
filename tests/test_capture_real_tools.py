"""Captures made by SIPp + tcpdump + editcap/mergecap (tests/data/captures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ata_helpers as ata

CAPTURES = Path(__file__).parent / "data" / "captures"


@pytest.mark.parametrize("name,linktypes,transport", [
    ("sipp_udp_sll2.pcap", [276], "UDP"), ("sipp_udp_sll2_ns.pcap", [276], "UDP"),
    ("sipp_udp_sll2.pcap.gz", [276], "UDP"), ("sipp_tcp_ethernet.pcap", [1], "TCP"),
    ("sipp_tcp_ethernet.pcapng", [1], "TCP")])
def test_sipp_calls(name: str, linktypes: list[int], transport: str) -> None:
    frame = ata.read_sip(CAPTURES / name)
    assert frame.attrs["linktypes"] == linktypes and set(frame["transport"]) == {transport}
    assert len(frame) == 18 and not frame["malformed"].any()
    assert frame["method"].value_counts().to_dict() == {"INVITE": 3, "ACK": 3, "BYE": 3}
    calls = ata.sip_calls(frame)
    assert len(calls) == 3 and (calls["final_status"] == 200).all()
    assert set(calls["hung_up_by"]) == {"caller"}


def test_micro_and_nanosecond_copies_agree() -> None:
    micro = ata.read_sip(CAPTURES / "sipp_udp_sll2.pcap")
    nano = ata.read_sip(CAPTURES / "sipp_udp_sll2_ns.pcap")
    assert micro["time"].tolist() == nano["time"].tolist()


def test_merged_pcapng_with_two_link_types() -> None:
    frame = ata.read_sip(CAPTURES / "sipp_merged_two_interfaces.pcapng")
    assert frame.attrs["linktypes"] == [1, 276] and len(frame) == 36
    assert frame["time"].is_monotonic_increasing
