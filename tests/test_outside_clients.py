"""Twilio's own Node SDK and the Twilio CLI, unchanged, against the twin.

Where `node` and `npm` are installed, the pinned `twilio` and `twilio-cli` packages
(tests/outside_clients/package.json) are installed once into a cache folder this test owns
(pytest's cache, `outside-clients/`); without node, or when the npm registry cannot be reached,
the tests are skipped, never failed. The clients speak HTTPS to *.twilio.com as they do in
production; a preloaded script (outside_clients/redirect_to_twin.js) sends those requests to the
twin on 127.0.0.1, the way ata_helpers.twilio_api's SandboxHttpClient does for Python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import ata_helpers as ata
from ata_helpers.sandbox import twin_url
from ata_helpers.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

HERE = Path(__file__).parent / "outside_clients"
UNREACHABLE = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENETUNREACH",
               "network", "proxy", "EHOSTUNREACH")


@pytest.fixture(scope="session")
def node_modules(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node_modules holding the pinned twilio SDK and CLI, installed on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are not installed: the outside-client tests need them")
    cache = request.config.cache
    folder = cache.mkdir("outside-clients") if cache is not None else tmp_path_factory.mktemp("outside-clients")
    wanted = (HERE / "package.json").read_text()
    stamp = folder / "installed-package.json"
    modules = folder / "node_modules"
    if not (stamp.exists() and stamp.read_text() == wanted and (modules / "twilio-cli" / "bin" / "run").exists()):
        (folder / "package.json").write_text(wanted)
        try:
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                                  capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            pytest.skip("npm install did not finish in 15 minutes (registry unreachable?)")
        if done.returncode != 0:
            if any(word in done.stderr for word in UNREACHABLE):
                pytest.skip(f"the npm registry cannot be reached: {done.stderr.strip().splitlines()[-1]}")
            pytest.fail(f"npm install failed:\n{done.stderr}")
        stamp.write_text(wanted)
    return modules


def _node(modules: Path, args: list[str], home: Path, log: Path | None = None,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "NODE_PATH": str(modules),
           "ATA_TWIN_URL": twin_url(), "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
           "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN, "TWILIO_SKIP_NEW_VERSION_CHECK": "1",
           "NO_UPDATE_NOTIFIER": "1"}
    if log is not None:
        env["ATA_TWIN_REQUEST_LOG"] = str(log)
    return subprocess.run([shutil.which("node") or "node", "--require", str(HERE / "redirect_to_twin.js"), *args],
                          cwd=modules.parent, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_node_sdk_runs_the_setup_story(node_modules: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    done = _node(node_modules, [str(HERE / "setup_story.js")], tmp_path)
    steps = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    failed = [f"{s['step']}: {s['detail']}" for s in steps if not s["ok"]]
    assert done.returncode == 0 and steps, done.stderr[-3000:]
    assert not failed, "\n".join(failed)
    assert len(steps) == 25


def _cli(modules: Path, home: Path, log: Path, *args: str) -> Any:
    done = _node(modules, [str(modules / "twilio-cli" / "bin" / "run"), *args, "-o", "json"], home, log)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_twilio_cli_pages_a_five_item_list_two_at_a_time(node_modules: Path, tmp_path: Path) -> None:
    client = ata.twilio_client()
    acl = client.sip.ip_access_control_lists.create(friendly_name="cli paging")
    made = [acl.ip_addresses.create(friendly_name=f"a{i}", ip_address=f"198.51.100.{i + 1}").sid
            for i in range(5)]
    log = tmp_path / "requests.log"
    listed = _cli(node_modules, tmp_path, log, "api:core:sip:ip-access-control-lists:ip-addresses:list",
                  "--ip-access-control-list-sid", acl.sid, "--page-size", "2")
    assert [item["sid"] for item in listed] == made
    pages = [line for line in log.read_text().splitlines() if "/IpAddresses.json" in line]
    assert len(pages) == 3 and all("PageSize=2" in line for line in pages)
    fetched = _cli(node_modules, tmp_path, log, "api:core:sip:ip-access-control-lists:fetch", "--sid", acl.sid)
    assert fetched[0]["friendlyName"] == "cli paging"
