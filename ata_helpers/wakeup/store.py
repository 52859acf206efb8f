"""Where alarms and their ring history live: one small SQLite file.

The file is `ATA_WAKEUP_DB` when set; otherwise `wakeup.sqlite3` in the course's state folder
(`settings.state_dir()`: the twins' folder, or `generated/` at the project root). Each ring time of an alarm is one row of
`occurrences`, keyed by the alarm's name and the UTC instant it was due: that key is what makes
the scheduler ring an alarm at most once per ring time, across restarts and clock changes.
Claims are taken with `BEGIN IMMEDIATE`, so two schedulers on one file cannot both ring.

A scheduler holds the store's ring lock (a lock file beside the database, see `ata_helpers.locks`)
from claiming a ring time until the call's SID is recorded. The system drops that lock when the
process dies, so a ring time found in `placing` with the lock free was left half-done by a crash.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import ValidationError
from ..locks import try_lock
from ..sqlite_util import connect, immediate_transaction
from .schedule import WakeUpCall

__all__ = ["AlarmStore", "default_alarm_db", "OPEN_STATES", "FINAL_STATES"]

# occurrence states: due → placing → ringing → answered | retry → placing … | unanswered
OPEN_STATES = ("due", "placing", "ringing", "retry")
FINAL_STATES = ("answered", "unanswered", "missed", "failed", "uncertain")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alarms (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS occurrences (
    alarm TEXT NOT NULL,
    due REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    network_errors INTEGER NOT NULL DEFAULT 0,
    next_try REAL,
    call_sid TEXT,
    updated_at REAL NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (alarm, due)
);
CREATE TABLE IF NOT EXISTS attempts (
    alarm TEXT NOT NULL,
    due REAL NOT NULL,
    attempt INTEGER NOT NULL,
    placed_at REAL NOT NULL,
    call_sid TEXT,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (alarm, due, attempt, placed_at)
);
"""


def default_alarm_db() -> Path:
    """ATA_WAKEUP_DB, else wakeup.sqlite3 in the state folder (settings.state_dir())."""
    from ..settings import load_env, state_dir

    load_env()
    configured = os.environ.get("ATA_WAKEUP_DB", "").strip()
    if configured:
        return Path(configured).expanduser()
    return state_dir() / "wakeup.sqlite3"


def _ts(when: datetime) -> float:
    return when.astimezone(timezone.utc).timestamp()


