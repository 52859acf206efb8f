"""Write notebooks/01_open_firewall.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/01_open_firewall.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 1. Open the router's firewall to Twilio

Before the HT801/HT802 can register and carry calls, your router has to let Twilio's SIP
signalling and media through. In this notebook you will

1. look at Twilio's published address ranges,
2. see why **media** needs a whole range let in, while **signalling** needs no port forward,
3. pick your router type (and, if you want, the Twilio edges) and get rules ready to paste,
4. turn off the router's SIP ALG.

Nothing here changes your router: you read the rules, copy them, and apply them yourself."""),
    ("code", """import ata_helpers as ata

ata.mode()"""),
    ("md", """## Twilio's addresses

The library keeps Twilio's ranges in one data file (`ata_helpers/data/twilio_ip_ranges.csv`, one
line per range), with the page they come from and the date they were last checked, so when Twilio
changes a range the update is a one-line edit. There is one row per range and protocol:

- **signalling**: eight regional edges, each a `/30` (four addresses), on 5060 UDP and TCP and
  5061 TLS. Twilio asks you to allow all eight, because failover can move a call to another edge.
- **media** (RTP): since 21 February 2024 a single global range for every edge,
  `168.86.128.0/18`, UDP ports 10000–60000.

Edge names are Twilio's current ones; the legacy names (`us1`, `ie1`, …) work as aliases
everywhere in the library."""),
    ("code", """ranges = ata.twilio_ip_ranges()
ranges"""),
    ("md", """## Why media needs a range, and signalling needs no port forward

**Signalling.** The ATA *registers*: it sends a REGISTER from its SIP port (5060) out to the
Twilio edge and repeats it before it expires, with keep-alive packets in between (NAT traversal =
keep-alive). Your router's connection tracking remembers that flow and its public port, so
Twilio's answers, and the INVITE it sends along that registration when someone calls you, come
back in as part of a connection the ATA opened. The rule that admits them is the
`established,related` one; no inbound forward of 5060 is needed, and leaving 5060 closed keeps
SIP scanners away from the ATA. The outbound signalling rules below only matter if your router
filters traffic *leaving* the LAN.

**Media.** For each call Twilio picks a media server anywhere in `168.86.128.0/18` and a UDP port
anywhere in 10000–60000, and tells the ATA only in that call's SDP. Audio from Twilio can arrive
before the ATA has sent a single RTP packet (ringback, early media, the start of an inbound call),
addressed to the public address and RTP port the ATA advertised. So the router needs a standing
rule: UDP *from* the media range, source ports 10000–60000, *to* the ATA's RTP ports, forwarded
to the ATA. That is why the rules ask for the ATA's LAN address, and why the ATA's RTP ports
should be pinned: local RTP port 5004 on FXS1 (P39) and 5012 on FXS2 (P739), with "use random
RTP port" off. The rules cover 5004–5013 (RTP and RTCP of both HT802 ports) unless you pass
`rtp_ports=`."""),
    ("md", """## Pick your router

Choose the router type, keep all edges unless you have a reason not to, type the ATA's LAN
address (from its status page or your router's DHCP list) and press **Show rules**. A wrong value
is flagged beside its field."""),
    ("code", """from ata_helpers.widgets.firewall import firewall_form

form = firewall_form()
form"""),
    ("md", """## The same, as a record in this notebook

The form is for trying things out; the cell below writes the rules into the notebook itself, so
an executed copy records what you applied. Change the three values to match your network:
`ROUTER` is one of `nftables`, `iptables`, `pfsense`, `openwrt`, `mikrotik` or `table`;
`EDGES` is `None` for all edges or a list such as `["ashburn", "umatilla"]`."""),
    ("code", """ROUTER = "openwrt"
EDGES = None
ATA_IP = "192.168.1.50"

rules = ata.firewall_rules(ROUTER, edges=EDGES, ata_ip=ATA_IP)
rules"""),
    ("md", """To copy the rules as plain text (for a file, or a terminal on the router), print them. The
same text comes from the command line: `ata-helpers firewall --format openwrt --ata-ip 192.168.1.50`."""),
    ("code", """print(rules)"""),
    ("md", """## Turn off SIP ALG

Many routers ship with a "SIP ALG" (SIP helper) that rewrites SIP messages as they pass. With an
ATA that already puts its WAN address in its Contact header (step 4 of this course), the rewrite
only gets in the way: it is a common cause of failed registration, calls that never ring, and
one-way audio. The note that comes with the rules says where to switch it off on your router."""),
    ("code", """print(rules.note)"""),
    ("md", """## Any other router: a plain table

If your router is not in the list, this table says what to enter in its web pages: the port
forward for media is the one rule that matters on a typical home router, and the address groups
are the ranges above."""),
    ("code", """ata.firewall_rules("table", edges=EDGES, ata_ip=ATA_IP).table"""),
    ("md", """## Mistakes are caught before anything is written

The ATA's address must be its private LAN address; a public address, a typo or a `169.254.x.x`
address (the ATA got nothing from DHCP) is refused with the reason."""),
    ("code", """try:
    ata.firewall_rules(ROUTER, ata_ip="8.8.8.8")
except ata.ValidationError as problem:
    print(problem)"""),
    ("md", """## Next

Apply the rules on your router and turn off SIP ALG. The signalling ranges were confirmed
through copies of Twilio's table (its page body could not be read when the data was checked), so
compare them with
[twilio.com/docs/sip-trunking/ip-addresses](https://www.twilio.com/docs/sip-trunking/ip-addresses)
once. Then go on to `02`: the SIP domain and trunk for outbound calls."""),
]


if __name__ == "__main__":
    write_notebook("01_open_firewall.ipynb", CELLS)
