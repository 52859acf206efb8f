"""read_sip: the DESIGN.md column contract, retransmission marks, and a light import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ata_helpers as ata
from ata_helpers.capture.samples import write_nat_failure
from ata_helpers.capture.sip_table import COLUMNS
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes

CONTRACT = ["time", "src", "sport", "dst", "dport", "transport", "method", "status", "reason",
            "request_uri", "call_id", "cseq", "cseq_method", "from_uri", "from_tag", "to_uri",
            "to_tag", "contact_uri", "via", "user_agent", "expires", "retransmission", "headers",
            "sdp", "frame"]


def test_columns_start_with_the_contract_in_order_with_its_types(tmp_path: Path) -> None:
    df = ata.read_sip(write_nat_failure(tmp_path / "n.pcap"))
    assert list(df.columns[:len(CONTRACT)]) == CONTRACT and list(df.columns) == COLUMNS
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert str(df["status"].dtype) == "Int64" and str(df["cseq"].dtype) == "Int64"
    assert df["retransmission"].dtype == bool
    first = df.iloc[0]
    assert first["method"] == "REGISTER" and first["status"] is not None
    assert first["contact_uri"] == "sip:alice@192.168.1.50:5060"
    assert first["via"] == "SIP/2.0/UDP 192.168.1.50:5060;branch=z9hG4bKreg1;rport"
    assert first["user_agent"] == "Grandstream HT801 1.0.5.11" and first["expires"] == 3600
    assert isinstance(first["headers"], dict) and first["headers"]["cseq"] == ["1 REGISTER"]
    response = df.iloc[1]
    assert response["method"] is None and response["status"] == 401
    assert response["user_agent"] == "Twilio Gateway"  # Server header


def test_udp_retransmissions_are_marked_not_dropped(tmp_path: Path) -> None:
    df = ata.read_sip(write_nat_failure(tmp_path / "n.pcap"))
    invites = df[(df["method"] == "INVITE") & (df["call_id"] == "in-5d1c2b@54.172.60.2")]
    assert len(invites) == 7
    assert invites["retransmission"].tolist() == [False] + [True] * 6


def test_different_branch_is_a_new_request_not_a_retransmission() -> None:
    def opt(branch: str) -> bytes:
        return (f"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch={branch}\r\nFrom: <sip:a@h>;tag=1\r\n"
                f"To: <sip:x@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
    packets = [Packet(1.0, "192.0.2.1", 5060, "192.0.2.2", 5060, opt("z9hG4bKa")),
               Packet(2.0, "192.0.2.1", 5060, "192.0.2.2", 5060, opt("z9hG4bKb")),
               Packet(3.0, "192.0.2.1", 5060, "192.0.2.2", 5060, opt("z9hG4bKb"))]
    assert ata.read_sip(pcap_bytes(packets))["retransmission"].tolist() == [False, False, True]


def test_non_sip_udp_and_keepalives_are_not_rows() -> None:
    packets = [Packet(1.0, "192.0.2.1", 5060, "192.0.2.2", 5060, b"\r\n\r\n"),
               Packet(1.5, "192.0.2.1", 5060, "192.0.2.2", 5060,
                      b"\x00\x01\x00\x00\x21\x12\xa4\x42" + b"\x00" * 12),
               Packet(2.0, "192.0.2.1", 53, "192.0.2.2", 53, b"\x12\x34\x01\x00 dns"),
               Packet(3.0, "192.0.2.1", 5060, "192.0.2.2", 5060, b"SIP/2.0 200 OK\r\nbroken")]
    df = ata.read_sip(pcap_bytes(packets))
    assert df["frame"].tolist() == [4] and df["malformed"].tolist() == [True]
    assert df.attrs["keepalives"] == 2


def test_importing_the_package_stays_light() -> None:
    code = ("import sys, ata_helpers as ata; ata.read_sip; "
            "print(sorted(m for m in ('pandas','twilio','ipywidgets','matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
