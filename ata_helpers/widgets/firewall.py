"""Form for step 1: choose the router type and edges, give the ATA's address, get the rules.

Only wiring: the rules come from `ata_helpers.firewall.firewall_rules`, and its validation
messages are shown beside the field they concern. Results are written with
`Output.append_display_data` / `append_stderr` (never `with out: print`), so a notebook's stored
outputs stay stable under nbval.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

import ipywidgets as widgets

from ..errors import ValidationError
from ..firewall import (
    EDGES,
    FORMAT_LABELS,
    FORMATS,
    FirewallRules,
    firewall_rules,
    twilio_ip_ranges,
)

__all__ = ["FirewallForm", "firewall_form"]


def _message(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""


class FirewallForm(widgets.VBox):
    """Router type, edges and ATA address, with a button that shows the rules in `out`."""

    def __init__(self, fmt: str = "table", edges: Iterable[str] | None = None, ata_ip: str = "",
                 **kwargs: Any) -> None:
        if fmt not in FORMATS:
            raise ValidationError("fmt", f"one of {', '.join(FORMATS)}", fmt)
        locations = {str(row.edge): str(row.location) for row in twilio_ip_ranges().itertuples()}
        self.router = widgets.Dropdown(options=[(FORMAT_LABELS[f], f) for f in FORMATS], value=fmt,
                                       description="Router")
        self.edges = widgets.SelectMultiple(options=[(f"{e} ({locations[e]})", e) for e in EDGES],
                                            value=tuple(EDGES if edges is None else edges),
                                            rows=len(EDGES), description="Edges")
        self.edges_message = widgets.HTML()
        self.ata_ip = widgets.Text(value=ata_ip, placeholder="e.g. 192.168.1.50",
                                   description="ATA address")
        self.ata_ip_message = widgets.HTML()
        self.button = widgets.Button(description="Show rules", button_style="primary", layout={"width": "max-content"})
        self.out = widgets.Output()
        self.ata_ip.observe(self._on_ata_ip, names="value")
        self.edges.observe(self._on_edges, names="value")
        self.button.on_click(self._on_click)
        super().__init__(children=[
            self.router,
            widgets.HBox([self.edges, self.edges_message]),
            widgets.HBox([self.ata_ip, self.ata_ip_message]),
            self.button,
            self.out,
        ], **kwargs)

    def rules(self) -> FirewallRules:
        """The rules for the form's current values (raises ValidationError when a field is wrong)."""
        return firewall_rules(self.router.value, edges=list(self.edges.value),
                              ata_ip=self.ata_ip.value or None)

    def _check(self) -> bool:
        """Validate every field, put each problem beside its field; True when all are fine."""
        self.edges_message.value = ""
        self.ata_ip_message.value = ""
        ok = True
        try:
            firewall_rules("table", edges=list(self.edges.value))
        except ValidationError as exc:
            self.edges_message.value = _message(exc.rule)
            ok = False
        try:
            firewall_rules("table", ata_ip=self.ata_ip.value or None)
        except ValidationError as exc:
            self.ata_ip_message.value = _message(exc.rule)
            ok = False
        return ok

    def _on_ata_ip(self, change: dict[str, Any]) -> None:
        self._check()

    def _on_edges(self, change: dict[str, Any]) -> None:
        self._check()

    def _on_click(self, button: widgets.Button) -> None:
        self.out.outputs = ()
        if not self._check():
            self.out.append_stderr("Fix the field marked in red, then press the button again.\n")
            return
        self.out.append_display_data(self.rules())


def firewall_form(fmt: str = "table", edges: Iterable[str] | None = None, ata_ip: str = "") -> FirewallForm:
    """Build the step-1 form, optionally pre-filled (router type, edges, ATA address)."""
    return FirewallForm(fmt=fmt, edges=edges, ata_ip=ata_ip)
