"""Read pcap and pcapng containers (plain or gzip) into (frame, time, link type, bytes) records.

Written by hand rather than on dpkt or python-pcapng: the course must read Twilio's captures
faster than a bare dpkt loop, keep every pcapng interface's own link type and timestamp
resolution (dpkt keeps the first one only, dpkt #681), and turn a damaged file into a message a
person can act on ("truncated at byte N") while keeping the packets read before the damage.

Files and pipes are read in windows of about WINDOW bytes (`iter_windows`), so memory holds one
window and one record at a time, never the whole file; gzip is decompressed as it is read, with
caps on the ratio and the size so that a small file cannot expand without bound.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Union

from ...errors import CaptureError

__all__ = ["Source", "load_bytes", "iter_frames", "iter_records", "iter_windows", "open_stream",
           "LINKTYPE_NAMES", "WINDOW", "MAX_RECORD", "MAX_GZIP_RATIO", "MAX_GZIP_BYTES"]

Source = Union[str, Path, bytes, bytearray, memoryview, BinaryIO]
Record = tuple[int, int, int, int, int]  # number, time ns, link type, start, end

LINKTYPE_NAMES = {0: "BSD null", 1: "Ethernet", 12: "raw IP", 14: "raw IP", 101: "raw IP",
                  108: "BSD loopback", 113: "Linux cooked v1", 228: "raw IPv4", 229: "raw IPv6",
                  276: "Linux cooked v2"}
WINDOW = 8 << 20  # bytes read at a time
MAX_RECORD = 0x4000000  # a captured length beyond 64 MiB is damage, not a packet
MAX_GZIP_RATIO = 100  # real captures compress 2-10×; a gzip of zeros 1000×
MAX_GZIP_BYTES = 64 << 30  # decompressed bytes, whatever the ratio

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),   # microseconds, little-endian
    b"\xa1\xb2\xc3\xd4": (">", 1000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),      # nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_GZIP_MAGIC = b"\x1f\x8b"


class _Gunzip(io.RawIOBase):
    """A gzip stream decompressed as it is read, refusing to grow past MAX_GZIP_RATIO times
    the compressed bytes read (after the first MiB) or MAX_GZIP_BYTES in all."""

    def __init__(self, read: Callable[[int], bytes], first: bytes) -> None:
        self._read = read
        self._pending = first
        self._inflate = zlib.decompressobj(wbits=47)
        self._in = 0
        self._out = 0
        self._done = False
        self._member = False  # inside a gzip member not yet ended

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while True:
            if self._inflate.unconsumed_tail:
                chunk = self._inflate.unconsumed_tail
            else:
                if self._done:
                    return 0
                chunk = self._pending or self._read(1 << 20)
                self._pending = b""
                self._in += len(chunk)
                if not chunk:
                    self._done = True
                    if self._member:
                        raise CaptureError(f"gzip-compressed capture is cut short after "
                                           f"{self._out} bytes")
                    return 0
            self._member = True
            try:
                data = self._inflate.decompress(chunk, len(target))
            except zlib.error as exc:
                raise CaptureError(f"gzip-compressed capture is damaged: {exc}") from None
            if self._inflate.eof:  # several gzip members follow each other (RFC 1952 §2.2)
                rest = self._inflate.unused_data
                self._inflate = zlib.decompressobj(wbits=47)
                self._pending = rest
                self._in -= len(rest)
                self._member = False
            if data:
                self._out += len(data)
                if self._out > MAX_GZIP_BYTES or (
                        self._out > (1 << 20) and self._out > MAX_GZIP_RATIO * max(self._in, 1)):
                    raise CaptureError(
                        f"gzip-compressed input expands more than {MAX_GZIP_RATIO}× (or past "
                        f"{MAX_GZIP_BYTES >> 30} GiB): not a packet capture, refused")
                target[:len(data)] = data
                return len(data)


def open_stream(source: Source) -> tuple[Callable[[int], bytes], bytes]:
    """(read(n) function, first bytes) for a capture from a path, '-' (stdin), a file object
    or bytes, gunzipped as it is read. A pipe's read returns what has arrived (up to n)."""
    read: Callable[[int], bytes]
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        chunks = iter([data])

        def read(_n: int) -> bytes:  # type: ignore[misc]
            return next(chunks, b"")
    elif isinstance(source, (str, Path)):
        if str(source) == "-":
            stream = sys.stdin.buffer
        else:
            try:
                stream = open(source, "rb")  # noqa: SIM115 - read to the end by the caller
            except FileNotFoundError:
                raise CaptureError(f"capture file not found: {source}") from None
            except IsADirectoryError:
                raise CaptureError(f"{source} is a folder, not a capture file") from None
        read = getattr(stream, "read1", stream.read)  # type: ignore[arg-type]
    elif isinstance(source, io.IOBase) or hasattr(source, "read"):
        read = getattr(source, "read1", source.read)  # type: ignore[arg-type]
    else:
        raise CaptureError(f"cannot read a capture from {type(source).__name__}")
    first = read(WINDOW)
    if isinstance(first, str):
        raise CaptureError("open the capture in binary mode ('rb'), not text mode")
    while 0 < len(first) < 4:  # a pipe may deliver the first bytes one by one
        more = read(WINDOW)
        if not more:
            break
        first += more
    if first[:2] == _GZIP_MAGIC:
        gunzip = io.BufferedReader(_Gunzip(read, first), 1 << 20)
        first = gunzip.read1(WINDOW)
        return gunzip.read1, first
    return read, first


