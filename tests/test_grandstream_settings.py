"""HT80xConfig / FxsPort: P-values against the reference table, defaults, validation."""

from __future__ import annotations

import re

import pytest

import ata_helpers as ata
from ata_helpers.errors import ValidationError
from ata_helpers.grandstream import (
    DEVICE_SETTINGS,
    PORT_SETTINGS,
    FxsPort,
    HT80xConfig,
    SettingError,
)

# reference/grandstream.md §2.2: FXS1 / FXS2 P-value of each setting the tutorial writes
REFERENCE_PORT_TABLE = {
    "account_active": ("P271", "P401"),
    "sip_server": ("P47", "P747"),
    "outbound_proxy": ("P48", "P748"),
    "transport": ("P130", "P830"),
    "nat_traversal": ("P52", "P730"),
    "user_id": ("P35", "P735"),
    "auth_id": ("P36", "P736"),
    "password": ("P34", "P734"),
    "display_name": ("P3", "P703"),
    "registration": ("P31", "P731"),
    "register_expiration_min": ("P32", "P732"),
    "local_sip_port": ("P40", "P740"),
    "local_rtp_port": ("P39", "P739"),
    "random_sip_port": ("P20501", "P20502"),
    "random_rtp_port": ("P20505", "P20506"),
    "check_user_id_on_invite": ("P258", "P449"),
    "contact_uses_wan": ("P4437", "P4438"),
    "use_nat_ip": ("P101", "P866"),
    "dtmf_payload_type": ("P79", "P779"),
    "dial_plan_prefix": ("P66", "P766"),
}
REFERENCE_VOCODERS = (("P57", "P58", "P59", "P60", "P61", "P62", "P46", "P98"),
                      ("P757", "P758", "P759", "P760", "P761", "P762", "P814", "P815"))
REFERENCE_DTMF = (("P850", "P851", "P852"), ("P860", "P861", "P862"))


def two_port_config() -> HT80xConfig:
    return HT80xConfig(
        model="HT802", sip_server="example.sip.twilio.com",
        ports=[FxsPort(user_id="alice", password="Secret123456", display_name="Kitchen"),
               FxsPort(user_id="bob", auth_id="bob-auth", password="Other1234567", display_name="Hall",
                       nat_traversal="stun", transport="TCP", vocoders=["PCMA", "PCMU"])],
    )


def test_public_names_are_exported() -> None:
    assert ata.HT80xConfig is HT80xConfig and ata.FxsPort is FxsPort
    assert ata.normalize_mac("00:0B:82:12:34:56") == "000b82123456"


def test_ht802_two_ports_match_the_reference_table() -> None:
    values = two_port_config().to_pvalues()
    expected = {
        # port 1: the Twilio defaults
        "P47": "example.sip.twilio.com", "P271": "1", "P35": "alice", "P36": "alice", "P34": "Secret123456",
        "P3": "Kitchen", "P4437": "1", "P258": "1", "P66": "+", "P31": "1", "P32": "60", "P52": "2",
        "P101": "", "P130": "0", "P48": "", "P850": "101", "P851": "102", "P852": "100", "P79": "101",
        "P40": "5060", "P39": "5004", "P20501": "0", "P20505": "0",
        "P57": "0", "P58": "8", "P59": "4", "P60": "18", "P61": "2", "P62": "97", "P46": "123", "P98": "9",
        # port 2: its own P-values, with STUN, TCP and PCMA first
        "P747": "example.sip.twilio.com", "P401": "1", "P735": "bob", "P736": "bob-auth", "P734": "Other1234567",
        "P703": "Hall", "P4438": "1", "P449": "1", "P766": "+", "P731": "1", "P732": "60", "P730": "1",
        "P866": "", "P830": "1", "P748": "", "P860": "101", "P861": "102", "P862": "100", "P779": "101",
        "P740": "5062", "P739": "5012", "P20502": "0", "P20506": "0",
        "P757": "8", "P758": "0", "P759": "4", "P760": "18", "P761": "2", "P762": "97", "P814": "123", "P815": "9",
        # device-wide
        "P76": "", "P84": "20",
    }
    assert values == expected


