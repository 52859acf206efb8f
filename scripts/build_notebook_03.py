"""Write notebooks/03_sip_registration.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/03_sip_registration.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 3. SIP registration

So far Twilio accepts calls *from* the ATA. To send calls *to* it, Twilio must know where the ATA
is: the ATA **registers** (a SIP `REGISTER` every few minutes, carrying its address in the
`Contact` header), and Twilio keeps that binding for the username. Two settings on the domain make
that work, and missing either is a classic Console mistake:

- **SIP Registration** turned on for the domain (otherwise the REGISTER is refused, error 32210);
- the **credential list mapped for registrations** (otherwise warning 32212: "a SIP endpoint tried
  to register and there isn't a Credential List mapped"). The mapping for *calls* from notebook 02
  does not count for registrations.

This notebook first makes sure notebook 02's resources exist (idempotently: it does not assume
you ran it), then adds the two registration steps."""),
    ("code", """import ata_helpers as ata
from ata_helpers.provision import registrar_hostnames
from ata_helpers.widgets.twilio_setup import TwilioSetupForm

ata.mode()"""),
    ("md", """## The inputs

The form starts with the values saved by notebook 02 (or the sandbox's defaults). The fields are
explained in notebook 02; the ones that matter here are the **domain label**, the **SIP
username** and the **SIP password**: the ATA will register as that username with that password."""),
    ("code", """form = TwilioSetupForm(["outbound", "registration"])
form"""),
    ("code", """setup = form.setup()
setup"""),
    ("md", """## Plan

If notebook 02 ran, its steps show `unchanged`, and the two new ones:

- **SIP registration**: the domain's `sip_registration` from False to True (Console: the domain's
  *SIP Registration* → *Enabled*);
- **registration auth: credential list**: the course's credential list mapped under the domain's
  *SIP Registration* → *Credential Lists*."""),
    ("code", """setup.plan(["outbound", "registration"])"""),
    ("code", """setup.apply(["outbound", "registration"])"""),
    ("code", """setup.describe()"""),
    ("md", """## Where the ATA registers, and where Twilio calls it

Since December 2020 a device may register through **any** Twilio edge, and its binding is shared
by all edges. So the ATA's *Primary SIP Server* can be the global name `LABEL.sip.twilio.com`
(DNS picks a nearby edge) or an edge name such as `LABEL.sip.dublin.twilio.com` if you want to
pin it near you. The legacy names (`us1`, `ie1`, …) still work for registering.

Calls **to** the device are another matter: Twilio must dial the **global** URI
`sip:USER@LABEL.sip.twilio.com`. An edge-specific URI in `<Dial><Sip>` or in `calls.create(to=…)`
fails with error **32220** ("use the global URI"). The library refuses to build one."""),
    ("code", """registrar_hostnames(setup.domain_label)"""),
    ("code", """print("the ATA is called at:", setup.device_uri)

from ata_helpers.validate import validate_global_sip_uri

try:
    validate_global_sip_uri(f"sip:{setup.username}@{setup.domain_label}.sip.ashburn.twilio.com")
except ata.ValidationError as error:
    print(error)"""),
    ("md", """## Next

Notebook 04 writes the domain, the username and the password to the ATA; notebook 05 waits for
its port to show *Registered*. In live mode the Console shows registered devices on the domain's
*Registered SIP Endpoints* tab (there is no API for it). From a terminal:
`ata-helpers setup apply --stage outbound --stage registration`."""),
]


if __name__ == "__main__":
    write_notebook("03_sip_registration.ipynb", CELLS)
