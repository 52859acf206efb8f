"""Write notebooks/00_start_here.ipynb (cells only; run scripts/execute_notebooks.py to fill outputs)."""

from __future__ import annotations

from notebook_writer import write_notebook

from nbformat.v4 import new_code_cell, new_markdown_cell

CELLS = [
    new_markdown_cell("""# 00 · Start here: a Grandstream HT801/HT802 on Twilio SIP

This course turns an analog telephone adapter (ATA) and a Twilio account into a landline that
**places and receives calls through Twilio**, and shows you how to find out why when it does not.
Each notebook is one step; each has a form that calls the small `ata_helpers` library, and each
shows its results as tables you can keep as a record of how you set up and debugged your line.

| step | notebook | what you do |
|---|---|---|
| 1 | `01_open_firewall` | allow Twilio's signalling and media addresses through your router |
| 2 | `02_outbound_calls` | Elastic SIP trunk, SIP domain, IP ACL, credential list, outbound TwiML Bin |
| 3 | `03_sip_registration` | turn SIP registration on and map the credential list |
| 4 | `04_configure_ata` | the HT80x settings (the provisioning file, or straight to the device) |
| 5 | `05_confirm_registration` | watch the port become *Registered* |
| 6 | `06_inbound_calls` | point your Twilio number at the ATA and place a test call |
| 7 | `07_troubleshoot_with_pcap` | read the call's SIP capture: findings, ladder, headers |
| 8 | `08_call_logs` | the call log with Twilio's error codes explained |
| 9 | `09_wake_up_call` | the goal of the story: a bell phone that rings every morning |
| — | `10_doctor` | whenever something is off: which link in the chain is broken |

**Two modes, one code path.** In *sandbox* mode (the default) local twins of Twilio's REST API and of
the HT80x's web interface answer every call, and a small network simulation decides what a real
line would do with your settings, so every notebook runs with no account, no device and no network.
In *live* mode the same calls drive your real Twilio account and your real ATA. Nothing that
changes a live account or device runs without showing you a plan first."""),
    new_code_cell("import ata_helpers as ata\n\nata.mode()"),
    new_markdown_cell("""## Is everything in place?

One row per thing the course needs. In sandbox mode the Twilio twin starts on first use, on
127.0.0.1, and keeps its state under `.sandbox/` (so every notebook sees what the previous one
created). `ata-helpers sandbox reset` in a terminal starts the sandbox afresh."""),
    new_code_cell("ata.environment_check()"),
    new_markdown_cell("""## Switching to your real account (live mode)

You need your **Account SID** and **Auth Token** from the Twilio Console (or an API key and
secret). The form below never shows them back: *Use in this kernel* keeps them only in this
notebook's memory; *Save to .env* writes them to the `.env` file at the project root with
permissions 0600 (readable by you alone; `.env` is git-ignored). Tick *switch this kernel to live
mode* to make the next cells of this kernel talk to Twilio, or set `ATA_MODE=live` in `.env` to
make every notebook do so. An explicit environment variable always wins over `.env`.

Live mode for the ATA also needs `ATA_HOST` (the ATA's LAN address) and `ATA_ADMIN_PASSWORD`."""),
    new_code_cell("form = ata.widgets.start.credentials_form()\nform.widget"),
    new_markdown_cell("""## What next

Open `01_open_firewall.ipynb`. When something is off at any point, open `10_doctor.ipynb` (or run
`ata-helpers doctor` in a terminal): it walks the whole chain and names the broken link and its fix."""),
]


if __name__ == "__main__":
    write_notebook("00_start_here.ipynb", CELLS)
