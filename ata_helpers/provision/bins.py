"""Delivering a TwiML Bin: the one provisioning step that differs between sandbox and live.

Twilio has no public API for Bins (twilio.md §2). In live mode the learner pastes the TwiML in the
Console and gives back the Bin's URL, whose form is checked here; in sandbox mode the twin's Bin
store stands in for the Console, keyed by friendly name like the other steps.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..settings import mode
from ..twiml import console_bin_steps
from ..validate import validate_bin_url
from .results import WOULD, StepResult

__all__ = ["ensure_bin", "remove_bin", "find_sandbox_bin"]


def find_sandbox_bin(friendly_name: str) -> dict | None:
    """The sandbox Bin with this friendly name, or None."""
    from ..sandbox.twilio.bins import list_bins

    return next((b for b in list_bins() if b["friendly_name"] == friendly_name), None)


def ensure_bin(friendly_name: str, twiml: str, url: str | None = None, *, field: str = "bin_url",
               dry_run: bool = False) -> StepResult:
    """A Bin holding `twiml`; its URL is in the result's `name`.

    Live: `url` is the Bin the learner pasted (form checked); without it, a dry run says what to
    paste and a real run raises ValidationError carrying the Console steps. Sandbox: created or
    updated in the twin's store (a given `url` is ignored there).
    """
    if mode() == "live":
        if not url:
            if dry_run:
                return StepResult("TwiML Bin", friendly_name, "", "paste in Console",
                                  f"create it in the Console, then give its URL as {field}")
            raise ValidationError(field, console_bin_steps(friendly_name, twiml, field))
        checked = validate_bin_url(url, field)
        from ..sandbox.twilio.bins import bin_sid_from_url

        return StepResult("TwiML Bin", checked, bin_sid_from_url(checked) or "", "unchanged",
                          f"'{friendly_name}', pasted in the Console by you (Bins have no API to check it)")
    from ..sandbox.twilio.bins import BIN_URL, create_bin

    found = find_sandbox_bin(friendly_name)
    if found is not None and found["twiml"] == twiml:
        return StepResult("TwiML Bin", found["url"], found["sid"], "unchanged", friendly_name)
    action = "created" if found is None else "updated"
    detail = friendly_name if found is None else f"{friendly_name}: new TwiML"
    if dry_run:
        return StepResult("TwiML Bin", found["url"] if found else BIN_URL.format(sid="EH…"),
                          found["sid"] if found else "", WOULD[action], detail)
    made = create_bin(friendly_name, twiml)
    return StepResult("TwiML Bin", made["url"], made["sid"], action, detail)


def remove_bin(friendly_name: str, url: str | None = None) -> StepResult:
    """Teardown of a Bin: deleted in the sandbox; in live mode the learner deletes it in the Console."""
    if mode() == "live":
        return StepResult("TwiML Bin", url or friendly_name, "", "kept",
                          f"delete '{friendly_name}' in Console → TwiML Bins (no API for Bins)")
    from ..sandbox.twilio.bins import delete_bin

    found = find_sandbox_bin(friendly_name)
    if found is None:
        return StepResult("TwiML Bin", friendly_name, "", "absent", "")
    delete_bin(found["sid"])
    return StepResult("TwiML Bin", found["url"], found["sid"], "deleted", friendly_name)
