"""What to check when a port does not show "Registered": the device's side, read from the device.

Each check reads the relevant P-values and says whether they look right for Twilio and, if not,
what to change. Things the device cannot show (the SIP password, the Twilio domain's settings,
the router) are listed as reminders with the Twilio error that points at them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .device_client import HT80xDevice
from .settings_model import PORT_SETTINGS, setting

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["registration_checks", "TWILIO_SIDE_REMINDERS"]

_TWILIO_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.sip(\.[a-z0-9-]+)?\.twilio\.com(:\d+)?$")

TWILIO_SIDE_REMINDERS: list[tuple[str, str]] = [
    ("SIP Registration is on for the domain", "otherwise Twilio refuses with 32210: turn it on (notebook 03)"),
    ("a credential list is mapped for registration", "otherwise 32212: map the list (notebook 03)"),
    ("the password on the device is the credential's",
     "a 403 (32202) means the digest did not match; the device never shows the password, so write it "
     "again, or load the provisioning file if the firmware ignores it over HTTP"),
    ("the router lets UDP 5060 out to Twilio and SIP ALG is off", "see notebook 01"),
]


def _pv(name: str, port: int) -> str:
    return setting(name).pvalues_for(port)[0]


def registration_checks(device: HT80xDevice, port: int = 1) -> "pd.DataFrame":
    """One row per device setting that decides registration: value, ok, and what to do if not."""
    import pandas as pd

    names = {key: _pv(key, port) for key in ("account_active", "registration", "user_id", "auth_id",
                                             "transport", "random_sip_port", "contact_uses_wan", "nat_traversal")}
    names["sip_server"] = setting("sip_server").pvalues_for(port)[0]
    values = device.read(names.values())
    v = {key: values[p] for key, p in names.items()}
    user, auth = v["user_id"], v["auth_id"] or v["user_id"]
    checks = [
        ("account_active", v["account_active"] == "1", "Yes" if v["account_active"] == "1" else "No",
         "set Account Active to Yes; off, the phone gives a busy tone and never registers"),
        ("registration", v["registration"] == "1", "Yes" if v["registration"] == "1" else "No",
         "set SIP Registration to Yes"),
        ("sip_server", bool(_TWILIO_DOMAIN.match(v["sip_server"].lower())), v["sip_server"] or "(empty)",
         "set Primary SIP Server to DOMAIN.sip.twilio.com (no sip: or http://)"),
        ("user_id", bool(user), user or "(empty)", "set SIP User ID to the credential's username"),
        ("auth_id", auth == user, auth or "(empty)",
         "set Authenticate ID to the same username; Twilio checks the digest against the credential list"),
        ("transport", v["transport"] == "0", {"0": "UDP", "1": "TCP", "2": "TLS"}.get(v["transport"], v["transport"]),
         "use UDP unless you have opened TCP/TLS to Twilio and set the server's port (5060 TCP, 5061 TLS)"),
        ("random_sip_port", v["random_sip_port"] != "1", "Yes" if v["random_sip_port"] == "1" else "No",
         "turn Use Random SIP Port off so the firewall and captures see 5060"),
        ("contact_uses_wan", v["contact_uses_wan"] == "1",
         "WAN Address" if v["contact_uses_wan"] == "1" else "LAN Address",
         "registration can work without it, but inbound calls will not ring: set WAN Address"),
        ("nat_traversal", v["nat_traversal"] == "2",
         {"0": "No", "1": "STUN", "2": "Keep-alive", "3": "UPnP", "4": "Auto", "5": "VPN"}.get(v["nat_traversal"], ""),
         "set Keep-alive so the router keeps the mapping Twilio's INVITE comes back through"),
    ]
    rows = [{"check": PORT_SETTINGS[key].label if key in PORT_SETTINGS else setting(key).label,
             "pvalue": names[key], "value": shown, "ok": ok, "what to do": "" if ok else advice}
            for key, ok, shown, advice in checks]
    return pd.DataFrame(rows, columns=["check", "pvalue", "value", "ok", "what to do"])


def twilio_side_verdict() -> "pd.DataFrame":
    """Twilio's answer to each port's REGISTER: from the simulated Twilio in the sandbox; live, where to look.

    A live account has no API for registrations (only the Console's debugger and the "Registered
    SIP Endpoints" tab), so live mode returns one row pointing there and at the capture notebook.
    """
    import pandas as pd

    from ..settings import mode

    columns = ["port", "registration", "code", "sip_status", "reason", "fix"]
    if mode() != "sandbox":
        return pd.DataFrame([{"port": "all", "registration": "see the Console", "code": pd.NA, "sip_status": pd.NA,
                              "reason": "Twilio has no API for registrations",
                              "fix": "Console > Voice > SIP Domains > your domain > Registered SIP Endpoints, "
                                     "or the Debugger; or capture the REGISTER (notebook 07)"}],
                            columns=columns).astype({"code": "Int64", "sip_status": "Int64"})
    from ..sandbox.line.registration import device_ports

    return pd.DataFrame(device_ports(), columns=columns).astype({"code": "Int64", "sip_status": "Int64"})
