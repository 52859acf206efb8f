"""`ata-helpers sandbox reset --to N` and `ata.sandbox.reset(to=N)`: join the course at notebook N."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ata_helpers as ata
from ata_helpers.sandbox.course_steps import LAST_STEP, reach_step


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ata_helpers.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_cli_reset_to_builds_the_earlier_notebooks_state_and_forgets_the_rest() -> None:
    ata.twilio_client().sip.domains.create(domain_name="left-over.sip.twilio.com")
    out = _cli("sandbox", "reset", "--to", "04")
    assert out.returncode == 0, out.stderr
    assert "removed 1 SIP domain" in out.stdout
    assert "ran the steps of notebooks 00, 02, 03, so they hold what a learner has before notebook 04" in out.stdout
    assert "Next: open notebook 04." in out.stdout
    names = [d.domain_name for d in ata.twilio_client().sip.domains.list()]
    assert names == ["my-ht801.sip.twilio.com"]
    assert ata.check("02") and ata.check("03")
    assert not ata.check("04")


def test_reset_to_from_a_notebook_reaches_the_ata_steps() -> None:
    ata.sandbox.reset(to=6)
    assert ata.check("04") and ata.check("05", True)
    assert not ata.check("06")


def test_reset_to_zero_is_a_plain_reset() -> None:
    ata.twilio_client().sip.domains.create(domain_name="left-over.sip.twilio.com")
    ata.sandbox.reset(to="00")
    assert ata.twilio_client().sip.domains.list() == []


@pytest.mark.parametrize("step", [-1, LAST_STEP + 1, "five", None])
def test_out_of_range_is_refused_before_anything_runs(step: object) -> None:
    with pytest.raises(ata.ValidationError):
        reach_step(step)  # type: ignore[arg-type]


def test_cli_refuses_to_build_state_in_live_mode() -> None:
    out = _cli("sandbox", "reset", "--to", "03", ATA_MODE="live")
    assert out.returncode == 2 and "nothing was changed" in out.stderr
