"""ipywidgets forms, one module per course step; no logic beyond wiring to the library.

Submodules load on first attribute access (`ata.widgets.start`), so ipywidgets is imported only
by notebooks that show a form.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .._jupyter_display import install_in_kernel

# The forms are the course's first use in a kernel: results shown in full from here on.
install_in_kernel()


def __getattr__(name: str) -> ModuleType:
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
