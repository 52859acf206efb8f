"""The sandbox: local twins of Twilio's REST API and of the HT80x web API, and their state.

Everything here runs on 127.0.0.1 and keeps state in SQLite under ATA_SANDBOX_DIR (default
`.sandbox/` at the project root), so every notebook kernel and the terminal share one world.
Three systems, one sub-package each: `twilio/` (the REST twin, one module per resource, its
Bins and a made-up call history), `ht80x/` (the device twin) and `line/` (what a real line would
do with their state: registration, calls, the network between them).

The library reaches the twins only through `twilio_client()`, `twiml_desk()` and `ht80x_device()`.
The functions here are what a notebook, the CLI or a test asks of the sandbox itself: what the
simulated Twilio sees (`registration_status`, `capture`, `latest_capture`), a phone to dial
(`dial`), a history to chart (`seed_history`), and a fresh start (`reset`).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["twin_url", "reset", "bins", "capture", "latest_capture", "registration_capture",
           "registration_status", "dial", "seed_history", "FAULTS", "break_line", "challenge_status",
           "answer", "router", "set_router", "load_firewall_rules"]

_CHALLENGES = {"FAULTS", "break_line", "challenge_status", "answer", "router", "set_router", "load_firewall_rules"}


def twin_url(restart: bool = False) -> str:
    """Base URL of the Twilio twin for this sandbox, started in this process if none answers."""
    from .runtime import ensure_service
    from .twilio.server import TwilioTwinHandler

    return ensure_service("twilio", TwilioTwinHandler, restart=restart)


def capture(call_sid: str) -> Path:
    """Path of a pcap of the call's SIP (and RTP) as Twilio's console capture would show it.

    Raises SandboxError for a call the sandbox does not have or that did not go to a SIP address,
    and in live mode, where the capture is the Console's download (Monitor > Logs > Calls > the
    call > SIP PCAP LOG).
    """
    from ..errors import SandboxError
    from ..settings import mode, sandbox_dir
    from .line.network import write_call_capture
    from .store import open_store

    if mode() != "sandbox":
        raise SandboxError(f"In live mode download the capture: Console > Monitor > Logs > Calls > {call_sid} > "
                           "SIP PCAP LOG, then pass the file's path to ata.diagnose().")
    store = open_store()
    call = store.get("call", call_sid)
    if call is None:
        raise SandboxError(f"the sandbox has no call {call_sid}")
    if not call["to"].lower().startswith(("sip:", "sips:")):
        raise SandboxError(f"call {call_sid} went to {call['to']}, not to the ATA: no SIP capture to show")
    folder = sandbox_dir() / "captures"
    folder.mkdir(exist_ok=True)
    return write_call_capture(store, call, folder / f"call-{call_sid}.pcap")


def latest_capture() -> Path | None:
    """The capture (see `capture`) of the newest call Twilio placed to the ATA's SIP address.

    None when there is none yet, and in live mode (where the Console's SIP PCAP download of the
    call is the capture), so `ata.doctor(capture=ata.sandbox.latest_capture())` skips its capture
    check rather than fail.
    """
    from ..settings import mode
    from .store import open_store

    if mode() != "sandbox":
        return None
    calls = [c for c in open_store().list("call")
             if c["to"].lower().startswith(("sip:", "sips:")) and c.get("direction") != "inbound"]
    if not calls:
        return None
    return capture(max(calls, key=lambda c: c["date_created"])["sid"])


def registration_status() -> "pd.DataFrame":
    """Twilio's answer to each FXS port's REGISTER, as the simulated Twilio decides it.

    Columns: port, registration ("Registered" / "Not Registered"), code (Int64, Twilio's error
    code or NA), sip_status (Int64), reason, fix. A live account has no API for registrations
    (only the Console's "Registered SIP Endpoints" tab and the Debugger), so in live mode the
    table has one row saying where to look.
    """
    import pandas as pd

    from ..settings import mode

    columns = ["port", "registration", "code", "sip_status", "reason", "fix"]
    if mode() != "sandbox":
        rows: list[dict[str, Any]] = [{
            "port": "all", "registration": "see the Console", "code": pd.NA, "sip_status": pd.NA,
            "reason": "Twilio has no API for registrations",
            "fix": "Console > Voice > SIP Domains > your domain > Registered SIP Endpoints, "
                   "or the Debugger; or capture the REGISTER (notebook 07)"}]
    else:
        from .line.registration import device_ports

        rows = device_ports()
    return pd.DataFrame(rows, columns=columns).astype({"code": "Int64", "sip_status": "Int64"})


def seed_history(n: int = 300, seed: int = 8, days: int = 28, end: datetime | None = None,
                 sip_uri: str | None = None) -> dict[str, Any]:
    """Make up a past for the sandbox's call log: about `n` calls over `days` days before `end`.

    Deterministic for the same arguments, and adds nothing when run again (see
    `twilio.seed_history.seed_call_history` for the story the calls tell). Returns a summary with
    `calls`, `alerts`, `start`, `end` and `added`. Raises SandboxError in live mode: a live call
    log is the account's real calls, and a made-up history must never be mixed with it.
    """
    from ..errors import SandboxError
    from ..settings import mode
    from .twilio.seed_history import DEFAULT_END, seed_call_history

    if mode() != "sandbox":
        raise SandboxError("seed_history makes up calls in the sandbox's Twilio twin; in live mode the call "
                           "log shows your account's real calls, so there is nothing to seed")
    return seed_call_history(n=n, seed=seed, days=days, end=end or DEFAULT_END, sip_uri=sip_uri)


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

    if to is not None:
        from .course_steps import step_number

        step_number(to)  # a bad number leaves the sandbox untouched
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
