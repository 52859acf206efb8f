"""The sandbox Twilio twin under a burst: P processes × N threads each create one IP access control
list at the same instant (200 concurrent requests by default). Prints errors and the latency
percentiles of the writes, checks every write was stored once, and writes benchmarks/TWIN_LOAD.md.

    python benchmarks/twin_load.py [--processes 4] [--per-process 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _child(start: float, index: int, count: int) -> None:
    import ata_helpers as ata

    clients = [ata.twilio_client() for _ in range(count)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def write(i: int) -> None:
        time.sleep(max(0.0, start - time.time()))
        began = time.perf_counter()
        try:
            clients[i].sip.ip_access_control_lists.create(friendly_name=f"load-{index}-{i}")
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        with lock:
            latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"errors": errors, "latencies": latencies}))


def _one_run(processes: int, per_process: int) -> tuple[list[str], list[float], int]:
    import ata_helpers as ata
    from ata_helpers.sandbox.runtime import stop_services

    folder = Path(tempfile.mkdtemp(prefix="twin-load-"))
    os.environ["ATA_MODE"] = "sandbox"
    os.environ["ATA_SANDBOX_DIR"] = str(folder)
    client = ata.twilio_client()
    client.calls.list(limit=1)  # the twin runs in this process
    start = time.time() + 4.0
    children = [subprocess.Popen([sys.executable, __file__, "--child", str(start), str(i), str(per_process)],
                                 stdout=subprocess.PIPE, text=True) for i in range(processes)]
    errors: list[str] = []
    latencies: list[float] = []
    for child in children:
        out, _ = child.communicate(timeout=300)
        result = json.loads(out.strip().splitlines()[-1])
        errors += result["errors"]
        latencies += result["latencies"]
    stored = len([a for a in client.sip.ip_access_control_lists.list() if a.friendly_name.startswith("load-")])
    stop_services(folder)
    return errors, latencies, stored


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--per-process", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(float(args.child[0]), int(args.child[1]), int(args.child[2]))
        return
    total = args.processes * args.per_process
    rows = []
    for run in range(1, args.runs + 1):
        errors, latencies, stored = _one_run(args.processes, args.per_process)
        rows.append((run, len(errors), stored, statistics.median(latencies) if latencies else float("nan"),
                     _percentile(latencies, 0.99) if latencies else float("nan"), max(latencies, default=float("nan"))))
        print(f"run {run}: {len(errors)} errors, {stored}/{total} stored, p50 {rows[-1][3] * 1000:.0f} ms, "
              f"p99 {rows[-1][4] * 1000:.0f} ms, max {rows[-1][5] * 1000:.0f} ms", flush=True)
    p99s = sorted(r[4] for r in rows)
    lines = [
        "# The sandbox Twilio twin under a burst",
        "",
        f"`python benchmarks/twin_load.py`: {args.processes} processes × {args.per_process} threads create one "
        f"IP access control list each at the same instant ({total} concurrent requests), {args.runs} runs, "
        f"on this project's 2-core machine (shared with other work while measured).",
        "",
        "| run | errors | writes stored | p50 (ms) | p99 (ms) | max (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
        *[f"| {r[0]} | {r[1]} | {r[2]}/{total} | {r[3] * 1000:.0f} | {r[4] * 1000:.0f} | {r[5] * 1000:.0f} |"
          for r in rows],
        "",
        f"Median p99 over the runs: {statistics.median(p99s) * 1000:.0f} ms.",
        "",
    ]
    Path(__file__).with_name("TWIN_LOAD.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
