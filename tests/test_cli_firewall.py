"""`ata-helpers firewall`: the same rules as the library, errors a person can act on."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import ata_helpers as ata
from ata_helpers.cli import COMMAND_MODULES, main


def test_firewall_command_is_registered() -> None:
    assert "ata_helpers.commands.firewall" in COMMAND_MODULES


def test_prints_the_library_rules_and_the_alg_note(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["firewall", "--format", "iptables", "--edge", "us1", "--edge", "sydney",
                   "--ata-ip", "192.168.1.50", "--rtp-ports", "5004-5005"])
    out, err = capsys.readouterr()
    expected = ata.firewall_rules("iptables", edges=["us1", "sydney"], ata_ip="192.168.1.50",
                                  rtp_ports="5004-5005")
    assert status == 0
    assert out == expected.text
    assert "SIP ALG" in err and "nf_conntrack_sip" in err


def test_default_format_is_the_plain_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["firewall"]) == 0
    assert capsys.readouterr().out == ata.firewall_rules("table").text


def test_ranges_lists_every_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["firewall", "--ranges"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["edge", "legacy_name", "location", "purpose", "cidr", "protocol", "ports",
                                "source", "checked"]
    assert len(lines) == 1 + 25
    for cidr in ata.twilio_ip_ranges()["cidr"].unique():
        assert cidr in out


def test_ranges_limited_to_an_edge(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["firewall", "--ranges", "--edge", "jp1"]) == 0
    out = capsys.readouterr().out
    assert "54.65.63.192/30" in out and "54.172.60.0/30" not in out and "168.86.128.0/18" in out


@pytest.mark.parametrize("args, field", [(["--edge", "london"], "edges"), (["--ata-ip", "1.1.1.1"], "ata_ip"),
                                         (["--ata-ip", "10.0.0.2", "--rtp-ports", "9-1"], "rtp_ports")])
def test_bad_input_exits_1_with_the_rule(args: list[str], field: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["firewall", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {field}: ")


def test_unknown_format_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["firewall", "--format", "cisco"])
    assert info.value.code == 2
    assert "invalid choice: 'cisco'" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("nft") is None, reason="nft not installed")
def test_console_output_pipes_into_nft_check() -> None:
    made = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "firewall", "-f", "nftables",
                           "--ata-ip", "192.168.1.50"], capture_output=True, text=True, check=True)
    check = subprocess.run(["nft", "-c", "-f", "-"], input=made.stdout, capture_output=True, text=True)
    if check.returncode != 0 and "Operation not permitted" in check.stderr:
        pytest.skip("nft -c needs CAP_NET_ADMIN here")
    assert check.returncode == 0, check.stderr
