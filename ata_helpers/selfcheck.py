"""Self-checks for the workshop: `ata.check("02")` looks at the learner's actual line and says what is done.

Each step of the course (01–10) has a check that reads the real state through the same public
clients the notebooks use — `twilio_client()` for the account, `ht80x_device()` for the ATA, the
saved line inputs of notebook 02 — so it works against the twins and against a live account
and device alike. It changes nothing. The result lists each thing the step should leave behind,
✓ when it is there, ✗ with what is missing and how to put it right, in plain words.

The module is not named `check` so that importing it never shadows the function `ata.check`.
"""

from __future__ import annotations

import html
import ipaddress
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import AtaHelpersError, ValidationError
from .grandstream.settings_model import DEVICE_SETTINGS, setting

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check", "CheckResult", "Item", "STEPS"]

# step -> what the notebook of that number builds
STEPS: dict[str, str] = {
    "01": "open the firewall",
    "02": "outbound calls (Twilio side)",
    "03": "SIP registration",
    "04": "configure the ATA",
    "05": "confirm registration",
    "06": "inbound calls",
    "07": "troubleshoot with a capture",
    "08": "call logs",
    "09": "the wake-up call",
    "10": "the doctor",
}


@dataclass(frozen=True)
class Item:
    """One thing a step should leave behind: what it is, whether it is there, and what was found."""

    what: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CheckResult:
    """The answer of `check(step)`: one Item per thing the step should leave behind.

    `passed` (also the truth value) is True when every item is right. `table()` gives the items
    as a DataFrame with columns `what` (str), `ok` (bool), `detail` (str).
    """

    step: str
    title: str
    items: tuple[Item, ...]

    @property
    def passed(self) -> bool:
        """True when every item is right (and there is at least one)."""
        return bool(self.items) and all(item.ok for item in self.items)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def missing(self) -> list[Item]:
        """The items that are not right yet."""
        return [item for item in self.items if not item.ok]

    def headline(self) -> str:
        """One sentence: done, or how many things are missing."""
        name = f"Step {self.step} ({self.title})"
        if self.passed:
            return f"{name}: all {len(self.items)} checks pass. Well done."
        return f"{name}: {len(self.missing)} of {len(self.items)} not right yet."

    def table(self) -> "pd.DataFrame":
        """The items as a DataFrame: what (str), ok (bool), detail (str)."""
        import pandas as pd

        return pd.DataFrame([item.__dict__ for item in self.items], columns=["what", "ok", "detail"])

    def __str__(self) -> str:
        lines = [self.headline()]
        lines += [f"  {'✓' if item.ok else '✗'} {item.what}: {item.detail}" for item in self.items]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b42318"
        rows = "".join(
            f"<li>{'✓' if item.ok else '✗'} <b>{html.escape(item.what)}</b>: {html.escape(item.detail)}</li>"
            for item in self.items)
        return f"<p style='color:{colour}'><b>{html.escape(self.headline())}</b></p><ul>{rows}</ul>"


@dataclass
class _Learner:
    """What the checks read, fetched once and only when a check needs it."""

    answer: Any = None
    cache: dict[str, Any] = field(default_factory=dict)

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        """make() once; its error too is kept, so an ATA that does not answer is waited for once."""
        if key not in self.cache:
            try:
                self.cache[key] = make()
            except AtaHelpersError as exc:
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, AtaHelpersError):
            raise value
        return value

    @property
    def setup(self) -> Any:
        """The learner's line inputs (notebook 02) as a TwilioSetup; the password is not needed to read."""
        from .provision import TwilioSetup

        return self._get("setup", lambda: TwilioSetup.from_saved(ask_password=False))

    @property
    def client(self) -> Any:
        from .twilio_api import twilio_client

        return self._get("client", twilio_client)

    @property
    def device(self) -> Any:
        from .grandstream import ht80x_device

        return self._get("device", lambda: ht80x_device(wait_timeout=5.0))

    def model(self) -> str:
        """The ATA's model, asked once (the first thing that waits if the ATA does not answer)."""
        return str(self._get("model", self.device.detect))

    def domain(self) -> Any:
        from .provision.steps import find_domain

        return self._get("domain", lambda: find_domain(self.client, self.setup.domain_name))

    def credential_list(self) -> Any:
        from .provision.steps import find_credential_list

        return self._get("credential_list", lambda: find_credential_list(self.client, self.setup.tag))

    def port(self) -> Any:
        """The ATA's FXS port whose SIP User ID is the learner's username (else port 1), from the device."""
        def find() -> tuple[int, Any]:
            self.model()
            config = self.device.read_config()
            users = [p.user_id for p in config.ports]
            index = users.index(self.setup.username) if self.setup.username in users else 0
            return index + 1, config
        return self._get("port", find)

    def calls_to_ata(self) -> list[Any]:
        from .calls.analysis import sip_key

        def find() -> list[Any]:
            wanted = sip_key(self.setup.device_uri)
            return [c for c in self.client.calls.list(limit=200) if sip_key(c.to) == wanted]
        return self._get("calls_to_ata", find)


