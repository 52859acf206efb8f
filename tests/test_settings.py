"""Mode, credentials, .env loading and redaction."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ata_helpers import settings
from ata_helpers.errors import ConfigurationError


def test_default_mode_is_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATA_MODE", raising=False)
    assert settings.mode() == "sandbox"


def test_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "mock")
    with pytest.raises(ConfigurationError, match="'sandbox'"):
        settings.mode()


def test_live_without_credentials_names_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    with pytest.raises(ConfigurationError) as info:
        settings.twilio_credentials()
    message = str(info.value)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        assert name in message
    assert message.endswith(".") and message.count(". ") == 0  # one sentence


def test_live_credentials_prefer_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    assert settings.twilio_credentials().kind == "auth-token"
    monkeypatch.setenv("TWILIO_API_KEY", "SK" + "2" * 32)
    monkeypatch.setenv("TWILIO_API_SECRET", "s" * 32)
    creds = settings.twilio_credentials()
    assert (creds.kind, creds.username, creds.account_sid) == ("api-key", "SK" + "2" * 32, "AC" + "1" * 32)
    assert "s" * 32 not in repr(creds)


def test_sandbox_credentials_are_the_fixed_test_account() -> None:
    creds = settings.twilio_credentials("sandbox")
    assert creds.account_sid == settings.SANDBOX_ACCOUNT_SID
    assert creds.account_sid.startswith("AC") and len(creds.account_sid) == 34
    assert settings.SANDBOX_AUTH_TOKEN not in repr(creds)


def test_env_file_loads_but_never_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "x.env"
    env.write_text("ATA_TEST_ONLY_FROM_FILE=file\nATA_TEST_BOTH=file\n")
    monkeypatch.setenv("ATA_TEST_BOTH", "explicit")
    monkeypatch.delenv("ATA_TEST_ONLY_FROM_FILE", raising=False)
    settings.load_env(env)
    try:
        assert os.environ["ATA_TEST_ONLY_FROM_FILE"] == "file"
        assert os.environ["ATA_TEST_BOTH"] == "explicit"
    finally:
        os.environ.pop("ATA_TEST_ONLY_FROM_FILE", None)


def test_write_env_file_is_0600_and_updates_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / ".env"
    path.write_text("KEEP=1\nTWILIO_AUTH_TOKEN=old\n")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "x")
    settings.write_env_file({"TWILIO_AUTH_TOKEN": "new-token-value", "ATA_MODE": "sandbox"}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().splitlines() == ["KEEP=1", "TWILIO_AUTH_TOKEN='new-token-value'", "ATA_MODE='sandbox'"]


def test_redaction_hides_known_secrets_and_password_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "abcdef0123456789abcdef0123456789")
    text = "token abcdef0123456789abcdef0123456789 password=Hunter2Secret <P34>SipPass123</P34>"
    cleaned = settings.redact_text(text)
    assert "abcdef0123456789" not in cleaned and "Hunter2Secret" not in cleaned and "SipPass123" not in cleaned
    assert cleaned.count(settings.MASK) == 3
    assert settings.redact_text("nothing secret here") == "nothing secret here"


def test_mask() -> None:
    assert settings.mask("secret") == settings.MASK
    assert settings.mask("") == ""
    assert settings.mask("AC0123456789abcdef", keep=4) == settings.MASK + "cdef"


def test_sandbox_dir_follows_the_variable(sandbox_env: Path) -> None:
    assert settings.sandbox_dir() == sandbox_env.resolve()


def test_state_dir_is_the_sandbox_folder_or_generated(sandbox_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    assert settings.state_dir() == sandbox_env.resolve()
    assert settings.state_description() == "ATA_SANDBOX_DIR"
    monkeypatch.setenv("ATA_MODE", "live")
    monkeypatch.setattr(settings, "project_root", lambda start=None: tmp_path)
    assert settings.state_dir() == (tmp_path / "generated").resolve() and (tmp_path / "generated").is_dir()
    assert settings.state_description() == "generated/ (project root)"


def test_the_sandbox_line_stands_in_for_the_line_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATA_DOMAIN_LABEL", "joes-line")
    monkeypatch.setenv("ATA_CALLER_ID", "+15125550000")
    monkeypatch.delenv("ATA_SIP_PASSWORD", raising=False)
    assert settings.line_env() == settings.SANDBOX_LINE  # the twin owns only its own numbers
    assert settings.sip_password_env() == settings.SANDBOX_SIP_PASSWORD
    monkeypatch.setenv("ATA_SIP_PASSWORD", "From-The-Env-42")
    assert settings.sip_password_env() == "From-The-Env-42"
    monkeypatch.setenv("ATA_MODE", "live")
    assert settings.line_env() == {"ATA_DOMAIN_LABEL": "joes-line", "ATA_CALLER_ID": "+15125550000"}
    monkeypatch.delenv("ATA_SIP_PASSWORD")
    assert settings.sip_password_env() == ""


def test_describe_shows_no_secret_and_no_path(sandbox_env: Path) -> None:
    rows = {item: (value, status) for item, value, status in settings.describe()}
    assert rows["mode"] == ("sandbox", "ok") and rows["Twilio credentials"] == ("sandbox (secret hidden)", "ok")
    assert settings.SANDBOX_AUTH_TOKEN not in str(rows) and str(sandbox_env) not in str(rows)


def test_redaction_masks_whole_values_and_leaves_prose(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.redact_text("password=Abc,Defgh12345") == f"password={settings.MASK}"
    assert settings.redact_text('{"password": "Hunter2,x"}') == f'{{"password": "{settings.MASK}"}}'
    assert settings.redact_text("<P34>Abc,d&amp;e</P34>") == f"<P34>{settings.MASK}</P34>"
    prose = "wrong admin password: set ATA_HOST and ATA_ADMIN_PASSWORD"
    assert settings.redact_text(prose) == prose


def test_remembered_secrets_are_masked() -> None:
    settings.remember_secret("Typed-At-Prompt-99")
    assert settings.redact_text("value Typed-At-Prompt-99 here") == f"value {settings.MASK} here"


def test_private_file_replaces_a_wider_file(tmp_path: Path) -> None:
    folder = tmp_path / "generated"
    folder.mkdir()
    path = folder / "cfg.xml"
    path.write_text("old")
    path.chmod(0o644)
    settings.write_private_file(path, "secret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "secret"
    assert [p.name for p in folder.iterdir()] == ["cfg.xml"]


@pytest.mark.parametrize("text, masked", [
    ("ATA_SIP_PASSWORD=hunter2", "ATA_SIP_PASSWORD=••••"),       # a .env line: the env name before PASSWORD
    ("TWILIO_AUTH_TOKEN=abc", "TWILIO_AUTH_TOKEN=••••"),
    ("auth user= pass=abc", "auth user= pass=••••"),              # short key names
    ("pwd=abc pw=xyz", "pwd=•••• pw=••••"),
    ("password = hunter2", "password = ••••"),
    ("password: hunter2", "password: ••••"),                      # a YAML-like line of one token
    ("  - api_secret: s3cr3t\n", "  - api_secret: ••••\n"),
    ("sip:ht801:Secret99@example.sip.twilio.com", "sip:ht801:••••@example.sip.twilio.com"),
])
def test_redaction_masks_the_forms_secrets_take_in_files_and_uris(text: str, masked: str) -> None:
    assert settings.redact_text(text) == masked.replace("••••", settings.MASK)


@pytest.mark.parametrize("text", [
    "password: must be printable ASCII without spaces",           # prose after a colon
    "    password: !secret twilio_auth_token",                    # Home Assistant's reference, not a value
    "sip:+14155550100@my-ht801.sip.twilio.com:5060", "sips:ht801@[2001:db8::1]:5061",
    "next_page_uri=/x?PageToken=PA1&Page=1", "compass=north bypass=1",
])
def test_redaction_leaves_what_is_not_a_secret(text: str) -> None:
    assert settings.redact_text(text) == text
