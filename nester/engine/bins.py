"""Bin packing on stock sheets: fewest (cheapest) sheets, then the largest offcut.

A first layout fills one sheet at a time, bottom-left, largest copies first. Then,
while time lasts, the least-filled sheet is emptied into the others and the
separator tries to remove the overlaps this makes (copies may move between
sheets); success saves a sheet. Last, the least-filled sheet is compacted toward
its left edge, like a strip, leaving one offcut rectangle on its right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nester.engine.clock import Clock
from nester.engine.construct import place_bottom_left
from nester.engine.moves import search_move, seed_random
from nester.engine.separator import SeparatorSettings, separate
from nester.engine.shapes import PreparedProblem, prepare
from nester.engine.state import LayoutState
from nester.engine.warm_start import load_layout
from nester.problem import BinLayout, PlacedItem, Problem, Solution

CONSTRUCTION_SAMPLES = 150
COMPACTION_SHARE = 0.2  # of the time limit, for the offcut
COMPACTION_CUTS = (0.02, 0.002)
COMPACTION_PATIENCE = 6  # failed cuts in a row that end the compaction


@dataclass
class BinProgress:
    sheets: int
    cost: float
    density: float
    elapsed_s: float
    phase: str


def _order(prepared: PreparedProblem, rng: np.random.Generator) -> np.ndarray:
    areas = prepared.bank.area[prepared.item_first_shape[prepared.copy_item]]
    return np.lexsort((rng.random(len(areas)), -areas))


def _container_order(problem: Problem) -> list[int]:
    """Cheapest material per unit of area first."""
    return sorted(range(len(problem.bins)), key=lambda c: (problem.bins[c].cost / problem.bins[c].area, c))


def _fits(prepared: PreparedProblem, k: int, container: int) -> bool:
    item = prepared.copy_item[k]
    first, count = prepared.item_first_shape[item], prepared.item_shape_count[item]
    bbox = prepared.bank.bbox[first:first + count]
    rect = prepared.container_rect[container]
    return bool(np.any((bbox[:, 2] - bbox[:, 0] <= rect[2] - rect[0]) & (bbox[:, 3] - bbox[:, 1] <= rect[3] - rect[1])))


def construct(state: LayoutState, rng: np.random.Generator) -> list[int]:
    """Fill sheets one at a time; returns the copies left when the stock ran out."""
    prepared = state.prepared
    problem = prepared.problem
    stock_left = [c.stock if c.stock is not None else None for c in problem.bins]
    remaining = [int(k) for k in _order(prepared, rng)]
    while remaining:
        usable = [c for c in _container_order(problem)
                  if (stock_left[c] is None or stock_left[c] > 0) and _fits(prepared, remaining[0], c)]
        if not usable:
            break
        container = usable[0]
        if stock_left[container] is not None:
            stock_left[container] -= 1
        b = state.open_bin(container)
        left = []
        failed_items: set[int] = set()  # a copy of an item that did not fit: its twins will not either
        for k in remaining:
            item = int(prepared.copy_item[k])
            if item in failed_items:
                left.append(k)
                continue
            first, count = state.item_shapes(k)
            found, s, x, y = place_bottom_left(k, first, count, b, CONSTRUCTION_SAMPLES, np.inf,
                                               *state.kernel_args())
            if found:
                state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, b
            else:
                left.append(k)
                failed_items.add(item)
        if len(left) == len(remaining):  # nothing fitted on a fresh sheet: give it back
            state.drop_bin(b)
            if stock_left[container] is not None:
                stock_left[container] += 1
            break
        remaining = left
    state.refresh_all()
    return remaining


def _fill(state: LayoutState, b: int) -> float:
    members = state.bin_of == b
    return float(state.prepared.bank.area[state.shape_of[members]].sum())


def _lower_bound(problem: Problem) -> int:
    largest = max(c.area for c in problem.bins)
    return int(np.ceil(problem.item_area / largest - 1e-9))


def _try_inserting(state: LayoutState, copies: list[int], rng: np.random.Generator, deadline: float,
                   settings: SeparatorSettings, should_stop: Callable[[], bool]) -> bool:
    """Put ``copies`` (unplaced) where they overlap least, then separate; False (state
    unchanged) when the overlaps cannot all be removed."""
    before = state.snapshot()
    all_bins = np.arange(len(state.bin_types), dtype=np.int64)
    state.reset_weights()
    areas = state.prepared.bank.area[state.shape_of]
    for k in sorted(copies, key=lambda k: -areas[k]):
        first, count = state.item_shapes(int(k))
        # A free place if there is one (emptiest sheets first), else the least overlap.
        for b in sorted(all_bins, key=lambda b: _fill(state, b)):
            found, s, x, y = place_bottom_left(int(k), first, count, int(b), CONSTRUCTION_SAMPLES, np.inf,
                                               *state.kernel_args())
            if found:
                state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, b
                break
        else:
            s, x, y, nb, _ = search_move(int(k), first, count, all_bins, 200, 0, *state.kernel_args())
            state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, nb
    state.refresh_all()
    if separate(state, rng, deadline, settings, bins_for=lambda k: all_bins, should_stop=should_stop):
        return True
    state.restore(before)
    return False


def _try_removing_bin(state: LayoutState, b: int, rng: np.random.Generator, deadline: float,
                      settings: SeparatorSettings, should_stop: Callable[[], bool]) -> bool:
    """Empty bin b into the others and separate; False (state unchanged) when it does not work."""
    before = state.snapshot()
    moved = [int(k) for k in np.flatnonzero(state.bin_of == b)]
    state.drop_bin(b)
    if _try_inserting(state, moved, rng, deadline, settings, should_stop):
        return True
    state.restore(before)
    return False


def _compact_last(state: LayoutState, rng: np.random.Generator, deadline: float,
                  should_stop: Callable[[], bool]) -> None:
    """Push the copies of the last sheet toward its left edge, shortening it like a strip."""
    b = len(state.bin_types) - 1
    full_end = state.bin_rect[b, 2]
    state.bin_rect[b, 2] = state.extent_x(b)
    best = state.snapshot()
    settings = SeparatorSettings(iterations_without_progress=30, strikes=1)
    started = state.clock.now()
    failures = 0
    while state.clock.now() < deadline and not should_stop() and failures < COMPACTION_PATIENCE:
        left = max(0.0, (deadline - state.clock.now()) / max(deadline - started, 1e-9))
        ratio = COMPACTION_CUTS[1] + (COMPACTION_CUTS[0] - COMPACTION_CUTS[1]) * left
        state.restore(best)
        width = best.bin_rect[b, 2] - state.bin_rect[b, 0]
        new_end = best.bin_rect[b, 2] - ratio * width
        members = np.flatnonzero(state.bin_of == b)
        bbox = state.prepared.bank.bbox[state.shape_of[members]]
        split = state.bin_rect[b, 0] + rng.random() * (new_end - state.bin_rect[b, 0])
        right = 0.5 * (bbox[:, 0] + bbox[:, 2]) + state.pos_x[members] > split
        state.pos_x[members[right]] -= best.bin_rect[b, 2] - new_end
        state.bin_rect[b, 2] = new_end
        state.reset_weights()
        state.refresh_all()
        if separate(state, rng, deadline, settings, should_stop=should_stop):
            state.bin_rect[b, 2] = state.extent_x(b)
            best = state.snapshot()
            failures = 0
        else:
            failures += 1
    state.restore(best)
    state.bin_rect[b, 2] = full_end


def solve_bins(problem: Problem, *, time_limit: float, seed: int = 0,
               progress: Callable[[BinProgress], None] | None = None,
               should_stop: Callable[[], bool] = lambda: False, clock: Clock | None = None,
               start: Solution | None = None) -> Solution:
    clock = clock or Clock()
    wall_started = time.monotonic()
    started = clock.now()
    deadline = started + time_limit
    rng = np.random.default_rng(seed)
    seed_random(seed)
    prepared = prepare(problem)
    state = LayoutState(prepared, [], clock)
    if start is not None:
        unplaced = load_layout(state, start)
    else:
        unplaced = construct(state, rng)

    def report(phase: str) -> None:
        if progress:
            used = sum(problem.bins[t].area for t in state.bin_types)
            placed = float(prepared.bank.area[state.shape_of[state.bin_of >= 0]].sum())
            cost = sum(problem.bins[t].cost for t in state.bin_types)
            progress(BinProgress(len(state.bin_types), cost, placed / used if used else 0.0,
                                 time.monotonic() - wall_started, phase))

    report("construct")
    settings = SeparatorSettings()
    bound = _lower_bound(problem)
    reduce_end = started + (1.0 - COMPACTION_SHARE) * time_limit
    # Stock ran out: squeeze the copies left over into the sheets there are.
    while unplaced and len(state.bin_types) and state.clock.now() < reduce_end and not should_stop():
        if _try_inserting(state, unplaced, rng, reduce_end, settings, should_stop):
            unplaced = []
            report("insert")
    failures: dict[int, int] = {}
    while (not unplaced and len(state.bin_types) > max(bound, 1) and state.clock.now() < reduce_end
           and not should_stop()):
        fills = [_fill(state, b) for b in range(len(state.bin_types))]
        # Try the least-filled sheet first, but not the same one forever.
        order = sorted(range(len(fills)), key=lambda b: (failures.get(b, 0), fills[b]))
        b = order[0]
        if _try_removing_bin(state, b, rng, reduce_end, settings, should_stop):
            failures.clear()
            report("reduce")
        else:
            failures[b] = failures.get(b, 0) + 1
    _move_least_filled_last(state)
    if not unplaced:
        _compact_last(state, rng, deadline, should_stop)
    report("compact")
    return _solution(problem, state, unplaced, time.monotonic() - wall_started)


def _move_least_filled_last(state: LayoutState) -> None:
    fills = [_fill(state, b) for b in range(len(state.bin_types))]
    state.reorder_bins(sorted(range(len(fills)), key=lambda b: -fills[b]))
    state.refresh_all()


def _solution(problem: Problem, state: LayoutState, unplaced: list[int], run_time: float) -> Solution:
    prepared = state.prepared
    layouts = []
    for b, container in enumerate(state.bin_types):
        members = np.flatnonzero(state.bin_of == b)
        placed = tuple(
            PlacedItem(int(prepared.copy_item[k]), float(prepared.bank.rotation[state.shape_of[k]]),
                       (float(state.pos_x[k]), float(state.pos_y[k])))
            for k in members
        )
        layouts.append(BinLayout(container, placed))
    missing: dict[int, int] = {}
    for k in unplaced:
        item = int(prepared.copy_item[k])
        missing[item] = missing.get(item, 0) + 1
    return Solution(problem=problem, layouts=tuple(layouts), unplaced=missing, run_time_s=run_time)
