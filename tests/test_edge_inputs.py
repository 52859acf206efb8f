"""Inputs at the edge of the public surface: wrong shapes get a clear course error, never a stray
AttributeError/KeyError/TypeError from deep inside."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import ata_helpers as ata
from ata_helpers.cli import main
from ata_helpers.errors import CaptureError, ValidationError
from ata_helpers.validate import validate_domain_label, validate_public_ip


@pytest.mark.parametrize("frame", [pd.DataFrame({"a": [1]}), pd.DataFrame()], ids=["other columns", "empty"])
@pytest.mark.parametrize("reader", [ata.diagnose, ata.ladder, ata.sip_calls, ata.rtp_streams])
def test_a_table_that_is_not_read_sips_is_refused_with_what_to_pass(reader: object, frame: pd.DataFrame) -> None:
    with pytest.raises(CaptureError, match="not a read_sip table"):
        reader(frame)  # type: ignore[operator]


def test_an_empty_read_sip_table_is_still_read() -> None:
    from ata_helpers.capture.sip_table import COLUMNS

    assert ata.diagnose(pd.DataFrame(columns=COLUMNS)).empty


@pytest.mark.parametrize("value", [5, 5.0, ["my-ht801"], b"my-ht801"])
def test_a_domain_label_must_be_text(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_domain_label(value)  # type: ignore[arg-type]
    assert caught.value.field == "domain_label"


@pytest.mark.parametrize("value", ["255.255.255.255", "240.1.2.3"])
def test_reserved_and_broadcast_addresses_get_their_own_reason(value: str) -> None:
    with pytest.raises(ValidationError, match="reserved"):
        validate_public_ip(value)


@pytest.mark.parametrize("content", ["null", "[]", '"x"', '{"domain_label": 5}', '{"edge": ["us1"]}'])
def test_setup_config_must_be_an_object_of_text(tmp_path: Path, content: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "line.json"
    config.write_text(content)
    assert main(["setup", "plan", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "a JSON object of text values" in err
    json.loads(content)  # the file itself was valid JSON: only its shape is refused


def test_version_names_the_installed_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"ata-helpers {version('ata-helpers')}"
