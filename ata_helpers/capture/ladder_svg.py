"""`ladder(frame, call_id=None)`: a call-flow (ladder) diagram as deterministic SVG.

One column per address:port, one arrow per message (retransmissions collapsed into "×N"),
RTP drawn as a band between the two media endpoints, and messages named by a diagnose finding
drawn in red with the finding's code. Same input, same bytes: no random ids, fixed rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .load import CaptureInput, load_capture

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ladder", "Ladder"]

COL_WIDTH = 190
LEFT = 96
TOP = 64
ROW = 30
MAX_MESSAGES = 400
_SEVERITY_COLOR = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


@dataclass(frozen=True)
class Ladder:
    """An SVG ladder diagram; displays itself in Jupyter and saves with `.save(path)`."""

    svg: str
    call_id: str | None
    messages: int

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> None:
        """Write the SVG to `path`."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.svg)


def _copy_key(row: Any) -> tuple:
    """What makes two rows copies of one message (for collapsing retransmissions)."""
    import pandas as pd

    return (row.src, row.sport, row.dst, row.dport, row.call_id,
            None if pd.isna(row.cseq) else int(row.cseq), row.method,
            None if pd.isna(row.status) else int(row.status))


def _label(method: str | None, status: object, reason: object) -> str:
    if method:
        return method
    return f"{status} {reason or ''}".strip()