def load_bytes(source: Source) -> bytes:
    """The whole capture's bytes (gunzipped), for small inputs and tools that want them all."""
    read, first = open_stream(source)
    parts = [first]
    while True:
        more = read(WINDOW)
        if not more:
            return b"".join(parts)
        parts.append(more)


def iter_frames(data: bytes, warnings: list[str] | None = None,
                strict: bool = False) -> Iterator[tuple[int, int, int, bytes]]:
    """Yield (frame number from 1, time in ns since the epoch, link type, packet bytes).

    Damage after the file header raises CaptureError when `strict`; otherwise a warning is
    appended to `warnings` and iteration stops with what was read.
    """
    for number, ts, linktype, start, end in iter_records(data, warnings, strict):
        yield number, ts, linktype, data[start:end]


def iter_records(data: bytes, warnings: list[str] | None = None,
                 strict: bool = False) -> Iterator[Record]:
    """Like iter_frames, but (number, time ns, link type, start, end) with the packet at
    data[start:end], so a reader that needs a few header bytes need not copy the packet."""
    for _buffer, records in iter_windows(data, warnings, strict):
        yield from records


def iter_windows(source: Source, warnings: list[str] | None = None, strict: bool = False,
                 window: int | None = None) -> Iterator[tuple[bytes, list[Record]]]:
    """Yield (buffer, records) window by window: each record's packet is buffer[start:end].

    Memory holds one window (plus one record that straddles two). Raises CaptureError for an
    input that is not a capture; damage later is handled as iter_frames says.
    """
    window = window or WINDOW
    read, first = open_stream(source)
    if len(first) == 0:
        raise CaptureError("the capture file is empty")
    if len(first) < 4:
        raise CaptureError(f"not a pcap or pcapng file (only {len(first)} bytes)")
    magic = first[:4]
    if magic in _PCAP_MAGICS:
        return _pcap_windows(read, first, warnings, strict, window)
    if magic == _PCAPNG_SHB:
        return _pcapng_windows(read, first, warnings, strict, window)
    raise CaptureError(f"not a pcap or pcapng file (magic 0x{magic.hex()})")


def _damaged(message: str, warnings: list[str] | None, strict: bool) -> None:
    if strict:
        raise CaptureError(message)
    if warnings is not None:
        warnings.append(message)


