"""The end-to-end checklist: walk the chain from credentials to the latest capture, in order.

Each check passes, fails (with the fix), warns, or is skipped with the reason it could not be
made; a check is never passed by default. The same code runs against the local twins and
against a live account and device: it reads only through twilio_client() and ht80x_device().
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .calls.statuses import FINAL_STATUSES
from .errors import AtaHelpersError
from .grandstream.settings_model import setting
from .twilio_ranges import DEFAULT_EDGE

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["doctor", "Check", "CHECKS"]



@dataclass
class Check:
    """One row of the doctor's table."""

    check: str
    status: str  # pass | fail | warn | skip
    detail: str
    fix: str = ""


@dataclass
class _Line:
    """What the doctor learns as it walks; later checks use what earlier ones found."""

    domain_name: str | None
    user: str | None
    phone_number: str | None
    client: Any = None
    domain: Any = None
    device: Any = None
    config: Any = None
    port: Any = None
    status: Any = None
    notes: dict[str, Any] = field(default_factory=dict)


def _skip(name: str, why: str) -> Check:
    return Check(name, "skip", why)


# -- Twilio side -----------------------------------------------------------------------------------
def _credentials(line: _Line) -> Check:
    name = "Twilio credentials valid"
    from .twilio_api import twilio_client

    try:
        client = twilio_client()
        line.notes["numbers"] = client.incoming_phone_numbers.list(limit=50)
    except AtaHelpersError as exc:
        return Check(name, "fail", str(exc), "set the variables named above (notebook 00 has a form)")
    except Exception as exc:  # the SDK raises TwilioRestException/TwilioException, requests its own
        return Check(name, "fail", f"Twilio refused or could not be reached: {exc}".splitlines()[0],
                     "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in .env, and the network")
    line.client = client
    return Check(name, "pass", f"account {line.client.account_sid[:6]}…{line.client.account_sid[-4:]} answers")


def _domain(line: _Line) -> Check:
    name = "SIP domain exists"
    if line.client is None:
        return _skip(name, "no working Twilio credentials")
    domains = line.client.sip.domains.list()
    if not line.domain_name:
        if len(domains) == 1:
            line.domain_name = domains[0].domain_name
        else:
            return Check(name, "fail", f"{len(domains)} SIP domains in the account and none named by the ATA or "
                                       "the doctor's domain= argument", "create it in notebook 02")
    from .errors import ValidationError
    from .validate import validate_domain_name

    try:
        validate_domain_name(line.domain_name)
    except ValidationError as exc:
        return Check(name, "fail", f"{line.domain_name}: {exc.rule}", "use the global name DOMAIN.sip.twilio.com")
    line.domain = next((d for d in domains if d.domain_name == line.domain_name.lower()), None)
    if line.domain is None:
        return Check(name, "fail", f"no SIP domain {line.domain_name} in this account", "create it in notebook 02")
    return Check(name, "pass", f"{line.domain.domain_name} ({line.domain.sid})")


def _registration_on(line: _Line) -> Check:
    name = "SIP registration enabled"
    if line.domain is None:
        return _skip(name, "no SIP domain")
    if not line.domain.sip_registration:
        return Check(name, "fail", f"SIP Registration is off on {line.domain.domain_name} (a REGISTER gets 32210)",
                     "turn it on in notebook 03")
    return Check(name, "pass", "on")


def _list_holding(line: _Line, mappings: list[Any]) -> tuple[bool, list[str]]:
    names: list[str] = []
    for mapping in mappings:
        users = [c.username for c in line.client.sip.credential_lists(mapping.sid).credentials.list()]
        names += users
        if line.user and line.user in users:
            return True, names
    return False, names