def ladder(frame: CaptureInput, call_id: str | None = None,
           findings: "pd.DataFrame | None" = None, rtp: "pd.DataFrame | None" = None) -> Ladder:
    """Draw the messages of `call_id` (or all, up to 400) of a read_sip table or capture file.

    `frame` is anything load_capture reads (a path, bytes, a read_sip table, a Capture).
    Findings default to `diagnose(frame)`; RTP bands come from `rtp`, or from the capture. Arrows
    follow RFC 3261's transactions (requests, their responses, retransmissions collapsed).
    Raises CaptureError for a file that cannot be read.
    """
    from .findings import diagnose

    capture = load_capture(frame, rtp=True)
    frame = capture.sip
    if rtp is None:
        rtp = capture.rtp
    if findings is None:
        findings = diagnose(capture)
    rows = frame if call_id is None else frame[frame["call_id"] == call_id]
    if call_id is not None and rows.empty:
        known = [str(c) for c in frame["call_id"].dropna().unique()]
        listed = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
        raise ValidationError("call_id", f"a Call-ID in this capture ({listed or 'it has no SIP calls'})",
                              call_id)
    truncated = False
    originals = rows[~rows["retransmission"]]
    if len(originals) > MAX_MESSAGES:
        originals = originals.iloc[:MAX_MESSAGES]
        truncated = True
    copies: dict[tuple, int] = {}
    for row in rows.itertuples(index=False):
        key = _copy_key(row)
        copies[key] = copies.get(key, 0) + 1
    marks: dict[int, tuple[str, str]] = {}
    if findings is not None and not findings.empty:
        for code, severity, frames in zip(findings["code"], findings["severity"], findings["frames"], strict=False):
            for number in frames or []:
                marks.setdefault(int(number), (code, severity))
    streams = []
    if rtp is not None and not rtp.empty:
        wanted = rtp if call_id is None else rtp[rtp["call_id"] == call_id]
        if call_id is None:
            wanted = wanted[wanted["call_id"].isin(set(originals["call_id"]))]
        streams = list(zip(wanted["src"], wanted["sport"], wanted["dst"], wanted["dport"],
                           wanted["packets"], wanted["payload_type"], wanted["first"], wanted["last"], strict=False))
    # events in time order: ("sip", time, row) and ("rtp", time, stream)
    events: list[tuple] = [("sip", r.time, r) for r in originals.itertuples(index=False)]
    events += [("rtp", s[6], s) for s in streams]
    events.sort(key=lambda e: (e[1], 0 if e[0] == "sip" else 1))
    columns: list[str] = []
    for kind, _t, item in events:
        ends = ((item.src, item.sport), (item.dst, item.dport)) if kind == "sip" else \
            ((item[0], item[1]), (item[2], item[3]))
        for host, port in ends:
            name = f"{host}:{port}"
            if name not in columns:
                columns.append(name)
    x_of = {name: LEFT + COL_WIDTH // 2 + i * COL_WIDTH for i, name in enumerate(columns)}
    width = LEFT + COL_WIDTH * max(len(columns), 1) + 20
    height = TOP + ROW * (len(events) + 1) + (20 if truncated else 0)
    start = events[0][1] if events else None
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="12">',
           '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" '
           'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#37474f"/></marker>'
           '<marker id="arrow-red" markerWidth="10" markerHeight="8" refX="9" refY="4" '
           'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#c62828"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    title = f"Call-ID {call_id}" if call_id else "All SIP messages"
    out.append(f'<text x="8" y="18" font-weight="bold">{escape(title)}</text>')
    for name, x in x_of.items():
        out.append(f'<text x="{x}" y="44" text-anchor="middle" font-weight="bold">'
                   f'{escape(name)}</text>')
        out.append(f'<line x1="{x}" y1="52" x2="{x}" y2="{height - 8}" stroke="#b0bec5" '
                   'stroke-dasharray="4 3"/>')
    for index, (kind, when, item) in enumerate(events):
        y = TOP + ROW * (index + 1)
        offset = (when - start).total_seconds()
        out.append(f'<text x="8" y="{y + 4}" fill="#607d8b">+{offset:.3f} s</text>')
        if kind == "rtp":
            x1, x2 = x_of[f"{item[0]}:{item[1]}"], x_of[f"{item[2]}:{item[3]}"]
            left, right = min(x1, x2), max(x1, x2)
            arrow = "→" if x2 > x1 else "←"
            seconds = (item[7] - item[6]).total_seconds()
            out.append(f'<rect x="{left}" y="{y - 8}" width="{right - left}" height="14" '
                       'fill="#c8e6c9" stroke="#66bb6a"/>')
            out.append(f'<text x="{(x1 + x2) // 2}" y="{y + 3}" text-anchor="middle" '
                       f'fill="#1b5e20">{arrow} RTP PT {item[5]}, {item[4]} packets, '
                       f'{seconds:.1f} s {arrow}</text>')
            continue
        x1, x2 = x_of[f"{item.src}:{item.sport}"], x_of[f"{item.dst}:{item.dport}"]
        mark = marks.get(int(item.frame))
        color = _SEVERITY_COLOR[mark[1]] if mark else "#37474f"
        marker = "arrow-red" if mark else "arrow"
        label = _label(item.method, item.status, item.reason)
        if item.malformed:
            label += " (malformed)"
        count = copies.get(_copy_key(item), 1)
        if count > 1:
            label += f" ×{count}"
        if item.sdp:
            label += " (SDP)"
        out.append(f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" '
                   f'stroke-width="1.5" marker-end="url(#{marker})"/>')
        out.append(f'<text x="{(x1 + x2) // 2}" y="{y - 5}" text-anchor="middle" '
                   f'fill="{color}">{escape(label)} <tspan fill="#90a4ae">#{item.frame}</tspan>'
                   '</text>')
        if mark:
            out.append(f'<circle cx="{x2}" cy="{y}" r="5" fill="none" stroke="{color}"/>')
            out.append(f'<text x="{x2 + 8}" y="{y + 14}" fill="{color}" font-size="10">'
                       f'{escape(mark[0])}</text>')
    if truncated:
        out.append(f'<text x="8" y="{height - 6}" fill="#c62828">first {MAX_MESSAGES} messages '
                   'shown; pass call_id= to draw one call</text>')
    out.append("</svg>")
    return Ladder("\n".join(out), call_id, len(originals))
