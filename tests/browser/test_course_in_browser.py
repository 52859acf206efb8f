"""The course as a learner sees it: every notebook in JupyterLab, in a real Chromium.

For each notebook, in course order and in one fresh sandbox: open it, Run All, and check what is
on the screen — no error output, every form rendered as a widget (not its text repr), every chart
an image, no table cell cut with `...`, no button or checkbox label cut off; then fill each form with one bad value (its message must
appear beside the field) and press its main button (the output must say what the label promises);
save, reload the page, and check the forms are still forms. Screenshots of every notebook go to
tests/browser/out/ (git-ignored). Run with `make test-browser`; skipped with a message where
Debian's chromium and chromium-driver are not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import lab  # tests/browser/lab.py (pytest puts this folder on sys.path)

pytestmark = pytest.mark.skipif(
    lab.CHROMIUM is None or lab.CHROMEDRIVER is None,
    reason="browser test skipped: no chromium/chromedriver here (apt-get install chromium chromium-driver)")

OUT = Path(__file__).resolve().parent / "out"
NOTEBOOKS = sorted(p.name for p in (lab.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# pandas' cut marks a cell that ends in "..." after some text; a cell that is only "..." is the
# marker of elided rows or columns, which is not a cut.
CUT = re.compile(r"\S\.\.\.$")


@dataclass
class Form:
    """How a learner uses one notebook's form: the cell that shows it (a source fragment), one bad
    value and the words its message must contain, what to fill in, the main button and what the
    output must then say."""

    cell: str
    button: str
    expect: str
    bad: tuple[str, str, str] | None = None
    bad_needs_click: bool = False
    fill: list[tuple[str, str]] = field(default_factory=list)
    clicks: int = 1


# after Run All the notebook has applied the plan, so Plan now finds every resource in place
TWILIO_FORM = Form("TwilioSetupForm(", "Plan", "unchanged", bad=("Caller ID", "4155550100", "starts with +"),
                   fill=[("Caller ID", "+14155550100")])
FORMS: dict[str, Form] = {
    "00_start_here": Form("credentials_form", "Use in this kernel", "Credentials loaded in this kernel only",
                          bad=("Account SID", "AC123", "32 hex digits"),
                          fill=[("Account SID", "AC" + "0" * 32), ("Auth token", "f" * 32)], clicks=3),
    "01_open_firewall": Form("firewall_form", "Show rules", "54.172.60.0",
                             bad=("ATA address", "8.8.8.8", "private LAN address"), bad_needs_click=True,
                             fill=[("ATA address", "192.168.1.50")]),
    "02_outbound_calls": TWILIO_FORM,
    "03_sip_registration": TWILIO_FORM,
    "04_configure_ata": Form("configure_ata_form", "Preview file", "cfg",
                             bad=("Primary SIP Server", "mylab.example.com", "sip.twilio.com"),
                             bad_needs_click=True, fill=[("Primary SIP Server", "my-ht801.sip.twilio.com")]),
    "05_confirm_registration": Form("confirm_registration(", "Wait for Registered", "Registered"),
    "06_inbound_calls": TWILIO_FORM,
    "07_troubleshoot_with_pcap": Form("capture_explorer(", "Analyse", "REGISTER"),
    "08_call_logs": Form("call_log_form", "Show calls", "calls,", bad=("To", "abc", "E.164"),
                         bad_needs_click=True, fill=[("To", "")]),
    "09_wake_up_call": Form("wakeup_form", "Next ring times", "20", bad=("Time", "25:99", "24-hour time"),
                            bad_needs_click=True, fill=[("Time", "06:30")]),
}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Page]:
    pytest.importorskip("selenium", reason="browser test skipped: selenium not installed (pip install '.[test]')")
    root = tmp_path_factory.mktemp("browser")
    work = root / "notebooks"
    work.mkdir()
    # ATA_SANDBOX_TIME_SCALE: the sandbox plays Twilio's timers ten times faster (calls still report
    # their real durations), so 07's unanswered INVITE takes 3.2 s instead of Twilio's 32 s.
    env = {**os.environ, "ATA_MODE": "sandbox", "ATA_SANDBOX_DIR": str(root / "sandbox"),
           "ATA_SANDBOX_TIME_SCALE": os.environ.get("ATA_SANDBOX_TIME_SCALE", "0.1"),
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTER_DATA_DIR": str(root / "data")}
    for name in NOTEBOOKS:  # a learner's copy, trusted as `make lab` does: nothing in the repository is written
        shutil.copy(lab.ROOT / "notebooks" / name, work)
    subprocess.run([str(Path(sys.executable).parent / "jupyter-trust"), "-y", *sorted(map(str, work.iterdir()))],
                   env=env, check=True, capture_output=True)
    shutil.rmtree(OUT, ignore_errors=True)
    with lab.jupyterlab(work, env) as base, lab.chromium(root / "downloads") as driver:
        yield lab.Page(driver, base, OUT)


def _code_index(cells: list[dict[str, Any]], fragment: str) -> int:
    found = [c["index"] for c in cells if fragment in c["source"]]
    assert found, f"no code cell contains {fragment!r}"
    return int(found[0])


def _use_form(page: lab.Page, index: int, form: Form) -> list[str]:
    problems = []
    if form.bad:
        label, value, words = form.bad
        page.type_into(index, label, value)
        if form.bad_needs_click:
            page.click(index, form.button)
        try:
            lab.wait_for(f"the message beside {label!r}", lambda: words in page.message_beside(index, label), 20)
        except AssertionError:
            problems.append(f"bad {label} {value!r}: beside the field {page.message_beside(index, label)!r}, "
                            f"expected {words!r}")
    for label, value in form.fill:
        page.type_into(index, label, value)
    before = page.output_text(index)
    for click in range(form.clicks):  # every click must say something (00's form once went blank)
        page.click(index, form.button)
        try:
            lab.wait_for(f"{form.button!r} to answer", lambda: form.expect in page.output_text(index), 120)
            time.sleep(0.7)  # the answer stays (a late clear of the output would wipe it)
            assert form.expect in page.output_text(index)
        except AssertionError:
            problems.append(f"{form.button!r} click {click + 1}: output {page.output_text(index)[-400:]!r}, "
                            f"expected {form.expect!r} (before: {before[-200:]!r})")
            break
    return problems


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_as_a_learner_sees_it(page: lab.Page, name: str) -> None:
    stem = name.removesuffix(".ipynb")
    begun = time.monotonic()
    page.open(name)
    problems: list[str] = []
    form = FORMS.get(stem)
    if form is not None:  # before any run: the form renders from the widget state stored in the file
        index = _code_index(page.cells(), form.cell)
        try:
            lab.wait_for("the stored form to render", lambda: page.cells()[index]["widgets"], 20)
        except AssertionError:
            pass
        opened = page.cells()
        if not opened[index]["widgets"]:
            problems.append(f"form cell {index} is not a form before the first run: {opened[index]['text'][:120]!r}")
    seconds = page.run_all()
    cells = page.cells()
    for c in cells:
        where = f"cell {c['index']} ({c['source'][:40]!r})"
        problems += [f"{where}: error output {e[:200]!r}" for e in c["errors"]]
        problems += [f"{where}: widget not rendered: {e[:200]!r}" for e in c["widget_errors"]]
        problems += [f"{where}: chart shown as text {t!r}" for t in c["figure_text"]]
        problems += [f"{where}: table cell cut: {t[-60:]!r}" for t in c["cut_cells"] if CUT.search(t)]
        problems += [f"{where}: label cut off: {t!r}" for t in c["cut_labels"]]
        if re.search(r"\b\w+Form\(|^\w+\(children=", c["text"], re.M) and not c["widgets"]:
            problems.append(f"{where}: a form shown as text: {c['text'][:120]!r}")
        if "chart(" in c["source"] and not c["images"]:
            problems.append(f"{where}: no chart image")
    if form is not None:
        index = _code_index(cells, form.cell)
        if not cells[index]["widgets"]:
            problems.append(f"form cell {index} did not render as widgets: {cells[index]['text'][:200]!r}")
        else:
            problems += _use_form(page, index, form)
    page.screenshot(stem)
    widget_cells = [c["index"] for c in cells if c["widgets"]]
    page.save()
    page.reload()
    try:
        lab.wait_for("widgets after reload", lambda: all(c["widgets"] for c in page.cells()
                                                         if c["index"] in widget_cells) or None, 30)
    except AssertionError:
        pass  # reported cell by cell below
    after = {c["index"]: c for c in page.cells()}
    problems += [f"cell {i}: form not rendered after a page reload: {after[i]['text'][:120]!r}"
                 for i in widget_cells if not after[i]["widgets"]]
    page.screenshot(f"{stem}-after-reload")
    print(f"{name}: Run All {seconds:.1f} s, whole test {time.monotonic() - begun:.1f} s")
    assert problems == [], f"{name}:\n  " + "\n  ".join(problems)
