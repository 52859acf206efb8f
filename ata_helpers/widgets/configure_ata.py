"""Form for step 4: the HT80x settings (the blog's fields, an "advanced" fold), preview, apply.

Only wiring: the values become an `HT80xConfig`, whose validation messages are shown beside the
field they concern; preview and apply call the library. Results are written with
`Output.append_display_data` / `append_stderr` (never `with out: print`) so nbval stays stable.
"""

from __future__ import annotations

import html
from typing import Any, Callable, TypeVar

import ipywidgets as widgets
from IPython.display import HTML

from ..errors import AtaHelpersError, ValidationError
from ..grandstream import (
    DEVICE_SETTINGS,
    PORT_SETTINGS,
    FxsPort,
    HT80xConfig,
    HT80xDevice,
    SettingError,
    normalize_mac,
)
from ..grandstream.settings_model import SettingInfo, setting
from ..settings import redact_text
from ..validate import EDGES, LEGACY_EDGES, validate_domain_label, validate_domain_name

__all__ = ["ConfigureAtaForm", "configure_ata_form", "check_sip_server", "BLOG_FIELDS"]

T = TypeVar("T")

# the fields the write-up sets on the FXS port page; the rest go in the "advanced" fold
BLOG_FIELDS = ("user_id", "auth_id", "password", "display_name", "contact_uses_wan",
               "check_user_id_on_invite", "dial_plan_prefix")
_STYLE = {"description_width": "300px"}
_LAYOUT = {"width": "560px"}


