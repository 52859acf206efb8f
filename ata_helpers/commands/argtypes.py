"""Argument types for the command line that check ranges before anything runs.

argparse's own `int`/`float` accept `inf`, `nan`, `-5` or a 400-digit number; these refuse them
with one line naming the allowed range (argparse prints it and exits with status 2).
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

__all__ = ["number_in", "whole_number_in"]


def number_in(low: float, high: float, unit: str) -> Callable[[str], float]:
    """A finite number from `low` to `high` (`unit` names it in the message)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except (ValueError, OverflowError):
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give a number of {unit} from {low:g} to {high:g}")
        return value

    parse.__name__ = f"number of {unit}"
    return parse


def whole_number_in(low: int, high: int, unit: str) -> Callable[[str], int]:
    """A whole number from `low` to `high`."""

    def parse(text: str) -> int:
        stripped = text.strip()
        if len(stripped) > 12 or not stripped.lstrip("+-").isdigit() or not low <= int(stripped) <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of {unit} from {low} to {high}")
        return int(stripped)

    parse.__name__ = f"whole number of {unit}"
    return parse
