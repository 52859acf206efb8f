"""`ata.check("NN")`: each step's check fails before the step's work and passes after it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers.sandbox.course_steps import STEP_ACTIONS


def _failed_calls_to_ata() -> int:
    from ata_helpers.line import LineInputs

    return len(ata.call_log(to=LineInputs.load().device_uri, status="failed", progress=False, alerts=False))


def test_every_check_fails_before_its_step_and_passes_after() -> None:
    STEP_ACTIONS[0]()
    rules = ata.firewall_rules("openwrt", ata_ip="192.168.1.50")
    before = ata.check("01")
    assert not before and "ata.check(\"01\", rules)" in str(before)
    assert ata.check("01", rules)
    for step in range(2, 10):
        key = f"{step:02d}"
        result = ata.check(key)  # before the notebook the learner has no answer to give either
        assert not result.passed, f"check {key} passed before notebook {key}'s steps:\n{result}"
        assert result.missing and all(item.detail for item in result.missing)
        STEP_ACTIONS[step]()
        answer = _failed_calls_to_ata() if key == "08" else True if key == "05" else None
        result = ata.check(key, answer)
        assert result.passed, f"check {key} fails after notebook {key}'s steps:\n{result}"
    assert ata.check("10").passed


def test_check_10_names_the_broken_link() -> None:
    STEP_ACTIONS[2]()
    result = ata.check(10)
    assert callable(ata.doctor)  # still the function after the check used it
    assert not result
    assert any(item.what == "SIP registration enabled" and "32210" in item.detail for item in result.missing)


def test_firewall_check_reads_rule_text_and_finds_the_missing_media_range() -> None:
    rules = ata.firewall_rules("iptables", edges=["ashburn"], ata_ip="192.168.1.50")
    assert ata.check("01", rules).passed
    text = rules.text.replace("168.86.128.0/18", "10.0.0.0/8")
    result = ata.check("01", text)
    media = next(item for item in result.items if item.what == "Twilio's media range allowed")
    assert not media.ok and "one-way audio" in media.detail
    no_target = ata.check("01", ata.firewall_rules("nftables"))
    assert [item.what for item in no_target.missing] == ["forwarded to the ATA's LAN address"]


def test_wrong_answer_for_the_call_log_is_refused() -> None:
    result = ata.check("08", 10**6)
    assert not result and "not what the log says" in str(result)


def test_check_result_shapes() -> None:
    result = ata.check("03")
    table = result.table()
    assert list(table.columns) == ["what", "ok", "detail"] and table["ok"].dtype == bool
    assert result.headline().startswith("Step 03 (SIP registration):")
    assert "✗" in result._repr_html_()


@pytest.mark.parametrize("step", ["00", "12", "ab", 11])
def test_unknown_step_is_a_validation_error(step: object) -> None:
    with pytest.raises(ata.ValidationError):
        ata.check(step)  # type: ignore[arg-type]


def test_device_not_answering_is_a_plain_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("ATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("ATA_ADMIN_PASSWORD", "x")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "0" * 32)
    result = ata.check("04")
    assert not result and not any(item.ok for item in result.items)
    assert "did not answer" in result.items[0].detail


NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("step", [f"{n:02d}" for n in range(1, 10)])
def test_notebook_ends_with_an_exercise_a_collapsed_solution_and_its_check(step: str) -> None:
    import jupytext

    (text,) = NOTEBOOKS.glob(f"{step}_*.md")
    cells = jupytext.read(text).cells
    heading = next((i for i, c in enumerate(cells)
                    if c.cell_type == "markdown" and c.source.startswith("## Exercise")), None)
    assert heading is not None, f"{text.name} has no '## Exercise' section"
    exercise = cells[heading:]
    solutions = [c for c in exercise if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")]
    assert len(solutions) == 1, f"{text.name}: the exercise needs one collapsed solution cell (jupyter: source_hidden)"
    checks = [c for c in exercise if c.cell_type == "code" and re.match(rf'ata\.check\("{step}"[,)]', c.source)]
    assert checks, f'{text.name}: no cell calling ata.check("{step}") after the exercise'
    assert exercise.index(solutions[0]) < exercise.index(checks[0]), "the check runs after the solution"
    later = [c.source for c in cells[heading + 1:] if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert all(s.startswith("## Next") for s in later), f"{text.name}: only 'Next' may follow the exercise"


def test_ata_setting_fixes_lead_with_the_label_and_name_the_p_values_of_the_port_in_use() -> None:
    """Check 04 on FXS port 2: titles are the device's labels, fixes give port 2's P-values."""
    from types import SimpleNamespace

    from ata_helpers import selfcheck

    config = ata.HT80xConfig(model="HT802", sip_server="lab.sip.twilio.com",
                             ports=[ata.FxsPort(user_id="alice"),
                                    ata.FxsPort(user_id="bob", contact_uses_wan=False, check_user_id_on_invite=False,
                                                dial_plan_prefix="")])
    learner = SimpleNamespace(setup=SimpleNamespace(domain_name="other.sip.twilio.com", username="carol"),
                              port=lambda: (2, config))
    items = {item.what: item for item in (probe(learner) for probe in selfcheck._ATA_SETTINGS)}  # type: ignore[arg-type]
    assert not any(item.ok for item in items.values())
    assert items["Primary SIP Server"].detail.endswith("(P747, FXS port 2)")
    assert "(P735/P736, FXS port 2)" in items["SIP User ID and Authenticate ID"].detail
    assert items["SIP REGISTER Contact Header Uses"].detail.startswith("LAN Address: set WAN Address (P4438, FXS port 2)")
    assert items["Check SIP User ID for incoming INVITE"].detail == "No: set Yes (P449, FXS port 2)"
    assert "(P766, FXS port 2)" in items["Dial Plan Prefix"].detail