def _message(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""


def _make_input(info: SettingInfo, value: Any) -> widgets.Widget:
    """The input widget for one setting, labelled and worded as on the device's web page, `why` as tooltip."""
    common = {"description": info.label, "style": _STYLE, "layout": _LAYOUT, "tooltip": info.why}
    if info.secret:  # never pre-filled: a widget's value is saved with the notebook (see _secrets)
        hint = "set (kept in this kernel); type to replace" if value else "leave empty to keep the device's"
        return widgets.Password(value="", placeholder=hint, **common)
    if info.choices and not isinstance(value, tuple):
        return widgets.Dropdown(options=info.options(), value=value, **common)
    if isinstance(value, tuple):
        return widgets.Text(value=", ".join(value), **common)
    if isinstance(value, int):
        return widgets.IntText(value=value, **common)
    placeholder = f"same as {setting('user_id').label}" if info.name == "auth_id" else ""
    return widgets.Text(value=value or "", placeholder=placeholder, **common)


def _read_input(info: SettingInfo, widget: widgets.Widget) -> Any:
    value = widget.value
    if info.name in ("vocoders", "dtmf_methods"):
        return [part.strip() for part in str(value).split(",") if part.strip()]
    return value


class ConfigureAtaForm(widgets.VBox):
    """Model, MAC, SIP server and one section per FXS port; buttons to preview and to apply."""

    def __init__(self, config: HT80xConfig | None = None, mac: str = "",
                 device_factory: Callable[[], HT80xDevice] | None = None, **kwargs: Any) -> None:
        blank = config is None
        # the recommended values (ports resolved per FXS port), shown with empty user fields
        templates = HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                                ports=[FxsPort(user_id="-"), FxsPort(user_id="-")]).ports
        config = config or HT80xConfig(sip_server="example.sip.twilio.com", ports=templates[:1])
        self.device_factory = device_factory
        self.inputs: dict[tuple[int, str], widgets.Widget] = {}
        self.messages: dict[tuple[int, str], widgets.HTML] = {}
        self.model = widgets.Dropdown(options=["HT801", "HT802"], value=config.model, description="Model",
                                      style=_STYLE, layout=_LAYOUT)
        self.mac = widgets.Text(value=mac, placeholder="on the label, e.g. 00:0B:82:12:34:56",
                                description="MAC address (for the file name)", style=_STYLE, layout=_LAYOUT)
        self.use_port2 = widgets.Checkbox(value=len(config.ports) == 2, description="Configure FXS port 2 too",
                                          indent=False, layout={"width": "max-content"})
        device_rows = [self._row(0, "model", self.model), self._row(0, "mac", self.mac)]
        device_rows.append(self._row(0, "sip_server", _make_input(DEVICE_SETTINGS["sip_server"], config.sip_server)))
        advanced_device = [self._row(0, name, _make_input(DEVICE_SETTINGS[name], getattr(config, name)))
                           for name in ("stun_server", "keep_alive_interval")]
        port_sections = []
        # secret settings (the Authenticate Password) live here, in this kernel, never in a widget
        self._secrets: dict[tuple[int, str], str] = {}
        for number in (1, 2):
            port = config.ports[number - 1] if number <= len(config.ports) and not blank else templates[number - 1]
            self._secrets.update({(number, name): getattr(port, name) or "" for name, info in PORT_SETTINGS.items()
                                  if info.secret and number <= len(config.ports) and not blank})
            main = [self._row(number, name, _make_input(PORT_SETTINGS[name], getattr(port, name)))
                    for name in BLOG_FIELDS]
            extra = [self._row(number, name, _make_input(info, getattr(port, name)))
                     for name, info in PORT_SETTINGS.items() if name not in BLOG_FIELDS]
            fold = widgets.Accordion(children=[widgets.VBox(extra)], titles=(f"FXS {number}: advanced",))
            fold.selected_index = None
            port_sections.append(widgets.VBox([widgets.HTML(f"<b>FXS port {number}</b>"), *main, fold]))
        self.port_sections = port_sections
        for number in (1, 2):
            if blank or number > len(config.ports):
                self.inputs[(number, "user_id")].value = ""
                self.inputs[(number, "auth_id")].value = ""
        if blank:
            self.inputs[(0, "sip_server")].value = ""
            self.inputs[(0, "sip_server")].placeholder = "DOMAIN.sip.twilio.com"
        device_fold = widgets.Accordion(children=[widgets.VBox(advanced_device)], titles=("Device: advanced",))
        device_fold.selected_index = None
        self.preview_button = widgets.Button(description="Preview file", icon="file-code-o", layout={"width": "max-content"})
        self.plan_button = widgets.Button(description="Show what would change", layout={"width": "max-content"})
        self.apply_button = widgets.Button(description="Apply to device", button_style="primary", disabled=True,
                                           layout={"width": "max-content"},
                                           tooltip="show what would change first")
        self.out = widgets.Output()
        self.preview_button.on_click(self._on_preview)
        self.plan_button.on_click(self._on_plan)
        self.apply_button.on_click(self._on_apply)
        for widget in [*self.inputs.values(), self.model, self.use_port2]:
            widget.observe(self._needs_plan, names="value")
        self.model.observe(self._on_model, names="value")
        self.use_port2.observe(self._on_model, names="value")
        super().__init__(children=[*device_rows, device_fold, port_sections[0], self.use_port2, port_sections[1],
                                   widgets.HBox([self.preview_button, self.plan_button, self.apply_button]), self.out],
                         **kwargs)
        self._on_model({})

    def _row(self, port: int, name: str, widget: widgets.Widget) -> widgets.HBox:
        self.inputs[(port, name)] = widget
        self.messages[(port, name)] = widgets.HTML()
        return widgets.HBox([widget, self.messages[(port, name)]])

    def _on_model(self, change: dict[str, Any]) -> None:
        two = self.model.value == "HT802"
        self.use_port2.layout.display = "" if two else "none"
        self.port_sections[1].layout.display = "" if (two and self.use_port2.value) else "none"

    # -- reading the form ---------------------------------------------------------------
    def config(self) -> HT80xConfig | None:
        """The form's HT80xConfig, or None after putting every problem beside its field (all at once)."""
        for message in self.messages.values():
            message.value = ""
        count = 2 if (self.model.value == "HT802" and self.use_port2.value) else 1
        problems: dict[tuple[int, str], str] = {}
        ports: list[FxsPort] = []
        for number in range(1, count + 1):
            values = {name: self._read(number, name, info) for name, info in PORT_SETTINGS.items()}
            port = _collect(lambda v: FxsPort(**v), values, FxsPort(user_id="-"), number, problems)
            if port is not None:
                ports.append(port)
        device = {"model": self.model.value, "sip_server": self.inputs[(0, "sip_server")].value,
                  "stun_server": self.inputs[(0, "stun_server")].value,
                  "keep_alive_interval": self.inputs[(0, "keep_alive_interval")].value}
        blank = FxsPort(user_id="-")
        config = _collect(lambda v: HT80xConfig(ports=ports or [blank], **v), device,
                          HT80xConfig(sip_server="example.sip.twilio.com", ports=[blank]), 0, problems)
        if (0, "sip_server") not in problems:  # the device takes any host; Twilio needs its domain
            try:
                check_sip_server(device["sip_server"])
            except ValidationError as exc:
                problems[(0, "sip_server")] = exc.rule
        for (port_number, field), rule in problems.items():
            key = (port_number, field) if (port_number, field) in self.messages else (0, "sip_server")
            shown = rule if key == (port_number, field) else f"{field} (FXS {port_number}): {rule}"
            self.messages[key].value = _message(shown)
        return None if problems else config

    def _read(self, port: int, name: str, info: SettingInfo) -> Any:
        """One input's value; a typed secret moves into this kernel and its field is emptied."""
        widget = self.inputs[(port, name)]
        if not info.secret:
            return _read_input(info, widget)
        if widget.value:
            self._secrets[(port, name)] = widget.value
            widget.unobserve(self._needs_plan, names="value")
            try:
                widget.value = ""
                widget.placeholder = "set (kept in this kernel); type to replace"
            finally:
                widget.observe(self._needs_plan, names="value")
        return self._secrets.get((port, name), "")

    def checked_mac(self) -> str | None:
        """The MAC as 12 hex digits, None when empty; a bad one is flagged beside the field."""
        self.messages[(0, "mac")].value = ""
        if not self.mac.value.strip():
            return None
        try:
            return normalize_mac(self.mac.value)
        except ValidationError as exc:
            self.messages[(0, "mac")].value = _message(exc.rule)
            raise

    # -- buttons ------------------------------------------------------------------------
    def _on_preview(self, button: widgets.Button) -> None:
        self.out.outputs = ()
        config = self.config()
        try:
            mac = self.checked_mac()
        except ValidationError:
            mac, config = None, None
        if config is None:
            self.out.append_stderr("Fix the field marked in red, then press the button again.\n")
            return
        name = config.filename(mac) if mac else "cfg<mac>.xml (give the MAC for the exact name)"
        text = html.escape(config.preview(mac=mac))
        self.out.append_display_data(HTML(f"<b>{html.escape(name)}</b> (passwords masked)<pre>{text}</pre>"))

    def _needs_plan(self, change: dict[str, Any]) -> None:
        """Any change to the form means the shown plan is stale: Apply waits for a new one."""
        self.apply_button.disabled = True

    def _on_plan(self, button: widgets.Button) -> None:
        self.out.outputs = ()
        self.apply_button.disabled = True
        config = self.config()
        if config is None:
            self.out.append_stderr("Fix the field marked in red, then press the button again.\n")
            return
        try:
            device = self.device_factory() if self.device_factory else _default_device()
            plan = device.plan(config)
        except AtaHelpersError as exc:
            self.out.append_stderr(f"{redact_text(str(exc))}\n")
            return
        changes = plan[plan["result"] != "unchanged"]
        self.out.append_display_data(changes if len(changes) else plan)
        self.apply_button.disabled = False

    def _on_apply(self, button: widgets.Button) -> None:
        if self.apply_button.disabled:  # nothing is written to a device before its plan was shown
            self.out.append_stderr("Press 'Show what would change' first.\n")
            return
        self.out.outputs = ()
        config = self.config()
        if config is None:
            self.out.append_stderr("Fix the field marked in red, then press the button again.\n")
            return
        try:
            device = self.device_factory() if self.device_factory else _default_device()
            report = device.apply(config)
        except AtaHelpersError as exc:  # device, configuration (no ATA_HOST) or setting errors
            self.out.append_stderr(f"{redact_text(str(exc))}\n")
            return
        self.out.append_display_data(report)


