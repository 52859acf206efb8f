"""SQLite state shared by every process that uses the same sandbox folder.

WAL journaling and `BEGIN IMMEDIATE` transactions make two kernels writing at once safe: one
waits for the other (busy timeout) instead of failing or losing a write.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from ..sqlite_util import connect, immediate_transaction

__all__ = ["Store", "open_store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    sid TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, parent, sid)
);
CREATE INDEX IF NOT EXISTS records_kind_parent ON records(kind, parent, seq);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Record kinds renamed to Twilio's resource names; a sandbox made before keeps its records.
_RENAMED_KINDS = {
    "reg_mapping": "auth_registrations_credential_list_mapping",
    "call_cred_mapping": "auth_calls_credential_list_mapping",
    "call_acl_mapping": "auth_calls_ip_access_control_list_mapping",
    "ip_acl": "ip_access_control_list",
    "incoming_number": "incoming_phone_number",
    "trunk_acl": "trunk_ip_access_control_list",
}


class Store:
    """Records (kind, sid, parent, JSON data) and a key/value table in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        if not self.path.exists():
            # The state holds SIP credential digests and device settings: owner-only.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._connection().executescript(_SCHEMA)
        with self.transaction() as db:
            for old, new in _RENAMED_KINDS.items():
                db.execute("UPDATE records SET kind=? WHERE kind=?", (new, old))
                db.execute("UPDATE kv SET key=? WHERE key=?", (f"counter:seq:{new}", f"counter:seq:{old}"))

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
        return db

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction taken at once (BEGIN IMMEDIATE), nested calls join the outer one."""
        return immediate_transaction(self._connection())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run one statement outside an explicit transaction and return its rows."""
        return list(self._connection().execute(sql, params))

    def clear(self) -> None:
        """Delete every record and value (a sandbox reset), in one transaction."""
        with self.transaction() as db:
            db.execute("DELETE FROM records")
            db.execute("DELETE FROM kv")

    # -- counters and SIDs -------------------------------------------------------------
    def next_counter(self, name: str) -> int:
        """Increment and return a named counter (starts at 1)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM kv WHERE key=?", (f"counter:{name}",)).fetchone()
            value = int(row["value"]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO kv(key, value) VALUES(?, ?)", (f"counter:{name}", str(value)))
        return value

    def new_sid(self, prefix: str) -> str:
        """A Twilio-shaped SID: prefix + 32 hex digits, deterministic for a fresh sandbox."""
        n = self.next_counter("sid")
        return prefix + hashlib.sha256(f"ata-sandbox:{prefix}:{n}".encode()).hexdigest()[:32]

    # -- key/value ---------------------------------------------------------------------
    def get_value(self, key: str, default: Any = None) -> Any:
        """A JSON value from the key/value table, or `default`."""
        row = self._connection().execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_value(self, key: str, value: Any) -> None:
        """Store a JSON value under `key` (replacing any)."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO kv(key, value) VALUES(?, ?)", (key, json.dumps(value)))

    # -- records -----------------------------------------------------------------------
    def insert(self, kind: str, sid: str, data: dict[str, Any], parent: str = "") -> dict[str, Any]:
        """Add a record of `kind` under `parent`; returns `data`."""
        with self.transaction() as db:
            seq = self.next_counter(f"seq:{kind}")
            db.execute("INSERT INTO records(sid, kind, parent, seq, data) VALUES(?,?,?,?,?)",
                       (sid, kind, parent, seq, json.dumps(data)))
        return data

    def get(self, kind: str, sid: str, parent: str | None = None) -> dict[str, Any] | None:
        """One record's data by kind and SID (optionally under `parent`), or None."""
        sql, params = "SELECT data FROM records WHERE kind=? AND sid=?", [kind, sid]
        if parent is not None:
            sql += " AND parent=?"
            params.append(parent)
        row = self._connection().execute(sql, params).fetchone()
        return json.loads(row["data"]) if row else None

    def update(self, kind: str, sid: str, data: dict[str, Any], parent: str | None = None) -> None:
        """Replace a record's data."""
        sql, params = "UPDATE records SET data=? WHERE kind=? AND sid=?", [json.dumps(data), kind, sid]
        if parent is not None:
            sql += " AND parent=?"
            params.append(parent)
        with self.transaction() as db:
            db.execute(sql, params)

    def delete(self, kind: str, sid: str, parent: str | None = None) -> bool:
        """Delete one record; True when it existed."""
        sql, params = "DELETE FROM records WHERE kind=? AND sid=?", [kind, sid]
        if parent is not None:
            sql += " AND parent=?"
            params.append(parent)
        with self.transaction() as db:
            return db.execute(sql, params).rowcount > 0

    def delete_children(self, parent: str) -> None:
        """Delete every record whose parent is `parent`."""
        with self.transaction() as db:
            db.execute("DELETE FROM records WHERE parent=?", (parent,))

    def delete_everywhere(self, kind: str, sid: str) -> int:
        """Delete every record of a kind with this SID, whatever its parent (e.g. all mappings of a list)."""
        with self.transaction() as db:
            return db.execute("DELETE FROM records WHERE kind=? AND sid=?", (kind, sid)).rowcount

    def list(self, kind: str, parent: str | None = None) -> list[dict[str, Any]]:
        """Records of `kind` (optionally under `parent`) in creation order."""
        sql, params = "SELECT data FROM records WHERE kind=?", [kind]
        if parent is not None:
            sql += " AND parent=?"
            params.append(parent)
        sql += " ORDER BY seq"
        return [json.loads(r["data"]) for r in self._connection().execute(sql, params)]

    def count(self, kind: str, parent: str | None = None) -> int:
        """How many records of `kind` (optionally under `parent`)."""
        sql, params = "SELECT COUNT(*) FROM records WHERE kind=?", [kind]
        if parent is not None:
            sql += " AND parent=?"
            params.append(parent)
        return int(self._connection().execute(sql, params).fetchone()[0])


_STORES: dict[Path, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(folder: Path | None = None) -> Store:
    """The Store of a sandbox folder (default: settings.sandbox_dir()), one per process."""
    from ..settings import sandbox_dir

    path = (Path(folder) if folder else sandbox_dir()) / "state.sqlite3"
    path = path.resolve()
    with _STORES_LOCK:
        if path not in _STORES or not path.exists():
            _STORES[path] = Store(path)
        return _STORES[path]