Probe = Callable[[_Learner], Item]


def _item(what: str, ok: bool, right: str, wrong: str) -> Item:
    return Item(what, ok, right if ok else wrong)


def _not_created(what: str, resource: str, learner: _Learner) -> Item:
    """The failed item for a resource notebook 02's outbound step creates, tagged with the line's name."""
    return Item(what, False, f"no {resource} named {learner.setup.tag}: run setup.apply(\"outbound\")")


# -- 01 firewall -----------------------------------------------------------------------------------
def _rules_text(answer: Any) -> str | None:
    if answer is None:
        return None
    text = getattr(answer, "text", answer)
    return text if isinstance(text, str) else None


def _mentions(text: str, cidr: object) -> bool:
    """True when `cidr` appears in the rules as a whole address (1.2.3.0/2 is not in 1.2.3.0/24)."""
    return re.search(rf"(?<![\d.]){re.escape(str(cidr))}(?![\d])", text) is not None


def _firewall_signalling(learner: _Learner) -> Item:
    what = "Twilio's signalling addresses allowed"
    text = _rules_text(learner.answer)
    if text is None:
        return Item(what, False, "pass the rules you made to the check: ata.check(\"01\", rules)")
    from .firewall import twilio_ip_ranges

    ranges = twilio_ip_ranges()
    signalling = ranges[ranges["purpose"] == "signalling"]
    covered = sorted({str(r.edge) for r in signalling.itertuples() if _mentions(text, r.cidr)})
    complete = [edge for edge in covered
                if all(_mentions(text, c) for c in signalling[signalling["edge"] == edge]["cidr"])]
    if not complete:
        return Item(what, False, "none of Twilio's signalling ranges is in the rules: make them with "
                                 "ata.firewall_rules(ROUTER, edges=…, ata_ip=…)")
    return Item(what, True, f"every signalling range of {', '.join(complete)} is allowed (UDP/TCP 5060, TLS 5061)")


def _firewall_media(learner: _Learner) -> Item:
    what = "Twilio's media range allowed"
    text = _rules_text(learner.answer)
    if text is None:
        return Item(what, False, "no rules given yet")
    from .firewall import twilio_ip_ranges

    ranges = twilio_ip_ranges()
    media = sorted({str(c) for c in ranges[ranges["purpose"] == "media"]["cidr"]})
    missing = [c for c in media if not _mentions(text, c)]
    return _item(what, not missing, f"{', '.join(media)} is allowed, so the caller's voice reaches the phone",
                 f"{', '.join(missing)} is missing: without it calls connect but you hear nothing (one-way audio)")


def _firewall_target(learner: _Learner) -> Item:
    what = "forwarded to the ATA's LAN address"
    ata_ip = getattr(learner.answer, "ata_ip", None)
    if learner.answer is None:
        return Item(what, False, "no rules given yet")
    if ata_ip is None:
        return Item(what, False, "the rules name no ATA: give ata_ip= (the ATA's LAN address, e.g. 192.168.1.50) "
                                 "so Twilio's traffic is forwarded to it")
    return _item(what, ipaddress.ip_address(ata_ip).is_private, f"traffic goes to {ata_ip}",
                 f"{ata_ip} is not a LAN address; use the address the ATA has on your network")