def check_sip_server(value: str) -> str:
    """The ATA's Primary SIP Server: the SIP domain (LABEL.sip.twilio.com) or one of its registrar
    hostnames (LABEL.sip.EDGE.twilio.com, Twilio "Registering SIP endpoints" docs); ValidationError."""
    text = str(value or "").strip().lower()
    parts = text.split(".")
    if len(parts) == 5 and parts[1] == "sip" and parts[3:] == ["twilio", "com"] and \
            (parts[2] in EDGES or parts[2] in LEGACY_EDGES):
        validate_domain_label(parts[0], "sip_server")
        return text
    try:
        return validate_domain_name(text, "sip_server")
    except ValidationError:
        raise ValidationError("sip_server", "must be your SIP domain, LABEL.sip.twilio.com (or a registrar "
                              "hostname such as LABEL.sip.ashburn.twilio.com)", value) from None


def _collect(build: Callable[[dict[str, Any]], T], values: dict[str, Any], fallback: Any, port: int,
             problems: dict[tuple[int, str], str]) -> T | None:
    """`build(values)`, recording every SettingError by field: a field found wrong is set back to its
    value in `fallback` and the build retried, so one pass reports all wrong fields, not the first."""
    values = dict(values)
    for _ in range(len(values) + 1):
        try:
            return build(values)
        except SettingError as exc:
            key = (exc.port or port, exc.field)
            if exc.field not in values or key in problems:  # a rule across fields or ports: stop here
                problems[key] = exc.rule
                return None
            problems[key] = exc.rule
            values[exc.field] = getattr(fallback, exc.field)
    return None


def _default_device() -> HT80xDevice:
    from ..grandstream import ht80x_device

    return ht80x_device(progress=lambda *args: None)


def configure_ata_form(config: HT80xConfig | None = None, mac: str = "",
                       device_factory: Callable[[], HT80xDevice] | None = None) -> ConfigureAtaForm:
    """Build the step-4 form, pre-filled from `config` (defaults: the Twilio recommendations)."""
    return ConfigureAtaForm(config=config, mac=mac, device_factory=device_factory)

