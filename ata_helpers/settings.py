"""Mode, credentials, the state folder and secret redaction: the one place the environment is read.

`ATA_MODE` chooses sandbox (default) or live. An optional `.env` file at the project root (or
found upward from the working directory) fills in variables that are not already set, so an
explicit environment variable always wins.

This module, the two client factories (`twilio_client()`, `ht80x_device()`) and the UI's safety
prompts are the only code that asks which mode is in use. In the sandbox the environment reads as
if a `.env` described the sandbox's own line (`SANDBOX_LINE`), so the rest of the library reads
`line_env()`, `sip_password_env()` and `state_dir()` without knowing the mode.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

from .errors import ConfigurationError, ValidationError

__all__ = [
    "Mode",
    "TwilioCredentials",
    "mode",
    "project_root",
    "sandbox_dir",
    "state_dir",
    "state_description",
    "describe",
    "line_env",
    "sip_password_env",
    "LINE_VARIABLES",
    "SANDBOX_LINE",
    "SANDBOX_SIP_PASSWORD",
    "load_env",
    "twilio_credentials",
    "device_settings",
    "mask",
    "redact",
    "redact_text",
    "remember_secret",
    "write_env_file",
    "write_private_file",
    "output_file",
    "SANDBOX_ACCOUNT_SID",
    "SANDBOX_AUTH_TOKEN",
    "MASK",
]

Mode = Literal["sandbox", "live"]

MASK = "••••"
SANDBOX_ACCOUNT_SID = "AC5a4db0c5a4db0c5a4db0c5a4db0c0001"
SANDBOX_AUTH_TOKEN = "5a4db0c0ffee5a4db0c0ffee5a4db0c0"

# The line's inputs as environment variables (what a learner puts in .env for live mode).
LINE_VARIABLES = ("ATA_DOMAIN_LABEL", "ATA_SIP_USERNAME", "ATA_CALLER_ID", "ATA_PHONE_NUMBER", "ATA_EDGE",
                  "ATA_PUBLIC_IP")
# The sandbox's line: its numbers are the twin's, its public IP the simulated router's (203.0.113.7,
# a documentation address, RFC 5737). In the sandbox these replace the ATA_* variables above.
SANDBOX_LINE: dict[str, str] = {
    "ATA_DOMAIN_LABEL": "my-ht801",
    "ATA_SIP_USERNAME": "ht801",
    "ATA_CALLER_ID": "+14155550100",
    "ATA_PHONE_NUMBER": "+14155550100",
    "ATA_EDGE": "ashburn",  # twilio_ranges.DEFAULT_EDGE, Twilio's current name for the story's us1
    "ATA_PUBLIC_IP": "203.0.113.7",
}
# The sandbox's demo SIP password: not a secret (the sandbox has no account), but masked like one.
SANDBOX_SIP_PASSWORD = "Sandbox-HT801-line1"

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
    """Load `.env` once (project root first, else upward from cwd); never overrides set variables.

    Values are taken literally (no `${VAR}` expansion), so a password holding `$` reads back as written.
    """
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

        load_dotenv(resolved, override=False, interpolate=False)
        _ENV_LOADED.add(resolved)
    return resolved


def mode() -> Mode:
    """The mode in use: "sandbox" (default, no account or device needed) or "live".

    Read from ATA_MODE (the environment, then `.env`). Raises ConfigurationError for any other value.
    """
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


def state_dir() -> Path:
    """The folder where the course keeps its state between notebooks (saved inputs, alarms, captures).

    Sandbox: the sandbox folder (`sandbox_dir()`), so a sandbox reset forgets it too. Live:
    `generated/` at the project root (git-ignored), else `~/.ata-helpers/`. Created when missing.
    """
    if mode() == "sandbox":
        return sandbox_dir()
    root = project_root()
    folder = (root / "generated") if root else Path.home() / ".ata-helpers"
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def state_description() -> str:
    """Where state_dir() is, in words that stay the same from run to run (no absolute path)."""
    load_env()
    if mode() == "sandbox":
        return "ATA_SANDBOX_DIR" if os.environ.get("ATA_SANDBOX_DIR") else ".sandbox/ (project root)"
    return "generated/ (project root)" if project_root() else "~/.ata-helpers/"


def line_env() -> dict[str, str]:
    """The line's ATA_* variables (LINE_VARIABLES) that have a value, name -> value.

    In the sandbox, the sandbox's own line (SANDBOX_LINE), whatever the environment says: its
    numbers are the only ones the twin owns. Live: the environment, after `.env`.
    """
    if mode() == "sandbox":
        return dict(SANDBOX_LINE)
    values = {name: os.environ.get(name, "").strip() for name in LINE_VARIABLES}
    return {name: value for name, value in values.items() if value}


def sip_password_env() -> str:
    """ATA_SIP_PASSWORD (environment or `.env`); unset, the sandbox's demo password in the sandbox, else ""."""
    load_env()
    value = os.environ.get("ATA_SIP_PASSWORD", "")
    if not value and mode() == "sandbox":
        return SANDBOX_SIP_PASSWORD
    return value


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


