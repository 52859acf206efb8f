"""Start-on-first-use HTTP services for the sandbox twins, shared across processes.

Each service runs in a daemon thread of whichever process first needs it and writes its port and
process id to `<sandbox>/services/<name>.json`. Another process (a second kernel, the terminal)
finds it there and checks it answers for the same sandbox folder. A client that lost its connection
goes back to that advertised service, and waits for it while its process is alive; a new one is
started only when the advertising process is gone (or never answers), under a lock file, so two
processes never start two twins on one store.

The server is threaded (one thread per connection) with a listen backlog of `LISTEN_BACKLOG`, so a
burst of hundreds of connections waits in the kernel's queue instead of being reset (the standard
library's default backlog is 5).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from ..errors import SandboxError

__all__ = ["ensure_service", "stop_services", "HEALTH_PATH", "SandboxServer", "LISTEN_BACKLOG", "PATIENCE"]

HEALTH_PATH = "/_sandbox/health"
LISTEN_BACKLOG = 1024  # capped by the kernel's net.core.somaxconn (4096 on current Linux)
PATIENCE = 15.0  # seconds to keep asking an advertised service whose process is still alive

_RUNNING: dict[tuple[str, Path], "SandboxServer"] = {}
_LOCK = threading.Lock()


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 that knows its service name and sandbox folder."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

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


def _alive(pid: object) -> bool:
    """Whether a process with this id exists on this machine."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def _advertised(name: str, folder: Path, patience: float) -> str | None:
    """The advertised service's URL once it answers; None when nothing is advertised, its process is
    gone, or it did not answer within `patience` seconds although its process lives."""
    info_path = _service_file(name, folder)
    deadline = time.monotonic() + patience
    while True:
        try:
            info = json.loads(info_path.read_text())
            url, pid = str(info["url"]), info.get("pid")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if _answers(url, name, folder):
            return url
        if not _alive(pid) or time.monotonic() >= deadline:
            return None
        time.sleep(0.2)


def ensure_service(name: str, handler: type[BaseHTTPRequestHandler], folder: Path | None = None,
                   restart: bool = False) -> str:
    """Base URL of service `name` for the sandbox folder: the one already running (this process's or
    the advertised one), else one started here.

    `restart=True` is what a client says after losing its connection: the advertised service is asked
    again (for up to PATIENCE seconds while its process lives) before a new one is started.
    """
    from ..locks import held_lock
    from ..settings import sandbox_dir

    folder = (Path(folder) if folder else sandbox_dir()).resolve()
    key = (name, folder)
    with _LOCK:
        own = _RUNNING.get(key)
        if own is not None:
            return own.base_url
        url = _advertised(name, folder, PATIENCE if restart else 2.0)
        if url:
            return url
        lock = _service_file(name, folder).with_suffix(".lock")
        with held_lock(lock, timeout=60):
            # another process may have started it while this one waited for the lock
            url = _advertised(name, folder, PATIENCE)
            if url:
                return url
            try:
                server = SandboxServer(name, folder, handler)
            except OSError as exc:
                raise SandboxError(f"could not start the sandbox {name} service on 127.0.0.1: {exc}") from exc
            thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{name}", daemon=True)
            thread.start()
            _RUNNING[key] = server
            info_path = _service_file(name, folder)
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
