"""record_notebook / ata-helpers record: one offline HTML file per notebook, forms drawn, secrets masked."""

from __future__ import annotations

import base64
import re
import shutil
import stat
import subprocess
from pathlib import Path

import nbformat
import pytest

from ata_helpers.cli import main
from ata_helpers.errors import ValidationError
from ata_helpers.record import find_notebook, record_notebook
from ata_helpers.settings import SANDBOX_AUTH_TOKEN

SECRET = "Lantern-Quiet-4812"
# a 1×1 PNG
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")).decode()


def _notebook_with_forms(path: Path) -> Path:
    """A notebook as JupyterLab saves it with widget state: a form, a chart, and secrets in outputs."""
    import ipywidgets as w

    form = w.VBox([w.Text(description="Domain label", value="my-ht801"),
                   w.Password(description="SIP password", value=SECRET),
                   w.Dropdown(description="Edge", options=["us1", "ie1"], value="ie1"),
                   w.HBox([w.Button(description="Apply", button_style="primary"), w.Checkbox(description="WAN", value=True)])])
    state = w.Widget.get_manager_state()
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
    form_cell = nbformat.v4.new_code_cell("form")
    form_cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "VBox(children=(Text(value='my-ht801'),))",
        "application/vnd.jupyter.widget-view+json": {"model_id": form.model_id, "version_major": 2,
                                                     "version_minor": 0}})]
    leak_cell = nbformat.v4.new_code_cell(f"token = '{SANDBOX_AUTH_TOKEN}'")
    leak_cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                text=f"password={SECRET}\nAuthorization: Digest response=\"9f8e7d6c\"\n"),
                         nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]
    lost_cell = nbformat.v4.new_code_cell("other")
    lost_cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "HBox(children=(Button(description='x'),))",
        "application/vnd.jupyter.widget-view+json": {"model_id": "0" * 32, "version_major": 2, "version_minor": 0}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# A record"), form_cell, leak_cell, lost_cell]
    nbformat.write(nb, path)
    form.close_all()
    return path


def _assert_offline(html: str) -> None:
    assert not re.search(r"(?i)<(script|link|iframe|object|embed)\b", html)
    for value in re.findall(r'(?i)\bsrc="([^"]*)"', html):
        assert value.startswith("data:"), value


def test_forms_are_drawn_and_secrets_masked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ATA_SIP_PASSWORD", SECRET)
    out = record_notebook(_notebook_with_forms(tmp_path / "nb.ipynb"), tmp_path / "nb.html")
    html = out.read_text("utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    _assert_offline(html)
    for secret in (SECRET, SANDBOX_AUTH_TOKEN, "9f8e7d6c"):
        assert secret not in html
    form = html[html.index('<div class="ata-form'):]
    assert re.search(r'<label>Domain label</label><input [^>]*value="my-ht801"', form)
    assert re.search(r'<label>SIP password</label><input [^>]*placeholder="••••" type="password"', form)
    assert re.search(r'<option selected[^>]*>ie1</option>', form)
    assert re.search(r'<button class="ata-button ata-primary" disabled[^>]*>Apply</button>', form)
    assert re.search(r'<input checked[^>]*type="checkbox"/?><label>WAN</label>', form)
    assert "VBox(children" not in html
    assert f"data:image/png;base64,{PNG}" in html
    assert "This form was not saved with the notebook" in html  # the view without state says so


def test_committed_notebook_exports(tmp_path: Path) -> None:
    out = record_notebook("07", tmp_path / "07.html")
    html = out.read_text("utf-8")
    _assert_offline(html)
    assert "Troubleshoot" in html and "data:image/svg+xml;base64," in html  # the ladders
    assert SANDBOX_AUTH_TOKEN not in html
    # the notebook is committed with its widget state, so its forms are drawn, not their VBox(…) text
    assert 'class="ata-form' in html and "This form was not saved" not in html and "VBox(children" not in html


def test_unknown_notebook_is_refused() -> None:
    with pytest.raises(ValidationError, match="no notebook numbered 99"):
        find_notebook("99")
    with pytest.raises(ValidationError, match="no such notebook"):
        find_notebook("missing.ipynb")


def test_cli_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _notebook_with_forms(tmp_path / "nb.ipynb")
    assert main(["record", str(source), "-o", str(tmp_path / "out.html")]) == 0
    assert "wrote" in capsys.readouterr().out and (tmp_path / "out.html").is_file()


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_record_shows_forms_in_headless_chromium(tmp_path: Path) -> None:
    out = record_notebook(_notebook_with_forms(tmp_path / "nb.ipynb"), tmp_path / "nb.html")
    shot = tmp_path / "shot.png"
    result = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                             f"--user-data-dir={tmp_path / 'p1'}", "--window-size=1000,1200", f"--screenshot={shot}",
                             out.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 5_000, result.stderr[-2000:]
    assert "net::ERR" not in result.stderr and "Failed to load resource" not in result.stderr
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p2'}",
                          "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "<select disabled" in dom and "Apply</button>" in dom and "data:image/png" in dom


def _course(root: Path) -> None:
    """A project folder with the course's notebooks 00 and 07 and the learner's own copy of 07."""
    root.joinpath("pyproject.toml").write_text('[project]\nname = "ata-helpers"\n', "utf-8")
    for folder, stem in (("notebooks", "00_start_here"), ("notebooks", "07_calls"), ("my-notebooks", "07_calls")):
        (root / folder).mkdir(exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"{folder} {stem}")]),
                       root / folder / f"{stem}.ipynb")


def test_a_number_prefers_the_learners_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _course(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert find_notebook("07") == tmp_path / "my-notebooks" / "07_calls.ipynb"
    assert find_notebook("7") == tmp_path / "my-notebooks" / "07_calls.ipynb"
    assert find_notebook("00") == tmp_path / "notebooks" / "00_start_here.ipynb"  # no learner copy of 00
    assert main(["record", "07", "-o", str(tmp_path / "out.html")]) == 0
    out = capsys.readouterr().out
    assert "my-notebooks/07_calls.ipynb (your copy)" in out
    assert "my-notebooks 07_calls" in (tmp_path / "out.html").read_text("utf-8")
    assert main(["record", "notebooks/07_calls.ipynb", "-o", str(tmp_path / "ref.html")]) == 0
    assert "notebooks 07_calls" in (tmp_path / "ref.html").read_text("utf-8")


@pytest.mark.parametrize("name", ["*", "", "07_*", "abc", "99", "-1"])
def test_ambiguous_or_unknown_names_are_refused_with_the_list(name: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _course(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match=r"give one number \(00, 07\)"):
        find_notebook(name)
