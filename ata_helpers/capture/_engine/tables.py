"""Build the pandas tables from a scan: the SIP message table and the RTP stream table.

UDP retransmissions (same direction, Call-ID, CSeq, top-Via branch, method or status and
To-tag as an earlier message) are marked rather than dropped, as tshark's `sip.resend` does.
"""

from __future__ import annotations

from itertools import compress, repeat
from operator import is_not, ne
from typing import TYPE_CHECKING, Any, Sequence

from ..sdp import sdp_media_index
from ..sip_message import SipFields
from .scan import Scan

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["sip_frame", "rtp_frame", "RTP_COLUMNS"]

RTP_COLUMNS = ["src", "sport", "dst", "dport", "ssrc", "payload_type", "packets", "lost",
               "jitter_ms", "first", "last", "first_frame", "last_frame", "call_id"]


def _times(values: Sequence, n: int) -> "np.ndarray":
    """Timestamps in ns as int64; one outside int64's range (a damaged capture) becomes NaT."""
    import numpy as np

    try:
        return np.fromiter(values, dtype=np.int64, count=n)
    except OverflowError:
        nat = np.iinfo(np.int64).min
        return np.array([v if -nat > v > nat else nat for v in values], dtype=np.int64)


def _retransmissions(transport: Sequence, src: Sequence, sport: Sequence, dst: Sequence,
                     dport: Sequence, call_id: Sequence, cseq: Sequence, cseq_method: Sequence,
                     method: Sequence, status: Sequence, branch: Sequence, to_tag: Sequence,
                     problem: Sequence) -> list[bool]:
    """True for a UDP message already seen with the same direction, Call-ID, CSeq, method or
    status, top-Via branch and To-tag (only well-formed messages count).

    Only rows whose (branch, status) pair recurs can be retransmissions, so they are found
    first with C-level dict and map calls and the full comparison runs on those rows alone.
    """
    n = len(branch)
    pairs = list(zip(branch, status, strict=False))
    first = dict(zip(reversed(pairs), range(n - 1, -1, -1), strict=False))  # pair → its first row
    marks = [False] * n
    if len(first) == n:
        return marks
    firsts = list(map(first.__getitem__, pairs))
    recurring = set(compress(firsts, map(ne, firsts, range(n))))
    seen: set[tuple] = set()
    for i in compress(range(n), map(recurring.__contains__, firsts)):
        if transport[i] != "UDP" or call_id[i] is None or problem[i] is not None:
            continue
        key = (src[i], sport[i], dst[i], dport[i], call_id[i], cseq[i], cseq_method[i],
               method[i], status[i], branch[i], to_tag[i])
        if key in seen:
            marks[i] = True
        else:
            seen.add(key)
    return marks


def _int_array(values: Sequence) -> Any:
    """A nullable Int64 array of ints and Nones, built with numpy rather than pd.array's
    per-element inference."""
    import numpy as np
    from pandas.arrays import IntegerArray

    data = np.array(values, dtype=object)
    mask = data == None  # noqa: E711 - elementwise comparison with None
    data[mask] = 0
    return IntegerArray(data.astype(np.int64), mask)


def sip_frame(result: Scan) -> "pd.DataFrame":
    """The read_sip table of a scan; the scan's facts (skip counts, warnings) in its attrs."""
    import numpy as np
    import pandas as pd

    msgs = result.messages
    n = len(msgs)
    fields: tuple = ()
    if msgs:
        ts, src, sport, dst, dport, transport, fields, frame = zip(*msgs, strict=False)
    else:
        ts = src = sport = dst = dport = transport = frame = ()
    field_columns = result.fields
    if field_columns is None:
        field_columns = list(zip(*fields, strict=False)) if fields else [()] * len(SipFields._fields)
    (method, status, reason, request_uri, call_id, cseq, cseq_method, from_uri, from_tag,
     to_uri, to_tag, contact_uri, via, user_agent, expires, headers, sdp, problem,
     branch) = field_columns

    def obj(values: Sequence) -> pd.Series:
        return pd.Series(values, dtype=object, copy=False)

    def ints(values: tuple) -> np.ndarray:
        return np.fromiter(values, dtype=np.int64, count=n)

    retransmission = _retransmissions(transport, src, sport, dst, dport, call_id, cseq,
                                      cseq_method, method, status, branch, to_tag, problem)
    columns: dict[str, Any] = {
        "time": pd.to_datetime(_times(ts, n), unit="ns", utc=True),
        "src": obj(src), "sport": ints(sport), "dst": obj(dst), "dport": ints(dport),
        "transport": obj(transport), "method": obj(method), "status": _int_array(status),
        "reason": obj(reason), "request_uri": obj(request_uri), "call_id": obj(call_id),
        "cseq": _int_array(cseq), "cseq_method": obj(cseq_method), "from_uri": obj(from_uri),
        "from_tag": obj(from_tag), "to_uri": obj(to_uri), "to_tag": obj(to_tag),
        "contact_uri": obj(contact_uri), "via": obj(via), "user_agent": obj(user_agent),
        "expires": _int_array(expires),
        "retransmission": np.array(retransmission, dtype=bool),
        "headers": obj(headers), "sdp": obj(sdp), "frame": ints(frame),
        "malformed": np.fromiter(map(is_not, problem, repeat(None)), dtype=bool, count=n),
        "problem": obj(problem), "branch": obj(branch),
    }
    df = pd.DataFrame(columns, copy=False)
    df.attrs.update(result.attrs())
    return df


def rtp_frame(result: Scan, sip: "pd.DataFrame") -> "pd.DataFrame":
    """The RTP table of a scan made with rtp=True, with call_id matched through SDP."""
    import pandas as pd

    rows = result.rtp.rows() if result.rtp is not None else []
    index = sdp_media_index(sip)
    for row in rows:
        row["call_id"] = (index.get((row["dst"], row["dport"]))
                          or index.get((row["src"], row["sport"])))
    frame = pd.DataFrame(rows, columns=[c for c in RTP_COLUMNS if c not in ("first", "last")]
                         + ["first_ns", "last_ns"])
    frame["first"] = pd.to_datetime(frame.pop("first_ns").astype("int64"), unit="ns", utc=True)
    frame["last"] = pd.to_datetime(frame.pop("last_ns").astype("int64"), unit="ns", utc=True)
    frame = frame.astype({"call_id": object})
    return frame[RTP_COLUMNS]
