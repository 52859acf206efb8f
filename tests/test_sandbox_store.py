"""The sandbox Store: records and values shared by every process, kept under Twilio's resource names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ata_helpers.sandbox.store import Store


def test_records_and_values_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    store.insert("sip_domain", "SD1", {"domain_name": "a.sip.twilio.com"})
    store.set_value("seeded", True)
    assert store.get("sip_domain", "SD1") == {"domain_name": "a.sip.twilio.com"}
    assert store.get_value("seeded") is True and store.count("sip_domain") == 1
    assert (tmp_path / "state.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_sandbox_made_with_the_old_kind_names_keeps_its_records(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    Store(path)  # the schema
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO records(sid, kind, parent, seq, data) VALUES('AL1', 'ip_acl', '', 1, '{}')")
        db.execute("INSERT INTO records(sid, kind, parent, seq, data) VALUES('CL1', 'reg_mapping', 'SD1', 1, '{}')")
        db.execute("INSERT INTO kv(key, value) VALUES('counter:seq:ip_acl', '1')")
    store = Store(path)
    assert store.count("ip_acl") == 0 and store.count("ip_access_control_list") == 1
    assert store.list("auth_registrations_credential_list_mapping", "SD1") == [{}]
    store.insert("ip_access_control_list", "AL2", {"n": 2})
    assert [r for r in store.list("ip_access_control_list")] == [{}, {"n": 2}]  # order kept
