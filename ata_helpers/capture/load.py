"""`load_capture`: the one entry that reads a capture for every public function and widget.

It reads a pcap/pcapng file (plain or gzip) once, finds every SIP message (UDP, TCP, WebSocket)
and, when asked, RTP stream statistics, and returns both tables. Reading is done by the private
engine (`capture._engine`); the RFC 3261 rules it applies are the public `sip_message`,
`sip_headers`, `sdp` and `addresses` modules.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NamedTuple, Union, cast

from ._engine.parallel import import_pandas_meanwhile, scan_parallel
from ._engine.pcapfile import Source
from ._engine.scan import no_gc
from ._engine.tables import rtp_frame, sip_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Capture", "CaptureInput", "load_capture", "Source"]


class Capture(NamedTuple):
    """A read capture: `sip` is the read_sip table (facts about the file in `sip.attrs`),
    `rtp` the rtp_streams table, or None when RTP was not asked for or not known."""

    sip: "pd.DataFrame"
    rtp: "pd.DataFrame | None"


CaptureInput = Union[Source, "pd.DataFrame", Capture]
"""What the capture functions accept: a path, '-' (stdin), bytes, a binary file object, a
read_sip table or a Capture."""


def load_capture(source: CaptureInput, rtp: bool = True, strict: bool = False) -> Capture:
    """Read a capture once: Capture(sip=read_sip table, rtp=rtp_streams table or None).

    `source` is a path, '-' for stdin, bytes or a binary file object holding a pcap or pcapng
    file (gzip allowed); a read_sip table (its RTP table, if any, is taken from
    `attrs["rtp"]`) or a Capture is returned as it is. With `rtp=False` the RTP table is not
    built (faster on RTP-heavy captures). Raises CaptureError when the file cannot be read at
    all (missing, not a capture) or, with `strict`, at the first damage; otherwise the rows read
    before the damage are kept and the reason is in `sip.attrs["warnings"]`.
    """
    if isinstance(source, Capture):
        return source
    # A DataFrame can only exist once pandas is imported; a capture is read before importing it,
    # so the file's bytes are freed before pandas' own memory is added on top.
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(source, pd.DataFrame):
        from ..errors import CaptureError
        from .sip_table import COLUMNS

        missing = [c for c in COLUMNS if c not in source.columns]
        if missing:
            raise CaptureError(f"not a read_sip table: it lacks the columns {', '.join(missing[:6])}"
                               f"{' …' if len(missing) > 6 else ''}; pass a capture file, or the table "
                               "ata.read_sip(path) returns")
        return Capture(source, source.attrs.get("rtp"))
    with no_gc():
        result = scan_parallel(cast(Source, source), rtp=rtp, strict=strict,
                               meanwhile=import_pandas_meanwhile())
        sip = sip_frame(result)
        return Capture(sip, rtp_frame(result, sip) if rtp else None)
