"""In a Jupyter kernel the course's results show in full: charts as PNG, table text never cut."""

from __future__ import annotations

import ast

import pandas as pd
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure

from ata_helpers._jupyter_display import install


def test_figures_are_images_and_table_text_is_never_cut() -> None:
    shell = InteractiveShell.instance()
    install(shell)
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([1, 2])
    data, _ = shell.display_formatter.format(figure)
    assert data["image/png"] and "<Figure size" in data["text/plain"]
    fix = "set SIP REGISTER Contact Header Uses (P4437, FXS port 1) to WAN Address, then reboot the ATA"
    data, _ = shell.display_formatter.format(pd.DataFrame({"fix": [fix]}))
    assert fix in data["text/html"] and "..." not in data["text/html"]
    with pd.option_context("display.max_colwidth", 50):  # pandas' own default is left as it was
        assert "..." in pd.DataFrame({"fix": [fix]})._repr_html_()


def _kernel_formatters(code: str) -> list[str]:
    """Run `code` in a fresh Jupyter kernel; which course formatters its shell then has."""
    from jupyter_client.manager import start_new_kernel

    probe = ("ip = get_ipython(); f = ip.display_formatter.formatters\n"
             "print(sorted(k for k, p in (('png', ('matplotlib.figure', 'Figure')), ('html', ('pandas', 'DataFrame')))\n"
             "             if p in f['image/png' if k == 'png' else 'text/html'].deferred_printers))\n")
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        lines: list[str] = []
        client.execute_interactive(code + "\n" + probe, timeout=120,
                                   output_hook=lambda msg: lines.append(msg["content"].get("text", "")))
        return ast.literal_eval("".join(lines).strip().splitlines()[-1])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_importing_the_package_in_a_kernel_changes_nothing_its_first_use_shows_results_in_full() -> None:
    assert _kernel_formatters("import ata_helpers as ata") == []
    assert _kernel_formatters("import ata_helpers as ata\nata.mode()") == ["html", "png"]
    assert _kernel_formatters("from ata_helpers.calls.charts import duration_chart\n"
                              "import pandas as pd\n"
                              "duration_chart(pd.DataFrame({'status': [], 'duration': []}))") == ["html", "png"]
