"""Idempotent provisioning steps: each `ensure_*` looks its resource up by natural key first.

A step creates what is missing, updates what differs and leaves the rest alone, and says which in
its StepResult. With `dry_run=True` it only reads (a parent SID of None means "not created yet")
and reports what it would do. Inputs are validated before any request; Twilio errors come out
as TwilioApiError with the code, what it means for this line and the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from ..errors import TwilioApiError, ValidationError
from ..settings import MASK
from ..twilio_api import explained_errors
from ..twilio_ranges import DEFAULT_EDGE
from ..validate import (
    validate_domain_name,
    validate_e164,
    validate_friendly_name,
    validate_public_ip,
    validate_sip_password,
    validate_sip_username,
    validate_voice_method,
)
from .results import WOULD, StepResult

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = [
    "ensure_credential_list",
    "ensure_credential",
    "ensure_ip_acl",
    "ensure_ip_address",
    "ensure_domain",
    "ensure_call_credential_mapping",
    "ensure_call_ip_acl_mapping",
    "ensure_registration_mapping",
    "ensure_trunk",
    "ensure_origination_url",
    "ensure_number_voice_url",
    "origination_sip_url",
    "find_credential_list",
    "find_ip_acl",
    "find_domain",
    "find_trunk",
    "find_number",
    "find_tagged",
    "NOT_OURS",
    "CREATED_MEANWHILE",
]

T = TypeVar("T")
NOT_OURS = "not created by the course (its name has no course tag), so teardown keeps it"
CREATED_MEANWHILE = "created meanwhile by another run (Twilio refused a second one)"


def _first(items: Iterable[T], match: Callable[[T], bool]) -> T | None:
    return next((item for item in items if match(item)), None)


def _result(resource: str, name: str, sid: str, action: str, detail: str, dry_run: bool) -> StepResult:
    return StepResult(resource, name, sid, WOULD.get(action, action) if dry_run else action, detail)


def _changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if v is not None and current.get(k) != v}


def _describe_changes(current: dict[str, Any], changes: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {current.get(k)!r} → {v!r}" for k, v in changes.items())


def _describe_new(values: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v!r}" for k, v in values.items() if v is not None)


# -- lookups by natural key ---------------------------------------------------------------------
def find_credential_list(client: "Client", friendly_name: str) -> Any:
    """The credential list with this friendly name, or None."""
    with explained_errors():
        return _first(client.sip.credential_lists.list(), lambda c: c.friendly_name == friendly_name)


def find_ip_acl(client: "Client", friendly_name: str) -> Any:
    """The IP access control list with this friendly name, or None."""
    with explained_errors():
        return _first(client.sip.ip_access_control_lists.list(), lambda a: a.friendly_name == friendly_name)


def find_domain(client: "Client", domain_name: str) -> Any:
    """The SIP domain with this domain name, or None."""
    name = validate_domain_name(domain_name)
    with explained_errors():
        return _first(client.sip.domains.list(), lambda d: (d.domain_name or "").lower() == name)


def find_trunk(client: "Client", friendly_name: str) -> Any:
    """The Elastic SIP trunk with this friendly name, or None."""
    with explained_errors():
        return _first(client.trunking.v1.trunks.list(), lambda t: t.friendly_name == friendly_name)


def find_number(client: "Client", phone_number: str) -> Any:
    """The account's incoming phone number with this E.164 number, or None."""
    number = validate_e164(phone_number)
    with explained_errors():
        return _first(client.incoming_phone_numbers.list(phone_number=number),
                      lambda n: n.phone_number == number)


def find_tagged(client: "Client", tag: str) -> dict[str, list[Any]]:
    """Every credential list, IP access control list and trunk whose friendly name is `tag`, by kind."""
    with explained_errors():
        return {
            "credential list": [c for c in client.sip.credential_lists.list() if c.friendly_name == tag],
            "IP access control list": [a for a in client.sip.ip_access_control_lists.list()
                                       if a.friendly_name == tag],
            "Elastic SIP trunk": [t for t in client.trunking.v1.trunks.list() if t.friendly_name == tag],
        }


def _create(resource: str, name: str, create: Callable[[], Any], lookup: Callable[[], Any],
            detail: str = "") -> tuple[Any, StepResult]:
    """Create a resource. When Twilio refuses it (4xx) because another run created it meanwhile (a
    domain name "already taken", a username that "already exists", a list already mapped), look it
    up afresh: if it is there now, it is reported `unchanged`; otherwise Twilio's error stands."""
    try:
        with explained_errors():
            created = create()
    except TwilioApiError as exc:
        if not 400 <= exc.status < 500:
            raise
        with explained_errors():
            found = lookup()
        if found is None:
            raise
        return found, _result(resource, name, found.sid, "unchanged", CREATED_MEANWHILE, False)
    return created, _result(resource, name, created.sid, "created", detail, False)


