"""Time `ata.call_log()` over 2,500 calls in the sandbox twin (goal: under two seconds).

Seeds a fresh sandbox with 2,500 calls (and the alerts of the failed ones), then reads the whole
log with alerts joined several times: three Calls pages of 1000 and the Monitor Alerts pages,
all through the real twilio SDK and the twin's HTTP server.

    python benchmarks/call_log_bench.py [--calls 2500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ata-bench-") as folder:
        os.environ["ATA_MODE"] = "sandbox"
        os.environ["ATA_SANDBOX_DIR"] = folder
        import ata_helpers as ata
        from ata_helpers.sandbox.twilio.seed_history import seed_call_history

        summary = seed_call_history(n=args.calls, seed=1, days=60)
        ata.call_log(progress=False)  # start the twin and warm up
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            log = ata.call_log(progress=False)
            timings.append(time.perf_counter() - start)
        assert len(log) == summary["calls"], (len(log), summary)
        joined = int(log["error_code"].notna().sum())
        best, median = min(timings), statistics.median(timings)
        print(f"call_log: {len(log)} calls, {joined} with alerts joined, "
              f"best {best:.3f} s, median {median:.3f} s over {args.repeat} runs "
              f"(goal: under 2 s — {'met' if median < 2 else 'missed'})")
        from ata_helpers.sandbox.runtime import stop_services

        stop_services()
    return 0 if median < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
