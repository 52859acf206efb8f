"""The few SDP facts diagnosis and RTP matching need: media address, port and direction (RFC 4566)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Media", "media_of", "sdp_media_index"]


class Media(NamedTuple):
    """One `m=` section: kind, the `c=` address in force, port, payload types and direction."""

    kind: str
    address: str | None
    port: int
    formats: tuple[str, ...]
    direction: str


def media_of(sdp: str | None) -> list[Media]:
    """Media sections of an SDP body, with session-level c= and a= applied (RFC 4566 §5.7)."""
    if not sdp:
        return []
    session_c: str | None = None
    session_dir = "sendrecv"
    out: list[Media] = []
    current: dict | None = None
    for raw in sdp.replace("\r", "").split("\n"):
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        key, value = line[0], line[2:].strip()
        if key == "c":
            parts = value.split()
            address = parts[2].split("/")[0] if len(parts) >= 3 else None
            if current is None:
                session_c = address
            else:
                current["address"] = address
        elif key == "m":
            if current is not None:
                out.append(Media(**current))
            parts = value.split()
            port_text = parts[1].split("/")[0] if len(parts) > 1 else ""
            current = {"kind": parts[0] if parts else "", "address": session_c,
                       "port": int(port_text) if port_text.isdigit() else 0,
                       "formats": tuple(parts[3:]), "direction": session_dir}
        elif key == "a" and value in ("sendrecv", "sendonly", "recvonly", "inactive"):
            if current is None:
                session_dir = value
            else:
                current["direction"] = value
    if current is not None:
        out.append(Media(**current))
    return out


def sdp_media_index(sip: "pd.DataFrame") -> dict[tuple[str, int], str]:
    """(media address, port) -> Call-ID, from every SDP body in the SIP table."""
    index: dict[tuple[str, int], str] = {}
    if "sdp" not in sip or sip.empty:
        return index
    rows = sip[sip["sdp"].notna()]
    for call_id, body in zip(rows["call_id"], rows["sdp"], strict=False):
        for media in media_of(body):
            if media.address and media.port:
                index.setdefault((media.address, media.port), call_id)
    return index