# -- 02 outbound -----------------------------------------------------------------------------------
def _credential(learner: _Learner) -> Item:
    what = "credential list with your SIP username"
    found = learner.credential_list()
    if found is None:
        return _not_created(what, "credential list", learner)
    users = [c.username for c in learner.client.sip.credential_lists(found.sid).credentials.list()]
    return _item(what, learner.setup.username in users, f"{found.friendly_name} holds {learner.setup.username}",
                 f"{found.friendly_name} holds {', '.join(users) or 'no credential'}, not "
                 f"{learner.setup.username}: add it (ensure_credential)")


def _ip_acl(learner: _Learner) -> Item:
    what = "IP access control list with your public address"
    from .provision.steps import find_ip_acl

    found = find_ip_acl(learner.client, learner.setup.tag)
    if found is None:
        return _not_created(what, "IP access control list", learner)
    wanted = ipaddress.ip_network(learner.setup.public_ip, strict=False)
    nets = [ipaddress.ip_network(f"{a.ip_address}/{a.cidr_prefix_length}", strict=False)
            for a in learner.client.sip.ip_access_control_lists(found.sid).ip_addresses.list()]
    ok = any(net.version == wanted.version and wanted.subnet_of(net) for net in nets)  # type: ignore[arg-type]
    return _item(what, ok, f"{learner.setup.public_ip} is allowed",
                 f"{learner.setup.public_ip} is not in it (has {', '.join(map(str, nets)) or 'nothing'}): add it")


def _domain(learner: _Learner) -> Item:
    what = "SIP domain"
    domain = learner.domain()
    return _item(what, domain is not None, f"{learner.setup.domain_name} exists",
                 f"there is no SIP domain {learner.setup.domain_name} yet: run setup.apply(\"outbound\")")


def _call_auth(learner: _Learner) -> Item:
    what = "authentication for calls"
    domain = learner.domain()
    if domain is None:
        return Item(what, False, "needs the SIP domain first")
    auth = learner.client.sip.domains(domain.sid).auth.calls
    lists = [m.friendly_name for m in auth.credential_list_mappings.list()]
    acls = [m.friendly_name for m in auth.ip_access_control_list_mappings.list()]
    if not lists:
        return Item(what, False, "no credential list is mapped for calls, so the phone's calls are refused "
                                 "(32201/32202): map it (ensure_call_credential_mapping)")
    extra = f" and IP ACL {', '.join(acls)}" if acls else " (no IP ACL mapped; the credential list is enough)"
    return Item(what, True, f"credential list {', '.join(lists)}{extra}")


def _dial_of(twiml: str) -> ElementTree.Element | None:
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        return None
    return root.find("Dial") if root.tag == "Response" else None


def _outbound_twiml(learner: _Learner) -> Item:
    what = "outbound TwiML on the domain"
    domain = learner.domain()
    if domain is None:
        return Item(what, False, "needs the SIP domain first")
    if not domain.voice_url:
        return Item(what, False, "the domain has no voice URL: a number dialled on the phone goes nowhere")
    from .twilio_api import fetch_twiml

    probe = "+14155550123"
    params = {"To": f"sip:{probe}@{domain.domain_name}", "From": f"sip:{learner.setup.username}@{domain.domain_name}",
              "Direction": "inbound", "CallSid": "CA" + "0" * 32}
    dial = _dial_of(fetch_twiml(domain.voice_url, params))
    if dial is None:
        return Item(what, False, f"{domain.voice_url} does not answer with <Response><Dial>…</Dial></Response>")
    dialled = "".join(dial.itertext()).strip()
    if dialled != probe:
        return Item(what, False, f"dialling {probe} on the phone would call {dialled!r}: the Bin must use "
                                 "{{#e164}}{{To}}{{/e164}}")
    caller = dial.get("callerId", "")
    return _item(what, bool(re.fullmatch(r"\+[1-9]\d{1,14}", caller)),
                 f"dials the number dialled on the phone, with caller ID {caller}",
                 f"callerId {caller!r} is not a number in E.164 (13214): use your Twilio number")


def _trunk(learner: _Learner) -> Item:
    what = "Elastic SIP trunk origination URL"
    from .provision.steps import find_trunk

    trunk = find_trunk(learner.client, learner.setup.tag)
    if trunk is None:
        return _not_created(what, "trunk", learner)
    urls = [u for u in learner.client.trunking.v1.trunks(trunk.sid).origination_urls.list() if u.enabled]
    wanted = learner.setup.origination_url
    return _item(what, any(u.sip_url == wanted for u in urls), f"{wanted}",
                 f"no enabled origination URL {wanted} (has {', '.join(u.sip_url for u in urls) or 'none'})")


