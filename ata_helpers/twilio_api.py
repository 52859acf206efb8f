"""twilio_client(): the one place a Twilio REST client is built, for either mode.

In sandbox mode the client is a real `twilio.rest.Client` whose HTTP client rewrites every
`https://*.twilio.com/...` request to the local Twilio twin; live mode uses the SDK as shipped.
Nothing below this factory knows which mode is in use.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit

from .errors import SandboxError, TwilioApiError
from .settings import mode, twilio_credentials

if TYPE_CHECKING:
    from collections.abc import Mapping

    from twilio.rest import Client

__all__ = ["twilio_client", "SandboxHttpClient", "explain_twilio_error", "twilio_errors", "fetch_twiml",
           "twilio_signature"]


def _sandbox_http_client() -> Any:
    from twilio.http.http_client import TwilioHttpClient

    class SandboxHttpClient(TwilioHttpClient):
        """Sends requests meant for *.twilio.com to the local twin, and nothing anywhere else."""

        def __init__(self) -> None:
            super().__init__(timeout=30)
            if self.session is not None:
                self.session.trust_env = False  # no proxies for 127.0.0.1
            from .sandbox import twin_url

            self.base_url = twin_url()

        def _rewrite(self, url: str) -> str:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            if host == "twilio.com" or host.endswith(".twilio.com"):
                return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
            if url.startswith(self.base_url + "/"):
                return url
            raise SandboxError(f"sandbox mode refuses to send a request to {parts.scheme}://{host}")

        def request(self, method: str, url: str, params: Any = None, data: Any = None,
                    headers: Any = None, auth: Any = None, timeout: Any = None,
                    allow_redirects: bool = False) -> Any:
            import requests

            original_host = urlsplit(url).hostname or ""
            headers = dict(headers or {})
            headers["X-Sandbox-Original-Host"] = original_host
            for attempt in range(2):
                target = self._rewrite(url)
                try:
                    return super().request(method, target, params=params, data=data, headers=headers,
                                           auth=auth, timeout=timeout, allow_redirects=allow_redirects)
                except requests.ConnectionError:
                    if attempt:
                        raise SandboxError("the sandbox Twilio twin stopped answering") from None
                    from .sandbox import twin_url

                    old = self.base_url
                    self.base_url = twin_url(restart=True)
                    if url.startswith(old):
                        url = self.base_url + url[len(old):]
            raise AssertionError("unreachable")

    return SandboxHttpClient()


def SandboxHttpClient() -> Any:  # noqa: N802 - reads as a class at call sites
    """A twilio HttpClient bound to the sandbox twin (built lazily so twilio loads only when used)."""
    return _sandbox_http_client()


def twilio_client() -> "Client":
    """A `twilio.rest.Client` wired for the current mode (sandbox twin or the real Twilio API)."""
    from twilio.rest import Client

    current = mode()
    creds = twilio_credentials(current)
    if current == "sandbox":
        # A non-empty environment stops TWILIO_EDGE/TWILIO_REGION from os.environ rewriting hosts.
        return Client(creds.username, creds.password, account_sid=creds.account_sid,
                      http_client=SandboxHttpClient(), environment={"ATA_MODE": "sandbox"},
                      edge=None, region=None)
    return Client(creds.username, creds.password, account_sid=creds.account_sid)


def twilio_errors() -> Mapping[int, tuple[str, str]]:
    """Twilio error codes met in this setup: code -> (what it means here, what to do)."""
    from .twilio_error_codes import ERRORS

    return ERRORS


def explain_twilio_error(exc: BaseException) -> TwilioApiError:
    """Turn a TwilioRestException into a TwilioApiError with a one-line meaning and fix."""
    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    message = str(getattr(exc, "msg", "") or exc)
    meaning, fix = twilio_errors().get(int(code) if code else -1, ("", ""))
    return TwilioApiError(status, code, message, meaning, fix, getattr(exc, "method", ""),
                          getattr(exc, "uri", ""))


@contextmanager
def explained_errors() -> Iterator[None]:
    """Re-raise Twilio REST errors raised inside the block as explained TwilioApiError."""
    import requests
    from twilio.base.exceptions import TwilioRestException

    try:
        yield
    except TwilioRestException as exc:
        raise explain_twilio_error(exc) from exc
    except requests.RequestException as exc:
        raise TwilioApiError(0, None, f"cannot reach Twilio: {type(exc).__name__}",
                             "The request never got an answer (network down, DNS, proxy or firewall).",
                             "Check the internet connection, then run the step again.") from exc


def twilio_signature(auth_token: str, url: str, params: dict[str, str] | None = None) -> str:
    """X-Twilio-Signature for a request: base64 HMAC-SHA1 of the URL and sorted POST parameters."""
    import base64
    import hashlib
    import hmac

    data = url + "".join(f"{k}{v}" for k, v in sorted((params or {}).items()))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def fetch_twiml(url: str, params: dict[str, str] | None = None) -> str:
    """The TwiML a URL serves, requested the way Twilio does: POST with `params`, signed.

    TwiML Bins check X-Twilio-Signature, which is made with the account's auth token; with API-key
    credentials the signature cannot be made and a TwilioApiError says so.
    """
    from .errors import AtaHelpersError

    creds = twilio_credentials()
    if creds.kind == "api-key":
        raise TwilioApiError(0, None, "cannot sign the request with an API key",
                             "TwiML Bins only answer requests signed with the account's auth token.",
                             "Set TWILIO_AUTH_TOKEN to let the doctor read the Bin, or open it in the Console.")
    client = twilio_client()
    params = dict(params or {})
    headers = {"X-Twilio-Signature": twilio_signature(creds.password, url, params), "Accept": "text/xml",
               "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = client.http_client.request("POST", url, data=params, headers=headers, timeout=15)
    except AtaHelpersError:
        raise
    except Exception as exc:  # requests' connection errors: the URL is unreachable
        raise TwilioApiError(0, 11200, f"could not fetch {url}: {type(exc).__name__}",
                             *twilio_errors()[11200]) from exc
    if response.status_code != 200:
        raise TwilioApiError(response.status_code, 11200, f"{url} answered HTTP {response.status_code}",
                             *twilio_errors()[11200])
    return str(response.text)
