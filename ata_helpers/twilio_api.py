"""twilio_client() and twiml_desk(): the one place the Twilio side is wired for either mode.

In sandbox mode the client is a real `twilio.rest.Client` whose HTTP client
(`sandbox.twilio.http_client.SandboxHttpClient`) sends every `https://*.twilio.com/...` request to
the local Twilio twin; live mode uses the SDK as shipped. TwiML Bins have no API, so where the
line's TwiML lives is chosen here too: the Console (live) or the twin (sandbox). Nothing below
these two factories knows which mode is in use.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from .errors import TwilioApiError
from .settings import twilio_credentials

if TYPE_CHECKING:
    from collections.abc import Mapping

    from twilio.rest import Client

    from .provision.twiml_desk import TwimlDesk

__all__ = ["twilio_client", "twiml_desk", "explain_twilio_error", "twilio_errors", "fetch_twiml",
           "twilio_signature"]


def twilio_client() -> "Client":
    """A `twilio.rest.Client` wired for the current mode (sandbox twin or the real Twilio API).

    Credentials: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET
    (https://www.twilio.com/docs/iam/api-keys). Raises ConfigurationError when they are missing or
    malformed, and SandboxError when the local twin cannot be started.
    """
    from twilio.rest import Client

    from .settings import mode

    current = mode()
    creds = twilio_credentials(current)
    if current == "sandbox":
        from .sandbox.twilio.http_client import SandboxHttpClient

        # A non-empty environment stops TWILIO_EDGE/TWILIO_REGION from os.environ rewriting hosts.
        return Client(creds.username, creds.password, account_sid=creds.account_sid,
                      http_client=SandboxHttpClient(), environment={"ATA_MODE": "sandbox"},
                      edge=None, region=None)
    return Client(creds.username, creds.password, account_sid=creds.account_sid)


def twiml_desk(host: str = "functions", *, client: "Client | None" = None,
               service_name: str = "ata-course") -> "TwimlDesk":
    """The desk that hosts the line's TwiML on `host` ("functions" or "bins"), wired for the current mode.

    Functions: deployed through the Serverless API with `client` (twilio_client() by default) into
    the Service `service_name`, the same code in both modes. Bins: the Console in live mode (the
    learner pastes each Bin's URL), the Twilio twin's Bins in the sandbox. Raises ValidationError
    for a host not in provision.twiml_desk.TWIML_HOSTS.
    """
    from .provision.twiml_desk import ConsoleBinDesk, validate_twiml_host
    from .settings import mode

    if validate_twiml_host(host) == "functions":
        from .provision.function_desk import FunctionDesk

        return FunctionDesk(client or twilio_client(), service_name)
    if mode() == "sandbox":
        from .sandbox.twilio.bin_desk import TwinBinDesk

        return TwinBinDesk()
    return ConsoleBinDesk()


def twilio_errors() -> Mapping[int, tuple[str, str]]:
    """Twilio error codes met in this setup: code -> (what it means here, what to do)."""
    from .twilio_error_codes import ERRORS

    return ERRORS


def explain_twilio_error(exc: BaseException) -> TwilioApiError:
    """Turn any error the twilio SDK raises into a TwilioApiError with a one-line meaning and fix.

    A TwilioRestException carries Twilio's status, code and message. List and page fetches raise
    a plain TwilioException("Unable to fetch page", response) instead: its response's JSON body
    gives the same fields (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
    """
    import json

    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    message = str(getattr(exc, "msg", "") or exc)
    method, uri = getattr(exc, "method", ""), getattr(exc, "uri", "")
    response = exc.args[1] if len(getattr(exc, "args", ())) > 1 else None
    if response is not None and hasattr(response, "status_code"):
        status = int(getattr(response, "status_code", 0) or 0)
        try:
            body = json.loads(getattr(response, "text", "") or "{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = body.get("code", code)
        message = str(body.get("message") or exc.args[0])
    try:
        code = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    meaning, fix = twilio_errors().get(code if code is not None else -1, ("", ""))
    if not meaning and status in _STATUS_HINTS:
        meaning, fix = _STATUS_HINTS[status]
    return TwilioApiError(status, code, message, meaning, fix, method, uri)


# What an HTTP status means when Twilio's error code is not in the course's list.
_STATUS_HINTS: dict[int, tuple[str, str]] = {
    401: ("Twilio did not accept the account SID and auth token (or API key and secret).",
          "Copy TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN again from the Console's Account Info, "
          "then run `ata-helpers env`."),
    403: ("The credentials are valid but not allowed to do this (a restricted API key, or a "
          "feature not enabled on the account).", "Use the account's auth token or a standard API key."),
    404: ("Twilio has no such resource in this account (deleted, or created in another account or "
          "subaccount).", "Check the SID, and that TWILIO_ACCOUNT_SID is the account that holds it."),
    429: ("Too many requests at once: Twilio is rate-limiting the account.", "Wait a few seconds and run it again."),
}
for _status in (500, 502, 503, 504):
    _STATUS_HINTS[_status] = ("Twilio had a server error or is unavailable; nothing in your setup caused it.",
                              "Wait a minute and run it again; see status.twilio.com.")


@contextmanager
def explained_errors() -> Iterator[None]:
    """Re-raise every error of the twilio SDK raised inside the block as an explained TwilioApiError
    (REST errors, page fetches, and requests that never got an answer)."""
    import requests
    from twilio.base.exceptions import TwilioException

    try:
        yield
    except TwilioException as exc:
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
