"""Offcuts kept versus waste: what is left of a sheet once its parts are cut out.

A shop keeps the rectangle a single straight cut frees beside the parts (to the right
of them, or above them) when it is at least the minimum size; everything else of the
sheet that is not a part is waste (the margin, the gaps between parts, the holes).
"""

from __future__ import annotations

from nester.model import Layout

Rectangle = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm, sheet coordinates


def kept_offcut(layout: Layout, spacing: float, minimum: tuple[float, float]) -> Rectangle | None:
    """The larger of the full-height strip right of the parts and the full-width strip above
    them, one spacing (the tool's path) away from the parts and inside the margin; None when
    it is smaller than ``minimum`` (mm, either way round)."""
    sheet = layout.sheet
    m = sheet.margin
    if layout.placements:
        bounds = [p.outline().bounds for p in layout.placements]
        right = max(b[2] for b in bounds) + spacing
        top = max(b[3] for b in bounds) + spacing
    else:
        right = top = m
    candidates = [
        (max(right, m), m, sheet.width - m, sheet.height - m),
        (m, max(top, m), sheet.width - m, sheet.height - m),
    ]
    kept = [c for c in candidates if _at_least(c, minimum)]
    return max(kept, key=area, default=None)


def area(rectangle: Rectangle | None) -> float:
    if rectangle is None:
        return 0.0
    x0, y0, x1, y1 = rectangle
    return max(x1 - x0, 0.0) * max(y1 - y0, 0.0)


def _at_least(rectangle: Rectangle, minimum: tuple[float, float]) -> bool:
    x0, y0, x1, y1 = rectangle
    short, long = sorted((x1 - x0, y1 - y0))
    least_short, least_long = sorted(minimum)
    return short >= least_short and long >= least_long
