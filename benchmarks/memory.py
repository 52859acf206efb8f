"""Peak memory of read_sip on a large SIP-heavy capture, beside the memory its result keeps.

Builds benchmarks/out/sip_heavy_<N>x.pcap by repeating the SIP-heavy capture's records N times
(default 20: about 500 MB), then reads it in a fresh process and reports, from /proc: the
resident set before reading (Python, pandas imported), after reading with the table still held
(what the result keeps), and the peak. The reader holds one window of the file at a time, so the
peak should stay close to what the table itself needs.

    python benchmarks/memory.py [--times 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

_READER = r"""
import gc, re, sys, time
def status(key):
    return int(re.search(key + r":\s+(\d+)", open("/proc/self/status").read()).group(1)) // 1024
import pandas, ata_helpers as ata
from ata_helpers.capture._engine import parallel
parallel.PARALLEL_MIN_MESSAGES = float("inf") if sys.argv[2] == "serial" else 5000
before = status("VmRSS")
start = time.perf_counter()
frame = ata.read_sip(sys.argv[1])
took = time.perf_counter() - start
gc.collect()
print(len(frame), before, status("VmRSS"), status("VmHWM"), round(took, 1))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--times", type=int, default=20)
    args = parser.parse_args(argv)
    source = OUT / "sip_heavy.pcap"
    if not source.exists():
        subprocess.run([sys.executable, str(HERE / "run.py"), "--repeat", "1"], check=True)
    big = OUT / f"sip_heavy_{args.times}x.pcap"
    if not big.exists():
        data = source.read_bytes()
        with open(big, "wb") as out:
            out.write(data[:24])
            for _ in range(args.times):
                out.write(data[24:])
    size = big.stat().st_size >> 20
    lines = [f"Input: {big.name}, {size} MB.", "",
             "| read | messages | RSS before (MB) | RSS after, table held (MB) | peak (MB) | "
             "peak over the table | time (s) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for mode in ("serial", "parallel"):
        done = subprocess.run([sys.executable, "-c", _READER, str(big), mode], check=True,
                              capture_output=True, text=True)
        messages, before, after, peak, took = done.stdout.split()
        table = int(after) - int(before)
        lines.append(f"| {mode} | {messages} | {before} | {after} | {peak} | "
                     f"{(int(peak) - int(before)) / max(table, 1):.2f}× | {took} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    (HERE / "MEMORY.md").write_text("# Peak memory on a large capture\n\n" + text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