def _registration_list(line: _Line) -> Check:
    name = "credential list mapped for registrations"
    if line.domain is None:
        return _skip(name, "no SIP domain")
    mappings = line.client.sip.domains(line.domain.sid).auth.registrations.credential_list_mappings.list()
    if not mappings:
        return Check(name, "fail", "no credential list is mapped for registrations (a REGISTER gets 32212)",
                     "map the list in notebook 03 (ensure_registration_mapping)")
    if not line.user:
        return Check(name, "warn", f"{len(mappings)} list(s) mapped; the ATA's auth ID is unknown, so not checked",
                     "give the ATA's auth ID: doctor(user=…) or `ata-helpers doctor --user …`, or make the device reachable")
    found, names = _list_holding(line, mappings)
    if not found:
        return Check(name, "fail", f"no mapped list holds the ATA's auth ID {line.user!r} (has: {', '.join(names)})",
                     "add the credential to the mapped list, or set the ATA's "
                     f"{setting('auth_id').describe()} to it")
    return Check(name, "pass", f"{line.user} is in a mapped list")


def _call_auth(line: _Line) -> Check:
    name = "call authentication mapped"
    if line.domain is None:
        return _skip(name, "no SIP domain")
    auth = line.client.sip.domains(line.domain.sid).auth.calls
    creds, acls = auth.credential_list_mappings.list(), auth.ip_access_control_list_mappings.list()
    if not creds and not acls:
        return Check(name, "fail", "no credential list or IP ACL is mapped for calls: the domain rejects the "
                                   "ATA's outbound INVITEs", "map them in notebook 02")
    return Check(name, "pass", f"{len(creds)} credential list(s), {len(acls)} IP ACL(s)")


def _voice_url(line: _Line) -> Check:
    name = "domain voice URL and outbound TwiML"
    if line.domain is None:
        return _skip(name, "no SIP domain")
    url = line.domain.voice_url
    if not url:
        return Check(name, "fail", "the domain has no voice URL: calls dialled on the phone have nowhere to go",
                     "deliver the outbound Bin in notebook 02")
    probe = "+14155550123"
    user = line.user or "ata"
    params = {"To": f"sip:{probe}@{line.domain.domain_name}", "From": f"sip:{user}@{line.domain.domain_name}",
              "Direction": "inbound", "CallSid": "CA" + "0" * 32}
    try:
        from .twilio_api import fetch_twiml

        text = fetch_twiml(url, params)  # what Twilio would get when the phone dials +14155550123
    except AtaHelpersError as exc:
        return Check(name, "warn", f"could not read {url}: {str(exc).splitlines()[0]}",
                     getattr(exc, "fix", "") or "open the URL in the Console and check it")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return Check(name, "fail", f"the TwiML at {url} is not well-formed XML ({exc})", "fix the Bin")
    dial = root.find("Dial")
    if root.tag != "Response" or dial is None:
        return Check(name, "fail", "the TwiML has no <Response><Dial>", "use the outbound Bin of notebook 02")
    caller = dial.get("callerId", "")
    if not _strict_e164(caller):
        return Check(name, "fail", f"<Dial callerId={caller!r}> is not an E.164 number (13214)",
                     "set callerId to your Twilio number, e.g. +14155550100")
    body = "".join(dial.itertext()).strip()
    if body != probe:
        return Check(name, "warn", f"dialling {probe} on the phone would call {body!r}",
                     "use {{#e164}}{{To}}{{/e164}} so the number dialled on the phone is called")
    from .provision.function_desk import function_url_problem, is_function_url

    host = "a deployed Function" if is_function_url(url) else "a TwiML Bin" if "handler.twilio.com" in url else url
    if is_function_url(url):
        from .twiml import outbound_twiml

        problem = function_url_problem(line.client, url, outbound_twiml(caller))
        if problem:
            return Check(name, "fail", f"{url}: {problem}", "run TwilioSetup(...).apply() to deploy the course's "
                                                            "handlers again (notebook 02)")
    return Check(name, "pass", f"{host}: callerId {caller}, dials the number dialled on the phone")


def _strict_e164(value: str) -> bool:
    """E.164 exactly as written: a TwiML attribute is not cleaned of spaces or dashes first."""
    from .errors import ValidationError
    from .validate import validate_e164

    try:
        return validate_e164(value, "callerId") == value
    except ValidationError:
        return False