# -- 03 registration -------------------------------------------------------------------------------
def _registration_on(learner: _Learner) -> Item:
    what = "SIP registration on the domain"
    domain = learner.domain()
    if domain is None:
        return Item(what, False, "needs the SIP domain of notebook 02 first")
    return _item(what, bool(domain.sip_registration), "on",
                 "off: every REGISTER is refused (32210); turn it on with setup.apply([\"outbound\", "
                 "\"registration\"]) or client.sip.domains(SID).update(sip_registration=True)")


def _registration_list(learner: _Learner) -> Item:
    what = "credential list mapped for registrations"
    domain, found = learner.domain(), learner.credential_list()
    if domain is None or found is None:
        return Item(what, False, "needs the SIP domain and credential list of notebook 02 first")
    mapped = learner.client.sip.domains(domain.sid).auth.registrations.credential_list_mappings.list()
    return _item(what, any(m.sid == found.sid for m in mapped), f"{found.friendly_name} is mapped",
                 f"{found.friendly_name} is not mapped for registrations (a REGISTER gets 32212): map it "
                 "(ensure_registration_mapping)")


# -- 04 the ATA ------------------------------------------------------------------------------------
def _device_answers(learner: _Learner) -> Item:
    what = "the ATA answers"
    return Item(what, True, f"{learner.model()} at {learner.device.base_url}")


def _device_setting(names: tuple[str, ...], test: Callable[[Any, _Learner], bool], shown: Callable[[Any], str],
                    fix: str) -> Probe:
    """A probe of the settings `names` (settings model names): titled by their device labels, the fix
    naming their P-values on the port in use (`{where}` in `fix`, e.g. "P4437, FXS port 1")."""
    infos = [setting(name) for name in names]
    what = " and ".join(info.label for info in infos)

    def probe(learner: _Learner) -> Item:
        try:
            number, config = learner.port()
        except ValueError as exc:  # the device holds settings the model refuses (nothing configured yet)
            return Item(what, False, f"the ATA is not configured for Twilio yet ({exc})")
        port = config.ports[number - 1]
        subject = config if names[0] in DEVICE_SETTINGS else port
        where = f"{'/'.join(info.pvalue(number) for info in infos)}, FXS port {number}"
        return _item(what, test(subject, learner), shown(subject), f"{shown(subject)}: {fix.format(where=where)}")
    return probe


_CONTACT, _CHECK_USER = setting("contact_uses_wan"), setting("check_user_id_on_invite")

_ATA_SETTINGS: list[Probe] = [
    _device_setting(("sip_server",), lambda c, lr: c.sip_server.split(":")[0].lower() == lr.setup.domain_name,
                    lambda c: c.sip_server or "(empty)", "set it to your domain, LABEL.sip.twilio.com ({where})"),
    _device_setting(("user_id", "auth_id"),
                    lambda p, lr: p.user_id == lr.setup.username and (p.auth_id or p.user_id) == lr.setup.username,
                    lambda p: f"{p.user_id or '(empty)'} / {p.auth_id or p.user_id or '(empty)'}",
                    "both must be the credential's username ({where})"),
    _device_setting(("contact_uses_wan",), lambda p, lr: p.contact_uses_wan,
                    lambda p: _CONTACT.wording(p.contact_uses_wan),
                    f"set {_CONTACT.wording(True)} ({{where}}), or inbound calls never ring"),
    _device_setting(("check_user_id_on_invite",), lambda p, lr: p.check_user_id_on_invite,
                    lambda p: _CHECK_USER.wording(p.check_user_id_on_invite),
                    f"set {_CHECK_USER.wording(True)} ({{where}})"),
    _device_setting(("dial_plan_prefix",), lambda p, lr: p.dial_plan_prefix == "+",
                    lambda p: repr(p.dial_plan_prefix), "set + ({where}), so numbers dialled reach Twilio in E.164"),
]


