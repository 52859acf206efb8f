"""The environment check shown in notebook 00 and by `ata-helpers env`.

One row per thing a learner needs: the mode, the Python and package versions, where the course
keeps its state, and whether the Twilio API (twin or real) answers with these credentials.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["environment_check", "PACKAGES"]

# What a learner's install (`make lab`: the package without its `test` extra) brings and needs.
# The test tools (nbval, pytest, ...) are not checked: only `make test` needs them.
PACKAGES = ["ata-helpers", "twilio", "requests", "pandas", "ipywidgets", "jupyterlab"]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _twilio_row(label: str) -> tuple[str, str, str]:
    from .errors import AtaHelpersError
    from .twilio_api import twilio_client

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
    """A table (item, value, status) describing this environment; secrets are never shown.

    Columns are strings; `status` is "ok" or "fail". The settings' own rows (mode, state folder,
    Twilio account and credentials) come from settings.describe(); with `check_twilio`, one more row
    says whether the Twilio API (the twin or Twilio's) answers with those credentials. Raises
    nothing on purpose: every failure becomes a "fail" row with what to do.
    """
    import pandas as pd

    from . import settings

    rows = settings.describe()
    rows += [("python", platform.python_version(), "ok")]
    rows += [(f"package {name}", _version(name), "ok" if _version(name) != "not installed" else "fail")
             for name in PACKAGES]
    credentials_ok = all(status == "ok" for item, _, status in rows if item.startswith("Twilio"))
    if check_twilio and credentials_ok:
        rows.append(_twilio_row("Twilio API answers"))
    return pd.DataFrame(rows, columns=["item", "value", "status"])
