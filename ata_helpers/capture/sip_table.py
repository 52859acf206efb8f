"""`read_sip(path)`: one pandas row per SIP message, with the columns of DESIGN.md's contract.

UDP retransmissions (same direction, Call-ID, CSeq, top-Via branch, method or status and
To-tag as an earlier message) are marked rather than dropped, as tshark's `sip.resend` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .pcap_reader import Source
from .scan import Scan, no_gc, scan

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_sip", "COLUMNS", "frame_from_scan"]

COLUMNS = ["time", "src", "sport", "dst", "dport", "transport", "method", "status", "reason",
           "request_uri", "call_id", "cseq", "cseq_method", "from_uri", "from_tag", "to_uri",
           "to_tag", "contact_uri", "via", "user_agent", "expires", "retransmission", "headers",
           "sdp", "frame", "malformed", "problem", "branch"]


def read_sip(path: Source, strict: bool = False) -> "pd.DataFrame":
    """Every SIP message in a pcap/pcapng file (path, '-', bytes or binary file object).

    A damaged file raises CaptureError when `strict`; otherwise the rows read before the damage
    are returned and the reason is in `frame.attrs["warnings"]`.
    """
    with no_gc():
        return frame_from_scan(scan(path, rtp=False, strict=strict))


def _retransmissions(result: Scan) -> list[bool]:
    seen: set[tuple] = set()
    marks = []
    add = seen.add
    for _ts, src, sport, dst, dport, transport, f, _frame in result.messages:
        if transport != "UDP" or f.call_id is None or f.problem is not None:
            marks.append(False)
            continue
        key = (src, sport, dst, dport, f.call_id, f.cseq, f.cseq_method, f.method or f.status,
               f.branch, f.to_tag)
        if key in seen:
            marks.append(True)
        else:
            add(key)
            marks.append(False)
    return marks


def frame_from_scan(result: Scan) -> "pd.DataFrame":
    """Build the read_sip table from a scan (shared with diagnose, which also wants RTP)."""
    import numpy as np
    import pandas as pd

    msgs = result.messages
    if msgs:
        ts, src, sport, dst, dport, transport, fields, frame = zip(*msgs)
        (method, status, reason, request_uri, call_id, cseq, cseq_method, from_uri, from_tag,
         to_uri, to_tag, contact_uri, via, user_agent, expires, headers, sdp, problem,
         branch) = zip(*fields)
    else:
        ts = src = sport = dst = dport = transport = frame = ()
        (method, status, reason, request_uri, call_id, cseq, cseq_method, from_uri, from_tag,
         to_uri, to_tag, contact_uri, via, user_agent, expires, headers, sdp, problem,
         branch) = ((),) * 19

    def obj(values: Any) -> pd.Series:
        return pd.Series(values, dtype=object)

    columns: dict[str, Any] = {
        "time": pd.to_datetime(np.fromiter(ts, dtype=np.int64, count=len(ts)), unit="ns", utc=True),
        "src": obj(src), "sport": np.fromiter(sport, dtype=np.int64, count=len(sport)),
        "dst": obj(dst), "dport": np.fromiter(dport, dtype=np.int64, count=len(dport)),
        "transport": obj(transport), "method": obj(method),
        "status": pd.array(status, dtype="Int64"), "reason": obj(reason),
        "request_uri": obj(request_uri), "call_id": obj(call_id),
        "cseq": pd.array(cseq, dtype="Int64"), "cseq_method": obj(cseq_method),
        "from_uri": obj(from_uri), "from_tag": obj(from_tag), "to_uri": obj(to_uri),
        "to_tag": obj(to_tag), "contact_uri": obj(contact_uri), "via": obj(via),
        "user_agent": obj(user_agent), "expires": pd.array(expires, dtype="Int64"),
        "retransmission": np.array(_retransmissions(result), dtype=bool),
        "headers": obj(headers), "sdp": obj(sdp),
        "frame": np.fromiter(frame, dtype=np.int64, count=len(frame)),
        "malformed": np.array([p is not None for p in problem], dtype=bool),
        "problem": obj(problem), "branch": obj(branch),
    }
    df = pd.DataFrame(columns)
    df.attrs.update(result.attrs())
    return df
