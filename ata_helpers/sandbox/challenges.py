"""Troubleshooting challenges: break a working sandbox line in one of the ways real lines break.

`break_line()` applies one fault, hidden, through the same mechanisms a real mistake goes
through — the device client writes a wrong setting to the ATA twin, the Twilio client changes the
account in the Twilio twin, or the sandbox router is set the way a real router misbehaves — so the
line simulation then decides registration, calls and captures from that state, and the course's
own tools (the doctor, the call log, `diagnose`, the checks) show the symptom. `challenge_status()`
says whether the line works again, judged by the simulation from the current state, never which
fault it was until it works or the learner asks for `answer()`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Callable

from ..errors import SandboxError, ValidationError
from ..grandstream.settings_model import setting
from ..line import sip_domain

__all__ = ["FAULTS", "break_line", "challenge_status", "answer", "line_problems", "router", "load_firewall_rules",
           "set_router"]

CHALLENGE_KEY = "challenge"


@dataclass(frozen=True)
class Fault:
    """One way a line breaks: the symptom a user reports, how it is applied, and the answer."""

    name: str
    symptom: str
    apply: Callable[[], None]
    fault: str
    evidence: str
    fix: str


# -- helpers that change the line the way a person (or a router) would -------------------------------------
def _setup() -> Any:
    from ..provision import TwilioSetup
    from ..provision.config import sip_password

    return TwilioSetup.from_saved(password=sip_password(prompt=False))


def _device_port(**changes: Any) -> None:
    """Write changed settings of FXS port 1 to the ATA through the device client (read back and compared)."""
    from ..grandstream import ht80x_device

    device = ht80x_device()
    config = device.read_config()
    ports = list(config.ports)
    ports[0] = replace(ports[0], **changes)
    device.apply(replace(config, ports=tuple(ports)))


def _domain() -> Any:
    from ..provision.steps import find_domain

    setup = _setup()
    found = find_domain(setup.client, setup.domain_name)
    if found is None:
        raise SandboxError("the line has no SIP domain: build a working line first (reset --to 11)")
    return setup.client, found


def _registration_off() -> None:
    client, domain = _domain()
    client.sip.domains(domain.sid).update(sip_registration=False)


def _no_registration_list() -> None:
    client, domain = _domain()
    mappings = client.sip.domains(domain.sid).auth.registrations.credential_list_mappings
    for mapping in mappings.list():
        mappings(mapping.sid).delete()


def _no_call_auth() -> None:
    client, domain = _domain()
    calls = client.sip.domains(domain.sid).auth.calls
    for mapping in calls.credential_list_mappings.list():
        calls.credential_list_mappings(mapping.sid).delete()
    for mapping in calls.ip_access_control_list_mappings.list():
        calls.ip_access_control_list_mappings(mapping.sid).delete()


def _number_on_trunk() -> None:
    from ..provision.steps import find_number, find_trunk

    setup = _setup()
    number, trunk = find_number(setup.client, setup.phone_number), find_trunk(setup.client, setup.tag)
    if number is None or trunk is None:
        raise SandboxError("the line has no number or trunk: build a working line first (reset --to 11)")
    setup.client.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)


def _edge_uri() -> None:
    from ..twiml import inbound_twiml

    setup = _setup()
    edge_twiml = inbound_twiml(setup.username, setup.domain_label).replace(
        sip_domain(setup.domain_label), sip_domain(setup.domain_label, "ashburn"))
    setup.desk.put(setup.bin_name("inbound"), edge_twiml)  # type: ignore[attr-defined]  # as if edited by hand


def _router(**changes: Any) -> Callable[[], None]:
    def apply() -> None:
        set_router(**changes)
    return apply


_s = setting  # labels, P-values and wording from the settings model

_FAULTS: tuple[Fault, ...] = (
    Fault("lan-contact", "The phone calls out fine, but inbound calls never ring; Twilio logs 32011.",
          lambda: _device_port(contact_uses_wan=False, use_nat_ip=""),
          f"{_s('contact_uses_wan').label} was set to {_s('contact_uses_wan').wording(False)} "
          f"({_s('contact_uses_wan').pvalue()}), so the ATA registered "
          "sip:ht801@192.168.1.50:5060 and Twilio's INVITE for inbound calls went to a private address.",
          "diagnose() on the inbound call's capture: contact-private-address on the REGISTER's Contact and "
          "no-response to the INVITE retransmitted to 192.168.1.50; the call log's 32011; the doctor's "
          "'ATA settings' row.",
          f"Set {_s('contact_uses_wan').label} = {_s('contact_uses_wan').wording(True)}: "
          "nat_story.set_contact_header(wan=True), or "
          "apply the recommended HT80xConfig with the device client."),
    Fault("wrong-password", "The port shows Not Registered and no call works.",
          lambda: _device_port(password="Wrong-Passw0rd-123"),
          f"The {_s('password').label} on the ATA ({_s('password').pvalue()}) is not the credential's password, "
          "so Twilio refuses "
          "the digest with 403 Forbidden (32202).",
          "registration_capture() → diagnose(): auth-rejected (a REGISTER with credentials answered 403); "
          "ata.sandbox.registration_status() says 'wrong password'; the doctor's 'ATA port registered' row fails.",
          "Write the credential's password to the ATA again: ht80x_device().apply(config) with "
          "FxsPort(password=sip_password()) (notebook 04)."),
    Fault("registration-off", "The port shows Not Registered; the ATA's settings look right.",
          _registration_off,
          "SIP Registration was turned off on the SIP domain, so Twilio answers every REGISTER with 403 "
          "(error 32210).",
          "The doctor's 'SIP registration enabled' row fails; the REGISTER capture carries "
          "X-Twilio-Error: 32210; ata.sandbox.registration_status() names 32210.",
          "Turn it on again: TwilioSetup.from_saved().apply([\"outbound\", \"registration\"]) or "
          "client.sip.domains(SID).update(sip_registration=True)."),
    Fault("no-registration-list", "The port shows Not Registered; registration is on for the domain.",
          _no_registration_list,
          "No credential list is mapped for registrations on the domain, so Twilio refuses the REGISTER "
          "(error 32212).",
          "The doctor's 'credential list mapped for registrations' row fails; the REGISTER capture carries "
          "X-Twilio-Error: 32212.",
          "Map the list again: TwilioSetup.from_saved().apply([\"outbound\", \"registration\"]) "
          "(ensure_registration_mapping)."),
    Fault("no-call-auth", "The phone rings when called, but every number dialled on it fails at once.",
          _no_call_auth,
          "Neither a credential list nor an IP ACL is mapped for calls on the domain, so Twilio rejects the "
          "ATA's INVITE with 403 (32201/32202).",
          "The doctor's 'call authentication mapped' row fails; a call dialled on the phone "
          "(ata.sandbox.dial(...)) fails with alert 32202 in the call log.",
          "Map them again: TwilioSetup.from_saved().apply(\"outbound\")."),
    Fault("no-plus-prefix", "A number abroad dialled on the phone never rings, or rings a wrong number in North "
          "America.",
          lambda: _device_port(dial_plan_prefix=""),
          f"The {_s('dial_plan_prefix').label} ({_s('dial_plan_prefix').pvalue()}) was emptied, so the ATA sends "
          "442079460000 instead of +442079460000. "
          "The course's Function dials the digits as sent and Twilio refuses them (13223). With a Bin, what "
          "{{#e164}} makes of digits without '+' is not documented; Twilio has been seen reading them as a "
          "North American number, so the call goes to +12079460000.",
          "In the call log, the call dialled as 442079460000 has alert 13223 (Function) or a child call to "
          "+12079460000 (Bin); the doctor's 'ATA settings' row says Dial Plan Prefix is ''.",
          f"Set {_s('dial_plan_prefix').label} = + on the ATA (FxsPort(dial_plan_prefix=\"+\"), notebook 04)."),
    Fault("wrong-voice-url", "Calls to the Twilio number never reach the phone.",
          _number_on_trunk,
          "The phone number was attached to the Elastic SIP trunk; a number on a trunk follows the trunk's "
          "routing and its voice URL (the inbound handler) is ignored.",
          "The doctor's 'phone number routes to the ATA' row: attached to trunk TK…; describe() shows "
          "trunk_sid on the number.",
          "Take it off the trunk: TwilioSetup.from_saved(detach_number=True).apply(), or "
          "client.trunking.v1.trunks(TK…).phone_numbers(PN…).delete()."),
    Fault("edge-uri", "Calls to the Twilio number fail at once; the call log shows 32220.",
          _edge_uri,
          "The inbound handler (Function or Bin) dials the ATA at an edge-specific URI "
          "(…sip.ashburn.twilio.com); registered users "
          "are only reachable at the global DOMAIN.sip.twilio.com (32220).",
          "The doctor's 'phone number routes to the ATA' row shows the edge URI and 32220; "
          "fetch_twiml(number.voice_url) shows it.",
          "Put the global URI back: TwilioSetup.from_saved().apply() deploys the inbound handler again."),
    Fault("check-user-id", "Inbound calls fail with 32009 although the port shows Registered.",
          lambda: _device_port(user_id="ht801-kitchen", auth_id="ht801", check_user_id_on_invite=False),
          f"The {_s('user_id').label} ({_s('user_id').pvalue()}) was changed to 'ht801-kitchen' while the "
          f"{_s('auth_id').label} stayed 'ht801', and {_s('check_user_id_on_invite').label} "
          f"({_s('check_user_id_on_invite').pvalue()}) was turned off to hide it: the ATA registers as "
          "ht801-kitchen, so sip:ht801@DOMAIN has no registration (32009).",
          "The doctor's 'ATA settings' row: Check SIP User ID is No and Authenticate ID differs from SIP "
          "User ID (32106); the test call fails with 32009.",
          "Set SIP User ID = the credential's username and Check SIP User ID = Yes (notebook 04's config)."),
    Fault("sip-alg", "Inbound calls never ring; the ATA says Registered and its Contact is set to WAN.",
          _router(sip_alg=True),
          "The router's SIP ALG rewrites the ATA's Contact and Via to 203.0.113.7:5060, a port it does not "
          "forward, so Twilio's INVITE is lost (32011).",
          "diagnose() on the inbound call's capture: no-response to the INVITE sent to 203.0.113.7:5060 "
          "while the REGISTER came from port 41952; Via without rport, rewritten.",
          "Turn the router's SIP ALG off (notebook 01's note; in the sandbox: "
          "ata.sandbox.set_router(sip_alg=False))."),
    Fault("media-blocked", "Calls connect, but the person on the phone hears nothing.",
          _router(blocked=["168.86.128.0/18"]),
          "The router's firewall drops Twilio's media range 168.86.128.0/18, so RTP from Twilio never "
          "reaches the ATA (one-way audio).",
          "diagnose() on the call's capture: rtp-one-way (RTP only from the ATA); the doctor's 'latest "
          "capture' row fails.",
          "Allow Twilio's media range: load notebook 01's rules on the router "
          "(ata.sandbox.load_firewall_rules(ata.firewall_rules(…)))."),
    Fault("ack-missing", "Inbound calls ring and connect, then drop after about 30 seconds.",
          lambda: _device_port(nat_traversal="no"),
          f"{_s('nat_traversal').label} ({_s('nat_traversal').pvalue()}) was set to "
          f"{_s('nat_traversal').wording('no')}, so the ATA's 200 OK carries its LAN address in Contact; "
          "Twilio sends the ACK there, the ATA resends its 200 OK for 32 s and hangs up.",
          "diagnose() on the call's capture: the 200 OK retransmitted and never acknowledged (ack-missing), "
          "its Contact a private address (contact-private-address); the call lasts 32 s.",
          f"Set {_s('nat_traversal').label} = {_s('nat_traversal').wording('keep-alive')} "
          "(FxsPort(nat_traversal=\"keep-alive\"), notebook 04)."),
)

FAULTS: dict[str, str] = {f.name: f.symptom for f in _FAULTS}
_BY_NAME = {f.name: f for f in _FAULTS}


# -- the sandbox router (stands in for the router's web page) ---------------------------------------------
def router() -> dict[str, Any]:
    """The sandbox router's settings: sip_alg (bool) and blocked (list of CIDRs its firewall drops)."""
    from .line.network import router_state
    from .store import open_store

    return router_state(open_store())


