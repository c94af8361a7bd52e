"""Bin packing on stock sheets: fewest (cheapest) sheets, then the largest offcut.

A first layout fills one sheet at a time: bottom-left, largest copies first, and by
contact (nester.engine.contact), with noise, several times; the best is kept. When it
uses more sheets than the parts' area needs and that many sheets leave almost no
waste, a depth-first search looks for a layout on them (nester.engine.exact). Then
the least-filled sheet and a few random others are emptied and refilled by contact,
and the result is kept when it is no worse (fewer sheets, or fuller sheets beside an
emptier one). Last, the sheets are shortened like a strip laid end to end: the
least-filled sheet goes last and is cut shorter, and the separator removes the
overlaps this makes, moving copies to any sheet. A last sheet cut to nothing is a
sheet saved; once no sheet can be saved, the cuts leave one offcut rectangle on the
right of the last sheet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nester.engine.clock import Clock
from nester.engine.construct import place_bottom_left
from nester.engine.contact import ContactFiller
from nester.engine.exact import CRUMB, fill_without_waste, target_sheets
from nester.engine.explore import FailurePool
from nester.engine.moves import search_move, seed_random
from nester.engine.separator import SeparatorSettings, separate
from nester.engine.shapes import PreparedProblem, prepare
from nester.engine.state import LayoutState
from nester.engine.warm_start import load_layout
from nester.problem import BinLayout, PlacedItem, Problem, Solution

CONSTRUCTION_SAMPLES = 150
COMPACTION_SHARE = 0.2  # of the time limit, for small cuts of the last sheet (once no sheet can be saved)
CONTACT_SHARE = 0.15  # of the time limit, for first layouts filled by contact
CONTACT_NOISE = 0.3  # relative noise on the contact of a place, after the first such layout
EXACT_SHARE = 0.15  # of the time limit, after the first layouts, for a layout without waste
EXACT_NODES_PER_COPY = 5  # a search's budget, times Luby's sequence over the restarts
EXACT_TIGHT = 0.01  # of the sheets' area: with less waste than this, the search may run longer,
EXACT_TIGHT_END = 0.45  # until this share of the time limit
EXACT_LOOSE = 0.05  # of the sheets' area: with more waste than this, no search
EXACT_NOISE = 0.3  # relative noise on the order places are tried in, after the first search
REFILL_SHARE = 0.3  # of the time limit: until then, sheets are emptied and refilled by contact
FULL = 0.9999  # a sheet this full is left alone
REFILL_MORE = 3  # at most this many random sheets are emptied with the least-filled one
SHRINK_FIRST_CUT = 0.01  # of the sheets' length (nester.engine.strip's exploration cuts)
SHRINK_SMALLEST_CUT = 0.001
SHRINK_CUTS = (0.005, 0.0001)  # the compression's cuts, from the first to the last
COMPACTION_PATIENCE = 6  # failed cuts in a row that end the shrinking once the sheets are at the area bound
EXPLORE = SeparatorSettings()
COMPRESS = SeparatorSettings(iterations_without_progress=100, strikes=5)
AT_BOUND = SeparatorSettings(iterations_without_progress=30, strikes=1)  # the offcut alone is not worth more
LEAST_OVERLAP_SAMPLES = 200  # uniform samples for a copy put where it overlaps least


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


def _fill_bottom_left(state: LayoutState, b: int, copies: list[int]) -> list[int]:
    """Place what goes in bin b, bottom-left, in the given order; returns the copies left."""
    prepared = state.prepared
    left = []
    failed_items: set[int] = set()  # a copy of an item that did not fit: its twins will not either
    for k in copies:
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
    return left


def construct(state: LayoutState, rng: np.random.Generator,
              fill: Callable[[int, list[int]], list[int]] | None = None) -> list[int]:
    """Fill sheets one at a time (``fill(bin, copies)`` places what it can and returns the
    rest; bottom-left by default); returns the copies left when the stock ran out."""
    prepared = state.prepared
    problem = prepared.problem
    fill = fill or (lambda b, copies: _fill_bottom_left(state, b, copies))
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
        left = fill(b, remaining)
        if len(left) == len(remaining):  # nothing fitted on a fresh sheet: give it back
            state.drop_bin(b)
            if stock_left[container] is not None:
                stock_left[container] += 1
            break
        remaining = left
    state.refresh_all()
    return remaining


def _layout_key(state: LayoutState, unplaced: list[int]) -> tuple:
    """Lower is better: area left out (when stock runs out, the most material is cut), then
    copies left out, then cost, then sheets filled unevenly (an almost empty sheet is the
    easiest to remove later)."""
    problem = state.prepared.problem
    fills = _fill_shares(state)
    cost = sum(problem.bins[t].cost for t in state.bin_types)
    left_out = float(state.prepared.bank.area[state.shape_of[unplaced]].sum()) if unplaced else 0.0
    return left_out, len(unplaced), cost, -float(np.sum(fills ** 2))


def first_layout(state: LayoutState, rng: np.random.Generator, deadline: float, enough: int,
                 should_stop: Callable[[], bool], improved: Callable[[], None] = lambda: None,
                 filler: ContactFiller | None = None) -> list[int]:
    """The best of a bottom-left layout and layouts filled by contact (the first without
    noise, the others with) made until ``deadline`` or until ``enough`` sheets; the state
    holds it, and the copies it leaves out are returned. ``improved`` is called whenever
    the state holds a better layout than before."""
    filler = filler or ContactFiller(state)
    best, best_key, best_unplaced = None, None, []
    attempt = 0
    while True:
        state.clear()
        if attempt == 0:
            unplaced = construct(state, rng)
        else:
            noise = 0.0 if attempt == 1 else CONTACT_NOISE
            unplaced = construct(state, rng, lambda b, copies, noise=noise: filler.fill(
                b, copies, rng, noise, deadline, should_stop))
        key = _layout_key(state, unplaced)
        if best_key is None or key < best_key:
            best, best_key, best_unplaced = state.snapshot(), key, unplaced
            improved()
        attempt += 1
        if attempt >= 2 and (state.clock.now() >= deadline or should_stop()
                             or (not best_unplaced and len(best.bin_types) <= enough)):
            break
    state.restore(best)
    return best_unplaced


def layout_without_waste(state: LayoutState, filler: ContactFiller, rng: np.random.Generator, deadline: float,
                         should_stop: Callable[[], bool] = lambda: False, noisy_from_start: bool = False,
                         tight_deadline: float | None = None) -> bool:
    """Search for a layout of every copy on the fewest sheets their area needs
    (nester.engine.exact), restarting with noise and a growing budget until ``deadline``,
    or ``tight_deadline`` when those sheets leave almost no waste (EXACT_TIGHT: the
    search is then narrow and the likeliest way to them); the first search is without
    noise unless ``noisy_from_start``. True when one is found and it beats the state's
    layout (the state then holds it); otherwise the state is unchanged."""
    problem = state.prepared.problem
    unplaced = [int(k) for k in np.flatnonzero(state.bin_of < 0)]
    before, before_key = state.snapshot(), _layout_key(state, unplaced)
    state.clear()
    for container in _container_order(problem):
        sheets = target_sheets(state, container)
        stock = problem.bins[container].stock
        if stock is not None and stock < sheets:
            continue
        if not all(_fits(state.prepared, k, container) for k in range(state.prepared.copies)):
            continue
        if not unplaced and sheets >= len(before.bin_types):
            break  # no fewer sheets to find
        region = state.prepared.container_regions[container].area
        waste = sheets * region - float(state.prepared.outline_area[state.shape_of].sum())
        if waste < -CRUMB * region:
            break  # rounding at the bound: no such layout
        if waste > EXACT_LOOSE * sheets * region:
            break  # room for parts laid anyhow: a search without waste is not the way there
        if tight_deadline is not None and waste <= EXACT_TIGHT * sheets * region:
            deadline = max(deadline, tight_deadline)
        budget = EXACT_NODES_PER_COPY * max(state.prepared.copies, 1)
        attempt = 0
        while state.clock.now() < deadline and not should_stop():
            noise = 0.0 if attempt == 0 and not noisy_from_start else EXACT_NOISE
            if fill_without_waste(state, filler, container, sheets, rng, noise, budget * _luby(attempt + 1),
                                  deadline, should_stop):
                if _layout_key(state, []) < before_key:
                    return True
                break
            attempt += 1
        break
    state.restore(before)
    return False


def _luby(i: int) -> int:
    """The i-th term (from 1) of Luby's sequence 1 1 2 1 1 2 4 1 1 2 ...: restart budgets
    within a constant factor of the best fixed one, whatever the search's run-time law."""
    size = 1
    while size < i + 1:
        size = 2 * size + 1
    while True:
        if i == size:
            return (size + 1) // 2
        size //= 2
        if i > size:
            i -= size


