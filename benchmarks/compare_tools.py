"""What tshark, sngrep, sip-doctor and this course read and diagnose on the same captures.

The captures: the field cases (tests/data/cases), the SIPp/tcpdump captures
(tests/data/captures), and one REGISTER inside each encapsulation of
tests/test_capture_encapsulations.py (built with scapy, from the `test` extra). For each tool:
how many SIP messages it reads, and (for the two that diagnose) what it reports. Tools that
are not installed are said so. Writes benchmarks/COMPARISON.md.

    python benchmarks/compare_tools.py [--sip-doctor PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"


def _captures(folder: Path) -> list[tuple[str, Path]]:
    sys.path.insert(0, str(TESTS))
    from test_capture_encapsulations import SCENARIOS, _capture

    out = [(f"case: {p.name}", p) for p in sorted((TESTS / "data" / "cases").glob("*.pcap"))]
    out += [(f"SIPp: {p.name}", p) for p in sorted((TESTS / "data" / "captures").glob("*.pcap*"))]
    out += [(f"encapsulation: {name}", _capture(folder, name)) for name in sorted(SCENARIOS)]
    return out


def _ours(path: Path) -> tuple[str, str]:
    import ata_helpers as ata

    capture = ata.load_capture(path)
    findings = ata.diagnose(capture)
    codes = sorted({f"{c} ({s})" for c, s in zip(findings["code"], findings["severity"], strict=True)
                    if s != "info"})
    return str(len(capture.sip)), ", ".join(codes) or "—"


def _tshark(path: Path) -> str:
    tshark = shutil.which("tshark")
    if tshark is None:
        return "not installed"
    out = subprocess.run([tshark, "-r", str(path), "-Y", "sip", "-T", "json", "-J", "sip"],
                         capture_output=True, text=True).stdout
    try:
        frames = json.loads(out or "[]")
    except json.JSONDecodeError:
        return "?"
    count = 0
    for frame in frames:
        layer = frame["_source"]["layers"].get("sip")
        count += len(layer) if isinstance(layer, list) else 1
    return str(count)


def _sngrep(path: Path, folder: Path) -> str:
    sngrep = shutil.which("sngrep")
    if sngrep is None:
        return "not installed"
    out = folder / "sngrep_out.pcap"
    out.unlink(missing_ok=True)
    subprocess.run([sngrep, "-I", str(path), "-N", "-q", "-O", str(out)], capture_output=True,
                   timeout=60)
    if not out.exists():
        return "0"
    import ata_helpers as ata

    return str(len(ata.read_sip(out)))


def _sip_doctor(path: Path, binary: str | None) -> tuple[str, str]:
    if binary is None:
        return "not installed", ""
    done = subprocess.run([binary, "read", "--json", str(path)], capture_output=True, text=True)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return "error", (done.stderr.strip().splitlines() or ["?"])[-1][:60]
    findings = sorted({str(f.get("code") or f.get("title") or f)[:40] if isinstance(f, dict) else str(f)[:40]
                       for dialog in report.get("dialogs", []) for f in dialog.get("findings") or []})
    return str(report.get("stats", {}).get("sip_messages", 0)), ", ".join(findings) or "—"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sip-doctor", default=shutil.which("sip-doctor"))
    args = parser.parse_args(argv)
    lines = ["# The same captures through four tools\n",
             "SIP messages each tool reads, and what the two that diagnose report (info-level "
             "findings left out). Made by `python benchmarks/compare_tools.py`.\n",
             "| capture | ata read_sip | tshark | sngrep | sip-doctor | ata diagnose | sip-doctor findings |",
             "|---|---:|---:|---:|---:|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, path in _captures(folder):
            ours, codes = _ours(path)
            doctor, doctor_findings = _sip_doctor(path, args.sip_doctor)
            row = (f"| {label} | {ours} | {_tshark(path)} | {_sngrep(path, folder)} | {doctor} "
                   f"| {codes} | {doctor_findings} |")
            lines.append(row)
            print(row, flush=True)
    versions = []
    for tool, flag in (("tshark", "-v"), ("sngrep", "-V")):
        found = shutil.which(tool)
        if found:
            versions.append(subprocess.run([found, flag], capture_output=True, text=True)
                            .stdout.splitlines()[0].strip())
    if args.sip_doctor:
        versions.append("sip-doctor " + subprocess.run([args.sip_doctor, "--version"],
                                                       capture_output=True, text=True).stdout.strip())
    lines.append("\nVersions: " + "; ".join(versions) + ".")
    (HERE / "COMPARISON.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
