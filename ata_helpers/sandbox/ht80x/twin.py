"""The HT80x device twin: an HTTP server speaking the HT801V2/HT802V2 web API on 127.0.0.1.

It answers what the real V2 firmware answers (reference §3.2): `dologin` with a base64 `P2`,
a `session_id` cookie plus `session_token`, `api.values.get` / `api.values.post` (the token
rotates on a write), `rs` (reboot: the device drops connections for a while), `remain<N>` after a
wrong password and `locked` after five. The SIP passwords P34/P734 are write-only. Port status
(P4921/P4922) comes from the line simulation against the Twilio twin's state.

State lives in the sandbox Store (kv keys `ht80x:*`), so every kernel sees the same device. The
write-only secrets (admin password P2, SIP passwords P34/P734, P196) are kept only as SHA-256
digests (`sha256:<hex>`): the sandbox folder never holds a password, and so neither do the line
simulation's call snapshots, which copy these values.
`configure_twin()` switches documented firmware behaviours on for lessons and tests: legacy V1
firmware, SIP password writes ignored, session invalidated (not rotated) after a write.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from ...grandstream import settings_model
from ...grandstream.settings_model import STATUS_SETTINGS
from ..http_base import TwinHandler
from ..store import Store, open_store

__all__ = [
    "device_url",
    "configure_twin",
    "twin_quirks",
    "port_count",
    "twin_pvalues",
    "factory_pvalues",
    "HT80xTwinHandler",
    "SANDBOX_ADMIN_PASSWORD",
    "SANDBOX_MAC",
    "DEFAULT_QUIRKS",
    "kept_secret",
    "secret_digest",
]

SANDBOX_ADMIN_PASSWORD = "admin"
SANDBOX_MAC = "ec74d7a1b2c3"
SERVICE = "ht80x"

DEFAULT_QUIRKS: dict[str, Any] = {
    "firmware": "v2",            # "v1" serves the legacy HTML login instead of the JSON API
    "product": "HT802V2",
    "program_version": "1.0.9.3",
    "password_writable": True,   # False: P34/P734 writes answer success but are not stored [MT]
    "ignored_pvalues": [],       # other P-values this firmware accepts and silently drops
    "after_write": "rotate",     # "invalidate": the session ends after api.values.post [FS]
    "reboot_seconds": 2.0,       # a real unit is away 30-60 s; short so lessons stay quick
}

_WRITE_ONLY = {"P2", "P34", "P734", "P196"}
_READ_ONLY = {p for info in STATUS_SETTINGS.values() for port in info.pvalues for p in port} | {
    "P67", "P68", "P89", "P199", "P80"}
_DIGEST = "sha256:"


def kept_secret(value: str) -> str:
    """How the twin stores a write-only value given in the clear: `sha256:<hex digest>`, or '' for none."""
    from ..twilio.credential_lists import password_hash

    return _DIGEST + password_hash(value) if value else ""


def _kept(stored: str) -> str:
    """A stored write-only value, digested if it is still in the clear (a sandbox from before digests)."""
    return stored if not stored or stored.startswith(_DIGEST) else kept_secret(stored)


def secret_digest(stored: str | None) -> str:
    """The SHA-256 hex digest of a stored write-only value ('' when the device holds none); the same
    digest the Twilio twin keeps for a credential's password, so the two can be compared."""
    return _kept(stored or "")[len(_DIGEST):]


_LEGACY_LOGIN_PAGE = """<html><head><title>Grandstream Device Configuration</title></head><body>
<form action="dologin" method="post" name="loginForm">
<input type="hidden" name="gnkey" value="0b82">
Password <input name="P2" type="password"> <input type="submit" name="Login" value="Login">
</form></body></html>"""


def factory_pvalues(product: str = "HT802V2") -> dict[str, str]:
    """The P-values of a factory-fresh unit (the settings model's FACTORY_DEFAULTS), admin password `admin`."""
    ports = 2 if product.upper().startswith("HT802") else 1
    return {"P2": SANDBOX_ADMIN_PASSWORD, **settings_model.factory_pvalues(ports)}


def twin_quirks(store: Store | None = None) -> dict[str, Any]:
    """The firmware behaviours in force for this sandbox's device (DEFAULT_QUIRKS, then configure_twin's)."""
    store = store or open_store()
    return {**DEFAULT_QUIRKS, **(store.get_value("ht80x:quirks") or {})}


def port_count(store: Store | None = None) -> int:
    """How many FXS ports the twin has: 2 for an HT802, else 1."""
    return 2 if str(twin_quirks(store)["product"]).upper().startswith("HT802") else 1


