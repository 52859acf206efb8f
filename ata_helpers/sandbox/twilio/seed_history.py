"""A realistic past for the sandbox's call log: a few hundred calls over weeks, from a fixed seed.

The calls are the ones a line like the course's makes. Inbound calls to the sandbox number are
forwarded to the ATA (`<Dial><Sip>`, a child call). Calls dialled from the ATA become an inbound
SIP call plus a child call to the number. Wake-up calls are placed through the REST API.
In the first third of the period the ATA still put its LAN address in Contact (the NAT story),
so the forwarded calls fail with 32011. Now and then the ATA is unregistered (32009) or a call
loses its audio (32014). Failures get the Monitor alerts Twilio would log. Two short incidents
later on give Voice Insights something to find: from 75 % to 80 % of the period a router rule
drops Twilio's media range (answered calls to the ATA have one-way audio), and from 84 % to 88 %
a reset put NAT Traversal back to No (forwarded calls connect and drop after 32 s, RFC 3261
§13.3.1.4). The incidents are kept with each call as the line simulation keeps its own
(`capture_hint`), so the Insights summaries and captures of those calls tell the same story.

Records have the shape the twin's Calls.create stores (absolute timelines in the past) and
everything derives from `seed` and `end` (default 2025-03-01 UTC, not "now"). The same
arguments therefore give the same calls, statuses and times.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ...settings import SANDBOX_LINE
from ..store import Store, open_store
from .alerts import add_alert
from .calls import new_call_record
from .incoming_phone_numbers import seed_account

__all__ = ["seed_call_history", "DEFAULT_END", "SANDBOX_NUMBER"]

DEFAULT_END = datetime(2025, 3, 1, tzinfo=timezone.utc)
SANDBOX_NUMBER = SANDBOX_LINE["ATA_PHONE_NUMBER"]
_LOCAL = ZoneInfo("America/Los_Angeles")
_CALLERS = ["+14155550123", "+14155550142", "+16505550187", "+12125550199", "+13105550111",
            "+442079460123", "+14085550176"]
_SIP_PRICE, _PSTN_PRICE = 0.004, 0.014
_NAT_TEXT = ("Error communicating with the SIP endpoint: no response to INVITE sent to "
             "sip:ht801@192.168.1.50:5060 (the Contact the ATA registered)")


def _record(store: Store, to: str, from_: str, direction: str, timeline: list[list[Any]],
            price: float | None, parent: str | None = None, hint: dict[str, Any] | None = None) -> dict[str, Any]:
    extra = {"capture_hint": hint} if hint else {}
    return new_call_record(store, to=to, **{"from": from_}, direction=direction, timeline=timeline,
                           price_per_minute=price, parent_call_sid=parent, timeout=30, time_scale=1.0,
                           date_created=timeline[0][0], date_updated=timeline[-1][0], **extra)


def _answered(t: float, ring: float, talk: float) -> list[list[Any]]:
    return [[t, "queued"], [t + 1, "ringing"], [t + 1 + ring, "in-progress"], [t + 1 + ring + talk, "completed"]]


def _unanswered(t: float, status: str, after: float) -> list[list[Any]]:
    return [[t, "queued"], [t + 1, "ringing"], [t + 1 + after, status]]


def _failed(t: float, after: float) -> list[list[Any]]:
    return [[t, "queued"], [t + after, "failed"]]


class _History:
    def __init__(self, store: Store, rng: random.Random, ata: str, start: datetime, days: int,
                 number: str) -> None:
        self.store, self.rng, self.ata, self.start, self.days, self.number = store, rng, ata, start, days, number
        self.domain = ata.split("@", 1)[1]

    def nat_broken(self, t: float) -> bool:
        return t < self.start.timestamp() + self.days * 86400 / 3

    def incident(self, t: float) -> str | None:
        """"media-blocked" or "ack-missing" inside the incident windows (see the module docstring), else None."""
        share = (t - self.start.timestamp()) / (self.days * 86400)
        if 0.75 <= share < 0.80:
            return "media-blocked"
        if 0.84 <= share < 0.88:
            return "ack-missing"
        return None

    def hint(self, incident: str) -> dict[str, Any]:
        """What the line simulation keeps with a call to the ATA that met `incident` (media.call_media reads it)."""
        from ..line.network import DEFAULT_ROUTER, NAT_PORT, WAN_IP

        router = {**DEFAULT_ROUTER, "blocked": ["168.86.128.0/18"]} if incident == "media-blocked" else DEFAULT_ROUTER
        return {"registered": True, "reachable": True, "ack_lost": incident == "ack-missing", "router": router,
                "port": 1, "user": self.ata.split("@", 1)[0].removeprefix("sip:"), "domain": self.domain,
                "contact_host": WAN_IP, "contact_port": NAT_PORT[1], "seeded_incident": incident}

    def talk(self) -> float:
        return round(self.rng.lognormvariate(4.6, 0.9))  # median ~100 s, a long tail

    def inbound_to_ata(self, t: float) -> int:
        """A caller rings the sandbox number; its TwiML forwards the call to the ATA."""
        caller = self.rng.choice(_CALLERS)
        roll = self.rng.random()
        if self.nat_broken(t) and roll < 0.85:
            child_tl, code, text = _failed(t + 1, 32), 32011, _NAT_TEXT
        elif roll < 0.06:
            child_tl, code, text = _failed(t + 1, 0.5), 32009, f"SIP user ht801 is not registered on {self.domain}"
        elif roll < 0.22:
            child_tl, code, text = _unanswered(t + 1, "no-answer", 30), None, ""
        elif roll < 0.27:
            child_tl, code, text = _unanswered(t + 1, "busy", 3), None, ""
        elif roll < 0.30:
            talk = self.rng.uniform(3, 12)
            child_tl, code, text = _answered(t + 1, self.rng.uniform(2, 12), talk), 32014, \
                "Call ended because no audio was received from the SIP endpoint"
        else:
            child_tl, code, text = _answered(t + 1, self.rng.uniform(2, 15), self.talk()), None, ""
        incident = self.incident(t) if child_tl[-1][1] == "completed" and not code else None
        if incident == "ack-missing":  # the ATA resends its 200 OK until Timer H (64·T1 = 32 s) and hangs up
            child_tl = _answered(t + 1, child_tl[2][0] - child_tl[1][0], 32)
        end = child_tl[-1][0] + 1
        parent_tl = [[t, "queued"], [t + 0.5, "ringing"], [t + 1, "in-progress"], [end, "completed"]]
        parent = _record(self.store, self.number, caller, "inbound", parent_tl, _PSTN_PRICE)
        child = _record(self.store, self.ata, self.number, "outbound-dial", child_tl, _SIP_PRICE,
                        parent=parent["sid"], hint=self.hint(incident) if incident else None)
        if code:
            add_alert(self.store, child["sid"], code, text, at=child_tl[-1][0])
        return 2

    def outbound_from_ata(self, t: float) -> int:
        """The ATA dials a number: an inbound SIP call, and the <Dial> child to the number."""
        callee = self.rng.choice(_CALLERS)
        roll = self.rng.random()
        if roll < 0.15:
            child_tl = _unanswered(t + 1, "no-answer", 30)
        elif roll < 0.22:
            child_tl = _unanswered(t + 1, "busy", 3)
        else:
            child_tl = _answered(t + 1, self.rng.uniform(3, 20), self.talk())
        end = child_tl[-1][0] + 0.5
        parent_tl = [[t, "queued"], [t + 0.2, "ringing"], [t + 0.5, "in-progress"], [end, "completed"]]
        parent = _record(self.store, f"sip:{callee}@{self.domain}", self.ata, "inbound", parent_tl, _SIP_PRICE)
        _record(self.store, callee, self.number, "outbound-dial", child_tl, _PSTN_PRICE, parent=parent["sid"])
        return 2

    def wake_up(self, t: float) -> int:
        """The morning alarm, placed through the REST API to the ATA's SIP address."""
        roll = self.rng.random()
        if self.nat_broken(t) and roll < 0.85:
            call = _record(self.store, self.ata, self.number, "outbound-api", _failed(t, 32), _SIP_PRICE)
            add_alert(self.store, call["sid"], 32011, _NAT_TEXT, at=t + 32)
        elif roll < 0.2:
            _record(self.store, self.ata, self.number, "outbound-api", _unanswered(t, "no-answer", 45), _SIP_PRICE)
        else:
            timeline = _answered(t, self.rng.uniform(4, 20), self.rng.uniform(5, 40))
            incident = self.incident(t)
            if incident == "ack-missing":
                timeline = _answered(t, timeline[2][0] - timeline[1][0], 32)
            _record(self.store, self.ata, self.number, "outbound-api", timeline, _SIP_PRICE,
                    hint=self.hint(incident) if incident else None)
        return 1


