"""Write notebooks/07_troubleshoot_with_pcap.ipynb from the cells below (prose in markdown, thin code cells).

Run `scripts/execute_notebooks.py notebooks/07_troubleshoot_with_pcap.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 7. Troubleshoot with a packet capture

When a call does not ring, or rings with no sound, the SIP messages say why. Twilio lets you
download a call's **SIP PCAP** from the Console (Monitor ▸ Logs ▸ Calls ▸ the call ▸ SIP PCAP), and
you can capture at home with `tcpdump`. This notebook reads such a capture and shows, in order:

1. the **findings**: what is wrong, the frames and header that show it, and the setting to change;
2. the **ladder**: who sent what to whom, with the faulty message marked;
3. the **headers**, filtered by call, method or address;
4. the **RTP streams**: whether audio flowed both ways.

Until your line has a real capture, two sample captures stand in: the classic NAT failure and the
same line once fixed. Both are *Twilio's view* (a capture taken at Twilio's edge): your router's
public address is 203.0.113.7, the ATA's LAN address 192.168.1.50."""),
    ("code", """import ata_helpers as ata

ata.mode()"""),
    ("code", """from ata_helpers.capture.samples import sample_captures

captures = sample_captures()
sorted(captures)"""),
    ("md", """## Findings first

`ata.diagnose` reads the capture and lists findings, errors first. Each names the frames, quotes
the header, and gives the fix for the HT80x (setting name and P-value) and for Twilio (the
`X-Twilio-Error` code explained)."""),
    ("code", """findings = ata.diagnose(captures["nat_failure"])
findings.drop(columns="frames")"""),
    ("md", """## The NAT story

Read the findings together:

* **Frames 1 and 3** — the ATA registers with `Contact: <sip:alice@192.168.1.50:5060>`, but the
  packets arrive from **203.0.113.7**: the router translated the addresses in the IP header, not
  the ones the ATA wrote *inside* the SIP message. Twilio's registrar stores the Contact as given.
* **Frames 5–11** — someone calls your number; Twilio sends the INVITE to the stored Contact,
  **192.168.1.50**, a private address that does not exist on the Internet. Timer A doubles the
  wait (0.5, 1, 2, 4, 8, 16 s) until Timer B gives up after 32 s: Twilio logs error 32011.
* **Frame 12 on** — when you call out, the ATA's SDP says `c=IN IP4 192.168.1.50`, so Twilio
  sends your caller's voice there: the phone hears nothing, and after 30 s Twilio hangs up with
  `X-Twilio-Error: 32014` (no audio). Its BYE goes to the private Contact too, and is lost.

The fix is one setting: **SIP REGISTER Contact Header Uses = WAN Address** (P4437 for port 1,
P4438 for port 2), with NAT Traversal = Keep-Alive (P52) to hold the router's mapping open.
*Use NAT IP* (P101) hard-codes today's public address and breaks when your provider changes it.

Not every private address is a fault: the `Via` header says `192.168.1.50;rport`, which is
normal — `rport` asks Twilio to answer to the address the packet came from, and Twilio's replies
echo `received=203.0.113.7;rport=41952`. That is why the registration itself works."""),
    ("md", """## The ladder

One column per address and port, one arrow per message; retransmissions are collapsed into
`×N`, RTP is a green band, and the messages behind a finding are red."""),
    ("code", """ata.ladder(captures["nat_failure"], call_id="in-5d1c2b@54.172.60.2")"""),
    ("code", """ata.ladder(captures["nat_failure"], call_id="out-9a8b7c@192.168.1.50")"""),
    ("md", """## The headers

`ata.read_sip` gives one row per SIP message with every header; `filter_messages` narrows it
to one call, method or address, and `header_table` keeps the columns to read first."""),
    ("code", """from ata_helpers.capture.views import filter_messages, header_table

frame = ata.read_sip(captures["nat_failure"])
header_table(filter_messages(frame, method="REGISTER"))"""),
    ("code", """header_table(filter_messages(frame, address="192.168."))"""),
    ("md", """Every header is there, under its long lower-case name, compact forms (`m:`, `v:`, `i:`…)
included:"""),
    ("code", """frame.loc[0, "headers"]"""),
    ("md", """## Calls and RTP streams

`ata.sip_calls` gives one row per call; `ata.rtp_streams` one row per RTP stream, tied to its
call by the SDP that announced it. In the failing outbound call, audio flows only from Twilio's
media server to 192.168.1.50 — toward an address that cannot be reached."""),
    ("code", """ata.sip_calls(frame)"""),
    ("code", """ata.rtp_streams(captures["nat_failure"])"""),
    ("md", """## The healthy counterpart

Same line, Contact Header Uses = WAN Address: the Contact carries 203.0.113.7:41952, the inbound
INVITE reaches the phone, audio flows both ways, and the phone hangs up. The only finding left is
informational: the ATA unregistered at the end (`Contact: *`, `Expires: 0`), as it does when it
reboots."""),
    ("code", """ata.diagnose(captures["healthy"]).drop(columns="frames")"""),
    ("code", """ata.ladder(captures["healthy"], call_id="in-5d1c2b@54.172.60.2")"""),
    ("code", """ata.rtp_streams(captures["healthy"])"""),
    ("md", """## The story on your own line: break it, see why, fix it

The captures above were written for this notebook. Now reproduce the failure on the course's line
(in the sandbox: the simulated ATA and Twilio; in live mode: your ATA and your account, where the
capture comes from the Console instead). First make sure everything the earlier notebooks set up is
in place — this is idempotent, so it only changes what is missing:"""),
    ("code", """from ata_helpers import nat_story

nat_story.ensure_line()"""),
    ("md", """Set **SIP REGISTER Contact Header Uses** back to *LAN Address* (P4437), as a factory-fresh
unit or an old blog post would have it. The port still shows *Registered* — that is the trap:"""),
    ("code", """nat_story.set_contact_header(wan=False)"""),
    ("code", """ata.ht80x_device().status()"""),
    ("md", """Now call the phone through Twilio, exactly as notebook 06 does. Twilio sends its INVITE to the
Contact the ATA registered, retransmits it for 32 seconds, and gives up:"""),
    ("code", """call = nat_story.call_the_phone()
call"""),
    ("md", """The call's capture shows why — the private Contact in the REGISTER, and the INVITE sent to it:"""),
    ("code", """line_capture = nat_story.capture_of(call)
ata.diagnose(line_capture).drop(columns="frames")"""),
    ("code", """ata.ladder(line_capture)"""),
    ("md", """Change the one setting back to *WAN Address* and call again: the INVITE now goes to the router's
public address, which forwards it through the pinhole the registration keeps open."""),
    ("code", """nat_story.set_contact_header(wan=True)"""),
    ("code", """call = nat_story.call_the_phone()
call"""),
    ("code", """ata.diagnose(nat_story.capture_of(call)).drop(columns="frames")"""),
    ("md", """## Your own capture

Pick a capture or upload one (pcap, pcapng, or gzip-compressed), press **Analyse**, then filter
the header table by call, method or address."""),
    ("code", """from ata_helpers.widgets.capture import capture_explorer

explorer = capture_explorer(captures)
explorer"""),
    ("md", """From a terminal, the same tools work on a file or on a live capture:

```
ata-helpers sip call.pcap --csv > call.csv
ata-helpers ladder call.pcap --call CALL_ID -o call.svg
sudo tcpdump -i any -s 0 -U -w - udp port 5060 | ata-helpers diagnose -
```"""),
]


if __name__ == "__main__":
    write_notebook("07_troubleshoot_with_pcap.ipynb", CELLS)