def refill(state: LayoutState, filler: ContactFiller, rng: np.random.Generator, deadline: float,
           should_stop: Callable[[], bool] = lambda: False) -> bool | None:
    """Empty the least-filled sheet and a few random others, put their copies in the
    gaps of the other sheets and then on fresh sheets of the same types, by contact;
    keep the result if it is no worse (the state is unchanged otherwise). None: there
    is nothing to try (one sheet, or every other sheet full)."""
    count = len(state.bin_types)
    if count < 2:
        return None
    before_key = _layout_key(state, [])
    before = state.snapshot()
    fills = _fill_shares(state)
    least = int(np.argmin(fills))
    # A full sheet is done; the emptier a sheet, the likelier it is picked.
    others = [b for b in range(count) if b != least and fills[b] < FULL]
    if not others:
        return None
    weights = 1.0 - fills[others]
    more = rng.choice(others, size=min(len(others), int(rng.integers(1, REFILL_MORE + 1))), replace=False,
                      p=weights / weights.sum())
    chosen = sorted({least, *[int(b) for b in more]})
    types = [state.bin_types[b] for b in chosen]
    copies = [int(k) for b in chosen for k in np.flatnonzero(state.bin_of == b)]
    for b in reversed(chosen):
        state.drop_bin(b)
    for b in range(len(state.bin_types)):
        if not copies:
            break
        copies = filler.fill(b, copies, rng, CONTACT_NOISE, deadline, should_stop)
    for container in types:
        if not copies:
            break
        b = state.open_bin(container)
        left = filler.fill(b, copies, rng, CONTACT_NOISE, deadline, should_stop)
        if len(left) == len(copies):
            break
        copies = left
    if not copies and _layout_key(state, []) <= before_key:
        state.refresh_all()
        return True
    state.restore(before)
    return False


