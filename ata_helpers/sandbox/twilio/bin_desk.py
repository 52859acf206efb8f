"""The twin's Bins desk: the TwimlDesk the sandbox uses for TwiML Bins, over HTTP to the twin.

The twin keeps Bins in place of the Console (`bins`) and answers `/_sandbox/TwimlBins` with the
sandbox account's credentials; this desk is what `twilio_api.twiml_desk("bins")` returns in the
sandbox, so TwilioSetup creates, finds and deletes Bins the way it would through an API.
"""

from __future__ import annotations

from typing import Any

from ...errors import SandboxError
from ...provision.twiml_desk import ApiDesk, HostedTwiml
from ...settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from ...twiml import BIN_URL

__all__ = ["TwinBinDesk"]

_PATH = "/_sandbox/TwimlBins"


class TwinBinDesk(ApiDesk):
    """TwiML Bins kept by the Twilio twin, found by friendly name."""

    host = "bins"
    resource = "TwiML Bin"
    placeholder_url = BIN_URL.format(sid="EH…")

    def __init__(self, base_url: str | None = None) -> None:
        import requests

        self._base_url = base_url
        self._session = requests.Session()
        self._session.trust_env = False  # no proxies for 127.0.0.1
        self._session.auth = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        from .. import twin_url

        base = self._base_url or twin_url()
        try:
            response = self._session.request(method, base + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            raise SandboxError(f"the Twilio twin did not answer {method} {path}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise SandboxError(f"the Twilio twin refused {method} {path}: HTTP {response.status_code} "
                               f"{response.text[:200]}")
        return response.json() if response.content else None

    @staticmethod
    def _hosted(record: dict[str, Any]) -> HostedTwiml:
        return HostedTwiml(record["friendly_name"], record["url"], record["sid"], record["twiml"])

    def find(self, friendly_name: str, url: str | None = None) -> HostedTwiml | None:
        """The twin's Bin with this friendly name, or None (`url` is ignored: the twin knows its Bins)."""
        bins = self._request("GET", _PATH)["twiml_bins"]
        return next((self._hosted(b) for b in bins if b["friendly_name"] == friendly_name), None)

    def put(self, friendly_name: str, twiml: str) -> HostedTwiml:
        """Create the Bin, or replace the TwiML of the one with this friendly name."""
        return self._hosted(self._request("POST", _PATH, data={"FriendlyName": friendly_name, "Twiml": twiml}))

    def delete(self, hosted: HostedTwiml) -> None:
        """Delete the Bin."""
        self._request("DELETE", f"{_PATH}/{hosted.sid}")
