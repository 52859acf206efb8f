"""TCP reassembly cases and SIP over WebSocket (RFC 7118), through read_sip."""

from __future__ import annotations

import os
import struct

import pytest

import ata_helpers as ata
from ata_helpers.capture._engine.tcp import unmask
from ata_helpers.capture.sip_table import read_sip
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes
from ata_helpers.capture.writers.sip import request, response

A, B = "198.51.100.7", "54.172.60.1"


def _msg(n: int, body: str = "") -> bytes:
    return request("MESSAGE", "sip:b@example.com", [
        ("Via", f"SIP/2.0/TCP {A}:40000;branch=z9hG4bK{n}"), ("From", "<sip:a@example.com>;tag=1"),
        ("To", "<sip:b@example.com>"), ("Call-ID", f"tcp-{n}"), ("CSeq", f"{n} MESSAGE"),
        ("Content-Type", "text/plain")], body)


def _seg(t: float, seq: int, data: bytes, flags: str = "PA", src: str = A, dst: str = B) -> Packet:
    sport, dport = (40000, 5060) if src == A else (5060, 40000)
    return Packet(t, src, sport, dst, dport, data, proto="tcp", seq=seq, flags=flags)


def _handshake(isn: int = 1000) -> list[Packet]:
    return [_seg(0.0, isn, b"", "S"), _seg(0.01, 5000, b"", "SA", B, A)]


def test_several_messages_in_one_segment_are_several_rows() -> None:
    data = _msg(1) + _msg(2, "hello") + _msg(3)
    df = read_sip(pcap_bytes(_handshake() + [_seg(1.0, 1001, data)]))
    assert df["call_id"].tolist() == ["tcp-1", "tcp-2", "tcp-3"]
    assert df["frame"].tolist() == [3, 3, 3] and set(df["transport"]) == {"TCP"}


def test_one_message_over_several_segments_gets_the_last_segments_frame() -> None:
    data = _msg(1, "x" * 3000)
    parts = [data[:700], data[700:2000], data[2000:]]
    seq = 1001
    packets = _handshake()
    for i, part in enumerate(parts):
        packets.append(_seg(1.0 + i, seq, part))
        seq += len(part)
    df = read_sip(pcap_bytes(packets))
    assert df["call_id"].tolist() == ["tcp-1"] and df["frame"].tolist() == [5]
    assert df["time"][0].timestamp() == 3.0


def test_out_of_order_and_retransmitted_segments() -> None:
    data = _msg(1) + _msg(2)
    cut = len(_msg(1)) + 30
    first, second = data[:cut], data[cut:]
    packets = _handshake() + [_seg(1.0, 1001 + cut, second), _seg(1.1, 1001, first),
                              _seg(1.2, 1001, first), _seg(1.3, 1001 + cut, second)]
    df = read_sip(pcap_bytes(packets))
    assert df["call_id"].tolist() == ["tcp-1", "tcp-2"]
    assert df["frame"].tolist() == [4, 4]
    assert not df["retransmission"].any()


def test_crlf_keepalives_between_messages_are_skipped_and_counted() -> None:
    packets = _handshake() + [_seg(1.0, 1001, b"\r\n\r\n"), _seg(1.1, 1005, b"\r\n\r\n" + _msg(1)),
                              _seg(2.0, 5001, b"\r\n", src=B, dst=A)]
    df = read_sip(pcap_bytes(packets))
    assert df["call_id"].tolist() == ["tcp-1"]
    assert df.attrs["keepalives"] >= 2


def test_stream_without_handshake_and_capture_started_mid_message() -> None:
    tail = b"ngth: 0\r\n\r\n"
    df = read_sip(pcap_bytes([_seg(1.0, 77, tail + _msg(4))]))
    assert df["call_id"].tolist() == ["tcp-4"]