# -- 05 registered ---------------------------------------------------------------------------------
def _registered(learner: _Learner) -> Item:
    what = "the port shows Registered"
    learner.model()
    try:
        number, _ = learner.port()
    except ValueError:
        number = 1
    status = learner.device.status()
    row = status[status["port"] == number].iloc[0]
    return _item(what, row["registration"] == "Registered", f"port {number} is Registered to {row['sip_server']}",
                 f"port {number} is {row['registration']}: see registration_checks() and Twilio's side of the "
                 "registration in notebook 05")


def _confirmed(learner: _Learner) -> Item:
    what = "you watched it register"
    if learner.answer is None:
        return Item(what, False, "wait for Registered in this notebook and pass the result: "
                                 "registered = watch.run(); ata.check(\"05\", registered)")
    return _item(what, learner.answer is True, "the wait ended with every active port Registered",
                 "the wait ended before every active port registered: read registration_checks() and "
                 "Twilio's side of the registration below it")


# -- 06 inbound ------------------------------------------------------------------------------------
def _number_routes(learner: _Learner) -> Item:
    what = "the phone number's voice URL rings the ATA"
    from .provision.steps import find_number

    number = find_number(learner.client, learner.setup.phone_number)
    if number is None:
        return Item(what, False, f"{learner.setup.phone_number} is not a number of this account")
    if number.trunk_sid:
        return Item(what, False, f"the number is attached to trunk {number.trunk_sid}, which shadows its voice URL")
    if not number.voice_url:
        return Item(what, False, "the number has no voice URL: run setup.apply() (the inbound stage)")
    from .twilio_api import fetch_twiml

    dial = _dial_of(fetch_twiml(number.voice_url, {"To": number.phone_number, "From": "+14155550123",
                                                   "Direction": "inbound", "CallSid": "CA" + "1" * 32}))
    sips = [(s.text or "").strip() for s in dial.findall("Sip")] if dial is not None else []
    wanted = learner.setup.device_uri
    ok = any(s.lower() in (wanted.lower(), wanted.lower().removeprefix("sip:")) for s in sips)
    return _item(what, ok, f"{number.phone_number} → <Sip>{wanted}</Sip>",
                 f"the TwiML at {number.voice_url} dials {', '.join(sips) or 'no <Sip>'}, not {wanted}")


def _last_inbound(learner: _Learner) -> Item:
    what = "the last call to the ATA was answered"
    calls = learner.calls_to_ata()
    if not calls:
        return Item(what, False, f"no call to {learner.setup.device_uri} yet: place the test call")
    call = calls[0]
    return _item(what, call.status == "completed", f"{call.sid} completed",
                 f"{call.sid} ended {call.status}: look at its alerts (notebook 08) or its capture (notebook 07)")


# -- 07 troubleshooting ----------------------------------------------------------------------------
def _failure_reproduced(learner: _Learner) -> Item:
    what = "you reproduced the LAN-Contact failure"
    from .calls.alerts import call_alerts

    for call in learner.calls_to_ata():
        if call.status == "completed":
            continue
        codes = {str(a.error_code) for a in call_alerts(learner.client, call.sid, call.date_created)}
        if "32011" in codes:
            return Item(what, True, f"{call.sid} {call.status} with 32011 (Twilio's INVITE went unanswered)")
    return Item(what, False, "no failed call to the ATA with error 32011 yet: set the Contact header to LAN "
                             "(nat_story.set_contact_header(wan=False)) and call the phone")


def _line_fixed(learner: _Learner) -> Item:
    what = "the line is fixed after the experiment"
    try:
        number, config = learner.port()
    except ValueError as exc:
        return Item(what, False, f"the ATA is not configured ({exc})")
    port = config.ports[number - 1]
    return _item(what, port.contact_uses_wan, "Contact header uses the WAN address again",
                 "the ATA still puts its LAN address in Contact: nat_story.set_contact_header(wan=True)")


# -- 08 call logs ----------------------------------------------------------------------------------
def _log_has_calls(learner: _Learner) -> Item:
    what = "the call log has calls"
    calls = learner.client.calls.list(limit=20)
    return _item(what, len(calls) > 1, f"at least {len(calls)} calls",
                 f"only {len(calls)} call(s): run the notebook's cells (on the twins, notebook 08 seeds a month of history)")


