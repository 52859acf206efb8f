"""What to check when a port does not show "Registered": the device's side, read from the device.

Each check reads the relevant P-values and says whether they look right for Twilio and, if not,
what to change. Things the device cannot show (the SIP password, the Twilio domain's settings,
the router) are listed as reminders with the Twilio error that points at them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .device_client import HT80xDevice
from .settings_model import setting

if TYPE_CHECKING:
    import pandas as pd

    from ..twilio_registration import RegistrationRefusal

__all__ = ["registration_checks", "TWILIO_SIDE_REMINDERS"]

_TWILIO_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.sip(\.[a-z0-9-]+)?\.twilio\.com(:\d+)?\Z")

TWILIO_SIDE_REMINDERS: list[tuple[str, str]] = [
    ("SIP Registration is on for the domain", "otherwise Twilio refuses with 32210: turn it on (notebook 03)"),
    ("a credential list is mapped for registration", "otherwise 32212: map the list (notebook 03)"),
    ("the password on the device is the credential's",
     "a 403 (32202) means the digest did not match; the device never shows the password, so write it "
     "again, or load the provisioning file if the firmware ignores it over HTTP"),
    ("the router lets UDP 5060 out to Twilio and SIP ALG is off", "see notebook 01"),
]


def registration_checks(device: HT80xDevice, port: int = 1, refusal: "RegistrationRefusal | None" = None
                        ) -> "pd.DataFrame":
    """One row per device setting that decides registration: value, ok, and what to do if not.

    Columns: check (the web page's label), pvalue, value (as the web page words it), ok (bool),
    what to do (empty when ok). Labels, P-values and wording come from the settings model. With
    `refusal` (Twilio's answer, `twilio_registration.registration_refusal()`), the first row is
    Twilio's answer to the REGISTER, not ok, with its fix: what the device cannot show.
    """
    import pandas as pd

    keys = ("account_active", "registration", "sip_server", "user_id", "auth_id", "transport",
            "random_sip_port", "contact_uses_wan", "nat_traversal")
    info = {key: setting(key) for key in keys}
    names = {key: info[key].pvalue(port) for key in keys}
    values = device.read(names.values())
    v = {key: values[p] for key, p in names.items()}
    user, auth = v["user_id"], v["auth_id"] or v["user_id"]

    def shown(key: str) -> str:
        return info[key].display([v[key]]) or "(empty)"

    def label(key: str) -> str:
        return info[key].label

    def words(key: str, value: object) -> str:
        return info[key].wording(value)

    checks = [
        ("account_active", v["account_active"] == "1", shown("account_active"),
         f"set {label('account_active')} to {words('account_active', True)}; off, the phone gives a busy tone "
         "and never registers"),
        ("registration", v["registration"] == "1", shown("registration"),
         f"set {label('registration')} to {words('registration', True)}"),
        ("sip_server", bool(_TWILIO_DOMAIN.match(v["sip_server"].lower())), v["sip_server"] or "(empty)",
         f"set {label('sip_server')} to DOMAIN.sip.twilio.com (no sip: or http://)"),
        ("user_id", bool(user), user or "(empty)", f"set {label('user_id')} to the credential's username"),
        ("auth_id", auth == user, auth or "(empty)",
         f"set {label('auth_id')} to the same username; Twilio checks the digest against the credential list"),
        ("transport", v["transport"] == info["transport"].encode("UDP")[0], shown("transport"),
         f"use {words('transport', 'UDP')} unless you have opened TCP/TLS to Twilio and set the server's port "
         "(5060 TCP, 5061 TLS)"),
        ("random_sip_port", v["random_sip_port"] != "1", shown("random_sip_port"),
         f"turn {label('random_sip_port')} off so the firewall and captures see 5060"),
        ("contact_uses_wan", v["contact_uses_wan"] == "1", shown("contact_uses_wan"),
         "registration can work without it, but inbound calls will not ring: set "
         + words("contact_uses_wan", True)),
        ("nat_traversal", v["nat_traversal"] == info["nat_traversal"].encode("keep-alive")[0],
         shown("nat_traversal"),
         f"set {words('nat_traversal', 'keep-alive')} so the router keeps the mapping Twilio's INVITE comes "
         "back through"),
    ]
    rows = [{"check": label(key), "pvalue": names[key], "value": value, "ok": ok, "what to do": "" if ok else advice}
            for key, ok, value, advice in checks]
    if refusal is not None:
        rows.insert(0, {"check": "Twilio's answer to the REGISTER", "pvalue": "", "value": refusal.answer,
                        "ok": False, "what to do": f"{refusal.meaning} {refusal.fix}"})
    return pd.DataFrame(rows, columns=["check", "pvalue", "value", "ok", "what to do"])
