"""TwiML Bins in the sandbox: Twilio has no public API for Bins, so the twin keeps its own.

A live learner pastes the Bin's XML in the Console and copies back its
`https://handler.twilio.com/twiml/EH…` URL (the shape lives in `ata_helpers.twiml`); in the
sandbox the twin stands in for the Console. It serves `/_sandbox/TwimlBins` (GET the list, POST
FriendlyName + Twiml to create or update by friendly name, DELETE `/_sandbox/TwimlBins/EH…`) for
the Bins desk (`bin_desk`), and serves each Bin's TwiML at `/twiml/EH…` as Twilio does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...twiml import BIN_URL, bin_sid_from_url
from ..store import open_store
from .format import TwinError, error_body, iso8601, now

if TYPE_CHECKING:
    from ..http_base import TwinHandler

__all__ = ["create_bin", "get_bin", "list_bins", "delete_bin", "handle_sandbox_path", "serve_bin", "render_bin"]

_E164_SECTION = re.compile(r"\{\{\s*#\s*e164\s*\}\}(.*?)\{\{\s*/\s*e164\s*\}\}", re.S)
_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render_bin(template: str, params: dict[str, str]) -> str:
    """Render a TwiML Bin's Mustache template as Twilio does for {{Var}} and {{#e164}}…{{/e164}}.

    `e164` is `ata_helpers.twiml.e164_helper`: documented for a SIP URI whose user part is `+`
    and digits; a user part without the `+` follows the one public report of what Twilio does.
    """
    from ...twiml import e164_helper

    def var(match: re.Match[str]) -> str:
        return params.get(match.group(1), "")

    def e164(match: re.Match[str]) -> str:
        return e164_helper(_VAR.sub(var, match.group(1)))

    return _VAR.sub(var, _E164_SECTION.sub(e164, template))


def _render(rec: dict[str, Any]) -> dict[str, Any]:
    return {"sid": rec["sid"], "friendly_name": rec["friendly_name"], "twiml": rec["twiml"],
            "url": BIN_URL.format(sid=rec["sid"]), "date_created": iso8601(rec["date_created"]),
            "date_updated": iso8601(rec["date_updated"])}


def create_bin(friendly_name: str, twiml: str) -> dict[str, Any]:
    """Store a Bin (or update the one with this friendly name) and return it with its URL."""
    store = open_store()
    with store.transaction():
        for rec in store.list("twiml_bin"):
            if rec["friendly_name"] == friendly_name:
                rec.update({"twiml": twiml, "date_updated": now()})
                store.update("twiml_bin", rec["sid"], rec)
                return _render(rec)
        sid = store.new_sid("EH")
        rec = {"sid": sid, "friendly_name": friendly_name, "twiml": twiml, "date_created": now(),
               "date_updated": now()}
        store.insert("twiml_bin", sid, rec)
    return _render(rec)


def get_bin(url_or_sid: str) -> dict[str, Any] | None:
    """A Bin by URL or SID, or None."""
    sid = bin_sid_from_url(url_or_sid) or url_or_sid.strip()
    rec = open_store().get("twiml_bin", sid)
    return _render(rec) if rec else None


def list_bins() -> list[dict[str, Any]]:
    """Every Bin in the sandbox, oldest first."""
    return [_render(r) for r in open_store().list("twiml_bin")]


def delete_bin(url_or_sid: str) -> bool:
    """Delete a Bin by URL or SID (as a learner does in the Console); False when there was none."""
    sid = bin_sid_from_url(url_or_sid) or url_or_sid.strip()
    return open_store().delete("twiml_bin", sid)


def handle_sandbox_path(handler: "TwinHandler", method: str) -> None:
    """`/_sandbox/TwimlBins` (GET list, POST create or update) and DELETE `/_sandbox/TwimlBins/EH…`."""
    from ...settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

    if handler.basic_auth() != (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN):
        error = TwinError(401, 20003, "Authenticate")
        handler.send_json(401, error_body(error))
        return
    sid = handler.url_path.removeprefix("/_sandbox/TwimlBins/")
    if method == "DELETE" and sid != handler.url_path and delete_bin(sid):
        handler.send_json(204, None)
        return
    if handler.url_path != "/_sandbox/TwimlBins" or method not in ("GET", "POST"):
        handler.send_json(404, error_body(TwinError(404, 20404, f"{handler.url_path} was not found")))
        return
    if method == "POST":
        form = {k: v[-1] for k, v in handler.form.items()}
        if not form.get("FriendlyName") or not form.get("Twiml"):
            handler.send_json(400, error_body(TwinError(400, 20001, "FriendlyName and Twiml are required")))
            return
        handler.send_json(201, create_bin(form["FriendlyName"], form["Twiml"]))
    else:
        handler.send_json(200, {"twiml_bins": list_bins()})


def serve_bin(handler: "TwinHandler") -> None:
    """GET or POST /twiml/EH…: the Bin's XML with its template rendered from the request's parameters."""
    rec = get_bin(handler.url_path.rsplit("/", 1)[-1])
    if rec is None:
        handler.send_body(404, b"Not Found", "text/plain")
        return
    params = {k: v[-1] for k, v in {**handler.query, **handler.form}.items()}
    handler.send_body(200, render_bin(rec["twiml"], params).encode("utf-8"), "text/xml")
