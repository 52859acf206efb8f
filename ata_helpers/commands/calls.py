"""`ata-helpers calls log|place` and `ata-helpers wakeup add|list|remove|run|ring|export|log`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..empty_results import frame_text
from .argtypes import number_in, whole_number_in

__all__ = ["register"]

_LOG_COLUMNS = ["start_time", "direction", "from", "to", "status", "duration", "error_code", "sid"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ata-helpers calls log|place` and `ata-helpers wakeup …`."""
    from ..wakeup.scheduler import GRACE_RANGE, TICK_RANGE

    grace_high = GRACE_RANGE[1].total_seconds() / 60
    calls = subparsers.add_parser("calls", help="the call log, and calls placed through the REST API")
    sub = calls.add_subparsers(dest="calls_command", metavar="ACTION")
    log = sub.add_parser("log", help="list calls with Twilio's filters and the error logged for each")
    log.add_argument("--to", help="only calls to this number or SIP address")
    log.add_argument("--from", dest="from_", help="only calls from this number or SIP address")
    log.add_argument("--status", help="queued, ringing, in-progress, completed, busy, failed, no-answer, canceled")
    log.add_argument("--on", help="only calls that started on this UTC day (YYYY-MM-DD)")
    log.add_argument("--after", help="only calls that started on or after this day or time")
    log.add_argument("--before", help="only calls that started on or before this day or time")
    log.add_argument("--limit", type=whole_number_in(1, 1_000_000, "calls"),
                     help="at most this many calls (newest first)")
    log.add_argument("--no-alerts", action="store_true", help="skip joining Monitor alerts")
    log.add_argument("--csv", metavar="PATH", help="write every column as CSV to PATH ('-' for stdout)")
    log.set_defaults(func=_log)
    place = sub.add_parser("place", help="ring a number or the ATA's SIP address now")
    place.add_argument("to", help="E.164 number (+14155550123) or sip:USER@DOMAIN.sip.twilio.com")
    what = place.add_mutually_exclusive_group()
    what.add_argument("--say", help="text to speak (default: a short test message)")
    what.add_argument("--twiml", help="a TwiML <Response> document")
    what.add_argument("--url", help="a URL that returns TwiML")
    place.add_argument("--from", dest="from_", help="caller ID (default: the line's Twilio number)")
    place.add_argument("--timeout", type=whole_number_in(1, 600, "seconds"), default=30,
                       help="seconds to let it ring (1-600)")
    place.add_argument("--no-wait", action="store_true", help="print the call SID and return at once")
    place.set_defaults(func=_place)
    calls.set_defaults(func=lambda args: (calls.print_help(), 2)[1])

    wake = subparsers.add_parser("wakeup", help="wake-up calls: alarms that ring the phone on schedule")
    wake.add_argument("--db", type=Path, help="alarm file (default: ATA_WAKEUP_DB, else wakeup.sqlite3 in the state folder)")
    wsub = wake.add_subparsers(dest="wakeup_command", metavar="ACTION")
    add = wsub.add_parser("add", help="save an alarm (replaces one of the same name)")
    add.add_argument("--name", default="wake-up")
    add.add_argument("--time", required=True, help="local time HH:MM, e.g. 06:30")
    add.add_argument("--days", default="mon-fri", help="e.g. mon-fri, sat,sun, fri-mon, daily")
    add.add_argument("--tz", required=True, help="IANA time zone, e.g. America/Los_Angeles")
    add.add_argument("--to", required=True, help="E.164 number or sip:USER@DOMAIN.sip.twilio.com")
    add.add_argument("--message", help="what the call says")
    add.add_argument("--retries", type=whole_number_in(0, 5, "retries"), default=2,
                     help="extra calls when unanswered (0-5)")
    add.add_argument("--retry-minutes", type=whole_number_in(1, 60, "minutes"), default=5,
                     help="minutes between an unanswered call and the next (1-60)")
    add.add_argument("--ring-seconds", type=whole_number_in(5, 600, "seconds"), default=45,
                     help="seconds each call rings (5-600)")
    add.add_argument("--from", dest="from_", help="caller ID (default: the line's Twilio number)")
    add.set_defaults(func=_add)
    lst = wsub.add_parser("list", help="saved alarms and when each rings next")
    lst.set_defaults(func=_list)
    rm = wsub.add_parser("remove", help="delete an alarm and its history")
    rm.add_argument("name")
    rm.set_defaults(func=_remove)
    run = wsub.add_parser("run", help="keep running and ring alarms when due (Ctrl-C stops)")
    run.add_argument("--grace", type=number_in(0, grace_high, "minutes"), default=15,
                     help=f"minutes late an alarm may still ring (0-{grace_high:g})")
    run.add_argument("--tick", type=number_in(*TICK_RANGE, "seconds"), default=20,
                     help="longest sleep between checks, seconds (0.5-3600)")
    run.set_defaults(func=_run)
    ring = wsub.add_parser("ring", help="ring an alarm for its current ring time, once (for cron/systemd)")
    ring.add_argument("name")
    ring.set_defaults(func=_ring)
    export = wsub.add_parser("export", help="the alarm as crontab, systemd or Home Assistant config")
    export.add_argument("name")
    export.add_argument("--format", choices=["crontab", "systemd", "home-assistant"], default="crontab")
    export.add_argument("--command", help="path of ata-helpers for cron/systemd")
    export.add_argument("--from", dest="from_", help="caller ID for Home Assistant")
    export.set_defaults(func=_export)
    history = wsub.add_parser("log", help="ring times and what happened")
    history.add_argument("name", nargs="?")
    history.set_defaults(func=_history)
    wake.set_defaults(func=lambda args: (wake.print_help(), 2)[1])


