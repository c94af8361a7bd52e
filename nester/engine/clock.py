"""What the optimiser's time limits are measured on: the wall clock, or the work done.

A work clock advances by a fixed nominal time per copy moved, so a run with a given
seed and limit does the same work, and finds the same layout, on any machine and
under any load: what CI needs to compare densities with a committed baseline.
"""

from __future__ import annotations

import time

NOMINAL_MOVE_S = 1e-3  # a work clock's seconds per move: about one move on this machine


class Clock:
    """The wall clock."""

    def now(self) -> float:
        return time.monotonic()

    def tick(self, moves: int = 1) -> None:
        """``moves`` copies moved."""


class WorkClock(Clock):
    def __init__(self) -> None:
        self.moves = 0

    def now(self) -> float:
        return self.moves * NOMINAL_MOVE_S

    def tick(self, moves: int = 1) -> None:
        self.moves += moves
