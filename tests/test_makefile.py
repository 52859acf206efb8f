"""The Makefile's learner commands use the learner install, not the test toolchain."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
@pytest.mark.parametrize("target", ["lab", "record"])
def test_learner_targets_install_without_the_test_extra_and_show_progress(target: str) -> None:
    # -n: print the commands, -B: as if nothing were installed yet
    plan = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), target, "NB=07"], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    assert "pip install --disable-pip-version-check --progress-bar on -e ." in plan
    assert ".[test]" not in plan and "pytest" not in plan and "ruff" not in plan
