"""The reusable offcut of a sheet: the rectangle right of the parts, as a cutter sees it."""

from __future__ import annotations

from nester.model import place
from nester.problem import BinLayout, Solution


def offcut_rectangle(solution: Solution, layout: BinLayout) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of the full-height strip of sheet right of the last part, one
    spacing (the tool's path) away from it, inside the sheet margin; None when no room
    is left or the sheet is not a rectangle."""
    problem = solution.problem
    if problem.is_strip:
        return None
    container = problem.bins[layout.container_id]
    if not container.is_rectangle:
        return None
    x0, y0, x1, y1 = container.shape.bounds
    right = max((place(problem.items[p.item_id].shape, p.rotation, p.translation).bounds[2]
                 for p in layout.placed), default=x0)
    start = max(right + problem.spacing, x0 + problem.margin)
    end = x1 - problem.margin
    if end <= start:
        return None
    return (start, y0 + problem.margin, end, y1 - problem.margin)