class AlarmStore:
    """Alarms by name, one row per ring time (occurrence) and one per call attempt."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_alarm_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._local = threading.local()
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path, wal=False)
        return db

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction taken at once, so a check-then-claim cannot race another process."""
        return immediate_transaction(self._db())

    @property
    def lock_path(self) -> Path:
        """The ring lock's file, beside the database."""
        return self.path.with_name(self.path.name + ".ring.lock")

    @contextmanager
    def ring_lock(self) -> Iterator[bool]:
        """Take the ring lock if no other scheduler holds it; yields whether it was taken."""
        with try_lock(self.lock_path) as taken:
            yield taken

    def close(self) -> None:
        """Close the database connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- alarms -----------------------------------------------------------------------------------
    def save(self, alarm: WakeUpCall, now: datetime | None = None) -> str:
        """Add or replace an alarm by name; returns 'created', 'updated' or 'unchanged'.

        A replaced alarm keeps its creation time and ring history.
        """
        spec = json.dumps(alarm.to_dict(), sort_keys=True)
        created = _ts(now or datetime.now(timezone.utc))
        with self.transaction() as db:
            row = db.execute("SELECT spec FROM alarms WHERE name=?", (alarm.name,)).fetchone()
            if row is None:
                db.execute("INSERT INTO alarms(name, spec, created_at) VALUES(?,?,?)",
                           (alarm.name, spec, created))
                return "created"
            if row["spec"] == spec:
                return "unchanged"
            db.execute("UPDATE alarms SET spec=? WHERE name=?", (spec, alarm.name))
            return "updated"

    def get(self, name: str) -> WakeUpCall:
        """One alarm by name, or None."""
        row = self._db().execute("SELECT spec FROM alarms WHERE name=?", (name,)).fetchone()
        if row is None:
            raise ValidationError("name", f"the name of a saved alarm ({', '.join(self.names()) or 'none saved'})",
                                  name)
        return WakeUpCall.from_dict(json.loads(row["spec"]))

    def names(self) -> list[str]:
        """The names of every stored alarm."""
        return [r["name"] for r in self._db().execute("SELECT name FROM alarms ORDER BY name")]

    def alarms(self) -> list[tuple[WakeUpCall, datetime]]:
        """Every alarm with its creation time (an alarm never rings for a time before it existed)."""
        rows = self._db().execute("SELECT spec, created_at FROM alarms ORDER BY name").fetchall()
        return [(WakeUpCall.from_dict(json.loads(r["spec"])),
                 datetime.fromtimestamp(r["created_at"], timezone.utc)) for r in rows]

    def remove(self, name: str) -> bool:
        """Forget an alarm and its history; False when there was none by that name."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM alarms WHERE name=?", (name,)).rowcount > 0
            db.execute("DELETE FROM occurrences WHERE alarm=?", (name,))
            db.execute("DELETE FROM attempts WHERE alarm=?", (name,))
        return gone

    # -- occurrences ------------------------------------------------------------------------------
    def occurrence(self, name: str, due: datetime) -> dict[str, Any] | None:
        """The stored state of one ring time of an alarm, or None."""
        row = self._db().execute("SELECT * FROM occurrences WHERE alarm=? AND due=?",
                                 (name, _ts(due))).fetchone()
        return dict(row) if row else None

    def add_occurrence(self, name: str, due: datetime, state: str, now: datetime, detail: str = "") -> bool:
        """Record a ring time once; False when it was already recorded (by anyone, ever)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO occurrences(alarm, due, state, next_try, updated_at, detail) "
                "VALUES(?,?,?,?,?,?)", (name, _ts(due), state, _ts(now), _ts(now), detail))
            return cursor.rowcount > 0

    def claim(self, name: str, due: float, now: datetime) -> dict[str, Any] | None:
        """Move an occurrence that is ready to ring to 'placing' and return it; None if not ready."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM occurrences WHERE alarm=? AND due=? AND state IN ('due','retry') "
                             "AND (next_try IS NULL OR next_try<=?)", (name, due, _ts(now))).fetchone()
            if row is None:
                return None
            db.execute("UPDATE occurrences SET state='placing', updated_at=? WHERE alarm=? AND due=?",
                       (_ts(now), name, due))
            data = dict(row)
            data["state"] = "placing"
            return data

    def set_state(self, name: str, due: float, now: datetime, **fields: Any) -> None:
        """Record a ring time's new state and detail."""
        allowed = {"state", "attempts", "network_errors", "next_try", "call_sid", "detail"}
        if not set(fields) <= allowed:
            raise ValueError(f"unknown occurrence fields {set(fields) - allowed}")
        assignments = ", ".join(f"{k}=?" for k in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE occurrences SET {assignments}, updated_at=? WHERE alarm=? AND due=?",
                       (*fields.values(), _ts(now), name, due))

    def record_placed(self, name: str, due: float, attempt: int, now: datetime, call_sid: str,
                      detail: str = "") -> None:
        """One transaction: the ring time is `ringing` call `call_sid`, and the attempt log says so."""
        with self.transaction():
            self.set_state(name, due, now, state="ringing", attempts=attempt, call_sid=call_sid,
                           network_errors=0, detail=detail)
            self.log_attempt(name, due, attempt, now, "placed", call_sid, detail)

    def known_calls(self, name: str, due: float) -> set[str]:
        """SIDs of every call already logged for one ring time."""
        rows = self._db().execute("SELECT call_sid FROM attempts WHERE alarm=? AND due=? AND call_sid IS NOT NULL",
                                  (name, due)).fetchall()
        return {r["call_sid"] for r in rows}

    def open_occurrences(self) -> list[dict[str, Any]]:
        """Occurrences still in progress (due, placing, ringing, waiting to retry), oldest first."""
        marks = ",".join("?" * len(OPEN_STATES))
        rows = self._db().execute(f"SELECT * FROM occurrences WHERE state IN ({marks}) ORDER BY due",
                                  OPEN_STATES).fetchall()
        return [dict(r) for r in rows]

    def log_attempt(self, name: str, due: float, attempt: int, now: datetime, status: str,
                    call_sid: str | None = None, detail: str = "") -> None:
        """Log one call attempt for a ring time."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO attempts(alarm, due, attempt, placed_at, call_sid, status, detail) "
                       "VALUES(?,?,?,?,?,?,?)", (name, due, attempt, _ts(now), call_sid, status, detail))

    def update_attempt(self, name: str, due: float, call_sid: str, status: str, detail: str = "") -> None:
        """Update a logged attempt's status (and detail, when one is given)."""
        with self.transaction() as db:
            db.execute("UPDATE attempts SET status=?, detail=CASE WHEN ?='' THEN detail ELSE ? END "
                       "WHERE alarm=? AND due=? AND call_sid=?", (status, detail, detail, name, due, call_sid))

    def history(self, name: str | None = None) -> "Any":
        """Ring times and what happened (pandas DataFrame, newest first)."""
        import pandas as pd

        sql = "SELECT alarm, due, state, attempts, call_sid, detail FROM occurrences"
        params: tuple[Any, ...] = ()
        if name is not None:
            sql += " WHERE alarm=?"
            params = (name,)
        rows = [dict(r) for r in self._db().execute(sql + " ORDER BY due DESC", params)]
        frame = pd.DataFrame(rows, columns=["alarm", "due", "state", "attempts", "call_sid", "detail"])
        frame["due"] = pd.to_datetime(frame["due"], unit="s", utc=True)
        from ..empty_results import explain_empty

        who = f"the alarm {name!r}" if name is not None else "any alarm"
        return explain_empty(frame, f"Nothing has rung yet for {who}: an alarm rings only while the scheduler "
                                    "runs (`ata-helpers wakeup run`, or the cron/systemd export), or with the "
                                    "test ring of notebook 09.")

    def attempts(self, name: str | None = None) -> list[dict[str, Any]]:
        """Every call attempt (the log), oldest first."""
        sql = "SELECT * FROM attempts"
        params: tuple[Any, ...] = ()
        if name is not None:
            sql += " WHERE alarm=?"
            params = (name,)
        return [dict(r) for r in self._db().execute(sql + " ORDER BY placed_at, attempt", params)]