def _fill_shares(state: LayoutState) -> np.ndarray:
    """Per bin, the share of its sheet's area that its copies cover."""
    containers = state.prepared.problem.bins
    return np.array([_fill(state, b) / containers[t].area for b, t in enumerate(state.bin_types)])


def _fill(state: LayoutState, b: int) -> float:
    members = state.bin_of == b
    return float(state.prepared.bank.area[state.shape_of[members]].sum())


def _lower_bound(problem: Problem) -> int:
    largest = max(c.area for c in problem.bins)
    return int(np.ceil(problem.item_area / largest - 1e-9))


def _move_where_least_overlap(state: LayoutState, k: int, bins: np.ndarray) -> None:
    """Copy k to the place of least weighted overlap that uniform samples over ``bins`` find;
    its overlaps are left for the caller to refresh (the samples do not read them)."""
    first, count = state.item_shapes(k)
    s, x, y, nb, _ = search_move(k, first, count, bins, LEAST_OVERLAP_SAMPLES, 0, *state.kernel_args())
    state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, nb


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
            _move_where_least_overlap(state, int(k), all_bins)
    state.refresh_all()
    if separate(state, rng, deadline, settings, all_bins=all_bins, should_stop=should_stop):
        return True
    state.restore(before)
    return False


def _sheets_length(state: LayoutState) -> float:
    """A layout's length as if its sheets were laid end to end: the usable width of
    every sheet but the last, and the used part of the last (which is the offcut's edge)."""
    rects = state.prepared.container_rect[state.bin_types[:-1]]
    last = len(state.bin_types) - 1
    return float(np.sum(rects[:, 2] - rects[:, 0])) + state.extent_x(last) - float(state.bin_rect[last, 0])


