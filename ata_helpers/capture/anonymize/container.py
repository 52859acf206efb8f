"""Walk a pcap or pcapng file as records to copy and packets to rewrite, and write it back.

The reader in `capture/` yields decoded packets; an anonymizer needs the container itself: every
block, so that what may identify someone outside the packets is left out (pcapng comments, interface
names, addresses and filters, name resolution and decryption secrets blocks), and each record's
header, so that timestamps are copied bit for bit and lengths follow the new packet.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ...errors import CaptureError

__all__ = ["Record", "Container", "read_container"]

_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<",
                b"\xa1\xb2\x3c\x4d": ">"}
_SHB = 0x0A0D0D0A
# Interface options that are safe and needed to read times: if_tsresol, if_fcslen, if_tsoffset.
_IDB_KEEP = {9, 13, 14}
_BLOCK_NAMES = {4: "name resolution", 5: "interface statistics", 9: "systemd journal", 10: "decryption secrets",
                0xBAD: "custom", 0x40000BAD: "custom"}


@dataclass
class Record:
    """One packet: its link type, bytes, and what its record header needs to be written again."""

    frame: int
    linktype: int
    data: bytes
    extra: int  # original length minus captured length (packets cut by the snapshot length)
    stamp: bytes  # the timestamp fields, copied as they are
    interface: int = 0


@dataclass
class Container:
    """A capture's container: its kind, byte order, header pieces and records in file order."""

    kind: str  # "pcap" | "pcapng"
    endian: str
    pieces: list[bytes | Record] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def records(self) -> list[Record]:
        """The packets, in file order."""
        return [p for p in self.pieces if isinstance(p, Record)]

    def write(self, packets: dict[int, bytes | None]) -> bytes:
        """The container again with each record's bytes from `packets` (None leaves it out)."""
        out: list[bytes] = []
        e = self.endian
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
                continue
            data = packets.get(piece.frame, piece.data)
            if data is None:
                continue
            if self.kind == "pcap":
                out.append(piece.stamp + struct.pack(e + "II", len(data), len(data) + piece.extra) + data)
            else:
                body = (struct.pack(e + "I", piece.interface) + piece.stamp
                        + struct.pack(e + "II", len(data), len(data) + piece.extra) + data + b"\0" * (-len(data) % 4))
                out.append(struct.pack(e + "II", 6, len(body) + 12) + body + struct.pack(e + "I", len(body) + 12))
        return b"".join(out)


def read_container(data: bytes) -> Container:
    """Split a capture's bytes into its container pieces; raises CaptureError on damage."""
    magic = data[:4]
    if magic in _PCAP_MAGICS:
        return _read_pcap(data, _PCAP_MAGICS[magic])
    if len(data) >= 12 and struct.unpack_from("<I", data)[0] == _SHB:
        return _read_pcapng(data)
    raise CaptureError(f"not a pcap or pcapng file (magic 0x{magic.hex()})")


def _read_pcap(data: bytes, e: str) -> Container:
    if len(data) < 24:
        raise CaptureError(f"truncated pcap file header: {len(data)} of 24 bytes")
    container = Container("pcap", e, [data[:24]])
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0x0FFFFFFF
    off, frame = 24, 0
    while off < len(data):
        if off + 16 > len(data):
            raise CaptureError(f"truncated at byte {off}: record header cut short")
        caplen, origlen = struct.unpack_from(e + "II", data, off + 8)
        if off + 16 + caplen > len(data):
            raise CaptureError(f"truncated at byte {len(data)}: packet {frame + 1} needs {caplen} bytes")
        frame += 1
        container.pieces.append(Record(frame, linktype, data[off + 16:off + 16 + caplen],
                                       max(origlen - caplen, 0), data[off:off + 8]))
        off += 16 + caplen
    return container


def _read_pcapng(data: bytes) -> Container:
    container = Container("pcapng", "<")
    off, frame = 0, 0
    e = "<"
    linktypes: list[int] = []
    while off < len(data):
        if off + 12 > len(data):
            raise CaptureError(f"truncated at byte {off}: block header cut short")
        if struct.unpack_from("<I", data, off)[0] == _SHB:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            if container.pieces and e != container.endian:
                raise CaptureError("sections with different byte orders cannot be written back; split the file "
                                   "with editcap first")
            container.endian = e
            linktypes = []
        btype, blen = struct.unpack_from(e + "II", data, off)
        if blen < 12 or blen % 4 or off + blen > len(data):
            raise CaptureError(f"damaged pcapng block at byte {off} (length {blen})")
        body = data[off + 8:off + blen - 4]
        if btype == _SHB:  # kept without its options (hardware, OS, application, comments)
            major, minor = struct.unpack_from(e + "HH", body, 4)
            shb = struct.pack(e + "IHHq", 0x1A2B3C4D, major, minor, -1)
            container.pieces.append(struct.pack(e + "II", _SHB, 28) + shb + struct.pack(e + "I", 28))
        elif btype == 1:
            linktype, _, snaplen = struct.unpack_from(e + "HHI", body)
            linktypes.append(linktype)
            options = b""
            pos = 8
            while pos + 4 <= len(body):
                code, length = struct.unpack_from(e + "HH", body, pos)
                if code == 0:
                    break
                if code in _IDB_KEEP:
                    value = body[pos + 4:pos + 4 + length]
                    options += struct.pack(e + "HH", code, length) + value + b"\0" * (-length % 4)
                pos += 4 + length + (-length % 4)
            if options:
                options += struct.pack(e + "HH", 0, 0)
            idb = struct.pack(e + "HHI", linktype, 0, snaplen) + options
            container.pieces.append(struct.pack(e + "II", 1, len(idb) + 12) + idb + struct.pack(e + "I", len(idb) + 12))
        elif btype in (6, 2, 3):
            frame += 1
            if btype == 3:
                origlen = struct.unpack_from(e + "I", body)[0]
                iface, stamp, caplen, start = 0, b"\0" * 8, min(origlen, len(body) - 4), 4
            elif btype == 6:
                iface = struct.unpack_from(e + "I", body)[0]
                stamp = body[4:12]
                caplen, origlen = struct.unpack_from(e + "II", body, 12)
                start = 20
            else:
                iface = struct.unpack_from(e + "H", body)[0]
                stamp = body[4:12]
                caplen, origlen = struct.unpack_from(e + "II", body, 12)
                start = 20
            if iface >= len(linktypes) or start + caplen > len(body):
                raise CaptureError(f"damaged packet block at byte {off}")
            container.pieces.append(Record(frame, linktypes[iface], body[start:start + caplen],
                                           max(origlen - caplen, 0), stamp, iface))
        else:
            container.left_out.append(f"a {_BLOCK_NAMES.get(btype, f'type {btype:#x}')} block")
        off += blen
    return container
