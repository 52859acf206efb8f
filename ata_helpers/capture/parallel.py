"""Parse a large capture's SIP messages on two cores: a forked child takes a share of them.

Why this exists: a script that calls read_sip once (the benchmark, `ata-helpers` commands)
spends about 0.2 s importing pandas and 0.4 s parsing 60,000 messages, one after the other.
Here the record loop runs first (cheap: it only collects the UDP payloads), then a child made
with os.fork parses the last share of the payloads while the parent imports pandas (the
`meanwhile` callable) and parses the rest; the child sends its fields back through a pipe,
column by column, and the parent appends them to its own columns, which read_sip's table is
built from directly (Scan.fields), so the table is the same as a serial parse gives.

When it is used: Linux (os.fork), a single-threaded process (forking a process with threads
can deadlock the child on a lock another thread held, so never inside a Jupyter kernel), and
at least FORK_MIN_MESSAGES UDP messages. Anything else, or any failure of the child (an
exception, a signal, a non-zero exit, a short or undecodable answer, no answer in time), and
the parent parses that share itself: the result is the same either way. Errors of a damaged
file (strict mode) come from the record loop, before any fork.
"""

from __future__ import annotations

import fcntl
import marshal
import os
import pickle
import select
import signal
import sys
import threading
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, NoReturn, Sequence

from .pcap_reader import Source
from .scan import Scan, scan
from .sip_headers import HeaderLayout, LazyHeaders
from .sip_message import SipFields, parse_message

__all__ = ["scan_parallel", "import_pandas_meanwhile", "forking_allowed", "FORK_MIN_MESSAGES"]

# Below this many UDP messages the parse takes under ~30 ms and a fork does not pay off.
FORK_MIN_MESSAGES = 5000
# The child's share of the messages: more when the parent also imports pandas meanwhile.
CHILD_SHARE_WITH_WORK = 0.55
CHILD_SHARE_ALONE = 0.5
# Seconds the parent waits for the child's next bytes before giving up on it.
CHILD_TIMEOUT = 60.0

_HEADERS = SipFields._fields.index("headers")
# The columns of long strings that most rows repeat from an earlier row (a dialog's Call-ID
# and URIs): sharing them costs the child less than it saves the pipe and the parent.
_RECURRING = tuple(map(SipFields._fields.index, ("call_id", "request_uri", "to_uri",
                                                  "contact_uri")))
_new_fields = tuple.__new__
_from_message = LazyHeaders.from_message


def forking_allowed() -> bool:
    """True where forking is safe: os.fork exists (POSIX) and no other thread is running."""
    return (hasattr(os, "fork") and sys.platform.startswith("linux")
            and threading.active_count() == 1)


def import_pandas_meanwhile() -> Callable[[], Any] | None:
    """What the parent can do while the child parses: import pandas, unless it already is."""
    if "pandas" in sys.modules:
        return None
    return _import_pandas


def _import_pandas() -> None:
    """Import pandas (and numpy with it) so that building the table later finds it loaded."""
    import pandas  # noqa: F401


def scan_parallel(source: Source, rtp: bool = False, strict: bool = False,
                  meanwhile: Callable[[], Any] | None = None) -> Scan:
    """scan(), with the UDP messages' parsing shared with a forked child when that is safe and
    worth it; `meanwhile` (if given) runs in the parent while the child parses."""
    if not forking_allowed():
        return scan(source, rtp=rtp, strict=strict)
    payloads: list[bytes] = []
    result = scan(source, rtp=rtp, strict=strict, defer=payloads)
    columns: list[Sequence[Any]]
    if len(payloads) < FORK_MIN_MESSAGES:
        columns = _columns(list(map(parse_message, payloads)))
    else:
        share = CHILD_SHARE_WITH_WORK if meanwhile is not None else CHILD_SHARE_ALONE
        columns = _parse_shared(payloads, len(payloads) - int(len(payloads) * share), meanwhile)
    _fill(result, columns)
    return result


def _columns(fields: list[SipFields]) -> list[Sequence[Any]]:
    """The fields of these messages column by column (one sequence per SipFields field)."""
    return list(zip(*fields)) if fields else [()] * len(SipFields._fields)


def _fill(result: Scan, columns: list[Sequence[Any]]) -> None:
    """Give the deferred messages (the rows whose fields are None) their fields: as the scan's
    `fields` columns when every message was deferred, else put into the rows one by one."""
    messages = result.messages
    if len(columns[0]) == len(messages):
        result.fields = columns
        return
    parsed_fields = map(partial(_new_fields, SipFields), zip(*columns))
    for index, row in enumerate(messages):
        if row[6] is None:
            messages[index] = (*row[:6], next(parsed_fields), row[7])