def _trunk(line: _Line) -> Check:
    name = "trunk origination URL points at the domain"
    if line.domain is None:
        return _skip(name, "no SIP domain")
    trunks = line.client.trunking.v1.trunks.list()
    if not trunks:
        return _skip(name, "no Elastic SIP trunk in the account")
    label = line.domain.domain_name.split(".", 1)[0]
    pattern = re.compile(rf"^sips?:[^@]+@{re.escape(label)}\.sip(\.[a-z0-9-]+)?\.twilio\.com\b", re.I)
    for trunk in trunks:
        for url in trunk.origination_urls.list():
            if pattern.match(url.sip_url) and url.enabled:
                return Check(name, "pass", f"{trunk.friendly_name}: {url.sip_url}")
    return Check(name, "fail", f"no enabled origination URL of the form sip:USER@{label}.sip.{DEFAULT_EDGE}.twilio.com",
                 "ensure_origination_url in notebook 02")


def _phone_number(line: _Line) -> Check:
    name = "phone number routes to the ATA"
    if line.client is None:
        return _skip(name, "no working Twilio credentials")
    numbers = line.notes.get("numbers") or []
    wanted = [n for n in numbers if n.phone_number == line.phone_number] if line.phone_number else \
        [n for n in numbers if n.voice_url or n.trunk_sid]
    if not wanted and line.phone_number:
        have = ", ".join(n.phone_number for n in numbers) or "none"
        return Check(name, "fail", f"{line.phone_number} is not on this account (its numbers: {have})",
                     "give one of the account's numbers (Console > Phone Numbers > Manage > Active numbers), "
                     "or buy that number first")
    if not wanted:
        return _skip(name, "no phone number given (doctor(phone_number=...)) or configured")
    number = wanted[0]
    if number.trunk_sid:
        return Check(name, "fail", f"{number.phone_number} is attached to trunk {number.trunk_sid}, so its voice URL "
                                   "is ignored", "remove it from the trunk (notebook 06 offers the fix)")
    if number.voice_application_sid:
        return Check(name, "fail", f"{number.phone_number} uses application {number.voice_application_sid}; its "
                                   "voice URL is ignored", "clear the application (notebook 06)")
    if not number.voice_url:
        return Check(name, "fail", f"{number.phone_number} has no voice URL", "set it in notebook 06")
    problem = _sip_targets_problem(number)
    if problem:
        return Check(name, "fail", f"{number.phone_number} → {number.voice_url}: {problem[0]}", problem[1])
    from .provision.function_desk import function_url_problem, is_function_url

    if is_function_url(number.voice_url) and line.user and line.domain_name:
        from .twiml import inbound_twiml

        wrong = function_url_problem(line.client, number.voice_url, inbound_twiml(line.user, line.domain_name))
        if wrong:
            return Check(name, "fail", f"{number.phone_number} → {number.voice_url}: {wrong}",
                         "run TwilioSetup(...).apply() to deploy the course's handlers again (notebook 06)")
        return Check(name, "pass", f"{number.phone_number} → the course's deployed Function {number.voice_url}")
    return Check(name, "pass", f"{number.phone_number} → {number.voice_url}")


def _sip_targets_problem(number: Any) -> tuple[str, str] | None:
    """(what is wrong, fix) when the number's TwiML dials a <Sip> URI Twilio would refuse (edge host: 32220)."""
    from .errors import ValidationError
    from .twilio_api import fetch_twiml
    from .validate import validate_global_sip_uri

    try:
        text = fetch_twiml(number.voice_url, {"To": number.phone_number, "From": "+14155550123",
                                              "Direction": "inbound", "CallSid": "CA" + "1" * 32})
        root = ET.fromstring(text)
    except (AtaHelpersError, ET.ParseError):
        return None  # not readable here: the voice URL itself is what this row reports
    for sip in root.iter("Sip"):
        uri = (sip.text or "").strip()
        try:
            validate_global_sip_uri(uri if uri.lower().startswith(("sip:", "sips:")) else f"sip:{uri}")
        except ValidationError as exc:
            return (f"its TwiML dials <Sip>{uri}</Sip>: {exc.rule}",
                    "dial the global sip:USER@DOMAIN.sip.twilio.com (the inbound Bin of notebook 06)")
    return None


