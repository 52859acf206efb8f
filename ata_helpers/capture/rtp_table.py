"""`rtp_streams(path)`: one row per RTP stream, tied to its call by the SDP that announced it.

A stream belongs to a call when its destination (or source) address and port are the `c=`
address and `m=` port of an SDP body in that call's messages.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .parallel import import_pandas_meanwhile, scan_parallel
from .pcap_reader import Source
from .scan import Scan, no_gc
from .sdp import media_of
from .sip_table import frame_from_scan

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["rtp_streams", "rtp_frame", "sdp_media_index", "load"]

RTP_COLUMNS = ["src", "sport", "dst", "dport", "ssrc", "payload_type", "packets", "lost",
               "jitter_ms", "first", "last", "first_frame", "last_frame", "call_id"]


def sdp_media_index(sip: "pd.DataFrame") -> dict[tuple[str, int], str]:
    """(media address, port) -> Call-ID, from every SDP body in the SIP table."""
    index: dict[tuple[str, int], str] = {}
    if "sdp" not in sip or sip.empty:
        return index
    rows = sip[sip["sdp"].notna()]
    for call_id, body in zip(rows["call_id"], rows["sdp"]):
        for media in media_of(body):
            if media.address and media.port:
                index.setdefault((media.address, media.port), call_id)
    return index


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


def load(source: "Source | pd.DataFrame", rtp: bool = True,
         strict: bool = False) -> tuple["pd.DataFrame", "pd.DataFrame | None"]:
    """(SIP table, RTP table or None) from a capture, or from a read_sip frame (RTP then from
    `frame.attrs["rtp"]` when present)."""
    # A DataFrame can only exist once pandas is imported; a capture is read before importing it,
    # so the file's bytes are freed before pandas' own memory is added on top.
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(source, pd.DataFrame):
        return source, source.attrs.get("rtp")
    with no_gc():
        result = scan_parallel(source, rtp=rtp, strict=strict, meanwhile=import_pandas_meanwhile())
        sip = frame_from_scan(result)
        return sip, rtp_frame(result, sip) if rtp else None


def rtp_streams(path: Source, strict: bool = False) -> "pd.DataFrame":
    """One row per RTP stream: addresses, ports, SSRC, payload type, packets, lost, jitter
    (RFC 3550, ms), first/last time and frame, and the Call-ID whose SDP announced it."""
    _sip, rtp = load(path, rtp=True, strict=strict)
    return rtp
