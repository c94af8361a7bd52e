"""Numbers as G-code writes them: rounded once, written short, read back exactly."""

from __future__ import annotations

import math


def round_to(value: float, decimals: int) -> float:
    """Round to ``decimals`` places, never returning -0.0.

    Posts keep the rounded value as "the position the controller will see", so
    geometry derived from written numbers (arc centres) uses this, not the exact value.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value!r} in G-code")
    return round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def format_number(value: float, decimals: int) -> str:
    """Write ``value`` with at most ``decimals`` places and no trailing zeros.

    10.0 -> "10", -0.5 -> "-0.5" (the leading zero is kept: some controllers
    misread "-.5"), -0.0001 at 3 places -> "0" (never "-0").
    """
    text = f"{round_to(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