def set_router(**changes: Any) -> dict[str, Any]:
    """Change the sandbox router as you would on its web page: set_router(sip_alg=False)."""
    from .line.network import set_router as write
    from .store import open_store

    try:
        return write(open_store(), **changes)
    except ValueError as exc:
        raise ValidationError("router", str(exc)) from None


def load_firewall_rules(rules: Any) -> dict[str, Any]:
    """Load notebook 01's FirewallRules on the sandbox router: the ranges they allow are no longer blocked."""
    import ipaddress

    allowed = [ipaddress.ip_network(c) for c in (*rules.signalling_cidrs, *rules.media_cidrs)]
    blocked = [c for c in router()["blocked"]
               if not any(ipaddress.ip_network(c).subnet_of(a) for a in allowed)]  # type: ignore[arg-type]
    return set_router(blocked=blocked)


# -- is the line working? ---------------------------------------------------------------------------
def line_problems() -> list[str]:
    """What the line simulation says is broken now (empty when the line works); the challenge's judge."""
    from ..provision.steps import find_domain, find_number
    from .line.calls import _call_auth_refusal, parse_sip_target, webhook_twiml
    from .line.network import (
        PORT_KEYS,
        inbound_reachability,
        media_blocked,
        router_state,
    )
    from .line.registration import device_ports
    from .store import open_store

    store = open_store()
    setup = _setup()
    problems: list[str] = []
    ports = device_ports(store)
    if not ports or ports[0]["registration"] != "Registered":
        problems.append("port 1 is not registered")
    domain = find_domain(setup.client, setup.domain_name)
    if domain is None:
        return problems + ["no SIP domain"]
    record = next(d for d in store.list("sip_domain") if d["domain_name"] == setup.domain_name)
    verdict = inbound_reachability(store, record, setup.username)
    if not verdict.get("registered"):
        problems.append("inbound calls find no registration")
    elif not verdict.get("reachable"):
        problems.append("inbound INVITEs cannot reach the ATA")
    elif verdict.get("ack_lost"):
        problems.append("inbound calls drop after 32 s")
    if media_blocked(router_state(store)):
        problems.append("audio from Twilio is blocked")
    from .ht80x.twin import twin_pvalues

    values = twin_pvalues(store)
    if _call_auth_refusal(store, record, values, PORT_KEYS[1]) is not None:
        problems.append("calls dialled on the phone are refused")
    if values.get(PORT_KEYS[1]["prefix"]) != "+":
        problems.append("numbers dialled on the phone are not E.164")
    number = find_number(setup.client, setup.phone_number)
    if number is None or number.trunk_sid or not number.voice_url:
        problems.append("the number does not route to its voice URL")
    else:
        text, _ = webhook_twiml(store, number.voice_url, {"To": setup.phone_number, "From": "+14155550123",
                                                          "Direction": "inbound"})
        text = text or ""
        import xml.etree.ElementTree as ElementTree

        try:
            sips = [(s.text or "").strip() for s in ElementTree.fromstring(text).iter("Sip")]
        except ElementTree.ParseError:
            sips = []
        targets = [parse_sip_target(s if s.lower().startswith("sip") else "sip:" + s) for s in sips]
        if not any(t and not t["edge"] and t["user"] == setup.username and t["domain"] == setup.domain_name
                   for t in targets):
            problems.append("the number's TwiML does not dial the ATA's global address")
    return problems


