"""Tables for people: the columns worth reading first, and filters by call, method and address."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HEADER_COLUMNS", "header_table", "filter_messages", "findings_table"]

HEADER_COLUMNS = ["frame", "time", "src", "sport", "dst", "dport", "method", "status", "reason",
                  "cseq", "contact_uri", "via", "retransmission", "call_id"]


def filter_messages(frame: "pd.DataFrame", call_id: str | None = None, method: str | None = None,
                    address: str | None = None) -> "pd.DataFrame":
    """Rows of a read_sip table for one call, one method (or cseq method of a response) and/or
    one address (matched as a substring of src or dst, e.g. "192.168." or "54.172.60.1")."""
    mask = frame["frame"] > 0
    if call_id:
        mask &= frame["call_id"] == call_id
    if method:
        mask &= (frame["method"] == method) | (frame["cseq_method"] == method)
    if address:
        mask &= (frame["src"].str.contains(address, regex=False)
                 | frame["dst"].str.contains(address, regex=False))
    return frame[mask]


def header_table(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The columns of a read_sip table a learner reads first, with the time as offset in s."""
    out = frame[HEADER_COLUMNS].copy()
    if len(out):
        out["time"] = (out["time"] - frame["time"].iloc[0]).dt.total_seconds().round(3)
    return out.rename(columns={"time": "t (s)"}).reset_index(drop=True)


def findings_table(findings: "pd.DataFrame") -> "pd.DataFrame":
    """Findings without the machine-only frames column."""
    return findings.drop(columns=["frames"]).reset_index(drop=True)
