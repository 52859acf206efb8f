"""JupyterLab in a real browser for the course's browser test: a server, a Chromium, and the few
page actions a learner takes (open a notebook, Run All, fill a field, press a button, reload).

The server runs as `make lab` starts it (the course's `lab/` settings), on a copy of the notebooks
in a temporary folder and a fresh sandbox, so nothing in the repository is touched. The browser is
Debian's chromium with its chromedriver, driven by Selenium; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "browser-test-token"
CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser"), "/usr/bin/chromium") if p and Path(p).exists()), None)
CHROMEDRIVER = next((p for p in (os.environ.get("CHROMEDRIVER"), shutil.which("chromedriver"),
                                 "/usr/bin/chromedriver") if p and Path(p).exists()), None)
T = TypeVar("T")

# Settings for the test only: render every cell in the page (JupyterLab otherwise may leave cells
# outside the viewport out of the DOM), and no autosave racing the test's own saves.
TEST_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], T | None], timeout: float, step: float = 0.25) -> T:
    """Poll `check` until it returns something truthy; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


@contextmanager
def jupyterlab(work: Path, env: dict[str, str]) -> Iterator[str]:
    """Start JupyterLab on `work` with the course's lab/ settings; yield its base URL."""
    port = free_port()
    settings = work.parent / "user-settings"
    for name, value in TEST_USER_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
            f"--LabApp.app_settings_dir={ROOT / 'lab'}", f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={work.parent / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = (work.parent / "jupyterlab.log").open("wb")
    proc = subprocess.Popen(args, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"jupyter lab exited; see {log.name}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        wait_for("JupyterLab to answer", up, 90)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Page:
    """The JupyterLab page, with the actions and readings the browser test needs."""

    def __init__(self, driver: Any, base: str, shots: Path) -> None:
        self.driver, self.base, self.shots = driver, base, shots

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def ajs(self, script: str, *args: Any) -> Any:
        """Run an async script: the body may `await`; `done(value)` ends it."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"(async () => {{ {script} }})().then(done, e => done({{error: String(e)}}));", *args)

    def open(self, name: str) -> None:
        """Open `name` alone in the main area (a fresh workspace) and wait for its kernel."""
        self.driver.get(f"{self.base}/lab/tree/{name}?reset&token={TOKEN}")
        wait_for(f"{name} to open", lambda: self.js(
            "const a = window.jupyterapp; const w = a && a.shell.currentWidget;"
            "return !!(w && w.context && w.context.isReady && w.sessionContext.session"
            " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle');"), 120)

    def kernel_status(self) -> str:
        return str(self.js("return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status;"))

    def run_all(self, timeout: float = 300) -> float:
        """Clear outputs, Run All, wait until every code cell has run; return the seconds it took."""
        started = time.monotonic()
        self.ajs("await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');"
                 "window.jupyterapp.commands.execute('notebook:run-all-cells'); done(true);")
        wait_for("Run All to finish", lambda: self.js(
            "const w = window.jupyterapp.shell.currentWidget;"
            "const cells = w.content.widgets.filter(c => c.model.type === 'code');"
            "return cells.every(c => c.model.executionCount !== null && c.model.executionState !== 'running')"
            " && w.sessionContext.session.kernel.status === 'idle';"), timeout, step=0.5)
        return time.monotonic() - started

    def save(self) -> None:
        self.ajs("await window.jupyterapp.commands.execute('docmanager:save'); done(true);")

    def reload(self) -> None:
        """Reload the page (same kernel) and wait for the notebook to be back."""
        self.driver.refresh()
        wait_for("the notebook after reload", lambda: self.js(
            "const a = window.jupyterapp; const w = a && a.shell.currentWidget;"
            "return !!(w && w.context && w.context.isReady && w.content.widgets.length);"), 120)

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot of the notebook (tall enough for every cell)."""
        self.shots.mkdir(parents=True, exist_ok=True)
        self.js("window.jupyterapp.shell.collapseLeft();"
                "const o = document.querySelector('.jp-WindowedPanel-outer'); if (o) o.scrollTop = 0;")
        height = self.js("const n = document.querySelector('.jp-WindowedPanel-outer');"
                         "const i = document.querySelector('.jp-WindowedPanel-inner');"
                         "return Math.max(n ? n.scrollHeight : 0, i ? i.scrollHeight : 0, 1000);")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1400, "height": min(int(height) + 250, 16000), "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.5)
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return path

    def cells(self) -> list[dict[str, Any]]:
        """What a person sees in each code cell's output area, read from the DOM."""
        return list(self.js("""
            const w = window.jupyterapp.shell.currentWidget;
            return w.content.widgets.filter(c => c.model.type === 'code').map((c, i) => {
              const out = c.node.querySelector('.jp-OutputArea');
              const q = s => out ? Array.from(out.querySelectorAll(s)) : [];
              return {
                index: i,
                source: c.model.sharedModel.getSource(),
                errors: q('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
                          .filter(n => n.closest('.jp-OutputArea-child')
                                       && /Traceback|Error/.test(n.innerText)).map(n => n.innerText.slice(0, 500))
                        .concat(q('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
                          .map(n => n.innerText).filter(t => /Traceback \\(most recent call last\\)/.test(t))),
                widgets: q('.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox, .jupyter-widgets.widget-box, .widget-button, .jupyter-widget-Box').length,
                widget_errors: q('.jupyter-widgets-error-widget, .jp-RenderedText[data-mime-type="text/plain"]')
                          .map(n => n.innerText).filter(t => /Error displaying widget|model not found/.test(t)),
                images: q('img, svg').filter(n => n.closest('.jp-RenderedImage, .jp-RenderedSVG, .jp-RenderedHTMLCommon, .widget-output')).length,
                figure_text: q('.jp-RenderedText').map(n => n.innerText).filter(t => /<Figure size/.test(t)),
                cut_labels: q('button.jupyter-button, .widget-checkbox label, .widget-checkbox .widget-label-basic')
                          .filter(n => n.offsetWidth > 0 && n.scrollWidth > n.clientWidth + 1)
                          .map(n => n.innerText.trim()),
                cut_cells: q('td, th').map(n => n.innerText.trim()).filter(t => /(\\.\\.\\.|…)$/.test(t)),
                text: out ? out.innerText.slice(0, 2000) : '',
              };
            });"""))


    # -- forms ---------------------------------------------------------------------------------
    _FIELD = """
        const [label, index] = [arguments[0], arguments[1]];
        const w = window.jupyterapp.shell.currentWidget;
        const cell = w.content.widgets.filter(c => c.model.type === 'code')[index];
        const lab = Array.from(cell.node.querySelectorAll('.widget-label, .widget-label-basic'))
                         .find(n => n.innerText.trim() === label);
        const field = lab && lab.closest('.widget-inline-hbox');
        """

    def field_input(self, index: int, label: str) -> Any:
        """The <input>/<textarea>/<select> of the field labelled `label` in code cell `index`."""
        element = self.js(self._FIELD + "return field && field.querySelector('input, textarea, select');",
                          label, index)
        assert element is not None, f"no field labelled {label!r} in code cell {index}"
        return element

    def type_into(self, index: int, label: str, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        element = self.field_input(index, label)
        self.js("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()
        self.js("const e = arguments[0]; e.value = '';"
                "e.dispatchEvent(new Event('input', {bubbles: true}));", element)
        if text:
            element.send_keys(text)
        element.send_keys(Keys.TAB)  # ipywidgets Text syncs on change/blur as well as on typing

    def message_beside(self, index: int, label: str) -> str:
        """The text shown in the same row as the field labelled `label` (its message)."""
        return str(self.js(self._FIELD + """
            if (!field) return '';
            const row = field.parentElement;
            return Array.from(row.children).filter(n => n !== field).map(n => n.innerText).join(' ').trim();""",
                           label, index))

    def click(self, index: int, text: str) -> None:
        button = self.js("""
            const w = window.jupyterapp.shell.currentWidget;
            const cell = w.content.widgets.filter(c => c.model.type === 'code')[arguments[1]];
            return Array.from(cell.node.querySelectorAll('button.jupyter-button'))
                        .find(b => b.innerText.trim() === arguments[0]) || null;""", text, index)
        assert button is not None, f"no button {text!r} in code cell {index}"
        self.js("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()

    def output_text(self, index: int) -> str:
        return str(self.js("""
            const w = window.jupyterapp.shell.currentWidget;
            const cell = w.content.widgets.filter(c => c.model.type === 'code')[arguments[0]];
            const out = cell.node.querySelector('.jp-OutputArea');
            return out ? out.innerText : '';""", index))


@contextmanager
def chromium(downloads: Path) -> Iterator[Any]:
    """A headless Debian chromium under Selenium (its chromedriver; no Selenium Manager download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
