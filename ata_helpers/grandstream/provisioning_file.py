"""The `cfg<mac>.xml` provisioning file: MAC normalisation, writing, reading and 0600 saving.

Format (Grandstream XML provisioning guide): `<gs_provision version="1">`, an optional `<mac>`
that must equal the device's MAC, and `<config version="1">` holding one `<Pnnn>` element per
value. The device asks for `cfg` + 12 lowercase hex digits + `.xml`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from ..errors import ValidationError
from ..settings import MASK
from .settings_model import PASSWORD_PVALUES

if TYPE_CHECKING:
    from .settings_model import HT80xConfig

__all__ = ["normalize_mac", "config_filename", "config_xml", "parse_config_xml", "write_config_file"]

_COLON_OR_DASH = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}\Z")
_DOTTED = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\Z")
_PNAME = re.compile(r"^P\d{1,5}\Z")
_SECRET_PVALUES = PASSWORD_PVALUES | {"P2", "P196", "P1359", "P1361"}


def normalize_mac(mac: str) -> str:
    """12 lowercase hex digits from any common spelling (00:0B:82:.., 00-0b-.., 000b.8212.3456).

    Anything else raises ValidationError(field="mac"), including multicast and all-zero
    addresses, which no device has.
    """
    if not isinstance(mac, str):
        raise ValidationError("mac", "must be text such as 00:0B:82:12:34:56", mac)
    text = mac.strip().lower()
    if not (_COLON_OR_DASH.match(text) or _DOTTED.match(text)):
        raise ValidationError(
            "mac", f"{mac!r} is not a MAC address: give 12 hex digits, e.g. 00:0B:82:12:34:56 "
                   "(it is on the label under the device)", mac)
    digits = re.sub(r"[^0-9a-f]", "", text)
    if digits == "0" * 12 or digits == "f" * 12:
        raise ValidationError("mac", f"{mac!r} is a placeholder address, not a device's MAC", mac)
    if int(digits[1], 16) & 1:
        raise ValidationError("mac", f"{mac!r} is a multicast address; a device MAC has an even "
                                     "second digit (Grandstream's start 00:0B:82, C0:74:AD, EC:74:D7 or 14:4C:FF)", mac)
    return digits


def config_filename(mac: str) -> str:
    """`cfg<mac>.xml` with the MAC as 12 lowercase hex digits (the name the device fetches)."""
    return f"cfg{normalize_mac(mac)}.xml"


def config_xml(pvalues: dict[str, str], mac: str | None = None, mask_secrets: bool = False) -> str:
    """The `<gs_provision>` document for `pvalues`; `mask_secrets` shows passwords as ••••."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<gs_provision version="1">']
    if mac is not None:
        lines.append(f"  <mac>{normalize_mac(mac)}</mac>")
    lines.append('  <config version="1">')
    for name, value in pvalues.items():
        if not _PNAME.match(name):
            raise ValidationError("pvalues", f"{name!r} is not a P-value name such as P47", name)
        shown = MASK if (mask_secrets and name in _SECRET_PVALUES and value) else str(value)
        lines.append(f"    <{name}>{escape(shown)}</{name}>")
    lines += ["  </config>", "</gs_provision>", ""]
    return "\n".join(lines)


def parse_config_xml(text: str | bytes) -> tuple[str | None, dict[str, str]]:
    """The MAC (or None) and the P-values of a `<gs_provision version="1">` document."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValidationError("xml", f"not well-formed XML ({exc})") from None
    if root.tag != "gs_provision":
        raise ValidationError("xml", f"the root element is <{root.tag}>, expected <gs_provision>")
    mac_element = root.find("mac")
    mac = normalize_mac(mac_element.text or "") if mac_element is not None and (mac_element.text or "").strip() else None
    config = root.find("config")
    if config is None:
        raise ValidationError("xml", "no <config> element inside <gs_provision>")
    if config.get("version", "1") != "1":
        raise ValidationError("xml", f'<config version="{config.get("version")}"> uses the alias format; '
                                     'HT80x files use version="1"')
    pvalues: dict[str, str] = {}
    for element in config:
        if not _PNAME.match(element.tag):
            raise ValidationError("xml", f"<{element.tag}> is not a P-value element such as <P47>")
        pvalues[element.tag] = element.text or ""
    return mac, pvalues


def write_config_file(config: "HT80xConfig", folder: str | os.PathLike[str], mac: str) -> Path:
    """Write `cfg<mac>.xml` (it may hold the SIP password) readable by its owner only (0600)."""
    path = Path(folder) / config_filename(mac)
    path.parent.mkdir(parents=True, exist_ok=True)
    from ..settings import write_private_file

    return write_private_file(path, config.to_xml(mac=mac))
