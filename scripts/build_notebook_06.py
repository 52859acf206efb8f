"""Write notebooks/06_inbound_calls.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/06_inbound_calls.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 6. Inbound calls

Someone calls your Twilio number. Twilio looks at the number's **"A call comes in"** setting: a
webhook URL (here a TwiML Bin) that answers with

```xml
<Response><Dial answerOnBridge="true"><Sip>sip:USER@LABEL.sip.twilio.com</Sip></Dial></Response>
```

`<Sip>` rings every device registered as `USER` on your domain: the ATA. `answerOnBridge="true"`
keeps the caller hearing ringback until the phone is picked up (without it the call is "answered"
at once and the caller hears silence while the phone rings).

Three Console mistakes break this, and the library checks each:

- an **edge-specific URI** in `<Sip>` (`…sip.us1.twilio.com`, `…sip.ashburn.twilio.com`): error **32220**;
- the number still **attached to an Elastic SIP trunk** (or a TwiML App): Twilio then sends its
  calls there and silently **ignores** the voice URL;
- the ATA not registered (notebooks 04–05): error **32009**.

This notebook makes sure notebooks 02 and 03 ran (idempotently), adds the inbound Bin and the
number's setting, and places a test call to the ATA through the REST API."""),
    ("code", """import ata_helpers as ata
from ata_helpers.provision import call_device
from ata_helpers.widgets.twilio_setup import TwilioSetupForm

ata.mode()"""),
    ("md", """## The inputs

The form starts with the values saved by the earlier notebooks. Here the **Phone number** matters:
the Twilio number people call (in the sandbox `+14155550100`; live: one of yours, in E.164).
Tick **Detach the number from a trunk or app** if the plan warns that the number is attached to
one; the course then removes it from the trunk (or clears the app) so the voice URL takes effect.
In live mode, paste the inbound Bin shown below in the Console and give its URL as
**Inbound Bin URL**."""),
    ("code", """form = TwilioSetupForm()
form"""),
    ("code", """setup = form.setup()
setup"""),
    ("md", """## The inbound Bin

Built with `twilio.twiml.voice_response` and checked: the global URI, never an edge one, and
well-formed XML."""),
    ("code", """print(setup.inbound_twiml)"""),
    ("code", """from IPython.display import Markdown
from ata_helpers.twiml import console_bin_steps

Markdown(console_bin_steps(setup.bin_name("inbound"), setup.inbound_twiml, "Inbound Bin URL"))"""),
    ("md", """## Plan and apply

The last two rows are this notebook's: the **inbound Bin**, and the **phone number**'s
*voice_url* (Console: Phone Numbers → your number → *Voice Configuration* → *A call comes in* →
Webhook → the Bin's URL, HTTP POST). If the number is attached to a trunk or a TwiML App, the
detail column says so with a ⚠ and the fix."""),
    ("code", """setup.plan()"""),
    ("code", """setup.apply()"""),
    ("code", """setup.describe()"""),
    ("md", """## A test call to the ATA

The REST API can place the same call the Bin makes: `client.calls.create(to="sip:USER@LABEL.sip.twilio.com",
from_=YOUR_NUMBER, twiml=…)`. `call_device` does that, waits (at most a minute) for the call to
end, and lists the alerts Twilio logged for it (`client.monitor.v1.alerts.list()`), each with what
it means for this line and the fix.

In the sandbox the line simulation decides the outcome from the ATA twin's state. If the ATA is
not registered yet (notebooks 04 and 05 not done, or done with another username or password), the
call fails with **32009**, as it would on Twilio. Once the ATA is registered and its Contact is
reachable, the phone rings and the call completes. In live mode your phone really rings."""),
    ("code", """result = call_device(setup.device_uri, setup.phone_number)
result"""),
    ("md", """## Next

Notebook 07 reads the SIP packet capture of a call that did not ring and finds why. To remove
everything the course created on Twilio: `setup.teardown()` (or `ata-helpers setup teardown`)."""),
]


if __name__ == "__main__":
    write_notebook("06_inbound_calls.ipynb", CELLS)
