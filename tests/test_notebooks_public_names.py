"""Notebooks reach the library only through public names: no private module, nothing outside `__all__`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.md"))


def _imports(text: str) -> list[tuple[str, str | None]]:
    import jupytext  # reads the cells as JupyterLab does (cell options as `:key:` lines or a YAML block)

    found: list[tuple[str, str | None]] = []
    blocks = [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]
    for block in blocks:
        code = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ata_helpers"):
                found += [(node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(alias.name, None) for alias in node.names if alias.name.startswith("ata_helpers")]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_only_public_names(path: Path) -> None:
    problems = []
    for module_name, name in _imports(path.read_text("utf-8")):
        if any(part.startswith("_") for part in module_name.split(".")):
            problems.append(f"{module_name} is private")
            continue
        if name is None:
            continue
        if name.startswith("_"):
            problems.append(f"{module_name}.{name} is private")
            continue
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None)
        is_module = importlib.util.find_spec(f"{module_name}.{name}") is not None if hasattr(module, "__path__") else False
        if public is not None and name not in public and not is_module:
            problems.append(f"{module_name}.{name} is not in that module's __all__")
    assert problems == []


def test_the_check_reads_every_notebook() -> None:
    assert len(NOTEBOOKS) >= 11
    assert any(_imports(p.read_text("utf-8")) for p in NOTEBOOKS)
