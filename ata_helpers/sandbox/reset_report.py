"""What a sandbox reset removed, in words a learner can act on.

`reset_and_report()` counts what the sandbox holds (the Twilio twin's records by resource, the
ATA twin's settings, the files under the sandbox folder), resets it, and returns a
`SandboxReset` whose text says what went, that the twins start again on next use, and what to
run next. The CLI's `sandbox reset` and the notebooks' reset button print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SandboxReset", "reset_and_report"]

# Twilio resources a learner recognises, in the order the course creates them (record kind -> plural)
_NAMED = {"sip_domain": "SIP domains", "credential_list": "credential lists", "credential": "credentials",
          "ip_access_control_list": "IP access control lists", "trunk": "trunks",
          "service": "Functions services", "call": "calls", "alert": "alerts"}
# records the Twilio twin makes for itself on first use (the account, its sample phone numbers)
_SEEDED = {"account", "incoming_phone_number"}
# files the sandbox keeps for its own running (state store, service addresses)
_KEEP = {"state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm", "services"}


@dataclass(frozen=True)
class SandboxReset:
    """The outcome of a sandbox reset: the folder, what was removed, and the notebook it is ready for.

    `twilio` maps a Twilio resource (plural, e.g. "SIP domains") to how many records were removed,
    with "other records" for the rest; `device_settings` is how many P-values the ATA twin held
    beyond its factory state; `files` names the files and folders removed (captures, generated
    configuration, the wake-up store); `ready_for` is the notebook the state was built for (None:
    an empty sandbox) and `ran` the notebooks whose steps were run to build it.
    """

    folder: Path
    twilio: dict[str, int] = field(default_factory=dict)
    device_settings: int = 0
    files: tuple[str, ...] = ()
    ready_for: int | None = None
    ran: tuple[int, ...] = ()

    @property
    def removed_anything(self) -> bool:
        """True when the sandbox held anything of the learner's before the reset."""
        return bool(self.twilio or self.device_settings or self.files)

    def lines(self) -> list[str]:
        """The report as short lines: what was removed, what happens next, what to run."""
        if self.removed_anything:
            parts = [", ".join(f"{n} {name if n != 1 else name.rstrip('s')}" for name, n in self.twilio.items())]
            if self.device_settings:
                parts.append(f"the ATA twin's settings ({self.device_settings} values back to factory)")
            if self.files:
                shown = ", ".join(self.files[:4]) + (f" and {len(self.files) - 4} more" if len(self.files) > 4 else "")
                parts.append(f"files: {shown}")
            what = "; ".join(p for p in parts if p)
            first = f"Sandbox reset in {self.folder}: removed {what}."
        else:
            first = f"Sandbox reset in {self.folder}: it held nothing of yours, so nothing was removed."
        if self.ready_for is None:
            return [first, "The twins (Twilio and the ATA) start again, empty, the next time a notebook or command "
                           "uses them; live accounts and devices were not touched.",
                    "Next: run the notebooks from 01 (or `ata-helpers sandbox reset --to N` to join at notebook N)."]
        ran = ", ".join(f"{n:02d}" for n in self.ran) or "none"
        return [first, f"The twins then ran the steps of notebooks {ran}, so they hold what a learner has before "
                       f"notebook {self.ready_for:02d}; live accounts and devices were not touched.",
                f"Next: open notebook {self.ready_for:02d}."]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _holdings(folder: Path) -> tuple[dict[str, int], int, tuple[str, ...]]:
    """(Twilio records by resource, ATA settings changed from factory, files) the sandbox holds."""
    from .ht80x.twin import factory_pvalues, twin_quirks
    from .store import open_store

    twilio: dict[str, int] = {}
    device = 0
    if (folder / "state.sqlite3").exists():
        store = open_store(folder)
        counts = {row["kind"]: int(row["n"]) for row in
                  store.execute("SELECT kind, COUNT(*) AS n FROM records GROUP BY kind")}
        twilio = {name: counts.pop(kind) for kind, name in _NAMED.items() if counts.get(kind)}
        other = sum(n for kind, n in counts.items() if kind not in _SEEDED)
        if other:
            twilio["other records"] = other
        values = store.get_value("ht80x:pvalues")
        if values:
            factory = factory_pvalues(twin_quirks(store)["product"])
            device = sum(1 for k, v in values.items() if factory.get(k) != v)
    files = tuple(sorted(child.name + ("/" if child.is_dir() else "")
                         for child in folder.iterdir() if child.name not in _KEEP)) if folder.is_dir() else ()
    return twilio, device, files


def reset_and_report(to: int | str | None = None) -> SandboxReset:
    """Reset the sandbox (`ata.sandbox.reset(to)`) and say what it removed and what to run next.

    Raises ValidationError for a `to` that is not a notebook number, before anything is cleared.
    """
    from ..settings import sandbox_dir
    from . import reset
    from .course_steps import reach_step, step_number

    number = None if to is None else step_number(to)  # a bad number leaves the sandbox untouched
    folder = sandbox_dir()
    twilio, device, files = _holdings(folder)
    if number is None:
        return SandboxReset(reset(), twilio, device, files)
    folder = reset()
    ran = reach_step(number)
    return SandboxReset(folder, twilio, device, files, ready_for=number, ran=tuple(ran))
