"""TCP: rewrite each direction's byte stream message by message, then map sequence numbers.

A rewritten message may be longer or shorter, so every later sequence number (and the other
side's acknowledgements and SACK edges) moves by the change so far. A segment boundary that falls
inside a message moves to the message's start: the segment that completed a message still
completes it, so read_sip reports the same frame.
"""

from __future__ import annotations

import bisect
import re
import struct
from dataclasses import dataclass, field
from typing import Callable

from .packets import Frame

__all__ = ["TcpStreams"]

_START = re.compile(rb"(?:SIP/2\.0 \d{3}|[A-Za-z0-9.!%*_+`'~-]+ [^ \r\n]+ SIP/2\.0[ \t]*\r?\n)")
_MOD = 1 << 32


def _signed(value: int) -> int:
    value &= _MOD - 1
    return value - _MOD if value >= 1 << 31 else value


@dataclass
class _Direction:
    base: int | None = None
    segments: list[tuple[int, int, bytes]] = field(default_factory=list)  # (frame, seq, payload)
    chunks: list[tuple[int, int, int, bytes]] = field(default_factory=list)  # (start, end, new start, new)
    edits_start: list[int] = field(default_factory=list)
    edits: list[tuple[int, int, int, int]] = field(default_factory=list)  # (start, end, new start, new end)

    def map(self, rel: int) -> int:
        """Where original stream offset `rel` lands in the rewritten stream."""
        i = bisect.bisect_right(self.edits_start, rel) - 1
        if i < 0:
            return rel
        start, end, new_start, new_end = self.edits[i]
        return new_start if rel < end else new_end + (rel - end)


class TcpStreams:
    """Every TCP direction of a capture: collect segments, plan the rewrite, give new fields."""

    def __init__(self) -> None:
        self.directions: dict[tuple[str, int, str, int], _Direction] = {}

    def add(self, frame: Frame) -> None:
        """Note one segment (call in file order)."""
        flow = frame.flow
        seq = struct.unpack_from("!I", frame.transport, 4)[0]
        direction = self.directions.setdefault(flow, _Direction())
        if frame.transport[13] & 0x02:  # SYN
            direction.base = (seq + 1) % _MOD
        if frame.payload:
            direction.segments.append((frame.number, seq, frame.payload))

    def unreadable(self) -> list[tuple[list[int], str]]:
        """(frames with bytes, why) of each direction whose bytes are not SIP (TLS, WebSocket, other)."""
        problems: list[tuple[list[int], str]] = []
        for flow, direction in self.directions.items():
            if not direction.segments:
                continue
            data = b"".join(p for _, _, p in direction.segments[:4])
            numbers = [n for n, _, _ in direction.segments]
            head = data.lstrip(b"\r\n")
            where = f"TCP {flow[0]}:{flow[1]} → {flow[2]}:{flow[3]}"
            if len(head) >= 2 and 0x14 <= head[0] <= 0x17 and head[1] == 3:
                problems.append((numbers, f"{where} is TLS (SIPS): its content cannot be read or anonymized"))
            elif head[:4] == b"GET " or b"websocket" in head[:2000].lower():
                problems.append((numbers, f"{where} is SIP over WebSocket, which this does not rewrite yet"))
            elif head and not _START.search(data) and not head.startswith(b"SIP/2.0"):
                problems.append((numbers, f"{where} carries something other than SIP"))
        return problems

    def plan(self, rewrite: Callable[[bytes], list[tuple[int, int, bytes]]], skip: set[int]) -> None:
        """Rewrite every direction's contiguous runs of bytes with `rewrite` (frames in `skip` left out)."""
        for direction in self.directions.values():
            segments = [s for s in direction.segments if s[0] not in skip]
            if not segments:
                continue
            if direction.base is None:
                ref = segments[0][1]
                direction.base = (ref + min(_signed(seq - ref) for _, seq, _ in segments)) % _MOD
            base = direction.base
            runs: list[tuple[int, bytearray]] = []
            for _, seq, payload in sorted(segments, key=lambda s: _signed(s[1] - base)):
                rel = _signed(seq - base)
                if rel < 0:
                    continue
                if runs and rel <= runs[-1][0] + len(runs[-1][1]):
                    start, data = runs[-1]
                    overlap = start + len(data) - rel
                    if overlap < len(payload):
                        data += payload[overlap:]
                else:
                    runs.append((rel, bytearray(payload)))
            change = 0
            for start, data in runs:
                new_start = start + change
                pieces = rewrite(bytes(data))
                position = new_start
                new = b"".join(p for _, _, p in pieces)
                for piece_start, piece_end, piece in pieces:
                    direction.edits_start.append(start + piece_start)
                    direction.edits.append((start + piece_start, start + piece_end, position, position + len(piece)))
                    position += len(piece)
                direction.chunks.append((start, start + len(data), new_start, new))
                change += len(new) - len(data)

    def rewrite(self, frame: Frame) -> tuple[bytes, tuple[int, int, bytes]]:
        """(new payload, (sequence number, acknowledgement, options)) for one segment."""
        flow = frame.flow
        t = frame.transport
        seq, ack = struct.unpack_from("!II", t, 4)
        direction = self.directions[flow]
        reverse = self.directions.get((flow[2], flow[3], flow[0], flow[1]))
        payload = frame.payload
        new_seq = seq
        if direction.base is not None:
            rel = _signed(seq - direction.base)
            if rel >= 0:
                new_seq = (direction.base + direction.map(rel)) % _MOD
                if payload:
                    payload = self._slice(direction, rel, rel + len(payload), payload)
        new_ack = self._map_ack(reverse, ack) if t[13] & 0x10 else ack
        options = bytearray(t[20:])
        pos = 0
        while pos < len(options):
            kind = options[pos]
            if kind == 0:
                break
            if kind == 1:
                pos += 1
                continue
            if pos + 1 >= len(options) or options[pos + 1] < 2:
                break
            size = options[pos + 1]
            if kind == 5:  # SACK edges are the other direction's sequence numbers
                for edge in range(pos + 2, pos + size - 3, 4):
                    value = struct.unpack_from("!I", options, edge)[0]
                    struct.pack_into("!I", options, edge, self._map_ack(reverse, value))
            pos += size
        return payload, (new_seq, new_ack, bytes(options))

    @staticmethod
    def _map_ack(reverse: _Direction | None, ack: int) -> int:
        if reverse is None or reverse.base is None:
            return ack
        rel = _signed(ack - reverse.base)
        return ack if rel < 0 else (reverse.base + reverse.map(rel)) % _MOD

    @staticmethod
    def _slice(direction: _Direction, start: int, end: int, payload: bytes) -> bytes:
        for chunk_start, chunk_end, new_start, new in direction.chunks:
            if chunk_start <= start < chunk_end:
                return new[direction.map(start) - new_start:direction.map(end) - new_start]
        return payload
