"""Notebook 07's explorer: set values, click, and read what landed in the outputs."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ata_helpers.capture.samples import write_samples
from ata_helpers.widgets.capture import capture_explorer


def _texts(outputs: tuple) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        else:
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def test_analyse_shows_findings_ladder_rtp_and_filters(tmp_path: Path) -> None:
    form = capture_explorer(write_samples(tmp_path))
    form.picker.value = "nat_failure"
    form.analyse.click()
    text = _texts(form.out.outputs)
    assert "contact-private-address" in text and "<svg" in text and "168.86.128.10" in text
    assert "out-9a8b7c@192.168.1.50" in form.call.options
    form.call.value = "in-5d1c2b@54.172.60.2"
    form.filter.click()
    table = _texts(form.table_out.outputs)
    assert "INVITE" in table and "REGISTER" not in table
    form.call.value = "(all)"
    form.method.value = "REGISTER"
    form.address.value = "203.0.113."
    form.filter.click()
    table = _texts(form.table_out.outputs)
    assert "REGISTER" in table and "INVITE" not in table


def test_healthy_capture_and_bad_upload(tmp_path: Path) -> None:
    form = capture_explorer(write_samples(tmp_path))
    form.picker.value = "healthy"
    form.analyse.click()
    assert "unregister" in _texts(form.out.outputs) and "contact-private" not in _texts(form.out.outputs)
    form.upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 5, "content": b"hello",
                          "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc)},)
    assert form.picker.value == "upload: notes.txt"
    form.analyse.click()
    assert "Cannot read this capture: not a pcap or pcapng file (magic 0x68656c6c)" in _texts(form.out.outputs)
    # nothing of the healthy capture read before stays on show as if it were this one's
    assert "REGISTER" not in _texts(form.table_out.outputs) and form.call.options == ("(all)",)
    form.filter.click()
    assert "Press Analyse first" in _texts(form.table_out.outputs)


def test_filter_before_analyse_says_what_to_do(tmp_path: Path) -> None:
    form = capture_explorer(write_samples(tmp_path))
    form.filter.click()
    assert "Press Analyse first" in _texts(form.table_out.outputs)
