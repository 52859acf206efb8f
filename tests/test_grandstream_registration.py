"""registration_checks: the device-side reasons a port does not register, read from the twin."""

from __future__ import annotations

from ata_helpers.grandstream import FxsPort, HT80xConfig, HT80xDevice
from ata_helpers.grandstream.registration import registration_checks
from ata_helpers.sandbox.ht80x.twin import SANDBOX_ADMIN_PASSWORD, device_url


def device() -> HT80xDevice:
    return HT80xDevice(device_url(), SANDBOX_ADMIN_PASSWORD, progress=lambda *a: None)


def test_factory_fresh_device_fails_the_checks_that_matter() -> None:
    checks = registration_checks(device()).set_index("check")
    failing = set(checks.index[~checks["ok"]])
    assert failing == {"Account Active", "Primary SIP Server", "SIP User ID", "Use Random SIP Port",
                       "SIP REGISTER Contact Header Uses", "NAT Traversal"}
    assert checks.loc["SIP REGISTER Contact Header Uses", "value"] == "LAN Address"
    assert checks.loc["Account Active", "pvalue"] == "P271"


def test_recommended_config_passes_every_check_on_both_ports() -> None:
    dev = device()
    dev.apply(HT80xConfig(model="HT802", sip_server="example.sip.ashburn.twilio.com",
                          ports=[FxsPort(user_id="alice"), FxsPort(user_id="bob")]))
    for port, pvalue in ((1, "P47"), (2, "P747")):
        checks = registration_checks(dev, port)
        assert checks["ok"].all(), checks[~checks["ok"]]
        assert pvalue in checks["pvalue"].tolist()


def test_auth_id_different_from_user_id_is_flagged() -> None:
    dev = device()
    dev.apply(HT80xConfig(sip_server="example.sip.twilio.com", ports=[FxsPort(user_id="alice", auth_id="bob")]))
    checks = registration_checks(dev).set_index("check")
    assert not checks.loc["Authenticate ID", "ok"] and "same username" in checks.loc["Authenticate ID", "what to do"]