def _pvalues(store: Store) -> dict[str, str]:
    values = store.get_value("ht80x:pvalues")
    if values is None:
        values = factory_pvalues(twin_quirks(store)["product"])
    secrets_kept = {name: _kept(values[name]) for name in _WRITE_ONLY if name in values}
    if store.get_value("ht80x:pvalues") != {**values, **secrets_kept}:  # new, or from an older sandbox
        values = {**values, **secrets_kept}
        store.set_value("ht80x:pvalues", values)
    return values


def configure_twin(store: Store | None = None, **quirks: Any) -> dict[str, Any]:
    """Set twin behaviours (see DEFAULT_QUIRKS) for this sandbox; returns the behaviours in force."""
    store = store or open_store()
    unknown = set(quirks) - set(DEFAULT_QUIRKS)
    if unknown:
        raise KeyError(f"unknown twin behaviour(s): {', '.join(sorted(unknown))}")
    with store.transaction():
        current = {**(store.get_value("ht80x:quirks") or {}), **quirks}
        store.set_value("ht80x:quirks", current)
    return twin_quirks(store)


def twin_pvalues(store: Store | None = None) -> dict[str, str]:
    """Every P-value the twin holds; write-only ones as their `sha256:` digests (for tests and the line
    simulation)."""
    return dict(_pvalues(store or open_store()))


def device_url(restart: bool = False) -> str:
    """Base URL of the HT80x twin for this sandbox, started in this process if none answers."""
    from ..runtime import ensure_service

    return ensure_service(SERVICE, HT80xTwinHandler, restart=restart)


