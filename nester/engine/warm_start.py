"""Start the search from a given layout (a sparrow or plycut solution) instead of building one."""

from __future__ import annotations

import numpy as np

from nester.engine.state import LayoutState
from nester.errors import InputError
from nester.problem import Solution
from nester.solution_check import solution_problems

ANGLE_TOLERANCE = 1e-6  # degrees


def load_layout(state: LayoutState, start: Solution, *, where: str = "warm start") -> list[int]:
    """Place the copies as ``start`` does (opening its bins in order); returns the copies it
    leaves unplaced. InputError when ``start`` is invalid for the problem or uses a
    rotation the engine does not try for that item."""
    problems = solution_problems(start)
    if problems:
        raise InputError(f"{where}: the layout is not valid for this problem: {problems[0]}")
    prepared = state.prepared
    free = {item: list(np.flatnonzero(prepared.copy_item == item)) for item in range(len(prepared.problem.items))}
    for b, layout in enumerate(start.layouts):
        if not prepared.problem.is_strip:
            state.open_bin(layout.container_id)
        for placed in layout.placed:
            k = free[placed.item_id].pop(0)
            state.shape_of[k] = _shape_for(state, placed.item_id, placed.rotation, where)
            state.pos_x[k], state.pos_y[k] = placed.translation
            state.bin_of[k] = 0 if prepared.problem.is_strip else b
    state.refresh_all()
    return [int(k) for copies in free.values() for k in copies]


def _shape_for(state: LayoutState, item: int, rotation: float, where: str) -> int:
    first = int(state.prepared.item_first_shape[item])
    count = int(state.prepared.item_shape_count[item])
    angles = state.prepared.bank.rotation[first:first + count]
    difference = np.abs((angles - rotation + 180.0) % 360.0 - 180.0)
    match = int(np.argmin(difference))
    if difference[match] > ANGLE_TOLERANCE:
        raise InputError(f"{where}: {state.prepared.problem.items[item].label()} is rotated {rotation:g} degrees, "
                         f"which the engine does not try for it")
    return first + match
