"""TCP stream reassembly and SIP framing on streams, including SIP over WebSocket (RFC 7118).

Each direction is a byte stream ordered by sequence number: retransmitted bytes are dropped,
out-of-order segments wait for the gap to fill, CRLF keep-alives between messages are skipped,
and Content-Length alone splits the stream into messages (several per segment, or one over
several segments). TLS is recognised by its record header and reported, not decoded.
"""

from __future__ import annotations

from typing import Iterator

from ..sip_message import START_LINE, looks_like_sip, next_message
from .tls import Hello, client_hello

__all__ = ["TcpReassembler", "unmask"]

_MAX_BUFFER = 1 << 20
_MAX_PENDING = 256
_HALF = 1 << 31
_MASK32 = 0xFFFFFFFF

FlowKey = tuple[str, int, str, int]


def unmask(payload: bytes, key: bytes) -> bytes:
    """XOR a WebSocket payload with its 4-byte masking key (RFC 6455 §5.3)."""
    n = len(payload)
    if n == 0:
        return payload
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


class _Direction:
    """State of one direction of one TCP connection."""

    __slots__ = ("base", "buf", "pending", "mode", "syn", "consumed", "ws_parts", "keepalives")

    def __init__(self) -> None:
        self.base: int | None = None     # sequence number of buf[0]
        self.buf = bytearray()
        self.pending: dict[int, bytes] = {}
        self.mode: str | None = None     # None (undecided), "sip", "ws", "tls", "other"
        self.syn = False
        self.consumed = False
        self.ws_parts: list[bytes] = []
        self.keepalives = 0


