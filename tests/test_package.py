"""The public surface: __all__ matches what resolves, and importing stays light."""

from __future__ import annotations

import subprocess
import sys

import ata_helpers as ata


def test_every_exported_name_resolves() -> None:
    for name in ata.__all__:
        assert getattr(ata, name) is not None, name


# The public surface, written out (as httpx's test does): adding or removing a name is a conscious change.
PUBLIC = {
    "__version__", "mode", "twilio_client", "environment_check", "doctor", "check",
    "HT80xConfig", "FxsPort", "ht80x_device", "normalize_mac", "twilio_ip_ranges", "firewall_rules",
    "call_log", "call_summary", "call_events", "place_call", "wait_for_call", "WakeUpCall",
    "TwilioSetup", "outbound_twiml", "inbound_twiml",
    "load_capture", "read_sip", "diagnose", "ladder", "rtp_streams", "sip_calls",
    "line_report", "anonymize_capture",
    "sandbox", "settings", "capture", "grandstream", "widgets",
}


def test_all_is_exactly_the_public_surface() -> None:
    import ata_helpers.errors as errors

    assert set(ata.__all__) == PUBLIC | set(errors.__all__)
    assert len(ata.__all__) == len(set(ata.__all__))


def test_every_library_error_is_in_the_tree_and_exported() -> None:
    import importlib
    import pkgutil

    import ata_helpers.errors as errors

    for info in pkgutil.walk_packages(ata.__path__, "ata_helpers."):
        if ".sandbox" in info.name or info.name in ("ata_helpers.errors", "ata_helpers.__main__"):
            continue  # the twins' own HTTP errors are the server's, not the library's
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == info.name:
                raise AssertionError(f"{info.name}.{name} is an error class outside ata_helpers.errors")
    for name in errors.__all__:
        cls = getattr(ata, name)
        assert issubclass(cls, ata.AtaHelpersError), name
        assert name in (errors.__doc__ or ""), f"{name} is missing from the tree drawn in errors.py"


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


def test_every_public_callable_says_what_it_raises() -> None:
    """Public docstrings name what they raise (or that they raise nothing on purpose)."""
    import inspect

    missing = []
    for name in ata.__all__:
        value = getattr(ata, name)
        if inspect.ismodule(value) or not callable(value):
            continue
        if isinstance(value, type) and issubclass(value, BaseException):
            continue
        if "raise" not in (inspect.getdoc(value) or "").lower():
            missing.append(name)
    assert missing == []


def test_importing_the_cli_keeps_ata_doctor_the_function() -> None:
    """The CLI, the report and the self-check import the checklist's module; no exported name is a
    module's name, so no import can rebind `ata.doctor` (or any export) to a module."""
    code = ("import ata_helpers as ata\nf = ata.doctor\n"
            "import ata_helpers.cli, ata_helpers.commands.doctor, ata_helpers.report, ata_helpers.selfcheck\n"
            "import inspect\nprint(inspect.isfunction(ata.doctor), ata.doctor is f)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_no_exported_name_is_also_a_submodule() -> None:
    """`import ata_helpers.NAME` binds NAME on the package to the module; an export sharing a
    submodule's name would then stop being the function or class it documents."""
    from pathlib import Path

    package = Path(ata.__file__).parent
    clashes = [name for name in ata._EXPORTS
               if (package / f"{name}.py").exists() or (package / name / "__init__.py").exists()]
    assert clashes == []
