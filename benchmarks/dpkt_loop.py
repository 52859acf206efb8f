"""The reference: a bare dpkt loop (pcap reader + dpkt.sip parse of each UDP payload)."""

from __future__ import annotations

import sys

import dpkt


def main(path: str) -> int:
    parsed = 0
    with open(path, "rb") as handle:
        for _ts, buf in dpkt.pcap.Reader(handle):
            ip = dpkt.ethernet.Ethernet(buf).data
            if not isinstance(ip, dpkt.ip.IP) or not isinstance(ip.data, dpkt.udp.UDP):
                continue
            payload = ip.data.data
            try:
                if payload.startswith(b"SIP/2.0"):
                    dpkt.sip.Response(payload)
                else:
                    dpkt.sip.Request(payload)
                parsed += 1
            except (dpkt.UnpackError, dpkt.NeedData):
                pass
    print(parsed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
