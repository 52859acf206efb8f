"""A test call to the registered ATA through the REST API, followed to its end, with Twilio's alerts.

`calls.create(to="sip:USER@DOMAIN.sip.twilio.com", …)` is what the inbound Bin does for a caller,
so it shows whether Twilio can ring the phone: the call's final status, and any debugger alert
(32009 not registered, 32011 INVITE unanswered, …) with what it means and the fix.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..calls.statuses import FINAL_STATUSES
from ..twilio_api import explained_errors
from ..twilio_error_codes import explain
from ..validate import validate_e164, validate_global_sip_uri

if TYPE_CHECKING:
    import pandas as pd
    from twilio.rest import Client

__all__ = ["call_device", "DeviceCall", "TEST_CALL_MESSAGE", "FINAL_STATUSES"]

TEST_CALL_MESSAGE = "Hello from Twilio. Your H T 8 0 1 line receives calls."


@dataclass
class DeviceCall:
    """What happened to the test call: its SID, final (or last seen) status and the alerts it raised."""

    sid: str
    to: str
    status: str
    duration: str | None
    waited_s: float = field(repr=False)
    alerts: "pd.DataFrame" = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when the phone answered (status completed) and Twilio logged no error."""
        return self.status == "completed" and not (self.alerts.log_level == "error").any()

    def summary(self) -> str:
        """One line a learner reads first."""
        if self.ok:
            return f"✓ the phone rang and answered: {self.to} (status {self.status}, {self.duration} s)"
        if self.status not in FINAL_STATUSES:
            return f"… still {self.status} after {self.waited_s:.0f} s; look again with client.calls('{self.sid}').fetch()"
        codes = ", ".join(str(c) for c in self.alerts.code) or "no alert"
        return f"✗ the call ended '{self.status}' ({codes}); see the alerts below for the fix"

    def _repr_html_(self) -> str:
        table = self.alerts.to_html(index=False) if len(self.alerts) else "<p>No alerts for this call.</p>"
        return f"<p><b>{html.escape(self.summary())}</b><br>call {self.sid}</p>{table}"

    def __str__(self) -> str:
        text = f"{self.summary()}\ncall {self.sid}"
        if len(self.alerts):
            text += "\n" + self.alerts.to_string(index=False)
        return text


def _alerts(client: "Client", call_sid: str) -> "pd.DataFrame":
    import pandas as pd

    from ..rest_calls import call_alerts

    rows = []
    call = client.calls(call_sid).fetch()
    for alert in call_alerts(client, call_sid, call.date_created):  # only alerts since the call began
        meaning, fix = explain(alert.error_code)
        rows.append({"code": int(alert.error_code), "log_level": alert.log_level, "alert_text": alert.alert_text,
                     "meaning": meaning, "fix": fix})
    return pd.DataFrame(rows, columns=["code", "log_level", "alert_text", "meaning", "fix"])


def call_device(sip_uri: str, from_: str, *, message: str = TEST_CALL_MESSAGE, max_wait_s: float = 60.0,
                poll_s: float = 1.0, client: "Client | None" = None) -> DeviceCall:
    """Call the ATA at its global SIP URI and wait (at most `max_wait_s`) for the call to end."""
    from ..errors import CallTimeoutError
    from ..rest_calls import place_call, wait_for_call

    to = validate_global_sip_uri(sip_uri)
    caller = validate_e164(from_, "from_")
    if client is None:
        from ..twilio_api import twilio_client

        client = twilio_client()
    started = time.monotonic()
    sid = place_call(to, say=message, from_=caller, timeout=30, client=client)
    try:
        ended = wait_for_call(sid, timeout=max_wait_s, poll_interval=poll_s, progress=False, client=client)
        status, duration = ended.status, (None if ended.duration is None else str(ended.duration))
    except CallTimeoutError:
        with explained_errors():
            current = client.calls(sid).fetch()
        status, duration = current.status, current.duration
    with explained_errors():
        alerts = _alerts(client, sid)
    return DeviceCall(sid, to, status, duration, time.monotonic() - started, alerts)
