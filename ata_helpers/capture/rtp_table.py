"""`rtp_streams(path)`: one row per RTP stream, tied to its call by the SDP that announced it.

A stream belongs to a call when its destination (or source) address and port are the `c=`
address and `m=` port of an SDP body in that call's messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..empty_results import explain_empty
from ._engine.tables import RTP_COLUMNS
from .load import CaptureInput, load_capture

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["rtp_streams", "RTP_COLUMNS"]


def rtp_streams(path: CaptureInput, strict: bool = False) -> "pd.DataFrame":
    """One row per RTP stream (RFC 3550): src, sport, dst, dport, ssrc (hex text), payload_type,
    packets, lost, jitter_ms (RFC 3550 §6.4.1, in ms), first/last (datetime64, UTC),
    first_frame/last_frame, and call_id (the call whose SDP announced the stream, or None).
    Raises CaptureError as read_sip does."""
    rtp = load_capture(path, rtp=True, strict=strict).rtp
    if rtp is None:  # a read_sip table without RTP facts
        import pandas as pd

        return explain_empty(pd.DataFrame(columns=RTP_COLUMNS),
                             "A read_sip table holds no RTP facts: give rtp_streams() the capture file itself.")
    return explain_empty(rtp, NO_RTP)


NO_RTP = ("No RTP in this capture: it holds signalling only (Twilio's SIP PCAP download has no audio), or no "
          "call here was answered. To see the audio, capture on the ATA's side during an answered call; "
          "audio that flows one way shows as a stream in one direction only.")