def _failed_count(learner: _Learner) -> Item:
    what = "your count of failed calls to the ATA"
    from .calls import call_log

    truth = len(call_log(to=learner.setup.device_uri, status="failed", progress=False, alerts=False))
    if learner.answer is None:
        return Item(what, False, "pass your answer: ata.check(\"08\", number_of_failed_calls)")
    try:
        given = int(learner.answer)
    except (TypeError, ValueError):
        given = len(learner.answer)  # a table of calls
    return _item(what, given == truth, f"{given} is right",
                 f"{given} is not what the log says; filter with ata.call_log(to=ATA, status=\"failed\")")


# -- 09 wake-up ------------------------------------------------------------------------------------
def _alarm_saved(learner: _Learner) -> Item:
    what = "a wake-up alarm is saved"
    from .wakeup.store import AlarmStore

    store = AlarmStore()
    try:
        alarms = [alarm for alarm, _ in store.alarms()]
    finally:
        store.close()
    if not alarms:
        return Item(what, False, "no alarm saved: AlarmStore().save(alarm)")
    ours = [a for a in alarms if str(a.to).lower() == learner.setup.device_uri.lower()]
    return _item(what, bool(ours), f"{len(ours)} alarm(s) ring {learner.setup.device_uri}",
                 f"{len(alarms)} alarm(s), none rings {learner.setup.device_uri}")


def _rest_call(learner: _Learner) -> Item:
    what = "a call placed through the REST API completed"
    calls = [c for c in learner.client.calls.list(limit=50) if c.direction == "outbound-api"]
    done = [c for c in calls if c.status == "completed"]
    return _item(what, bool(done), f"{done[0].sid} to {done[0].to}" if done else "",
                 "no completed REST call yet: sid = ata.place_call(…) then ata.wait_for_call(sid)")


# -- 10 doctor -------------------------------------------------------------------------------------
def _doctor_items(learner: _Learner) -> list[Item]:
    from ._doctor import doctor

    table = doctor(phone_number=learner.setup.phone_number)
    return [Item(str(row["check"]), row["status"] != "fail",
                 f"{row['status']}: {row['detail']}" + (f" — {row['fix']}" if row["status"] == "fail" and row["fix"]
                                                        else ""))
            for row in table.to_dict("records")]


_PROBES: dict[str, list[Probe]] = {
    "01": [_firewall_signalling, _firewall_media, _firewall_target],
    "02": [_credential, _ip_acl, _domain, _call_auth, _outbound_twiml, _trunk],
    "03": [_domain, _registration_on, _registration_list],
    "04": [_device_answers, *_ATA_SETTINGS],
    "05": [_registered, _confirmed],
    "06": [_number_routes, _last_inbound],
    "07": [_failure_reproduced, _line_fixed, _last_inbound],
    "08": [_log_has_calls, _failed_count],
    "09": [_alarm_saved, _rest_call],
}


def _run(probe: Probe, learner: _Learner) -> Item:
    """One probe; a refusal from Twilio or the device becomes a ✗ with its explanation."""
    from .twilio_api import explained_errors

    try:
        with explained_errors():
            return probe(learner)
    except AtaHelpersError as exc:
        name = probe.__name__.strip("_").replace("_", " ")
        return Item(name, False, str(exc).splitlines()[0])


def check(step: str | int, answer: Any = None) -> CheckResult:
    """Check step `step` ("01"–"10") of the course against the learner's actual state; changes nothing.

    `answer` is the exercise's result where the step's state cannot show it: the FirewallRules
    (or their text) for "01", the result of waiting for Registered (True/False) for "05", the
    number of failed calls to the ATA for "08". Reads the account
    through `twilio_client()` and the ATA through `ht80x_device()`, so it works in live mode too.
    Returns a CheckResult (truthy when everything is right). Raises ValidationError for an
    unknown step.
    """
    key = f"{int(step):02d}" if isinstance(step, int) or str(step).isdigit() else str(step)
    if key not in STEPS:
        raise ValidationError("step", f"one of {', '.join(STEPS)}", step)
    learner = _Learner(answer=answer)
    if key == "10":
        from .twilio_api import explained_errors

        try:
            with explained_errors():
                items = _doctor_items(learner)
        except AtaHelpersError as exc:
            items = [Item("the doctor", False, str(exc).splitlines()[0])]
    else:
        items = [_run(probe, learner) for probe in _PROBES[key]]
    return CheckResult(key, STEPS[key], tuple(items))
