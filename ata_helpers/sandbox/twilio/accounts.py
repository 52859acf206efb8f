"""The account itself (Twilio's Account resource): fetched, and listed as the one account there is.

`GET /2010-04-01/Accounts/{Sid}.json` is the usual check that credentials work. The sandbox has one
account, its SID and auth token the sandbox's published pair (ata_helpers.settings); it has no
subaccounts, so creating one or closing the account is not served (Twilio's 405).
https://www.twilio.com/docs/iam/api/account
"""

from __future__ import annotations

from typing import Any

from ...settings import SANDBOX_AUTH_TOKEN
from ..store import Store
from .resource import Ctx, Spec, base_fields, stamp

__all__ = ["SPECS", "seed_account_record"]

FRIENDLY_NAME = "ATA course sandbox"


def seed_account_record(store: Store, account_sid: str) -> None:
    """Store the sandbox's account once (its creation date is the sandbox's)."""
    if store.get("account", account_sid) is None:
        with store.transaction():
            if store.get("account", account_sid) is None:
                store.insert("account", account_sid, stamp({"sid": account_sid, "friendly_name": FRIENDLY_NAME,
                                                            "_parent": ""}))


def _render_account(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    out = base_fields(ctx, rec)
    del out["account_sid"]
    base = f"/2010-04-01/Accounts/{rec['sid']}"
    out.update({"auth_token": SANDBOX_AUTH_TOKEN, "friendly_name": rec["friendly_name"],
                "owner_account_sid": rec["sid"], "status": "active", "type": "Full", "uri": base + ".json",
                # only what the twin serves is advertised
                "subresource_uris": {"calls": base + "/Calls.json",
                                     "incoming_phone_numbers": base + "/IncomingPhoneNumbers.json"}})
    return out


def _filter_accounts(ctx: Ctx, recs: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if q.get("FriendlyName"):
        recs = [r for r in recs if r["friendly_name"] == q["FriendlyName"]]
    if q.get("Status"):
        recs = [r for r in recs if q["Status"] == "active"]
    return recs


SPECS: list[Spec] = [
    Spec(kind="account", sid_prefix="AC", api="2010", collection="/2010-04-01/Accounts.json",
         instance="/2010-04-01/Accounts/{Sid}.json", list_key="accounts", render=_render_account,
         ops={"list", "fetch"}, list_params=["FriendlyName", "Status"], list_filter=_filter_accounts),
]