def _ensure_named(resource: str, name: str, find: Callable[[], Any], create: Callable[[], Any],
                  dry_run: bool) -> StepResult:
    """A list whose natural key is its friendly name: unchanged when found, else created."""
    found = find()
    if found is not None:
        return _result(resource, name, found.sid, "unchanged", "", dry_run)
    if dry_run:
        return _result(resource, name, "", "created", "", True)
    return _create(resource, name, create, find)[1]


# -- credential list and credential --------------------------------------------------------------
def ensure_credential_list(client: "Client", friendly_name: str, *, dry_run: bool = False) -> StepResult:
    """A SIP credential list named `friendly_name` (its natural key; at most 64 characters)."""
    name = validate_friendly_name(friendly_name, 64)
    return _ensure_named("credential list", name, lambda: find_credential_list(client, name),
                         lambda: client.sip.credential_lists.create(friendly_name=name), dry_run)


def ensure_credential(client: "Client", credential_list_sid: str | None, username: str, password: str, *,
                      reset_password: bool = False, dry_run: bool = False) -> StepResult:
    """A credential `username` in the list; its password is set on creation, or reset on request.

    Twilio never returns a password, so an existing credential's password cannot be compared:
    it is left alone unless `reset_password=True`. The password policy is checked before any request.
    """
    user = validate_sip_username(username)
    secret = validate_sip_password(password)
    def lookup() -> Any:
        if not credential_list_sid:
            return None
        with explained_errors():
            return _first(client.sip.credential_lists(credential_list_sid).credentials.list(),
                          lambda c: c.username == user)

    found = lookup()
    if found is None:
        if dry_run:
            return _result("credential", user, "", "created", f"password {MASK}", True)
        return _create("credential", user, lambda: client.sip.credential_lists(credential_list_sid).credentials
                       .create(username=user, password=secret), lookup, f"password {MASK}")[1]
    if not reset_password:
        return _result("credential", user, found.sid, "unchanged",
                       "password kept (Twilio never returns it; ask for a reset to set it again)", dry_run)
    if not dry_run:
        with explained_errors():
            client.sip.credential_lists(credential_list_sid).credentials(found.sid).update(password=secret)
    return _result("credential", user, found.sid, "updated", f"password reset to {MASK}", dry_run)


# -- IP access control list and addresses ---------------------------------------------------------
def ensure_ip_acl(client: "Client", friendly_name: str, *, dry_run: bool = False) -> StepResult:
    """An IP access control list named `friendly_name` (its natural key; at most 255 characters)."""
    name = validate_friendly_name(friendly_name, 255)
    return _ensure_named("IP access control list", name, lambda: find_ip_acl(client, name),
                         lambda: client.sip.ip_access_control_lists.create(friendly_name=name), dry_run)


def ensure_ip_address(client: "Client", ip_acl_sid: str | None, address: str, friendly_name: str, *,
                      dry_run: bool = False) -> StepResult:
    """The public address (or CIDR block) in the IP ACL, looked up by address; its prefix kept in step."""
    ip, prefix = validate_public_ip(address)
    label = f"{ip}/{prefix}"
    def lookup() -> Any:
        if not ip_acl_sid:
            return None
        with explained_errors():
            return _first(client.sip.ip_access_control_lists(ip_acl_sid).ip_addresses.list(),
                          lambda a: a.ip_address == ip)

    found = lookup()
    if found is None:
        if dry_run:
            return _result("IP address", label, "", "created", "", True)
        return _create("IP address", label, lambda: client.sip.ip_access_control_lists(ip_acl_sid).ip_addresses
                       .create(friendly_name=friendly_name, ip_address=ip, cidr_prefix_length=prefix), lookup)[1]
    if int(found.cidr_prefix_length or 32) == prefix:
        return _result("IP address", label, found.sid, "unchanged", "", dry_run)
    detail = f"cidr_prefix_length: {found.cidr_prefix_length} → {prefix}"
    if not dry_run:
        with explained_errors():
            client.sip.ip_access_control_lists(ip_acl_sid).ip_addresses(found.sid).update(
                cidr_prefix_length=prefix)
    return _result("IP address", label, found.sid, "updated", detail, dry_run)


