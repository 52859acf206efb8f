"""Questions people ask of a call log: the ATA's own calls, failures by error code, calls per day,
how long answered calls lasted. Each takes the DataFrame `call_log()` returns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..empty_results import explain_empty
from ..errors import ValidationError
from ..twilio_error_codes import explain

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sip_key", "calls_for_sip_address", "failures_by_error_code", "calls_per_day", "duration_summary",
           "answered_durations"]


def sip_key(value: Any) -> str | None:
    """user@host of a SIP address (scheme, port and parameters dropped, host in lower case)."""
    if value is None or (not isinstance(value, str)):
        return None
    text = value.strip()
    text = re.sub(r"^sips?:", "", text, flags=re.I).split(";", 1)[0]
    if "@" not in text:
        return None
    user, host = text.split("@", 1)
    return f"{user}@{host.split(':', 1)[0].lower()}"


def calls_for_sip_address(log: "pd.DataFrame", address: str) -> "pd.DataFrame":
    """Rows of `log` to or from a SIP address such as sip:ht801@example-ata.sip.twilio.com."""
    key = sip_key(address)
    if key is None:
        raise ValidationError("address", "a SIP address USER@DOMAIN, e.g. sip:ht801@example-ata.sip.twilio.com",
                              address)
    to_key = log["to"].map(sip_key)
    from_key = log["from"].map(sip_key)
    found = log[(to_key == key) | (from_key == key)].reset_index(drop=True)
    return explain_empty(found, f"No call to or from sip:{key} among the {len(log)} calls of this log: check "
                                "the username and domain, or widen the call log's filters (a call the ATA "
                                "never received is not logged to it).")


def failures_by_error_code(log: "pd.DataFrame") -> "pd.DataFrame":
    """One row per error code in `log`: how many calls, statuses, first/last seen, meaning and fix."""
    import pandas as pd

    failed = log[log["error_code"].notna()]
    columns = ["error_code", "calls", "statuses", "first_seen", "last_seen", "meaning", "fix"]
    if failed.empty:
        return explain_empty(pd.DataFrame({c: pd.Series(dtype="string") for c in columns}),
                             f"No failed calls: none of the {len(log)} calls in this log has an error code "
                             "Twilio logged.")
    when = failed["start_time"].fillna(failed["date_created"])
    grouped = failed.assign(when=when).groupby("error_code")
    table = pd.DataFrame({
        "calls": grouped.size().astype("Int64"),
        "statuses": grouped["status"].agg(lambda s: ", ".join(sorted(set(s)))).astype("string"),
        "first_seen": grouped["when"].min(),
        "last_seen": grouped["when"].max(),
    })
    table["meaning"] = pd.Series({c: explain(int(c))[0] or "(not in the course's list)" for c in table.index},
                                 dtype="string")
    table["fix"] = pd.Series({c: explain(int(c))[1] for c in table.index}, dtype="string")
    table = table.reset_index().sort_values(["calls", "error_code"], ascending=[False, True])
    return table[columns].reset_index(drop=True)


def calls_per_day(log: "pd.DataFrame", tz: str = "UTC") -> "pd.DataFrame":
    """Calls per local day (rows) and status (columns), counted by start (or creation) time."""
    import pandas as pd

    when = log["start_time"].fillna(log["date_created"])
    if log.empty:
        return explain_empty(pd.DataFrame(index=pd.Index([], name="day")),
                             "No calls in this log to count per day: widen the call log's filters, or place a "
                             "call first.")
    days = when.dt.tz_convert(tz).dt.date.rename("day")
    table = pd.crosstab(days, log["status"].rename("status"))
    order = [s for s in ("completed", "no-answer", "busy", "canceled", "failed", "in-progress", "ringing",
                         "queued") if s in table.columns]
    table = table[order]
    full = pd.date_range(min(table.index), max(table.index), freq="D").date
    table = table.reindex(full, fill_value=0)
    table.index.name = "day"
    table.columns.name = "status"
    return table.astype("int64")


def answered_durations(log: "pd.DataFrame") -> "pd.Series":
    answered = log[(log["status"] == "completed") & log["duration"].notna()]
    return answered["duration"].astype("int64")


def duration_summary(log: "pd.DataFrame") -> "pd.DataFrame":
    """Answered calls' durations in seconds: count, median, mean, 90th percentile, longest."""
    import pandas as pd

    seconds = answered_durations(log)
    row = {"answered calls": int(len(seconds)),
           "median s": float(seconds.median()) if len(seconds) else float("nan"),
           "mean s": round(float(seconds.mean()), 1) if len(seconds) else float("nan"),
           "90th percentile s": float(seconds.quantile(0.9)) if len(seconds) else float("nan"),
           "longest s": int(seconds.max()) if len(seconds) else 0}
    return pd.DataFrame([row])
