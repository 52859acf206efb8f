"""UDP payloads other than SIP: RTP (audio blanked), RTCP (SDES text keyed), STUN (addresses keyed).

Each keeps its length, so nothing around it moves. RTP headers (sequence numbers, timestamps, SSRC)
are kept: the RTP statistics (RFC 3550 loss and jitter) read the same; only the sound is gone.
"""

from __future__ import annotations

import ipaddress
import struct
import zlib

from ..sip_message import looks_like_sip

__all__ = ["classify_udp", "blank_rtp", "rewrite_rtcp", "rewrite_stun"]

_COOKIE = 0x2112A442
_STUN_ADDRESSES = {0x0001, 0x0004, 0x0005, 0x8023, 0x802B, 0x802C}  # plain (RFC 5389, 5780, 3489)
_STUN_XOR = {0x0020, 0x8020, 0x0012, 0x0016}  # XOR-MAPPED (and its old code), XOR-PEER, XOR-RELAYED
_STUN_TEXT = {0x0006, 0x0014, 0x0015}  # USERNAME, REALM, NONCE
_STUN_SECRET = {0x0008, 0x001C}  # MESSAGE-INTEGRITY(-SHA256): keyed by the password, so zeroed
_SILENCE = {0: 0xFF, 8: 0xD5}  # G.711 µ-law and A-law silence


def classify_udp(payload: bytes) -> str | None:
    """"keepalive", "sip", "stun", "rtp", "rtcp", or None for a payload this cannot vouch for."""
    if not payload.strip(b"\r\n\0 "):
        return "keepalive"
    if looks_like_sip(payload):
        return "sip"
    if len(payload) >= 20 and payload[0] < 2 and struct.unpack_from("!I", payload, 4)[0] == _COOKIE:
        return "stun"
    if len(payload) >= 8 and payload[0] & 0xC0 == 0x80:
        return "rtcp" if 72 <= payload[1] & 0x7F <= 76 else ("rtp" if len(payload) >= 12 else None)
    return None


def blank_rtp(payload: bytes) -> bytes:
    """The RTP packet with its media replaced by silence (header, CSRCs, extension and padding kept)."""
    size = 12 + 4 * (payload[0] & 0x0F)
    if payload[0] & 0x10 and len(payload) >= size + 4:
        size += 4 + 4 * struct.unpack_from("!H", payload, size + 2)[0]
    padding = payload[-1] if payload[0] & 0x20 and payload else 0
    end = max(size, len(payload) - padding)
    if size >= end:
        return payload
    fill = _SILENCE.get(payload[1] & 0x7F, 0)
    return payload[:size] + bytes([fill]) * (end - size) + payload[end:]


def rewrite_rtcp(payload: bytes, mapper: object) -> bytes:
    """SDES items (CNAME, NAME, EMAIL, PHONE…) and BYE reasons keyed; APP data zeroed."""
    out = bytearray(payload)
    pos = 0
    while pos + 4 <= len(out):
        count, ptype = out[pos] & 0x1F, out[pos + 1]
        end = pos + 4 + 4 * struct.unpack_from("!H", out, pos + 2)[0]
        end = min(end, len(out))
        if ptype == 202:  # SDES: chunks of SSRC + items until a zero type
            chunk = pos + 4
            for _ in range(count):
                item = chunk + 4
                while item + 2 <= end and out[item] != 0:
                    size = out[item + 1]
                    text = bytes(out[item + 2:item + 2 + size]).decode("latin-1")
                    out[item + 2:item + 2 + size] = mapper.token(text).encode("latin-1")  # type: ignore[attr-defined]
                    item += 2 + size
                chunk = item + 1 + (-(item + 1 - pos) % 4)
        elif ptype == 203:  # BYE: SSRCs, then an optional reason
            reason = pos + 4 + 4 * count
            if reason < end:
                size = out[reason]
                text = bytes(out[reason + 1:reason + 1 + size]).decode("latin-1")
                out[reason + 1:reason + 1 + size] = mapper.token(text).encode("latin-1")  # type: ignore[attr-defined]
        elif ptype == 204 and end > pos + 12:  # APP: SSRC, name, application data
            out[pos + 12:end] = bytes(end - pos - 12)
        if end <= pos:
            break
        pos = end
    return bytes(out)


def rewrite_stun(payload: bytes, mapper: object) -> bytes:
    """Addresses in (XOR-)MAPPED-ADDRESS and friends keyed; user names keyed; integrity zeroed;
    FINGERPRINT computed again (RFC 5389 §15.5)."""
    out = bytearray(payload)
    pos = 20
    end = min(len(out), 20 + struct.unpack_from("!H", out, 2)[0])
    while pos + 4 <= end:
        kind, size = struct.unpack_from("!HH", out, pos)
        value = pos + 4
        if kind in _STUN_ADDRESSES | _STUN_XOR and size >= 8:
            family = out[value + 1]
            width = 4 if family == 1 else 16
            if size >= 4 + width:
                mask = (struct.pack("!I", _COOKIE) + bytes(out[4:20]))[:width] if kind in _STUN_XOR else bytes(width)
                raw = bytes(a ^ b for a, b in zip(out[value + 4:value + 4 + width], mask, strict=True))
                new = mapper.ip(ipaddress.ip_address(raw)).packed  # type: ignore[attr-defined]
                out[value + 4:value + 4 + width] = bytes(a ^ b for a, b in zip(new, mask, strict=True))
        elif kind in _STUN_TEXT:
            text = bytes(out[value:value + size]).decode("latin-1")
            out[value:value + size] = mapper.token(text).encode("latin-1")  # type: ignore[attr-defined]
        elif kind in _STUN_SECRET:
            out[value:value + size] = bytes(size)
        elif kind == 0x8028 and size == 4:
            crc = (zlib.crc32(bytes(out[:pos])) ^ 0x5354554E) & 0xFFFFFFFF
            struct.pack_into("!I", out, value, crc)
        pos = value + size + (-size % 4)
    return bytes(out)
