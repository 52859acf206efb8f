"""The line report: made in the sandbox after the NAT story, it holds the doctor, findings and ladders,
loads nothing from the network, and contains no secret the sandbox knows."""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers import nat_story
from ata_helpers.cli import main
from ata_helpers.sandbox.ht80x.twin import SANDBOX_ADMIN_PASSWORD
from ata_helpers.sandbox.twilio.credential_lists import password_hash
from ata_helpers.settings import SANDBOX_AUTH_TOKEN, SANDBOX_SIP_PASSWORD

SIP_PASSWORD = "Lantern-Quiet-4812"  # the learner's own password for this test's line


@pytest.fixture
def nat_story_capture(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The NAT story of notebook 07: LAN contact, the inbound call fails, its capture."""
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    monkeypatch.setenv("ATA_SIP_PASSWORD", SIP_PASSWORD)
    nat_story.ensure_line()
    nat_story.set_contact_header(wan=False)
    failed = nat_story.call_the_phone()
    assert failed.status == "failed"
    return ata.sandbox.capture(failed.sid)


def _sandbox_secrets(sandbox: Path, capture: Path) -> set[str]:
    """Every secret the sandbox knows: fixed demo values, stored digests, the capture's digest values."""
    found = {SANDBOX_AUTH_TOKEN, SANDBOX_SIP_PASSWORD, SANDBOX_ADMIN_PASSWORD, SIP_PASSWORD,
             password_hash(SIP_PASSWORD), password_hash(SANDBOX_SIP_PASSWORD)}
    for db in sandbox.rglob("*.sqlite*"):
        if db.suffix in (".sqlite", ".sqlite3", ".db") or db.name.endswith(".sqlite"):
            with sqlite3.connect(db) as conn:
                tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
                for table in tables:
                    for row in conn.execute(f'select * from "{table}"'):
                        for value in row:
                            found.update(re.findall(r'"password_sha256":\s*"([0-9a-f]{64})"', str(value)))
    sip = ata.read_sip(capture)
    for headers in sip["headers"]:
        for name in ("authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate"):
            for value in headers.get(name, []):
                found.update(v for _, v in re.findall(r'(?i)\b(response|c?nonce)="?([^",\s]+)', value))
    return {s for s in found if s}


def test_report_after_the_nat_story(nat_story_capture: Path, sandbox_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "line.html"
    html = ata.line_report(out, capture=nat_story_capture)
    assert out.read_text("utf-8") == html
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # the parts, in order
    titles = re.findall(r"<h2>(.*?)</h2>", html)
    assert titles == ["Doctor: the whole chain", "Twilio side", "The ATA", "Last calls", "The capture"]
    assert "This part could not be made" not in html
    assert "SIP REGISTER Contact Header Uses is LAN Address" in html  # the doctor's row
    assert "ata-course:my-ht801" in html  # describe()
    assert "P4437" in html and "(not set: kept on the device)" in html  # settings, password masked
    assert "32011" in html and "Twilio could not reach your SIP endpoint" in html  # last call explained
    assert "<th>verdict</th>" in html and "insights_note" in html  # and Voice Insights beside it
    capture_part = html[html.index('id="capture"'):]
    assert capture_part.index("contact-private-address") < capture_part.index("<svg")
    assert capture_part.index("<svg") < capture_part.index("RTP streams")
    assert capture_part.count("<svg") == 2  # the inbound INVITE, and the registrations
    # no secret anywhere
    secrets = _sandbox_secrets(sandbox_env, nat_story_capture)
    assert any(len(s) == 32 for s in secrets), "the capture's digest nonce should be among the searched values"
    leaked = sorted(s for s in secrets if s in html)
    assert not leaked, f"secrets in the report: {leaked}"


def test_report_is_self_contained(nat_story_capture: Path) -> None:
    html = ata.line_report(capture=nat_story_capture)
    assert not re.search(r"(?i)<(script|link|img|iframe|object|embed)\b", html)
    assert not re.search(r"(?i)url\((?!['\"]?#)|@import", html)  # url(#marker) is local
    for attr, value in re.findall(r'(?i)\b(src|href)="([^"]*)"', html):
        assert value.startswith("#"), f"{attr}={value} would load something"


def test_a_part_that_fails_says_why_and_the_rest_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from ata_helpers import report

    def unreachable(section: report.Section) -> None:
        raise ata.DeviceUnreachableError("the ATA at 192.168.1.50 does not answer")

    monkeypatch.setattr(report, "_ata", unreachable)
    html = ata.line_report()
    assert "This part could not be made: DeviceUnreachableError: the ATA at 192.168.1.50 does not answer" in html
    assert "Last calls" in html and "Twilio side" in html


def test_missing_capture_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ata.ValidationError, match="no such file"):
        ata.line_report(capture=tmp_path / "nothing.pcap")


def test_cli_report(nat_story_capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.html"
    assert main(["report", "-o", str(out), "--capture", str(nat_story_capture)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert "contact-private-address" in out.read_text("utf-8")


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_report_opens_in_headless_chromium(nat_story_capture: Path, tmp_path: Path) -> None:
    out = tmp_path / "line.html"
    ata.line_report(out, capture=nat_story_capture)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,4000", f"--screenshot={shot}",
         out.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    assert "net::ERR" not in result.stderr and "Failed to load resource" not in result.stderr
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert dom.count("<svg") == 2 and "contact-private-address" in dom


def test_secrets_that_reach_a_table_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret quoted by any part (here a doctor row quoting a password and a digest) is masked."""
    import importlib

    import pandas as pd

    doctor_module = importlib.import_module("ata_helpers._doctor")

    monkeypatch.setenv("ATA_SIP_PASSWORD", SIP_PASSWORD)

    def leaky_doctor(**_: object) -> pd.DataFrame:
        return pd.DataFrame([{"check": "quoted", "status": "fail",
                              "detail": f'password {SIP_PASSWORD}; Authorization: Digest response="9f8e7d6c5b4a", '
                                        f'nonce="0a1b2c3d4e5f", token={SANDBOX_AUTH_TOKEN}', "fix": ""}])

    monkeypatch.setattr(doctor_module, "doctor", leaky_doctor)
    html = ata.line_report()
    assert "quoted" in html and "response=" in html
    for secret in (SIP_PASSWORD, "9f8e7d6c5b4a", "0a1b2c3d4e5f", SANDBOX_AUTH_TOKEN):
        assert secret not in html


@pytest.mark.parametrize("argv, says", [(["report", "-o", ""], "a file name to write (got an empty one)"),
                                        (["report", "-o", "{tmp}"], "a file name, not the folder"),
                                        (["calls", "log", "--csv", "{tmp}"], "a file name, not the folder"),
                                        (["record", "00", "-o", "{tmp}"], "a file name, not the folder")])
def test_an_output_that_is_not_a_file_name_is_one_clear_line(argv: list[str], says: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "IsADirectoryError" not in err and "busy" not in err
    assert list(tmp_path.iterdir()) == [tmp_path / "sandbox"]  # no temporary file left behind


def test_line_report_into_a_folder_is_refused_before_building(tmp_path: Path) -> None:
    with pytest.raises(ata.ValidationError, match="not the folder"):
        ata.line_report(tmp_path)


@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
@pytest.mark.parametrize("name", ["line.html", "calls.csv", "records/07_calls.html"])
def test_reports_written_in_the_project_folder_are_git_ignored(name: str) -> None:
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--no-index", name], timeout=30)
    assert ignored.returncode == 0, f"{name} would be committed by `git add -A`"
