"""`sip_calls(path_or_frame)`: one row per call (INVITE dialog) with parties, times and outcome.

Grouped by Call-ID (byte-exact, RFC 3261 §20.8); the initial INVITE is the first one without a
To-tag. "Setup time" is INVITE to first final response, as tshark's `-z sip,stat` reports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..empty_results import explain_empty
from .load import CaptureInput, load_capture

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sip_calls", "CALL_COLUMNS"]

CALL_COLUMNS = ["call_id", "caller", "callee", "caller_addr", "callee_addr", "start", "answered",
                "end", "final_status", "final_reason", "setup_time_s", "duration_s", "hung_up_by",
                "twilio_error", "messages"]


def sip_calls(path_or_frame: CaptureInput) -> "pd.DataFrame":
    """One row per call in a capture or read_sip table; columns and dtypes: CALL_COLUMNS.

    A call is one Call-ID (RFC 3261 §8.1.1.4). Raises CaptureError for a file that cannot be read.
    """
    import pandas as pd

    sip = load_capture(path_or_frame, rtp=False).sip
    rows = []
    if not sip.empty:
        ok = sip[~sip["malformed"] & sip["call_id"].notna()]
        invite_ids = set(ok.loc[ok["method"] == "INVITE", "call_id"])
        for call_id, msgs in ok[ok["call_id"].isin(invite_ids)].groupby("call_id", sort=False):
            rows.append(_call_row(str(call_id), msgs))
    frame = pd.DataFrame(rows, columns=CALL_COLUMNS, dtype=object)
    for col in ("start", "answered", "end"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame = frame.astype({"final_status": "Int64", "setup_time_s": "float64",
                          "duration_s": "float64", "messages": "int64"})
    return explain_empty(frame, f"No call in this capture: none of its {len(sip)} SIP message(s) is an INVITE "
                                "(registrations and keep-alives only). Capture while a call is placed or "
                                "received.")


def _call_row(call_id: str, msgs: "pd.DataFrame") -> dict:
    invites = msgs[(msgs["method"] == "INVITE") & msgs["to_tag"].isna()]
    first = invites.iloc[0] if len(invites) else msgs[msgs["method"] == "INVITE"].iloc[0]
    finals = msgs[(msgs["cseq_method"] == "INVITE") & (msgs["status"].fillna(0) >= 200)
                  & (msgs["cseq"] == first["cseq"])]
    final = finals.iloc[-1] if len(finals) else None
    answered = finals[finals["status"].between(200, 299)]
    answered_at = answered["time"].iloc[0] if len(answered) else None
    byes = msgs[(msgs["method"] == "BYE") & ~msgs["retransmission"]]
    hung_up_by = None
    end = msgs["time"].iloc[-1]
    if len(byes):
        bye = byes.iloc[0]
        end = bye["time"]
        hung_up_by = "caller" if bye["from_tag"] == first["from_tag"] else "callee"
    elif (msgs["method"] == "CANCEL").any():
        hung_up_by = "caller"
    errors = [v for h in msgs["headers"] for v in h.get("x-twilio-error", [])]
    return {
        "call_id": call_id, "caller": first["from_uri"], "callee": first["to_uri"],
        "caller_addr": f"{first['src']}:{first['sport']}",
        "callee_addr": f"{first['dst']}:{first['dport']}", "start": first["time"],
        "answered": answered_at, "end": end,
        "final_status": None if final is None else final["status"],
        "final_reason": None if final is None else final["reason"],
        "setup_time_s": None if final is None else (finals["time"].iloc[0] - first["time"]).total_seconds(),
        "duration_s": None if answered_at is None or not len(byes) else (end - answered_at).total_seconds(),
        "hung_up_by": hung_up_by, "twilio_error": errors[0] if errors else None,
        "messages": int(len(msgs)),
    }
