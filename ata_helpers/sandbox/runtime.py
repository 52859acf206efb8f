"""Start-on-first-use HTTP services for the sandbox twins, shared across processes.

Each service runs in a daemon thread of whichever process first needs it and writes its port to
`<sandbox>/services/<name>.json`. Another process (a second kernel, the terminal) finds it there
and checks it answers for the same sandbox folder; if not, it starts its own on the same state.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from ..errors import SandboxError

__all__ = ["ensure_service", "stop_services", "HEALTH_PATH", "SandboxServer"]

HEALTH_PATH = "/_sandbox/health"

_RUNNING: dict[tuple[str, Path], "SandboxServer"] = {}
_LOCK = threading.Lock()


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 that knows its service name and sandbox folder."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, name: str, folder: Path, handler: type[BaseHTTPRequestHandler]) -> None:
        self.service_name = name
        self.sandbox_folder = folder
        super().__init__(("127.0.0.1", 0), handler)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT of this server."""
        return f"http://127.0.0.1:{self.server_address[1]}"


def _service_file(name: str, folder: Path) -> Path:
    return folder / "services" / f"{name}.json"


def _answers(base_url: str, name: str, folder: Path) -> bool:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(base_url + HEALTH_PATH, timeout=2) as response:
            info = json.loads(response.read().decode())
        return info.get("service") == name and Path(info.get("sandbox", "")) == folder
    except (OSError, ValueError):
        return False


def ensure_service(name: str, handler: type[BaseHTTPRequestHandler], folder: Path | None = None,
                   restart: bool = False) -> str:
    """Base URL of service `name` for the sandbox folder, starting it here if none answers."""
    from ..settings import sandbox_dir

    folder = (Path(folder) if folder else sandbox_dir()).resolve()
    key = (name, folder)
    with _LOCK:
        own = _RUNNING.get(key)
        if own is not None and not restart:
            return own.base_url
        info_path = _service_file(name, folder)
        if not restart and info_path.exists():
            try:
                url = json.loads(info_path.read_text())["url"]
            except (OSError, ValueError, KeyError):
                url = ""
            if url and _answers(url, name, folder):
                return url
        if own is not None:
            return own.base_url
        try:
            server = SandboxServer(name, folder, handler)
        except OSError as exc:
            raise SandboxError(f"could not start the sandbox {name} service on 127.0.0.1: {exc}") from exc
        thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{name}", daemon=True)
        thread.start()
        _RUNNING[key] = server
        info_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = info_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"url": server.base_url, "pid": os.getpid()}))
        os.replace(tmp, info_path)
        return server.base_url


def stop_services(folder: Path | None = None) -> None:
    """Stop the services this process runs (all, or those of one sandbox folder)."""
    with _LOCK:
        for key in list(_RUNNING):
            if folder is None or key[1] == Path(folder).resolve():
                server = _RUNNING.pop(key)
                server.shutdown()
                server.server_close()
                info = _service_file(*key)
                try:
                    if json.loads(info.read_text()).get("url") == server.base_url:
                        info.unlink()
                except (OSError, ValueError):
                    pass


def _health_payload(server: SandboxServer) -> bytes:
    return json.dumps({"service": server.service_name, "sandbox": str(server.sandbox_folder)}).encode()


Factory = Callable[[], type[BaseHTTPRequestHandler]]