# -- the device ------------------------------------------------------------------------------------
def _device(line: _Line) -> Check:
    name = "ATA reachable"
    from .grandstream import ht80x_device

    try:
        line.device = ht80x_device(wait_timeout=5.0)  # a read-only check: do not wait out a reboot
        line.status = line.device.status()
    except AtaHelpersError as exc:
        line.device = None
        return Check(name, "fail", str(exc).splitlines()[0], "check ATA_HOST, ATA_ADMIN_PASSWORD and the cable")
    try:
        line.config = line.device.read_config()
    except ValueError as exc:  # the device answers but holds settings the model refuses (e.g. no server)
        line.notes["config_error"] = str(exc)
        return Check(name, "pass", f"{line.device.detect()} answers (its settings are incomplete)")
    port_index = 0
    if line.user:
        users = [p.user_id for p in line.config.ports]
        port_index = users.index(line.user) if line.user in users else 0
    line.port = line.config.ports[port_index]
    line.notes["port_number"] = port_index + 1
    server = line.config.sip_server.split(":")[0].lower()
    if not line.domain_name and server:
        from .line import sip_domain

        try:
            line.domain_name = sip_domain(server.split(".sip.", 1)[0])
        except AtaHelpersError:
            line.domain_name = None  # not a Twilio domain: the domain checks say so
    if not line.user:
        line.user = line.port.auth_id or line.port.user_id or None
    return Check(name, "pass", f"{line.device.detect()} answers; port {port_index + 1} is {line.port.user_id or '(empty)'}")


