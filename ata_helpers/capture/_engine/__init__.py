"""The private scanning engine: not a public API; names here may change without notice.

- `pcapfile`: pcap/pcapng containers (plain or gzip, read in windows) → (frame, time, link
  type, bytes).
- `links`: link layers, tunnels and IP (fragments, IP-in-IP, GRE, ERSPAN, VXLAN, MPLS, PPPoE,
  NFLOG, HEP, SCTP) → the transport segment of each packet, with its layers' offsets.
- `tcp`: TCP stream reassembly and SIP/WebSocket framing on streams; `tls`: ClientHello facts.
- `rtp`: running RTP stream counters.
- `scan`: the one pass over a capture, counting every packet; `parallel`: the worker process.
- `tables`: the pandas tables built from a scan.

For tools inside this package that must see raw packets (an anonymizer rewriting a capture):

    from ata_helpers.capture._engine.pcapfile import load_bytes, iter_records
    from ata_helpers.capture._engine.links import Decoder, Segment, Skip

    data = load_bytes(source)                      # the file's bytes (gunzipped)
    decoder = Decoder()
    for number, ts_ns, linktype, start, end in iter_records(data, warnings, strict):
        found = decoder.decode(linktype, data[start:end], ts_ns)
        if isinstance(found, Segment):
            found.layers      # (name, offset in the frame) of each header: "ethernet", "vlan",
                              # "ipv4"/"ipv6", "gre", "udp", "tcp", "sctp", "hep", …; -1 inside a
                              # datagram reassembled from several frames
            found.src, found.sport, found.dst, found.dport, found.transport, found.payloads

`data[start:end]` is the packet; the record header sits just before it (16 bytes in pcap, the
Enhanced Packet Block's 28 in pcapng). For large files, `iter_windows(source)` yields
(buffer, records) window by window with the same record tuples, offsets into that buffer. SIP payloads parse with the public
`sip_message.parse_message`; new captures are written with `capture.writers`.
"""
