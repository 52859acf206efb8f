"""Request plumbing shared by the twins: parsed query and form, JSON replies, health check."""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .runtime import HEALTH_PATH, _health_payload

__all__ = ["TwinHandler"]


class TwinHandler(BaseHTTPRequestHandler):
    """Base handler: subclasses implement `route(method)`; helpers read input and write JSON."""

    protocol_version = "HTTP/1.1"
    server_version = "ata-sandbox/1"

    # -- quiet logs: the twins must not print request lines into notebooks ------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    # -- input -------------------------------------------------------------------------------
    def _prepare(self) -> None:
        parts = urlsplit(self.path)
        self.url_path = parts.path
        self.query: dict[str, list[str]] = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        self.form: dict[str, list[str]] = {}
        self.json_body: Any = None
        if ctype == "application/x-www-form-urlencoded" and self.raw_body:
            self.form = parse_qs(self.raw_body.decode("utf-8"), keep_blank_values=True)
        elif ctype == "application/json" and self.raw_body:
            try:
                self.json_body = json.loads(self.raw_body)
            except ValueError:
                self.json_body = None

    def basic_auth(self) -> tuple[str, str] | None:
        """(user, password) from an HTTP Basic Authorization header, or None."""
        header = self.headers.get("Authorization") or ""
        if not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, password

    def cookies(self) -> dict[str, str]:
        """The request's cookies as a dict."""
        jar: dict[str, str] = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                key, _, value = part.strip().partition("=")
                jar[key] = value
        return jar

    # -- output ------------------------------------------------------------------------------
    def send_response(self, code: int, message: str | None = None) -> None:
        """Start an answer; `end_headers` adds `Connection: close` when the connection will close."""
        self._connection_header_sent = False
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection":
            self._connection_header_sent = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        """Say `Connection: close` whenever the server closes after this answer (RFC 9112 §9.6),
        e.g. when the client asked for it, so a client with a keep-alive pool never reuses the socket."""
        if self.close_connection and not getattr(self, "_connection_header_sent", False):
            self.send_header("Connection", "close")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the HTTP layer answers itself (a method no twin serves, a bad request line) in JSON
        with Twilio's error shape, never the standard library's HTML page; 501 becomes Twilio's 405."""
        self.close_connection = True
        if code == 501:
            status, twilio_code, text = 405, 20004, f"Method {self.command} not allowed"
        else:
            status, twilio_code = code, {404: 20404, 500: 20500}.get(code, 20001)
            text = message or self.responses.get(code, ("Error",))[0]
        body = {"code": twilio_code, "message": text, "more_info": f"https://www.twilio.com/docs/errors/{twilio_code}",
                "status": status}
        self.send_body(status, json.dumps(body).encode("utf-8"), "application/json")

    def send_body(self, status: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
        """Answer with a status, a body and its content type."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        """Answer with JSON (204 sends no body)."""
        if status == 204:
            self.send_response(204)
            self.send_header("Content-Length", "0")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            return
        self.send_body(status, json.dumps(payload).encode("utf-8"), "application/json", headers)

    # -- dispatch ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        self._prepare()
        if self.url_path == HEALTH_PATH:
            self.send_body(200, _health_payload(self.server), "application/json")  # type: ignore[arg-type]
            return
        try:
            self.route(self.command)
        except Exception as exc:  # a twin bug must answer 500, never hang the client
            self.send_json(500, {"code": 20500, "message": f"sandbox internal error: {exc!r}",
                                 "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500})

    def route(self, method: str) -> None:
        """Handle the parsed request; each twin implements it."""
        raise NotImplementedError

    # Every method reaches route(), which answers what it does not serve with a JSON 405.
    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = do_PATCH = do_OPTIONS = _dispatch  # noqa: N815
