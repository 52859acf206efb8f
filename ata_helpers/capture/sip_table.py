"""`read_sip(path)`: one pandas row per SIP message, with the columns of the public contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..empty_results import explain_empty
from .load import Source, load_capture

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_sip", "COLUMNS"]

COLUMNS = ["time", "src", "sport", "dst", "dport", "transport", "method", "status", "reason",
           "request_uri", "call_id", "cseq", "cseq_method", "from_uri", "from_tag", "to_uri",
           "to_tag", "contact_uri", "via", "user_agent", "expires", "retransmission", "headers",
           "sdp", "frame", "malformed", "problem", "branch"]
"""The read_sip columns, in order."""


def read_sip(path: Source, strict: bool = False) -> "pd.DataFrame":
    """Every SIP message in a pcap/pcapng file (path, '-', bytes or binary file object).

    Columns (COLUMNS, in order): time (datetime64[ns, UTC]), src, sport (int64), dst, dport,
    transport ("UDP"/"TCP"/"WS"), method (None for responses), status (Int64, NA for requests),
    reason, request_uri, call_id, cseq (Int64), cseq_method, from_uri, from_tag, to_uri, to_tag,
    contact_uri (first Contact's URI without <>), via (top Via as written), user_agent
    (User-Agent or Server), expires (Int64), retransmission (bool, as tshark's sip.resend),
    headers (a plain dict: lower-case long name → list of values, RFC 3261 §7.3), sdp (the SDP
    body or multipart part, RFC 5621), frame (1-based number of the packet that completes the
    message), malformed (bool), problem (why it is malformed), branch (top Via's branch).

    Facts about the file are in `frame.attrs`: "frames", "linktypes", "warnings" (damage),
    "tls_flows", "keepalives". Raises CaptureError for a file that is not a capture, or, when
    `strict`, for any damage; otherwise the rows read before the damage are returned.
    """
    sip = load_capture(path, rtp=False, strict=strict).sip
    return explain_empty(sip, no_sip_reason(sip.attrs))


def no_sip_reason(attrs: dict) -> str:
    """Why a capture holds no SIP message (from its packet accounting) and where to capture instead."""
    frames = attrs.get("frames") or 0
    return (f"No SIP message in this capture ({frames} packet(s) read). Capture where the ATA's signalling "
            "passes (on the router or a mirrored switch port, UDP 5060 to and from Twilio) while the ATA "
            "registers or a call is made, or download the call's SIP PCAP from Twilio's Console (Monitor > "
            "Logs > Calls > the call).")
