"""Share a large capture's SIP parsing with one worker process (concurrent.futures).

Why: a script that reads one big capture (the benchmark, the `ata-helpers` commands) spends
its time importing pandas and parsing tens of thousands of messages, one after the other. Here
the record loop runs first and only collects the UDP payloads; then one worker of a
`ProcessPoolExecutor` parses the last share of them while this process imports pandas (the
`meanwhile` callable) and parses the rest. The result is the same as a serial parse.

When: a plain single-threaded process on Linux (the pool forks, and forking a process with
threads can deadlock the child), never inside a Jupyter kernel, and at least
`PARALLEL_MIN_MESSAGES` UDP messages. If the worker fails in any way, this process parses its
share itself.

The worker is forked after the payloads are collected, so it reads them from its copy of this
process's memory (`_SHARED`); only the parsed fields travel back, pickled.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from ..sip_message import SipFields, parse_message
from .pcapfile import Source
from .scan import Scan, scan

__all__ = ["scan_parallel", "import_pandas_meanwhile", "parallel_allowed",
           "PARALLEL_MIN_MESSAGES"]

# Below this many UDP messages the parse takes well under 0.1 s and a worker does not pay off.
PARALLEL_MIN_MESSAGES = 5000
# The worker's share of the messages: more when this process also imports pandas meanwhile.
WORKER_SHARE_WITH_WORK = 0.55
WORKER_SHARE_ALONE = 0.5
# Seconds to wait for the worker's answer before parsing its share here instead.
WORKER_TIMEOUT = 120.0

_SHARED: list[bytes] = []


def parallel_allowed() -> bool:
    """True where a worker may be forked: Linux, no other thread, not a Jupyter kernel."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and "ipykernel" not in sys.modules)


def import_pandas_meanwhile() -> Callable[[], Any] | None:
    """What this process can do while the worker parses: import pandas, unless it already is."""
    if "pandas" in sys.modules:
        return None
    return _import_pandas


def _import_pandas() -> None:
    """Import pandas (and numpy with it) so that building the table later finds it loaded."""
    import pandas  # noqa: F401


def _parse_share(start: int, stop: int) -> list[Sequence[Any]]:
    """In the worker: the fields of _SHARED[start:stop] (inherited at fork), as columns."""
    return _columns(list(map(parse_message, _SHARED[start:stop])))


def scan_parallel(source: Source, rtp: bool = False, strict: bool = False,
                  meanwhile: Callable[[], Any] | None = None) -> Scan:
    """scan(), with the UDP messages' parsing shared with a worker process when that is
    allowed and worth it; `meanwhile` (if given) runs here while the worker parses."""
    if not parallel_allowed():
        return scan(source, rtp=rtp, strict=strict)
    payloads: list[bytes] = []
    result = scan(source, rtp=rtp, strict=strict, defer=payloads)
    if len(payloads) < PARALLEL_MIN_MESSAGES:
        columns = _columns(list(map(parse_message, payloads)))
    else:
        share = WORKER_SHARE_WITH_WORK if meanwhile is not None else WORKER_SHARE_ALONE
        columns = _parse_shared(payloads, len(payloads) - int(len(payloads) * share), meanwhile)
    _fill(result, columns)
    return result


def _parse_shared(payloads: list[bytes], split: int,
                  meanwhile: Callable[[], Any] | None) -> list[Sequence[Any]]:
    """Fields of every payload as columns: payloads[split:] parsed by the worker."""
    global _SHARED
    _SHARED = payloads
    tail: list[Sequence[Any]] | None = None
    try:
        with ProcessPoolExecutor(max_workers=1,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_parse_share, split, len(payloads))
            if meanwhile is not None:
                meanwhile()
            head = _columns(list(map(parse_message, payloads[:split])))
            try:
                tail = future.result(timeout=WORKER_TIMEOUT)
            except Exception:  # any failure of the worker: its share is parsed here below
                future.cancel()
    except (BrokenProcessPool, OSError):
        head = _columns(list(map(parse_message, payloads[:split])))
    finally:
        _SHARED = []
    if tail is None or len(tail) != len(SipFields._fields) or len(tail[0]) != len(payloads) - split:
        tail = _columns(list(map(parse_message, payloads[split:])))
    return [[*first, *last] for first, last in zip(head, tail, strict=False)]


def _columns(fields: list[SipFields]) -> list[Sequence[Any]]:
    """The fields of these messages column by column (one sequence per SipFields field)."""
    return list(zip(*fields, strict=False)) if fields else [()] * len(SipFields._fields)


def _fill(result: Scan, columns: list[Sequence[Any]]) -> None:
    """Give the deferred messages (the rows whose fields are None) their fields: as the scan's
    `fields` columns when every message was deferred, else put into the rows one by one."""
    messages = result.messages
    if len(columns[0]) == len(messages):
        result.fields = columns
        return
    parsed = iter(zip(*columns, strict=False))
    for index, row in enumerate(messages):
        if row[6] is None:
            messages[index] = (*row[:6], SipFields(*next(parsed)), row[7])
