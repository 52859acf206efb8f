"""Running per-stream RTP statistics (packets, loss, RFC 3550 jitter) gathered during one scan.

Only counters are kept per stream, never the packets, so an RTP-heavy capture costs memory in
proportion to its number of streams.
"""

from __future__ import annotations

import struct

__all__ = ["RtpCollector", "CLOCK_RATES", "is_rtp"]

# RTP clock rate by static payload type (RFC 3551 table 4); dynamic types assume 8000 Hz,
# which is right for telephone-event and the narrow-band codecs an HT80x offers.
CLOCK_RATES = {0: 8000, 3: 8000, 4: 8000, 5: 8000, 7: 8000, 8: 8000, 9: 8000, 10: 44100,
               11: 44100, 12: 8000, 13: 8000, 15: 8000, 18: 8000}
_HEADER = struct.Struct(">BBHII")


def is_rtp(payload: bytes) -> bool:
    """RTP version 2 with a payload type that is not RTCP (RFC 5761 §4)."""
    return len(payload) >= 12 and payload[0] & 0xC0 == 0x80 and not 72 <= payload[1] & 0x7F <= 76


class RtpCollector:
    """Accumulate stats keyed by (src, sport, dst, dport, ssrc)."""

    __slots__ = ("streams",)

    def __init__(self) -> None:
        # key -> [first_ns, last_ns, packets, pt, first_ext_seq, max_ext_seq, cycles, last_seq,
        #         jitter (rtp units), last_transit, clock, first_frame, last_frame]
        self.streams: dict[tuple[str, int, str, int, int], list] = {}

    def add(self, ts: int, src: str, sport: int, dst: str, dport: int, payload: bytes,
            frame: int) -> None:
        """Count one RTP packet (caller has checked `is_rtp`)."""
        _b0, b1, seq, rtp_ts, ssrc = _HEADER.unpack_from(payload)
        key = (src, sport, dst, dport, ssrc)
        st = self.streams.get(key)
        pt = b1 & 0x7F
        if st is None:
            clock = CLOCK_RATES.get(pt, 8000)
            self.streams[key] = [ts, ts, 1, pt, seq, seq, 0, seq, 0.0,
                                 ts * clock / 1e9 - rtp_ts, clock, frame, frame]
            return
        st[1] = ts
        st[2] += 1
        st[12] = frame
        last = st[7]
        if seq < last and last - seq > 0x8000:
            st[6] += 0x10000  # sequence number wrapped
        elif seq > last and seq - last > 0x8000:
            st[7] = seq
            return  # a late packet from before a wrap
        st[7] = seq
        ext = st[6] + seq
        if ext > st[5]:
            st[5] = ext
        if pt == st[3]:
            transit = ts * st[10] / 1e9 - rtp_ts
            d = transit - st[9]
            st[9] = transit
            st[8] += (abs(d) - st[8]) / 16.0

    def rows(self) -> list[dict]:
        """One dict per stream, in order of first packet."""
        out = []
        for (src, sport, dst, dport, ssrc), st in sorted(self.streams.items(),
                                                          key=lambda kv: (kv[1][0], kv[0])):
            expected = st[5] - st[4] + 1
            out.append({
                "src": src, "sport": sport, "dst": dst, "dport": dport, "ssrc": f"0x{ssrc:08X}",
                "payload_type": st[3], "packets": st[2], "lost": max(expected - st[2], 0),
                "jitter_ms": round(st[8] / st[10] * 1000, 3),
                "first_ns": st[0], "last_ns": st[1], "first_frame": st[11], "last_frame": st[12],
            })
        return out
