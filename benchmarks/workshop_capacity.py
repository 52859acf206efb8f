"""How many learners one machine holds: run N learners' notebooks 00-07 at once and measure memory and time.

Each simulated learner is a separate process tree with its own HOME and ATA_SANDBOX_DIR (so its
own twins, ports, SQLite state and captures, as on a JupyterHub where each user has a home
folder), executing the notebooks in order with nbclient, one kernel per notebook. Two ways a
learner uses memory are measured:

* `closed`: each notebook's kernel is shut down when the notebook is done (what the instructor
  guide asks learners to do, and what JupyterHub's idle culler does eventually);
* `open`: every notebook's kernel stays alive until the learner's last notebook ends (a learner
  who opens eight tabs and never shuts a kernel down).

Memory is the sum of the proportional set size (PSS, shared pages divided among sharers) of all
processes of all learners, sampled every 0.25 s; the peak is reported. The Jupyter server itself
is not part of this (about 100 MB per user on a JupyterHub, added in the report).

    python benchmarks/workshop_capacity.py 1 2 4 6 8 --mode closed
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "notebooks" / name for name in (
    "00_start_here.ipynb", "01_open_firewall.ipynb", "02_outbound_calls.ipynb", "03_sip_registration.ipynb",
    "04_configure_ata.ipynb", "05_confirm_registration.ipynb", "06_inbound_calls.ipynb",
    "07_troubleshoot_with_pcap.ipynb")]

LEARNER = r"""
import json, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

keep_open = sys.argv[1] == "open"
times, clients = {}, []
for path in map(Path, sys.argv[2:]):
    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    if keep_open:
        client.km = client.create_kernel_manager()
        client.start_new_kernel()
        client.start_new_kernel_client()
        client.execute(cleanup_kc=False)
        clients.append(client)
    else:
        client.execute()
    times[path.stem] = round(time.monotonic() - start, 2)
for client in clients:
    client.km.shutdown_kernel(now=True)
print(json.dumps(times))
"""


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo += [int(p) for p in handle.read().split()]
        except OSError:
            pass
    return found


def run(learners: int, mode: str) -> dict[str, object]:
    """Start `learners` learners at once; returns peak PSS (MB), wall time and per-notebook times."""
    with tempfile.TemporaryDirectory(prefix="ata-room-") as room:
        procs = []
        for n in range(learners):
            home = Path(room) / f"learner{n + 1}"
            (home / "sandbox").mkdir(parents=True)
            env = {**os.environ, "HOME": str(home), "ATA_MODE": "sandbox",
                   "ATA_SANDBOX_DIR": str(home / "sandbox"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
            env.pop("TWILIO_ACCOUNT_SID", None)
            procs.append(subprocess.Popen([sys.executable, "-c", LEARNER, mode, *map(str, NOTEBOOKS)],
                                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        peak, stop = [0], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                total = sum(_pss_kb(pid) for p in procs for pid in _children(p.pid))
                peak[0] = max(peak[0], total)
                time.sleep(0.25)

        start = time.monotonic()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        results = [p.communicate() for p in procs]
        wall = time.monotonic() - start
        stop.set()
        sampler.join()
    failed = [err.strip().splitlines()[-1] for (out, err), p in zip(results, procs, strict=True) if p.returncode]
    per_notebook = [json.loads(out) for (out, _), p in zip(results, procs, strict=True) if p.returncode == 0]
    return {"learners": learners, "mode": mode, "peak_mb": round(peak[0] / 1024), "wall_s": round(wall, 1),
            "failed": failed, "notebook_s": per_notebook}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("learners", nargs="+", type=int)
    parser.add_argument("--mode", choices=["closed", "open"], default="closed")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; notebooks 00-07 per learner; kernels {args.mode}")
    print("| learners | peak memory (MB, PSS) | per learner (MB) | wall time (s) | failed |")
    print("|---:|---:|---:|---:|---|")
    for count in args.learners:
        result = run(count, args.mode)
        print(f"| {count} | {result['peak_mb']} | {int(result['peak_mb']) // count} | {result['wall_s']} | "
              f"{len(result['failed']) or ''} |", flush=True)
        if result["notebook_s"]:
            print("  per-notebook seconds (first learner):", json.dumps(result["notebook_s"][0]), flush=True)
        for line in result["failed"]:
            print("  failure:", line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
