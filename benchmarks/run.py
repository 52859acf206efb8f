"""Time read_sip, diagnose and rtp_streams beside a bare dpkt loop, tshark and sip-doctor.

Makes its two captures in benchmarks/out/ (SIP-heavy: ~60,000 SIP messages of complete calls;
RTP-heavy: ~75,000 packets, 2% SIP), then runs every tool as a whole process, several times, on
the same files, timing it from the outside (wall time, peak resident memory via wait4). Prints a
Markdown table and writes it to benchmarks/RESULTS.md.

    python benchmarks/run.py [--repeat 3] [--sip-doctor PATH]

Runs are interleaved (every tool once, then again), so a busy machine slows all tools alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"



def _measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run of `cmd`, output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{cmd[0]} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def _tools(python: str, sip_doctor: str | None) -> dict[str, list[str] | None]:
    def lib(call: str) -> list[str]:
        return [python, "-c", f"import sys, ata_helpers as ata; {call}(sys.argv[1])", "{file}"]

    serial = [python, "-c", "import sys, ata_helpers as ata; "
              "from ata_helpers.capture._engine import parallel; "
              "parallel.PARALLEL_MIN_MESSAGES = float('inf'); ata.read_sip(sys.argv[1])", "{file}"]
    tshark = shutil.which("tshark")
    return {
        "ata.read_sip": lib("ata.read_sip"),
        "ata.read_sip, serial (as in Jupyter)": serial,
        "ata.diagnose (reads the file too)": lib("ata.diagnose"),
        "ata.rtp_streams": lib("ata.rtp_streams"),
        "dpkt loop (pcap.Reader + dpkt.sip)": [python, str(HERE / "dpkt_loop.py"), "{file}"],
        "tshark field extraction": None if tshark is None else [
            tshark, "-r", "{file}", "-Y", "sip", "-T", "fields", "-E", "separator=/t",
            "-e", "frame.number", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "udp.srcport",
            "-e", "ip.dst", "-e", "udp.dstport", "-e", "sip.Method", "-e", "sip.Status-Code",
            "-e", "sip.Call-ID", "-e", "sip.CSeq.seq", "-e", "sip.CSeq.method", "-e", "sip.From",
            "-e", "sip.To", "-e", "sip.Contact", "-e", "sip.Via", "-e", "sip.User-Agent",
            "-e", "sdp.connection_info.address", "-e", "sdp.media.port"],
        "sip-doctor read --json": None if sip_doctor is None else [sip_doctor, "read", "--json", "{file}"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="runs per tool; the median is reported")
    parser.add_argument("--sip-doctor", default=shutil.which("sip-doctor")
                        or ("/tmp/sipdoctor/bin/sip-doctor" if Path("/tmp/sipdoctor/bin/sip-doctor").exists() else None))
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    files = {"SIP-heavy": OUT / "sip_heavy.pcap", "RTP-heavy": OUT / "rtp_heavy.pcap"}
    missing = [name for name, path in files.items() if not path.exists()]
    if missing:
        # Written by a separate process: a child started by this one would otherwise inherit the
        # memory the generation used, and every tool's peak memory would be overstated.
        code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from make_captures import sip_heavy, rtp_heavy; "
                f"sip_heavy({str(files['SIP-heavy'])!r}) if {('SIP-heavy' in missing)!r} else None; "
                f"rtp_heavy({str(files['RTP-heavy'])!r}) if {('RTP-heavy' in missing)!r} else None")
        subprocess.run([sys.executable, "-c", code], check=True)
    tools = _tools(sys.executable, args.sip_doctor)
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for label, path in files.items():
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, cmd in tools.items() if cmd}
        for _round in range(args.repeat):
            for name in runs:
                cmd = tools[name] or []
                runs[name].append(_measure([part.replace("{file}", str(path)) for part in cmd]))
        for name, measured in runs.items():
            results[(label, name)] = (statistics.median(r[0] for r in measured),
                                      max(r[1] for r in measured))
            print(f"{label:10} {name:40} {results[(label, name)][0]:7.2f} s "
                  f"{results[(label, name)][1]:7.0f} MB", flush=True)
    lines = ["# Capture benchmark\n",
             f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}. Whole processes timed from outside, median of "
             f"{args.repeat} interleaved runs; peak memory is the largest resident set of those "
             "runs.\n",
             "| capture | packets | tool | wall time (s) | peak memory (MB) |", "|---|---|---|---:|---:|"]
    packets = {label: _count(path) for label, path in files.items()}
    for (label, name), (wall, rss) in results.items():
        lines.append(f"| {label} | {packets[label]} | {name} | {wall:.2f} | {rss:.0f} |")
    dpkt_name = "dpkt loop (pcap.Reader + dpkt.sip)"
    lines.append("")
    for label in files:
        base = results[(label, dpkt_name)][0]
        for name in ("ata.read_sip", "ata.read_sip, serial (as in Jupyter)"):
            lines.append(f"- {label}: {name} / dpkt loop = {results[(label, name)][0] / base:.2f}")
    missing = [name for name, cmd in tools.items() if cmd is None]
    if missing:
        lines.append(f"\nNot installed, not measured: {', '.join(missing)}.")
    text = "\n".join(lines) + "\n"
    (HERE / "RESULTS.md").write_text(text)
    print(text)
    return 0


def _count(path: Path) -> int:
    from ata_helpers.capture._engine.pcapfile import iter_frames, load_bytes

    return sum(1 for _ in iter_frames(load_bytes(path)))


if __name__ == "__main__":
    sys.exit(main())