# -- SIP domain ----------------------------------------------------------------------------------
def ensure_domain(client: "Client", domain_name: str, *, friendly_name: str | None = None,
                  voice_url: str | None = None, voice_method: str | None = None,
                  sip_registration: bool | None = None, tag: str | None = None,
                  dry_run: bool = False) -> StepResult:
    """The SIP domain `domain_name` with the given settings; None leaves a setting as it is.

    `friendly_name` is only set when the domain is created, so a domain the learner made by hand
    is never claimed by the course (teardown recognises the course's by `tag`).
    """
    name = validate_domain_name(domain_name)
    method = validate_voice_method(voice_method) if voice_method is not None else None
    if friendly_name is not None:
        validate_friendly_name(friendly_name, 64)
    wanted = {"voice_url": voice_url, "voice_method": method, "sip_registration": sip_registration}
    found = find_domain(client, name)
    if found is None:
        detail = _describe_new(wanted)
        if dry_run:
            return _result("SIP domain", name, "", "created", detail, True)
        params = {k: v for k, v in wanted.items() if v is not None}
        created, result = _create("SIP domain", name, lambda: client.sip.domains.create(
            domain_name=name, friendly_name=friendly_name or name, **params), lambda: find_domain(client, name),
            detail)
        if result.action == "created":
            return result
        found = created  # another run made it: bring its settings to what this one wants
    current = {"voice_url": found.voice_url, "voice_method": found.voice_method,
               "sip_registration": bool(found.sip_registration)}
    changes = _changes(current, wanted)
    note = "" if tag is None or (found.friendly_name or "").startswith(tag) else NOT_OURS
    if not changes:
        return _result("SIP domain", name, found.sid, "unchanged", note, dry_run)
    if not dry_run:
        with explained_errors():
            client.sip.domains(found.sid).update(**changes)
    detail = "; ".join(x for x in (_describe_changes(current, changes), note) if x)
    return _result("SIP domain", name, found.sid, "updated", detail, dry_run)


def _ensure_mapping(client: "Client", resource: str, collection: Callable[[Any], Any], domain_sid: str | None,
                    list_sid: str | None, list_name: str, create_param: str, dry_run: bool) -> StepResult:
    def lookup() -> Any:
        if not domain_sid or not list_sid:
            return None
        with explained_errors():
            return _first(collection(client.sip.domains(domain_sid)).list(), lambda m: m.sid == list_sid)

    found = lookup()
    if found is not None:
        return _result(resource, list_name, found.sid, "unchanged", "", dry_run)
    if dry_run:
        return _result(resource, list_name, list_sid or "", "created", "", True)
    if not domain_sid or not list_sid:
        raise ValidationError(resource, "needs the domain and the list to exist first")
    return _create(resource, list_name, lambda: collection(client.sip.domains(domain_sid)).create(
        **{create_param: list_sid}), lookup)[1]


def ensure_call_credential_mapping(client: "Client", domain_sid: str | None, credential_list_sid: str | None,
                                   list_name: str = "", *, dry_run: bool = False) -> StepResult:
    """The credential list mapped to the domain for calls: the ATA's INVITEs are digest-challenged."""
    return _ensure_mapping(client, "call auth: credential list",
                           lambda d: d.auth.calls.credential_list_mappings, domain_sid, credential_list_sid,
                           list_name, "credential_list_sid", dry_run)


def ensure_call_ip_acl_mapping(client: "Client", domain_sid: str | None, ip_acl_sid: str | None,
                               list_name: str = "", *, dry_run: bool = False) -> StepResult:
    """The IP ACL mapped to the domain for calls: INVITEs must come from an address in it."""
    return _ensure_mapping(client, "call auth: IP ACL",
                           lambda d: d.auth.calls.ip_access_control_list_mappings, domain_sid, ip_acl_sid,
                           list_name, "ip_access_control_list_sid", dry_run)


def ensure_registration_mapping(client: "Client", domain_sid: str | None, credential_list_sid: str | None,
                                list_name: str = "", *, dry_run: bool = False) -> StepResult:
    """The credential list mapped for registrations; without it REGISTER fails (warning 32212)."""
    return _ensure_mapping(client, "registration auth: credential list",
                           lambda d: d.auth.registrations.credential_list_mappings, domain_sid,
                           credential_list_sid, list_name, "credential_list_sid", dry_run)


# -- Elastic SIP trunk and origination URL ---------------------------------------------------------
def origination_sip_url(username: str, domain_name: str, edge: str = DEFAULT_EDGE) -> str:
    """`sip:USER@LABEL.sip.EDGE.twilio.com`, the trunk's origination URL as the setup story writes it."""
    from ..line import LineInputs

    user = validate_sip_username(username)
    label = validate_domain_name(domain_name).split(".", 1)[0]
    return LineInputs(domain_label=label, username=user, edge=edge).origination_url


