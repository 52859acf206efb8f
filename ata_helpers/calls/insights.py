"""Call quality from Twilio Voice Insights: a call's summary and events as DataFrames, with a verdict.

`call_summary(call_sid)` reads the Call Summary (insights.twilio.com/v1/Voice/{CallSid}/Summary,
https://www.twilio.com/docs/voice/voice-insights/api/call/call-summary-resource) and gives one row:
how the call ended, who hung up, the last SIP response, and the media gateway's packet counts,
loss, jitter and latency in both directions, plus a `verdict` in words. `call_events(call_sid)`
reads the call's Insights events (…/Events). `join_insights(log)` adds the verdict and the key
metrics to a call log (`ata.call_log(insights=True)`), and `quality_chart(frame)` draws them.

Twilio's rules, which the functions explain instead of returning an empty table:
- REST access needs Voice Insights Advanced Features on the account
  (https://www.twilio.com/docs/voice/voice-insights/advanced-features); without them Twilio refuses.
- A partial summary appears within about 10 minutes of the call's end and the complete one within
  30 minutes; a partial row says so in `note`, its numbers may still change.
- Twilio answers 429 when requests come too fast; the functions wait and retry with back-off.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from ..errors import InsightsUnavailableError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from twilio.rest import Client

__all__ = ["call_summary", "call_events", "join_insights", "quality_chart", "InsightsUnavailableError",
           "SUMMARY_COLUMNS", "EVENT_COLUMNS", "INSIGHTS_COLUMNS", "VERDICTS"]

# column -> dtype, in order. Packets are counts; loss in percent; jitter and latency in milliseconds,
# as Twilio reports them. "inbound" is media Twilio's gateway received from the party on its edge
# (the ATA for a SIP call), "outbound" what it sent there.
SUMMARY_COLUMNS: dict[str, str] = {
    "call_sid": "string", "processing_state": "string", "call_type": "string", "call_state": "string",
    "direction": "string", "start_time": "datetime64[ns, UTC]", "end_time": "datetime64[ns, UTC]",
    "duration": "Int64", "connect_duration": "Int64", "disconnected_by": "string",
    "last_sip_response_num": "Int64", "edge": "string",
    "packets_received": "Int64", "inbound_packets_lost": "Int64", "inbound_loss_pct": "Float64",
    "inbound_jitter_avg_ms": "Float64", "inbound_jitter_max_ms": "Float64", "inbound_latency_avg_ms": "Float64",
    "packets_sent": "Int64", "outbound_packets_lost": "Int64", "outbound_loss_pct": "Float64",
    "outbound_jitter_avg_ms": "Float64", "outbound_jitter_max_ms": "Float64", "outbound_latency_avg_ms": "Float64",
    "tags": "string", "verdict": "string", "note": "string",
}
EVENT_COLUMNS: dict[str, str] = {
    "timestamp": "datetime64[ns, UTC]", "edge": "string", "group": "string", "name": "string", "level": "string",
    "edge_location": "string", "twilio_ip": "string", "external_ip": "string",
}
# what join_insights adds to a call log
INSIGHTS_COLUMNS: dict[str, str] = {
    "verdict": "string", "inbound_loss_pct": "Float64", "outbound_loss_pct": "Float64",
    "inbound_jitter_avg_ms": "Float64", "disconnected_by": "string", "insights_note": "string",
}
VERDICTS = {
    "healthy": "audio flowed both ways and the call ended normally",
    "one-way-audio": "audio flowed in one direction only",
    "dropped-after-32s": "the SIP side hung up about 32 s after answering, the mark of a lost ACK",
    "poor-quality": "audio flowed but Twilio tagged it as degraded",
    "not-connected": "the call was never answered, so no audio could flow",
    "pending": "Twilio has no summary for the call yet",
    "unavailable": "Twilio refused to give the summary",
}
_ONE_WAY_LOSS = 90.0  # percent: a direction that lost this much carried no usable audio
_TIMER_H = (30, 35)  # seconds: RFC 3261 §17.2.1 Timer H (64*T1 = 32 s) gives up on a 2xx never ACKed
_RETRIES = 5


def _check_sid(call_sid: str) -> str:
    import re

    text = str(call_sid or "").strip()
    if not re.fullmatch(r"CA[0-9a-fA-F]{32}", text):
        raise ValidationError("call_sid", "a call SID: CA followed by 32 hex digits", call_sid)
    return text


def _with_backoff(request: Callable[[], Any], sleep: Callable[[float], None] = time.sleep) -> Any:
    """Run a Twilio request, waiting 1, 2, 4, 8 s after each HTTP 429 (Twilio's rate limit, error 20429)."""
    from twilio.base.exceptions import TwilioRestException

    for attempt in range(_RETRIES):
        try:
            return request()
        except TwilioRestException as exc:
            if exc.status != 429 or attempt == _RETRIES - 1:
                raise
            sleep(2.0 ** attempt)
    raise AssertionError("unreachable")


def _refusal(exc: Any, call_sid: str, client: "Client") -> InsightsUnavailableError:
    """Explain why Twilio gave no summary: Advanced Features off, not ready yet, or no such call."""
    status, code, uri = int(exc.status), getattr(exc, "code", None), getattr(exc, "uri", "")
    message = str(getattr(exc, "msg", "") or exc)
    if status in (401, 403):
        return InsightsUnavailableError(
            "not-enabled", status, code, message,
            "Voice Insights' REST API answers only accounts with Voice Insights Advanced Features active.",
            "Turn them on in Console > Voice > Settings > Voice Insights Advanced Features (a paid feature), "
            "or read the call's quality in Console > Monitor > Logs > Calls.", uri)
    from twilio.base.exceptions import TwilioRestException

    try:
        call = _with_backoff(lambda: client.calls(call_sid).fetch())
    except TwilioRestException:
        return InsightsUnavailableError("not-found", status, code, message,
                                        f"There is no call {call_sid} in this account.",
                                        "Check the SID (ata.call_log() lists the account's calls).", uri)
    if call.end_time is None:
        return InsightsUnavailableError("not-ready", status, code, message,
                                        f"The call is still {call.status}; Twilio summarizes a call after it ends.",
                                        "Ask again once the call has ended.", uri)
    return InsightsUnavailableError(
        "not-ready", status, code, message,
        f"The call ended at {call.end_time:%Y-%m-%d %H:%M:%S} UTC; Twilio makes a partial summary within about "
        "10 minutes of a call's end and the complete one within 30 minutes.",
        "Ask again in a few minutes.", uri)


def _fetch_summary(client: "Client", call_sid: str) -> Any:
    """The complete summary, else the partial one; InsightsUnavailableError with the reason otherwise."""
    from twilio.base.exceptions import TwilioRestException

    summary = client.insights.v1.calls(call_sid).summary()
    try:
        return _with_backoff(summary.fetch)
    except TwilioRestException as exc:
        if exc.status != 404:
            raise _refusal(exc, call_sid, client) from exc
    try:
        return _with_backoff(lambda: summary.fetch(processing_state="partial"))
    except TwilioRestException as exc:
        raise _refusal(exc, call_sid, client) from exc


def _metric(metrics: dict[str, Any], side: str, *keys: str) -> Any:
    value: Any = (metrics or {}).get(side) or {}
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _party_word(edge: str | None) -> str:
    return {"sip_edge": "the ATA", "carrier_edge": "the phone network",
            "client_edge": "the Voice SDK client"}.get(edge or "", "the far side")


def _verdict(row: dict[str, Any]) -> tuple[str, str]:
    """(verdict, reason in words) for one summary row; the rules are documented in VERDICTS."""
    party = _party_word(row["edge"])
    if row["call_state"] not in ("completed", "answered"):
        sip = row["last_sip_response_num"]
        why = f"last SIP response {sip}" if sip is not None else "no SIP response from the party"
        return "not-connected", f"The call ended as '{row['call_state']}' ({why})."
    sent, received = row["packets_sent"], row["packets_received"]
    if received is not None and received == 0:
        return "one-way-audio", f"Twilio received no audio packets from {party} while it sent {sent or 0}."
    if row["outbound_loss_pct"] is not None and row["outbound_loss_pct"] >= _ONE_WAY_LOSS:
        return "one-way-audio", (f"Twilio sent {sent} audio packets to {party} and the receiver's RTCP reports say "
                                 f"{row['outbound_loss_pct']:.0f}% were lost: audio from Twilio is blocked on the "
                                 "way (a firewall or router dropping Twilio's media range).")
    if row["inbound_loss_pct"] is not None and row["inbound_loss_pct"] >= _ONE_WAY_LOSS:
        return "one-way-audio", f"{row['inbound_loss_pct']:.0f}% of the audio from {party} was lost."
    connected = row["connect_duration"]
    if (row["edge"] == "sip_edge" and connected is not None and _TIMER_H[0] <= connected <= _TIMER_H[1]
            and row["disconnected_by"] == ("callee" if row["direction"] != "inbound" else "caller")):
        return "dropped-after-32s", (f"{party} hung up {connected} s after answering: the length of RFC 3261's "
                                     "Timer H, after which a phone that never got the ACK for its 200 OK gives up "
                                     "(usually a private address in the 200 OK's Contact: NAT Traversal).")
    if row["tags"]:
        return "poor-quality", f"Twilio tagged the call: {row['tags']}."
    return "healthy", "Audio flowed both ways and the call ended normally."


def _summary_row(data: Any) -> dict[str, Any]:
    edge_name = next((name for name in ("sip_edge", "carrier_edge", "client_edge", "sdk_edge")
                      if getattr(data, name, None)), None)
    edge = getattr(data, edge_name) if edge_name else {}
    metrics = (edge or {}).get("metrics") or {}
    props = data.properties or {}
    row: dict[str, Any] = {
        "call_sid": data.call_sid, "processing_state": data.processing_state, "call_type": data.call_type,
        "call_state": data.call_state, "direction": props.get("direction"), "start_time": data.start_time,
        "end_time": data.end_time, "duration": data.duration, "connect_duration": data.connect_duration,
        "disconnected_by": props.get("disconnected_by"), "last_sip_response_num": props.get("last_sip_response_num"),
        "edge": edge_name, "tags": ", ".join(data.tags or []) or None,
    }
    for side, count in (("inbound", "packets_received"), ("outbound", "packets_sent")):
        row[count] = _metric(metrics, side, count)
        row[f"{side}_packets_lost"] = _metric(metrics, side, "packets_lost")
        row[f"{side}_loss_pct"] = _metric(metrics, side, "packets_loss_percentage")
        row[f"{side}_jitter_avg_ms"] = _metric(metrics, side, "jitter", "avg")
        row[f"{side}_jitter_max_ms"] = _metric(metrics, side, "jitter", "max")
        row[f"{side}_latency_avg_ms"] = _metric(metrics, side, "latency", "avg")
    verdict, reason = _verdict(row)
    if row["processing_state"] == "partial":
        reason += (" This is Twilio's partial summary: the complete one comes within 30 minutes of the call's end "
                   "and its numbers may differ.")
    row.update(verdict=verdict, note=reason)
    return row


def _typed(rows: list[dict[str, Any]], columns: dict[str, str]) -> "pd.DataFrame":
    import pandas as pd

    raw = pd.DataFrame.from_records(rows, columns=list(columns))
    frame = pd.DataFrame(index=raw.index)
    for name, kind in columns.items():
        dtype: Any = kind
        column = raw[name]
        if dtype.startswith("datetime"):
            frame[name] = pd.to_datetime(column, utc=True).astype(dtype)
        elif dtype in ("Int64", "Float64"):
            frame[name] = pd.to_numeric(column, errors="coerce").astype(dtype)
        else:
            frame[name] = column.astype("string")
    return frame


def call_summary(call_sid: str, client: "Client | None" = None) -> "pd.DataFrame":
    """One row: the Voice Insights summary of a call, with a `verdict` and a `note` that says why.

    Columns and dtypes: SUMMARY_COLUMNS. Times are UTC; `duration` (from start) and
    `connect_duration` (from answer) in whole seconds; packet counts as Twilio's media gateway counted
    them; `*_loss_pct` in percent; jitter and latency in milliseconds. `inbound_*` is what the gateway
    received from the party on its edge (the ATA, for a SIP call), `outbound_*` what it sent there.
    `verdict` is one of VERDICTS; a partial summary says so in `note`.

    Raises ValidationError for a malformed SID, and InsightsUnavailableError (a TwilioApiError) when
    Twilio gives no summary, with the reason: Advanced Features not active ("not-enabled"), the call
    still going or not summarized yet ("not-ready", up to 30 minutes), or no such call ("not-found").
    """
    from ..twilio_api import explained_errors, twilio_client

    sid = _check_sid(call_sid)
    client = client or twilio_client()
    with explained_errors():
        data = _fetch_summary(client, sid)
    return _typed([_summary_row(data)], SUMMARY_COLUMNS)


def call_events(call_sid: str, edge: str | None = None, client: "Client | None" = None) -> "pd.DataFrame":
    """The call's Voice Insights events, oldest first, one row each (columns and dtypes: EVENT_COLUMNS).

    For a SIP or phone call these are the call-progress events Twilio's gateway saw (`initiated`,
    `ringing`, `answered`, `completed`) with the gateway's location and addresses. `edge` filters
    ("sip_edge", "carrier_edge", …). An empty table is never silent: when Twilio has no events yet or
    refuses, InsightsUnavailableError says why (Twilio publishes events within about 90 seconds).
    Raises ValidationError for a malformed call SID or edge, InsightsUnavailableError as above.
    """
    from twilio.base.exceptions import TwilioRestException

    from ..twilio_api import explained_errors, twilio_client

    sid = _check_sid(call_sid)
    if edge is not None and edge not in ("unknown_edge", "carrier_edge", "sip_edge", "sdk_edge", "client_edge"):
        raise ValidationError("edge", "one of unknown_edge, carrier_edge, sip_edge, sdk_edge, client_edge", edge)
    client = client or twilio_client()
    with explained_errors():
        try:
            events = _with_backoff(lambda: client.insights.v1.calls(sid).events.list(
                **({"edge": edge} if edge else {}), page_size=1000))
        except TwilioRestException as exc:
            raise _refusal(exc, sid, client) from exc
        if not events:
            if edge is not None:
                raise InsightsUnavailableError("not-found", 200, None, f"no {edge} events",
                                               f"Twilio has no events on {edge} for this call.",
                                               "Ask without `edge` to see the edges the call used.")
            raise _refusal(TwilioRestException(404, f"/v1/Voice/{sid}/Events", "no events", 20404), sid, client)
    rows = []
    for event in events:
        meta = ((getattr(event, event.edge) if event.edge in ("carrier_edge", "sip_edge", "client_edge",
                                                              "sdk_edge") else None) or {}).get("metadata") or {}
        rows.append({"timestamp": event.timestamp, "edge": event.edge, "group": event.group, "name": event.name,
                     "level": event.level, "edge_location": meta.get("edge_location"),
                     "twilio_ip": meta.get("twilio_ip"), "external_ip": meta.get("external_ip")})
    return _typed(rows, EVENT_COLUMNS).sort_values("timestamp", kind="stable").reset_index(drop=True)


def join_insights(log: "pd.DataFrame", client: "Client | None" = None, progress: bool = True) -> "pd.DataFrame":
    """`log` (from call_log) with INSIGHTS_COLUMNS added from each call's Voice Insights summary.

    One summary request per call (with back-off on Twilio's 429), progress shown. A call without a
    summary keeps empty metrics and says why in `insights_note` ("pending"/"unavailable" verdicts).
    When Twilio refuses for lack of Advanced Features the remaining calls are not asked again.
    """
    import pandas as pd

    from ..progress import progress_reporter
    from ..twilio_api import twilio_client

    client = client or twilio_client()
    reporter = progress_reporter("Insights", progress)
    rows: list[dict[str, Any]] = []
    refused: InsightsUnavailableError | None = None
    try:
        for done, sid in enumerate(log["sid"], start=1):
            row: dict[str, Any] = {name: None for name in INSIGHTS_COLUMNS}
            if refused is not None:
                row.update(verdict="unavailable", insights_note=refused.explanation)
            else:
                try:
                    summary = call_summary(str(sid), client)
                except InsightsUnavailableError as exc:
                    row.update(verdict="pending" if exc.reason == "not-ready" else "unavailable",
                               insights_note=exc.explanation)
                    if exc.reason == "not-enabled":
                        refused = exc
                else:
                    first = summary.iloc[0]
                    row.update({name: first[name] for name in INSIGHTS_COLUMNS if name in summary.columns})
                    row["insights_note"] = first["note"]
            rows.append(row)
            reporter.update(done, len(log), "summaries")
    finally:
        reporter.close(f"{len(rows)} summaries")
    extra = _typed(rows, INSIGHTS_COLUMNS)
    extra.index = log.index
    return pd.concat([log.drop(columns=[c for c in INSIGHTS_COLUMNS if c in log.columns]), extra], axis=1)


def quality_chart(frame: "pd.DataFrame", title: str = "Call quality (Voice Insights)") -> "Figure":
    """A bar chart per call of packet loss in both directions (percent), coloured by verdict.

    `frame` is call_log(insights=True) or call_summary rows (any frame with `verdict`,
    `inbound_loss_pct`, `outbound_loss_pct` and a `sid` or `call_sid`). Calls without a summary are
    drawn as empty slots labelled with their verdict. Returns a matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)

    from .._jupyter_display import new_figure

    sid_column = "sid" if "sid" in frame.columns else "call_sid"
    labels = [f"…{str(s)[-6:]}" for s in frame[sid_column]]
    inbound = frame["inbound_loss_pct"].astype("Float64").fillna(0).to_numpy(dtype=float)
    outbound = frame["outbound_loss_pct"].astype("Float64").fillna(0).to_numpy(dtype=float)
    colours = {"healthy": "#2e7d32", "one-way-audio": "#c62828", "dropped-after-32s": "#ef6c00",
               "poor-quality": "#f9a825", "not-connected": "#9e9e9e", "pending": "#bdbdbd",
               "unavailable": "#bdbdbd"}
    figure = new_figure(figsize=(max(6.0, 0.7 * len(labels) + 2), 3.6))
    axes = figure.subplots()
    positions = list(range(len(labels)))
    verdicts = [str(v) for v in frame["verdict"].fillna("unavailable")]
    axes.bar([p - 0.2 for p in positions], inbound, width=0.4, label="from the party (inbound)",
             color=[colours.get(v, "#757575") for v in verdicts], alpha=0.55, edgecolor="black")
    axes.bar([p + 0.2 for p in positions], outbound, width=0.4, label="to the party (outbound)",
             color=[colours.get(v, "#757575") for v in verdicts], edgecolor="black", hatch="//")
    for position, verdict in zip(positions, verdicts, strict=True):
        axes.text(position, 103, verdict, rotation=90, ha="center", va="bottom", fontsize=7)
    axes.set_ylim(0, 160)
    axes.set_ylabel("packets lost (%)")
    axes.set_xticks(positions)
    axes.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    axes.set_title(title)
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return figure
