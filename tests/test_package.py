"""The public surface: __all__ matches what resolves, and importing stays light."""

from __future__ import annotations

import subprocess
import sys

import ata_helpers as ata


def test_every_exported_name_resolves() -> None:
    for name in ata.__all__:
        assert getattr(ata, name) is not None, name


def test_contract_names_exist() -> None:
    for name in ("mode", "twilio_client"):
        assert name in ata.__all__


def test_import_does_not_load_heavy_packages() -> None:
    code = ("import sys, ata_helpers\n"
            "heavy = [m for m in ('twilio', 'ipywidgets', 'matplotlib', 'pandas', 'requests') if m in sys.modules]\n"
            "print(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_lists_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "--help"], capture_output=True, text=True,
                         check=True)
    assert "env" in out.stdout and "sandbox" in out.stdout


def test_cli_env_runs_in_sandbox() -> None:
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "env"], capture_output=True, text=True,
                         check=True)
    assert "sandbox" in out.stdout and "Twilio API answers" in out.stdout and "yes (" in out.stdout


def test_cli_env_exits_nonzero_when_something_fails() -> None:
    import os

    env = {**os.environ, "ATA_MODE": "live"}
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, "-m", "ata_helpers.cli", "env"], capture_output=True, text=True,
                         env=env, cwd="/", check=False)
    assert out.returncode == 1 and "TWILIO_ACCOUNT_SID" in out.stdout
