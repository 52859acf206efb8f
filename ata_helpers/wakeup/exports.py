"""The same alarm for schedulers people already run: a crontab line, a systemd timer, Home Assistant.

cron and systemd run `ata-helpers wakeup ring NAME` at the ring time. That command uses the
alarm store, so retries and the ring-once rule still apply, and a cron job can share a file with
a running `ata-helpers wakeup run` without ringing twice. Home Assistant calls Twilio's REST API
itself with a `rest_command`. Secrets stay in its `secrets.yaml` and never appear in the snippet.

Nothing given can add a line or a command to these files: text with control characters or line
breaks is refused; the command and log paths go into the crontab line as single shell words
(`shlex.quote`, with cron's `%` escaped), into the systemd unit only when made of characters
systemd reads literally, and every Home Assistant string is a JSON string (valid YAML).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlencode

from ..errors import ValidationError
from ..validate import validate_text
from .schedule import DAY_NAMES, WakeUpCall

__all__ = ["crontab_line", "systemd_units", "home_assistant_config", "cron_days", "systemd_days"]

_SYSTEMD_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# characters systemd takes literally in ExecStart= (no quotes, escapes, % specifiers or $ variables)
_SYSTEMD_LITERAL = re.compile(r"^[A-Za-z0-9_@+=:,./~ -]+\Z")


def _cron_word(text: str, field: str) -> str:
    """One shell word for a crontab line: quoted with shlex.quote, then cron's `%` (which cron turns
    into a line break) escaped. A leading `$HOME/` or `~/` becomes `$HOME/`, outside the quotes, so it
    still expands."""
    value = validate_text(text, field)
    if not value.strip():
        raise ValidationError(field, "a path (not empty)", text)
    for home in ("$HOME/", "~/"):
        if value.startswith(home):
            rest = value[len(home):]
            return "$HOME/" + (shlex.quote(rest).replace("%", "\\%") if rest else "")
    return shlex.quote(value).replace("%", "\\%")


def _systemd_command(text: str, field: str = "command") -> str:
    """A word for ExecStart= (the program, or the alarm file), refused unless systemd reads it
    literally; quoted if it has spaces."""
    value = validate_text(text, field).strip()
    if not value or not _SYSTEMD_LITERAL.match(value):
        what = "a program path" if field == "command" else "a file path"
        raise ValidationError(field, f"{what} of letters, digits, spaces and _ @ + = : , . / ~ - "
                                     "(systemd gives quotes, backslashes, % and $ a meaning of their own; "
                                     "link it from a plain path instead)", text)
    return f'"{value}"' if " " in value else value


def _ring_options(db: str | Path | None, word: Callable[[str, str], str]) -> str:
    """` --db FILE` (one word made by `word`) when the alarm lives in a file of its own, else ''."""
    return "" if db is None else f" --db {word(str(Path(db).expanduser().absolute()), 'db')}"


def _runs(values: Iterable[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for value in sorted(set(values)):
        if runs and runs[-1][-1] == value - 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs


def cron_days(alarm: WakeUpCall) -> str:
    """The day-of-week field of a crontab line (0 = Sunday), e.g. '1-5', '0,6', '0-1,5-6'."""
    if len(alarm.weekdays) == 7:
        return "*"
    cron = [(d + 1) % 7 for d in alarm.weekdays]
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in _runs(cron))


def systemd_days(alarm: WakeUpCall) -> str:
    """The weekday part of an OnCalendar= expression, e.g. 'Mon..Fri', 'Sat,Sun'; '' for every day."""
    if len(alarm.weekdays) == 7:
        return ""
    return ",".join(f"{_SYSTEMD_DAYS[r[0]]}..{_SYSTEMD_DAYS[r[-1]]}" if len(r) > 2
                    else ",".join(_SYSTEMD_DAYS[d] for d in r) for r in _runs(alarm.weekdays))


def installed_command() -> str:
    """The absolute path of this installation's `ata-helpers` (beside the running Python, e.g.
    .venv/bin/ata-helpers after `make lab`), so cron and systemd, which have their own PATH, run the
    same one; the bare name when it cannot be found."""
    import shutil
    import sys
    from pathlib import Path

    beside = Path(sys.executable).parent / "ata-helpers"
    return str(beside) if beside.exists() else (shutil.which("ata-helpers") or "ata-helpers")


def crontab_line(alarm: WakeUpCall, command: str | None = None,
                 log_file: str = "$HOME/.ata-helpers/wakeup.log", db: str | Path | None = None) -> str:
    """Crontab lines (a comment, CRON_TZ, the job) that ring `alarm` through `ata-helpers wakeup ring`
    (`command`: default this installation's, see installed_command; `db`: the alarm file it is saved
    in, passed as `--db` (absolute) unless None, meaning the default store)."""
    command = command or shlex.quote(installed_command())
    hour, minute = (int(x) for x in alarm.time.split(":"))
    job = (f"{_cron_word(command, 'command')} wakeup{_ring_options(db, _cron_word)} ring {shlex.quote(alarm.name)} "
           f">> {_cron_word(log_file, 'log_file')} 2>&1")
    return "\n".join([
        f"# ata-helpers wake-up call {alarm.name}: {alarm.describe()}",
        "# CRON_TZ needs cronie (Fedora, RHEL, Arch) or a cron that supports it; without it the",
        "# time below is in the machine's own time zone. CRON_TZ applies to every line after it:",
        "# put these lines at the end of your crontab (or in a crontab of their own).",
        f"CRON_TZ={alarm.tz}",
        f"{minute} {hour} * * {cron_days(alarm)} {job}",
    ]) + "\n"


def systemd_units(alarm: WakeUpCall, command: str | None = None, db: str | Path | None = None) -> dict[str, str]:
    """`ata-wakeup-NAME.timer` and `.service` user units (file name -> content); `db` as in crontab_line.

    `Persistent=false`: a ring time missed while the machine was off is not rung late (the
    same policy as `ata-helpers wakeup run`). Install them in ~/.config/systemd/user/ and run
    `systemctl --user enable --now ata-wakeup-NAME.timer`.
    """
    command = command or installed_command()
    unit = f"ata-wakeup-{alarm.name}"
    program = _systemd_command(command)
    days = systemd_days(alarm)
    calendar = f"{days + ' ' if days else ''}*-*-* {alarm.time}:00 {alarm.tz}"
    timer = "\n".join([
        "[Unit]",
        f"Description=Wake-up call {alarm.name}: {alarm.describe()}",
        "",
        "[Timer]",
        f"OnCalendar={calendar}",
        "AccuracySec=1s",
        "Persistent=false",
        f"Unit={unit}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]) + "\n"
    service = "\n".join([
        "[Unit]",
        f"Description=Ring wake-up call {alarm.name} through Twilio",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        "# TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, ATA_MODE=live and ATA_WAKEUP_DB, one per line, mode 0600",
        "EnvironmentFile=%h/.config/ata-helpers/env",
        f"ExecStart={program} wakeup{_ring_options(db, _systemd_command)} ring {alarm.name}",
    ]) + "\n"
    return {f"{unit}.timer": timer, f"{unit}.service": service}


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: a JSON string, escapes included (JSON strings are valid YAML)."""
    return json.dumps(text)


