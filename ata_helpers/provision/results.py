"""Result rows of provisioning steps, the tables built from them, and the error of a failed apply.

Every `ensure_*` step returns one StepResult; plan, apply, teardown and describe show lists of
them as a pandas DataFrame with the same columns, so a learner reads one kind of table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Iterable

from ..errors import SetupError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StepResult", "COLUMNS", "results_table", "SetupError", "WOULD"]

COLUMNS = ["step", "resource", "name", "sid", "action", "detail"]
# the dry-run (plan) form of each action
WOULD = {"created": "would create", "updated": "would update", "unchanged": "unchanged",
         "deleted": "would delete", "reset": "would reset"}


@dataclass
class StepResult:
    """One row: which resource, its natural-key name, its SID, what happened and why.

    `action` is created / updated / unchanged for ensure steps (would create / would update in a
    plan), deleted / reset / absent / kept for teardown, failed / not run for an apply that stopped.
    """

    resource: str
    name: str
    sid: str
    action: str
    detail: str = ""
    step: str = ""


def results_table(rows: Iterable[StepResult]) -> "pd.DataFrame":
    """The rows as a DataFrame with the columns step, resource, name, sid, action, detail."""
    import pandas as pd

    return pd.DataFrame([asdict(r) for r in rows], columns=COLUMNS)


