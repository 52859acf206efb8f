"""Each validator: accepted forms come back canonical, each broken rule names its field and rule."""

from __future__ import annotations

import pytest

from ata_helpers.errors import TwilioDeprecationWarning, ValidationError
from ata_helpers.validate import (
    canonical_edge,
    domain_name_for,
    parse_sip_uri,
    password_problems,
    validate_bin_url,
    validate_domain_label,
    validate_domain_name,
    validate_e164,
    validate_edge,
    validate_friendly_name,
    validate_global_sip_uri,
    validate_public_ip,
    validate_sip_password,
    validate_sip_uri,
    validate_sip_username,
    validate_voice_method,
)


def _rule(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("given, expected", [("+14155550100", "+14155550100"),
                                             ("+1 (415) 555-0100", "+14155550100"),
                                             ("+44 20 7946 0000", "+442079460000")])
def test_e164_accepts_and_normalises(given: str, expected: str) -> None:
    assert validate_e164(given) == expected


@pytest.mark.parametrize("given, words", [("", "required"), ("4155550100", "starts with +"),
                                          ("+0415555", "first not 0"), ("+1234567890123456", "15 digits"),
                                          ("+1415abc", "digits")])
def test_e164_rules(given: str, words: str) -> None:
    error = _rule(validate_e164, given, "caller_id")
    assert error.field == "caller_id" and words in error.rule
    assert isinstance(error, ValueError)


def test_domain_label_and_name() -> None:
    assert validate_domain_label("My-HT801") == "my-ht801"
    assert validate_domain_label("my-ht801.sip.twilio.com") == "my-ht801"
    assert domain_name_for("line1") == "line1.sip.twilio.com"
    assert validate_domain_name("Line1.SIP.twilio.com") == "line1.sip.twilio.com"


@pytest.mark.parametrize("given, words", [("", "required"), ("-bad", "not starting or ending"),
                                          ("bad-", "not starting or ending"), ("under_score", "letters, digits"),
                                          ("a" * 64, "63"), ("my.line", "without dots")])
def test_domain_label_rules(given: str, words: str) -> None:
    error = _rule(validate_domain_label, given)
    assert error.field == "domain_label" and words in error.rule


def test_domain_name_rules() -> None:
    assert "end in .sip.twilio.com" in _rule(validate_domain_name, "line.example.com").rule
    edge = _rule(validate_domain_name, "line.sip.us1.twilio.com")
    assert "edge-specific" in edge.rule and ".us1" in edge.rule


def test_username_rules() -> None:
    assert validate_sip_username(" ht801 ") == "ht801"
    assert validate_sip_username("+14155550100") == "+14155550100"
    assert "32" in _rule(validate_sip_username, "u" * 33).rule
    assert "letters, digits" in _rule(validate_sip_username, "has space").rule
    assert "required" in _rule(validate_sip_username, "").rule


@pytest.mark.parametrize("password, missing", [("Short1a", "at least 12 characters"),
                                               ("alllowercase123", "an upper-case letter"),
                                               ("ALLUPPERCASE123", "a lower-case letter"),
                                               ("NoDigitsAtAllHere", "a digit")])
def test_password_policy(password: str, missing: str) -> None:
    assert missing in password_problems(password)
    error = _rule(validate_sip_password, password)
    assert error.field == "password" and missing in error.rule
    assert password not in str(error) and error.value is None


def test_password_ok_and_spaces() -> None:
    assert validate_sip_password("Sandbox-HT801-line1") == "Sandbox-HT801-line1"
    assert "spaces" in _rule(validate_sip_password, " Sandbox-HT801-line1").rule
    assert "required" in _rule(validate_sip_password, "").rule


@pytest.mark.parametrize("given, expected", [("8.8.8.8", ("8.8.8.8", 32)),
                                             ("203.0.113.10", ("203.0.113.10", 32)),
                                             ("198.51.100.0/24", ("198.51.100.0", 24))])
def test_public_ip_accepts(given: str, expected: tuple[str, int]) -> None:
    assert validate_public_ip(given) == expected


@pytest.mark.parametrize("given, words", [("192.168.1.20", "LAN addresses"), ("10.0.0.1", "LAN addresses"),
                                          ("100.64.1.1", "carrier-grade NAT"), ("127.0.0.1", "loopback"),
                                          ("2001:db8::1", "IPv4"), ("8.8.8.8/4", "prefix of 8 to 32"),
                                          ("8.8.8.9/24", "host bits"), ("", "required"),
                                          ("300.1.1.1", "IPv4")])
def test_public_ip_rules(given: str, words: str) -> None:
    error = _rule(validate_public_ip, given)
    assert error.field == "public_ip" and words in error.rule


def test_edges() -> None:
    assert validate_edge("US1") == "us1"
    assert validate_edge("sao-paulo") == "sao-paulo"
    assert canonical_edge("ie1") == "dublin"
    error = _rule(validate_edge, "mars")
    assert error.field == "edge" and "ashburn" in error.rule and "us1" in error.rule


def test_global_sip_uri() -> None:
    assert validate_global_sip_uri("sip:ht801@My-HT801.sip.twilio.com") == "sip:ht801@my-ht801.sip.twilio.com"
    assert "32220" in _rule(validate_global_sip_uri, "sip:ht801@line.sip.ashburn.twilio.com").rule
    assert "32223" in _rule(validate_global_sip_uri, "sip:line.sip.twilio.com").rule
    assert "sip:USER@HOST" in _rule(validate_global_sip_uri, "ht801@line.sip.twilio.com").rule
    assert "not a Twilio edge" in _rule(validate_global_sip_uri, "sip:ht801@line.sip.mars.twilio.com").rule


@pytest.mark.parametrize("edge", ["ashburn", "ie1", "dublin-ix", "us2", "ashburn-ix", "au1-ix"])
def test_every_edge_but_us1_is_32220(edge: str) -> None:
    rule = _rule(validate_global_sip_uri, f"sip:ht801@line.sip.{edge}.twilio.com").rule
    assert "32220" in rule and "sip:ht801@line.sip.twilio.com" in rule and f"'.{edge}'" in rule


@pytest.mark.parametrize("edge", ["us1", "US1-IX"])
def test_us1_is_accepted_with_a_deprecation_warning(edge: str) -> None:
    with pytest.warns(TwilioDeprecationWarning, match="global sip:ht801@line.sip.twilio.com"):
        assert validate_global_sip_uri(f"sip:ht801@line.sip.{edge}.twilio.com") == \
            f"sip:ht801@line.sip.{edge.lower()}.twilio.com"


def test_parse_sip_uri_parts() -> None:
    uri = parse_sip_uri("SIP:+14158675309@Your.Domain:5080;transport=TLS;lr?X-customName=Bob%2C&X-other=true")
    assert (uri.scheme, uri.user, uri.host, uri.port) == ("sip", "+14158675309", "your.domain", 5080)
    assert uri.params == (("transport", "TLS"), ("lr", None)) and uri.param("TRANSPORT") == "TLS"
    assert uri.headers == (("X-customName", "Bob%2C"), ("X-other", "true"))
    assert uri.text == "sip:+14158675309@your.domain:5080;transport=TLS;lr?X-customName=Bob%2C&X-other=true"
    assert parse_sip_uri("sips:jack@[2001:db8::1]").host == "[2001:db8::1]"


@pytest.mark.parametrize("given, words", [
    ("sip:jack@example.com;transport=sctp", "udp, tcp or tls"),
    ("sip:jack@example.com;region=eu", "us1, us2"),
    ("sip:jack@" + "a" * 250 + ".com", "under 255 characters"),
    ("sip:jack@example.com?X-A=" + "b" * 1100, "under 1024 characters"),
    ("sip:jack@example.com?X-A", "name=value"),
    ("sip:jack@example.com;;lr", "empty URI parameter"),
    ("sip:jack@exa_mple.com", "not a host name"),
    ("sip:jack@example.com:70000", "1 to 65535"),
    ("jack@example.com", "sip:USER@HOST"),
])
def test_sip_uri_rules(given: str, words: str) -> None:
    assert words in _rule(validate_sip_uri, given).rule


def test_sip_uri_accepts_what_twilio_documents() -> None:
    for uri in ("sip:jack@example.com", "sip:alice@example.com;region=ie1", "sip:jack@example.com;transport=tcp",
                "sip:jack@example.com?x-myotherheader=bar", "sip:michael@example.com?mycustomheader=foo&myotherheader=bar",
                "sip:+14158675309@your.domain?X-customName=Bob%2CShield%2BTitle%2DManager&X-otherHeader=true"):
        assert validate_sip_uri(uri) == uri


def test_voice_method_bin_url_friendly_name() -> None:
    assert validate_voice_method("post") == "POST"
    assert "GET or POST" in _rule(validate_voice_method, "PUT").rule
    url = "https://handler.twilio.com/twiml/EH" + "a" * 32
    assert validate_bin_url(url) == url
    assert "EH" in _rule(validate_bin_url, "https://handler.twilio.com/twiml/XX1").rule
    assert "required" in _rule(validate_bin_url, "").rule
    assert validate_friendly_name("x" * 64, 64) == "x" * 64
    assert "64" in _rule(validate_friendly_name, "x" * 65, 64).rule


@pytest.mark.parametrize("password, found", [("My Secret Pw12", "a space"),
                                             ("Pässwort-Gut-12", "outside printable ASCII"),
                                             ("Correct-Horse-7-\u00a0x", "outside printable ASCII")])
def test_a_password_the_ata_refuses_is_refused_before_the_credential(password: str, found: str) -> None:
    from ata_helpers.grandstream import FxsPort, SettingError

    assert password_problems(password) == []  # Twilio's credential would take it ...
    with pytest.raises(SettingError, match="printable ASCII without spaces"):
        FxsPort(user_id="ht801", password=password)  # ... the ATA would not
    error = _rule(validate_sip_password, password)
    assert "Authenticate Password (P34) takes printable ASCII without spaces" in error.rule
    assert found in error.rule and "Twilio's password policy" in error.rule
    assert password not in str(error) and error.value is None


def test_the_course_creates_no_credential_the_ata_refuses() -> None:
    import ata_helpers as ata
    from ata_helpers.provision.steps import ensure_credential

    client = ata.twilio_client()
    credential_list = client.sip.credential_lists.create(friendly_name="ata-course")
    with pytest.raises(ValidationError, match="both sides"):
        ensure_credential(client, credential_list.sid, "ht801", "My Secret Pw12")
    assert client.sip.credential_lists(credential_list.sid).credentials.list() == []
