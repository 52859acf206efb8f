"""The course's central story as three library calls: break the line, see why, fix it.

With "SIP REGISTER Contact Header Uses" at LAN Address the ATA still registers and can call out,
but every inbound call dies because Twilio sends its INVITE to 192.168.x.x. These helpers flip
that one setting on the device and place the inbound test call, so a notebook cell only calls
and shows. They drive whatever `twilio_client()` and `ht80x_device()` give: the twins, or the real
account and device. The call's capture comes from outside the library: the Console's SIP PCAP
download of the call, or the twins' simulated one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .calls import CallResult

__all__ = ["ensure_line", "set_contact_header", "call_the_phone"]


def ensure_line() -> "pd.DataFrame":
    """Make sure the Twilio side (notebooks 02, 03, 06) and the ATA (notebook 04) are set up; idempotent."""
    import pandas as pd

    from .grandstream import FxsPort, HT80xConfig, ht80x_device
    from .line import LineInputs
    from .provision import TwilioSetup
    from .provision.config import sip_password

    twilio = TwilioSetup.from_saved(ask_password=False).apply()
    line = LineInputs.load()
    device = ht80x_device()
    current = device.read_config() if _configured(device) else None
    if current is None or current.sip_server.split(":")[0] != line.domain_name:
        config = HT80xConfig(model=device.detect()[:5], sip_server=line.domain_name,
                             ports=[FxsPort(user_id=line.username or "", auth_id=line.username or "",
                                            password=sip_password(prompt=False))])
        device.apply(config)
    counts = twilio["action"].value_counts()
    return pd.DataFrame([{"part": "Twilio side", "state": ", ".join(f"{n} {a}" for a, n in counts.items())},
                         {"part": "ATA port 1", "state": device.status().loc[0, "registration"]}])


def _configured(device: Any) -> bool:
    try:
        device.read_config()
    except ValueError:
        return False
    return True


def set_contact_header(wan: bool, port: int = 1) -> "pd.DataFrame":
    """Set SIP REGISTER Contact Header Uses (P4437/P4438) to WAN (True) or LAN (False) on the ATA.

    Returns the rows of the device's apply report that are not `unchanged` (what this changed).
    """
    from .grandstream import ht80x_device

    device = ht80x_device()
    config = device.read_config()
    ports = list(config.ports)
    if not 1 <= port <= len(ports):
        from .errors import ValidationError

        raise ValidationError("port", f"1 to {len(ports)} on this {device.detect()}", port)
    ports[port - 1] = replace(ports[port - 1], contact_uses_wan=wan, use_nat_ip="")
    report = device.apply(replace(config, ports=tuple(ports)))
    table = report.table()
    return table[table["result"] != "unchanged"].reset_index(drop=True)


def call_the_phone(max_wait_s: float = 60.0) -> "CallResult":
    """Place the inbound test call to the ATA's global address and follow it to its end."""
    from .calls import call_ata

    return call_ata(max_wait_s=max_wait_s)  # the saved line's LineInputs.device_uri and caller ID
