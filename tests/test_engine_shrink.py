"""Sheets shortened like a strip laid end to end (nester.engine.bins._shrink): a sheet the
layout wastes is saved by re-packing the others, and the last sheet ends compacted to
the left; the exploration's disruption and the separator's weights stay sound."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box
from shapely.geometry.polygon import orient

from nester.engine import bins
from nester.engine.bins import _shrink, _solution, layout_without_waste
from nester.engine.clock import WorkClock
from nester.engine.contact import ContactFiller
from nester.engine.explore import disrupt
from nester.engine.moves import seed_random
from nester.engine.separator import WEIGHT_CEILING, update_weights
from nester.engine.shapes import prepare
from nester.engine.state import LayoutState
from nester.problem import Container, Item, Problem
from nester.solution_check import solution_problems


def square(side: float):
    return orient(box(0, 0, side, side))


def _laid_out(problem: Problem, places: list[tuple[int, float, float]], sheets: int) -> LayoutState:
    """A state with copy k at places[k] = (sheet, x, y), as the item is drawn (no rotation)."""
    state = LayoutState(prepare(problem), [0] * sheets, WorkClock())
    for k, (b, x, y) in enumerate(places):
        state.bin_of[k], state.pos_x[k], state.pos_y[k] = b, x, y
    state.refresh_all()
    assert state.total_overlap() == 0.0
    return state


# Nine 95 mm squares fill a 300 mm sheet only as a 3 x 3 grid. The first sheet holds five of
# them as on a die (corners and centre), where no other square fits; the second holds four.
NINE = Problem(name="nine", items=(Item(0, square(95.0), demand=9, rotations=(0.0,)),),
               bins=(Container(0, square(300.0), stock=None),))
DIE = [(0, 0.0, 0.0), (0, 205.0, 0.0), (0, 0.0, 205.0), (0, 205.0, 205.0), (0, 102.5, 102.5)]
BLOCK = [(1, 0.0, 0.0), (1, 100.0, 0.0), (1, 0.0, 100.0), (1, 100.0, 100.0)]


@pytest.mark.parametrize("seed", [0, 1])
def test_shrinking_saves_the_sheet_a_layout_wastes_by_repacking_the_other(seed):
    state = _laid_out(NINE, DIE + BLOCK, sheets=2)
    rng = np.random.default_rng(seed)
    seed_random(seed)
    improvements = []
    deadline = state.clock.now() + 30.0
    _shrink(state, rng, deadline, deadline, bins._lower_bound(NINE), lambda: False,
            lambda: improvements.append(len(state.bin_types)))
    solution = _solution(NINE, state, [], 0.0)
    assert solution_problems(solution) == []
    assert len(solution.layouts) == 1 and len(solution.layouts[0].placed) == 9
    assert improvements and improvements[-1] == 1
    # The sheet is the full sheet again (the shrinking only measured it shorter).
    assert np.array_equal(state.bin_rect[0], state.prepared.container_rect[0])


def test_shrinking_pushes_the_last_sheet_to_the_left_and_keeps_the_full_ones():
    # One full sheet (a 3 x 3 grid) and, last, two squares spread along the second sheet.
    grid = [(0, 2.5 + 100.0 * i, 2.5 + 100.0 * j) for i in range(3) for j in range(3)]
    problem = Problem(name="eleven", items=(Item(0, square(95.0), demand=11, rotations=(0.0,)),),
                      bins=(Container(0, square(300.0), stock=None),))
    state = _laid_out(problem, grid + [(1, 0.0, 0.0), (1, 200.0, 150.0)], sheets=2)
    rng = np.random.default_rng(0)
    seed_random(0)
    deadline = state.clock.now() + 30.0
    _shrink(state, rng, deadline, deadline, bins._lower_bound(problem), lambda: False, lambda: None)
    solution = _solution(problem, state, [], 0.0)
    assert solution_problems(solution) == []
    assert [len(layout.placed) for layout in solution.layouts] == [9, 2]  # the area needs two sheets
    right = max(p.translation[0] + 95.0 for p in solution.layouts[1].placed)
    assert right < 190.0  # one above the other on the left, not side by side: over 110 mm of offcut


def test_disruption_swaps_two_copies_places_and_sheets():
    # Two items of one shape (the disruption swaps large copies of different items).
    problem = Problem(name="two", items=(Item(0, square(95.0), demand=1, rotations=(0.0,)),
                                         Item(1, square(95.0), demand=1, rotations=(0.0,))),
                      bins=(Container(0, square(300.0), stock=None),))
    state = _laid_out(problem, [(0, 10.0, 20.0), (1, 110.0, 100.0)], sheets=2)
    middle = [(47.5, 47.5), (47.5, 47.5)]
    before = [(state.pos_x[k] + middle[k][0], state.pos_y[k] + middle[k][1], state.bin_of[k]) for k in (0, 1)]
    disrupt(state, np.random.default_rng(0))
    after = [(state.pos_x[k] + middle[k][0], state.pos_y[k] + middle[k][1], state.bin_of[k]) for k in (0, 1)]
    assert after[0] == pytest.approx(before[1]) and after[1] == pytest.approx(before[0])


def test_weights_of_a_pair_that_never_comes_apart_stay_finite():
    problem = Problem(name="stuck", items=(Item(0, square(95.0), demand=2, rotations=(0.0,)),),
                      bins=(Container(0, square(300.0), stock=None),))
    state = LayoutState(prepare(problem), [0], WorkClock())
    state.bin_of[:] = 0
    state.pos_x[:] = [0.0, 50.0]
    state.refresh_all()
    for _ in range(2000):  # growing at least x1.2 each time: 1.2 ** 2000 overflows a float
        update_weights(state)
    assert np.all(np.isfinite(state.weights)) and state.weights[0, 1] == WEIGHT_CEILING
    assert np.isfinite(state.weighted_overlap())


def test_no_search_without_waste_when_the_area_bound_leaves_room(monkeypatch):
    # Six 95 mm squares on 300 mm sheets: 60 % of one sheet, so the search would have 40 % to waste.
    problem = Problem(name="loose", items=(Item(0, square(95.0), demand=6, rotations=(0.0,)),),
                      bins=(Container(0, square(300.0), stock=None),))
    state = _laid_out(problem, [(k // 3, 100.0 * (k % 3), 0.0) for k in range(6)], sheets=2)
    searches = []
    monkeypatch.setattr(bins, "fill_without_waste", lambda *args: searches.append(args) or False)
    found = layout_without_waste(state, ContactFiller(state), np.random.default_rng(0), state.clock.now() + 30.0)
    assert not found and searches == []
    assert len(state.bin_types) == 2  # unchanged