def _parse_shared(payloads: list[bytes], split: int,
                  meanwhile: Callable[[], Any] | None) -> list[Sequence[Any]]:
    """Fields of every payload as columns: payloads[split:] parsed by a forked child, the rest
    here."""
    read_fd, write_fd = os.pipe()
    try:
        # A larger pipe buffer: the child's megabytes cross in fewer wake-ups.
        fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        if meanwhile is not None:
            meanwhile()
        return _columns(list(map(parse_message, payloads)))
    if pid == 0:
        _child(payloads, split, read_fd, write_fd)
    os.close(write_fd)
    data: bytes | None = None
    try:
        if meanwhile is not None:
            meanwhile()
        head = _columns(list(map(parse_message, payloads[:split])))
        data = _read_all(read_fd)
    finally:
        os.close(read_fd)
        code = _reap(pid, kill=data is None)
    tail = _decode(data, payloads[split:]) if data is not None and code == 0 else None
    if tail is None:
        tail = _columns(list(map(parse_message, payloads[split:])))
    return [[*first, *last] for first, last in zip(head, tail)]


def _child(payloads: list[bytes], split: int, read_fd: int, write_fd: int) -> NoReturn:
    """In the forked child: parse payloads[split:], write them encoded, exit without cleanup."""
    status = 1
    try:
        os.close(read_fd)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        data = _encode(list(map(parse_message, payloads[split:])))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
        status = 0
    finally:
        os._exit(status)


def _encode(fields: list[SipFields]) -> bytes:
    """The fields as bytes, column by column: an 8-byte length, the pickled header layouts,
    then the marshalled columns (one C-level zip each way instead of a loop per row).

    A LazyHeaders still unread goes as its layout's number only: the parent, which holds the
    message's bytes, gives it LazyHeaders.from_message, so the header values (most of the
    data) are neither sent nor read unless used. Any other headers dict goes as a plain dict.
    In the _RECURRING columns equal strings are made one object first, so marshal writes
    each once and then a reference.
    """
    columns = _columns(fields)
    pendings = list(map(getattr, columns[_HEADERS], repeat("_pending"), repeat(None)))
    layouts: list[HeaderLayout] = []
    headers_column: list[int | dict[str, list[str]]]
    if None not in pendings:
        # Every row lazy (the usual case): layout numbers found with C-level maps.
        row_layouts = list(map(itemgetter(1), pendings))
        ids = list(map(id, row_layouts))
        by_id = dict(zip(ids, row_layouts))
        layouts.extend(by_id.values())
        numbers = dict(zip(by_id, range(len(by_id))))
        headers_column = list(map(numbers.__getitem__, ids))
    else:
        numbers = {}
        headers_column = []
        for headers, pending in zip(columns[_HEADERS], pendings):
            if pending is None:
                headers_column.append(dict(headers))
                continue
            layout = pending[1]
            number = numbers.get(id(layout))
            if number is None:
                number = numbers[id(layout)] = len(layouts)
                layouts.append(layout)
            headers_column.append(number)
    columns[_HEADERS] = headers_column
    for index in _RECURRING:
        column = columns[index]
        first: dict[Any, Any] = {}
        columns[index] = list(map(first.setdefault, column, column))
    head = pickle.dumps(layouts, protocol=5)
    return len(head).to_bytes(8, "little") + head + marshal.dumps(columns)


def _decode(data: bytes, messages: list[bytes]) -> list[Sequence[Any]] | None:
    """The child's fields back from _encode's bytes for these `messages`, as columns, with
    lazy headers rebuilt; None when the bytes do not decode to one row per message."""
    try:
        size = int.from_bytes(data[:8], "little")
        layouts = pickle.loads(data[8:8 + size])
        columns = marshal.loads(memoryview(data)[8 + size:])
        if (len(columns) != len(SipFields._fields)
                or any(len(column) != len(messages) for column in columns)):
            return None
        columns[_HEADERS] = [
            _from_message(message, layouts[headers]) if type(headers) is int else headers
            for message, headers in zip(messages, columns[_HEADERS])]
        return columns
    except Exception:
        return None


def _read_all(read_fd: int) -> bytes | None:
    """Everything the child writes until it closes the pipe; None when it stays silent for
    CHILD_TIMEOUT seconds."""
    chunks = []
    poller = select.poll()
    poller.register(read_fd, select.POLLIN | select.POLLHUP)
    while True:
        if not poller.poll(CHILD_TIMEOUT * 1000):
            return None
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, kill: bool) -> int:
    """Wait for the child (after SIGKILL when `kill`) and return its exit code."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    while True:
        try:
            _pid, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        except InterruptedError:
            continue
        return os.waitstatus_to_exitcode(status)