def test_metadata_uses_the_reference_pvalues_for_both_ports() -> None:
    for name, (p1, p2) in REFERENCE_PORT_TABLE.items():
        info = PORT_SETTINGS.get(name) or DEVICE_SETTINGS[name]
        assert info.pvalues_for(1) == (p1,), name
        assert info.pvalues_for(2) == (p2,), name
    assert PORT_SETTINGS["vocoders"].pvalues == REFERENCE_VOCODERS
    assert PORT_SETTINGS["dtmf_methods"].pvalues == REFERENCE_DTMF


def test_every_setting_has_a_label_a_reason_and_distinct_pvalues() -> None:
    seen: list[str] = []
    for info in [*PORT_SETTINGS.values(), DEVICE_SETTINGS["sip_server"]]:
        assert info.label and info.why.endswith("."), info.name
        seen += [p for port in info.pvalues for p in port]
    assert len(seen) == len(set(seen))


def test_defaults_are_the_twilio_recommendations() -> None:
    port = FxsPort(user_id="alice")
    assert port.auth_id == "alice"
    assert (port.contact_uses_wan, port.check_user_id_on_invite, port.registration) == (True, True, True)
    assert port.dial_plan_prefix == "+" and port.nat_traversal == "keep-alive" and port.transport == "UDP"
    assert port.vocoders[0] == "PCMU" and len(port.vocoders) == 8
    assert (port.random_sip_port, port.random_rtp_port) == (False, False)
    assert port.use_nat_ip == "" and port.outbound_proxy == ""


def test_password_never_appears_in_repr_or_errors() -> None:
    config = two_port_config()
    assert "Secret123456" not in repr(config) and "••••" in repr(config)
    with pytest.raises(SettingError) as info:
        FxsPort(user_id="alice", password="has space inside")
    assert "has space inside" not in str(info.value) and info.value.value is None


def test_choices_are_case_insensitive_and_model_v2_suffix_accepted() -> None:
    config = HT80xConfig(model="ht802v2", sip_server="Example.SIP.twilio.com",
                         ports=[FxsPort(user_id="a", nat_traversal="Keep-Alive", transport="udp")])
    assert config.model == "HT802" and config.sip_server == "example.sip.twilio.com"
    assert config.ports[0].nat_traversal == "keep-alive" and config.ports[0].transport == "UDP"


@pytest.mark.parametrize("model, count, message", [
    ("HT801", 2, "an HT801 has one phone port"),
    ("HT802", 3, "an HT802 has two phone ports"),
    ("HT802", 0, "an HT802 has two phone ports"),
])
def test_port_count_is_checked_against_the_model(model: str, count: int, message: str) -> None:
    ports = [FxsPort(user_id=f"u{i}") for i in range(count)]
    with pytest.raises(SettingError, match=message) as info:
        HT80xConfig(model=model, sip_server="example.sip.twilio.com", ports=ports)
    assert info.value.field == "ports"


@pytest.mark.parametrize("model", ["HT812", "GXP1610", "", None, 802])
def test_unknown_models_are_refused(model: object) -> None:
    with pytest.raises(ValueError, match="model"):
        HT80xConfig(model=model, sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="a")])  # type: ignore[arg-type]


@pytest.mark.parametrize("field, value, rule", [
    ("register_expiration_min", 0, "from 1 to 64800"),
    ("register_expiration_min", 64801, "from 1 to 64800"),
    ("register_expiration_min", "soon", "whole number"),
    ("nat_traversal", "maybe", "must be one of no, stun, keep-alive"),
    ("transport", "SCTP", "must be one of UDP, TCP, TLS"),
    ("use_nat_ip", "203.0.113", "IPv4"),
    ("local_rtp_port", 5005, "even"),
    ("local_rtp_port", 80, "from 1024 to 65535"),
    ("local_sip_port", 70000, "from 1 to 65535"),
    ("dtmf_payload_type", 95, "from 96 to 127"),
    ("vocoders", ["PCMU", "GSM"], "must be one of PCMU"),
    ("vocoders", ["PCMU", "PCMU"], "twice"),
    ("vocoders", "PCMU", "list of names"),
    ("dtmf_methods", ["carrier pigeon"], "RFC2833"),
    ("user_id", "alice smith", "user part of a SIP address"),
    ("user_id", "alice@example.com", "user part of a SIP address"),
    ("auth_id", "a\nb", "control characters"),
    ("display_name", "line\nbreak", "control characters"),
    ("dial_plan_prefix", "abc", "0-9 + * #"),
    ("outbound_proxy", "http://proxy.example.com", "no scheme"),
    ("contact_uses_wan", "yes", "True or False"),
])
def test_bad_port_values_raise_value_errors_naming_the_field(field: str, value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=re.escape(rule)) as info:
        FxsPort(**{"user_id": "alice", field: value})
    assert isinstance(info.value, ValidationError)
    assert info.value.field == field
    assert field in str(info.value)


