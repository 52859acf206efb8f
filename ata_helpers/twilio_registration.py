"""Twilio's answer to the ATA's REGISTER, read from Twilio's debugger (Monitor alerts).

Twilio has no API that lists registrations or why one failed; what it does keep is an alert in
its debugger for each REGISTER it refuses with an error code, answered `403 Forbidden`:
32202 (the digest credentials are not in a credential list mapped for registration: a wrong
password or username), 32210 (SIP Registration is off on the domain), 32212 (no credential list
mapped for registration). The device itself only shows "Not Registered", so this is where the
reason is. Sources: https://www.twilio.com/docs/usage/monitor-alert,
https://www.twilio.com/docs/api/errors/32202, https://www.twilio.com/docs/voice/api/sip-registration
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .twilio_error_codes import explain

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["REGISTRATION_ERRORS", "RECENT", "RegistrationRefusal", "registration_refusal"]

# the Twilio error codes a refused REGISTER is logged under, each answered with this SIP status
REGISTRATION_ERRORS: dict[int, tuple[int, str]] = {32202: (403, "Forbidden"), 32210: (403, "Forbidden"),
                                                   32212: (403, "Forbidden")}
# an HT80x retries a refused REGISTER within a minute or two, so an older alert may be out of date
RECENT = timedelta(minutes=10)


@dataclass(frozen=True)
class RegistrationRefusal:
    """Twilio's newest refusal of a REGISTER: error code, SIP status, what it means, the fix.

    `alert_text` is the debugger's text, `date` when Twilio logged it (UTC).
    """

    code: int
    sip_status: int
    sip_reason: str
    meaning: str
    fix: str
    alert_text: str = ""
    date: datetime | None = None

    @property
    def answer(self) -> str:
        """The SIP answer and error code, e.g. `403 Forbidden (Twilio error 32202)`."""
        return f"{self.sip_status} {self.sip_reason} (Twilio error {self.code})"

    def __str__(self) -> str:
        return f"Twilio refused the registration: {self.answer}. {self.meaning} Fix: {self.fix}"


def registration_refusal(client: "Client | None" = None, since: datetime | None = None) -> RegistrationRefusal | None:
    """The newest REGISTER refusal in Twilio's debugger since `since` (default: the last RECENT), or None.

    Ask it when the device shows "Not Registered": the answer names Twilio's reason (for 32202,
    a password on the ATA that differs from the credential's). Raises TwilioApiError when the
    alerts cannot be read.
    """
    from .calls.alerts import PAGE_SIZE, alert_message
    from .twilio_api import explained_errors, twilio_client

    client = client or twilio_client()
    start = since or datetime.now(timezone.utc) - RECENT
    with explained_errors():
        alerts: list[Any] = client.monitor.v1.alerts.list(start_date=start, page_size=PAGE_SIZE)
    found = []
    for alert in alerts:
        try:
            code = int(alert.error_code)
        except (TypeError, ValueError):
            continue
        when = alert.date_generated or alert.date_created
        if code in REGISTRATION_ERRORS and (when is None or when >= start):
            found.append((when or start, code, alert))
    if not found:
        return None
    when, code, alert = max(found, key=lambda item: item[0])
    meaning, fix = explain(code)
    status, reason = REGISTRATION_ERRORS[code]
    return RegistrationRefusal(code=code, sip_status=status, sip_reason=reason, meaning=meaning, fix=fix,
                               alert_text=alert_message(alert.alert_text), date=when)