def _log(args: argparse.Namespace) -> int:
    from ..calls import call_log

    frame = call_log(to=args.to, from_=args.from_, status=args.status, start_time=args.on,
                     start_time_after=args.after, start_time_before=args.before, limit=args.limit,
                     alerts=not args.no_alerts)
    if args.csv:
        if args.csv == "-":
            frame.to_csv(sys.stdout, index=False)
        else:  # numbers and SIDs: readable by the owner only, as the line report
            from ..settings import write_private_file

            write_private_file(Path(args.csv), frame.to_csv(index=False))
            print(f"{len(frame)} calls written to {args.csv} (permissions 0600)")
        return 0
    if frame.empty:
        print(frame_text(frame))
        return 0
    print(frame[_LOG_COLUMNS].to_string(index=False))
    failed = frame.dropna(subset=["error_code"])
    if not failed.empty:
        print("\nerrors:")
        for code, explanation in failed.drop_duplicates("error_code")[["error_code", "explanation"]].itertuples(
                index=False):
            print(f"  {code}: {explanation or '(no explanation in the course list)'}")
    return 0


def _place(args: argparse.Namespace) -> int:
    from ..calls import place_call, wait_for_call

    sid = place_call(args.to, say=args.say, twiml=args.twiml, url=args.url, from_=args.from_,
                     timeout=args.timeout)
    print(sid)
    if args.no_wait:
        return 0
    result = wait_for_call(sid)
    print(result.summary())
    return 0 if result.answered else 3


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ..wakeup.store import AlarmStore

    return AlarmStore(args.db)


def _add(args: argparse.Namespace) -> int:
    from ..calls import check_caller_id
    from ..wakeup.schedule import DEFAULT_WAKE_MESSAGE, WakeUpCall

    alarm = WakeUpCall(time=args.time, days=args.days, tz=args.tz, to=args.to,
                       message=args.message or DEFAULT_WAKE_MESSAGE, retries=args.retries,
                       retry_minutes=args.retry_minutes, ring_seconds=args.ring_seconds, name=args.name,
                       from_=args.from_)
    if alarm.from_:
        check_caller_id(alarm.from_)  # now, not at ring time (Twilio error 21210)
    outcome = _store(args).save(alarm)
    print(f"{alarm.name}: {outcome} — {alarm.describe()}")
    for when in alarm.next_times(3):
        print(f"  rings {when:%a %Y-%m-%d %H:%M %Z}")
    return 0


def _list(args: argparse.Namespace) -> int:
    alarms = _store(args).alarms()
    if not alarms:
        print("No alarms saved: add one with `ata-helpers wakeup add --time 07:00 --tz Europe/Paris --to NUMBER` "
              "(see --help) or with notebook 09's form.")
    for alarm, _created in alarms:
        upcoming = alarm.next_times(1)[0]
        print(f"{alarm.name}: {alarm.describe()}; next {upcoming:%a %Y-%m-%d %H:%M %Z}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if _store(args).remove(args.name):
        print(f"{args.name}: removed")
        return 0
    print(f"{args.name}: no such alarm", file=sys.stderr)
    return 1


def _run(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta, timezone

    from ..wakeup.scheduler import WakeUpScheduler

    def say(text: str) -> None:
        print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S}Z {text}", flush=True)

    store = _store(args)
    runner = WakeUpScheduler(store, grace=timedelta(minutes=args.grace), tick_seconds=args.tick, say=say)
    say(f"ringing {len(store.names())} alarm(s) from {store.path}; Ctrl-C stops")
    runner.run()
    return 0


def _ring(args: argparse.Namespace) -> int:
    from ..wakeup.scheduler import WakeUpScheduler, ring_due

    store = _store(args)
    result = ring_due(args.name, store=store, scheduler=WakeUpScheduler(store, say=print))
    print(f"{args.name}: {result.get('state')} {result.get('detail', '')}".rstrip())
    return 0 if result.get("state") == "answered" else 3


def _export(args: argparse.Namespace) -> int:
    from ..wakeup.exports import crontab_line, home_assistant_config, systemd_units

    store = _store(args)
    alarm = store.get(args.name)
    db = store.path if args.db is not None else None  # the job must read the file the alarm is in
    if args.format == "crontab":
        print(crontab_line(alarm, command=args.command, db=db), end="")
    elif args.format == "systemd":
        for filename, text in systemd_units(alarm, command=args.command, db=db).items():
            print(f"# {filename}\n{text}")
    else:
        print(home_assistant_config(alarm, from_=args.from_), end="")
    return 0


def _history(args: argparse.Namespace) -> int:
    frame = _store(args).history(args.name)
    print(frame_text(frame))
    return 0
