"""Every command and every flag of `ata-helpers` given hostile values: no traceback ever reaches
stderr, every run ends with a status (0, 1, 2, 3, 130 or 141), and nothing is written outside the
folders the command was given (a private sandbox, a private HOME, the working folder, and a project
folder for default outputs such as records/)."""

from __future__ import annotations

import argparse
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from ata_helpers import settings
from ata_helpers.capture.samples import write_nat_failure
from ata_helpers.cli import build_parser, main

HOSTILE = ["", " ", "-1", "0", "1e400", "inf", "nan", "9" * 60, "\x00", "a\nb", "\x1b[2J\x07", "$(touch PWNED)",
           "; touch PWNED", "../../TRAVERSED", "%s%n%x", "\u202e\ufffe\U0001F600", "A" * 5000, "'\"\\"]
REPO = Path(__file__).resolve().parents[1]


class _Hung(BaseException):
    """The command ran past its time (only `wakeup run` is meant to run forever)."""


def _baseline(dest: str, action: argparse.Action, capture: Path) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    return {"to": "+14155550123", "name": "bell", "file": str(capture), "output": "out/ladder.svg",
            "server": "my-ht801.sip.twilio.com", "user": "ht801", "mac": "00:0b:82:12:34:56",
            "time": "06:30", "tz": "UTC"}.get(dest, "x")


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from _commands(child, (*path, name))


def _argv(words: list[str], actions: list[argparse.Action], capture: Path,
          override: argparse.Action | None = None, value: str = "") -> list[str]:
    """The command line `words` with baseline values, and `override` given `value`."""
    out = list(words)
    for a in actions:
        if a.option_strings and a.required:
            out += [a.option_strings[0], value if a is override else _baseline(a.dest, a, capture)]
    if override is not None and override.option_strings and not override.required:
        out += [override.option_strings[0]] + ([] if override.nargs == 0 else [value])
    out += [value if a is override else _baseline(a.dest, a, capture) for a in actions if not a.option_strings]
    return out


def _cases(capture: Path) -> Iterator[tuple[str, list[str]]]:
    for path, parser in _commands(build_parser()):
        # options of `wakeup` itself (--db) come before its action
        words = ["wakeup"] + list(path[1:]) if path[0] == "wakeup" else list(path)
        actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
        yield " ".join(words), _argv(words, actions, capture)
        for action in actions:
            for value in ([""] if action.nargs == 0 else HOSTILE):
                yield f"{' '.join(words)} {action.dest}={value[:12]!r}", _argv(words, actions, capture, action, value)
        if path[0] == "wakeup":
            for value in HOSTILE:
                yield f"wakeup --db={value[:12]!r}", ["wakeup", "--db", value, *path[1:2], *(
                    _baseline(a.dest, a, capture) for a in actions if not a.option_strings)]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} if root.exists() else set()


def _repo_changes() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=REPO,
                          capture_output=True, text=True).stdout


def test_every_command_and_flag_survives_hostile_values(tmp_path: Path, sandbox_env: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ATA_SANDBOX_TIME_SCALE", "0.01")
    monkeypatch.setenv("ATA_SIP_PASSWORD", "Correct-Horse-7-Battery")
    home, work = tmp_path / "home", tmp_path / "named" / "a" / "b"
    home.mkdir()
    work.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    project = tmp_path / "named" / "project"  # where commands put their default output (records/, generated/)
    project.mkdir()
    monkeypatch.setattr(settings, "project_root", lambda start=None: project)
    capture = write_nat_failure(tmp_path / "named" / "nat.pcap")
    repo_before = _repo_changes()
    outside_before = _files(tmp_path) - _files(tmp_path / "named") - _files(sandbox_env)

    def hung(signum: int, frame: object) -> None:
        raise _Hung()

    previous = signal.signal(signal.SIGALRM, hung)
    failures: list[str] = []
    ran = 0
    try:
        for label, argv in _cases(capture):
            ran += 1
            forever = argv[:2] == ["wakeup", "run"]
            signal.setitimer(signal.ITIMER_REAL, 2.0 if forever else 20.0)
            try:
                status = main(argv)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else 2
            except _Hung:
                status = None if forever else -1
            except BaseException as exc:  # noqa: BLE001 - this is the test's net
                failures.append(f"{label}: escaped main(): {type(exc).__name__}: {exc!r}"[:300])
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            err = capsys.readouterr().err
            if "Traceback" in err or status not in (None, 0, 1, 2, 3, 130, 141):
                failures.append(f"{label}: status {status}: {err[-300:]!r}")
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not failures, "\n".join(failures[:20])
    assert ran > 500
    assert not list(tmp_path.rglob("PWNED"))  # nothing was handed to a shell
    outside_after = _files(tmp_path) - _files(tmp_path / "named") - _files(sandbox_env)
    assert outside_after == outside_before, sorted(map(str, outside_after - outside_before))[:10]
    assert _repo_changes() == repo_before
