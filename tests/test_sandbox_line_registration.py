"""The line simulation's registration verdict against the Twilio twin's records in the Store."""

from __future__ import annotations

import hashlib

import pytest

from ata_helpers.sandbox.line.registration import port_status
from ata_helpers.sandbox.store import Store, open_store

DOMAIN_SID = "SD" + "1" * 32
LIST_SID = "CL" + "2" * 32


def twilio_side(store: Store, registration: bool = True, mapped: bool = True,
                username: str = "alice", password: str = "Secret123456") -> None:
    store.insert("sip_domain", DOMAIN_SID, {"sid": DOMAIN_SID, "domain_name": "example.sip.twilio.com",
                                            "sip_registration": registration})
    store.insert("credential_list", LIST_SID, {"sid": LIST_SID, "friendly_name": "ata"})
    store.insert("credential", "CR" + "3" * 32,
                 {"username": username, "password_sha256": hashlib.sha256(password.encode()).hexdigest()},
                 parent=LIST_SID)
    if mapped:
        store.insert("auth_registrations_credential_list_mapping", "RM" + "4" * 32, {"sid": LIST_SID},
                     parent=DOMAIN_SID)


def device(port: int = 1, **overrides: str) -> dict[str, str]:
    keys = {1: ("P271", "P31", "P47", "P35", "P36", "P34"), 2: ("P401", "P731", "P747", "P735", "P736", "P734")}
    active, reg, server, user, auth, password = keys[port]
    values = {active: "1", reg: "1", server: "example.sip.twilio.com", user: "alice", auth: "alice",
              password: "Secret123456"}
    values.update(overrides)
    return values


@pytest.fixture
def store() -> Store:
    return open_store()


def test_registers_when_everything_matches(store: Store) -> None:
    twilio_side(store)
    result = port_status(device(), 1, store)
    assert result["registration"] == "Registered" and result["sip_status"] == 200


@pytest.mark.parametrize("server", ["example.sip.twilio.com:5060", "example.sip.ashburn.twilio.com",
                                    "EXAMPLE.sip.us1.twilio.com"])
def test_edge_and_legacy_region_forms_register(store: Store, server: str) -> None:
    twilio_side(store)
    assert port_status(device(P47=server), 1, store)["registration"] == "Registered"


def test_port_two_uses_its_own_pvalues(store: Store) -> None:
    twilio_side(store)
    assert port_status(device(2), 2, store)["registration"] == "Registered"
    assert port_status(device(1), 2, store)["registration"] == "Not Registered"


def test_domain_name_stored_without_suffix_is_found(store: Store) -> None:
    store.insert("sip_domain", DOMAIN_SID, {"domain_name": "example", "sip_registration": True})
    store.insert("auth_registrations_credential_list_mapping", "RM1", {"sid": LIST_SID}, parent=DOMAIN_SID)
    store.insert("credential", "CR1", {"username": "alice",
                                       "password_sha256": hashlib.sha256(b"Secret123456").hexdigest()},
                 parent=LIST_SID)
    assert port_status(device(), 1, store)["registration"] == "Registered"


@pytest.mark.parametrize("setup, overrides, code, sip_status, words", [
    ({}, {"P271": "0"}, None, None, "not active"),
    ({}, {"P31": "0"}, None, None, "SIP Registration is No"),
    ({}, {"P47": ""}, None, None, "no Primary SIP Server"),
    ({}, {"P47": "pbx.example.com"}, None, None, "not a Twilio SIP domain"),
    ({}, {"P47": "example.sip.mars.twilio.com"}, None, None, "not a Twilio edge"),
    ({}, {"P47": "other.sip.twilio.com"}, None, 404, "no SIP domain other.sip.twilio.com"),
    ({"registration": False}, {}, 32210, 403, "disabled on the domain"),
    ({"mapped": False}, {}, 32212, 403, "no credential list is mapped"),
    ({}, {"P36": "bob"}, 32202, 403, "no credential named 'bob'"),
    ({}, {"P34": "Wrong1234567"}, 32202, 403, "wrong password"),
    ({}, {"P34": ""}, 32202, 403, "holds no SIP password"),
])
def test_not_registered_gives_twilios_reason(store: Store, setup: dict, overrides: dict, code: int | None,
                                             sip_status: int | None, words: str) -> None:
    twilio_side(store, **setup)
    result = port_status(device(**overrides), 1, store)
    assert result["registration"] == "Not Registered"
    assert result["code"] == code and result["sip_status"] == sip_status
    assert words in result["reason"] and result["fix"]


def test_nothing_on_the_twilio_side_means_domain_not_found(store: Store) -> None:
    result = port_status(device(), 1, store)
    assert result["registration"] == "Not Registered" and result["sip_status"] == 404


def test_empty_auth_id_falls_back_to_user_id(store: Store) -> None:
    twilio_side(store)
    assert port_status(device(P36=""), 1, store)["registration"] == "Registered"
