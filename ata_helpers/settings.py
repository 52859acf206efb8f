"""Mode, credentials and secret redaction: the one place the environment is read.

`ATA_MODE` chooses sandbox (default) or live. An optional `.env` file at the project root (or
found upward from the working directory) fills in variables that are not already set, so an
explicit environment variable always wins.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

from .errors import ConfigurationError

__all__ = [
    "Mode",
    "TwilioCredentials",
    "mode",
    "project_root",
    "sandbox_dir",
    "load_env",
    "twilio_credentials",
    "device_settings",
    "mask",
    "redact",
    "redact_text",
    "remember_secret",
    "write_env_file",
    "write_private_file",
    "SANDBOX_ACCOUNT_SID",
    "SANDBOX_AUTH_TOKEN",
    "MASK",
]

Mode = Literal["sandbox", "live"]

MASK = "••••"
SANDBOX_ACCOUNT_SID = "AC5a4db0c5a4db0c5a4db0c5a4db0c0001"
SANDBOX_AUTH_TOKEN = "5a4db0c0ffee5a4db0c0ffee5a4db0c0"

_ENV_LOADED: set[Path] = set()
_SECRET_NAMES = ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET", "ATA_ADMIN_PASSWORD", "ATA_SIP_PASSWORD")


def project_root(start: Path | None = None) -> Path | None:
    """The course's folder: the nearest parent holding this project's pyproject.toml."""
    return _project_root_from(Path(start or Path.cwd()).resolve())


@functools.lru_cache(maxsize=32)
def _project_root_from(start: Path) -> Path | None:
    """project_root for one starting folder; cached, since mode() asks on every call."""
    candidates = [start]
    candidates += list(candidates[0].parents)
    package_parent = Path(__file__).resolve().parents[1]
    candidates += [package_parent]
    for folder in candidates:
        pyproject = folder / "pyproject.toml"
        try:
            if pyproject.is_file() and 'name = "ata-helpers"' in pyproject.read_text("utf-8"):
                return folder
        except OSError:
            continue
    return None


def load_env(path: Path | None = None) -> Path | None:
    """Load `.env` once (project root first, else upward from cwd); never overrides set variables."""
    if path is None:
        root = project_root()
        path = root / ".env" if root else None
        if path is None or not path.is_file():
            from dotenv import find_dotenv

            found = find_dotenv(usecwd=True)
            path = Path(found) if found else None
    if path is None or not path.is_file():
        return None
    resolved = path.resolve()
    if resolved not in _ENV_LOADED:
        from dotenv import load_dotenv

        load_dotenv(resolved, override=False)
        _ENV_LOADED.add(resolved)
    return resolved


def mode() -> Mode:
    """The mode in use: "sandbox" (default, no account or device needed) or "live"."""
    load_env()
    value = os.environ.get("ATA_MODE", "").strip().lower() or "sandbox"
    if value not in ("sandbox", "live"):
        raise ConfigurationError(
            f"ATA_MODE is {value!r}; set it to 'sandbox' (the default) or 'live'."
        )
    return value  # type: ignore[return-value]


def sandbox_dir() -> Path:
    """Folder holding the sandbox state: ATA_SANDBOX_DIR, else `.sandbox/` at the project root."""
    load_env()
    configured = os.environ.get("ATA_SANDBOX_DIR")
    if configured:
        folder = Path(configured).expanduser()
    else:
        root = project_root()
        folder = (root / ".sandbox") if root else Path.home() / ".ata-helpers" / "sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


@dataclass(frozen=True)
class TwilioCredentials:
    """What the Twilio client authenticates with; `repr` never shows the secret."""

    account_sid: str
    username: str
    password: str
    kind: Literal["auth-token", "api-key", "sandbox"]

    def __repr__(self) -> str:
        return (f"TwilioCredentials(account_sid={self.account_sid!r}, username={self.username!r}, "
                f"password={MASK!r}, kind={self.kind!r})")


def twilio_credentials(current_mode: Mode | None = None) -> TwilioCredentials:
    """Credentials for the mode: the sandbox's fixed test account, or the live variables."""
    current_mode = current_mode or mode()
    if current_mode == "sandbox":
        return TwilioCredentials(SANDBOX_ACCOUNT_SID, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, "sandbox")
    load_env()
    sid = os.environ.get("TWILIO_ACCOUNT_SID", "").strip()
    token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip()
    key = os.environ.get("TWILIO_API_KEY", "").strip()
    secret = os.environ.get("TWILIO_API_SECRET", "").strip()
    if sid and key and secret:
        return TwilioCredentials(sid, key, secret, "api-key")
    if sid and token:
        return TwilioCredentials(sid, sid, token, "auth-token")
    raise ConfigurationError(
        "Live mode needs Twilio credentials: set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN "
        "(or TWILIO_API_KEY and TWILIO_API_SECRET) in the environment or in .env."
    )


