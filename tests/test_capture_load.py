"""load_capture, the one reader: what it accepts and returns, and exports that keep every header."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

import ata_helpers as ata
from ata_helpers.capture import Capture, load_capture
from ata_helpers.capture.samples import write_healthy, write_nat_failure


@pytest.fixture(scope="module")
def capture_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_nat_failure(tmp_path_factory.mktemp("load") / "nat.pcap")


def test_load_capture_gives_both_tables_once(capture_path: Path) -> None:
    capture = load_capture(capture_path)
    assert isinstance(capture, Capture)
    sip, rtp = capture
    assert sip.equals(ata.read_sip(capture_path))
    assert rtp is not None and rtp.equals(ata.rtp_streams(capture_path))
    assert load_capture(capture_path, rtp=False).rtp is None
    assert load_capture(capture) is capture
    again = load_capture(sip)
    assert again.sip is sip and again.rtp is None


def test_every_public_function_takes_a_capture(tmp_path: Path) -> None:
    path = write_healthy(tmp_path / "healthy.pcap")
    capture = load_capture(path)
    assert ata.diagnose(capture).equals(ata.diagnose(path))
    assert ata.sip_calls(capture).equals(ata.sip_calls(path))
    assert ata.rtp_streams(capture).equals(ata.rtp_streams(path))
    assert ata.ladder(capture).svg == ata.ladder(path).svg


def test_bytes_and_file_objects_read_like_the_path(capture_path: Path) -> None:
    data = capture_path.read_bytes()
    expected = ata.read_sip(capture_path)
    assert ata.read_sip(data).equals(expected)
    assert ata.read_sip(io.BytesIO(data)).equals(expected)


def _headers(frame: pd.DataFrame) -> list[dict]:
    return [dict(h) for h in frame["headers"]]


def test_to_json_keeps_every_header(capture_path: Path) -> None:
    frame = ata.read_sip(capture_path)
    assert all(type(h) is dict for h in frame["headers"])
    lines = frame.to_json(orient="records", lines=True, date_format="iso").splitlines()
    assert [json.loads(line)["headers"] for line in lines] == _headers(frame)
    assert json.loads(frame["headers"].to_json(orient="values")) == _headers(frame)


def test_to_csv_keeps_every_header(capture_path: Path) -> None:
    import ast

    frame = ata.read_sip(capture_path)
    back = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
    assert [ast.literal_eval(text) for text in back["headers"]] == _headers(frame)


def test_to_pickle_keeps_every_header(capture_path: Path, tmp_path: Path) -> None:
    frame = ata.read_sip(capture_path)
    frame.to_pickle(tmp_path / "f.pkl")
    back = pd.read_pickle(tmp_path / "f.pkl")
    assert back.equals(frame) and _headers(back) == _headers(frame)


def test_to_parquet_keeps_every_header(capture_path: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = ata.read_sip(capture_path)
    frame.to_parquet(tmp_path / "f.parquet")
    back = pd.read_parquet(tmp_path / "f.parquet")
    # Arrow stores a dict column as a struct of every name seen: a name a message lacks comes
    # back as None, and lists as arrays.
    restored = [{name: list(values) for name, values in row.items() if values is not None}
                for row in back["headers"]]
    assert restored == _headers(frame)
