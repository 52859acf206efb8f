"""calls.statuses: one list of Twilio's call statuses, used wherever a status is judged final."""

from __future__ import annotations

from ata_helpers.calls.statuses import (
    CALL_STATUSES,
    FINAL_STATUSES,
    UNANSWERED_STATUSES,
)


def test_final_statuses_are_call_statuses_and_exclude_the_live_ones() -> None:
    assert FINAL_STATUSES < set(CALL_STATUSES)
    assert not {"queued", "ringing", "in-progress"} & FINAL_STATUSES
    assert UNANSWERED_STATUSES == FINAL_STATUSES - {"completed"}


def test_modules_that_judge_a_call_final_share_the_one_set() -> None:
    import ata_helpers._doctor as doctor
    import ata_helpers.sandbox.twilio.calls as twin_calls
    import ata_helpers.wakeup.scheduler as scheduler

    for module in (doctor, twin_calls, scheduler):
        assert module.FINAL_STATUSES is FINAL_STATUSES
