"""The line report: one self-contained HTML file a person can keep or hand to support.

In order: when it was made and with which settings (`settings.describe()`: mode, state folder,
Twilio account and credentials kind); the doctor's checklist; the Twilio side
(`TwilioSetup.describe()`); the ATA's settings (passwords masked) and port status; the last
calls with Twilio's error codes explained; and, for a capture, its findings, one ladder
diagram per call and the RTP streams. Rendered with Jinja2 (autoescaping on) from
`ata_helpers/templates/line_report.html.j2`; no script, stylesheet, font or image is fetched
from anywhere, so the file opens the same offline.

Secrets never reach the file: passwords are masked where the tables are made, and the whole
text then goes through `settings.redact_text` (every secret the library knows, `password=…`
fields) and a mask for digest `response`/`nonce`/`cnonce` values quoted from captures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import pandas as pd

    from .capture.load import CaptureInput

__all__ = ["line_report", "Section", "LAST_CALLS"]

LAST_CALLS = 20
_CALL_COLUMNS = ["sid", "date_created", "direction", "from", "to", "status", "duration", "error_code",
                 "explanation", "verdict", "inbound_loss_pct", "outbound_loss_pct", "insights_note"]
_CAPTURE_CALL_COLUMNS = ["call_id", "caller", "callee", "start", "final_status", "final_reason", "twilio_error",
                         "messages"]
_DIGEST_VALUE = re.compile(r'(?i)\b((?:c?nonce|response|opaque)\s*=\s*)("?)[^",\s]+\2')


@dataclass
class Section:
    """One part of the report: a title, notes, then tables (HTML) and figures (SVG) in order."""

    title: str
    anchor: str
    notes: list[str] = field(default_factory=list)
    parts: list[tuple[str, str, str]] = field(default_factory=list)  # (kind "table"|"figure", caption, markup)
    error: str = ""

    def table(self, caption: str, html: str) -> None:
        """Add a table (already escaped HTML)."""
        self.parts.append(("table", caption, html))

    def figure(self, caption: str, svg: str) -> None:
        """Add a figure (SVG made by this library)."""
        self.parts.append(("figure", caption, svg))


def _table(frame: "pd.DataFrame", columns: list[str] | None = None) -> str:
    """A DataFrame as an escaped HTML table without the index (all values shown as text)."""
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return frame.astype(object).where(frame.notna(), "").to_html(index=False, escape=True, border=0,
                                                                     classes="data", na_rep="")


def _guarded(section: Section, build: Callable[[Section], None]) -> Section:
    """Fill a section; an error becomes the section's message instead of a lost report."""
    try:
        build(section)
    except Exception as exc:  # ours, the Twilio SDK's, requests': each becomes one line in its place
        first = str(exc).splitlines()[0] if str(exc) else ""
        section.error = f"{type(exc).__name__}: {first}"
    return section


def _doctor(section: Section, capture: Any) -> None:
    from ._doctor import doctor

    frame = doctor(capture=capture)
    counts = frame["status"].value_counts()
    section.notes.append(", ".join(f"{counts.get(s, 0)} {s}" for s in ("pass", "fail", "warn", "skip")))
    section.table("", _table(frame))


def _twilio_side(section: Section) -> None:
    from .provision import TwilioSetup

    setup = TwilioSetup.from_saved(ask_password=False)
    section.notes.append(f"SIP domain {setup.domain_name}")
    section.table("", _table(setup.describe()))


def _ata(section: Section) -> None:
    from .grandstream import ht80x_device

    device = ht80x_device(wait_timeout=5.0)  # a report reads; it does not wait out a reboot
    section.notes.append(f"model {device.detect()}")
    section.table("Port status", _table(device.status()))
    config = device.read_config()
    settings = config.settings_frame()
    active = [str(n) for n, port in enumerate(config.ports, start=1) if port.account_active]
    if active and len(active) < len(config.ports):  # an unused port's defaults add nothing
        settings = settings[settings["port"].isin(active)]
        section.notes.append(f"settings of the active port(s) {', '.join(active)}")
    section.table("Settings (passwords masked)", _table(settings))


def _calls(section: Section) -> None:
    from .calls import call_log

    frame = call_log(limit=LAST_CALLS, progress=False, insights=True)  # Voice Insights where Twilio has them
    section.notes.append(f"the {len(frame)} most recent call(s), newest first"
                         if len(frame) else "no calls in the account yet")
    if len(frame):
        section.table("", _table(frame, _CALL_COLUMNS))


