"""Write notebooks/05_confirm_registration.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/05_confirm_registration.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 5. Confirm the port registers

The ATA now has the domain, the username and the password. Once it has registered, Twilio knows
where to send calls for that username, and the device's Status page shows **Registered** for the
port. In this notebook you will

1. read the port status table;
2. wait for *Registered*, with a progress bar and a time limit;
3. if it does not come, go through what to check, setting by setting.

In the sandbox the registration is decided by a simulation of Twilio's checks against what the
earlier notebooks created: run this notebook on its own and the port stays *Not Registered*,
with the reason Twilio would give."""),
    ("code", """import ata_helpers as ata

ata.mode()"""),
    ("md", """## Port status

One row per FXS port: hook state (lift the handset and read it again to see *Off Hook*),
registration, the SIP User ID and the server it registers to."""),
    ("code", """device = ata.ht80x_device()
device.status()"""),
    ("md", """## Wait for Registered

The ATA re-registers every *Register Expiration* minutes and retries after a failure every 20 s
or so, so a change can take a moment to show. Press the button: it polls the status every few
seconds until every active port is *Registered* or the time runs out."""),
    ("code", """from ata_helpers.widgets.confirm_registration import confirm_registration

TIMEOUT = 10 if ata.mode() == "sandbox" else 120   # seconds
watch = confirm_registration(timeout=TIMEOUT)
watch"""),
    ("md", """The same wait, in code, so this notebook keeps the result:"""),
    ("code", """registered = watch.run()
registered"""),
    ("code", """device.status()"""),
    ("md", """## When it is not Registered: what to check

Registration needs four things to line up:

1. **The account is on**: Account Active = Yes (P271) and SIP Registration = Yes (P31). Some
   HT802V2 units ship with the account off.
2. **The server is your domain**: Primary SIP Server = `DOMAIN.sip.twilio.com` (P47) or an
   edge form such as `DOMAIN.sip.ashburn.twilio.com`, without `sip:` in front.
3. **The credential matches**: SIP User ID (P35) and Authenticate ID (P36) both equal the
   credential's username, and the password is the credential's. The device never shows the
   password, so it cannot be checked here: if Twilio answers 403, write it again, or load the
   provisioning file from notebook 04 (some V2 firmware ignores a password written over HTTP).
4. **Twilio accepts registrations for that domain**: SIP Registration enabled on the domain
   (otherwise error 32210) and the credential list mapped for registration (otherwise 32212).

And the path must be open: UDP 5060 out to Twilio's signalling addresses, SIP ALG off (notebook
01). The table below reads the device's side of this; the settings that only matter for inbound
calls (Contact header, NAT traversal) are checked too, because they will matter next."""),
    ("code", """from ata_helpers.grandstream.registration import registration_checks

registration_checks(device, port=1)"""),
    ("md", """## In the sandbox: what Twilio would say

On a real line you would read Twilio's answer in the Console's debugger or in a packet capture
(notebook 07). In the sandbox, the simulated Twilio explains its verdict directly."""),
    ("code", """from ata_helpers.grandstream.registration import twilio_side_verdict

twilio_side_verdict()"""),
    ("md", """## Next

Once the port is *Registered*, go on to `06`: inbound calls, with TwiML that dials your
registered user."""),
]


if __name__ == "__main__":
    write_notebook("05_confirm_registration.ipynb", CELLS)
