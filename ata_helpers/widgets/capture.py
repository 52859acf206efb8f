"""Notebook 07's form: pick or upload a capture, then findings, ladder, filtered headers, RTP.

Only wiring: every table and drawing comes from `ata_helpers.capture`. Results are written with
`Output.append_display_data` / `append_stdout` (never `with out: print`) so nbval stays stable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, SVG

from ..capture.findings import diagnose
from ..capture.ladder_svg import ladder
from ..capture.load import load_capture
from ..capture.rtp_table import NO_RTP
from ..capture.sip_table import no_sip_reason
from ..capture.views import filter_messages, findings_table, header_table
from ..empty_results import empty_reason
from ..errors import CaptureError

__all__ = ["CaptureExplorer", "capture_explorer"]

_ALL = "(all)"


class CaptureExplorer:
    """A capture picker (the sample captures or an upload) and the four views of notebook 07."""

    def __init__(self, captures: dict[str, Path]) -> None:
        self.captures: dict[str, Path | bytes] = dict(captures)
        self.picker = widgets.Dropdown(options=sorted(self.captures), description="Capture")
        self.upload = widgets.FileUpload(accept=".pcap,.pcapng,.gz,.cap", multiple=False,
                                         description="Upload")
        self.analyse = widgets.Button(description="Analyse", button_style="primary", layout={"width": "max-content"})
        self.call = widgets.Dropdown(options=[_ALL], description="Call")
        self.method = widgets.Dropdown(options=[_ALL], description="Method")
        self.address = widgets.Text(description="Address", placeholder="e.g. 192.168.")
        self.filter = widgets.Button(description="Filter", layout={"width": "max-content"})
        self.out = widgets.Output()
        self.table_out = widgets.Output()
        self.frame: Any = None
        self.rtp: Any = None
        self.analyse.on_click(lambda _b: self.run())
        self.filter.on_click(lambda _b: self.show_headers())
        self.upload.observe(lambda _c: self._uploaded(), names="value")

    def _uploaded(self) -> None:
        """Add an uploaded file to the picker and select it."""
        for item in self.upload.value:
            name = f"upload: {item['name']}"
            self.captures[name] = bytes(item["content"])
            self.picker.options = sorted(self.captures)
            self.picker.value = name

    def run(self) -> None:
        """Read the selected capture; show findings, ladder, headers and RTP streams."""
        self.out.outputs = ()
        self.table_out.outputs = ()
        try:
            capture = load_capture(self.captures[self.picker.value], rtp=True)
        except CaptureError as exc:
            # nothing of the previous capture stays on show: its rows would pass for this one's
            self.frame, self.rtp = None, None
            self.call.options, self.method.options = [_ALL], [_ALL]
            self.out.append_stdout(f"Cannot read this capture: {exc}\n")
            self.table_out.append_stdout("No headers: this capture could not be read.\n")
            return
        self.frame, self.rtp = capture
        findings = diagnose(capture)
        self.out.append_display_data(HTML("<h4>Findings</h4>"))
        if findings.empty:
            self.out.append_stdout(f"{empty_reason(findings) or 'No findings.'}\n")
        else:
            self.out.append_display_data(findings_table(findings))
        self.out.append_display_data(HTML("<h4>Ladder</h4>"))
        self.out.append_display_data(SVG(ladder(capture, findings=findings).svg))
        self.out.append_display_data(HTML("<h4>RTP streams</h4>"))
        if self.rtp is None or self.rtp.empty:
            self.out.append_stdout(f"{NO_RTP}\n")
        else:
            self.out.append_display_data(self.rtp)
        calls = [c for c in dict.fromkeys(self.frame["call_id"]) if c is not None]
        methods = sorted({m for m in self.frame["method"] if m})
        self.call.options = [_ALL, *calls]
        self.method.options = [_ALL, *methods]
        self.show_headers()

    def show_headers(self) -> None:
        """The header table for the chosen call, method and address."""
        self.table_out.outputs = ()
        if self.frame is None:
            self.table_out.append_stdout("Press Analyse first.\n")
            return
        rows = filter_messages(self.frame, None if self.call.value == _ALL else self.call.value,
                               None if self.method.value == _ALL else self.method.value,
                               self.address.value.strip() or None)
        if rows.empty:
            self.table_out.append_stdout(
                f"{no_sip_reason(self.frame.attrs)}\n" if self.frame.empty else
                f"No message matches the chosen call, method and address (of {len(self.frame)} SIP messages): "
                "choose (all) in a list, or clear the address.\n")
            return
        self.table_out.append_display_data(header_table(rows))

    def widget(self) -> widgets.Widget:
        """The whole form."""
        return widgets.VBox([
            widgets.HBox([self.picker, self.upload, self.analyse]), self.out,
            widgets.HTML("<h4>Headers</h4>"),
            widgets.HBox([self.call, self.method, self.address, self.filter]), self.table_out])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())


def capture_explorer(captures: dict[str, Path] | None = None) -> CaptureExplorer:
    """The explorer over the given captures (default: the sample captures in the state folder)."""
    if captures is None:
        from ..capture.samples import sample_captures

        captures = sample_captures()
    return CaptureExplorer(captures)
