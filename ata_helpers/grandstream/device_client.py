"""HTTP client for the HT801V2/HT802V2 web API: log in, read, write-and-verify, status, reboot.

The V2 firmware speaks form-encoded POSTs answered with JSON (reference §3.2). Sessions are a
`session_id` cookie plus a `session_token` field; a write either rotates the token or ends the
session, and both are handled. Legacy V1 firmware (HTML forms) is detected and refused with the
provisioning-file route, rather than driven half-way. The same class talks to the device twin.
"""

from __future__ import annotations

import base64
import ipaddress
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import urlsplit

from ..errors import (
    DeviceAuthError,
    DeviceError,
    DeviceLockedError,
    DeviceUnreachableError,
    LegacyFirmwareError,
)
from ..settings import MASK
from .settings_model import (
    DEVICE_SETTINGS,
    PASSWORD_PVALUES,
    PORT_SETTINGS,
    STATUS_SETTINGS,
    HT80xConfig,
    SettingError,
)

if TYPE_CHECKING:
    import pandas as pd
    import requests

__all__ = ["HT80xDevice", "ht80x_device", "ApplyReport", "LegacyFirmwareError", "text_progress", "Progress"]

Progress = Callable[[float, float, str], None]
"""Called while waiting: (seconds waited, seconds allowed, what is awaited)."""

PROGRESS_AFTER = 2.0
"""Seconds a first contact waits quietly before it shows progress."""
_CONNECT_ATTEMPT = 1.0  # seconds one connection attempt may take before it is tried again

_STATUS_SOURCES = {"hook": STATUS_SETTINGS["hook_state"], "registration": STATUS_SETTINGS["registration_status"],
                   "user_id": PORT_SETTINGS["user_id"], "active": PORT_SETTINGS["account_active"],
                   "server": DEVICE_SETTINGS["sip_server"]}


def _status_pvalues(port: int) -> dict[str, str]:
    """The P-values status() reads for FXS port `port`, by column (from the settings model)."""
    return {column: info.pvalue(port) for column, info in _STATUS_SOURCES.items()}


LEGACY_STEPS = """\
This device runs legacy (V1) firmware: its web pages are HTML forms, not the JSON API this
client drives, so load the settings with the provisioning file instead:
  1. Save the file: config.save(folder, mac="<MAC from the label>") writes cfg<mac>.xml (0600;
     it holds the SIP password).
  2. Serve that folder to the LAN, e.g. `python -m http.server 8080` in it on your computer.
  3. In the device's web page (Advanced Settings), set "Config Upgrade via" to HTTP (P212=1)
     and "Config Server Path" to <your computer's IP>:8080 (P237; no http:// in front).
  4. Reboot the device (the Reboot button); at boot it fetches cfg<mac>.xml.
  5. Check Status > Port Status shows "Registered", then stop the server and delete the file.
Or type each value into the FXS PORT page: config.settings_table() lists label and value."""


def text_progress(stream: Any = None) -> Progress:
    """A progress indicator for terminals: one line rewritten in place on stderr."""
    out = stream or sys.stderr

    def show(waited: float, allowed: float, what: str) -> None:
        end = "\n" if waited >= allowed else ""
        out.write(f"\r{what}: {waited:.0f} s of {allowed:.0f} s{end}")
        out.flush()

    return show


@dataclass
class ApplyReport:
    """What apply() did: one row per setting (before, wanted, after, result) and notes to act on."""

    rows: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def not_stuck(self) -> list[dict[str, str]]:
        """Rows whose read-back differs from what was written."""
        return [r for r in self.rows if r["result"] == "did not stick"]

    @property
    def changed(self) -> list[dict[str, str]]:
        """Rows whose value was changed by the write."""
        return [r for r in self.rows if r["result"] == "changed"]

    @property
    def ok(self) -> bool:
        """True when every readable value reads back as written."""
        return not self.not_stuck

    def table(self) -> "pd.DataFrame":
        """The rows as a DataFrame (columns port, setting, label, pvalue, before, wanted, after, result)."""
        import pandas as pd

        columns = ["port", "setting", "label", "pvalue", "before", "wanted", "after", "result"]
        return pd.DataFrame(self.rows, columns=columns)

    def _repr_html_(self) -> str:
        from html import escape

        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return self.table().to_html(index=False) + (f"<ul>{notes}</ul>" if notes else "")

    def __str__(self) -> str:
        return "\n".join([self.table().to_string(index=False), *self.notes])

    def __repr__(self) -> str:
        counts = {result: sum(r["result"] == result for r in self.rows)
                  for result in ("changed", "unchanged", "did not stick")}
        return "ApplyReport(" + ", ".join(f"{n} {result}" for result, n in counts.items()) + ")"


