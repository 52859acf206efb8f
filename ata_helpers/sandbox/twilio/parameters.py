"""Enum and boolean request parameters checked as Twilio's OpenAPI description writes them.

`ata_helpers/data/twilio_openapi_parameters.json` (made by scripts/extract_openapi_subset.py from
the OpenAPI files Twilio publishes, @twilio/cli-core) lists, per path and method, the parameters
whose schema is an enum and those of type boolean. A value outside an enum, or a boolean other
than `true`/`false` (what Twilio's SDKs send), is refused with HTTP 400 and Twilio's code 20001
before the resource sees it, as Twilio's API validates requests against the same description.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from .format import TwinError

__all__ = ["check_parameters", "documented_kinds"]


@lru_cache(maxsize=1)
def _kinds() -> dict[str, Any]:
    text = files("ata_helpers").joinpath("data", "twilio_openapi_parameters.json").read_text("utf-8")
    return json.loads(text)["paths"]


def documented_kinds(path_template: str, method: str) -> dict[str, Any]:
    """{"enums": {name: [values]}, "booleans": [names]} for one operation (empty when it has none)."""
    return _kinds().get(path_template, {}).get(method, {"enums": {}, "booleans": []})


def check_parameters(path_template: str, method: str, given: dict[str, list[str]]) -> None:
    """Raise Twilio's 400/20001 for the first enum or boolean parameter with a value the spec does not allow."""
    kinds = documented_kinds(path_template, method)
    for name, values in given.items():
        allowed = kinds["enums"].get(name)
        if name in kinds["booleans"]:
            allowed = ["true", "false"]
        if allowed is None:
            continue
        for value in values:
            if value not in allowed:
                raise TwinError(400, 20001, f"Invalid value {value!r} for parameter {name}: expected one of "
                                            + ", ".join(allowed))
