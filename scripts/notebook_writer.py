"""Shared by scripts/build_notebook_NN.py: write a list of cells as a notebook under notebooks/.

Cells are nbformat cells or ("md" | "code", source) pairs. The kernel metadata is the one every
course notebook uses, so nbval and `make notebooks` find the same kernel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
Cell = Union[nbformat.NotebookNode, tuple[str, str]]


def write_notebook(name: str, cells: Sequence[Cell]) -> Path:
    """Write notebooks/<name> from `cells` (no outputs: scripts/execute_notebooks.py adds them)."""
    nodes = [c if isinstance(c, nbformat.NotebookNode) else
             (new_markdown_cell(c[1]) if c[0] == "md" else new_code_cell(c[1])) for c in cells]
    nb = new_notebook(cells=nodes, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    path = NOTEBOOKS / name
    nbformat.write(nb, path)
    print(f"wrote {path}")
    return path