def _least_filled_last(state: LayoutState) -> None:
    """Drop empty sheets, put the least-filled last and end it where its copies end;
    every other sheet gets its full width."""
    for b in reversed(range(len(state.bin_types))):
        if not np.any(state.bin_of == b):
            state.drop_bin(b)
    state.reorder_bins(_fullest_first(state))
    state.bin_rect[:] = state.prepared.container_rect[state.bin_types]
    state.bin_rect[-1, 2] = state.extent_x(len(state.bin_types) - 1)
    state.refresh_all()


def _cut_last(state: LayoutState, new_end: float, rng: np.random.Generator) -> None:
    """End the last sheet at ``new_end`` as the strip is cut (LayoutState.cut_end). An end
    at or before the sheet's start drops the sheet instead, its copies going where they
    overlap least on the others. The overlaps this makes are the separator's to remove;
    the weights restart."""
    b = len(state.bin_types) - 1
    if new_end > float(state.bin_rect[b, 0]):
        state.cut_end(b, new_end, rng)
        return
    moved = np.flatnonzero(state.bin_of == b)
    state.drop_bin(b)
    others = np.arange(len(state.bin_types), dtype=np.int64)
    areas = state.prepared.bank.area[state.shape_of]
    for k in moved[np.argsort(-areas[moved], kind="stable")]:
        _move_where_least_overlap(state, int(k), others)
    state.reset_weights()
    state.refresh_all()


