"""Write notebooks/08_call_logs.ipynb (cells only; run scripts/execute_notebooks.py to fill outputs)."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_writer import write_notebook

CELLS = [
    new_markdown_cell("""# 08 · Call logs: which calls failed, and why

Twilio keeps a record of every call: who called whom, when, how it ended, what it cost. When a
call fails, Twilio's debugger also logs an **alert** with an error code. This notebook brings both
into one table: `ata.call_log()` pages through the Calls API (1000 calls a page) with Twilio's
own filters, and joins each call with the error Twilio logged for it, explained in one line.

In sandbox mode the calls come from the line simulation: the test calls of notebooks 06 and 07
are in the log. So that there is something to chart, the sandbox can also make up a *history*: a
few hundred calls over four weeks, always the same ones (fixed seed, ending 1 March 2025). In the
first week and a half the ATA still put its LAN address in its Contact header, the classic failure
of notebook 07, so calls forwarded to it failed with **32011**."""),
    new_code_cell("""import ata_helpers as ata
from ata_helpers.call_logs import (calls_for_sip_address, calls_per_day, calls_per_day_chart,
                                   duration_chart, duration_summary, failures_by_error_code)
from ata_helpers.rest_calls import ata_sip_uri
from ata_helpers.sandbox.twilio.seed_history import seed_call_history

ATA = ata_sip_uri()  # the ATA's SIP address, from the inputs of notebook 02
ATA"""),
    new_code_cell("""history = seed_call_history(n=300, seed=8, days=28)  # sandbox only; adds nothing when run again
{k: history[k] for k in ("calls", "alerts", "start", "end")}"""),
    new_markdown_cell("""## The log

Filters are Twilio's: `to`, `from_` and `status` match exactly; `start_time` / `end_time` pick one
UTC day, and `start_time_after` / `start_time_before` (and the `end_time_…` pair) are inclusive
bounds. Here: the made-up history, which ends before 1 March 2025. Every column has a type:
times are UTC datetimes, `duration` is whole seconds, `price` a number (negative: a charge)."""),
    new_code_cell("""log = ata.call_log(start_time_before="2025-02-28")
log.dtypes"""),
    new_code_cell("""SHOWN = ["start_time", "direction", "from", "to", "status", "duration", "price", "error_code"]
log[SHOWN].head(8)"""),
    new_markdown_cell("""## Failures by error code

One row per error code, how many calls it hit, and what to do about it. The fix names the exact
HT80x setting (and P-value) or Twilio setting."""),
    new_code_cell("""failures = failures_by_error_code(log)
failures[["error_code", "calls", "statuses", "meaning"]]"""),
    new_code_cell("""for row in failures.itertuples():
    print(f"{row.error_code}: {row.fix}")"""),
    new_markdown_cell("""## The ATA's own calls

Calls to or from the ATA's SIP address: the calls forwarded from your Twilio number (inbound to
the phone) and the morning calls placed through the REST API, week by week. Before the Contact
fix most of them failed; after it, they ring."""),
    new_code_cell("""mine = calls_for_sip_address(log, ATA)
week = mine["start_time"].dt.strftime("%G week %V").rename("week")
mine.groupby([week, "status"]).size().unstack(fill_value=0)"""),
    new_markdown_cell("""## Calls per day, by status

Counted by the day each call started, in the time zone you choose."""),
    new_code_cell("""calls_per_day(log, tz="America/Los_Angeles").tail(7)"""),
    new_code_cell("""calls_per_day_chart(log, tz="America/Los_Angeles")"""),
    new_markdown_cell("""## How long answered calls lasted"""),
    new_code_cell("""duration_summary(log)"""),
    new_code_cell("""duration_chart(log)"""),
    new_markdown_cell("""## Your calls

The form asks Twilio (or the twin) with the filters you give, newest calls first, and shows the
calls, the failures explained, and a chart. Leave the fields blank to see every call, including
the test calls of notebooks 06 and 07. From a terminal: `ata-helpers calls log --status failed`,
or `--csv calls.csv` to keep every column."""),
    new_code_cell("""from ata_helpers.widgets.call_log import call_log_form

call_log_form(to=ATA)"""),
    new_markdown_cell("""Next: `09_wake_up_call.ipynb`, to make the phone ring on purpose every morning."""),
]


if __name__ == "__main__":
    write_notebook("08_call_logs.ipynb", CELLS)
