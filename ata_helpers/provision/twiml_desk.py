"""Where the line's TwiML is hosted: one small protocol (a "desk") and the Console's Bins desk.

TwilioSetup asks a desk to find, ensure and remove a piece of hosted TwiML by its friendly name,
and gets StepResult rows back, whatever does the hosting. The desk is chosen beside
`twilio_client()` (`twilio_api.twiml_desk(host)`), so nothing here knows which mode is in use:

- `ConsoleBinDesk` (here): TwiML Bins in a live account. Bins have no public API
  (https://www.twilio.com/docs/serverless/twiml-bins), so the learner creates each one in the
  Console; the desk checks the URL pasted back, shows the steps when there is none, and never
  deletes (it says where to).
- The twin's Bins desk: Bins kept by the local Twilio twin, over HTTP.
- `function_desk.FunctionDesk`: the TwiML's handlers deployed as Twilio Functions through the
  Serverless API, the same code for every client (a twin of that API answers it in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from ..errors import ValidationError
from ..twiml import bin_sid_from_url, console_bin_steps
from ..validate import validate_bin_url
from .results import WOULD, StepResult

__all__ = ["TwimlHost", "TWIML_HOSTS", "DEFAULT_TWIML_HOST", "HostedTwiml", "TwimlDesk", "ApiDesk", "ConsoleBinDesk",
           "validate_twiml_host"]

TwimlHost = Literal["functions", "bins"]
# Where the line's TwiML can be hosted: Twilio Functions deployed through the Serverless API
# (provision.function_desk, the default) or TwiML Bins (pasted in the Console in live mode).
TWIML_HOSTS: tuple[TwimlHost, ...] = ("functions", "bins")
DEFAULT_TWIML_HOST: TwimlHost = "functions"


def validate_twiml_host(value: str, field: str = "twiml_host") -> TwimlHost:
    """One of TWIML_HOSTS (case-insensitive); raises ValidationError otherwise."""
    text = str(value or "").strip().lower()
    if text not in TWIML_HOSTS:
        raise ValidationError(field, f"one of {', '.join(TWIML_HOSTS)}", value)
    return text  # type: ignore[return-value]


@dataclass(frozen=True)
class HostedTwiml:
    """A piece of hosted TwiML: its friendly name, the URL Twilio fetches it from, its SID, and the
    TwiML itself when the desk can read it back (None for Console Bins, which have no API)."""

    friendly_name: str
    url: str
    sid: str = ""
    twiml: str | None = None


@runtime_checkable
class TwimlDesk(Protocol):
    """What TwilioSetup needs from whatever hosts the line's TwiML.

    `host` is the TWIML_HOSTS name it serves and `resource` the word its result rows use (e.g.
    "TwiML Bin"). `url` is what the learner gave for this piece (pasted Console Bins need it;
    desks that host through an API ignore it). `field` names the form field a missing URL is asked
    for. Errors are AtaHelpersError subclasses (ValidationError for a missing or malformed URL).
    """

    host: str
    resource: str

    def find(self, friendly_name: str, url: str | None = None) -> HostedTwiml | None:
        """The hosted TwiML of this friendly name (or at `url`), or None."""
        ...

    def ensure(self, friendly_name: str, twiml: str, url: str | None = None, *, field: str = "bin_url",
               dry_run: bool = False) -> StepResult:
        """Make sure `twiml` is hosted under `friendly_name`; the row's `name` is its URL."""
        ...

    def remove(self, friendly_name: str, url: str | None = None) -> StepResult:
        """Teardown: delete it where the desk can, else say where to."""
        ...


class ApiDesk:
    """A desk that hosts TwiML through an API: `ensure` and `remove` follow from find, put and delete.

    Subclasses set `host`, `resource` and `placeholder_url` (the URL shown in a plan before the
    first creation) and implement the three methods below. Matching is by friendly name, so a
    second run reports `unchanged` and new TwiML `updated`.
    """

    host: str = ""
    resource: str = ""
    placeholder_url: str = ""

    def find(self, friendly_name: str, url: str | None = None) -> HostedTwiml | None:
        """The hosted TwiML with this friendly name, or None (`url` is ignored)."""
        raise NotImplementedError

    def put(self, friendly_name: str, twiml: str) -> HostedTwiml:
        """Create the piece, or replace the TwiML of the one with this friendly name."""
        raise NotImplementedError

    def delete(self, hosted: HostedTwiml) -> None:
        """Delete a piece `find` returned."""
        raise NotImplementedError

    def ensure(self, friendly_name: str, twiml: str, url: str | None = None, *, field: str = "bin_url",
               dry_run: bool = False) -> StepResult:
        found = self.find(friendly_name)
        if found is not None and found.twiml == twiml:
            return StepResult(self.resource, found.url, found.sid, "unchanged", friendly_name)
        action = "created" if found is None else "updated"
        detail = friendly_name if found is None else f"{friendly_name}: new TwiML"
        if dry_run:
            return StepResult(self.resource, found.url if found else self.placeholder_url,
                              found.sid if found else "", WOULD[action], detail)
        made = self.put(friendly_name, twiml)
        return StepResult(self.resource, made.url, made.sid, action, detail)

    def remove(self, friendly_name: str, url: str | None = None) -> StepResult:
        found = self.find(friendly_name)
        if found is None:
            return StepResult(self.resource, friendly_name, "", "absent", "nothing to remove: not found")
        self.delete(found)
        return StepResult(self.resource, found.url, found.sid, "deleted", friendly_name)


class ConsoleBinDesk:
    """TwiML Bins in a live account: created by the learner in the Console, their URLs pasted back."""

    host = "bins"
    resource = "TwiML Bin"

    def find(self, friendly_name: str, url: str | None = None) -> HostedTwiml | None:
        """The Bin at the pasted `url` (its form checked), or None when none was given."""
        if not url:
            return None
        checked = validate_bin_url(url)
        return HostedTwiml(friendly_name, checked, bin_sid_from_url(checked) or "")

    def ensure(self, friendly_name: str, twiml: str, url: str | None = None, *, field: str = "bin_url",
               dry_run: bool = False) -> StepResult:
        """The pasted Bin (form checked; its TwiML cannot be read back). Without `url`, a plan says
        what to paste and a run raises ValidationError carrying the Console steps."""
        if not url:
            if dry_run:
                return StepResult(self.resource, friendly_name, "", "paste in Console",
                                  f"create it in the Console, then give its URL as {field}")
            raise ValidationError(field, console_bin_steps(friendly_name, twiml, field))
        checked = validate_bin_url(url, field)
        return StepResult(self.resource, checked, bin_sid_from_url(checked) or "", "unchanged",
                          f"'{friendly_name}', pasted in the Console by you (Bins have no API to check it)")

    def remove(self, friendly_name: str, url: str | None = None) -> StepResult:
        """Bins cannot be deleted through an API: the row says where to delete it."""
        return StepResult(self.resource, url or friendly_name, "", "kept",
                          f"delete '{friendly_name}' in Console → TwiML Bins (no API for Bins)")
