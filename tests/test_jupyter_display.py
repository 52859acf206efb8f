"""In a Jupyter kernel the course's results show in full: charts as PNG, table text never cut."""

from __future__ import annotations

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
