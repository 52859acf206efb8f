"""Two learners on one JupyterHub: separate homes and sandboxes run the course at the same time, nothing collides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LEARNER = r"""
import json, sys
import ata_helpers as ata
from ata_helpers.provision import TwilioSetup
from ata_helpers.provision.config import sip_password
from ata_helpers.sandbox.course_steps import reach_step

TwilioSetup.from_saved(password=sip_password(prompt=False), domain_label=sys.argv[1]).save()
reach_step(7, progress=False)          # notebooks 00-06: Twilio side, ATA, registration, inbound test call
client = ata.twilio_client()
calls = client.calls.list()
capture = ata.sandbox.capture(calls[0].sid)
device = ata.ht80x_device()
print(json.dumps({
    "twin": ata.sandbox.twin_url(),
    "device": device.base_url,
    "domains": [d.domain_name for d in client.sip.domains.list()],
    "calls": [(c.to, c.status) for c in calls],
    "capture": str(capture),
    "capture_to": sorted({str(u) for u in ata.read_sip(capture)["request_uri"].dropna()}),
    "registered": device.status().loc[0, "registration"],
    "checks": {step: bool(ata.check(step)) for step in ("02", "03", "04", "06")},
}))
"""


def _start(home: Path, label: str) -> subprocess.Popen[str]:
    (home / "sandbox").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "ATA_MODE": "sandbox", "ATA_SANDBOX_DIR": str(home / "sandbox")}
    return subprocess.Popen([sys.executable, "-c", LEARNER, label], env=env, cwd=home, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_learners_at_once_keep_separate_sandboxes(tmp_path: Path) -> None:
    learners = {"alice-line": tmp_path / "alice", "bob-line": tmp_path / "bob"}
    procs = {label: _start(home, label) for label, home in learners.items()}  # both run at the same time
    seen = {}
    for label, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        seen[label] = json.loads(out.strip().splitlines()[-1])
    alice, bob = seen["alice-line"], seen["bob-line"]
    assert alice["twin"] != bob["twin"] and alice["device"] != bob["device"]
    for label, info in seen.items():
        home = learners[label]
        assert info["domains"] == [f"{label}.sip.twilio.com"]
        assert info["calls"] == [[f"sip:ht801@{label}.sip.twilio.com", "completed"]]
        assert Path(info["capture"]).is_relative_to(home / "sandbox")
        assert info["capture_to"] and all(label in uri or "192.168." in uri or "203.0.113." in uri
                                          for uri in info["capture_to"])
        assert info["registered"] == "Registered"
        assert all(info["checks"].values()), info["checks"]
        services = json.loads((home / "sandbox" / "services" / "twilio.json").read_text())
        assert services["url"] == info["twin"]
