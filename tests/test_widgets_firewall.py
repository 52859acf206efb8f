"""The step-1 form, driven as a learner would: set values, press the button, read the Output."""

from __future__ import annotations

import html

import pytest

import ata_helpers as ata
from ata_helpers.errors import ValidationError
from ata_helpers.firewall import EDGES
from ata_helpers.widgets.firewall import FirewallForm, firewall_form


def test_defaults_offer_every_router_and_edge() -> None:
    form = firewall_form()
    assert [value for _, value in form.router.options] == ["nftables", "iptables", "pfsense", "openwrt",
                                                           "mikrotik", "table"]
    assert form.router.value == "table"
    assert form.edges.value == EDGES
    assert dict((v, k) for k, v in form.edges.options)["sao-paulo"] == "sao-paulo (South America São Paulo)"
    assert form.ata_ip.value == "" and form.out.outputs == ()


def test_button_shows_the_rules_for_the_chosen_values() -> None:
    form = firewall_form()
    form.router.value = "openwrt"
    form.edges.value = ("dublin", "frankfurt")
    form.ata_ip.value = "192.168.1.50"
    form.button.click()
    assert len(form.out.outputs) == 1
    output = form.out.outputs[0]
    assert output["output_type"] == "display_data"
    expected = ata.firewall_rules("openwrt", edges=["dublin", "frankfurt"], ata_ip="192.168.1.50")
    assert html.escape(expected.text) in output["data"]["text/html"]
    assert output["data"]["text/plain"] == repr(expected)
    assert form.rules().text == expected.text


def test_second_click_replaces_the_output() -> None:
    form = firewall_form(fmt="mikrotik", ata_ip="10.0.0.7")
    form.button.click()
    form.router.value = "nftables"
    form.button.click()
    assert len(form.out.outputs) == 1
    assert "table inet filter" in form.out.outputs[0]["data"]["text/html"]


def test_bad_address_is_flagged_beside_the_field_and_nothing_rendered() -> None:
    form = firewall_form()
    form.ata_ip.value = "8.8.8.8"
    assert "private LAN address" in form.ata_ip_message.value
    assert form.edges_message.value == ""
    form.button.click()
    assert [o["output_type"] for o in form.out.outputs] == ["stream"]
    assert form.out.outputs[0]["name"] == "stderr"
    form.ata_ip.value = "192.168.0.9"
    assert form.ata_ip_message.value == ""


def test_no_edge_is_flagged_beside_the_edges() -> None:
    form = firewall_form()
    form.edges.value = ()
    assert "at least one edge" in form.edges_message.value
    form.button.click()
    assert form.out.outputs[0]["output_type"] == "stream"
    with pytest.raises(ValidationError):
        form.rules()


def test_unknown_router_type_is_refused() -> None:
    with pytest.raises(ValidationError):
        FirewallForm(fmt="cisco")