def device_settings() -> tuple[str, str]:
    """Live device address and admin password from ATA_HOST and ATA_ADMIN_PASSWORD."""
    load_env()
    host = os.environ.get("ATA_HOST", "").strip()
    password = os.environ.get("ATA_ADMIN_PASSWORD", "")
    if not host or not password:
        raise ConfigurationError(
            "Live mode needs the ATA's address and admin password: set ATA_HOST "
            "(e.g. 192.168.1.50) and ATA_ADMIN_PASSWORD in the environment or in .env."
        )
    return host, password


def mask(value: str | None, keep: int = 0) -> str:
    """A secret as shown to people: `••••`, optionally keeping the last `keep` characters."""
    if not value:
        return ""
    if keep and len(value) > keep * 3:
        return MASK + value[-keep:]
    return MASK


def _known_secrets(extra: Iterable[str] = ()) -> list[str]:
    values = [os.environ.get(name, "") for name in _SECRET_NAMES]
    values.append(SANDBOX_AUTH_TOKEN)
    values.extend(_REMEMBERED)
    values.extend(extra)
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


# key=value, "key": "value" and <P34>value</P34> forms only (not prose such as "password: set …").
_PASSWORD_FIELD = re.compile(
    r"""(?ix)
    (?P<xml><(?P<tag>P2|P34|P734|password|secret|token)>)(?P<xv>[^<]*)(?=</(?P=tag)>)
    | (?P<key>\b(?:password|passwd|secret|token|auth_token|api_secret|P2|P34|P734)
         (?:["']?\s*[:=]\s*["']|=))(?P<kv>[^"'\s]+)
    """
)
_REMEMBERED: set[str] = set()


def redact(value: object, extra: Iterable[str] = ()) -> str:
    """`str(value)` with every known secret replaced by `••••` (alias of redact_text)."""
    return redact_text(str(value), extra)


def redact_text(text: str, extra: Iterable[str] = ()) -> str:
    """Replace known secret values and `password=…`-style fields in text with `••••`."""
    for secret in _known_secrets(extra):
        text = text.replace(secret, MASK)
    return _PASSWORD_FIELD.sub(lambda m: (m.group("xml") or m.group("key")) + MASK, text)


def remember_secret(value: str) -> None:
    """Add a secret typed at a prompt or in a form, so redact_text masks it from now on."""
    if value and len(value) >= 4:
        _REMEMBERED.add(value)


def write_private_file(path: Path, text: str) -> Path:
    """Write `text` to `path` readable by the owner only (0600) from its first byte.

    The content goes to a new 0600 file in the same folder that then replaces `path`, so an
    existing file with wider permissions (or a symlink) never holds the secret.
    """
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_env_file(values: dict[str, str], path: Path | None = None) -> Path:
    """Write or update KEY=value lines in `.env` with 0600 permissions; returns the path."""
    root = project_root() or Path.cwd()
    path = path or root / ".env"
    lines: list[str] = []
    seen: set[str] = set()
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            key = line.split("=", 1)[0].strip()
            if key in values:
                lines.append(f"{key}={values[key]}")
                seen.add(key)
            else:
                lines.append(line)
    lines += [f"{k}={v}" for k, v in values.items() if k not in seen]
    write_private_file(path, "\n".join(lines) + "\n")
    for key, value in values.items():
        os.environ[key] = value
    return path
