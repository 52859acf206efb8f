"""The sandbox: local twins of Twilio's REST API and of the HT80x web API, and their state.

Everything here runs on 127.0.0.1 and keeps state in SQLite under ATA_SANDBOX_DIR (default
`.sandbox/` at the project root), so every notebook kernel and the terminal share one world.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["twin_url", "reset", "bins"]


def twin_url(restart: bool = False) -> str:
    """Base URL of the Twilio twin for this sandbox, started in this process if none answers."""
    from .runtime import ensure_service
    from .twilio_twin import TwilioTwinHandler

    return ensure_service("twilio", TwilioTwinHandler, restart=restart)


def reset() -> Path:
    """Stop this process's twins and delete the sandbox state; returns the folder."""
    from ..settings import sandbox_dir
    from . import store as store_module
    from .runtime import stop_services

    folder = sandbox_dir()
    stop_services(folder)
    store_module._STORES.pop((folder / "state.sqlite3").resolve(), None)
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    return folder


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "bins":
        from . import bins as module

        return module
    raise AttributeError(name)
