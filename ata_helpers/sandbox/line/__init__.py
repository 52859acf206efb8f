"""The line simulation: what a real line would do with the twins' state.

`registration` decides whether each FXS port registers with Twilio; `calls` decides what happens
to a call (timeline and alerts); `network` models the LAN, the NAT router and Twilio's edge, and
writes the SIP that would have crossed the wire as a pcap.
"""
