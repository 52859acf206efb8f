"""The private scanning engine: not a public API; names here may change without notice.

- `pcapfile`: pcap/pcapng containers (plain or gzip) → (frame, time, link type, bytes).
- `links`: link layers and IP (fragments, IP-in-IP) → the transport segment of each packet.
- `tcp`: TCP stream reassembly and SIP/WebSocket framing on streams.
- `rtp`: running RTP stream counters.
- `scan`: the one pass over a capture; `parallel`: the optional worker process.
- `tables`: the pandas tables built from a scan.
"""
