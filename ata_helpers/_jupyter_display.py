"""How the course's results look in Jupyter: charts as images, table text never cut.

Two of IPython's defaults hide what the course has to say:
- the library draws charts on `matplotlib.figure.Figure` without pyplot (no global figure state),
  so IPython's inline backend never registers an image formatter and a chart shows as the text
  `<Figure size 900x320 with 1 Axes>`;
- pandas cuts every table cell after 50 characters (`display.max_colwidth`), so a fix such as
  "set SIP REGISTER Contact Header Uses (P4437, FXS port 1) to WAN Address" ends in `...`.

`install(shell)` registers, in that IPython shell only, a PNG formatter for figures and an HTML
formatter for DataFrames that keeps every character (the browser wraps long text); an empty
DataFrame that carries the reason it is empty (`empty_results`) shows that reason, in HTML and
text. Formatters the user registered first win. Importing `ata_helpers` changes nothing:
`install_in_kernel()` runs on the first use of a public name (`ata.read_sip`, `from ata_helpers
import doctor`, `ata.widgets`) and when a chart is drawn (`new_figure`), once per process. Registration is by type name, so
neither pandas nor matplotlib is imported until a result needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["install", "install_in_kernel", "new_figure"]

_FIGURE = ("matplotlib.figure", "Figure")
# pandas 3 names DataFrame's module "pandas" (older releases "pandas.core.frame"); IPython matches
# a deferred printer on type.__module__, so both names are registered.
_FRAMES = (("pandas", "DataFrame"), ("pandas.core.frame", "DataFrame"))


def figure_png(figure: Any) -> str:
    """The figure as base64 PNG (what IPython's inline backend stores), cropped to its content."""
    from IPython.core.pylabtools import print_figure

    return str(print_figure(figure, fmt="png", bbox_inches="tight", base64=True))


def frame_html(frame: Any) -> str | None:
    """The DataFrame's HTML as pandas renders it, with no cell text cut; an empty one that says
    why it is empty (`empty_results`) shows that reason instead of a bare header row."""
    import pandas as pd

    from .empty_results import empty_html

    explained = empty_html(frame)
    if explained is not None:
        return explained
    with pd.option_context("display.max_colwidth", None):
        return frame._repr_html_()  # type: ignore[no-any-return]


def frame_text(frame: Any, printer: Any, cycle: bool) -> None:
    """The DataFrame's plain text; an empty one that says why it is empty shows that reason."""
    from .empty_results import empty_reason

    reason = empty_reason(frame)
    printer.text(f"No rows. {reason}" if reason is not None else repr(frame))


def _registered(formatter: Any, module: str, name: str) -> bool:
    known = any(getattr(t, "__module__", None) == module and getattr(t, "__name__", None) == name
                for t in formatter.type_printers)
    return known or (module, name) in formatter.deferred_printers


def install(shell: Any) -> None:
    """Register the course's figure and DataFrame formatters on `shell` (an IPython shell)."""
    formatters = shell.display_formatter.formatters
    png, html, plain = formatters["image/png"], formatters["text/html"], formatters["text/plain"]
    if not _registered(png, *_FIGURE):
        png.for_type_by_name(*_FIGURE, figure_png)
    if not any(_registered(html, *frame) for frame in _FRAMES):
        for frame in _FRAMES:
            html.for_type_by_name(*frame, frame_html)
    if not any(_registered(plain, *frame) for frame in _FRAMES):
        for frame in _FRAMES:
            plain.for_type_by_name(*frame, frame_text)


_installed = False


def install_in_kernel() -> None:
    """`install` on the running Jupyter kernel's shell, once, if this process is one; else nothing."""
    global _installed
    if _installed:
        return
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
        install(shell)
        _installed = True


def new_figure(**kwargs: Any) -> "Figure":
    """A `matplotlib.figure.Figure(**kwargs)` (no pyplot state) that a Jupyter kernel shows as an image."""
    from matplotlib.figure import Figure

    install_in_kernel()
    return Figure(**kwargs)