def _shrink(state: LayoutState, rng: np.random.Generator, exploration_end: float, deadline: float, bound: int,
            should_stop: Callable[[], bool], improved: Callable[[], None]) -> None:
    """Shorten the layout like a strip (nester.engine.strip): the sheets laid end to end,
    the least-filled last, the last cut shorter and the overlaps removed by the separator,
    which may move copies to any sheet. A last sheet cut to nothing is a sheet saved; the
    next least-filled becomes the last. Exploration (a pool of failures, disruption) runs
    while a sheet may still be saved, else until ``exploration_end``; then smaller cuts
    of the best layout until ``deadline``. At the area bound only the offcut can grow, and
    a few failed cuts in a row end it. The state ends with the best layout, every sheet
    at its full width."""
    _least_filled_last(state)
    best, best_length = state.snapshot(), _sheets_length(state)
    bbox = state.prepared.bank.bbox
    narrowest = np.array([np.min(bbox[first:first + count, 2] - bbox[first:first + count, 0])
                          for first, count in map(state.item_shapes, range(state.prepared.copies))])
    failures = 0  # in a row

    def above_bound() -> bool:
        return len(best.bin_types) > max(bound, 1)

    def going_on(until: float) -> bool:
        return (state.clock.now() < until and not should_stop()
                and (above_bound() or failures < COMPACTION_PATIENCE))

    def next_end(share: float) -> float | None:
        """Where the last sheet of the best layout ends after a cut of ``share`` of its
        length; None when that would drop a sheet the area cannot spare."""
        start = float(best.bin_rect[-1, 0])
        end = float(best.bin_rect[-1, 2]) - share * best_length
        if end - start < narrowest[best.bin_of == len(best.bin_types) - 1].min():
            end = start  # no copy of the last sheet would fit in what is left of it
        if end <= start and not above_bound():
            return None
        return end

    def separated(until: float, settings: SeparatorSettings) -> bool:
        all_bins = np.arange(len(state.bin_types), dtype=np.int64)
        return separate(state, rng, until, settings, all_bins=all_bins, should_stop=should_stop)

    def record() -> None:
        nonlocal best, best_length
        emptied = len(np.unique(state.bin_of[state.bin_of >= 0])) < len(state.bin_types)
        if emptied or len(state.bin_types) < len(best.bin_types):
            _least_filled_last(state)
        else:
            state.bin_rect[-1, 2] = state.extent_x(len(state.bin_types) - 1)
        best, best_length = state.snapshot(), _sheets_length(state)
        improved()

    def exploring_until() -> float:
        return deadline if above_bound() else exploration_end

    step = SHRINK_FIRST_CUT
    pool = FailurePool()
    end = next_end(step)
    if end is not None:
        _cut_last(state, end, rng)
    while end is not None and going_on(exploring_until()):
        if not separated(exploring_until(), EXPLORE if above_bound() else AT_BOUND):
            failures += 1
            pool.add(state)
            step = max(SHRINK_SMALLEST_CUT, step * 0.7)
            pool.restart(state, rng)
            continue
        failures = 0
        record()
        pool.clear()
        end = next_end(step)
        if end is not None:
            _cut_last(state, end, rng)
    compression_start = state.clock.now()
    while going_on(deadline):
        left = max(0.0, (deadline - state.clock.now()) / max(deadline - compression_start, 1e-9))
        end = next_end(SHRINK_CUTS[1] + (SHRINK_CUTS[0] - SHRINK_CUTS[1]) * left)
        if end is None:
            break
        state.restore(best)
        _cut_last(state, end, rng)
        if separated(deadline, COMPRESS if above_bound() else AT_BOUND):
            failures = 0
            record()
        else:
            failures += 1
    state.restore(best)
    state.bin_rect[:] = state.prepared.container_rect[state.bin_types]
    state.refresh_all()


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

    def report(phase: str) -> None:
        if progress:
            used = sum(problem.bins[t].area for t in state.bin_types)
            placed = float(prepared.bank.area[state.shape_of[state.bin_of >= 0]].sum())
            cost = sum(problem.bins[t].cost for t in state.bin_types)
            progress(BinProgress(len(state.bin_types), cost, placed / used if used else 0.0,
                                 time.monotonic() - wall_started, phase))

    bound = _lower_bound(problem)
    if start is not None:
        unplaced = load_layout(state, start)
    else:
        filler = ContactFiller(state)
        unplaced = first_layout(state, rng, started + CONTACT_SHARE * time_limit, bound, should_stop,
                                lambda: report("construct"), filler)

    report("construct")
    # Odd seeds (every other worker) search with noise from the start: not the same tree twice.
    if (start is None and (unplaced or len(state.bin_types) > bound)
            and layout_without_waste(state, filler, rng, state.clock.now() + EXACT_SHARE * time_limit, should_stop,
                                     noisy_from_start=seed % 2 == 1,
                                     tight_deadline=started + EXACT_TIGHT_END * time_limit)):
        unplaced = []
        report("without waste")
    if start is None and not unplaced:
        refill_end = started + REFILL_SHARE * time_limit
        while len(state.bin_types) > max(bound, 1) and state.clock.now() < refill_end and not should_stop():
            sheets = len(state.bin_types)
            kept = refill(state, filler, rng, refill_end, should_stop)
            if kept is None:
                break
            if kept and len(state.bin_types) < sheets:
                report("refill")
    shrink_end = started + (1.0 - COMPACTION_SHARE) * time_limit
    # Stock ran out: squeeze the copies left over into the sheets there are.
    while unplaced and len(state.bin_types) and state.clock.now() < shrink_end and not should_stop():
        if _try_inserting(state, unplaced, rng, shrink_end, SeparatorSettings(), should_stop):
            unplaced = []
            report("insert")
    if unplaced:
        _move_least_filled_last(state)
    else:
        _shrink(state, rng, shrink_end, deadline, bound, should_stop, lambda: report("shrink"))
    report("compact")
    return _solution(problem, state, unplaced, time.monotonic() - wall_started)


def _fullest_first(state: LayoutState) -> list[int]:
    fills = [_fill(state, b) for b in range(len(state.bin_types))]
    return sorted(range(len(fills)), key=lambda b: -fills[b])


def _move_least_filled_last(state: LayoutState) -> None:
    state.reorder_bins(_fullest_first(state))
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
