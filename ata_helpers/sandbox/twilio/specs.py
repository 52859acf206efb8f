"""Every resource the Twilio twin serves, gathered from the resource modules in routing order.

SPECS are collections of stored records; OPERATIONS are served by functions (see resource.Operation).
"""

from __future__ import annotations

from . import (
                     accounts,
                     alerts,
                     calls,
                     credential_lists,
                     incoming_phone_numbers,
                     insights,
                     ip_access_control_lists,
                     outgoing_caller_ids,
                     serverless,
                     sip_domains,
                     trunks,
)
from .resource import Operation, Spec

__all__ = ["SPECS", "OPERATIONS"]

SPECS: list[Spec] = [*accounts.SPECS, *sip_domains.SPECS, *credential_lists.SPECS, *ip_access_control_lists.SPECS,
                     *incoming_phone_numbers.SPECS, *outgoing_caller_ids.SPECS, *calls.SPECS, *trunks.SPECS, *alerts.SPECS,
                     *serverless.SPECS]

OPERATIONS: list[Operation] = [*insights.OPERATIONS, *serverless.OPERATIONS]
