"""Strip packing (fixed height, shortest length), after sparrow: from a bottom-left first
layout, repeatedly cut a slice out of the strip and let the separator remove the
overlaps it made; keep the shortest overlap-free layout. Exploration first with
larger cuts, then compression with smaller ones."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nester.engine.clock import Clock
from nester.engine.construct import place_bottom_left
from nester.engine.explore import FailurePool
from nester.engine.moves import seed_random
from nester.engine.separator import SeparatorSettings, separate
from nester.engine.shapes import PreparedProblem, prepare
from nester.engine.state import LayoutState
from nester.engine.warm_start import load_layout
from nester.errors import InputError
from nester.problem import BinLayout, PlacedItem, Problem, Solution

EXPLORATION_SHARE = 0.8
FIRST_CUT = 0.01
SMALLEST_EXPLORATION_CUT = 0.001
COMPRESSION_CUTS = (0.005, 0.0001)
CONSTRUCTION_SAMPLES = 300


@dataclass
class Progress:
    """What the progress callback sees: the best length and density so far."""

    length: float
    density: float
    elapsed_s: float
    phase: str


def _order(prepared: PreparedProblem, rng: np.random.Generator) -> np.ndarray:
    areas = prepared.bank.area[prepared.item_first_shape[prepared.copy_item]]
    jitter = rng.random(len(areas)) * 1e-6
    return np.argsort(-(areas + jitter * areas.max()), kind="stable")


def construct(state: LayoutState, rng: np.random.Generator) -> None:
    prepared = state.prepared
    bbox = prepared.bank.bbox
    for k in _order(prepared, rng):
        first, count = state.item_shapes(int(k))
        width = float(np.max(bbox[first:first + count, 2] - bbox[first:first + count, 0]))
        limit = state.extent_x(0) + 2.0 * width
        found, s, x, y = place_bottom_left(int(k), first, count, 0, CONSTRUCTION_SAMPLES, limit,
                                           *state.kernel_args())
        if not found:
            raise RuntimeError("the strip construction found no place; the strip is too short")
        state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, 0
    state.refresh_all()


def _length(state: LayoutState, clearance: float) -> float:
    return state.extent_x(0) + clearance


def solve_strip(problem: Problem, *, time_limit: float, seed: int = 0,
                progress: Callable[[Progress], None] | None = None,
                should_stop: Callable[[], bool] = lambda: False, clock: Clock | None = None,
                start: Solution | None = None) -> Solution:
    """The shortest overlap-free layout found within ``time_limit`` seconds, from ``start``
    if given (a valid layout of this problem), else from a bottom-left one."""
    clock = clock or Clock()
    wall_started = time.monotonic()
    started = clock.now()
    deadline = started + time_limit
    rng = np.random.default_rng(seed)
    seed_random(seed)
    prepared = prepare(problem)
    clearance = problem.margin - problem.spacing / 2.0
    state = LayoutState(prepared, [0], clock)
    if start is None:
        construct(state, rng)
    elif load_layout(state, start):
        raise InputError(f"{problem.source or problem.name}: the warm start leaves copies out of the strip")
    state.bin_rect[0, 2] = state.extent_x(0)
    best = state.snapshot()
    best_length = _length(state, clearance)
    lower_bound = problem.item_area / problem.strip_height
    settings = SeparatorSettings()

    def report(phase: str) -> None:
        if progress:
            progress(Progress(best_length, problem.item_area / (best_length * problem.strip_height),
                              time.monotonic() - wall_started, phase))

    def done() -> bool:
        return should_stop() or best_length <= lower_bound * (1.0 + 1e-9)

    def record() -> None:
        nonlocal best, best_length
        state.bin_rect[0, 2] = state.extent_x(0)
        best = state.snapshot()
        best_length = _length(state, clearance)

    report("construct")
    # Exploration: stay at the current length after a failure, restarting from the
    # least-overlapping failures (biased to the best) with a disruption.
    exploration_end = started + EXPLORATION_SHARE * time_limit
    step = FIRST_CUT
    pool = FailurePool()
    state.cut_end(0, best.bin_rect[0, 2] * (1.0 - step), rng)
    while state.clock.now() < exploration_end and not done():
        if separate(state, rng, exploration_end, settings, should_stop=should_stop):
            record()
            report("explore")
            pool.clear()
            state.cut_end(0, best.bin_rect[0, 2] * (1.0 - step), rng)
            continue
        pool.add(state)
        step = max(SMALLEST_EXPLORATION_CUT, step * 0.7)
        pool.restart(state, rng)
    # Compression: small cuts of the best layout, smaller as time runs out.
    compression_start = state.clock.now()
    while state.clock.now() < deadline and not done():
        left = max(0.0, (deadline - state.clock.now()) / max(deadline - compression_start, 1e-9))
        ratio = COMPRESSION_CUTS[-1] + (COMPRESSION_CUTS[0] - COMPRESSION_CUTS[-1]) * left
        state.restore(best)
        state.cut_end(0, best.bin_rect[0, 2] - ratio * best_length, rng)
        if separate(state, rng, deadline, SeparatorSettings(iterations_without_progress=100, strikes=5),
                    should_stop=should_stop):
            record()
            report("compress")
    state.restore(best)
    return _solution(problem, state, best_length, time.monotonic() - wall_started)


def _solution(problem: Problem, state: LayoutState, length: float, run_time: float) -> Solution:
    prepared = state.prepared
    placed = tuple(
        PlacedItem(int(prepared.copy_item[k]), float(prepared.bank.rotation[state.shape_of[k]]),
                   (float(state.pos_x[k]), float(state.pos_y[k])))
        for k in range(prepared.copies)
    )
    return Solution(problem=problem, layouts=(BinLayout(0, placed),), strip_length=length, run_time_s=run_time)
