"""Form for step 5: wait for "Registered" with a progress bar, then show status and checks.

Only wiring: waiting is `HT80xDevice.wait_for_registration`, the checks are
`grandstream.registration.registration_checks`. Results go through `Output.append_*` so a
notebook's stored outputs stay stable under nbval.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import ipywidgets as widgets

from ..errors import AtaHelpersError
from ..grandstream import HT80xDevice
from ..grandstream.registration import TWILIO_SIDE_REMINDERS, registration_checks
from ..settings import redact_text
from ..twilio_registration import RegistrationRefusal, registration_refusal

__all__ = ["RegistrationWatch", "confirm_registration"]


def _default_device(**options: Any) -> HT80xDevice:
    from ..grandstream import ht80x_device

    return ht80x_device(**options)


def _refusal(since: datetime | None = None) -> RegistrationRefusal | None:
    """Twilio's newest REGISTER refusal (since `since`), or None, also when the alerts cannot be read."""
    try:
        return registration_refusal(since=since)
    except AtaHelpersError:  # no Twilio credentials yet: the device's own checks still show
        return None


class RegistrationWatch(widgets.VBox):
    """A progress bar, a button, and an output that ends with the port table (and checks if needed)."""

    def __init__(self, timeout: float = 60.0,
                 device_factory: Callable[..., HT80xDevice] | None = None, **kwargs: Any) -> None:
        self.timeout = timeout
        self.device_factory = device_factory or _default_device
        self.bar = widgets.IntProgress(value=0, min=0, max=100, description="Registering")
        self.label = widgets.HTML()
        self.button = widgets.Button(description="Wait for Registered", button_style="primary", layout={"width": "max-content"})
        self.out = widgets.Output()
        self.button.on_click(lambda _button: self.run())
        super().__init__(children=[self.button, widgets.HBox([self.bar, self.label]), self.out], **kwargs)

    def progress(self, waited: float, allowed: float, what: str) -> None:
        """Progress callback for the device client: fills the bar and says what is awaited."""
        self.bar.value = 100 if allowed <= 0 else int(100 * min(waited / allowed, 1.0))
        self.label.value = html.escape(f"{what}: {waited:.0f} s of {allowed:.0f} s")

    def run(self) -> bool:
        """Poll until the active ports register or the timeout passes; True when all registered."""
        self.out.outputs = ()
        self.bar.value = 0
        started = datetime.now(timezone.utc) - timedelta(seconds=1)  # alerts carry whole seconds
        refused: list[RegistrationRefusal] = []

        def twilio_refused() -> bool:  # a refusal Twilio logged during this wait ends it at once
            found = _refusal(since=started)
            if found is not None:
                refused.append(found)
            return found is not None

        try:
            device = self.device_factory(progress=self.progress)
            table = device.wait_for_registration(timeout=self.timeout, stop=twilio_refused)
        except AtaHelpersError as exc:  # device errors, or live mode without ATA_HOST
            self.out.append_stderr(f"{redact_text(str(exc))}\n")
            return False
        self.out.append_display_data(table)
        active = table[table["account_active"]]
        if len(active) and (active["registration"] == "Registered").all():
            self.label.value = "all active ports are Registered"
            return True
        refusal = refused[-1] if refused else _refusal()
        if refusal is not None:
            self.label.value = html.escape(f"Twilio refused the registration: {refusal.answer}")
            self.out.append_stdout(f"{refusal}\n")
        else:
            self.label.value = "not registered within the time allowed"
        for port in active.loc[active["registration"] != "Registered", "port"].tolist() or [1]:
            try:
                checks = registration_checks(device, int(port), refusal)
            except AtaHelpersError as exc:
                self.out.append_stderr(f"{redact_text(str(exc))}\n")
                continue
            self.out.append_display_data(checks[~checks["ok"]] if (~checks["ok"]).any() else checks)
        reminders = "".join(f"<li><b>{html.escape(a)}</b>: {html.escape(b)}</li>" for a, b in TWILIO_SIDE_REMINDERS)
        from IPython.display import HTML

        self.out.append_display_data(HTML(f"<p>Also check, on the Twilio side and the router:</p><ul>{reminders}</ul>"))
        return False


def confirm_registration(timeout: float = 60.0,
                         device_factory: Callable[..., HT80xDevice] | None = None) -> RegistrationWatch:
    """Build the step-5 widget; press its button (or call .run()) to wait for Registered."""
    return RegistrationWatch(timeout=timeout, device_factory=device_factory)