def home_assistant_config(alarm: WakeUpCall, from_: str | None = None) -> str:
    """A `rest_command` that asks Twilio to place the call and an automation that runs it.

    It goes in configuration.yaml (or a package). `secrets.yaml` holds `twilio_account_sid`,
    `twilio_auth_token` and `twilio_calls_url`. Home Assistant's time trigger uses Home Assistant's
    own time zone, and there are no retries.
    """
    from ..calls.place import build_twiml, check_e164

    caller = from_ or alarm.from_
    if not caller:
        raise ValidationError("from_", "the Twilio number to call from (Home Assistant calls Twilio "
                                       "directly, so it must be given)")
    caller = check_e164(caller, "from_")
    key = f"ata_wake_up_{alarm.name.replace('-', '_')}"
    payload = urlencode({"To": alarm.to, "From": caller, "Timeout": alarm.ring_seconds,
                         "Twiml": build_twiml(say=alarm.message)})
    weekdays = ", ".join(DAY_NAMES[d] for d in alarm.weekdays)
    condition = [
        "    condition:",
        "      - condition: time",
        f"        weekday: [{weekdays}]",
    ] if len(alarm.weekdays) < 7 else []
    return "\n".join([
        f"# Wake-up call {alarm.name}: {alarm.describe()}",
        "# secrets.yaml:",
        "#   twilio_account_sid: AC...",
        "#   twilio_auth_token: your auth token",
        "#   twilio_calls_url: https://api.twilio.com/2010-04-01/Accounts/AC.../Calls.json",
        f"# The trigger uses Home Assistant's time zone; set it to {alarm.tz} "
        "(Settings > System > General).",
        "rest_command:",
        f"  {key}:",
        "    url: !secret twilio_calls_url",
        "    method: post",
        "    username: !secret twilio_account_sid",
        "    password: !secret twilio_auth_token",
        '    content_type: "application/x-www-form-urlencoded"',
        f"    payload: {_yaml_string(payload)}",
        "",
        "automation:",
        f"  - id: {key}",
        f"    alias: {_yaml_string('Wake-up call ' + alarm.name)}",
        "    trigger:",
        "      - platform: time",
        f'        at: "{alarm.time}:00"',
        *condition,
        "    action:",
        f"      - service: rest_command.{key}",
    ]) + "\n"
