"""Notebook 00's credentials form: enter live Twilio credentials without ever showing them.

The token field is a Password widget; "Use in this kernel" keeps the values only in this
process's environment, "Save to .env" writes them with 0600 permissions. Nothing is echoed, the
secret fields start empty and are emptied once used (so a saved notebook's widget state holds no
secret), and every click says what happened.
"""

from __future__ import annotations

import re

import ipywidgets as w

from ..settings import mask, write_env_file

__all__ = ["CredentialsForm", "credentials_form", "SandboxResetForm", "sandbox_reset_form"]

_SID = re.compile(r"^AC[0-9a-fA-F]{32}\Z")
_KEY = re.compile(r"^SK[0-9a-fA-F]{32}\Z")


class CredentialsForm:
    """Account SID, auth token (or API key + secret), and the mode to use."""

    def __init__(self) -> None:
        self.account_sid = w.Text(description="Account SID", placeholder="AC…")
        self.auth_token = w.Password(description="Auth token")
        self.api_key = w.Text(description="API key", placeholder="SK… (optional)")
        self.api_secret = w.Password(description="API secret")
        self.live = w.Checkbox(value=False, description="switch this kernel to live mode", indent=False, layout={"width": "max-content"})
        self.sid_error = w.HTML()
        self.use_button = w.Button(description="Use in this kernel", button_style="primary", layout={"width": "max-content"})
        self.save_button = w.Button(description="Save to .env (0600)", layout={"width": "max-content"})
        self.out = w.Output()
        self._kept: dict[str, str] = {}  # secrets already used, held in this kernel only (not in widgets)
        self.use_button.on_click(lambda _: self.apply(save=False))
        self.save_button.on_click(lambda _: self.apply(save=True))
        self.account_sid.observe(lambda _: self._check_sid(), names="value")
        self.widget = w.VBox([w.HBox([self.account_sid, self.sid_error]), self.auth_token,
                              w.HBox([self.api_key, self.api_secret]), self.live,
                              w.HBox([self.use_button, self.save_button]), self.out])

    def _check_sid(self) -> bool:
        ok = bool(_SID.match(self.account_sid.value.strip()))
        self.sid_error.value = "" if ok or not self.account_sid.value else \
            "<span style='color:#b00'>must be AC followed by 32 hex digits</span>"
        return ok

    def values(self) -> dict[str, str]:
        """The environment variables this form would set; raises ValidationError on bad input."""
        from ..errors import ValidationError

        if not self._check_sid():
            raise ValidationError("Account SID", "must be AC followed by 32 hex digits")
        values = {"TWILIO_ACCOUNT_SID": self.account_sid.value.strip()}
        if self.api_key.value.strip():
            if not _KEY.match(self.api_key.value.strip()):
                raise ValidationError("API key", "must be SK followed by 32 hex digits")
            secret = self.api_secret.value or self._kept.get("TWILIO_API_SECRET", "")
            if not secret:
                raise ValidationError("API secret", "is required with an API key")
            values.update(TWILIO_API_KEY=self.api_key.value.strip(), TWILIO_API_SECRET=secret)
        else:
            token = self.auth_token.value.strip() or self._kept.get("TWILIO_AUTH_TOKEN", "")
            if len(token) != 32:
                raise ValidationError("Auth token", "must be the 32-character token from the Console")
            values["TWILIO_AUTH_TOKEN"] = token
        if self.live.value:
            values["ATA_MODE"] = "live"
        return values

    def apply(self, save: bool) -> None:
        """Put the values in this kernel's environment, and in .env when `save` is true."""
        import os

        from ..errors import ValidationError

        self.out.outputs = ()  # replaced, not cleared: a clear message could wipe the new text
        try:
            values = self.values()
        except ValidationError as exc:
            self.out.append_stdout(f"Not saved: {exc}\n")
            return
        self._forget_fields(values)
        if save:
            path = write_env_file(values)
            where = f"saved to {path.name} (permissions 0600) and loaded in this kernel"
        else:
            os.environ.update(values)
            where = "loaded in this kernel only (not written anywhere)"
        shown = ", ".join(f"{k}={v if k in ('TWILIO_ACCOUNT_SID', 'ATA_MODE', 'TWILIO_API_KEY') else mask(v)}"
                          for k, v in values.items())
        self.out.append_stdout(f"Credentials {where}: {shown}\n")


    def _forget_fields(self, values: dict[str, str]) -> None:
        """Empty the secret fields once read; the kernel keeps the values for the next click."""
        self._kept.update({k: v for k, v in values.items() if k in ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET")})
        for field in (self.auth_token, self.api_secret):
            if field.value:
                field.value = ""
                field.placeholder = "•••• (kept in this kernel; type to replace)"


def credentials_form() -> CredentialsForm:
    """Build the form; display `form.widget` in a notebook."""
    return CredentialsForm()


class SandboxResetForm:
    """A button that starts the sandbox afresh (ata.sandbox.reset): the first press says what it
    deletes, the second deletes it. It never touches a live account or device."""

    def __init__(self) -> None:
        self.button = w.Button(description="Reset the sandbox", button_style="warning",
                               layout={"width": "max-content"})
        self.out = w.Output()
        self._armed = False
        self.button.on_click(lambda _: self.press())
        self.widget = w.VBox([self.button, self.out])

    def press(self) -> None:
        """First press: explain and arm; second press: reset and say where the new sandbox is."""
        from ..settings import sandbox_dir

        self.out.outputs = ()
        if not self._armed:
            self._armed = True
            self.button.description = "Press again to reset"
            self.out.append_stdout(f"This deletes everything the sandbox holds in {sandbox_dir()} "
                                   "(Twilio twin, ATA twin, calls, captures). Press again to confirm.\n")
            return
        from ..sandbox.reset_report import reset_and_report

        self._armed = False
        self.button.description = "Reset the sandbox"
        self.out.append_stdout(f"{reset_and_report()}\n")


def sandbox_reset_form() -> SandboxResetForm:
    """Build the reset form; display `form.widget` in a notebook."""
    return SandboxResetForm()