class TcpReassembler:
    """Feed TCP segments in capture order; get back whole SIP messages as they complete."""

    def __init__(self) -> None:
        self._flows: dict[FlowKey, _Direction] = {}
        # Each TLS connection (its client → server key when the hello was seen) and its hello.
        self.tls_flows: dict[FlowKey, Hello | None] = {}
        self.keepalives = 0

    def mode(self, key: FlowKey) -> str | None:
        """What one direction turned out to carry: "sip", "ws", "tls", "other" or None (not
        known yet)."""
        state = self._flows.get(key)
        return None if state is None else state.mode

    def add(self, key: FlowKey, seq: int, flags: int,
            payload: bytes) -> Iterator[tuple[bytes, str]]:
        """Take one segment; yield (message bytes, transport "TCP" or "WS") completed by it."""
        state = self._flows.get(key)
        if state is None:
            state = _Direction()
            self._flows[key] = state
        if flags & 0x02:  # SYN
            state.syn = True
            state.base = (seq + 1) & _MASK32
            state.buf.clear()
            state.pending.clear()
            return
        if not payload or state.mode in ("tls", "other"):
            return
        if state.base is None:
            state.base = seq
        expected = (state.base + len(state.buf)) & _MASK32
        delta = (seq - expected) & _MASK32
        if delta == 0:
            state.buf += payload
        elif delta < _HALF:  # a gap: hold the segment until it is filled
            if len(state.pending) < _MAX_PENDING:
                state.pending[seq] = payload
            return
        else:
            behind = _MASK32 + 1 - delta
            if behind < len(payload):  # partly new: keep the new tail
                state.buf += payload[behind:]
            elif (not state.syn and not state.consumed
                  and ((seq + len(payload)) & _MASK32) == state.base):
                state.buf[:0] = payload  # the stream's true start arrived late
                state.base = seq
            else:
                return  # a retransmission of bytes already seen
        self._drain_pending(state)
        yield from self._messages(key, state)

    @staticmethod
    def _drain_pending(state: _Direction) -> None:
        while state.pending and state.base is not None:
            expected = (state.base + len(state.buf)) & _MASK32
            progressed = False
            for seq in list(state.pending):
                delta = (seq - expected) & _MASK32
                if delta >= _HALF or delta == 0:
                    data = state.pending.pop(seq)
                    behind = 0 if delta == 0 else _MASK32 + 1 - delta
                    if behind < len(data):
                        state.buf += data[behind:]
                        progressed = True
                    break
            if not progressed:
                return

    def _messages(self, key: FlowKey, state: _Direction) -> Iterator[tuple[bytes, str]]:
        buf = state.buf
        if state.mode is None:
            stripped = bytes(buf[:16]).lstrip(b"\r\n")
            if not stripped:
                if len(buf) <= 16:
                    self.keepalives += 1
                    self._consume(state, len(buf))
                return
            if stripped[0] in (0x16, 0x17, 0x15) and stripped[1:2] == b"\x03":
                state.mode = "tls"
                hello = client_hello(bytes(buf[:4096]))
                reverse = (key[2], key[3], key[0], key[1])
                if hello is not None:
                    self.tls_flows.pop(reverse, None)
                    self.tls_flows[key] = hello
                elif reverse not in self.tls_flows:
                    self.tls_flows[key] = None
                buf.clear()
                return
            if stripped.startswith((b"GET ", b"HTTP/1.")):
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(buf[:end]).lower()
                if b"websocket" in head:
                    state.mode = "ws"
                    self._consume(state, end + 4)
                else:
                    state.mode = "other"
                    buf.clear()
                    return
            elif self._looks_like_ws(bytes(buf[:4096])):
                state.mode = "ws"
            elif looks_like_sip(stripped if len(buf) <= 16 else bytes(buf[:2048]).lstrip(b"\r\n")):
                state.mode = "sip"
            elif START_LINE.search(bytes(buf[:8192])) is not None:
                state.mode = "sip"  # capture began mid-message: skip to the next start line
            elif len(buf) > 8192:
                state.mode = "other"
                buf.clear()
                return
            else:
                return
        if state.mode == "sip":
            yield from self._sip_messages(state)
        elif state.mode == "ws":
            yield from self._ws_messages(state)

    @staticmethod
    def _consume(state: _Direction, count: int) -> None:
        del state.buf[:count]
        state.base = ((state.base or 0) + count) & _MASK32
        state.consumed = True

    def _sip_messages(self, state: _Direction) -> Iterator[tuple[bytes, str]]:
        data = bytes(state.buf)
        pos = 0
        while True:
            found = next_message(data, pos)
            if found is None:
                break
            start, end, skipped = found
            if skipped and not data[pos:start].strip(b"\r\n"):
                self.keepalives += 1
            yield data[start:end], "TCP"
            pos = end
        rest = data[pos:]
        if rest and not rest.strip(b"\r\n"):
            self.keepalives += 1
            pos = len(data)
        elif len(data) - pos > _MAX_BUFFER:
            pos = len(data)  # no SIP start line in a megabyte: give up on these bytes
        if pos:
            self._consume(state, pos)

    @staticmethod
    def _looks_like_ws(data: bytes) -> bool:
        frame = _ws_frame(data, 0)
        if frame is None:
            return False
        _fin, opcode, payload, _end = frame
        return opcode in (1, 2) and looks_like_sip(payload[:256] if len(payload) > 256 else payload)

    def _ws_messages(self, state: _Direction) -> Iterator[tuple[bytes, str]]:
        data = bytes(state.buf)
        pos = 0
        while True:
            frame = _ws_frame(data, pos)
            if frame is None:
                break
            fin, opcode, payload, end = frame
            pos = end
            if opcode in (1, 2):
                state.ws_parts = [payload]
            elif opcode == 0 and state.ws_parts:
                state.ws_parts.append(payload)
            else:
                continue  # close, ping, pong
            if fin:
                message = b"".join(state.ws_parts)
                state.ws_parts = []
                if looks_like_sip(message):
                    yield message, "WS"
                elif message and not message.strip(b"\r\n"):
                    self.keepalives += 1
        if len(data) - pos > _MAX_BUFFER:
            pos = len(data)
        if pos:
            self._consume(state, pos)


def _ws_frame(data: bytes, pos: int) -> tuple[bool, int, bytes, int] | None:
    """(FIN, opcode, unmasked payload, end offset) of the frame at `pos`, or None if incomplete."""
    if len(data) - pos < 2:
        return None
    b0, b1 = data[pos], data[pos + 1]
    if b0 & 0x70:  # reserved bits: not a frame we can read
        return None
    length = b1 & 0x7F
    off = pos + 2
    if length == 126:
        if len(data) < off + 2:
            return None
        length = int.from_bytes(data[off:off + 2], "big")
        off += 2
    elif length == 127:
        if len(data) < off + 8:
            return None
        length = int.from_bytes(data[off:off + 8], "big")
        off += 8
    key = b""
    if b1 & 0x80:
        if len(data) < off + 4:
            return None
        key = data[off:off + 4]
        off += 4
    if len(data) < off + length:
        return None
    payload = data[off:off + length]
    if key:
        payload = unmask(payload, key)
    return bool(b0 & 0x80), b0 & 0x0F, payload, off + length
