"""Every resource the Twilio twin serves, gathered from the resource modules in routing order."""

from __future__ import annotations

from . import (
                     alerts,
                     calls,
                     credential_lists,
                     incoming_phone_numbers,
                     ip_access_control_lists,
                     sip_domains,
                     trunks,
)
from .resource import Spec

__all__ = ["SPECS"]

SPECS: list[Spec] = [*sip_domains.SPECS, *credential_lists.SPECS, *ip_access_control_lists.SPECS,
                     *incoming_phone_numbers.SPECS, *calls.SPECS, *trunks.SPECS, *alerts.SPECS]
