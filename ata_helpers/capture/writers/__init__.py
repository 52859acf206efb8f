"""Capture writers: byte-exact pcap/pcapng files and SIP/RTP payloads built from a scenario.

Used by the sample captures, the twins' line simulation, the tests and the benchmarks; the
capture readers never import them.

- `writers.pcap`: Ethernet/IPv4/IPv6, UDP/TCP frames with checksums, IPv4 fragments, classic
  pcap (µs or ns) and pcapng with several interfaces (`Packet`, `write_pcap`, `pcap_bytes`,
  `pcapng_bytes`, `Interface`, …).
- `writers.sip`: SIP requests and responses with a right Content-Length, SDP offers and RTP
  packets (`request`, `response`, `sdp_body`, `rtp_payload`).
"""

from __future__ import annotations

from .pcap import Interface, Packet, pcap_bytes, pcapng_bytes, write_pcap
from .sip import request, response, rtp_payload, sdp_body

__all__ = ["Interface", "Packet", "pcap_bytes", "pcapng_bytes", "write_pcap", "request",
           "response", "rtp_payload", "sdp_body"]
