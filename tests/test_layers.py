"""The layer rule, read from the source with `ast`: below the client factories nothing imports the
sandbox or asks which mode is in use.

Layers, top to bottom (README, "Architecture"):
- the UI: notebooks, `widgets/`, `cli.py` and `commands/`; it may ask the mode for a safety prompt
  before changing a live account or device, and the CLI offers the sandbox's own actions;
- the seam: `settings.py`, `twilio_api.twilio_client()` / `twiml_desk()` and
  `grandstream.device_client.ht80x_device()`, the only library code that picks twin or real;
- the library: every other module, which reaches Twilio and the ATA only through the seam;
- `sandbox/`: the twins, reached only through the seam and the UI.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ata_helpers"

# module -> functions allowed to import the sandbox or ask mode() ("*": the whole module), and why
ALLOWED: dict[str, set[str]] = {
    "ata_helpers.settings": {"*"},                          # the mode itself, paths, credentials
    "ata_helpers.twilio_api": {"twilio_client", "twiml_desk"},           # the Twilio factories
    "ata_helpers.grandstream.device_client": {"ht80x_device"},           # the device factory
    "ata_helpers.commands.ata": {"_apply"},                 # UI: confirm before writing a live ATA
    "ata_helpers.commands.setup": {"_setup"},               # UI: confirm before a live teardown
    "ata_helpers.commands.core": {"_reset", "_where"},      # UI: `ata-helpers sandbox reset|where`
    "ata_helpers.commands.doctor": {"_doctor"},             # UI: passes the twins' latest capture
    "ata_helpers.widgets.start": {"press"},                 # UI: notebook 00's reset button (= sandbox reset)
}
# The package root names `ata.sandbox` among its public attributes (loaded on first use).
TEXT_EXEMPT = {"ata_helpers", "ata_helpers.settings"}
UI = ("ata_helpers.widgets", "ata_helpers.commands", "ata_helpers.cli")
WORDS = re.compile(r"sandbox|mode\(\)")


@dataclass(frozen=True)
class Use:
    module: str
    function: str
    line: int
    what: str


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def _resolve(node: ast.ImportFrom, package: str) -> str:
    base = package.split(".")
    if node.level:
        base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_sandbox(name: str) -> bool:
    return name == "ata_helpers.sandbox" or name.startswith("ata_helpers.sandbox.")


def uses(source: str, module: str, package: str) -> list[Use]:
    """Every import of the sandbox and every question to mode() in `source`, with its function."""
    tree = ast.parse(source)
    found: list[Use] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name if function == "<module>" else function
        if isinstance(node, ast.Import):
            found.extend(Use(module, function, node.lineno, f"import {a.name}") for a in node.names
                         if _is_sandbox(a.name))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, package)
            for alias in node.names:
                if _is_sandbox(target) or _is_sandbox(f"{target}.{alias.name}"):
                    found.append(Use(module, function, node.lineno, f"from {target} import {alias.name}"))
                elif target == "ata_helpers.settings" and alias.name == "mode":
                    found.append(Use(module, function, node.lineno, "from ata_helpers.settings import mode"))
        elif isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "mode") or (
                    isinstance(func, ast.Attribute) and func.attr == "mode"
                    and isinstance(func.value, ast.Name) and func.value.id in ("settings", "ata", "ata_helpers")):
                found.append(Use(module, function, node.lineno, "mode()"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def _modules() -> list[tuple[str, Path]]:
    return sorted((_module_name(p), p) for p in PACKAGE.rglob("*.py")
                  if not _is_sandbox(_module_name(p)))


def _allowed(use: Use) -> bool:
    functions = ALLOWED.get(use.module, set())
    return "*" in functions or use.function in functions


def test_nothing_below_the_factories_imports_the_sandbox_or_asks_the_mode() -> None:
    wrong = [use for module, path in _modules()
             for use in uses(path.read_text("utf-8"), module, _package_of(module, path)) if not _allowed(use)]
    assert wrong == [], "\n".join(f"{u.module}:{u.line} in {u.function}(): {u.what}" for u in wrong)


def _factory_lines(path: Path, module: str) -> set[int]:
    """Lines of the allowed functions of a seam module, and of its docstring."""
    tree = ast.parse(path.read_text("utf-8"))
    lines: set[int] = set()
    if ast.get_docstring(tree) is not None:
        lines |= set(range(tree.body[0].lineno, tree.body[0].end_lineno + 1))  # type: ignore[operator]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ALLOWED.get(module, set()):
            lines |= set(range(node.lineno, node.end_lineno + 1))  # type: ignore[operator]
    return lines


def test_the_library_does_not_even_mention_the_sandbox_or_the_mode() -> None:
    """The issue's check `grep -rn "sandbox\\|mode()"`, comments and docstrings included, over every
    module that is neither the sandbox, settings, a factory (outside its factory functions) nor UI."""
    hits = []
    for module, path in _modules():
        if module in TEXT_EXEMPT or module.startswith(UI):
            continue
        skip = _factory_lines(path, module) if module in ALLOWED else set()
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if number not in skip and WORDS.search(line):
                hits.append(f"{module}:{number}: {line.strip()}")
    assert hits == [], "\n".join(hits)


@pytest.mark.parametrize("source, what", [
    ("from ..sandbox import capture\n", "from ata_helpers.sandbox import capture"),
    ("from .. import sandbox\n", "from ata_helpers import sandbox"),
    ("import ata_helpers.sandbox.store\n", "import ata_helpers.sandbox.store"),
    ("def f():\n    from ..settings import mode\n    return mode()\n", "mode()"),
    ("from .. import settings\nsettings.mode()\n", "mode()"),
])
def test_the_rule_sees_each_way_of_breaking_it(source: str, what: str) -> None:
    found = uses(source, "ata_helpers.provision.example", "ata_helpers.provision")
    assert what in [u.what for u in found]
    assert not any(_allowed(u) for u in found)


def test_the_seam_itself_is_where_the_rule_expects_it() -> None:
    source = (PACKAGE / "twilio_api.py").read_text("utf-8")
    found = uses(source, "ata_helpers.twilio_api", "ata_helpers")
    assert {u.function for u in found} >= {"twilio_client", "twiml_desk"} and all(_allowed(u) for u in found)