def _device_settings(line: _Line) -> Check:
    name = "ATA settings match the recommendations"
    if "config_error" in line.notes:
        return Check(name, "fail", f"the ATA is not configured for Twilio: {line.notes['config_error']}",
                     "configure it in notebook 04")
    if line.port is None:
        return _skip(name, "the ATA did not answer")
    n = line.notes["port_number"]
    problems = []
    def at(key: str, value: object = None) -> str:
        info = setting(key)
        return info.describe(n) if value is None else info.describe(n, value)

    def label(key: str) -> str:
        return setting(key).label

    if not line.port.contact_uses_wan and not line.port.use_nat_ip:
        problems.append((f"{label('contact_uses_wan')} is {setting('contact_uses_wan').wording(False)}: "
                         "inbound calls will fail", f"set {at('contact_uses_wan', True)}"))
    if not line.port.check_user_id_on_invite:
        problems.append((f"{label('check_user_id_on_invite')} is {setting('check_user_id_on_invite').wording(False)}",
                         f"set {at('check_user_id_on_invite', True)}"))
    if line.port.dial_plan_prefix != "+":
        problems.append((f"{label('dial_plan_prefix')} is {line.port.dial_plan_prefix!r}: dialled numbers are not E.164",
                         f"set {at('dial_plan_prefix', '+')}"))
    if line.port.nat_traversal == "no":
        problems.append((f"{label('nat_traversal')} is No: the 200 OK's Contact carries the LAN address, Twilio's "
                         "ACK is lost and calls drop after about 30 s", f"set {at('nat_traversal', 'keep-alive')}"))
    if line.port.random_sip_port or line.port.random_rtp_port:
        problems.append(("random SIP/RTP ports are on",
                         f"turn {at('random_sip_port')} and {at('random_rtp_port')} off"))
    if line.port.auth_id and line.port.user_id and line.port.auth_id != line.port.user_id:
        problems.append((f"{label('auth_id')} differs from {label('user_id')} (Twilio error 32106)",
                         f"set {at('auth_id')} equal to {at('user_id')}"))
    if not problems:
        return Check(name, "pass", "WAN contact, user ID check, + prefix, fixed ports")
    return Check(name, "fail", "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))


def _registered(line: _Line) -> Check:
    name = "ATA port registered"
    if line.status is None:
        return _skip(name, "the ATA did not answer")
    row = line.status[line.status["port"] == line.notes.get("port_number", 1)].iloc[0]
    if row["registration"] != "Registered":
        refusal = None
        if line.client is not None:
            from .twilio_registration import registration_refusal

            try:
                refusal = registration_refusal(line.client)
            except AtaHelpersError:
                refusal = None
        if refusal is not None:
            return Check(name, "fail", f"port {row['port']} is {row['registration']}: Twilio answered "
                                       f"{refusal.answer}. {refusal.meaning}", refusal.fix)
        return Check(name, "fail", f"port {row['port']} is {row['registration']}", "see notebook 05")
    return Check(name, "pass", f"port {row['port']} Registered to {row['sip_server']}")


# -- calls and captures ---------------------------------------------------------------------------
def _last_call(line: _Line, inbound: bool) -> Check:
    name = "last inbound call to the ATA" if inbound else "last call dialled on the phone"
    if line.client is None or not line.domain_name or not line.user:
        return _skip(name, "the ATA's SIP address is not known yet")
    address = f"sip:{line.user}@{line.domain_name}"
    from .calls.analysis import sip_key

    wanted = sip_key(address)
    if "recent_calls" not in line.notes:  # one listing serves both directions
        line.notes["recent_calls"] = line.client.calls.list(limit=200)
    recent = line.notes["recent_calls"]  # Twilio may write SIP parties with or without sip:
    calls = [c for c in recent if sip_key(c.to if inbound else c._from) == wanted]
    if not calls:
        return _skip(name, f"no call {'to' if inbound else 'from'} {address} yet")
    call = calls[0]
    from .calls.alerts import call_alerts

    alerts = call_alerts(line.client, call.sid, call.date_created)
    if call.status not in FINAL_STATUSES:
        return Check(name, "warn", f"{call.sid} is {call.status}", "wait for it to finish")
    from .twilio_error_codes import explain

    if call.status == "completed" and not alerts:
        return Check(name, "pass", f"{call.sid} completed ({call.duration} s)")
    if alerts:
        code = alerts[0].error_code
        meaning, fix = explain(code)
        return Check(name, "fail", f"{call.sid} {call.status}, error {code}: {meaning}", fix)
    return Check(name, "fail", f"{call.sid} {call.status}", "see notebook 08 for the call log")


_QUALITY_FIX = {
    "one-way-audio": "let Twilio's media range in (UDP 10000-60000 from 168.86.128.0/18, notebook 01) and check "
                     "the ATA's NAT settings (notebook 04)",
    "dropped-after-32s": "set the ATA's NAT Traversal to Keep-Alive so its 200 OK carries the public address "
                         "(notebook 04)",
    "poor-quality": "look at the call's jitter and loss (notebook 08); a busy uplink or Wi-Fi bridge is the usual "
                    "cause",
}


def _last_call_quality(line: _Line) -> Check:
    """The Voice Insights verdict of the ATA's last answered call (either direction)."""
    name = "last answered call's quality (Voice Insights)"
    if line.client is None or not line.domain_name or not line.user:
        return _skip(name, "the ATA's SIP address is not known yet")
    from .calls import sip_key
    from .calls.insights import InsightsUnavailableError, call_summary

    wanted = sip_key(f"sip:{line.user}@{line.domain_name}")
    if "recent_calls" not in line.notes:
        line.notes["recent_calls"] = line.client.calls.list(limit=200)
    answered = [c for c in line.notes["recent_calls"] if c.status == "completed"
                and wanted in (sip_key(c.to), sip_key(c._from))]
    if not answered:
        return _skip(name, "no answered call to or from the ATA yet")
    call = answered[0]
    try:
        row = call_summary(call.sid, line.client).iloc[0]
    except InsightsUnavailableError as exc:
        return _skip(name, f"{call.sid}: {exc.explanation}")
    verdict, note = str(row["verdict"]), str(row["note"])
    status = {"healthy": "pass", "poor-quality": "warn", "not-connected": "warn"}.get(verdict, "fail")
    return Check(name, status, f"{call.sid}: {verdict}. {note}", _QUALITY_FIX.get(verdict, ""))


def _capture(line: _Line, capture: Any) -> Check:
    name = "latest capture's findings"
    if capture is None:
        return _skip(name, "no capture given: download the call's SIP PCAP and pass doctor(capture=path) "
                           "or `ata-helpers doctor --capture FILE`")
    from .capture import diagnose

    findings = diagnose(capture)
    errors = findings[findings["severity"] == "error"]
    if len(errors):
        first = errors.iloc[0]
        return Check(name, "fail", f"{len(errors)} error(s); first: {first['summary']}", str(first["fix"]))
    warnings = findings[findings["severity"] == "warning"]
    if len(warnings):
        return Check(name, "warn", f"{len(warnings)} warning(s); first: {warnings.iloc[0]['summary']}",
                     str(warnings.iloc[0]["fix"]))
    return Check(name, "pass", "no errors or warnings in the capture")


def _guarded(step: Callable[[], Check], name: str) -> Check:
    """Run one check; an error becomes a failing row with its explanation, never a lost table."""
    from .twilio_api import explained_errors

    try:
        with explained_errors():
            return step()
    except AtaHelpersError as exc:
        return Check(name.strip("_").replace("_", " "), "fail", str(exc).splitlines()[0],
                     getattr(exc, "fix", "") or "")


CHECKS: list[Callable[..., Check]] = [
    _credentials, _device, _domain, _registration_on, _registration_list, _call_auth, _voice_url, _trunk,
    _phone_number, _device_settings, _registered,
]


def doctor(domain: str | None = None, user: str | None = None, phone_number: str | None = None,
           capture: Any = None) -> "pd.DataFrame":
    """Walk the whole chain and return (check, status, detail, fix), one row per link.

    `capture` is a capture of a call (a pcap/pcapng path, or a frame from read_sip) whose
    diagnosis becomes the last row; without one that row is skipped (download the call's SIP PCAP
    from the Console). Raises ValidationError when `capture` names a file that does not exist or
    `phone_number` is not an E.164 number; a well-formed number that is not on the account fails
    the "phone number routes to the ATA" row.
    """
    import pandas as pd

    if phone_number:
        from .validate import validate_e164

        phone_number = validate_e164(phone_number, "phone_number")

    if capture is not None and not isinstance(capture, pd.DataFrame):
        from pathlib import Path

        from .errors import ValidationError

        if str(capture) != "-" and not Path(capture).is_file():
            raise ValidationError("capture", f"no such file: {capture}")
    line = _Line(domain_name=domain.lower() if domain else None, user=user, phone_number=phone_number)
    steps: list[Callable[[], Check]] = [functools.partial(step, line) for step in CHECKS]
    steps += [lambda: _last_call(line, True), lambda: _last_call(line, False), lambda: _last_call_quality(line),
              lambda: _capture(line, capture)]
    names = [c.__name__ for c in CHECKS] + ["_last_inbound", "_last_outbound", "_last_call_quality", "_capture"]
    rows = [_guarded(step, name) for step, name in zip(steps, names, strict=True)]
    # The device is asked early (it tells the domain and user); its row is shown where the chain reaches it.
    device_row = rows.pop(CHECKS.index(_device))
    rows.insert(CHECKS.index(_device_settings) - 1, device_row)
    frame = pd.DataFrame([c.__dict__ for c in rows], columns=["check", "status", "detail", "fix"])
    from .empty_results import explain_selections

    counts = frame["status"].value_counts()
    held = ", ".join(f"{int(counts.get(s, 0))} {word}" for s, word in
                     (("fail", "failed"), ("pass", "passed"), ("skip", "skipped")))
    return explain_selections(frame, f"No row of the doctor's report matches ({len(frame)} checks: {held}). "
                                     "A check that failed would be here with its fix; a skipped one says "
                                     "what the doctor needs to see it.")

