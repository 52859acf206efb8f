"""The sandbox: local twins of Twilio's REST API and of the HT80x web API, and their state.

Everything here runs on 127.0.0.1 and keeps state in SQLite under ATA_SANDBOX_DIR (default
`.sandbox/` at the project root), so every notebook kernel and the terminal share one world.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["twin_url", "reset", "bins", "capture", "registration_capture", "dial", "FAULTS", "break_line",
           "challenge_status", "answer", "router", "set_router", "load_firewall_rules"]

_CHALLENGES = {"FAULTS", "break_line", "challenge_status", "answer", "router", "set_router", "load_firewall_rules"}


def twin_url(restart: bool = False) -> str:
    """Base URL of the Twilio twin for this sandbox, started in this process if none answers."""
    from .runtime import ensure_service
    from .twilio.server import TwilioTwinHandler

    return ensure_service("twilio", TwilioTwinHandler, restart=restart)


def capture(call_sid: str) -> Path:
    """Path of a pcap of the call's SIP (and RTP) as Twilio's console capture would show it."""
    from ..errors import SandboxError
    from ..settings import sandbox_dir
    from .line.network import write_call_capture
    from .store import open_store

    store = open_store()
    call = store.get("call", call_sid)
    if call is None:
        raise SandboxError(f"the sandbox has no call {call_sid}")
    if not call["to"].lower().startswith(("sip:", "sips:")):
        raise SandboxError(f"call {call_sid} went to {call['to']}, not to the ATA: no SIP capture to show")
    folder = sandbox_dir() / "captures"
    folder.mkdir(exist_ok=True)
    return write_call_capture(store, call, folder / f"call-{call_sid}.pcap")


def registration_capture(port: int = 1) -> Path:
    """Path of a pcap of the ATA port's latest REGISTER exchange with Twilio (digest challenge included)."""
    from ..errors import SandboxError
    from ..settings import sandbox_dir
    from .line.network import write_registration_capture
    from .store import open_store

    folder = sandbox_dir() / "captures"
    folder.mkdir(exist_ok=True)
    path = write_registration_capture(open_store(), folder / f"register-port{port}.pcap", port)
    if path is None:
        raise SandboxError(f"the ATA's port {port} has no Primary SIP Server set, so it never registers")
    return path


def dial(number: str, port: int = 1) -> str:
    """Lift the sandbox phone on FXS `port` and dial `number`; returns the SID of the call Twilio logs."""
    from ..errors import SandboxError
    from .line.calls import dial_from_phone
    from .store import open_store

    try:
        return str(dial_from_phone(open_store(), number, port)["sid"])
    except ValueError as exc:
        raise SandboxError(str(exc)) from None


def reset(to: int | str | None = None) -> Path:
    """Forget everything the sandbox holds; returns the folder.

    With `to` (a notebook number, 0–11), then build what a learner has after the notebooks before
    it, by running the course's own library steps (`ata_helpers.sandbox.course_steps.reach_step`), so a learner
    who fell behind joins at that notebook.

    The shared state is emptied inside a write transaction rather than deleted, so kernels that
    still have it open see the reset instead of writing to a file nobody else reads. Other files
    (captures, generated configs, the wake-up store) are removed.
    """
    from ..settings import sandbox_dir
    from .runtime import stop_services
    from .store import open_store

    folder = sandbox_dir()
    stop_services(folder)
    open_store(folder).clear()
    keep = {"state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm", "services"}
    for child in folder.iterdir():
        if child.name in keep:
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if to is not None:
        from .course_steps import reach_step

        reach_step(to)
    return folder


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name in _CHALLENGES:
        from . import challenges

        return getattr(challenges, name)
    if name == "bins":
        import importlib

        return importlib.import_module(f"{__name__}.twilio.bins")
    raise AttributeError(name)
