"""TwilioSetup: the Twilio side of the line from a handful of inputs, as plan / apply / teardown / describe.

The steps are grouped in three stages that follow the course: `outbound` (notebook 02: Bin,
credential list, IP ACL, SIP domain and its call auth, trunk and origination URL), `registration`
(notebook 03) and `inbound` (notebook 06: Bin and the phone number). Everything created carries the
friendly-name tag `ata-course:LABEL`, which is how teardown knows what is the course's.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..errors import AtaHelpersError, DuplicateResourcesWarning, ValidationError
from ..line import LineInputs, sip_domain
from ..settings import MASK, redact_text
from ..twilio_api import explained_errors
from ..twilio_ranges import DEFAULT_EDGE
from ..twiml import inbound_twiml, outbound_twiml
from ..validate import (
    DEPRECATED_REGISTRAR_EDGES,
    EDGES,
    LEGACY_EDGES,
    validate_bin_url,
    validate_domain_label,
    validate_e164,
    validate_edge,
    validate_public_ip,
    validate_sip_password,
    validate_sip_username,
)
from .config import lock_path, sip_password
from .results import SetupError, StepResult, results_table
from .steps import (
    NOT_OURS,
    ensure_call_credential_mapping,
    ensure_call_ip_acl_mapping,
    ensure_credential,
    ensure_credential_list,
    ensure_domain,
    ensure_ip_acl,
    ensure_ip_address,
    ensure_number_voice_url,
    ensure_origination_url,
    ensure_registration_mapping,
    ensure_trunk,
    find_credential_list,
    find_domain,
    find_ip_acl,
    find_number,
    find_tagged,
    find_trunk,
)
from .twiml_desk import DEFAULT_TWIML_HOST, TwimlDesk, validate_twiml_host

if TYPE_CHECKING:
    import pandas as pd
    from twilio.rest import Client

__all__ = ["TwilioSetup", "TAG_PREFIX", "STAGES", "registrar_hostnames", "DuplicateResourcesWarning"]

TAG_PREFIX = "ata-course:"
STAGES = ("outbound", "registration", "inbound")

Ctx = dict[str, str]


@dataclass(frozen=True)
class _Step:
    name: str
    stage: str
    run: Callable[[Ctx, bool], StepResult]
    key: str = ""


def _stages(stages: str | Iterable[str] | None) -> tuple[str, ...]:
    if stages is None:
        return STAGES
    chosen = {stages} if isinstance(stages, str) else set(stages)
    unknown = chosen - set(STAGES)
    if unknown or not chosen:
        raise ValidationError("stages", f"one or more of {', '.join(STAGES)}", stages)
    return tuple(s for s in STAGES if s in chosen)


class TwilioSetup:
    """The Twilio resources of one HT80x line, built from the course's inputs and checked up front.

    `plan()` reads only; `apply()` runs the steps and stops at the first error (SetupError with the
    table of what ran); `teardown()` deletes only what carries this setup's tag; `describe()` shows
    the current state. Each takes `stages` to limit it to part of the course.

    `twiml_host` says where the line's call handling lives: "functions" (the default: Twilio
    Functions deployed by apply() through the Serverless API, `protected`, in a Service named by the
    tag) or "bins" (TwiML Bins, pasted in the Console in live mode); the desk that hosts it comes
    from `twilio_api.twiml_desk(twiml_host)` unless `desk` is given (then the host is the desk's).
    Raises ValidationError for any input that breaks Twilio's rules.
    """

    def __init__(self, domain_label: str, username: str, password: str | None, caller_id: str, *,
                 public_ip: str, phone_number: str | None = None, edge: str = DEFAULT_EDGE,
                 outbound_bin_url: str | None = None, inbound_bin_url: str | None = None,
                 reset_password: bool = False, detach_number: bool = False,
                 client: "Client | None" = None, twiml_host: str | None = None,
                 desk: TwimlDesk | None = None) -> None:
        self.domain_label = validate_domain_label(domain_label)
        self.username = validate_sip_username(username)
        self._password = validate_sip_password(password) if password is not None else None
        self.caller_id = validate_e164(caller_id, "caller_id")
        self.phone_number = validate_e164(phone_number or caller_id, "phone_number")
        self.edge = validate_edge(edge)
        ip, prefix = validate_public_ip(public_ip)
        self.public_ip = ip if prefix == 32 else f"{ip}/{prefix}"
        self.outbound_bin_url = validate_bin_url(outbound_bin_url, "outbound_bin_url") if outbound_bin_url \
            else None
        self.inbound_bin_url = validate_bin_url(inbound_bin_url, "inbound_bin_url") if inbound_bin_url else None
        self.reset_password = reset_password
        self.detach_number = detach_number
        if twiml_host is None:  # the given desk's host, else the default
            twiml_host = desk.host if desk is not None else DEFAULT_TWIML_HOST
        self.twiml_host = validate_twiml_host(twiml_host)
        if desk is not None and desk.host != self.twiml_host:
            raise ValidationError("desk", f"a desk for twiml_host {self.twiml_host!r}, not {desk.host!r}")
        self._desk = desk
        if len(self.tag) > 64:
            raise ValidationError("domain_label", f"at most {64 - len(TAG_PREFIX)} characters, so the tag "
                                  f"'{TAG_PREFIX}LABEL' fits Twilio's 64-character friendly names",
                                  domain_label)
        self._client = client

    # -- construction from saved inputs --------------------------------------------------------------
    @classmethod
    def from_saved(cls, password: str | None = None, ask_password: bool = True,
                   **overrides: Any) -> "TwilioSetup":
        """A setup from the saved inputs (or the defaults), with `overrides` on top.

        Without `password`, sip_password() supplies it (prompting only if `ask_password`).
        """
        values = LineInputs.load().as_dict()
        values.update({k: v for k, v in overrides.items() if v is not None or k.endswith("bin_url")})
        options = {k: v for k in ("reset_password", "detach_number", "client", "twiml_host", "desk")
                   if (v := values.pop(k, None)) is not None}
        return cls(values.pop("domain_label"), values.pop("username"),
                   password or sip_password(prompt=ask_password) or None,
                   values.pop("caller_id"), public_ip=values.pop("public_ip"),
                   phone_number=values.pop("phone_number"), edge=values.pop("edge") or DEFAULT_EDGE,
                   outbound_bin_url=values.pop("outbound_bin_url"),
                   inbound_bin_url=values.pop("inbound_bin_url"), **options)

    @property
    def line(self) -> LineInputs:
        """The non-secret inputs as the typed LineInputs (what is saved between notebooks)."""
        return LineInputs(domain_label=self.domain_label, username=self.username, caller_id=self.caller_id,
                          phone_number=self.phone_number, edge=self.edge, public_ip=self.public_ip,
                          outbound_bin_url=self.outbound_bin_url, inbound_bin_url=self.inbound_bin_url,
                          twiml_host=self.twiml_host)

    def inputs(self) -> dict[str, Any]:
        """The non-secret inputs, as saved between notebooks (LineInputs.as_dict())."""
        return self.line.as_dict()

    def save(self) -> str:
        """Save the inputs (never the password) for the next notebooks; returns the file path."""
        return str(self.line.save())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.inputs().items() if v is not None)
        return f"TwilioSetup({fields}, password={MASK!r})"

    # -- derived names ---------------------------------------------------------------------------------
    @property
    def client(self) -> "Client":
        """The Twilio client (ata.twilio_client() unless one was given)."""
        if self._client is None:
            from ..twilio_api import twilio_client

            self._client = twilio_client()
        return self._client

    @property
    def desk(self) -> TwimlDesk:
        """Where the line's TwiML is hosted (ata.twilio_api.twiml_desk(twiml_host) unless one was given)."""
        if self._desk is None:
            from ..twilio_api import twiml_desk

            self._desk = twiml_desk(self.twiml_host, client=self.client, service_name=self.tag)
        return self._desk

    @property
    def tag(self) -> str:
        """The friendly name every resource of this setup carries: `ata-course:LABEL`."""
        return TAG_PREFIX + self.domain_label

    @property
    def domain_name(self) -> str:
        """`LABEL.sip.twilio.com` (LineInputs.domain_name)."""
        return self.line.domain_name

    @property
    def device_uri(self) -> str:
        """`sip:USER@LABEL.sip.twilio.com`, the global URI that rings the registered ATA."""
        return self.line.device_uri

    @property
    def origination_url(self) -> str:
        """`sip:USER@LABEL.sip.EDGE.twilio.com`, the trunk's origination URL."""
        return self.line.origination_url

    @property
    def outbound_twiml(self) -> str:
        """The outbound Bin's TwiML (the e164 template, from the caller ID)."""
        return outbound_twiml(self.caller_id)

    @property
    def inbound_twiml(self) -> str:
        """The inbound Bin's TwiML (<Dial answerOnBridge><Sip> to the global URI)."""
        return inbound_twiml(self.username, self.domain_label)

    def bin_name(self, kind: str) -> str:
        """Friendly name of the outbound or inbound Bin."""
        return f"{self.tag} {kind}"

    # -- steps ----------------------------------------------------------------------------------------
    def _steps(self) -> list[_Step]:
        c, tag = self.client, self.tag

        def bin_url(ctx: Ctx, key: str) -> str:
            return ctx.get(key) or "(the handler's URL)"

        return [
            _Step("outbound TwiML", "outbound", lambda ctx, d: self.desk.ensure(
                self.bin_name("outbound"), self.outbound_twiml, self.outbound_bin_url,
                field="outbound_bin_url", dry_run=d), "outbound_bin"),
            _Step("credential list", "outbound", lambda ctx, d: ensure_credential_list(c, tag, dry_run=d),
                  "credential_list"),
            _Step("credential", "outbound", lambda ctx, d: ensure_credential(
                c, ctx.get("credential_list"), self.username, self._password or "",
                reset_password=self.reset_password, dry_run=d)),
            _Step("IP access control list", "outbound", lambda ctx, d: ensure_ip_acl(c, tag, dry_run=d), "ip_acl"),
            _Step("IP address", "outbound", lambda ctx, d: ensure_ip_address(
                c, ctx.get("ip_acl"), self.public_ip, f"{tag} public IP", dry_run=d)),
            _Step("SIP domain", "outbound", lambda ctx, d: ensure_domain(
                c, self.domain_name, friendly_name=tag, voice_url=bin_url(ctx, "outbound_bin"),
                voice_method="POST", tag=tag, dry_run=d), "domain"),
            _Step("call auth: credential list", "outbound", lambda ctx, d: ensure_call_credential_mapping(
                c, ctx.get("domain"), ctx.get("credential_list"), tag, dry_run=d)),
            _Step("call auth: IP ACL", "outbound", lambda ctx, d: ensure_call_ip_acl_mapping(
                c, ctx.get("domain"), ctx.get("ip_acl"), tag, dry_run=d)),
            _Step("Elastic SIP trunk", "outbound", lambda ctx, d: ensure_trunk(c, tag, dry_run=d), "trunk"),
            _Step("origination URL", "outbound", lambda ctx, d: ensure_origination_url(
                c, ctx.get("trunk"), self.origination_url, tag, dry_run=d)),
            _Step("SIP registration", "registration", lambda ctx, d: ensure_domain(
                c, self.domain_name, friendly_name=tag, sip_registration=True, tag=tag, dry_run=d), "domain"),
            _Step("registration auth: credential list", "registration",
                  lambda ctx, d: ensure_registration_mapping(c, ctx.get("domain"), ctx.get("credential_list"),
                                                             tag, dry_run=d)),
            _Step("inbound TwiML", "inbound", lambda ctx, d: self.desk.ensure(
                self.bin_name("inbound"), self.inbound_twiml, self.inbound_bin_url,
                field="inbound_bin_url", dry_run=d), "inbound_bin"),
            _Step("phone number", "inbound", lambda ctx, d: ensure_number_voice_url(
                c, self.phone_number, bin_url(ctx, "inbound_bin"), detach=self.detach_number, dry_run=d)),
        ]

    def _context(self, stages: tuple[str, ...]) -> Ctx:
        """SIDs of parents a later stage needs when the earlier stage is not part of this run."""
        ctx: Ctx = {}
        if "outbound" in stages:
            return ctx
        for key, lookup in (("credential_list", lambda: find_credential_list(self.client, self.tag)),
                            ("domain", lambda: find_domain(self.client, self.domain_name))):
            found = lookup()
            if found is not None:
                ctx[key] = found.sid
        return ctx

    def _record(self, ctx: Ctx, step: _Step, result: StepResult) -> StepResult:
        result.step = step.name
        if step.key:
            value = result.name if step.key.endswith("_bin") else result.sid
            if value and (not step.key.endswith("_bin") or value.startswith("https://")):
                ctx[step.key] = value
        return result

    def _chosen(self, stages: str | Iterable[str] | None) -> tuple[str, ...]:
        chosen = _stages(stages)
        if "outbound" in chosen and self._password is None:
            raise ValidationError("password", "required to create (or reset) the SIP credential")
        return chosen

    def plan(self, stages: str | Iterable[str] | None = None) -> "pd.DataFrame":
        """What apply() would do, one row per step; only reads, nothing is changed."""
        chosen = self._chosen(stages)
        with explained_errors():
            ctx = self._context(chosen)
            rows = [self._record(ctx, s, s.run(ctx, True)) for s in self._steps() if s.stage in chosen]
        return results_table(rows)

    def apply(self, stages: str | Iterable[str] | None = None, save: bool = True) -> "pd.DataFrame":
        """Run the steps in order; a second run reports `unchanged`.

        Raises SetupError at the first failure of any kind, with the table of what ran, what failed
        and what did not run. With `save`, the inputs are saved for the next notebooks once every
        step has run.
        """
        chosen = self._chosen(stages)
        with self._line_lock("apply"):
            table = self._apply(chosen)
        if save:
            self.save()
        self.warn_duplicates()
        return table

    @contextmanager
    def _line_lock(self, what: str) -> Iterator[None]:
        """One apply or teardown per line at a time, across processes (a lock file; see ata_helpers.locks)."""
        from ..locks import held_lock
        from ..progress import progress_reporter

        reporter = None

        def waiting(seconds: float) -> None:
            nonlocal reporter
            reporter = reporter or progress_reporter(f"Waiting for another {what} of {self.domain_label}")
            reporter.update(int(seconds), None, f"{seconds:.0f} s")

        try:
            with held_lock(lock_path(self.domain_label), timeout=600, waiting=waiting):
                if reporter is not None:
                    reporter.close("the other run finished")
                yield
        except TimeoutError as exc:
            raise SetupError(what, exc, results_table([])) from None

    def _apply(self, chosen: tuple[str, ...]) -> "pd.DataFrame":
        steps = [s for s in self._steps() if s.stage in chosen]
        rows: list[StepResult] = []
        try:
            with explained_errors():
                ctx = self._context(chosen)
        except AtaHelpersError as exc:
            raise self._failed(steps, 0, rows, exc) from exc
        for index, step in enumerate(steps):
            try:
                with explained_errors():
                    rows.append(self._record(ctx, step, step.run(ctx, False)))
            except Exception as exc:  # noqa: BLE001 - any failure ends the run with its report
                raise self._failed(steps, index, rows, exc) from exc
        return results_table(rows)

    def duplicates(self) -> dict[str, list[str]]:
        """SIDs of every kind of resource that more than one of carries this setup's tag."""
        return {kind: [r.sid for r in found] for kind, found in find_tagged(self.client, self.tag).items()
                if len(found) > 1}

    def warn_duplicates(self) -> dict[str, list[str]]:
        """Warn (DuplicateResourcesWarning) when more than one resource of a kind carries the tag."""
        found = self.duplicates()
        if found:
            listed = "; ".join(f"{len(sids)} of {kind} ({', '.join(sids)})" for kind, sids in found.items())
            warnings.warn(f"more than one resource carries the tag {self.tag}: {listed}. The course uses the "
                          "first of each; teardown() removes them all.", DuplicateResourcesWarning, stacklevel=3)
        return found

    def _failed(self, steps: list[_Step], index: int, rows: list[StepResult], exc: Exception) -> SetupError:
        """The SetupError for a run that failed at steps[index]: what ran, what failed, what did not."""
        secrets = [self._password] if self._password else []
        text = str(exc) if isinstance(exc, AtaHelpersError) else f"{type(exc).__name__}: {exc}"
        failed_step = steps[index].name if steps else "lookup"
        rows = [*rows, StepResult("", "", "", "failed", redact_text(text, secrets), failed_step)]
        rows += [StepResult("", "", "", "not run", "", s.name) for s in steps[index + 1:]]
        return SetupError(failed_step, exc, results_table(rows))

    def teardown(self) -> "pd.DataFrame":
        """Delete what this setup created (tagged `ata-course:LABEL`) and reset the number's voice URL."""
        rows: list[StepResult] = []
        try:
            with self._line_lock("teardown"), explained_errors():
                return self._teardown(rows)
        except Exception as exc:  # noqa: BLE001 - any failure ends the run with its report
            done = [row.resource for row in rows]
            for row in rows:
                row.step = row.resource
            text = str(exc) if isinstance(exc, AtaHelpersError) else f"{type(exc).__name__}: {exc}"
            failed = StepResult("teardown", self.tag, "", "failed", (text.splitlines() or [""])[0])
            failed.step = "next resource after " + (done[-1] if done else "none")
            raise SetupError(failed.step, exc, results_table([*rows, failed])) from exc

    def _teardown(self, rows: list[StepResult]) -> "pd.DataFrame":
        c, tag = self.client, self.tag
        with explained_errors():
            tagged = find_tagged(c, tag)
            delete = {"Elastic SIP trunk": lambda sid: c.trunking.v1.trunks(sid).delete(),
                      "IP access control list": lambda sid: c.sip.ip_access_control_lists(sid).delete(),
                      "credential list": lambda sid: c.sip.credential_lists(sid).delete()}
            details = {"Elastic SIP trunk": "with its origination URL", "IP access control list": "with its entries",
                       "credential list": "with its entries"}
            self._delete_tagged(rows, "Elastic SIP trunk", tagged, delete, details)
            domain = find_domain(c, self.domain_name)
            if domain is not None and domain.friendly_name == tag:
                c.sip.domains(domain.sid).delete()
                rows.append(StepResult("SIP domain", self.domain_name, domain.sid, "deleted", "with its mappings"))
            else:
                rows.append(StepResult("SIP domain", self.domain_name, getattr(domain, "sid", ""),
                                       "kept" if domain else "absent",
                                       NOT_OURS if domain else "nothing to remove: no such domain"))
            for resource in ("IP access control list", "credential list"):
                self._delete_tagged(rows, resource, tagged, delete, details)
            rows.append(self._reset_number())
        rows += [self.desk.remove(self.bin_name("inbound"), self.inbound_bin_url),
                 self.desk.remove(self.bin_name("outbound"), self.outbound_bin_url)]
        rows += self._remove_other_host_functions()
        for row in rows:
            row.step = row.resource
        return results_table(rows)

    def _other_function_desk(self) -> Any:
        """The Functions desk when this setup hosts its TwiML elsewhere (Bins), else None: the course's
        Functions from an earlier run with call handling 'functions' are still the course's to remove."""
        from ..twilio_api import twiml_desk

        if self.desk.host == "functions":
            return None
        return twiml_desk("functions", client=self.client, service_name=self.tag)

    def _remove_other_host_functions(self) -> list[StepResult]:
        desk = self._other_function_desk()
        if desk is None:
            return []
        with explained_errors():
            removed = [desk.remove(self.bin_name(direction)) for direction in ("inbound", "outbound")]
        return [row for row in removed if row.action != "absent"]

    def _delete_tagged(self, rows: list[StepResult], resource: str, tagged: dict[str, list[Any]],
                       delete: dict[str, Callable[[str], Any]], details: dict[str, str]) -> None:
        """Delete every resource of one kind that carries the tag (duplicates included), one row each."""
        for found in tagged[resource]:
            delete[resource](found.sid)
            rows.append(StepResult(resource, self.tag, found.sid, "deleted", details[resource]))
        if not tagged[resource]:
            rows.append(StepResult(resource, self.tag, "", "absent", "nothing to remove: none carries the tag"))

    def _inbound_url(self) -> str | None:
        found = self.desk.find(self.bin_name("inbound"), self.inbound_bin_url)
        return found.url if found else self.inbound_bin_url

    def _reset_number(self) -> StepResult:
        number = find_number(self.client, self.phone_number)
        if number is None:
            return StepResult("phone number", self.phone_number, "", "absent", "not a number of this account")
        ours = self._inbound_url()
        if ours and number.voice_url == ours:
            self.client.incoming_phone_numbers(number.sid).update(voice_url="")
            return StepResult("phone number", self.phone_number, number.sid, "reset",
                              "voice_url cleared (it pointed at the course's inbound handler)")
        return StepResult("phone number", self.phone_number, number.sid, "kept",
                          "voice_url does not point at the course's inbound handler")

    # -- describe -------------------------------------------------------------------------------------
    def describe(self) -> "pd.DataFrame":
        """The current state of everything this setup manages: resource, name, sid, state, detail."""
        import pandas as pd

        rows: list[dict[str, str]] = []

        def add(resource: str, name: str, found: Any, detail: str = "") -> None:
            if found is None and not detail:
                detail = ("not created yet: apply() creates it (notebook 02's form: Plan, then Apply; "
                          "or `ata-helpers setup apply`)")
            rows.append({"resource": resource, "name": name, "sid": getattr(found, "sid", "") or "",
                         "state": "present" if found is not None else "missing", "detail": detail})

        c, tag = self.client, self.tag
        with explained_errors():
            cl = find_credential_list(c, tag)
            users = [x.username for x in c.sip.credential_lists(cl.sid).credentials.list()] if cl else []
            add("credential list", tag, cl, f"usernames: {', '.join(users) or 'none'}" if cl else "")
            acl = find_ip_acl(c, tag)
            addresses = [f"{a.ip_address}/{a.cidr_prefix_length}"
                         for a in c.sip.ip_access_control_lists(acl.sid).ip_addresses.list()] if acl else []
            add("IP access control list", tag, acl, f"addresses: {', '.join(addresses) or 'none'}" if acl else "")
            domain = find_domain(c, self.domain_name)
            add("SIP domain", self.domain_name, domain, self._domain_detail(domain) if domain else "")
            trunk = find_trunk(c, tag)
            urls = [o.sip_url for o in c.trunking.v1.trunks(trunk.sid).origination_urls.list()] if trunk else []
            add("Elastic SIP trunk", tag, trunk, f"origination URLs: {', '.join(urls) or 'none'}" if trunk else "")
            number = find_number(c, self.phone_number)
            add("phone number", self.phone_number, number, self._number_detail(number) if number else
                "not a number of this account")
            for direction in ("inbound", "outbound"):
                self._describe_handler(add, direction)
            for kind, sids in self.warn_duplicates().items():
                rows.append({"resource": kind, "name": tag, "sid": ", ".join(sids), "state": "duplicate",
                             "detail": f"{len(sids)} carry the tag; teardown removes them all"})
        return pd.DataFrame(rows, columns=["resource", "name", "sid", "state", "detail"])

    def _describe_handler(self, add: Callable[..., None], direction: str) -> None:
        """One row per call handler: where the current host keeps it, and a Function left by an
        earlier run with call handling 'functions' (teardown removes it)."""
        name = self.bin_name(direction)
        url = self.inbound_bin_url if direction == "inbound" else self.outbound_bin_url
        found = self.desk.find(name, url)
        detail = f"{direction} call handling ({self.desk.host}): {found.url}" if found else \
            f"{direction} call handling ({self.desk.host})"
        add(self.desk.resource, name, found, detail)
        other = self._other_function_desk()
        left = other.find(name) if other is not None else None
        if left is not None:
            add(other.resource, name, left, "left by an earlier run with call handling 'functions'; "
                "teardown removes it")

    def _domain_detail(self, domain: Any) -> str:
        auth = self.client.sip.domains(domain.sid).auth
        calls_cl = [m.friendly_name for m in auth.calls.credential_list_mappings.list()]
        calls_acl = [m.friendly_name for m in auth.calls.ip_access_control_list_mappings.list()]
        reg = [m.friendly_name for m in auth.registrations.credential_list_mappings.list()]
        return (f"voice_url={domain.voice_url}; voice_method={domain.voice_method}; "
                f"sip_registration={bool(domain.sip_registration)}; "
                f"call auth: credential lists [{', '.join(calls_cl)}], IP ACLs [{', '.join(calls_acl)}]; "
                f"registration auth: [{', '.join(reg)}]")

    def _number_detail(self, number: Any) -> str:
        parts = [f"voice_url={number.voice_url}"]
        if number.trunk_sid:
            parts.append(f"⚠ trunk_sid={number.trunk_sid} (voice_url ignored)")
        if number.voice_application_sid:
            parts.append(f"⚠ voice_application_sid={number.voice_application_sid} (voice_url ignored)")
        return "; ".join(parts)


def registrar_hostnames(domain_label: str) -> "pd.DataFrame":
    """Where the ATA may register (global name or any edge) and why calls to it use the global URI."""
    import pandas as pd

    label = validate_domain_label(domain_label)
    legacy = {edge: name for name, edge in LEGACY_EDGES.items()}
    rows = [{"edge": "(global)", "location": "nearest, chosen by DNS", "registrar": sip_domain(label),
             "legacy name": "", "dial the ATA at": f"{sip_domain(label)} ✓"}]
    for edge, location in EDGES.items():
        rows.append({"edge": edge, "location": location, "registrar": sip_domain(label, edge),
                     "legacy name": sip_domain(label, legacy[edge]),
                     "dial the ATA at": ("✗ ashburn: 32220; us1: deprecated, still OK"
                                         if legacy[edge] in DEPRECATED_REGISTRAR_EDGES
                                         else "✗ edge URI → error 32220")})
    return pd.DataFrame(rows)
