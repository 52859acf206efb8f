"""The environment check shown in notebook 00 and by `ata-helpers env`.

One row per thing a learner needs: the mode, the Python and package versions, where the sandbox
keeps its state, and whether the Twilio API (twin or real) answers with these credentials.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["environment_check", "PACKAGES"]

PACKAGES = ["ata-helpers", "twilio", "requests", "pandas", "ipywidgets", "jupyterlab", "nbval"]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _twilio_row() -> tuple[str, str, str]:
    from .errors import AtaHelpersError
    from .settings import mode
    from .twilio_api import twilio_client

    label = "Twilio twin answers" if mode() == "sandbox" else "Twilio API accepts the credentials"
    try:
        client = twilio_client()
        numbers = client.incoming_phone_numbers.list(limit=20)
    except AtaHelpersError as exc:
        return label, str(exc), "fail"
    except Exception as exc:  # the SDK raises several types; all mean "not reachable"
        code = getattr(exc, "code", None)
        return label, f"{type(exc).__name__}{f' {code}' if code else ''}", "fail"
    return label, f"yes ({len(numbers)} phone number(s) on the account)", "ok"


def environment_check(check_twilio: bool = True) -> "pd.DataFrame":
    """A table (item, value, status) describing this environment; secrets are never shown."""
    import pandas as pd

    from .settings import mode, sandbox_dir, twilio_credentials
    from .errors import ConfigurationError

    current = mode()
    rows: list[tuple[str, str, str]] = [("mode", current, "ok"),
                                        ("python", platform.python_version(), "ok")]
    rows += [(f"package {name}", _version(name), "ok" if _version(name) != "not installed" else "fail")
             for name in PACKAGES]
    if current == "sandbox":
        rows.append(("sandbox state", "ATA_SANDBOX_DIR" if _sandbox_env() else ".sandbox/ (project root)",
                     "ok"))
        sandbox_dir()
    try:
        creds = twilio_credentials(current)
        rows.append(("Twilio account", creds.account_sid[:6] + "…" + creds.account_sid[-4:], "ok"))
        rows.append(("Twilio credentials", f"{creds.kind} (secret hidden)", "ok"))
        if check_twilio:
            rows.append(_twilio_row())
    except ConfigurationError as exc:
        rows.append(("Twilio credentials", str(exc), "fail"))
    return pd.DataFrame(rows, columns=["item", "value", "status"])


def _sandbox_env() -> bool:
    import os

    return bool(os.environ.get("ATA_SANDBOX_DIR"))
