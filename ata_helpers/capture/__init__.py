"""Packet captures: read pcap/pcapng, parse SIP, tabulate messages, calls and RTP, diagnose, draw.

Public entry points (also re-exported from `ata_helpers`): `load_capture` (the one reader the
others use), `read_sip`, `rtp_streams`, `sip_calls`, `diagnose`, `ladder`.

Layers, from the wire up:
- `_engine` (private): pcap/pcapng reading, link layers, IP reassembly, TCP/WebSocket streams,
  RTP counters, the optional worker process, and the pandas tables built from a scan.
- RFC rules (public, readable): `sip_message` (one message, RFC 3261 §7), `sip_headers`
  (header lines, compact forms, lists), `sdp` (RFC 4566 media), `addresses` (address classes),
  `checksums` (RFC 1071, for the writers and the anonymizer).
- Tables and findings: `load`, `sip_table`, `rtp_table`, `dialogs`, `findings`, `ladder_svg`,
  `views`, `live` (diagnose a pipe call by call).
- `writers`: build captures from a scenario (samples, the twins, tests, benchmarks).

Submodules load on first use, so `import ata_helpers.capture` costs nothing until a capture is
read.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_capture": "load",
    "Capture": "load",
    "read_sip": "sip_table",
    "diagnose": "findings",
    "ladder": "ladder_svg",
    "Ladder": "ladder_svg",
    "rtp_streams": "rtp_table",
    "sip_calls": "dialogs",
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
