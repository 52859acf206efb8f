"""Packet captures: read pcap/pcapng, parse SIP, tabulate messages, calls and RTP, diagnose, draw.

Public entry points (also re-exported from `ata_helpers`): `read_sip`, `diagnose`, `ladder`,
`rtp_streams`, `sip_calls`. Submodules load on first use, so `import ata_helpers.capture` costs
nothing until a capture is read.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "read_sip": "sip_table",
    "diagnose": "findings",
    "ladder": "ladder_svg",
    "Ladder": "ladder_svg",
    "rtp_streams": "rtp_table",
    "sip_calls": "dialogs",
    "write_pcap": "pcap_writer",
    "Packet": "pcap_writer",
    "write_samples": "samples",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