def test_errors_inside_a_config_name_the_port_and_pvalue() -> None:
    with pytest.raises(SettingError) as info:
        HT80xConfig(model="HT802", sip_server="example.sip.twilio.com",
                    ports=[FxsPort(user_id="a"), FxsPort(user_id="b", local_sip_port=5060)])
    assert info.value.port == 2 and "FXS port 2" in str(info.value) and "P740" in str(info.value)


def test_user_id_is_required_while_registering_but_not_for_an_unused_port() -> None:
    with pytest.raises(SettingError, match="user_id.*required"):
        FxsPort()
    assert FxsPort(account_active=False).user_id == ""


@pytest.mark.parametrize("server", ["", "sip:example.sip.twilio.com", "example .sip.twilio.com",
                                    "example.sip.twilio.com:99999", "-bad-.example.com"])
def test_bad_sip_servers_are_refused(server: str) -> None:
    with pytest.raises(SettingError) as info:
        HT80xConfig(sip_server=server, ports=[FxsPort(user_id="a")])
    assert info.value.field == "sip_server"


def test_server_with_port_and_ip_are_accepted() -> None:
    assert HT80xConfig(sip_server="example.sip.twilio.com:5060",
                       ports=[FxsPort(user_id="a")]).to_pvalues()["P47"] == "example.sip.twilio.com:5060"
    assert HT80xConfig(sip_server="192.0.2.10", ports=[FxsPort(user_id="a")]).sip_server == "192.0.2.10"


def test_an_empty_password_is_left_out_so_the_device_keeps_its_own() -> None:
    values = HT80xConfig(sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="a")]).to_pvalues()
    assert "P34" not in values and values["P35"] == "a"


def test_from_pvalues_round_trips_and_rejects_unknown_codes() -> None:
    config = two_port_config()
    assert HT80xConfig.from_pvalues(config.to_pvalues(), model="HT802") == config
    values = config.to_pvalues() | {"P52": "9"}
    with pytest.raises(SettingError, match="does not define") as info:
        HT80xConfig.from_pvalues(values)
    assert info.value.field == "nat_traversal" and info.value.port == 1


def test_settings_table_masks_the_password() -> None:
    rows = two_port_config().settings_table()
    password_rows = [r for r in rows if r["setting"] == "password"]
    assert [r["value"] for r in password_rows] == ["••••", "••••"]
    assert {r["pvalue"] for r in password_rows} == {"P34", "P734"}
    assert all("Secret123456" not in str(r) for r in rows)


def test_settings_frame_and_nat_table() -> None:
    import ata_helpers as ata
    from ata_helpers.grandstream.settings_model import nat_settings_table

    frame = ata.HT80xConfig(sip_server="x.sip.twilio.com", ports=[ata.FxsPort(user_id="a", password="Pass12345678")]
                            ).settings_frame()
    assert list(frame.columns) == ["port", "label", "pvalue", "value", "why"]
    assert "Pass12345678" not in frame.to_string()
    nat = nat_settings_table().set_index("setting")
    assert nat.loc["SIP REGISTER Contact Header Uses", "FXS1"] == "P4437"
    assert nat.loc["SIP REGISTER Contact Header Uses", "FXS2"] == "P4438"


# -- one home per fact: labels, P-values and wording live in the settings model ------------------