_Scan = Callable[[bytes, int, int], tuple[list[Record], int, "str | None"]]


def _windowed(read: Callable[[int], bytes], buf: bytes, off: int, warnings: list[str] | None,
              strict: bool, window: int, scan: _Scan,
              cut_short: Callable[[bytes, int, int], str]) -> Iterator[tuple[bytes, list[Record]]]:
    """Drive a container's `scan` window by window: yield each window's records, stop at damage,
    read on while the source has bytes, and say where a file ends inside a record.

    `scan(buf, off, base)` reads whole records from `buf[off:]` and returns them, the offset after
    the last one and a damage message or None (`base` is buf[0]'s position in the file);
    `cut_short(buf, off, base)` words a record left unfinished at the end of the file.
    """
    base = 0  # position of buf[0] in the file
    while True:
        records, off, damage = scan(buf, off, base)
        yield buf, records
        if damage is not None:
            _damaged(damage, warnings, strict)
            return
        more = read(window)
        if not more:
            if off < len(buf):
                _damaged(cut_short(buf, off, base), warnings, strict)
            return
        base += off
        buf = buf[off:] + more
        off = 0


def _pcap_windows(read: Callable[[int], bytes], buf: bytes, warnings: list[str] | None,
                  strict: bool, window: int) -> Iterator[tuple[bytes, list[Record]]]:
    endian, ns_per_unit = _PCAP_MAGICS[buf[:4]]
    while len(buf) < 24:
        more = read(window)
        if not more:
            raise CaptureError(f"truncated pcap file header: {len(buf)} of 24 bytes")
        buf += more
    linktype = struct.unpack_from(endian + "I", buf, 20)[0] & 0x0FFFFFFF
    unpack = struct.Struct(endian + "IIII").unpack_from
    count = 0  # records read so far

    def scan(buf: bytes, off: int, base: int) -> tuple[list[Record], int, str | None]:
        nonlocal count
        number = count
        records: list[Record] = []
        size = len(buf)
        damage = None
        while off + 16 <= size:
            sec, frac, caplen, _origlen = unpack(buf, off)
            if caplen > MAX_RECORD:
                damage = f"damaged record at byte {base + off}: captured length {caplen}"
                break
            end = off + 16 + caplen
            if end > size:
                break
            number += 1
            records.append((number, sec * 1_000_000_000 + frac * ns_per_unit, linktype,
                            off + 16, end))
            off = end
        count = number
        return records, off, damage

    def cut_short(buf: bytes, off: int, base: int) -> str:
        if off + 16 > len(buf):
            return f"truncated at byte {base + off}: record header cut short"
        caplen = unpack(buf, off)[2]
        return (f"truncated at byte {base + len(buf)}: packet {count + 1} needs "
                f"{caplen} bytes from byte {base + off + 16}")

    yield from _windowed(read, buf, 24, warnings, strict, window, scan, cut_short)


def _tsresol_to_ns(code: int) -> tuple[int, int]:
    """(multiplier, divisor) turning pcapng timestamp units into nanoseconds."""
    if code & 0x80:
        # 2^-k seconds per unit: ns = units * 1e9 / 2^k
        return 1_000_000_000, 1 << (code & 0x7F)
    power = code
    if power <= 9:
        return 10 ** (9 - power), 1
    return 1, 10 ** (power - 9)


