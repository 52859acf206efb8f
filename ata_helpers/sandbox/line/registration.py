"""What a real line would do with the ATA's settings: does FXS port N register with Twilio?

The answer is computed from the device twin's P-values and the Twilio twin's state in the shared
Store (records `sip_domain`, `auth_registrations_credential_list_mapping`, `credential`), following
the checks Twilio makes on a REGISTER: the domain exists, registration is enabled on it (else 32210), a credential list is
mapped for registrations (else 32212), and the digest username and password match a credential
in a mapped list (else 403, shown in Twilio's debugger as 32202).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...grandstream.settings_model import setting
from ...line import sip_domain
from ...twilio_ranges import twilio_edges
from ..ht80x.twin import secret_digest

__all__ = ["port_status", "device_ports", "note_register_attempt", "TWILIO_EDGES", "PORT_PVALUES",
           "REGISTER_RETRY"]

# seconds between an HT80x's REGISTER attempts after a refusal; Twilio's debugger logs each one
REGISTER_RETRY = 60.0

# what this simulation reads -> the settings model's name for it
_READS = {"active": "account_active", "registration": "registration", "server": "sip_server", "user": "user_id",
          "auth": "auth_id", "password": "password"}
# FXS port -> the P-values this simulation reads (from the settings model)
PORT_PVALUES: dict[int, dict[str, str]] = {
    port: {key: setting(name).pvalue(port) for key, name in _READS.items()} for port in (1, 2)}

# Twilio's edge locations and the legacy region names accepted in `DOMAIN.sip.EDGE.twilio.com`,
# from the ranges data file (the package's only list of edges)
TWILIO_EDGES = frozenset({e.name for e in twilio_edges()} | {e.legacy_name for e in twilio_edges() if e.legacy_name})

_TWILIO_HOST = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)\.sip(?:\.(?P<edge>[a-z0-9-]+))?\.twilio\.com$")


def _result(registered: bool, reason: str, code: int | None = None, sip_status: int | None = None,
            fix: str = "", domain_sid: str = "") -> dict[str, Any]:
    out = {"registration": "Registered" if registered else "Not Registered", "reason": reason,
           "code": code, "sip_status": sip_status, "fix": fix}
    if domain_sid:
        out["domain_sid"] = domain_sid
    return out


def _find_domain(store: Any, full_name: str) -> tuple[str, dict[str, Any]] | None:
    """(record sid, data) of the Twilio twin's domain named `full_name`, or None."""
    short = full_name.removesuffix(".sip.twilio.com")
    for row in store.execute("SELECT sid, data FROM records WHERE kind='sip_domain' ORDER BY seq"):
        domain = json.loads(row["data"])
        if str(domain.get("domain_name", "")).lower() in (full_name, short):
            return row["sid"], domain
    return None


