"""`diagnose_live`: diagnose a capture that is still being written, call by call as each ends.

`tcpdump -w - | ata-helpers diagnose -` uses it: the pipe is read window by window (whatever
has arrived), and as soon as a call ends — its BYE answered, or its INVITE refused, cancelled
or timed out by a final response — that call's findings are handed to `on_call`. When the input
closes, the findings about the whole capture (registrations, other messages, calls that never
ended, packets skipped) come back as one table, as `diagnose` would give them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ._engine.scan import Scan, scan
from ._engine.tables import rtp_frame, sip_frame
from .load import Capture, Source

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["diagnose_live"]


class _Calls:
    """Which calls (INVITE dialogs, by Call-ID) have ended, from the rows seen so far."""

    def __init__(self, on_call: Callable[[str, "pd.DataFrame"], None]) -> None:
        self.on_call = on_call
        self.rows: dict[str, list[int]] = {}
        self.invites: set[str] = set()
        self.reported: set[str] = set()
        self.seen = 0

    def __call__(self, result: Scan) -> None:
        messages = result.messages
        ended: list[str] = []
        for index in range(self.seen, len(messages)):
            fields = messages[index][6]
            if fields is None or fields.call_id is None:
                continue
            call_id = fields.call_id
            self.rows.setdefault(call_id, []).append(index)
            if fields.method == "INVITE":
                self.invites.add(call_id)
            status = fields.status
            if (call_id in self.invites and call_id not in self.reported and status is not None
                    and ((fields.cseq_method == "BYE" and status >= 200)
                         or (fields.cseq_method == "INVITE" and status >= 300))):
                ended.append(call_id)
        self.seen = len(messages)
        for call_id in dict.fromkeys(ended):
            self.reported.add(call_id)
            self.on_call(call_id, self._findings(result, call_id))

    def _findings(self, result: Scan, call_id: str) -> "pd.DataFrame":
        from .findings import diagnose

        part = Scan(messages=[result.messages[i] for i in self.rows[call_id]],
                    rtp=result.rtp)
        sip = sip_frame(part)
        return diagnose(Capture(sip, rtp_frame(part, sip)))


def diagnose_live(source: Source,
                  on_call: Callable[[str, "pd.DataFrame"], None]) -> tuple[Capture, "pd.DataFrame"]:
    """Read `source` (a pipe, usually '-') window by window; call on_call(call_id, findings)
    as each call ends; return (the whole capture, the findings not already handed out).

    The findings tables have diagnose's columns. Raises CaptureError as load_capture does.
    """
    from .findings import diagnose

    calls = _Calls(on_call)
    result = scan(source, rtp=True, on_window=calls)
    sip = sip_frame(result)
    capture = Capture(sip, rtp_frame(result, sip))
    findings = diagnose(capture)
    rest = findings[~findings["call_id"].isin(calls.reported)].reset_index(drop=True)
    return capture, rest
