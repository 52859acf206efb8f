"""Sync each notebook with its text pair, execute them in order in one fresh sandbox, store outputs.

Every course notebook is a pair (jupytext, see jupytext.toml): `NN_name.md` (MyST markdown, the
cells) and `NN_name.ipynb` (the same cells plus the outputs of a sandbox run). First each pair is
synced with `jupytext --sync`, which takes the newer of the two files as the source: an edit made
in the .md (in any editor) or in the .ipynb (in JupyterLab, which with jupytext installed writes
both) is kept. Then the notebooks run in file order, in one new ATA_SANDBOX_DIR with
ATA_MODE=sandbox, exactly as `make test-notebooks` runs them, so the stored outputs are the
reference nbval compares against. Last, the pairs are synced again (the cells are unchanged, so
JupyterLab's jupytext opens each pair although the .ipynb is now the newer file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupytext.cli import jupytext
from nbclient import NotebookClient

# "widgets" holds the widget state (nbclient's store_widget_state): forms render as forms in
# JupyterLab before a run, after a reload and in an HTML export. No secret is in it: the course's
# secret fields are never pre-filled (tests/test_notebook_secrets.py checks it).
KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info", "jupytext", "widgets"}
KEEP_CELL_METADATA = {"tags", "jupyter"}  # jupyter: source_hidden, outputs_hidden


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop volatile metadata (timings, versions); keep outputs, counts, widget state, jupytext pairing."""
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


def sync(texts: list[Path]) -> None:
    """`jupytext --sync` each pair (the newer file wins; a missing half is created from the other)."""
    existing = [t if t.exists() else t.with_suffix(".ipynb") for t in texts]
    status = jupytext(["--sync", "--quiet", *map(str, existing)])
    if status:
        raise SystemExit(f"jupytext --sync failed ({status})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path, help="NN_name.md or NN_name.ipynb")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    texts = sorted({p.with_suffix(".md") for p in args.notebooks})
    print(f"syncing {len(texts)} notebook(s) with their .md pairs …", flush=True)
    sync(texts)
    with tempfile.TemporaryDirectory(prefix="ata-nb-") as sandbox:
        os.environ["ATA_MODE"] = "sandbox"
        os.environ["ATA_SANDBOX_DIR"] = sandbox
        for text in texts:
            path = text.with_suffix(".ipynb")
            nb = nbformat.read(path, as_version=4)
            print(f"executing {path} …", flush=True)
            client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3", store_widget_state=True,
                                    resources={"metadata": {"path": str(path.parent.resolve())}})
            client.execute()
            clean(nb)
            nbformat.write(nb, path)
            errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
            tagged = [c for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])]
            if errors and not tagged:
                print(f"  {path}: {len(errors)} cell(s) raised", file=sys.stderr)
                return 1
    sync(texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
