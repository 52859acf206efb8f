"""Run the `ata-helpers` command line in this process and kill it with SIGKILL right after its
N-th step: a write to the alarm store or a request to Twilio. Each step is appended to a log file
first, so the test knows how far it got.

Usage: python wakeup_crash_child.py N STEP_LOG ARGS...   (N = 0: never kill)
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Callable
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient

from ata_helpers.cli import main
from ata_helpers.wakeup.store import AlarmStore

KILL_AT = int(sys.argv[1])
LOG = open(sys.argv[2], "a", encoding="utf-8")  # noqa: SIM115 - open for the life of the process
_count = 0


def _step(name: str) -> None:
    global _count
    _count += 1
    LOG.write(f"{_count} {name}\n")
    LOG.flush()
    if _count == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def _after(cls: type, attr: str, label: Callable[..., str]) -> None:
    original = getattr(cls, attr)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        _step(label(*args, **kwargs))
        return result

    setattr(cls, attr, wrapped)


for _name in ("add_occurrence", "claim", "log_attempt", "set_state", "update_attempt"):
    _after(AlarmStore, _name, lambda *a, _n=_name, **k: f"store.{_n}")
_after(TwilioHttpClient, "request",
       lambda self, method, url, *a, **k: f"twilio {method} {urlsplit(url).path.rsplit('/', 1)[-1]}")

sys.exit(main(sys.argv[3:]))