def _ws_frame(payload: bytes, opcode: int = 1, masked: bool = True, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    size = bytes([n]) if n < 126 else bytes([126]) + struct.pack("!H", n)
    if masked:
        key = os.urandom(4)
        return head + bytes([size[0] | 0x80]) + size[1:] + key + unmask(payload, key)
    return head + size + payload


def test_sip_over_websocket_text_binary_and_fragmented_frames() -> None:
    upgrade = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Protocol: sip\r\n\r\n")
    reply = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n"
    m2 = _msg(2)
    frames = _ws_frame(_msg(1)) + _ws_frame(m2[:50], opcode=2, fin=False) + _ws_frame(m2[50:], opcode=0)
    resp = response(200, "OK", [("Via", f"SIP/2.0/WS {A};branch=z9hG4bK1"), ("From", "<sip:a@x>;tag=1"),
                                ("To", "<sip:b@x>;tag=2"), ("Call-ID", "tcp-1"), ("CSeq", "1 MESSAGE")])
    packets = _handshake() + [_seg(1.0, 1001, upgrade), _seg(1.1, 5001, reply, src=B, dst=A),
                              _seg(1.2, 1001 + len(upgrade), frames),
                              _seg(1.3, 5001 + len(reply), _ws_frame(resp, masked=False), src=B, dst=A)]
    df = read_sip(pcap_bytes(packets))
    assert df["call_id"].tolist() == ["tcp-1", "tcp-2", "tcp-1"]
    assert set(df["transport"]) == {"WS"} and df["status"].tolist()[2] == 200


def test_websocket_without_captured_upgrade_is_recognised_by_content() -> None:
    df = read_sip(pcap_bytes([_seg(1.0, 10, _ws_frame(_msg(9)))]))
    assert df["call_id"].tolist() == ["tcp-9"] and df["transport"][0] == "WS"


def _client_hello(server_name: str | None, alpn: tuple[str, ...]) -> bytes:
    """A TLS 1.2 ClientHello record with an SNI (RFC 6066 §3) and ALPN (RFC 7301) extension."""
    extensions = b""
    if server_name:
        name = server_name.encode()
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        extensions += struct.pack("!HH", 0, len(entry) + 2) + struct.pack("!H", len(entry)) + entry
    if alpn:
        names = b"".join(bytes([len(a)]) + a.encode() for a in alpn)
        extensions += struct.pack("!HH", 16, len(names) + 2) + struct.pack("!H", len(names)) + names
    body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


@pytest.mark.parametrize(("port", "server_name", "alpn", "sip"), [
    (5061, None, (), True),                                   # SIP over TLS's port
    (443, "example.sip.twilio.com", (), True),                # a Twilio SIP name, no HTTP offered
    (443, "api.twilio.com", ("h2", "http/1.1"), False),       # HTTPS to Twilio's REST API
    (5061, "example.sip.twilio.com", ("http/1.1",), False),   # offers HTTP: not SIP
    (443, "www.example.com", (), False),
])
def test_tls_is_reported_only_where_it_can_carry_sip(port: int, server_name: str | None,
                                                     alpn: tuple[str, ...], sip: bool) -> None:
    hello = _client_hello(server_name, alpn)
    packets = [Packet(0.0, A, 40000, B, port, b"", proto="tcp", seq=1000, flags="S"),
               Packet(0.01, B, port, A, 40000, b"", proto="tcp", seq=5000, flags="SA"),
               Packet(1.0, A, 40000, B, port, hello, proto="tcp", seq=1001),
               Packet(1.1, B, port, A, 40000, b"\x16\x03\x03\x00\x04\x02\x00\x00\x00",
                      proto="tcp", seq=5001)]
    df = read_sip(pcap_bytes(packets))
    assert df.empty
    name = f" ({server_name})" if server_name else ""
    assert df.attrs["tls_flows"] == ([f"{A}:40000 -> {B}:{port}{name}"] if sip else [])
    assert sum(df.attrs["packets"].values()) == 4
    assert bool(df.attrs["skipped"]) == sip
    codes = ata.diagnose(df)["code"].tolist()
    assert ("tls-unreadable" in codes) == sip and ("capture-incomplete" in codes) == sip