def ensure_trunk(client: "Client", friendly_name: str, *, dry_run: bool = False) -> StepResult:
    """An Elastic SIP trunk named `friendly_name` (its natural key; at most 64 characters)."""
    name = validate_friendly_name(friendly_name, 64)
    return _ensure_named("Elastic SIP trunk", name, lambda: find_trunk(client, name),
                         lambda: client.trunking.v1.trunks.create(friendly_name=name), dry_run)


def ensure_origination_url(client: "Client", trunk_sid: str | None, sip_url: str, friendly_name: str, *,
                           weight: int = 10, priority: int = 10, enabled: bool = True,
                           dry_run: bool = False) -> StepResult:
    """The trunk's origination URL `sip_url` (its natural key) with this weight, priority and state."""
    if not sip_url.startswith("sip:"):
        raise ValidationError("sip_url", "a sip: URI, e.g. sip:USER@DOMAIN.sip.ashburn.twilio.com", sip_url)
    if not 1 <= weight <= 65535:
        raise ValidationError("weight", "1 to 65535", weight)
    if not 0 <= priority <= 65535:
        raise ValidationError("priority", "0 to 65535 (lowest is tried first)", priority)
    def lookup() -> Any:
        if not trunk_sid:
            return None
        with explained_errors():
            return _first(client.trunking.v1.trunks(trunk_sid).origination_urls.list(),
                          lambda o: o.sip_url == sip_url)

    found = lookup()
    wanted = {"weight": weight, "priority": priority, "enabled": enabled}
    if found is None:
        if dry_run:
            return _result("origination URL", sip_url, "", "created", _describe_new(wanted), True)
        return _create("origination URL", sip_url, lambda: client.trunking.v1.trunks(trunk_sid).origination_urls
                       .create(weight=weight, priority=priority, enabled=enabled, friendly_name=friendly_name,
                               sip_url=sip_url), lookup, _describe_new(wanted))[1]
    current = {"weight": found.weight, "priority": found.priority, "enabled": found.enabled}
    changes = _changes(current, wanted)
    if not changes:
        return _result("origination URL", sip_url, found.sid, "unchanged", "", dry_run)
    if not dry_run:
        with explained_errors():
            client.trunking.v1.trunks(trunk_sid).origination_urls(found.sid).update(**changes)
    return _result("origination URL", sip_url, found.sid, "updated", _describe_changes(current, changes),
                   dry_run)


# -- phone number --------------------------------------------------------------------------------
def _routing_warning(number: Any) -> str:
    if number.trunk_sid:
        return (f"⚠ attached to Elastic SIP trunk {number.trunk_sid}: Twilio sends its calls to the trunk "
                "and ignores voice_url. Fix: detach it (detach_number=True), or remove it from the trunk "
                "in Console → Elastic SIP Trunking → Numbers")
    if number.voice_application_sid:
        return (f"⚠ configured with TwiML App {number.voice_application_sid}: Twilio uses the app and "
                "ignores voice_url. Fix: detach it (detach_number=True), or choose 'Webhook' under "
                "'A call comes in' in the Console")
    return ""


def ensure_number_voice_url(client: "Client", phone_number: str, voice_url: str, *, voice_method: str = "POST",
                            detach: bool = False, dry_run: bool = False) -> StepResult:
    """The number's "a call comes in" set to `voice_url`; warns when a trunk or app overrides it.

    With `detach=True` the number is removed from its trunk (or its TwiML App is cleared) so the
    voice URL takes effect; without it the step only warns.
    """
    number = validate_e164(phone_number)
    method = validate_voice_method(voice_method)
    found = find_number(client, number)
    if found is None:
        raise ValidationError("phone_number", f"{number} is not a number of this Twilio account "
                              "(Console → Phone Numbers → Active numbers)", phone_number)
    notes = []
    warning = _routing_warning(found)
    if warning and detach:
        notes.append(f"detached from {found.trunk_sid or found.voice_application_sid}")
        if not dry_run:
            with explained_errors():
                if found.trunk_sid:
                    client.trunking.v1.trunks(found.trunk_sid).phone_numbers(found.sid).delete()
                else:
                    client.incoming_phone_numbers(found.sid).update(voice_application_sid="")
    current = {"voice_url": found.voice_url, "voice_method": found.voice_method}
    changes = _changes(current, {"voice_url": voice_url, "voice_method": method})
    if changes:
        notes.insert(0, _describe_changes(current, changes))
        if not dry_run:
            with explained_errors():
                client.incoming_phone_numbers(found.sid).update(**changes)
    if warning and not detach:
        notes.append(warning)
    action = "updated" if changes or (warning and detach) else "unchanged"
    return _result("phone number", number, found.sid, action, "; ".join(notes), dry_run)
