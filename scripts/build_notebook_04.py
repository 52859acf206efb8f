"""Write notebooks/04_configure_ata.ipynb from the cells below (prose in markdown, thin code cells).

The notebook is generated so its text lives in one reviewable place; run
`scripts/execute_notebooks.py notebooks/04_configure_ata.ipynb` afterwards to store outputs.
"""

from __future__ import annotations

from notebook_writer import write_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# 4. Configure the HT801/HT802 for Twilio

The Twilio side is ready: a SIP domain with registration turned on and a credential list mapped
to it. Now the ATA has to register to that domain with that credential. In this notebook you will

1. see the handful of settings that matter, and why each has the value it has;
2. fill in the form (or the cell below it) with your domain and credential;
3. preview the provisioning file `cfg<mac>.xml` (passwords masked) and save it;
4. write the settings to the device over its web API and read them back, with a table of what
   changed.

In the sandbox the "device" is a local twin of the HT802V2 web API, fresh from the factory."""),
    ("code", """import ata_helpers as ata

ata.mode()"""),
    ("md", """## The settings, and why

Each FXS (phone) port has its own SIP account. The table lists every setting the library writes
for port 1, with the label as the device's web page shows it, its P-value (the device's internal
name, used in provisioning files) and the reason for the value. The defaults are already the
recommended Twilio settings; you only supply the domain, the username and the password."""),
    ("code", """from ata_helpers.provision.config import load_inputs, sip_password

inputs = load_inputs()   # what notebook 02 saved (in the sandbox, its defaults if it did not run)
DOMAIN = f"{inputs['domain_label']}.sip.twilio.com"   # the SIP domain
USERNAME = inputs["username"]                          # the credential's username
print(DOMAIN, USERNAME)

recommended = ata.HT80xConfig(model="HT801", sip_server=DOMAIN, ports=[ata.FxsPort(user_id=USERNAME)])

recommended.settings_frame()"""),
    ("md", """## The NAT-related settings, one by one

Your ATA sits behind a router that translates its private address (192.168.x.x) to your public
one. SIP writes addresses *inside* its messages, so the ATA has to describe itself the way
Twilio sees it from outside. These are the settings that decide that:

- **SIP REGISTER Contact Header Uses = WAN Address** (P4437, port 2: P4438). The Contact header
  of the REGISTER is the address where Twilio sends calls *to* you. With "LAN Address" the ATA
  writes `sip:alice@192.168.1.50:5060`; Twilio cannot reach a private address, so registration
  works and outbound calls work, but inbound calls never ring. This is the classic failure of
  this setup, and the one you will find in a packet capture in notebook 07.
- **NAT Traversal = Keep-alive** (P52 / P730). Your router forgets a UDP mapping after a minute
  or two of silence, after which Twilio's INVITE for an inbound call is dropped at the router.
  Keep-alive sends a small packet every *Keep-alive Interval* (P84, 20 s) to keep it open.
  *STUN* asks a STUN server (P76) for the public address, but fails behind symmetric NAT; *No*
  is only right when an outbound proxy handles NAT.
- **Use NAT IP = empty** (P101 / P866). It hard-codes a public IP into SIP and SDP. It can paper
  over a LAN address in the Contact header, but breaks the day your ISP changes your address;
  the WAN-address setting above is the robust fix.
- **Outbound Proxy = empty** (P48 / P748). The ATA talks to the Twilio domain directly; a proxy
  is one more hop that may rewrite addresses.
- **Local SIP Port 5060, Local RTP Port 5004, random ports off** (P40 / P39, P20501 / P20505;
  port 2: 5062 / 5012, P740 / P739, P20502 / P20506). Some V2 units ship with a random SIP port,
  which moves signalling to an unpredictable port. Fixed ports are what the firewall rules from
  notebook 01 forward, and make captures readable.

Two more settings are not about NAT but about who may ring the phone: **Check SIP User ID for
incoming INVITE = Yes** (P258 / P449) rejects INVITEs not addressed to your user ID, which stops
SIP scanners from ringing your phone at 3 a.m.; and **Dial Plan Prefix = `+`** (P66 / P766) puts a
`+` in front of what you dial, so Twilio receives E.164 numbers (`+14155550100`). The library's
own one-line reasons, for the NAT-related settings only:"""),
    ("code", """from ata_helpers.grandstream.settings_model import nat_settings_table

nat_settings_table()"""),
    ("md", """## The form

