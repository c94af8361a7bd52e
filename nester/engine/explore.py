"""Leaving a dead end, after sparrow's exploration: when the separator cannot remove the
overlaps at a length, the search stays at that length and restarts from one of the
least-overlapping failures so far (biased to the best), disrupted by a swap of two
large copies. Shared by the strip and the sheets."""

from __future__ import annotations

import numpy as np

from nester.engine.state import LayoutState, Snapshot

POOL_SPREAD = 0.25  # of the pool: the spread of the half-normal rank a restart is drawn at


class FailurePool:
    """Overlapping layouts the separator gave up on at the current length, least overlap first."""

    def __init__(self) -> None:
        self.entries: list[tuple[float, Snapshot]] = []

    def clear(self) -> None:
        self.entries.clear()

    def add(self, state: LayoutState) -> None:
        self.entries.append((state.total_overlap(), state.snapshot()))
        self.entries.sort(key=lambda entry: entry[0])

    def restart(self, state: LayoutState, rng: np.random.Generator) -> None:
        """The state becomes one of the failures, disrupted."""
        pick = min(int(abs(rng.normal(0.0, POOL_SPREAD)) * len(self.entries)), len(self.entries) - 1)
        state.restore(self.entries[pick][1])
        disrupt(state, rng)


def disrupt(state: LayoutState, rng: np.random.Generator) -> None:
    """Swap two large copies of different items, bins included (sparrow's disruption)."""
    prepared = state.prepared
    areas = prepared.bank.area[state.shape_of]
    large = np.flatnonzero(areas >= np.quantile(areas, 0.5))
    if len(large) < 2:
        return
    first = int(rng.choice(large))
    others = [k for k in large if prepared.copy_item[k] != prepared.copy_item[first]]
    if not others:
        others = [k for k in range(prepared.copies) if k != first]
    second = int(rng.choice(others))
    bbox = prepared.bank.bbox
    places = {}
    for k in (first, second):
        s = state.shape_of[k]
        places[k] = (0.5 * (bbox[s, 0] + bbox[s, 2]) + state.pos_x[k], 0.5 * (bbox[s, 1] + bbox[s, 3]) + state.pos_y[k],
                     int(state.bin_of[k]))
    for k, target in ((first, second), (second, first)):
        s = state.shape_of[k]
        state.pos_x[k] = places[target][0] - 0.5 * (bbox[s, 0] + bbox[s, 2])
        state.pos_y[k] = places[target][1] - 0.5 * (bbox[s, 1] + bbox[s, 3])
        state.bin_of[k] = places[target][2]
    state.refresh_all()
