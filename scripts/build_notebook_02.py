"""Write notebooks/02_outbound_calls.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/02_outbound_calls.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 2. Outbound calls: the Twilio side

When you lift the handset and dial, the HT801 sends a SIP `INVITE` to your **SIP domain** on
Twilio. Twilio checks who is calling (the domain's **IP access control list** and **credential
list**), then fetches the domain's TwiML, a **TwiML Bin** that says "dial the number in the
request, from my caller ID". This notebook creates each of those pieces, plus the **Elastic SIP
trunk** and its origination URL from the setup story, and leaves your account in a known state
that you can run again, inspect and tear down.

The mistakes people make in the Console, which the library checks for you:

- a Bin with a hard-coded number instead of `{{#e164}}{{To}}{{/e164}}`, so every call goes to one number;
- a caller ID that is not one of your Twilio numbers (error 32204 / 13214);
- a domain with no credential list or IP ACL mapped for calls: Twilio then accepts no traffic at all.

Everything the course creates carries the friendly-name tag `ata-course:<domain label>`, so
teardown removes only what it made. Running a cell twice changes nothing the second time."""),
    ("code", """import ata_helpers as ata
from ata_helpers.widgets.twilio_setup import TwilioSetupForm

ata.mode()"""),
    ("md", """## The inputs

Fill in the form (in the sandbox it starts with working values). A message appears beside a
field as soon as its value breaks a rule, before anything is sent to Twilio.

| Field | What it is | Rule |
|---|---|---|
| **Domain label** | The first part of your SIP domain `LABEL.sip.twilio.com`, which is also the ATA's *Primary SIP Server*. Domain names are unique across all of Twilio. | letters, digits, `-`; at most 53 characters (so the course's tag fits) |
| **SIP username** | The credential's username: the ATA's *SIP User ID* and *Authenticate ID*, and the user part of `sip:USER@LABEL.sip.twilio.com`. | 1–32 of letters, digits, `+ . _ -` |
| **SIP password** | The credential's password, the ATA's *Authenticate Password*. Twilio never shows it again; the course never prints or saves it. | 12+ characters with upper-case, lower-case and a digit |
| **Caller ID** | The number people see when you call them: `callerId` in the outbound Bin. | E.164, one of your Twilio numbers |
| **Phone number** | The Twilio number that rings the ATA (notebook 06). Empty means the caller ID. | E.164, a number of this account |
| **Public IP** | Your router's public address, as Twilio sees it; the domain's IP ACL lets calls come only from there. A CIDR block (`203.0.113.0/29`) covers a small range. | public IPv4, prefix 8–32 |
| **Edge** | The Twilio edge in the trunk's origination URL `sip:USER@LABEL.sip.EDGE.twilio.com`. The story uses `us1` (the legacy name of ashburn). | one of Twilio's edges |
| **Outbound / Inbound Bin URL** | Live mode only: the URL of the Bin you pasted in the Console (below). The sandbox makes its own. | `https://handler.twilio.com/twiml/EH…` |

*Reset the existing password* sets the password again on a credential that already exists (Twilio
cannot tell the course whether it matches). *Detach the number* matters in notebook 06.

The buttons do the same as the cells further down: **Plan** shows what would change, **Apply**
(enabled after a plan) makes the changes, **Describe** shows the current state."""),
    ("code", """form = TwilioSetupForm("outbound")
form"""),
    ("md", """The cells below use the form's values. `setup` is a `TwilioSetup`; its password shows as `••••`."""),
    ("code", """setup = form.setup()
setup"""),
    ("md", """## The outbound TwiML Bin

When the ATA dials `5551234567` with the dial-plan prefix `+1` it sends
`INVITE sip:+15551234567@LABEL.sip.twilio.com`. Twilio requests the domain's voice URL with that
URI in the `To` parameter. The Bin's template `{{#e164}}{{To}}{{/e164}}` pulls the E.164 number out
of it, and `<Dial callerId=…>` calls that number from your Twilio number:"""),
    ("code", """print(setup.outbound_twiml)"""),
    ("md", """**Live mode:** TwiML Bins have no public API, so you create this one in the Console and give
its URL back to the form (*Outbound Bin URL*), which checks its form. The exact steps, with the
text to paste:"""),
    ("code", """from IPython.display import Markdown
from ata_helpers.twiml import console_bin_steps

Markdown(console_bin_steps(setup.bin_name("outbound"), setup.outbound_twiml, "Outbound Bin URL"))"""),
    ("md", """The checks catch the Console mistakes before they cost a call. A Bin with a hard-coded number:"""),
    ("code", """from ata_helpers.twiml import check_outbound_twiml

try:
    check_outbound_twiml('<Response><Dial callerId="+14155550100">+14155550199</Dial></Response>')
except ata.ValidationError as error:
    print(error)"""),
    ("md", """## Plan

What `apply` would do, one row per step, without changing anything. The steps, in order:

1. **outbound Bin**: the TwiML above (live: the URL you gave).
2. **credential list** `ata-course:LABEL` and the **credential** (username + password) in it.
3. **IP access control list** `ata-course:LABEL` and your **IP address** in it.
4. **SIP domain** `LABEL.sip.twilio.com`: *voice_url* = the outbound Bin, *voice_method* = POST
   (the domain's "A call comes in").
5. **call auth** mappings: the credential list and the IP ACL, under the domain's *Voice
   Authentication*. Twilio challenges the ATA's INVITE for the password and checks its source address.
6. **Elastic SIP trunk** `ata-course:LABEL` and its **origination URL**
   `sip:USER@LABEL.sip.EDGE.twilio.com` (weight 10, priority 10, enabled).

Each step looks its resource up by its natural key first (friendly name, username, address,
domain name, SIP URL) and reports `created`, `updated` or `unchanged`."""),
    ("code", """setup.plan("outbound")"""),
    ("md", """## Apply

If a step fails, apply stops there and the error shows the table of what ran and what did not,
with the Twilio error code, what it means for this line and the fix. Fix the cause and run it
again: the steps that already ran report `unchanged`. The inputs (never the password) are saved
for the next notebooks."""),
    ("code", """setup.apply("outbound")"""),
    ("md", """Run it again: nothing is created twice."""),
    ("code", """setup.apply("outbound")"""),
    ("md", """## What is there now

`describe()` reads the current state back from Twilio. `sip_registration` is still False: that is
notebook 03."""),
    ("code", """setup.describe()"""),
    ("md", """## Live mode, and tearing down

In live mode (`ATA_MODE=live` with `TWILIO_ACCOUNT_SID` and `TWILIO_AUTH_TOKEN` in `.env`) the same
cells drive your real account. Click **Plan** first and read the table; paste the Bin in the
Console and give its URL; then **Apply**.

`setup.teardown()` deletes what carries the tag `ata-course:LABEL` (trunk, domain with its
mappings, IP ACL, credential list), clears the number's voice URL if it points at the course's
Bin, and in the sandbox deletes the Bins (live: delete them in the Console). It is not run here,
because the next notebooks build on this. From a terminal: `ata-helpers setup plan|apply|teardown|describe`."""),
]


if __name__ == "__main__":
    write_notebook("02_outbound_calls.ipynb", CELLS)
