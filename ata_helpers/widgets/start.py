"""Notebook 00's credentials form: enter live Twilio credentials without ever showing them.

The token field is a Password widget; "Use in this kernel" keeps the values only in this
process's environment, "Save to .env" writes them with 0600 permissions. Nothing is echoed.
"""

from __future__ import annotations

import re

import ipywidgets as w

from ..settings import mask, write_env_file

__all__ = ["CredentialsForm", "credentials_form"]

_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_KEY = re.compile(r"^SK[0-9a-fA-F]{32}$")


class CredentialsForm:
    """Account SID, auth token (or API key + secret), and the mode to use."""

    def __init__(self) -> None:
        self.account_sid = w.Text(description="Account SID", placeholder="AC…")
        self.auth_token = w.Password(description="Auth token")
        self.api_key = w.Text(description="API key", placeholder="SK… (optional)")
        self.api_secret = w.Password(description="API secret")
        self.live = w.Checkbox(value=False, description="switch this kernel to live mode")
        self.sid_error = w.HTML()
        self.use_button = w.Button(description="Use in this kernel", button_style="primary")
        self.save_button = w.Button(description="Save to .env (0600)")
        self.out = w.Output()
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
            if not self.api_secret.value:
                raise ValidationError("API secret", "is required with an API key")
            values.update(TWILIO_API_KEY=self.api_key.value.strip(), TWILIO_API_SECRET=self.api_secret.value)
        elif len(self.auth_token.value.strip()) != 32:
            raise ValidationError("Auth token", "must be the 32-character token from the Console")
        else:
            values["TWILIO_AUTH_TOKEN"] = self.auth_token.value.strip()
        if self.live.value:
            values["ATA_MODE"] = "live"
        return values

    def apply(self, save: bool) -> None:
        """Put the values in this kernel's environment, and in .env when `save` is true."""
        import os

        from ..errors import ValidationError

        self.out.clear_output()
        try:
            values = self.values()
        except ValidationError as exc:
            self.out.append_stdout(f"Not saved: {exc}\n")
            return
        if save:
            path = write_env_file(values)
            where = f"saved to {path.name} (permissions 0600) and loaded in this kernel"
        else:
            os.environ.update(values)
            where = "loaded in this kernel only (not written anywhere)"
        shown = ", ".join(f"{k}={v if k in ('TWILIO_ACCOUNT_SID', 'ATA_MODE', 'TWILIO_API_KEY') else mask(v)}"
                          for k, v in values.items())
        self.out.append_stdout(f"Credentials {where}: {shown}\n")


def credentials_form() -> CredentialsForm:
    """Build the form; display `form.widget` in a notebook."""
    return CredentialsForm()
