"""tshark as the reference reading: the same SIP fields from tshark and from read_sip, per frame.

Used by the tests that compare field by field; they skip when tshark is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import pandas as pd

import ata_helpers as ata

TSHARK = shutil.which("tshark")


def _first(name: str) -> Callable[[Any], Any]:
    return lambda row: (row.headers.get(name) or [None])[0]


# tshark field → how to read the same thing from a read_sip row.
READERS: dict[str, Callable[[Any], Any]] = {
    "sip.Call-ID": lambda row: row.call_id,
    "sip.Method": lambda row: row.method,
    "sip.Status-Code": lambda row: row.status,
    "sip.CSeq.seq": lambda row: row.cseq,
    "sip.CSeq.method": lambda row: row.cseq_method,
    "sip.from.tag": lambda row: row.from_tag,
    "sip.to.tag": lambda row: row.to_tag,
    "sip.resend": lambda row: int(row.retransmission),
    "sip.User-Agent": _first("user-agent"),
    "sip.Expires": _first("expires"),
    "sip.Content-Length": _first("content-length"),
    "sip.Max-Forwards": _first("max-forwards"),
}
FIELDS = ["sip.Call-ID", "sip.Method", "sip.Status-Code", "sip.CSeq.seq", "sip.CSeq.method",
          "sip.from.tag", "sip.to.tag", "sip.resend"]


def tshark_fields(path: Path, fields: list[str] = FIELDS,
                  decode_as: tuple[str, ...] = ()) -> dict[int, dict[str, list[str]]]:
    """{frame number: {field: sorted values}} of every frame tshark reads SIP in."""
    assert TSHARK is not None
    options = [x for rule in decode_as for x in ("-d", rule)]
    out = subprocess.run(
        [TSHARK, "-r", str(path), "-Y", "sip", "-T", "fields", "-E", "separator=\t",
         "-E", "occurrence=a", "-E", "aggregator=|", "-o", "tcp.desegment_tcp_streams:TRUE",
         "-o", "sip.desegment_headers:TRUE", "-o", "sip.desegment_body:TRUE", *options,
         "-e", "frame.number", *[x for f in fields for x in ("-e", f)]],
        capture_output=True, text=True, check=True).stdout
    frames: dict[int, dict[str, list[str]]] = {}
    for line in out.splitlines():
        cells = line.split("\t")
        frames[int(cells[0])] = {f: sorted(v for v in c.split("|") if v)
                                 for f, c in zip(fields, cells[1:], strict=True)}
    return frames


def our_fields(path: Path, fields: list[str] = FIELDS) -> dict[int, dict[str, list[str]]]:
    """The same as tshark_fields, from read_sip."""
    frames: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in ata.read_sip(path).itertuples(index=False):
        got = frames[row.frame]
        for field in fields:
            value = READERS[field](row)
            if value is not None and not pd.isna(value) and value != "":
                got[field].append(str(value))
    return {k: {f: sorted(v.get(f, [])) for f in fields} for k, v in frames.items()}
