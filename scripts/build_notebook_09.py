"""Write notebooks/09_wake_up_call.ipynb (cells only; run scripts/execute_notebooks.py to fill outputs)."""

from __future__ import annotations

from notebook_writer import write_notebook

from nbformat.v4 import new_code_cell, new_markdown_cell

CELLS = [
    new_markdown_cell("""# 09 · The wake-up call: an old bell phone that rings every morning

This is where the story ends: a REST API call makes the phone on the ATA ring, every weekday at
06:30, with a message when you pick up. This notebook has four parts:

1. the alarm: time, days and time zone, and when it will ring next;
2. a test call placed through the REST API and followed until it ends;
3. the scheduler that rings the alarm every morning (`ata-helpers wakeup run`);
4. the same alarm for cron, a systemd timer or Home Assistant, if you already run one of those."""),
    new_code_cell("""from datetime import datetime, timezone

import ata_helpers as ata
from ata_helpers.rest_calls import ata_sip_uri

ATA = ata_sip_uri()  # the ATA's SIP address, from the inputs of notebook 02
ATA"""),
    new_markdown_cell("""## 1 · The alarm

A time on the wall clock of a time zone (06:30 stays 06:30 through daylight-saving changes), a set of
days (`mon-fri`, `sat,sun`, `fri-mon`, `daily`…), the number or SIP address to ring, what to say,
and how many times to try again if nobody answers."""),
    new_code_cell("""alarm = ata.WakeUpCall(time="06:30", days="mon-fri", tz="America/Los_Angeles", to=ATA,
                       message="Good morning! Time to get up.", retries=2, retry_minutes=5)
alarm"""),
    new_markdown_cell("""The next ring times, counted from a fixed moment so that this record does not change: the
week of 3 March 2025, when clocks in California went forward on Sunday the 9th. The hour on the
wall stays 06:30; the offset from UTC changes from −8 to −7."""),
    new_code_cell("""for when in alarm.next_times(6, after=datetime(2025, 3, 5, tzinfo=timezone.utc)):
    print(f"{when:%a %Y-%m-%d %H:%M %Z}  = {when.astimezone(timezone.utc):%H:%M} UTC")"""),
    new_markdown_cell("""A time that does not exist on the night clocks go forward (02:30 in California) rings as far
after the change (03:30); a time that happens twice when they go back rings once, the first time.
Wrong input is refused with the rule it breaks:"""),
    new_code_cell("""for bad in ({"time": "6.30"}, {"days": "mon-funday"}, {"tz": "America/San_Francisco"},
            {"to": "sip:ht801@my-ht801.sip.ashburn.twilio.com"}):
    try:
        ata.WakeUpCall(**{"to": ATA, **bad})
    except ata.ValidationError as error:
        print(f"{error.field}: {error.rule}\\n")"""),
    new_markdown_cell("""## 2 · A test call

`ata.place_call` checks the destination, builds the TwiML with `twilio.twiml` (at most 4000
characters) and returns the call's SID; `ata.wait_for_call` follows the call until it ends. Here the
call goes to a phone number, which in the sandbox always answers. Your own phone is the ATA: the
*Ring me in one minute* button of the form below rings it through the whole chain (the alarm file,
the scheduler, the REST API, and the call followed to its end)."""),
    new_code_cell("""sid = ata.place_call("+14155550123", say=alarm.message)
result = ata.wait_for_call(sid)
result.status, result.answered, result.duration"""),
    new_markdown_cell("""When Twilio refuses a call, the error keeps its code and says what it means and what to do:"""),
    new_code_cell("""try:
    ata.place_call("+14155550123", from_="+15005550199", say="hello")
except ata.TwilioApiError as error:
    print(error)"""),
    new_markdown_cell("""## 3 · Every morning: the scheduler

Alarms are kept in a small SQLite file (in the sandbox folder here; in live mode the file named by
`ATA_WAKEUP_DB`, else `~/.ata-helpers/wakeup.sqlite3`). `ata-helpers wakeup run` keeps running and
rings each alarm when it is due:

- **once**: each ring time is recorded before the call is placed, so a restart, the clock going back or
  a second scheduler on the same file never ring it twice;
- **late** by up to 15 minutes (the scheduler was restarting, the clock jumped): it still rings; later
  than that it is logged as *missed*, since a wake-up call hours late is worse than none;
- **unanswered** (no answer, busy, failed): rings again after `retry_minutes`, `retries` times;
- **network down**: tries again after 15 s, 30 s, 1 min… for up to 45 minutes.

```
ata-helpers wakeup add --name wake-up --time 06:30 --days mon-fri --tz America/Los_Angeles --to sip:ht801@…
ata-helpers wakeup run        # leave it running (tmux, a service…); Ctrl-C stops
ata-helpers wakeup log        # what rang, when, and how it ended
```"""),
    new_code_cell("""from ata_helpers.wakeup.store import AlarmStore

alarms = AlarmStore()
alarms.save(alarm), alarms.names()"""),
    new_markdown_cell("""## 4 · The same alarm elsewhere

If a machine already runs cron or systemd, let it start `ata-helpers wakeup ring NAME` at the ring
time: that command uses the same file, so retries work and a ring time is never rung twice, even
next to a running `wakeup run`."""),
    new_code_cell("""from ata_helpers.wakeup.exports import crontab_line, home_assistant_config, systemd_units

print(crontab_line(alarm))"""),
    new_code_cell("""for name, text in systemd_units(alarm).items():
    print(f"# ~/.config/systemd/user/{name}\\n{text}")"""),
    new_markdown_cell("""Home Assistant calls Twilio itself: a `rest_command` posts the call, and an automation runs it
at 06:30 on the chosen days. The credentials stay in its `secrets.yaml`. There are no retries."""),
    new_code_cell("""print(home_assistant_config(alarm, from_="+14155550100"))"""),
    new_markdown_cell("""## Your alarm

Change the fields, look at the next ring times, save the alarm, export it, or let the form ring
the phone in about a minute to test everything at once."""),
    new_code_cell("""from ata_helpers.widgets.wakeup import wakeup_form

wakeup_form(to=ATA)"""),
]


if __name__ == "__main__":
    write_notebook("09_wake_up_call.ipynb", CELLS)
