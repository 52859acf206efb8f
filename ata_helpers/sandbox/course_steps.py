"""Join the course at any step: build what a learner has after notebooks 00 … N-1, with the course's own calls.

`reach_step(5)` runs, in order, the library calls notebooks 01–04 make (TwilioSetup for the
Twilio side, the device client for the ATA, the test calls, the seeded call history, the saved
alarm), so the state is exactly what those notebooks leave behind — same resources, same order,
hence the same deterministic sandbox SIDs — and notebook 5 onward runs as if the learner had done
the earlier ones. `ata-helpers sandbox reset --to 5` and `ata.sandbox.reset(to=5)` start a fresh
sandbox first; reaching a step is meant for the sandbox (a live account is built step by step in
the notebooks, with a plan shown first).
"""

from __future__ import annotations

from typing import Callable

from ..errors import AtaHelpersError, ValidationError
from ..progress import progress_reporter

__all__ = ["reach_step", "STEP_ACTIONS", "LAST_STEP"]

LAST_STEP = 11  # notebooks 00 … 11; reach_step(11) leaves what notebook 10 found


def _twilio_setup(stages: list[str] | None) -> None:
    from ..provision import TwilioSetup
    from ..provision.config import sip_password

    TwilioSetup.from_saved(password=sip_password(prompt=False)).apply(stages)


def _step_00() -> None:
    """Notebook 00: the environment check (the first call to Twilio starts the twin, which seeds its numbers)."""
    from ..environment import environment_check

    environment_check()


def _step_02() -> None:
    """Notebook 02: the outbound stage (Bin, lists, domain and its call auth, trunk)."""
    _twilio_setup(["outbound"])


def _step_03() -> None:
    """Notebook 03: SIP registration on, the credential list mapped for registrations."""
    _twilio_setup(["outbound", "registration"])


def _step_04() -> None:
    """Notebook 04: the recommended settings written to the ATA (read back by the device client)."""
    from ..grandstream import FxsPort, HT80xConfig, ht80x_device
    from ..line import LineInputs
    from ..provision.config import sip_password

    line = LineInputs.load()
    config = HT80xConfig(model="HT801", sip_server=line.domain_name,
                         ports=(FxsPort(user_id=line.username or "", password=sip_password(prompt=False),
                                        display_name="Kitchen"),))
    device = ht80x_device()
    device.plan(config)
    device.apply(config)


def _step_05() -> None:
    """Notebook 05: wait until the port shows Registered."""
    from ..grandstream import ht80x_device

    table = ht80x_device().wait_for_registration(timeout=10)
    if not (table[table["account_active"]]["registration"] == "Registered").all():
        raise AtaHelpersError("the ATA did not register while building step 5; run "
                              "ata.check(\"05\") to see why")


def _step_06() -> None:
    """Notebook 06: the inbound stage (Bin, the number's voice URL) and the test call to the ATA."""
    from ..calls import call_ata
    from ..provision import TwilioSetup
    from ..provision.config import sip_password

    setup = TwilioSetup.from_saved(password=sip_password(prompt=False))
    setup.apply()
    call_ata(setup.device_uri, setup.phone_number)


def _step_07() -> None:
    """Notebook 07: the NAT story on the line — LAN Contact, a failing call, WAN Contact, a good call."""
    from .. import nat_story
    from . import capture

    nat_story.ensure_line()
    nat_story.set_contact_header(wan=False)
    capture(nat_story.call_the_phone().sid)
    nat_story.set_contact_header(wan=True)
    capture(nat_story.call_the_phone().sid)


def _step_08() -> None:
    """Notebook 08: a month of call history to read (the sandbox's seeded log)."""
    from .twilio.seed_history import seed_call_history

    seed_call_history(n=300, seed=8, days=28)


def _step_09() -> None:
    """Notebook 09: the wake-up alarm saved, and one call placed through the REST API."""
    from ..calls import place_call, wait_for_call
    from ..line import LineInputs
    from ..wakeup import WakeUpCall
    from ..wakeup.store import AlarmStore

    alarm = WakeUpCall(time="06:30", days="mon-fri", tz="America/Los_Angeles", to=LineInputs.load().device_uri,
                       message="Good morning! Time to get up.", retries=2, retry_minutes=5)
    wait_for_call(place_call("+14155550123", say=alarm.message))
    store = AlarmStore()
    try:
        store.save(alarm)
    finally:
        store.close()


# notebook number -> what finishing it leaves behind (01 and 10 change nothing)
STEP_ACTIONS: dict[int, Callable[[], None]] = {
    0: _step_00, 2: _step_02, 3: _step_03, 4: _step_04, 5: _step_05, 6: _step_06, 7: _step_07, 8: _step_08, 9: _step_09,
}


def step_number(step: int | str) -> int:
    """The notebook number `step` names (0–11; "05" is accepted); raises ValidationError otherwise."""
    try:
        number = int(step)
    except (TypeError, ValueError):
        raise ValidationError("to", f"a notebook number from 0 to {LAST_STEP}", step) from None
    if not 0 <= number <= LAST_STEP:
        raise ValidationError("to", f"a notebook number from 0 to {LAST_STEP}", step)
    return number


def reach_step(step: int | str, progress: bool = True) -> list[int]:
    """Run what notebooks 00 … step-1 do, in order, on the current (fresh) state; returns the notebooks run.

    `step` is the notebook to start at (0–11; "05" is accepted). Call it on a fresh sandbox
    (`ata.sandbox.reset(to=step)` does both). Raises ValidationError for a step out of range and
    the library's own errors if a step fails.
    """
    number = step_number(step)
    done = [n for n in sorted(STEP_ACTIONS) if n < number]
    reporter = progress_reporter(f"Building the state after notebook {number - 1:02d}" if number else "Fresh",
                                 progress)
    try:
        for index, n in enumerate(done, 1):
            reporter.update(index - 1, len(done), f"notebook {n:02d}")
            STEP_ACTIONS[n]()
        reporter.update(len(done), len(done), "done")
    finally:
        reporter.close(f"ready for notebook {number:02d}")
    return done
