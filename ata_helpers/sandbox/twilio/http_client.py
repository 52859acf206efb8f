"""SandboxHttpClient: the twilio SDK's HTTP client, pointed at the Twilio twin.

`twilio_api.twilio_client()` gives it to a real `twilio.rest.Client` in the sandbox: every request
for `https://*.twilio.com/…` (and for a deployed Function's `https://*.twil.io/…`) goes to the twin
on 127.0.0.1 (path and query kept), and nothing is sent anywhere else. If the twin stopped (another process owned it), it is started again once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.http.http_client import TwilioHttpClient

from ...errors import SandboxError

__all__ = ["SandboxHttpClient"]


class SandboxHttpClient(TwilioHttpClient):
    """Sends requests meant for *.twilio.com to the local twin, and nothing anywhere else.

    Raises SandboxError for a request to another host, or when the twin cannot be reached twice.
    The header `X-Sandbox-Original-Host` tells the twin which Twilio host the SDK meant.
    """

    def __init__(self, timeout: float = 30) -> None:
        super().__init__(timeout=timeout)
        if self.session is not None:
            self.session.trust_env = False  # no proxies for 127.0.0.1
        from .. import twin_url

        self.base_url = twin_url()

    def _rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host == "twilio.com" or host.endswith((".twilio.com", ".twil.io")):  # twil.io: deployed Functions
            return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        if url.startswith(self.base_url + "/"):
            return url
        raise SandboxError(f"sandbox mode refuses to send a request to {parts.scheme}://{host}")

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> Any:
        """Send the request to the twin (see the class docstring); returns the SDK's Response."""
        original_host = urlsplit(url).hostname or ""
        headers = dict(headers or {})
        headers["X-Sandbox-Original-Host"] = original_host
        for attempt in range(2):
            target = self._rewrite(url)
            try:
                return super().request(method, target, params=params, data=data, headers=headers,
                                       auth=auth, timeout=timeout, allow_redirects=allow_redirects)
            except requests.ConnectionError as exc:
                # A write is sent again only when it never reached the twin (the connection was
                # refused), so no write is ever stored twice.
                if attempt or (method.upper() not in ("GET", "HEAD") and not _never_sent(exc)):
                    raise SandboxError("the sandbox Twilio twin stopped answering") from None
                from .. import twin_url

                old = self.base_url
                self.base_url = twin_url(restart=True)
                if url.startswith(old):
                    url = self.base_url + url[len(old):]
        raise AssertionError("unreachable")


def _never_sent(exc: BaseException) -> bool:
    """True when a requests ConnectionError happened before the request reached the server."""
    from urllib3.exceptions import NewConnectionError

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectionRefusedError))
