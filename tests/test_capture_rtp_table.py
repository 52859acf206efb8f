"""rtp_streams: per-stream counts, loss, jitter and the call matched through SDP."""

from __future__ import annotations

from pathlib import Path

import ata_helpers as ata
from ata_helpers.capture.samples import write_healthy
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes
from ata_helpers.capture.writers.sip import rtp_payload


def test_healthy_sample_has_two_streams_tied_to_the_call(tmp_path: Path) -> None:
    rtp = ata.rtp_streams(write_healthy(tmp_path / "h.pcap"))
    assert len(rtp) == 2
    assert set(rtp["call_id"]) == {"in-5d1c2b@54.172.60.2"}
    assert rtp["packets"].tolist() == [100, 100] and rtp["lost"].tolist() == [0, 0]
    assert rtp["ssrc"].tolist() == ["0x7A11CE02", "0x0A7A0001"]
    assert (rtp["payload_type"] == 0).all()
    assert rtp["jitter_ms"].max() < 0.01  # perfectly paced
    assert (rtp["last"] - rtp["first"]).dt.total_seconds().round(2).tolist() == [1.98, 1.98]


def test_loss_and_jitter_are_measured() -> None:
    packets = []
    for i in range(50):
        if i in (10, 11, 30):
            continue  # three lost packets
        late = 0.005 if i % 2 else 0.0  # 5 ms of alternating delay
        packets.append(Packet(i * 0.02 + late, "198.51.100.1", 4000, "198.51.100.2", 5000,
                              rtp_payload(60000 + i, 160 * i, 0x1234)))  # wraps at 65536
    row = ata.rtp_streams(pcap_bytes(packets)).iloc[0]
    assert row["packets"] == 47 and row["lost"] == 3
    assert 2.0 < row["jitter_ms"] < 5.0
    assert row["call_id"] is None


def test_rtcp_is_not_counted_as_rtp() -> None:
    rtcp = bytes([0x80, 200]) + b"\x00\x06" + b"\x00" * 24
    assert ata.rtp_streams(pcap_bytes([Packet(1, "198.51.100.1", 4001, "198.51.100.2", 5001, rtcp)])).empty
