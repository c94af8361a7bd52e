"""Holding tabs: where along an outside profile the tool lifts so the part stays attached.

A tab is an interval of path length. Its span is the tab width plus the tool
diameter: the tool rises at one end and comes down at the other, and the gap
between its edges -- the material left -- is the tab width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gcode.paths import Path2D

STRAIGHT_TURN = math.radians(1.0)  # a span whose heading turns less than this is straight
CANDIDATE_STEP = 0.25  # mm between tab positions tried


def tab_count(perimeter: float, spacing: float, minimum: int) -> int:
    """One tab per `spacing` mm of toolpath, and never fewer than `minimum`."""
    return max(minimum, round(perimeter / spacing))


def fit_span(perimeter: float, count: int, wanted: float) -> float:
    """The tab span to use: the wanted one, shrunk so tabs take at most half the perimeter.

    A small part still gets its tabs, only narrower ones; the caller decides if
    what is left still holds the part.
    """
    return min(wanted, perimeter / (2.0 * count)) if count else 0.0


def place_tabs(
    path: Path2D, count: int, span: float, clearance: float = 0.0, forbidden: Sequence[float] = ()
) -> tuple[tuple[float, float], ...]:
    """Intervals (begin, end) of path length for `count` tabs of `span` mm on a closed path.

    The path is cut into `count` equal slots; each tab stays in its slot (so tabs
    are spread evenly and never overlap or straddle the path's start) and goes to
    the straight place nearest the slot's middle. A slot without a straight place
    (a circle, a tight curve) gets its tab where the path turns least.
    clearance: path length on each side of a tab that must be straight too --
    where a ramped tab's flanks run, and room to keep off corners and bones.
    forbidden: path lengths no tab or flank may cover (the tips of bones); a slot
    with no place clear of them gets no tab, so fewer than `count` may come back.
    """
    if count <= 0:
        return ()
    perimeter = path.length
    slot = perimeter / count
    clearance = max(0.0, min(clearance, (slot - span) / 2.0))
    reach = span / 2.0 + clearance
    turning = _TurningProfile(path)
    intervals = []
    for i in range(count):
        lo, hi = i * slot + reach, (i + 1) * slot - reach
        centres = np.linspace(lo, hi, max(2, math.ceil((hi - lo) / CANDIDATE_STEP) + 1))
        turns = turning.within(centres - reach, centres + reach)
        if len(forbidden):
            marks = np.asarray(forbidden, dtype=float)
            gap = np.abs((centres[:, None] - marks[None, :] + perimeter / 2.0) % perimeter - perimeter / 2.0)
            turns = np.where(np.any(gap <= reach, axis=1), np.inf, turns)
            if not np.isfinite(turns).any():
                continue
        distance = np.abs(centres - (lo + hi) / 2.0)
        straight = turns <= STRAIGHT_TURN
        if straight.any():
            best = int(np.argmin(np.where(straight, distance, np.inf)))
        else:
            best = int(np.lexsort((distance, np.round(turns, 6)))[0])
        centre = float(centres[best])
        intervals.append((centre - span / 2.0, centre + span / 2.0))
    return tuple(intervals)


class _TurningProfile:
    """How much a path's heading turns inside any window of path length."""

    def __init__(self, path: Path2D):
        spans = list(path.spans())
        joints, angles = [], []
        for before, after in zip(spans, spans[1:]):
            change = after.direction_at(0.0) - before.direction_at(before.length)
            joints.append(after.offset)
            angles.append(abs((change + math.pi) % (2.0 * math.pi) - math.pi))
        self.joints = np.asarray(joints, dtype=float)
        self.cumulative = np.concatenate([[0.0], np.cumsum(angles)])
        self.arcs = [(s.offset, s.offset + s.length, s.turning / s.length) for s in spans if s.turning > 0.0]

    def within(self, begins: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Total turning strictly inside each window [begin, end]: a corner at an end does not count."""
        eps = 1e-6
        first = np.searchsorted(self.joints, begins + eps, side="left")
        last = np.searchsorted(self.joints, ends - eps, side="right")
        total = self.cumulative[last] - self.cumulative[first]
        for start, stop, rate in self.arcs:
            total = total + np.clip(np.minimum(ends, stop) - np.maximum(begins, start), 0.0, None) * rate
        return total