def _pcapng_windows(read: Callable[[int], bytes], buf: bytes, warnings: list[str] | None,
                    strict: bool, window: int) -> Iterator[tuple[bytes, list[Record]]]:
    # carried from window to window: records read so far, the section's byte order, its interfaces
    count = 0
    section_endian = "<"
    section_interfaces: list[tuple[int, int, int, int, int]] = []  # linktype, mult, div, offset_ns, snaplen

    def scan(buf: bytes, off: int, base: int) -> tuple[list[Record], int, str | None]:
        nonlocal count, section_endian, section_interfaces
        number, endian, interfaces = count, section_endian, section_interfaces
        records: list[Record] = []
        size = len(buf)
        damage = None
        while off + 12 <= size:
            if buf[off:off + 4] == _PCAPNG_SHB:
                bom = buf[off + 8:off + 12]
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    damage = (f"damaged pcapng section header at byte {base + off} (byte-order "
                              f"magic 0x{bom.hex()})")
                    break
                interfaces = []
            btype, blen = struct.unpack_from(endian + "II", buf, off)
            if blen < 12 or blen % 4 or blen > MAX_RECORD:
                damage = f"damaged pcapng block at byte {base + off} (length {blen})"
                break
            if off + blen > size:
                break
            body = off + 8
            end = off + blen - 4
            if btype == 1:  # Interface Description Block
                if end - body < 8:
                    damage = f"damaged interface block at byte {base + off}"
                    break
                linktype, _reserved, snaplen = struct.unpack_from(endian + "HHI", buf, body)
                mult, div, ts_offset = 1000, 1, 0
                for code, value in _options(buf, body + 8, end, endian):
                    if code == 9 and value:
                        mult, div = _tsresol_to_ns(value[0])
                    elif code == 14 and len(value) == 8:
                        ts_offset = struct.unpack(endian + "q", value)[0] * 1_000_000_000
                interfaces.append((linktype, mult, div, ts_offset, snaplen))
            elif btype in (6, 2):  # Enhanced Packet Block, obsolete Packet Block
                if end - body < 20:
                    damage = f"damaged packet block at byte {base + off}"
                    break
                if btype == 6:
                    iface, ts_hi, ts_lo, caplen, _origlen = struct.unpack_from(endian + "IIIII",
                                                                               buf, body)
                else:
                    iface, _drops, ts_hi, ts_lo, caplen, _origlen = struct.unpack_from(
                        endian + "HHIIII", buf, body)
                if iface >= len(interfaces):
                    damage = (f"packet block at byte {base + off} names interface {iface}, but "
                              f"only {len(interfaces)} are described")
                    break
                start = body + 20
                if start + caplen > end:
                    damage = (f"damaged packet block at byte {base + off}: captured length "
                              f"{caplen} exceeds the block")
                    break
                linktype, mult, div, ts_offset, _snap = interfaces[iface]
                units = (ts_hi << 32) | ts_lo
                number += 1
                records.append((number, units * mult // div + ts_offset, linktype, start,
                                start + caplen))
            elif btype == 3:  # Simple Packet Block: interface 0, no timestamp
                if not interfaces:
                    damage = f"simple packet block at byte {base + off} before any interface"
                    break
                origlen = struct.unpack_from(endian + "I", buf, body)[0]
                linktype, _m, _d, ts_offset, snaplen = interfaces[0]
                caplen = min(origlen, end - body - 4, snaplen or origlen)
                number += 1
                records.append((number, ts_offset, linktype, body + 4, body + 4 + caplen))
            off += blen
        count, section_endian, section_interfaces = number, endian, interfaces
        return records, off, damage

    def cut_short(buf: bytes, off: int, base: int) -> str:
        if off + 12 > len(buf):
            return f"truncated at byte {base + off}: block header cut short"
        blen = struct.unpack_from(section_endian + "I", buf, off + 4)[0]
        return f"truncated at byte {base + len(buf)}: block at byte {base + off} needs {blen} bytes"

    yield from _windowed(read, buf, 0, warnings, strict, window, scan, cut_short)


def _options(data: bytes, off: int, end: int, endian: str) -> Iterator[tuple[int, bytes]]:
    """Yield (code, value) of a pcapng options list until opt_endofopt or the block's end."""
    while off + 4 <= end:
        code, length = struct.unpack_from(endian + "HH", data, off)
        if code == 0:
            return
        value = data[off + 4:off + 4 + length]
        yield code, value
        off += 4 + ((length + 3) & ~3)
