"""Lock files shared by processes on one machine (the `filelock` library: flock on Unix, msvcrt on
Windows).

The operating system drops such a lock when the process holding it ends, however it ends (kill -9
included), so a lock that can be taken means nobody is inside the guarded section any more. The
wake-up scheduler uses this to tell a ring left half-done by a dead process from one another process
is placing right now; `TwilioSetup.apply()` uses it so two runs for one line never both create.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["held_lock", "try_lock"]


def _lock(path: Path):  # type: ignore[no-untyped-def]
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    # thread_local=False: the lock belongs to the process; a second FileLock on the same path (another
    # store object, another thread) is a second holder and has to wait like another process would.
    return FileLock(str(path), mode=0o600, thread_local=False, fallback_to_soft=False)


@contextmanager
def try_lock(path: Path) -> Iterator[bool]:
    """Take the lock at `path` if it is free; yields True when taken (released on exit), else False."""
    from filelock import Timeout

    lock = _lock(path)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextmanager
def held_lock(path: Path, timeout: float = 600.0, waiting: Callable[[float], None] | None = None,
              poll: float = 0.1) -> Iterator[None]:
    """Hold the lock at `path`, waiting up to `timeout` seconds for another holder to finish.

    `waiting(seconds_so_far)` is called about once a second while waiting (for progress). Raises
    TimeoutError when the lock is still held after `timeout`.
    """
    from filelock import Timeout

    lock = _lock(path)
    started = time.monotonic()
    told = 0.0
    while True:
        try:
            lock.acquire(blocking=False)
            break
        except Timeout:
            waited = time.monotonic() - started
            if waited >= timeout:
                raise TimeoutError(f"{path} is still locked by another process after {timeout:g} s") from None
            if waiting is not None and waited - told >= 1.0:
                told = waited
                waiting(waited)
            time.sleep(poll)
    try:
        yield
    finally:
        lock.release()
