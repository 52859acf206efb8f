"""Write notebooks/10_doctor.ipynb (cells only; run scripts/execute_notebooks.py to fill outputs)."""

from __future__ import annotations

from notebook_writer import write_notebook

from nbformat.v4 import new_code_cell, new_markdown_cell

CELLS = [
    new_markdown_cell("""# 10 · The doctor: which link in the chain is broken?

When the phone does not ring, or rings but nobody hears anything, the question is always the same:
*which of the dozen links between your Twilio account and the bell is broken?* The doctor walks the
chain in order and answers one row per link:

1. the Twilio credentials; 2. the SIP domain (and that it ends in `.sip.twilio.com`);
3. SIP registration on; 4. a credential list mapped for registrations that holds the ATA's auth ID;
5. call authentication mapped; 6. the domain's voice URL and its TwiML (well-formed, E.164 caller ID,
`{{#e164}}{{To}}{{/e164}}`); 7. the trunk's origination URL; 8. the phone number's voice URL, not
shadowed by a trunk or an application; 9. the ATA answers; 10. its settings match the recommendations
(WAN contact, user-ID check, `+` prefix, fixed ports); 11. the port is registered; 12–13. the last
call each way and its error code; 14. the latest capture's findings.

Each row is `pass`, `fail` (with the fix), `warn`, or `skip` with the reason the check could not be
made yet — a check is never passed by default. In a terminal, `ata-helpers doctor` prints the same
table (coloured) and exits non-zero when anything fails, so it also fits a cron job or a script."""),
    new_code_cell("import ata_helpers as ata\n\nreport = ata.doctor(phone_number=\"+14155550100\")\nreport"),
    new_markdown_cell("""## Reading the table

- Fix the **first** failing row first: later checks often fail *because of* an earlier one (no domain
  means nothing can be mapped; a port that is not registered cannot receive calls).
- `skip` rows tell you what the doctor could not see. Pass it what it needs:
  `ata.doctor(domain="yourlab.sip.twilio.com", user="ht801", phone_number="+1…", capture="call.pcap")`.
- The capture row reads the call's SIP PCAP (in live mode: Console → Monitor → Call Logs → the call
  → *SIP PCAP LOG*; in the sandbox the doctor reads the simulated capture of the last inbound call).

Only the failures, with their fixes:"""),
    new_code_cell("report[report[\"status\"] == \"fail\"][[\"check\", \"detail\", \"fix\"]]"),
]


if __name__ == "__main__":
    write_notebook("10_doctor.ipynb", CELLS)
