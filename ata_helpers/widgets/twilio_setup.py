"""Form for the Twilio side of the line (notebooks 02, 03 and 06): inputs, then plan / apply / describe.

Only wiring: every check is a validator from `ata_helpers.validate` (its message is shown beside
the field), every action is a TwilioSetup method. Apply stays disabled until a plan has been shown
for the current values, so nothing changes an account unseen. Results are written with
`Output.append_display_data` / `append_stderr` (never `with out: print`), so stored notebook
outputs stay stable under nbval.
"""

from __future__ import annotations

import html
from typing import Any, Callable, Iterable

import ipywidgets as widgets

from ..errors import AtaHelpersError, ValidationError
from ..line import LineInputs
from ..provision import STAGES, SetupError, TwilioSetup
from ..provision.config import sip_password
from ..provision.twiml_desk import DEFAULT_TWIML_HOST
from ..twilio_ranges import DEFAULT_EDGE, edge_choices
from ..twiml import console_bin_steps
from ..validate import (
    validate_bin_url,
    validate_domain_label,
    validate_e164,
    validate_public_ip,
    validate_sip_password,
    validate_sip_username,
)

__all__ = ["TwilioSetupForm", "twilio_setup_form"]

_LABELS = {
    "domain_label": ("Domain label", "my-ht801  →  my-ht801.sip.twilio.com"),
    "username": ("SIP username", "ht801"),
    "password": ("SIP password", "12+ characters, upper, lower, digit"),
    "caller_id": ("Caller ID", "+14155550100 (one of your Twilio numbers)"),
    "phone_number": ("Phone number", "the Twilio number that rings the ATA"),
    "public_ip": ("Public IP", "203.0.113.10 or a block such as 203.0.113.0/24"),
    "outbound_bin_url": ("Outbound Bin URL", "live mode: https://handler.twilio.com/twiml/EH…"),
    "inbound_bin_url": ("Inbound Bin URL", "live mode: https://handler.twilio.com/twiml/EH…"),
}


