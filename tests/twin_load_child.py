"""One of the load test's processes: at the start time given, fire N requests at once at the sandbox
Twilio twin (each in its own thread with its own client), each creating an IP access control list with a
unique name; print one JSON line: errors and each request's latency in seconds.

Usage: python twin_load_child.py START_EPOCH PROCESS_INDEX N
"""

from __future__ import annotations

import json
import sys
import threading
import time

import ata_helpers as ata

start, index, count = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
clients = [ata.twilio_client() for _ in range(count)]
latencies: list[float] = []
errors: list[str] = []
lock = threading.Lock()


def write(i: int) -> None:
    time.sleep(max(0.0, start - time.time()))
    began = time.perf_counter()
    try:
        clients[i].sip.ip_access_control_lists.create(friendly_name=f"load-{index}-{i}")
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
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