def describe() -> list[tuple[str, str, str]]:
    """The settings in rows of (item, value, status "ok"/"fail"): mode, state folder, Twilio account
    and credentials kind. No secret and no absolute path appears; missing credentials are a "fail" row."""
    rows = [("mode", mode(), "ok"), ("state folder", state_description(), "ok")]
    state_dir()  # made now, so a folder that cannot be created shows up here
    try:
        creds = twilio_credentials()
    except ConfigurationError as exc:
        return rows + [("Twilio credentials", str(exc), "fail")]
    return rows + [("Twilio account", creds.account_sid[:6] + "…" + creds.account_sid[-4:], "ok"),
                   ("Twilio credentials", f"{creds.kind} (secret hidden)", "ok")]


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


# The forms a secret takes in text, never prose ("wrong admin password: set …" stays): key=value
# (also KEY = value and env names such as ATA_SIP_PASSWORD=…), "key": "value", a `key: value` line
# holding one token (YAML, .env-like; `!secret name` references stay), <P34>value</P34>, and the
# password of a SIP URI's userinfo (sip:user:password@host, RFC 3261 §19.1.1, NOT RECOMMENDED).
_SECRET_KEY = r"(?<![A-Za-z0-9])(?:[A-Za-z0-9]+_)*(?:password|passwd|pass|pwd|pw|secret|token|auth_token|api_secret|P2|P34|P734)"
_PASSWORD_FIELD = re.compile(
    rf"""(?ix)
    (?P<xml><(?P<tag>P2|P34|P734|password|secret|token)>)(?P<xv>[^<]*)(?=</(?P=tag)>)
    | (?P<key>{_SECRET_KEY}(?:["']?\s*[:=]\s*["']|=|[ \t]+=[ \t]*))(?P<kv>[^"'\s]+)
    | (?m:(?P<line>^[ \t]*(?:-[ \t]*)?{_SECRET_KEY}:[ \t]+)(?!!secret\b)(?P<lv>[^\s"']+)(?=[ \t]*$))
    | (?P<uri>\bsips?:[^:@\s;<>"]+:)(?P<uv>[^@\s;<>"]+)(?=@)
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
    return _PASSWORD_FIELD.sub(lambda m: (m.group("xml") or m.group("key") or m.group("line") or m.group("uri")) + MASK,
                               text)


def remember_secret(value: str) -> None:
    """Add a secret typed at a prompt or in a form, so redact_text masks it from now on."""
    if value and len(value) >= 4:
        _REMEMBERED.add(value)


def output_file(path: "str | Path", field: str = "path") -> Path:
    """`path` as a file to write, checked before any work: ValidationError for an empty name or a folder."""
    if not str(path).strip():
        raise ValidationError(field, "a file name to write (got an empty one)", path)
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(field, f"a file name, not the folder {target} (e.g. {target / 'line.html'})", path)
    return target


def write_private_file(path: Path, text: str) -> Path:
    """Write `text` to `path` readable by the owner only (0600) from its first byte.

    The content goes to a new 0600 file in the same folder that then replaces `path`, so an
    existing file with wider permissions (or a symlink) never holds the secret. Raises
    ValidationError when `path` is empty or a folder (see output_file).
    """
    import tempfile

    path = output_file(path)
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


def _env_line(key: str, value: str) -> str:
    """`KEY='value'` as python-dotenv's own `set_key` quotes it (single quotes, `'` escaped), which its
    parser reads back exactly. Line breaks and other control characters are refused: in a `.env` file
    they would start new lines, that is new variables."""
    from .validate import validate_text

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise ValidationError("key", "a variable name: letters, digits and '_', not starting with a digit", key)
    validate_text(value, key)
    return f"{key}='" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_env_file(values: dict[str, str], path: Path | None = None) -> Path:
    """Write or update KEY='value' lines in `.env` with 0600 permissions; returns the path.

    Values are quoted; a value with a line break or another control character raises ValidationError
    before anything is written (the message never holds the value)."""
    root = project_root() or Path.cwd()
    path = path or root / ".env"
    try:
        new = {key: _env_line(key, str(value)) for key, value in values.items()}
    except ValidationError as exc:
        raise ValidationError(exc.field, exc.rule) from None  # no value in the error: it may be a secret
    lines: list[str] = []
    seen: set[str] = set()
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            key = line.split("=", 1)[0].strip()
            if key in values:
                lines.append(new[key])
                seen.add(key)
            else:
                lines.append(line)
    lines += [new[k] for k in values if k not in seen]
    write_private_file(path, "\n".join(lines) + "\n")
    for key, value in values.items():
        os.environ[key] = value
    return path