class HT80xTwinHandler(TwinHandler):
    """Routes of the HT80x V2 web API, with the device's state in the sandbox Store."""

    server_version = "lighttpd"

    @property
    def store(self) -> Store:
        return open_store(self.server.sandbox_folder)  # type: ignore[attr-defined]

    def field(self, name: str) -> str:
        values = self.form.get(name) or self.query.get(name) or [""]
        return values[-1]

    def reply(self, body: Any, ok: bool = True) -> None:
        self.send_json(200, {"response": "success" if ok else "error", "body": body})

    # -- dispatch -------------------------------------------------------------------------
    def route(self, method: str) -> None:
        store = self.store
        quirks = twin_quirks(store)
        reboot_until = float(store.get_value("ht80x:reboot_until") or 0)
        if time.time() < reboot_until:
            self.close_connection = True  # rebooting: the socket closes without an answer
            return
        if quirks["firmware"] == "v1":
            self._legacy(method)
            return
        routes = {
            "/cgi-bin/api-get_system_base_info": self._base_info,
            "/cgi-bin/dologin": self._login,
            "/cgi-bin/dologout": self._logout,
            "/cgi-bin/api.values.get": self._values_get,
            "/cgi-bin/api.values.post": self._values_post,
            "/cgi-bin/rs": self._reboot,
            "/cgi-bin/api-sys_operation": self._sys_operation,
        }
        handler = routes.get(self.url_path)
        if handler is None or method not in ("POST", "GET"):
            self.send_body(404, b"<html><body>404 Not Found</body></html>", "text/html")
            return
        handler(store, quirks)

    def _legacy(self, method: str) -> None:
        if self.url_path in ("/", "/cgi-bin/login", "/cgi-bin/dologin"):
            self.send_body(200, _LEGACY_LOGIN_PAGE.encode(), "text/html")
        else:
            self.send_body(404, b"<html><body>404 Not Found</body></html>", "text/html")

    # -- session --------------------------------------------------------------------------
    def _base_info(self, store: Store, quirks: dict[str, Any]) -> None:
        self.reply({"product": quirks["product"], "vendor": "Grandstream Networks, Inc."})

    def _login(self, store: Store, quirks: dict[str, Any]) -> None:
        now = time.time()
        with store.transaction():
            values = _pvalues(store)
            limit = int(values.get("P28117") or 5)
            locked_until = float(store.get_value("ht80x:locked_until") or 0)
            if now < locked_until:
                self.reply("locked", ok=False)
                return
            if locked_until:
                store.set_value("ht80x:locked_until", 0)
                store.set_value("ht80x:failed_logins", 0)
            try:
                given = base64.b64decode(self.field("P2"), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                given = None  # a plain-text password is rejected like a wrong one [FS]
            if self.field("username") not in ("admin", "") or given is None \
                    or kept_secret(given) != _kept(values.get("P2", "")):
                failed = int(store.get_value("ht80x:failed_logins") or 0) + 1
                store.set_value("ht80x:failed_logins", failed)
                if failed >= limit:
                    store.set_value("ht80x:locked_until", now + 60 * float(values.get("P1683") or 15))
                    self.reply("locked", ok=False)
                else:
                    self.reply(f"remain{limit - failed}", ok=False)
                return
            store.set_value("ht80x:failed_logins", 0)
            session_id, token = secrets.token_hex(16), secrets.token_hex(16)
            sessions = self._live_sessions(store, now)
            sessions[session_id] = {"token": token, "used": now}
            store.set_value("ht80x:sessions", sessions)
        self.send_json(200, {"response": "success", "body": {
            "session_token": token, "role": "admin", "default_auth": "false", "oem_id": "0"}},
            headers={"Set-Cookie": f"session_id={session_id}; path=/; HttpOnly"})

    def _live_sessions(self, store: Store, now: float) -> dict[str, dict[str, Any]]:
        idle = 60 * float(_pvalues(store).get("P28116") or 10)
        sessions = store.get_value("ht80x:sessions") or {}
        return {sid: s for sid, s in sessions.items() if now - float(s["used"]) < idle}

    def _session(self, store: Store) -> str | None:
        """The caller's session id if both the cookie and the token match; refreshes its idle time."""
        now = time.time()
        session_id = self.cookies().get("session_id", "")
        with store.transaction():
            sessions = self._live_sessions(store, now)
            session = sessions.get(session_id)
            if session is None or session["token"] != self.field("session_token"):
                store.set_value("ht80x:sessions", sessions)
                return None
            session["used"] = now
            store.set_value("ht80x:sessions", sessions)
        return session_id

    def _refuse(self) -> None:
        self.reply({"reason": "invalid session"}, ok=False)

    def _logout(self, store: Store, quirks: dict[str, Any]) -> None:
        session_id = self._session(store)
        if session_id:
            with store.transaction():
                sessions = store.get_value("ht80x:sessions") or {}
                sessions.pop(session_id, None)
                store.set_value("ht80x:sessions", sessions)
        self.reply({})

    # -- values ---------------------------------------------------------------------------
    def _status_value(self, name: str, values: dict[str, str], quirks: dict[str, Any], store: Store) -> str:
        from ..line.registration import note_register_attempt, port_status

        ports = port_count(store)
        for port in (1, 2):
            if name == STATUS_SETTINGS["hook_state"].pvalue(port):
                return "On Hook" if port <= ports else ""
            if name == STATUS_SETTINGS["registration_status"].pvalue(port):
                if port > ports:
                    return ""
                outcome = port_status(values, port, store)
                note_register_attempt(store, port, outcome)  # Twilio's side of the attempt: its debugger
                return str(outcome["registration"])
        return {"P67": SANDBOX_MAC, "mac_display": SANDBOX_MAC.upper(), "P89": quirks["product"],
                "P68": quirks["program_version"], "sip_port_0": values.get("P40", ""),
                "sip_port_1": values.get("P740", "")}.get(name, "")

    def _values_get(self, store: Store, quirks: dict[str, Any]) -> None:
        if self._session(store) is None:
            self._refuse()
            return
        values = _pvalues(store)
        body: dict[str, str] = {}
        for name in filter(None, self.field("request").split(":")):
            if name in _WRITE_ONLY:
                body[name] = ""
            elif name in _READ_ONLY or not name.startswith("P"):
                body[name] = self._status_value(name, values, quirks, store)
            else:
                body[name] = values.get(name, "")
        self.reply(body)

    def _values_post(self, store: Store, quirks: dict[str, Any]) -> None:
        session_id = self._session(store)
        if session_id is None:
            self._refuse()
            return
        with store.transaction():
            values = _pvalues(store)
            for name, given in self.form.items():
                if not (name.startswith("P") and name[1:].isdigit()) or name in _READ_ONLY:
                    continue
                if name in ("P34", "P734") and not quirks["password_writable"]:
                    continue
                if name in quirks["ignored_pvalues"]:
                    continue
                values[name] = kept_secret(given[-1]) if name in _WRITE_ONLY else given[-1]
            store.set_value("ht80x:pvalues", values)
            sessions = store.get_value("ht80x:sessions") or {}
            if quirks["after_write"] == "rotate":
                token = secrets.token_hex(16)
                sessions[session_id] = {"token": token, "used": time.time()}
                body: dict[str, str] = {"status": "right", "token": token}
            else:
                sessions.pop(session_id, None)
                body = {"status": "right"}
            store.set_value("ht80x:sessions", sessions)
        self.reply(body)

    # -- reboot ---------------------------------------------------------------------------
    def _start_reboot(self, store: Store, quirks: dict[str, Any]) -> None:
        with store.transaction():
            store.set_value("ht80x:reboot_until", time.time() + float(quirks["reboot_seconds"]))
            store.set_value("ht80x:sessions", {})
        self.reply({"reason": "no error", "token": ""})

    def _reboot(self, store: Store, quirks: dict[str, Any]) -> None:
        if self._session(store) is None:
            self._refuse()
            return
        self._start_reboot(store, quirks)

    def _sys_operation(self, store: Store, quirks: dict[str, Any]) -> None:
        if self._session(store) is None:
            self._refuse()
            return
        if self.field("request").upper() != "REBOOT":
            self.reply({"reason": "unknown request"}, ok=False)
            return
        self._start_reboot(store, quirks)