def test_setting_info_words_coded_values_as_the_web_page_does() -> None:
    from ata_helpers.grandstream.settings_model import setting

    contact = setting("contact_uses_wan")
    assert contact.wording(True) == "WAN Address" and contact.wording("0") == "LAN Address"
    assert contact.describe(1) == "SIP REGISTER Contact Header Uses (P4437, FXS port 1)"
    assert contact.describe(2, True) == "SIP REGISTER Contact Header Uses (P4438, FXS port 2) = WAN Address"
    assert contact.describe(None, False) == ("SIP REGISTER Contact Header Uses (P4437 port 1 / P4438 port 2)"
                                             " = LAN Address")
    nat = setting("nat_traversal")
    assert nat.wording("keep-alive", code=True) == "Keep-Alive (2)" and nat.display(["1"]) == "STUN"
    assert nat.options()[:3] == [("No", "no"), ("STUN", "stun"), ("Keep-Alive", "keep-alive")]
    assert setting("stun_server").describe() == "STUN Server (P76)"
    assert setting("check_user_id_on_invite").display(["0"]) == "No"
    assert setting("password").display(["secret"]) == "••••"
    assert setting("user_id").describe(None, "alice") == "SIP User ID (P35 port 1 / P735 port 2) = alice"
    assert setting("registration_status").pvalue(2) == "P4922"
    assert setting("unregister_on_reboot").pvalues == (("P81",), ("P752",))


def test_choice_tables_and_codecs_agree() -> None:
    from ata_helpers.grandstream.settings_model import (
        NAT_TRAVERSAL,
        TRANSPORTS,
        setting,
    )

    for name, table in (("nat_traversal", NAT_TRAVERSAL), ("transport", TRANSPORTS)):
        info = setting(name)
        assert {value: code for value, code, _words in info.choices} == table
        for value, code in table.items():
            assert info.encode(value) == [code] and info.decode([code]) == value


def test_a_label_and_wording_changed_in_the_model_reach_findings_widgets_and_checks(
        tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Change one SettingInfo and every place that names the setting follows."""
    from dataclasses import replace

    import ata_helpers as ata
    from ata_helpers.capture.samples import write_nat_failure
    from ata_helpers.grandstream.device_client import HT80xDevice
    from ata_helpers.grandstream.registration import registration_checks
    from ata_helpers.grandstream.settings_model import PORT_SETTINGS
    from ata_helpers.sandbox.ht80x.twin import SANDBOX_ADMIN_PASSWORD, device_url
    from ata_helpers.widgets.configure_ata import configure_ata_form

    old = PORT_SETTINGS["contact_uses_wan"]
    renamed = replace(old, label="Contact Address Mode", pvalues=(("P9991",), ("P9992",)),
                      choices=((False, "0", "Private"), (True, "1", "Public")))
    monkeypatch.setitem(PORT_SETTINGS, "contact_uses_wan", renamed)

    findings = ata.diagnose(write_nat_failure(tmp_path / "n.pcap"))
    fix = findings[findings["code"] == "contact-private-address"].iloc[0]["fix"]
    assert "Contact Address Mode (P9991, FXS port 1) = Public" in fix
    assert old.label not in fix and "WAN Address" not in fix and "P4437" not in fix

    form = configure_ata_form()
    widget = form.inputs[(1, "contact_uses_wan")]
    assert widget.description == "Contact Address Mode"
    assert [label for label, _value in widget.options] == ["Private", "Public"]

    monkeypatch.setitem(PORT_SETTINGS, "contact_uses_wan", replace(renamed, pvalues=old.pvalues))
    device = HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, progress=lambda *a: None)
    checks = registration_checks(device).set_index("pvalue")
    assert checks.loc["P4437", "check"] == "Contact Address Mode"
    assert checks.loc["P4437", "value"] in ("Private", "Public")


def test_factory_defaults_cover_every_setting_and_read_back_as_a_fresh_unit() -> None:
    """The factory table names every setting the course writes; its P-values decode to the same
    values, port 2 on its own ports, with the HT802V2 ship state (account off, random SIP port on)."""
    from ata_helpers.grandstream.settings_model import FACTORY_DEFAULTS, factory_pvalues

    assert set(FACTORY_DEFAULTS) == set(PORT_SETTINGS) | set(DEVICE_SETTINGS)
    assert set(factory_pvalues(1)) < set(factory_pvalues(2))
    values = factory_pvalues(2)
    for port in (1, 2):
        for name, info in {**PORT_SETTINGS, **DEVICE_SETTINGS}.items():
            default = FACTORY_DEFAULTS[name]
            expected = default[port] if isinstance(default, dict) else default
            assert info.decode([values[p] for p in info.pvalues_for(port)]) == expected, (name, port)
    assert (values["P271"], values["P401"], values["P20501"], values["P4437"]) == ("0", "0", "1", "0")
    assert (values["P40"], values["P39"], values["P740"], values["P739"]) == ("5060", "5004", "5062", "5012")
