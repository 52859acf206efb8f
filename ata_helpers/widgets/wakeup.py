"""Form for notebook 09: the alarm's fields, its next ring times, save, export, "ring me in one minute".

Only wiring: the alarm is `WakeUpCall`, it is kept in an `AlarmStore`, and the test ring is
`wakeup.scheduler.ring_soon`, run in a background thread so the notebook stays usable while it
waits for the minute to pass. Results are written with `Output.append_*`.
"""

from __future__ import annotations

import html
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable

import ipywidgets as widgets

from ..errors import AtaHelpersError, ValidationError
from ..wakeup.exports import crontab_line, home_assistant_config, systemd_units
from ..wakeup.schedule import DEFAULT_WAKE_MESSAGE, WakeUpCall
from ..wakeup.store import AlarmStore

__all__ = ["WakeUpForm", "wakeup_form", "COMMON_ZONES"]

COMMON_ZONES = ["America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
                "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Tokyo",
                "Asia/Singapore", "Australia/Sydney", "UTC"]
_FIELDS = ("name", "time", "days", "tz", "to", "message", "retries")


def _message(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>' if text else ""


class WakeUpForm(widgets.VBox):
    """An alarm's fields with buttons: next ring times, save, export, and a test ring in a minute."""

    def __init__(self, to: str = "", time: str = "06:30", days: str = "mon-fri",
                 tz: str = "America/Los_Angeles", message: str = DEFAULT_WAKE_MESSAGE, retries: int = 2,
                 name: str = "wake-up", store: AlarmStore | None = None, after: datetime | None = None,
                 ring_test: Callable[..., dict] | None = None, **kwargs: Any) -> None:
        self.store = store
        self.after = after
        self.ring_test = ring_test
        self.name = widgets.Text(value=name, description="Name")
        self.time = widgets.Text(value=time, description="Time", placeholder="HH:MM")
        self.days = widgets.Text(value=days, description="Days", placeholder="mon-fri, sat,sun, daily")
        self.tz = widgets.Combobox(value=tz, options=COMMON_ZONES, description="Time zone", ensure_option=False)
        self.to = widgets.Text(value=to, description="Ring", placeholder="sip:ht801@….sip.twilio.com")
        self.message = widgets.Textarea(value=message, description="Message")
        self.retries = widgets.BoundedIntText(value=retries, min=0, max=5, description="Retries")
        self.export_format = widgets.Dropdown(options=[("crontab", "crontab"), ("systemd timer", "systemd"),
                                                       ("Home Assistant", "home-assistant")],
                                              value="crontab", description="Export as")
        self.messages = {field: widgets.HTML() for field in _FIELDS}
        self.next_button = widgets.Button(description="Next ring times", layout={"width": "max-content"})
        self.save_button = widgets.Button(description="Save alarm", button_style="primary", layout={"width": "max-content"})
        self.export_button = widgets.Button(description="Export", layout={"width": "max-content"})
        self.ring_button = widgets.Button(description="Ring me in one minute", button_style="warning",
                                          layout={"width": "max-content"})
        self.ring_status = widgets.Label()
        self.out = widgets.Output()
        self.next_button.on_click(self._on_next)
        self.save_button.on_click(self._on_save)
        self.export_button.on_click(self._on_export)
        self.ring_button.on_click(self._on_ring)
        self.thread: threading.Thread | None = None
        rows = [widgets.HBox([getattr(self, f), self.messages[f]]) for f in _FIELDS]
        super().__init__(children=[
            *rows,
            widgets.HBox([self.next_button, self.save_button, self.ring_button, self.ring_status]),
            widgets.HBox([self.export_format, self.export_button]),
            self.out,
        ], **kwargs)

    def alarm(self) -> WakeUpCall:
        """The alarm the form describes (raises ValidationError naming the wrong field)."""
        return WakeUpCall(time=self.time.value, days=self.days.value, tz=self.tz.value.strip(),
                          to=self.to.value.strip(), message=self.message.value, retries=self.retries.value,
                          name=self.name.value.strip())

    def _checked(self) -> WakeUpCall | None:
        for message in self.messages.values():
            message.value = ""
        self.out.outputs = ()
        try:
            return self.alarm()
        except ValidationError as exc:
            field = "message" if exc.field == "twiml" else exc.field
            if field in self.messages:
                self.messages[field].value = _message(exc.rule)
            else:
                self.out.append_stderr(f"{exc}\n")
            return None

    def _store(self) -> AlarmStore:
        if self.store is None:
            self.store = AlarmStore()
        return self.store

    def _on_next(self, _: Any = None) -> None:
        alarm = self._checked()
        if alarm is None:
            return
        lines = [f"{t:%a %Y-%m-%d %H:%M %Z}" for t in alarm.next_times(5, after=self.after)]
        self.out.append_stdout("Next ring times:\n  " + "\n  ".join(lines) + "\n")

    def _on_save(self, _: Any = None) -> None:
        alarm = self._checked()
        if alarm is None:
            return
        outcome = self._store().save(alarm)
        self.out.append_stdout(f"{alarm.name}: {outcome} in {self._store().path.name}. "
                               "Run `ata-helpers wakeup run` to ring it.\n")

    def _on_export(self, _: Any = None) -> None:
        alarm = self._checked()
        if alarm is None:
            return
        try:
            if self.export_format.value == "crontab":
                text = crontab_line(alarm)
            elif self.export_format.value == "systemd":
                text = "\n".join(f"# {name}\n{body}" for name, body in systemd_units(alarm).items())
            else:
                from ..calls import default_caller_id

                text = home_assistant_config(alarm, from_=default_caller_id())
        except AtaHelpersError as exc:
            self.out.append_stderr(f"{exc}\n")
            return
        self.out.append_stdout(text)

    def _on_ring(self, _: Any = None) -> None:
        alarm = self._checked()
        if alarm is None:
            return
        if self.thread is not None and self.thread.is_alive():
            self.out.append_stdout("A test ring is already waiting.\n")
            return
        from ..wakeup.scheduler import ring_soon

        ring = self.ring_test or ring_soon
        started = time.monotonic()
        ring_at = (datetime.now().astimezone() + timedelta(minutes=1, seconds=59)).replace(second=0, microsecond=0)
        self.out.append_stdout(f"Ringing {alarm.to} at {ring_at:%H:%M} (the next whole minute at least one "
                               "minute away), then waiting for the call to end.\n")
        self.ring_status.value = "waiting…"
        done = threading.Event()

        def tick() -> None:  # progress for the whole wait: elapsed time and what is being waited for
            while not done.wait(1.0):
                elapsed = int(time.monotonic() - started)
                left = int((ring_at - datetime.now().astimezone()).total_seconds())
                self.ring_status.value = (f"{elapsed} s: the ring starts in {left} s" if left > 0
                                          else f"{elapsed} s: ringing, waiting for the call to end")

        def work() -> None:
            try:
                result = ring(alarm.to, minutes=1, message=alarm.message, tz=alarm.tz, store=self._store())
            except AtaHelpersError as exc:
                self.out.append_stderr(f"{exc}\n")
                return
            finally:
                done.set()
                self.ring_status.value = f"finished after {int(time.monotonic() - started)} s"
            state, detail = str(result.get("state") or ""), str(result.get("detail") or "")
            shown = state if detail in ("", state) else f"{state} ({detail})"
            self.out.append_stdout(f"Test ring: {shown}\n")

        threading.Thread(target=tick, name="ring-test-progress", daemon=True).start()

        self.thread = threading.Thread(target=work, name="ring-test", daemon=True)
        self.thread.start()


def wakeup_form(**kwargs: Any) -> WakeUpForm:
    """The notebook's wake-up form (see WakeUpForm for the arguments)."""
    return WakeUpForm(**kwargs)