def _state() -> dict[str, Any]:
    from .store import open_store

    return open_store().get_value(CHALLENGE_KEY) or {}


def _save(state: dict[str, Any]) -> None:
    from .store import open_store

    open_store().set_value(CHALLENGE_KEY, state)


def break_line(scenario: str | None = None, seed: int | None = None) -> dict[str, Any]:
    """Apply one hidden fault to the working sandbox line; returns the symptom to investigate.

    `scenario` names a fault of FAULTS (for a demonstration); otherwise one is drawn at random, the
    same one for the same `seed`. Raises SandboxError when the line does not work to begin with
    (build it with `ata.sandbox.reset(to=11)`), ValidationError for an unknown scenario.
    """
    from ..settings import mode

    if mode() != "sandbox":
        raise SandboxError("break_line() breaks the sandbox line only; ATA_MODE is live")
    if scenario is not None and scenario not in _BY_NAME:
        raise ValidationError("scenario", f"one of {', '.join(FAULTS)}", scenario)
    problems = line_problems()
    if problems:
        raise SandboxError("the line does not work yet (" + "; ".join(problems) + "): build a working line "
                           "first with ata.sandbox.reset(to=11) or fix it, then break it")
    name = scenario or random.Random(seed).choice(sorted(FAULTS))
    _BY_NAME[name].apply()
    _save({"scenario": name, "revealed": False})
    return {"symptom": FAULTS[name], "working": False}


def challenge_status() -> dict[str, Any]:
    """{"working": bool, "symptom": str | None, "fault": str | None}: the fault is named only once fixed or revealed."""
    state = _state()
    working = not line_problems()
    name = state.get("scenario")
    shown = name if name and (working or state.get("revealed")) else None
    return {"working": working, "symptom": FAULTS.get(name) if name else None, "fault": shown}


def answer() -> dict[str, str]:
    """The current challenge's answer: fault, evidence, fix (and the challenge counts as revealed)."""
    state = _state()
    name = state.get("scenario")
    if not name:
        raise SandboxError("no challenge is running: ata.sandbox.break_line() starts one")
    _save({**state, "revealed": True})
    fault = _BY_NAME[name]
    return {"fault": f"{name}: {fault.fault}", "evidence": fault.evidence, "fix": fault.fix}
