"""Read pcap and pcapng containers (plain or gzip) into (frame, time, link type, bytes) records.

Written by hand rather than on dpkt or python-pcapng: the course must read Twilio's captures
faster than a bare dpkt loop, keep every pcapng interface's own link type and timestamp
resolution (dpkt keeps the first one only, dpkt #681), and turn a damaged file into a message a
person can act on ("truncated at byte N") while keeping the packets read before the damage.
"""

from __future__ import annotations

import gzip
import io
import struct
import sys
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator, Union

from ...errors import CaptureError

__all__ = ["Source", "load_bytes", "iter_frames", "iter_records", "LINKTYPE_NAMES"]

Source = Union[str, Path, bytes, bytearray, memoryview, BinaryIO]

LINKTYPE_NAMES = {0: "BSD null", 1: "Ethernet", 12: "raw IP", 14: "raw IP", 101: "raw IP",
                  108: "BSD loopback", 113: "Linux cooked v1", 228: "raw IPv4", 229: "raw IPv6",
                  276: "Linux cooked v2"}

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),   # microseconds, little-endian
    b"\xa1\xb2\xc3\xd4": (">", 1000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),      # nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_GZIP_MAGIC = b"\x1f\x8b"


def load_bytes(source: Source) -> bytes:
    """The capture's bytes, read from a path, '-' (stdin), a file object or bytes; gunzipped."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        if str(source) == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(source).read_bytes()
            except FileNotFoundError:
                raise CaptureError(f"capture file not found: {source}") from None
            except IsADirectoryError:
                raise CaptureError(f"{source} is a folder, not a capture file") from None
    elif isinstance(source, io.IOBase) or hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            raise CaptureError("open the capture in binary mode ('rb'), not text mode")
    else:
        raise CaptureError(f"cannot read a capture from {type(source).__name__}")
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise CaptureError(f"gzip-compressed capture is damaged: {exc}") from None
    return data


def iter_frames(data: bytes, warnings: list[str] | None = None,
                strict: bool = False) -> Iterator[tuple[int, int, int, bytes]]:
    """Yield (frame number from 1, time in ns since the epoch, link type, packet bytes).

    Damage after the file header raises CaptureError when `strict`; otherwise a warning is
    appended to `warnings` and iteration stops with what was read.
    """
    for number, ts, linktype, start, end in iter_records(data, warnings, strict):
        yield number, ts, linktype, data[start:end]


def iter_records(data: bytes, warnings: list[str] | None = None,
                 strict: bool = False) -> Iterator[tuple[int, int, int, int, int]]:
    """Like iter_frames, but (number, time ns, link type, start, end) with the packet at
    data[start:end], so a reader that needs a few header bytes need not copy the packet."""
    if len(data) == 0:
        raise CaptureError("the capture file is empty")
    if len(data) < 4:
        raise CaptureError(f"not a pcap or pcapng file (only {len(data)} bytes)")
    magic = data[:4]
    if magic in _PCAP_MAGICS:
        return _iter_pcap(data, warnings, strict)
    if magic == _PCAPNG_SHB:
        return _iter_pcapng(data, warnings, strict)
    raise CaptureError(f"not a pcap or pcapng file (magic 0x{magic.hex()})")


def _damaged(message: str, warnings: list[str] | None, strict: bool) -> None:
    if strict:
        raise CaptureError(message)
    if warnings is not None:
        warnings.append(message)


def _iter_pcap(data: bytes, warnings: list[str] | None,
               strict: bool) -> Iterator[tuple[int, int, int, int, int]]:
    endian, ns_per_unit = _PCAP_MAGICS[data[:4]]
    if len(data) < 24:
        raise CaptureError(f"truncated pcap file header: {len(data)} of 24 bytes")
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0x0FFFFFFF
    record = struct.Struct(endian + "IIII")
    unpack = record.unpack_from
    size = len(data)
    off = 24
    number = 0
    while off < size:
        if off + 16 > size:
            _damaged(f"truncated at byte {off}: record header cut short", warnings, strict)
            return
        sec, frac, caplen, _origlen = unpack(data, off)
        start = off + 16
        end = start + caplen
        if caplen > 0x4000000:
            _damaged(f"damaged record at byte {off}: captured length {caplen}", warnings, strict)
            return
        if end > size:
            _damaged(f"truncated at byte {size}: packet {number + 1} needs {caplen} bytes from "
                     f"byte {start}", warnings, strict)
            return
        number += 1
        yield number, sec * 1_000_000_000 + frac * ns_per_unit, linktype, start, end
        off = end


def _tsresol_to_ns(code: int) -> tuple[int, int]:
    """(multiplier, divisor) turning pcapng timestamp units into nanoseconds."""
    if code & 0x80:
        # 2^-k seconds per unit: ns = units * 1e9 / 2^k
        return 1_000_000_000, 1 << (code & 0x7F)
    power = code
    if power <= 9:
        return 10 ** (9 - power), 1
    return 1, 10 ** (power - 9)


def _iter_pcapng(data: bytes, warnings: list[str] | None,
                 strict: bool) -> Iterator[tuple[int, int, int, int, int]]:
    size = len(data)
    off = 0
    number = 0
    endian = "<"
    interfaces: list[tuple[int, int, int, int, int]] = []  # linktype, mult, div, offset_ns, snaplen
    while off < size:
        if off + 12 > size:
            _damaged(f"truncated at byte {off}: block header cut short", warnings, strict)
            return
        if data[off:off + 4] == _PCAPNG_SHB:
            bom = data[off + 8:off + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                endian = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                endian = ">"
            else:
                _damaged(f"damaged pcapng section header at byte {off} (byte-order magic "
                         f"0x{bom.hex()})", warnings, strict)
                return
            interfaces = []
        btype, blen = struct.unpack_from(endian + "II", data, off)
        if blen < 12 or blen % 4:
            _damaged(f"damaged pcapng block at byte {off} (length {blen})", warnings, strict)
            return
        if off + blen > size:
            _damaged(f"truncated at byte {size}: block at byte {off} needs {blen} bytes",
                     warnings, strict)
            return
        body = off + 8
        end = off + blen - 4
        if btype == 1:  # Interface Description Block
            if end - body < 8:
                _damaged(f"damaged interface block at byte {off}", warnings, strict)
                return
            linktype, _reserved, snaplen = struct.unpack_from(endian + "HHI", data, body)
            mult, div, ts_offset = 1000, 1, 0
            for code, value in _options(data, body + 8, end, endian):
                if code == 9 and value:
                    mult, div = _tsresol_to_ns(value[0])
                elif code == 14 and len(value) == 8:
                    ts_offset = struct.unpack(endian + "q", value)[0] * 1_000_000_000
            interfaces.append((linktype, mult, div, ts_offset, snaplen))
        elif btype in (6, 2):  # Enhanced Packet Block, obsolete Packet Block
            if end - body < 20:
                _damaged(f"damaged packet block at byte {off}", warnings, strict)
                return
            if btype == 6:
                iface, ts_hi, ts_lo, caplen, _origlen = struct.unpack_from(endian + "IIIII", data, body)
            else:
                iface, _drops, ts_hi, ts_lo, caplen, _origlen = struct.unpack_from(
                    endian + "HHIIII", data, body)
            if iface >= len(interfaces):
                _damaged(f"packet block at byte {off} names interface {iface}, but only "
                         f"{len(interfaces)} are described", warnings, strict)
                return
            start = body + 20
            if start + caplen > end:
                _damaged(f"damaged packet block at byte {off}: captured length {caplen} exceeds "
                         "the block", warnings, strict)
                return
            linktype, mult, div, ts_offset, _snap = interfaces[iface]
            units = (ts_hi << 32) | ts_lo
            ts = units * mult // div + ts_offset
            number += 1
            yield number, ts, linktype, start, start + caplen
        elif btype == 3:  # Simple Packet Block: interface 0, no timestamp
            if not interfaces:
                _damaged(f"simple packet block at byte {off} before any interface", warnings, strict)
                return
            origlen = struct.unpack_from(endian + "I", data, body)[0]
            linktype, _m, _d, ts_offset, snaplen = interfaces[0]
            caplen = min(origlen, end - body - 4, snaplen or origlen)
            number += 1
            yield number, ts_offset, linktype, body + 4, body + 4 + caplen
        off += blen


def _options(data: bytes, off: int, end: int, endian: str) -> Iterator[tuple[int, bytes]]:
    """Yield (code, value) of a pcapng options list until opt_endofopt or the block's end."""
    while off + 4 <= end:
        code, length = struct.unpack_from(endian + "HH", data, off)
        if code == 0:
            return
        value = data[off + 4:off + 4 + length]
        yield code, value
        off += 4 + ((length + 3) & ~3)
