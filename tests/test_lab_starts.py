"""`make lab` starts JupyterLab on notebooks/: the same command, checked to answer HTTP, and a
notebook saved from JupyterLab keeps its edit through `make notebooks` (jupytext writes the pair)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "course-test-token"
sys.path.insert(0, str(ROOT / "scripts"))
import execute_notebooks  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _lab(root: Path, tmp_path: Path) -> Iterator[str]:
    """JupyterLab serving `root`, as `make lab` starts it; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{base}/lab?token={TOKEN}", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_jupyterlab_serves_the_course(tmp_path: Path) -> None:
    with _lab(ROOT / "notebooks", tmp_path) as base:
        url = f"{base}/api/contents/00_start_here.ipynb?content=0&token={TOKEN}"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert json.loads(response.read())["type"] == "notebook"


def test_an_edit_saved_in_jupyterlab_survives_make_notebooks_sync(tmp_path: Path) -> None:
    work = tmp_path / "nb"
    work.mkdir()
    for suffix in (".ipynb", ".md"):
        shutil.copy(ROOT / "notebooks" / f"10_doctor{suffix}", work)
    with _lab(work, tmp_path) as base:
        url = f"{base}/api/contents/10_doctor.ipynb?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=10) as response:
            model = json.loads(response.read())
        model["content"]["cells"][0]["source"] += "\n\nAn edit made in JupyterLab."
        body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
        request = urllib.request.Request(url, data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    assert "An edit made in JupyterLab." in (work / "10_doctor.md").read_text()
    execute_notebooks.sync([work / "10_doctor.md"])  # what `make notebooks` does before executing
    for suffix in (".ipynb", ".md"):
        assert "An edit made in JupyterLab." in jupytext.read(work / f"10_doctor{suffix}").cells[0].source


def test_a_collapsed_solution_stays_collapsed_through_make_notebooks(tmp_path: Path) -> None:
    """Executing drops volatile cell metadata (clean) but keeps JupyterLab's collapsed state, and
    the last sync writes it back to the .md — where notebook 11's answer once lost it."""
    (text,) = (ROOT / "notebooks").glob("01_*.md")
    shutil.copy(text, tmp_path)
    shutil.copy(text.with_suffix(".ipynb"), tmp_path)
    pair = tmp_path / text.name
    os.utime(pair)  # the .md is the newer file: sync takes it as the source
    execute_notebooks.sync([pair])
    nb = jupytext.read(pair.with_suffix(".ipynb"))
    hidden = [i for i, c in enumerate(nb.cells) if c.metadata.get("jupyter", {}).get("source_hidden")]
    assert hidden, "the exercise's solution is not collapsed in the .ipynb"
    nb.cells[hidden[0]].metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    execute_notebooks.clean(nb)
    assert nb.cells[hidden[0]].metadata == {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
    jupytext.write(nb, pair.with_suffix(".ipynb"))
    time.sleep(0.01)
    os.utime(pair.with_suffix(".ipynb"))
    execute_notebooks.sync([pair])  # the .ipynb is newer now: the .md is written from it
    assert "  source_hidden: true" in pair.read_text()