def _message(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""


def _optional(check: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    def run(value: str, field: str) -> Any:
        return check(value, field) if value.strip() else None
    return run


_CHECKS: dict[str, Callable[[str, str], Any]] = {
    "domain_label": validate_domain_label,
    "username": validate_sip_username,
    "password": validate_sip_password,
    "caller_id": validate_e164,
    "phone_number": _optional(validate_e164),
    "public_ip": validate_public_ip,
    "outbound_bin_url": _optional(validate_bin_url),
    "inbound_bin_url": _optional(validate_bin_url),
}


class TwilioSetupForm(widgets.VBox):
    """The line's inputs with a message beside each field, and Plan / Apply / Describe / Teardown buttons.

    `setup()` gives the TwilioSetup for the current values, so a notebook cell can use the form's values.
    """

    def __init__(self, stages: str | Iterable[str] | None = None, values: dict[str, Any] | None = None,
                 password: str | None = None, **kwargs: Any) -> None:
        self.stages = (stages,) if isinstance(stages, str) else tuple(stages or STAGES)
        start = LineInputs.load().as_dict()
        start.update(values or {})
        self.fields: dict[str, widgets.Text] = {}
        self.messages: dict[str, widgets.HTML] = {}
        # The password never sits in a widget (whose state a saved notebook keeps): the field starts
        # empty, a typed value moves here once used, and an empty field means this or ATA_SIP_PASSWORD.
        self._password = password or ""
        self._forgetting = False
        rows = []
        for key, (label, placeholder) in _LABELS.items():
            kind = widgets.Password if key == "password" else widgets.Text
            value = "" if key == "password" else (start.get(key) or "")
            if key == "password" and self.password():
                placeholder = "•••• set (ATA_SIP_PASSWORD / kept in this kernel); type to replace"
            box = kind(value=value, placeholder=placeholder, description=label,
                       style={"description_width": "130px"}, layout={"width": "460px"})
            self.fields[key] = box
            self.messages[key] = widgets.HTML()
            box.observe(self._on_change(key), names="value")
            rows.append(widgets.HBox([box, self.messages[key]]))
        edge = (start.get("edge") or DEFAULT_EDGE).lower()
        choices = edge_choices(edge)
        self.edge = widgets.Dropdown(options=choices, value=edge if edge in dict(choices).values() else DEFAULT_EDGE,
                                     description="Edge",
                                     style={"description_width": "130px"}, layout={"width": "460px"})
        self.edge.observe(lambda change: self._invalidate(), names="value")
        self.twiml_host = widgets.Dropdown(options=[("Twilio Functions (deployed for you)", "functions"),
                                                    ("TwiML Bins (you paste them in the Console)", "bins")],
                                           value=start.get("twiml_host") or DEFAULT_TWIML_HOST,
                                           description="Call handling", style={"description_width": "130px"},
                                           layout={"width": "460px"})
        self.twiml_host.observe(lambda change: self._invalidate(), names="value")
        self.reset_password = widgets.Checkbox(value=False, description="Reset the existing password", indent=False, layout={"width": "max-content"})
        self.detach_number = widgets.Checkbox(value=False, description="Detach the number from a trunk or app", indent=False, layout={"width": "max-content"})
        self.plan_button = widgets.Button(description="Plan", button_style="info", layout={"width": "max-content"})
        self.apply_button = widgets.Button(description="Apply", button_style="primary", disabled=True,
                                           layout={"width": "max-content"},
                                           tooltip="shows what changes first: click Plan")
        self.describe_button = widgets.Button(description="Describe", layout={"width": "max-content"})
        self.teardown_button = widgets.Button(description="Teardown", button_style="danger", layout={"width": "max-content"})
        self.out = widgets.Output()
        self.plan_button.on_click(self._on_plan)
        self.apply_button.on_click(self._on_apply)
        self.describe_button.on_click(self._on_describe)
        self.teardown_button.on_click(self._on_teardown)
        self._armed_teardown = False
        super().__init__(children=[*rows, self.edge, self.twiml_host, self.reset_password, self.detach_number,
                                   widgets.HBox([self.plan_button, self.apply_button, self.describe_button,
                                                 self.teardown_button]), self.out], **kwargs)

    def __repr__(self) -> str:
        return f"TwilioSetupForm(stages={list(self.stages)!r})"

    # -- values and validation ----------------------------------------------------------------------
    def password(self) -> str:
        """The SIP password in use: typed in the field, else kept from earlier, else ATA_SIP_PASSWORD."""
        return self.fields["password"].value if "password" in self.fields and self.fields["password"].value \
            else (self._password or sip_password(prompt=False))

    def _value(self, key: str) -> str:
        return self.password() if key == "password" else self.fields[key].value

    def _forget_password(self) -> None:
        """Move a typed password out of its widget (into this kernel only) once it has been used."""
        field = self.fields["password"]
        if field.value:
            self._password, self._forgetting = field.value, True
            try:
                field.value = ""
                field.placeholder = "•••• kept in this kernel; type to replace"
            finally:
                self._forgetting = False

    def errors(self) -> dict[str, ValidationError]:
        """Validate every field and put each problem beside its field; the errors by field."""
        found = {}
        for key, check in _CHECKS.items():
            try:
                check(self._value(key), key)
                self.messages[key].value = ""
            except ValidationError as exc:
                self.messages[key].value = _message(exc.rule)
                found[key] = exc
        return found

    def setup(self) -> TwilioSetup:
        """The TwilioSetup for the form's values (ValidationError, and messages shown, when one is wrong)."""
        problems = self.errors()
        if problems:
            raise next(iter(problems.values()))
        v: dict[str, Any] = {k: w.value.strip() or None for k, w in self.fields.items() if k != "password"}
        password = self.password()
        self._forget_password()
        return TwilioSetup(v["domain_label"], v["username"], password, v["caller_id"],
                           public_ip=v["public_ip"], phone_number=v["phone_number"], edge=self.edge.value,
                           outbound_bin_url=v["outbound_bin_url"], inbound_bin_url=v["inbound_bin_url"],
                           reset_password=self.reset_password.value, detach_number=self.detach_number.value,
                           twiml_host=self.twiml_host.value)

    def _on_change(self, key: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if self._forgetting:
                return
            try:
                _CHECKS[key](change["new"] or (self._value(key) if key == "password" else ""), key)
                self.messages[key].value = ""
            except ValidationError as exc:
                self.messages[key].value = _message(exc.rule)
            self._invalidate()
        return handler

    def _invalidate(self) -> None:
        self.apply_button.disabled = True
        self._armed_teardown = False
        self.teardown_button.description = "Teardown"

    # -- actions ------------------------------------------------------------------------------------
    def _run(self, action: Callable[[TwilioSetup], Any]) -> Any:
        self.out.outputs = ()
        try:
            setup = self.setup()
        except ValidationError as exc:
            self.out.append_stderr(f"Fix the field first: {exc}\n")
            return None
        try:
            return action(setup)
        except SetupError as exc:
            self.out.append_display_data(exc.report)
            self.out.append_stderr(f"{exc}\n")
        except AtaHelpersError as exc:
            self.out.append_stderr(f"{exc}\n")
        return None

    def _on_plan(self, button: widgets.Button | None = None) -> None:
        def plan(setup: TwilioSetup) -> None:
            table = setup.plan(self.stages)
            self.out.append_display_data(table)
            if (table["action"] == "paste in Console").any():  # Bins the learner creates by hand
                self._show_bin_steps(setup)
            self.apply_button.disabled = False
        self._run(plan)

    def _show_bin_steps(self, setup: TwilioSetup) -> None:
        from IPython.display import Markdown

        for kind, url, twiml in (("outbound", setup.outbound_bin_url, setup.outbound_twiml),
                                 ("inbound", setup.inbound_bin_url, setup.inbound_twiml)):
            stage = "inbound" if kind == "inbound" else "outbound"
            if not url and stage in self.stages:
                self.out.append_display_data(Markdown(console_bin_steps(
                    setup.bin_name(kind), twiml, _LABELS[f"{kind}_bin_url"][0])))

    def _on_apply(self, button: widgets.Button | None = None) -> None:
        if self.apply_button.disabled:
            return
        self._run(lambda setup: self.out.append_display_data(setup.apply(self.stages)))

    def _on_describe(self, button: widgets.Button | None = None) -> None:
        self._run(lambda setup: self.out.append_display_data(setup.describe()))

    def _on_teardown(self, button: widgets.Button | None = None) -> None:
        if not self._armed_teardown:
            self._armed_teardown = True
            self.teardown_button.description = "Click again to delete"
            self.out.outputs = ()
            self.out.append_stdout("Teardown deletes what carries the course's tag for this domain label. "
                                   "Click again to confirm.\n")
            return
        self._invalidate()
        self._run(lambda setup: self.out.append_display_data(setup.teardown()))


def twilio_setup_form(stages: str | Iterable[str] | None = None, **kwargs: Any) -> TwilioSetupForm:
    """A TwilioSetupForm for these stages (outbound, registration, inbound), filled from the saved inputs."""
    return TwilioSetupForm(stages, **kwargs)
