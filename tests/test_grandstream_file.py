"""The cfg<mac>.xml provisioning file: MAC spellings, XML shape and escaping, round trip, 0600."""

from __future__ import annotations

import stat
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ata_helpers.errors import ValidationError
from ata_helpers.grandstream import (
    FxsPort,
    HT80xConfig,
    config_filename,
    normalize_mac,
    parse_config_xml,
)


@pytest.mark.parametrize("spelling", ["00:0B:82:12:34:56", "00-0b-82-12-34-56", "000b82123456",
                                      "000B.8212.3456", " 00:0b:82:12:34:56 \n", "000B82123456"])
def test_common_mac_spellings_normalise_to_12_lowercase_hex(spelling: str) -> None:
    assert normalize_mac(spelling) == "000b82123456"


@pytest.mark.parametrize("bad", ["", "00:0B:82:12:34", "00:0B:82:12:34:56:78", "00:0B:82-12:34:56",
                                 "g0:0b:82:12:34:56", "000b8212345", "00 0b 82 12 34 56",
                                 "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", None])
def test_anything_else_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_mac(bad)  # type: ignore[arg-type]
    assert info.value.field == "mac"


def config(**port: object) -> HT80xConfig:
    fields = {"user_id": "+14155550100", "password": "Secret123456", "display_name": "Tom & <Jerry> \"Q\""}
    fields.update(port)
    return HT80xConfig(model="HT801", sip_server="example.sip.twilio.com", ports=[FxsPort(**fields)])


def test_filename_is_cfg_plus_lowercase_mac() -> None:
    assert config().filename("00:0B:82:AB:CD:EF") == "cfg000b82abcdef.xml"
    assert config_filename("C0-74-AD-27-3A-10") == "cfgc074ad273a10.xml"


def test_xml_has_the_gs_provision_shape_and_escapes_values() -> None:
    text = config().to_xml(mac="00:0B:82:12:34:56")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<gs_provision version="1">')
    assert "<P3>Tom &amp; &lt;Jerry&gt; \"Q\"</P3>" in text
    root = ElementTree.fromstring(text)
    assert root.tag == "gs_provision" and root.get("version") == "1"
    assert root.find("mac").text == "000b82123456"  # type: ignore[union-attr]
    body = root.find("config")
    assert body is not None and body.get("version") == "1"
    assert body.find("P35").text == "+14155550100"  # type: ignore[union-attr]
    assert body.find("P3").text == 'Tom & <Jerry> "Q"'  # type: ignore[union-attr]
    assert body.find("P34").text == "Secret123456"  # type: ignore[union-attr]


def test_xml_without_mac_leaves_the_element_out() -> None:
    assert "<mac>" not in config().to_xml()


def test_xml_refuses_a_bad_mac() -> None:
    with pytest.raises(ValidationError, match="not a MAC address"):
        config().to_xml(mac="not-a-mac")


def test_preview_masks_every_password() -> None:
    cfg = HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                      ports=[FxsPort(user_id="a", password="Secret123456"),
                             FxsPort(user_id="b", password="Other1234567")])
    preview = cfg.preview(mac="000b82123456")
    assert "Secret123456" not in preview and "Other1234567" not in preview
    assert "<P34>••••</P34>" in preview and "<P734>••••</P734>" in preview
    assert "<P35>a</P35>" in preview


@pytest.mark.parametrize("cfg", [
    config(),
    config(password=""),
    config(nat_traversal="upnp", transport="TLS", use_nat_ip="203.0.113.7", outbound_proxy="proxy.example.com:5070",
           vocoders=["G.722", "OPUS"], dtmf_methods=["SIP INFO"], dial_plan_prefix="*#+", contact_uses_wan=False),
    HT80xConfig(model="HT802", sip_server="x.sip.ashburn.twilio.com", stun_server="stun.example.com:3478",
                keep_alive_interval=30,
                ports=[FxsPort(user_id="a", auth_id="auth-a", password="P&ss<w>rd'1"),
                       FxsPort(account_active=False, registration=False)]),
])
def test_xml_round_trips(cfg: HT80xConfig) -> None:
    text = cfg.to_xml(mac="00:0b:82:12:34:56")
    assert HT80xConfig.from_xml(text, model=cfg.model) == cfg
    mac, values = parse_config_xml(text)
    assert mac == "000b82123456" and values == cfg.to_pvalues()


def test_from_xml_infers_the_model_from_port_two_values() -> None:
    cfg = HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                      ports=[FxsPort(user_id="a"), FxsPort(user_id="b")])
    assert HT80xConfig.from_xml(cfg.to_xml()).model == "HT802"
    assert HT80xConfig.from_xml(config().to_xml()).model == "HT801"


@pytest.mark.parametrize("text, message", [
    ("<gs_provision", "not well-formed"),
    ("<provision><config/></provision>", "expected <gs_provision>"),
    ('<gs_provision version="1"></gs_provision>', "no <config>"),
    ('<gs_provision version="1"><config version="2"><item/></config></gs_provision>', "alias format"),
    ('<gs_provision version="1"><config version="1"><Server>x</Server></config></gs_provision>', "not a P-value"),
    ('<gs_provision version="1"><mac>zz</mac><config version="1"/></gs_provision>', "not a MAC"),
])
def test_bad_files_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_config_xml(text)


def test_save_writes_0600_with_the_device_file_name(tmp_path: Path) -> None:
    path = config().save(str(tmp_path / "prov"), "00:0B:82:12:34:56")
    assert path.name == "cfg000b82123456.xml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert HT80xConfig.from_xml(path.read_text("utf-8")) == config()


def test_save_tightens_an_existing_world_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "cfg000b82123456.xml"
    target.write_text("old")
    target.chmod(0o644)
    config().save(str(tmp_path), "000b82123456")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
