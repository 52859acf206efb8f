"""Provisioning the Twilio side of the line: idempotent `ensure_*` steps and TwilioSetup over them.

Loaded lazily by `ata_helpers` (it imports twilio and pandas when used).
"""

from __future__ import annotations

from .config import sip_password
from .results import SetupError, StepResult, results_table
from .setup import STAGES, TAG_PREFIX, TwilioSetup, registrar_hostnames
from .steps import (
    ensure_call_credential_mapping,
    ensure_call_ip_acl_mapping,
    ensure_credential,
    ensure_credential_list,
    ensure_domain,
    ensure_ip_acl,
    ensure_ip_address,
    ensure_number_voice_url,
    ensure_origination_url,
    ensure_registration_mapping,
    ensure_trunk,
    origination_sip_url,
)
from .twiml_desk import TWIML_HOSTS, ApiDesk, ConsoleBinDesk, HostedTwiml, TwimlDesk

__all__ = [
    "TwilioSetup",
    "STAGES",
    "TAG_PREFIX",
    "SetupError",
    "StepResult",
    "results_table",
    "registrar_hostnames",
    "TwimlDesk",
    "HostedTwiml",
    "ApiDesk",
    "ConsoleBinDesk",
    "TWIML_HOSTS",
    "ensure_credential_list",
    "ensure_credential",
    "ensure_ip_acl",
    "ensure_ip_address",
    "ensure_domain",
    "ensure_call_credential_mapping",
    "ensure_call_ip_acl_mapping",
    "ensure_registration_mapping",
    "ensure_trunk",
    "ensure_origination_url",
    "ensure_number_voice_url",
    "origination_sip_url",
    "sip_password",
]
