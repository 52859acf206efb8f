"""Execute notebooks in order in one fresh sandbox and store their cleaned outputs.

The stored outputs are the reference nbval compares against (`make test`), so they must come
from a sandbox run: ATA_MODE=sandbox and a new ATA_SANDBOX_DIR shared by the notebooks of one
run, in file order, exactly as `make test-notebooks` runs them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
KEEP_CELL_METADATA = {"tags"}


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop volatile metadata (timings, widget state, versions) but keep outputs and counts."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output["metadata"] = {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ata-nb-") as sandbox:
        os.environ["ATA_MODE"] = "sandbox"
        os.environ["ATA_SANDBOX_DIR"] = sandbox
        for path in args.notebooks:
            nb = nbformat.read(path, as_version=4)
            print(f"executing {path} …", flush=True)
            client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent.resolve())}})
            client.execute()
            clean(nb)
            nbformat.write(nb, path)
            errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
            tagged = [c for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])]
            if errors and not tagged:
                print(f"  {path}: {len(errors)} cell(s) raised", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