def _capture(section: Section, capture: "CaptureInput") -> None:
    from .capture import diagnose, ladder, load_capture, sip_calls

    loaded = load_capture(capture, rtp=True)
    sip, rtp = loaded.sip, loaded.rtp if loaded.rtp is not None else _no_rtp()
    findings = diagnose(loaded)
    name = Path(str(capture)).name if isinstance(capture, (str, Path)) else "capture"
    section.notes.append(f"{name}: {len(sip)} SIP message(s), {len(rtp)} RTP stream(s), "
                         f"{len(findings)} finding(s)")
    for warning in sip.attrs.get("warnings", []):
        section.notes.append(f"reading the capture: {warning}")
    section.table("Findings", _table(findings, ["code", "severity", "summary", "evidence", "fix", "call_id"])
                  if len(findings) else "<p>No findings: nothing in this capture looks wrong.</p>")
    calls = sip_calls(sip)
    if len(calls):
        section.table("Calls", _table(calls, _CAPTURE_CALL_COLUMNS))
    for call_id in calls["call_id"]:
        section.figure(f"Call {call_id}", ladder(sip, call_id=call_id, findings=findings, rtp=rtp).svg)
    others = sip[~sip["call_id"].isin(set(calls["call_id"]))]
    if len(others):  # registrations, OPTIONS pings and anything outside an INVITE dialog
        section.figure("Registrations and other messages", ladder(others, findings=findings, rtp=rtp).svg)
    section.table("RTP streams", _table(rtp) if len(rtp) else
                  "<p>No RTP in this capture (Twilio's SIP PCAP downloads hold signalling only).</p>")


def _no_rtp() -> "pd.DataFrame":
    import pandas as pd

    from .capture.rtp_table import RTP_COLUMNS

    return pd.DataFrame(columns=RTP_COLUMNS)


def _render(context: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("ata_helpers", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("line_report.html.j2").render(**context)


def scrub(text: str) -> str:
    """Remove every known secret and digest value from report text."""
    from .settings import redact_text

    extra: list[str] = []
    try:
        from .provision.config import sip_password

        extra.append(sip_password(prompt=False))
    except Exception:  # no saved inputs or no credentials: nothing more to mask
        pass
    text = redact_text(text, extra)
    return _DIGEST_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}••••{m.group(2)}", text)


def line_report(path: "str | Path | None" = None, capture: "CaptureInput | None" = None) -> str:
    """Build the line report; returns the HTML text, and writes it (permissions 0600) to `path` if given.

    `capture` is a pcap/pcapng of a call (Twilio Console > Monitor > Logs > Calls > a call > SIP
    PCAP LOG, or the twins' simulated capture of the call): the report then adds its findings, a ladder per
    call and the RTP streams. A part that cannot be read (no credentials, device unreachable) says
    why in its place; the rest is still made. Raises ValidationError when `capture` is not a file
    or `path` is empty or a folder.
    """
    from . import __version__
    from .errors import ValidationError
    from .progress import progress_reporter
    from .settings import describe, output_file, write_private_file

    if path is not None:
        path = output_file(path)  # before the report is built
    if capture is not None and isinstance(capture, (str, Path)) and not Path(capture).is_file():
        raise ValidationError("capture", f"no such file: {capture}")
    steps: list[tuple[Section, Callable[[Section], None]]] = [
        (Section("Doctor: the whole chain", "doctor"), lambda s: _doctor(s, capture)),
        (Section("Twilio side", "twilio"), _twilio_side),
        (Section("The ATA", "ata"), _ata),
        (Section("Last calls", "calls"), _calls),
    ]
    if capture is not None:
        steps.append((Section("The capture", "capture"), lambda s: _capture(s, capture)))
    progress = progress_reporter("line report")
    sections = []
    for done, (section, build) in enumerate(steps):
        progress.update(done, len(steps), section.title)
        sections.append(_guarded(section, build))
    progress.close("done")
    made = datetime.now(timezone.utc).replace(microsecond=0)
    html = scrub(_render({"made": made.isoformat().replace("+00:00", "Z"), "environment": describe(),
                          "version": __version__, "sections": sections}))
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_private_file(Path(path), html)
    return html
