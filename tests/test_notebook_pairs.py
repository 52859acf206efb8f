"""Every course notebook and its jupytext text pair (NN_name.md, MyST) hold the same cells.

The .md is what reviewers read and diff; the .ipynb is what learners open and what nbval checks.
If one is edited and `make notebooks` was not run, they disagree and this test says where.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
STEMS = sorted({p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
               | {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.md")})


def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str], dict[str, object]]]:
    """Type, source, tags and JupyterLab's collapsed state (`jupyter: {source_hidden: …}`) of each cell."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", [])), dict(c.metadata.get("jupyter", {})))
            for c in nb.cells]


def test_there_are_notebooks() -> None:
    assert len(STEMS) >= 11


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_matches_its_text_pair(stem: str) -> None:
    ipynb, text = NOTEBOOKS / f"{stem}.ipynb", NOTEBOOKS / f"{stem}.md"
    assert ipynb.exists() and text.exists(), f"{stem}: both .ipynb and .md must exist (run `make notebooks`)"
    nb = nbformat.read(ipynb, as_version=4)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,md:myst", \
        f"{ipynb.name} is not paired (jupytext --set-formats ipynb,md:myst)"
    from_ipynb, from_text = cells(nb), cells(jupytext.read(text))
    for i, (a, b) in enumerate(zip(from_ipynb, from_text, strict=False)):
        assert a == b, (f"{stem}: cell {i} differs between .ipynb and .md — edit one, then run "
                        f"`make notebooks`.\n.ipynb: {a!r:.300}\n.md:    {b!r:.300}")
    assert len(from_ipynb) == len(from_text), \
        f"{stem}: {len(from_ipynb)} cells in .ipynb, {len(from_text)} in .md (run `make notebooks`)"