The fields on top are the ones the write-up sets on the FXS port page; the rest, already at their
recommended values, are in the **advanced** folds. Hover over a field for its reason. A wrong
value is flagged beside its field. **Preview file** shows the provisioning file with the password
masked; **Apply to device** writes the settings and shows what changed. Leave the password empty
to keep the one already on the device."""),
    ("code", """from ata_helpers.widgets.configure_ata import configure_ata_form

form = configure_ata_form(recommended)
form"""),
    ("md", """## The same, as a record in this notebook

The form is for trying things out; the cells below do the same in code, so an executed copy of
this notebook records what you applied. The SIP password is read from the environment variable
`ATA_SIP_PASSWORD` (or `.env`; the sandbox has a demo value), never typed into a cell: outputs
are kept, and a password in a cell would be kept with them. Without it, the password on the
device stays as it is.

For an HT802 with both ports in use, give two `FxsPort`s and `model="HT802"`."""),
    ("code", """config = ata.HT80xConfig(
    model="HT801",
    sip_server=DOMAIN,
    ports=[ata.FxsPort(user_id=USERNAME, password=sip_password(prompt=False), display_name="Kitchen")],
)
config"""),
    ("md", """Values are checked before anything reaches the device or a file: a typo is refused with the
field, the port and the P-value it concerns."""),
    ("code", """for wrong in [dict(transport="SCTP"), dict(register_expiration_min=0), dict(user_id="alice smith")]:
    try:
        ata.FxsPort(**{"user_id": USERNAME, **wrong})
    except ValueError as problem:
        print(problem)"""),
    ("md", """## The provisioning file

The device can also load its settings from a file it fetches at boot, named `cfg` + its MAC
address (12 lowercase hex digits) + `.xml`. That file is the route for legacy firmware, and for
V2 firmware that ignores a SIP password written over HTTP. Here is what it contains, with the
password masked; the MAC is on the label under the device (any common spelling works)."""),
    ("code", """MAC = "EC:74:D7:A1:B2:C3"

print(config.filename(MAC))
print(config.preview(mac=MAC))"""),
    ("md", """`save` writes the real file (with the password) readable by you only (permissions 0600). In
the sandbox it goes into the sandbox folder; on your computer, put it in the folder your
provisioning server serves, and delete it once the device has loaded it."""),
    ("code", """folder = ata.settings.sandbox_dir() / "provisioning"
path = config.save(folder, MAC)
print(path.name, oct(path.stat().st_mode & 0o777))"""),
    ("md", """## Apply to the device

`ata.ht80x_device()` is the device: in the sandbox, the twin; live, `http://$ATA_HOST` logged in
with `ATA_ADMIN_PASSWORD`. It logs in to the V2 web API, reads the current values, writes the ones
that differ, reads everything back and reports each setting: **changed**, **unchanged**, or
**did not stick** (then load the provisioning file). The SIP password cannot be read back: the
device never shows it."""),
    ("code", """device = ata.ht80x_device()
device.detect()"""),
    ("md", """First the plan: what `apply` would change, read from the device and nothing written. On a live
device this is the table to read before you go on."""),
    ("code", """plan = device.plan(config)
plan[plan["result"] != "unchanged"][["port", "label", "pvalue", "before", "wanted", "result"]]"""),
    ("code", """report = device.apply(config)
report"""),
    ("md", """Just the rows that changed, which is what a factory-fresh HT802V2 needed:"""),
    ("code", """table = report.table()
table[table["result"] != "unchanged"][["port", "label", "pvalue", "before", "after", "result"]]"""),
    ("md", """## Port status

The status page of the device, per port. When you run this notebook on its own in the sandbox,
nothing exists on the Twilio side yet, so the port honestly says *Not Registered*; after
notebooks 02 and 03 (domain, credential list, registration mapping) it registers, because this
notebook used the domain, username and password they set up. Notebook 05 waits for *Registered* and explains what to check when it
does not come."""),
    ("code", """device.status()"""),
    ("md", """## Next

Go on to `05`: confirm the port shows *Registered*. From a terminal, the same steps are
`ata-helpers ata xml --mac MAC --server DOMAIN --user USERNAME` (preview, or `--out FOLDER` to
save), `ata-helpers ata apply …` and `ata-helpers ata status`."""),
]


if __name__ == "__main__":
    write_notebook("04_configure_ata.ipynb", CELLS)