def port_status(pvalues: dict[str, str], port: int, store: Any = None) -> dict[str, Any]:
    """Registration of FXS `port` as Twilio would decide it: registration, reason, code, sip_status, fix."""
    if store is None:
        from ..store import open_store

        store = open_store()
    keys = PORT_PVALUES[port]

    def value(key: str) -> str:
        return str(pvalues.get(keys[key], "") or "")

    def at(key: str, wanted: object = None) -> str:
        """'Label (P271)' or 'Label (P271) = Yes', worded by the settings model."""
        info = setting(_READS[key])
        return info.describe(port) if wanted is None else info.describe(port, wanted)

    def is_(key: str, current: object) -> str:
        """'Label is No (P31)'."""
        info = setting(_READS[key])
        return f"{info.label} is {info.wording(current)} ({info.pvalue(port)})"

    if value("active") != "1":
        return _result(False, f"the account is not active ({is_('active', False)})",
                       fix=f"set {at('active', True)}")
    if value("registration") != "1":
        return _result(False, f"{is_('registration', False)}, so the port never registers",
                       fix=f"set {at('registration', True)}")
    server = value("server").strip().lower()
    if not server:
        return _result(False, f"no {at('server')} is set",
                       fix=f"set {setting('sip_server').label} to your Twilio domain, e.g. example.sip.twilio.com")
    host, _, _number = server.partition(":")
    match = _TWILIO_HOST.match(host)
    if not match:
        return _result(False, f"{host} is not a Twilio SIP domain; the sandbox has no other SIP server, "
                              "so the REGISTER goes unanswered", fix="use DOMAIN.sip.twilio.com")
    edge = match.group("edge")
    if edge and edge not in TWILIO_EDGES:
        return _result(False, f"{host} does not resolve: {edge!r} is not a Twilio edge location",
                       fix="use DOMAIN.sip.twilio.com or an edge such as DOMAIN.sip.ashburn.twilio.com")
    full_name = sip_domain(match.group("name"))
    user = value("user").strip()
    auth = value("auth").strip() or user
    if not user:
        return _result(False, f"no {at('user')} is set",
                       fix=f"set {setting('user_id').label} to the credential's username")
    found = _find_domain(store, full_name)
    if found is None:
        return _result(False, f"Twilio has no SIP domain {full_name} in this account (404 Not Found)",
                       sip_status=404, fix="create the domain first, or correct the Primary SIP Server")
    domain_sid, domain = found
    if not domain.get("sip_registration"):
        return _result(False, f"SIP Registration is disabled on the domain {full_name} (Twilio error 32210)",
                       code=32210, sip_status=403, fix="turn on SIP Registration for the domain",
                       domain_sid=domain_sid)
    mappings = store.list("auth_registrations_credential_list_mapping", parent=domain_sid)
    if not mappings:
        return _result(False, f"no credential list is mapped for registration on {full_name} (Twilio error 32212)",
                       code=32212, sip_status=403, domain_sid=domain_sid,
                       fix="map your credential list under the domain's SIP Registration settings")
    digest = secret_digest(value("password"))  # the twin keeps only the password's digest
    password = bool(digest)
    known_user = False
    for mapping in mappings:
        for credential in store.list("credential", parent=str(mapping.get("sid", ""))):
            if credential.get("username") != auth:
                continue
            known_user = True
            if password and credential.get("password_sha256") == digest:
                return _result(True, f"registered to {host} as {user}", sip_status=200)
    if not known_user:
        return _result(False, f"authentication failed: no credential named {auth!r} in a list mapped for "
                              f"registration on {full_name} (403 Forbidden, Twilio error 32202)",
                       code=32202, sip_status=403, domain_sid=domain_sid,
                       fix=f"set {at('auth')} to the credential's username, "
                           "or add that credential to the mapped list")
    if not password:
        reason = f"authentication failed: the device holds no SIP password ({at('password')})"
    else:
        reason = f"authentication failed: wrong password for {auth!r}"
    return _result(False, reason + " (403 Forbidden, Twilio error 32202)", code=32202, sip_status=403,
                   domain_sid=domain_sid, fix=f"write the credential's password to {at('password')}; "
                       "if the device ignores it over HTTP, load the provisioning file")


def note_register_attempt(store: Any, port: int, outcome: dict[str, Any]) -> None:
    """Log Twilio's debugger alert for a REGISTER Twilio refused with an error code, as Twilio does.

    The device retries a refused REGISTER every REGISTER_RETRY seconds or so and Twilio logs an
    alert (32202, 32210, 32212) for each; the simulation logs one per distinct refusal and
    retry interval, and forgets it once the port registers or fails without Twilio's answer.
    """
    from ..twilio.alerts import add_alert
    from ..twilio.format import now

    key = f"line:register_refused:{port}"

    def logged(last: Any, at: float) -> bool:  # this refusal is already in the debugger
        return bool(last) and last.get("reason") == outcome["reason"] and at - float(last.get("at", 0)) < REGISTER_RETRY

    if not outcome.get("code"):
        if store.get_value(key) is not None:
            store.set_value(key, None)
        return
    if logged(store.get_value(key), now()):  # the common case, a status read: no write at all
        return
    with store.transaction():  # one process logs it, however many read the status at once
        at = now()
        if logged(store.get_value(key), at):
            return
        add_alert(store, str(outcome.get("domain_sid") or ""), int(outcome["code"]),
                  f"SIP REGISTER refused: {outcome['reason']}", at=at)
        store.set_value(key, {"reason": outcome["reason"], "at": at})


def device_ports(store: Any = None) -> list[dict[str, Any]]:
    """The verdict for each port of the sandbox's HT80x twin, as Twilio's side would explain it."""
    from ..ht80x.twin import port_count, twin_pvalues
    from ..store import open_store

    store = store or open_store()
    count = port_count(store)
    values = twin_pvalues(store)
    return [{"port": port, **port_status(values, port, store)} for port in range(1, count + 1)]
