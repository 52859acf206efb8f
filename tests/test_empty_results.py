"""Every table the course shows that can come back empty says why and what to do (never a bare header)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from IPython.core.interactiveshell import InteractiveShell

import ata_helpers as ata
from ata_helpers._jupyter_display import install
from ata_helpers.calls import call_log
from ata_helpers.calls.alerts import alerts_frame
from ata_helpers.calls.analysis import calls_for_sip_address, calls_per_day, failures_by_error_code
from ata_helpers.capture.dialogs import sip_calls
from ata_helpers.capture.rtp_table import rtp_streams
from ata_helpers.capture.samples import START, WAN, WAN_PORT, _registration, write_samples
from ata_helpers.capture.writers.pcap import Packet, write_pcap
from ata_helpers.empty_results import empty_reason, explain_empty, frame_text
from ata_helpers.widgets.call_log import call_log_form
from ata_helpers.widgets.capture import capture_explorer


def _registration_only(path: Path) -> Path:
    packets: list[Packet] = []
    _registration(packets, START, WAN, WAN_PORT)
    return write_pcap(path, packets)


def _texts(outputs: tuple) -> str:
    return "\n".join(o["text"] if o.get("output_type") == "stream" else
                     "\n".join(str(v) for v in o.get("data", {}).values()) for o in outputs)


def test_the_reason_travels_with_an_empty_frame_only() -> None:
    empty = explain_empty(pd.DataFrame(columns=["a"]), "Because. Do this.")
    assert empty_reason(empty) == "Because. Do this." and frame_text(empty) == "Because. Do this."
    assert empty_reason(empty[["a"]]) == "Because. Do this."  # pandas keeps attrs through selection
    full = explain_empty(pd.DataFrame({"a": [1]}), "unused")
    assert empty_reason(full) is None and "unused" not in frame_text(full)
    assert frame_text(pd.DataFrame(columns=["a"])) == "Nothing to show."


def test_jupyter_shows_the_reason_instead_of_a_bare_header() -> None:
    shell = InteractiveShell.instance()
    install(shell)
    data, _ = shell.display_formatter.format(explain_empty(pd.DataFrame(columns=["code", "fix"]), "Why & what."))
    assert "Why &amp; what." in data["text/html"] and "<table" not in data["text/html"]
    assert "code, fix" in data["text/html"]
    assert data["text/plain"] == "No rows. Why & what."
    data, _ = shell.display_formatter.format(pd.DataFrame({"a": [1]}))
    assert "<table" in data["text/html"]


def test_call_log_filters_that_match_nothing_say_which_and_what_to_do() -> None:
    log = call_log(to="+14155550999", status="busy", progress=False)
    assert log.empty
    reason = empty_reason(log)
    assert reason and "No call matches to=+14155550999, status=busy" in reason and "widen a filter" in reason
    assert list(log.columns)  # still the documented columns, for code that selects them


def test_an_account_without_calls_says_how_to_make_one() -> None:
    reason = empty_reason(call_log(progress=False))
    assert reason and reason.startswith("The account has no calls yet") and "test ring" in reason


def test_call_log_form_and_cli_print_the_reason() -> None:
    form = call_log_form()
    form.to.value = "+14155550999"
    form.button.click()
    text = _texts(form.out.outputs)
    assert "0 calls" in text and "No call matches to=+14155550999" in text
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "calls", "log", "--to", "+14155550999"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "No call matches to=+14155550999" in out.stdout


def test_log_analyses_of_an_empty_or_clean_log_explain_themselves() -> None:
    log = call_log(progress=False)
    assert "No calls in this log to count" in (empty_reason(calls_per_day(log)) or "")
    assert "No failed calls" in (empty_reason(failures_by_error_code(log)) or "")
    assert "No call to or from sip:ht801@x.sip.twilio.com" in (
        empty_reason(calls_for_sip_address(log, "sip:ht801@x.sip.twilio.com")) or "")


def test_no_alerts_says_nothing_went_wrong() -> None:
    frame = alerts_frame(progress=False)
    assert frame.empty and "holds no alerts" in (empty_reason(frame) or "")


def test_a_clean_capture_explains_its_empty_tables(tmp_path: Path) -> None:
    path = _registration_only(tmp_path / "register.pcap")
    findings = ata.diagnose(path)
    assert findings.empty and (empty_reason(findings) or "").startswith("No findings: nothing in these 4 SIP")
    assert "No RTP in this capture" in (empty_reason(rtp_streams(path)) or "")
    assert "No call in this capture: none of its 4 SIP message(s) is an INVITE" in (empty_reason(sip_calls(path)) or "")


def test_a_capture_without_sip_says_where_to_capture(tmp_path: Path) -> None:
    path = write_pcap(tmp_path / "empty.pcap", [])
    assert "No SIP message in this capture (0 packet(s) read)" in (empty_reason(ata.read_sip(path)) or "")
    assert (empty_reason(ata.diagnose(path)) or "").startswith("Nothing to diagnose. No SIP message")
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "diagnose", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert "Nothing to diagnose. No SIP message in this capture" in out.stdout


def test_capture_explorer_explains_no_findings_no_rtp_and_no_match(tmp_path: Path) -> None:
    captures = write_samples(tmp_path)
    captures["register"] = _registration_only(tmp_path / "register.pcap")
    form = capture_explorer(captures)
    form.picker.value = "register"
    form.analyse.click()
    text = _texts(form.out.outputs)
    assert "No findings: nothing in these 4 SIP message(s)" in text and "No RTP in this capture" in text
    form.address.value = "198.51.100.99"
    form.filter.click()
    assert "No message matches the chosen call, method and address (of 4 SIP messages)" in _texts(
        form.table_out.outputs)


def test_describe_with_nothing_set_up_says_how_to_create_it() -> None:
    from ata_helpers.provision import TwilioSetup

    table = TwilioSetup("my-ht801", "ht801", None, "+14155550100", public_ip="203.0.113.7").describe()
    missing = table[table["state"] == "missing"].set_index("resource")
    for resource in ("credential list", "IP access control list", "SIP domain", "Elastic SIP trunk"):
        assert missing.loc[resource, "detail"].startswith("not created yet: apply() creates it")
    assert (missing["detail"] != "").all()  # every missing row says something


def test_wakeup_history_without_rings_says_how_an_alarm_rings(tmp_path: Path) -> None:
    from ata_helpers.wakeup.store import AlarmStore

    reason = empty_reason(AlarmStore(tmp_path / "alarms.sqlite3").history())
    assert reason and reason.startswith("Nothing has rung yet for any alarm") and "wakeup run" in reason
