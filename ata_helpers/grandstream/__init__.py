"""Grandstream HT801/HT802: settings model (P-values), provisioning file, device HTTP client."""

from __future__ import annotations

from .device_client import ApplyReport, HT80xDevice, LegacyFirmwareError, ht80x_device
from .provisioning_file import (
                                config_filename,
                                config_xml,
                                normalize_mac,
                                parse_config_xml,
                                write_config_file,
)
from .settings_model import (
                                DEVICE_SETTINGS,
                                PORT_SETTINGS,
                                FxsPort,
                                HT80xConfig,
                                SettingError,
                                SettingInfo,
                                setting,
)

__all__ = [
    "HT80xConfig",
    "FxsPort",
    "SettingInfo",
    "SettingError",
    "PORT_SETTINGS",
    "DEVICE_SETTINGS",
    "setting",
    "normalize_mac",
    "config_filename",
    "config_xml",
    "parse_config_xml",
    "write_config_file",
    "HT80xDevice",
    "ht80x_device",
    "ApplyReport",
    "LegacyFirmwareError",
]
