"""The account's verified caller IDs (Twilio's OutgoingCallerId resource), listed.

Twilio accepts as a call's `From` a number of the account or a number verified as an outgoing
caller ID (https://www.twilio.com/docs/voice/api/outgoing-caller-ids). The sandbox account has
none verified (verification is a phone call to the number), so the list is served, filtered by
PhoneNumber and FriendlyName as Twilio documents, and always empty.
"""

from __future__ import annotations

from typing import Any

from .resource import ACCOUNT, Ctx, Spec

__all__ = ["SPECS"]


def _nothing(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {}


SPECS: list[Spec] = [
    Spec(kind="outgoing_caller_id", sid_prefix="PN", api="2010", collection=ACCOUNT + "/OutgoingCallerIds.json",
         instance=ACCOUNT + "/OutgoingCallerIds/{Sid}.json", list_key="outgoing_caller_ids", render=_nothing,
         ops={"list"}, list_params=["PhoneNumber", "FriendlyName"]),
]