class HT80xDevice:
    """One HT80x V2 device at `base_url`, logged in as admin with `admin_password`.

    Times are in seconds: `timeout` for one answer, `connect_timeout` for the first contact (a
    device that does not answer by then is reported unreachable, saying what to check),
    `wait_timeout` for waiting out a reboot or a dropped connection later on. `sleep`, `clock`
    and `progress` are injectable so waiting (offline, rebooting, registering) is testable without
    real delays; progress is shown once a first contact has waited PROGRESS_AFTER seconds, and at
    once for the other waits. The password is never shown in the repr.
    """

    def __init__(self, base_url: str, admin_password: str, *, username: str = "admin",
                 timeout: float = 5.0, connect_timeout: float = 4.0, wait_timeout: float = 120.0,
                 poll_interval: float = 2.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 progress: Progress | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._password = admin_password
        self.username = username
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self.progress = progress if progress is not None else text_progress()
        self._http: "requests.Session | None" = None
        self._session_id = ""
        self._token = ""
        self.product = ""

    def __repr__(self) -> str:
        return f"HT80xDevice({self.base_url!r}, product={self.product or '?'!r}, admin_password={MASK!r})"

    # -- transport ------------------------------------------------------------------------
    def _session(self) -> "requests.Session":
        if self._http is None:
            import requests

            self._http = requests.Session()
            host = urlsplit(self.base_url).hostname or ""
            try:
                address = ipaddress.ip_address(host)
                self._http.trust_env = not (address.is_loopback or address.is_private)
            except ValueError:
                self._http.trust_env = host != "localhost"
        return self._http

    def _send(self, method: str, path: str, data: dict[str, str] | None = None,
              wait: bool = True, patience: float | None = None, quiet_for: float = 0.0) -> "requests.Response":
        """One request; while the device does not answer, retry until `patience` (default wait_timeout)
        seconds have passed, showing progress once `quiet_for` seconds have."""
        import requests

        url = self.base_url + path
        limit = self.wait_timeout if patience is None else patience
        # each attempt gives up connecting after a second at most, so a silent address (no answer at
        # all) is retried and progress shows while waiting; a device that accepts gets `timeout` to answer
        attempt = (min(self.timeout, _CONNECT_ATTEMPT), self.timeout)
        start = self.clock()
        while True:
            try:
                cookies = {"session_id": self._session_id} if self._session_id else None
                return self._session().request(method, url, data=data if data is not None else "",
                                               cookies=cookies, timeout=attempt)
            except (requests.ConnectionError, requests.Timeout) as exc:
                waited = self.clock() - start
                if not wait or waited >= limit:
                    if wait and waited >= quiet_for:
                        self.progress(limit, limit, f"waiting for the device at {self.base_url}")
                    raise self._unreachable(exc, waited) from exc
                if waited >= quiet_for:
                    self.progress(waited, limit, f"waiting for the device at {self.base_url}")
                self.sleep(min(self.poll_interval, max(limit - waited, 0.01)))

    def _unreachable(self, exc: Exception, waited: float) -> DeviceUnreachableError:
        """The error for a device that did not answer, worded by what the network said."""
        where = ("that ATA_HOST is the ATA's address (on a phone plugged into it, press *** then 02 to hear "
                 "its IP)")
        if "refused" in str(exc).lower():
            return DeviceUnreachableError(
                f"the device at {self.base_url} did not answer: connection refused for {waited:.0f} s (something "
                f"is at that address, but no web server listens on that port). Check {where}, that no port or "
                "the device's web port is given, and give it a minute if it is booting.")
        return DeviceUnreachableError(
            f"the device at {self.base_url} did not answer for {waited:.0f} s. Check it is powered and its "
            f"network light is on, {where}, that this computer is on the same network, and give it a minute "
            "if it is rebooting.")

    def _json(self, response: "requests.Response") -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or "response" not in payload:
            self._detect_legacy()
            raise DeviceError(f"{response.request.path_url} answered HTTP {response.status_code} without the "
                              "JSON the HT80x V2 API returns; is this a Grandstream HT801/HT802?")
        return payload

    def _detect_legacy(self) -> None:
        response = self._send("GET", "/cgi-bin/login")
        text = response.text.lower()
        if response.ok and ("gnkey" in text or 'name="p2"' in text):
            raise LegacyFirmwareError(LEGACY_STEPS)

    # -- session --------------------------------------------------------------------------
    def detect(self) -> str:
        """The product name (e.g. HT802V2), asked once; the first contact with the device.

        Raises DeviceUnreachableError (saying what to check) when nothing answers within
        `connect_timeout` seconds, LegacyFirmwareError on V1 firmware, DeviceError for another product.
        """
        return self._detect(self.connect_timeout, quiet_for=PROGRESS_AFTER)

    def _detect(self, patience: float, quiet_for: float = 0.0) -> str:
        if not self.product:
            payload = self._json(self._send("POST", "/cgi-bin/api-get_system_base_info", patience=patience,
                                            quiet_for=quiet_for))
            body = payload.get("body") or {}
            self.product = str(body.get("product", "")) if isinstance(body, dict) else ""
            if not self.product.upper().startswith(("HT801", "HT802")):
                raise DeviceError(f"the device reports product {self.product!r}; this client knows the HT801 "
                                  "and HT802 only (the HT81x keeps its accounts in other P-values)")
        return self.product

    @property
    def port_count(self) -> int:
        """How many FXS ports the device has (1 for an HT801, 2 for an HT802)."""
        return 2 if self.detect().upper().startswith("HT802") else 1

    def login(self) -> None:
        """Log in as admin; wrong password → DeviceAuthError(tries_left), lockout → DeviceLockedError."""
        self.detect()
        secret = base64.b64encode(self._password.encode("utf-8")).decode("ascii")
        self._session_id = ""
        response = self._send("POST", "/cgi-bin/dologin", {"username": self.username, "P2": secret})
        payload = self._json(response)
        body = payload.get("body")
        if payload["response"] == "success" and isinstance(body, dict) and body.get("session_token"):
            self._token = str(body["session_token"])
            self._session_id = response.cookies.get("session_id") or ""
            return
        text = str(body if not isinstance(body, dict) else body.get("reason", ""))
        if text.startswith("remain"):
            tries = int(text[6:]) if text[6:].isdigit() else None
            count = f"{tries} {'try' if tries == 1 else 'tries'} left" if tries is not None else "few tries left"
            raise DeviceAuthError(
                f"wrong admin password, {count} before the device locks the web login for 15 minutes. "
                "Newer units print their unique admin password on the label underneath; older ones use 'admin'.",
                tries_left=tries)
        if text.startswith("locked"):
            raise DeviceLockedError(
                "the device has locked its web login after too many wrong admin passwords; wait up to "
                "15 minutes (its default lockout time) before trying again with the right password.",
                retry_after=15 * 60.0)
        raise DeviceError(f"login refused: {text or 'no reason given'}")

    def _call(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        """POST with the session; logs in first, and once more if the session has ended."""
        fresh = not self._token
        if fresh:
            self.login()
        payload = self._json(self._send("POST", path, {**data, "session_token": self._token}))
        if payload["response"] != "success" and not fresh:
            self.login()
            payload = self._json(self._send("POST", path, {**data, "session_token": self._token}))
        if payload["response"] != "success":
            raise DeviceError(f"{path} refused: {payload.get('body')!r}")
        return payload

    def logout(self) -> None:
        """End the session (the device allows few at once)."""
        if self._token:
            self._send("POST", "/cgi-bin/dologout", {"session_token": self._token}, wait=False)
        self._token = self._session_id = ""

    # -- reading --------------------------------------------------------------------------
    def read(self, names: Iterable[str]) -> dict[str, str]:
        """Raw values by P-value name (P47) or V2 virtual name (mac_display); every value is text."""
        wanted = list(dict.fromkeys(names))
        for name in wanted:
            if not name or ":" in name or "&" in name:
                raise ValueError(f"{name!r} is not a P-value or value name")
        body = self._call("/cgi-bin/api.values.get", {"request": ":".join(wanted)}).get("body") or {}
        return {name: str(body.get(name, "")) for name in wanted}

    def read_config(self) -> HT80xConfig:
        """The device's current settings as an HT80xConfig (the SIP password reads back empty)."""
        ports = range(1, self.port_count + 1)
        names = [p for info in PORT_SETTINGS.values() for n in ports for p in info.pvalues_for(n)]
        names += [DEVICE_SETTINGS["sip_server"].pvalue(n) for n in ports]
        names += [DEVICE_SETTINGS[name].pvalue() for name in ("stun_server", "keep_alive_interval")]
        values = self.read(names)
        return HT80xConfig.from_pvalues(values, model=self.detect()[:5])

    def status(self) -> "pd.DataFrame":
        """One row per port: hook state, registration ("Registered"/"Not Registered"), user ID, server."""
        import pandas as pd

        ports = range(1, self.port_count + 1)
        names = {n: _status_pvalues(n) for n in ports}
        values = self.read(p for n in ports for p in names[n].values())
        rows = [{"port": n, "hook": values[names[n]["hook"]],
                 "registration": values[names[n]["registration"]],
                 "user_id": values[names[n]["user_id"]],
                 "sip_server": values[names[n]["server"]],
                 "account_active": values[names[n]["active"]] == "1"} for n in ports]
        return pd.DataFrame(rows, columns=["port", "hook", "registration", "user_id", "sip_server",
                                           "account_active"])

    def wait_for_registration(self, timeout: float = 60.0, ports: Iterable[int] | None = None,
                              stop: Callable[[], bool] | None = None) -> "pd.DataFrame":
        """Poll status() until the active ports (or `ports`) show Registered or `timeout` passes.

        `stop`, asked after each status that is not yet all Registered, ends the wait early when it
        returns True (for example once Twilio has refused the REGISTER). Returns the last status().
        """
        start = self.clock()
        while True:
            table = self.status()
            chosen = table[table["port"].isin(list(ports))] if ports else table[table["account_active"]]
            waited = self.clock() - start
            if len(chosen) and (chosen["registration"] == "Registered").all():
                self.progress(waited, waited, "registered")
                return table
            if stop is not None and stop():
                self.progress(waited, waited, "refused")
                return table
            if waited >= timeout:
                self.progress(timeout, timeout, "waiting for Registered")
                return table
            self.progress(waited, timeout, "waiting for Registered")
            self.sleep(min(self.poll_interval, max(timeout - waited, 0.01)))

    # -- writing --------------------------------------------------------------------------
    def write(self, values: dict[str, str]) -> None:
        """POST P-values (saved with update=1); follows a rotated token or logs in again."""
        for name in values:
            if not (name.startswith("P") and name[1:].isdigit()):
                raise ValueError(f"{name!r} is not a P-value name such as P47")
        payload = self._call("/cgi-bin/api.values.post", {**values, "update": "1"})
        body = payload.get("body")
        token = body.get("token") if isinstance(body, dict) else None
        if token:
            self._token = str(token)
        else:
            self._token = self._session_id = ""

    def plan(self, config: HT80xConfig) -> "pd.DataFrame":
        """What apply(config) would change, read from the device without writing anything.

        One row per setting: before, wanted, and `would change` / `unchanged` (the SIP password,
        which cannot be read back, shows `would send`).
        """
        wanted, before = self._wanted_and_before(config)
        table = self._report(config, wanted, before, before).table()
        table = table.drop(columns="after")
        table["result"] = table["result"].replace({"did not stick": "would change",
                                                   "sent, cannot be read back": "would send"})
        return table

    def _wanted_and_before(self, config: HT80xConfig) -> tuple[dict[str, str], dict[str, str]]:
        if config.model == "HT802" and len(config.ports) == 2 and self.port_count == 1:
            raise SettingError("model", f"the configuration has two ports but the device is an {self.product} "
                                        "(one port)", config.model)
        wanted = config.to_pvalues()
        return wanted, self.read(wanted)

    def apply(self, config: HT80xConfig) -> ApplyReport:
        """Write `config`, read it back, and report each setting: changed, unchanged or did not stick."""
        wanted, before = self._wanted_and_before(config)
        send = {k: v for k, v in wanted.items() if k in PASSWORD_PVALUES or before.get(k) != v}
        if send:
            self.write(send)
        after = self.read(wanted)
        return self._report(config, wanted, before, after)

    def _report(self, config: HT80xConfig, wanted: dict[str, str], before: dict[str, str],
                after: dict[str, str]) -> ApplyReport:
        report = ApplyReport()
        for number, port in enumerate(config.ports, start=1):
            for name, info in {"sip_server": DEVICE_SETTINGS["sip_server"], **PORT_SETTINGS}.items():
                keys = info.pvalues_for(number)
                row = {"port": str(number), "setting": name, "label": info.label, "pvalue": "/".join(keys),
                       "before": info.display([before.get(k, "") for k in keys]),
                       "wanted": info.display([wanted.get(k, "") for k in keys]),
                       "after": info.display([after.get(k, "") for k in keys])}
                if info.secret:
                    if not port.password:
                        continue
                    row.update(before="(write-only)", after="(write-only)", result="sent, cannot be read back")
                elif all(before.get(k) == wanted[k] for k in keys):
                    row["result"] = "unchanged"
                elif all(after.get(k) == wanted[k] for k in keys):
                    row["result"] = "changed"
                else:
                    row["result"] = "did not stick"
                report.rows.append(row)
        for info in (DEVICE_SETTINGS["stun_server"], DEVICE_SETTINGS["keep_alive_interval"]):
            key = info.pvalue()
            if after.get(key) != wanted[key]:
                report.rows.append({"port": "all", "setting": info.name, "label": info.label, "pvalue": key,
                                    "before": before.get(key, ""), "wanted": wanted[key],
                                    "after": after.get(key, ""), "result": "did not stick"})
        _add_notes(report, config)
        return report

    # -- reboot ---------------------------------------------------------------------------
    def reboot(self, wait: bool = True) -> None:
        """Reboot the device; with `wait`, return once it answers again (progress shown)."""
        try:
            self._call("/cgi-bin/rs", {})
        except DeviceUnreachableError:
            pass  # the connection may drop as the reboot starts
        self._token = self._session_id = ""
        self.product = ""
        if wait:
            start = self.clock()
            self.sleep(min(self.poll_interval, 1.0))
            self._detect(self.wait_timeout)
            waited = self.clock() - start
            self.progress(waited, waited, "device is back")


def _add_notes(report: ApplyReport, config: HT80xConfig) -> None:
    stuck = report.not_stuck
    if stuck:
        names = ", ".join(f"{r['label']} ({r['pvalue']})" for r in stuck)
        report.notes.append(
            f"{len(stuck)} setting(s) did not stick: {names}. The firmware did not store them over HTTP; "
            "load the provisioning file instead (config.preview() shows it, config.save(folder, mac) writes it).")
    if any(p.password for p in config.ports):
        report.notes.append(
            "The SIP password is write-only: the device never shows it, so it could not be checked. Some V2 "
            "firmware answers 'success' and ignores it; if the port then fails to register with an "
            "authentication error (403), load the provisioning file with config.save(folder, mac).")
    else:
        report.notes.append("No SIP password was given, so the one on the device was left as it is.")


def ht80x_device(**options: Any) -> HT80xDevice:
    """The device client for the current mode: the sandbox twin, or http://ATA_HOST in live mode.

    `options` go to HT80xDevice (`timeout`, `connect_timeout`, `wait_timeout`, `poll_interval` in
    seconds, `progress`).
    Raises ConfigurationError when ATA_HOST or ATA_ADMIN_PASSWORD is missing in live mode, and
    SandboxError when the local device twin cannot be started; nothing is sent to a device yet.
    """
    from ..settings import device_settings, mode

    if mode() == "sandbox":
        from ..sandbox.ht80x.twin import SANDBOX_ADMIN_PASSWORD, device_url

        options.setdefault("wait_timeout", 30.0)
        options.setdefault("poll_interval", 0.5)
        return HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, **options)
    host, password = device_settings()
    base = host if host.startswith(("http://", "https://")) else f"http://{host}"
    return HT80xDevice(base, password, **options)