def seed_call_history(n: int = 300, seed: int = 8, days: int = 28, end: datetime = DEFAULT_END,
                      sip_uri: str | None = None, store: Store | None = None) -> dict[str, Any]:
    """Insert about `n` past calls (±1: calls come in parent/child pairs) over `days` days before `end`.

    Running it again with the same arguments adds nothing. Returns a summary with `calls` and
    `alerts` (how many were added) and `start`/`end`.
    """
    from ...calls.place import check_destination
    from ...errors import ValidationError
    from ...line import LineInputs

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100_000:
        raise ValidationError("n", "a whole number of calls from 1 to 100000", n)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise ValidationError("days", "a whole number of days from 1 to 3650", days)
    if end.tzinfo is None:
        raise ValidationError("end", "a timezone-aware datetime (e.g. tzinfo=timezone.utc)", end)
    ata = check_destination(sip_uri or LineInputs.load().device_uri, "sip_uri")
    store = store or open_store()
    seed_account(store)
    start = end - timedelta(days=days)
    key = f"seeded:history:{n}:{seed}:{days}:{end.timestamp():.0f}:{ata}"
    done = store.get_value(key)
    if done:
        return {**done, "added": False}
    rng = random.Random(seed)
    history = _History(store, rng, ata, start, days, SANDBOX_NUMBER)
    alerts_before = store.count("alert")
    events: list[tuple[float, str]] = []
    day = start.astimezone(_LOCAL).date()
    while len(events) < n:  # enough candidate events; trimmed to n calls below
        for offset in range(days):
            local_day = day + timedelta(days=offset)
            if local_day.weekday() < 5:
                alarm = datetime(local_day.year, local_day.month, local_day.day, 6, 30, tzinfo=_LOCAL)
                events.append((alarm.timestamp(), "wake_up"))
            for _ in range(rng.randint(2, 9)):
                minute = rng.randint(8 * 60, 22 * 60)
                moment = datetime(local_day.year, local_day.month, local_day.day, minute // 60, minute % 60,
                                  rng.randint(0, 59), tzinfo=_LOCAL)
                events.append((moment.timestamp(), rng.choice(("inbound_to_ata", "inbound_to_ata",
                                                             "outbound_from_ata"))))
        if len(events) < n:
            rng = random.Random(rng.random())
    in_range = sorted(e for e in events if start.timestamp() <= e[0] < end.timestamp())
    rng.shuffle(in_range)
    picked: list[tuple[float, str]] = []
    planned = 0
    for when, kind in in_range:  # a random subset spread over the whole period, n calls in all
        if planned >= n:
            break
        if kind != "wake_up" and planned + 2 > n:
            kind = "wake_up"
        picked.append((when, kind))
        planned += 1 if kind == "wake_up" else 2
    made = 0
    with store.transaction():
        for when, kind in sorted(picked):
            made += getattr(history, kind)(when)
    summary = {"calls": made, "alerts": store.count("alert") - alerts_before,
               "start": start.isoformat(), "end": end.isoformat()}
    store.set_value(key, summary)
    return {**summary, "added": True}
