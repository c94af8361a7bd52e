"""The nesting engine end to end on small real instances: every layout it returns passes the
exact shapely check, and it does what strip and bin packing ask."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box
from shapely.geometry.polygon import orient

from nester.engine.bins import _layout_key as layout_key
from nester.engine.clock import WorkClock
from nester.engine.moves import search_move, seed_random
from nester.engine.separator import SeparatorSettings, best_of_passes, move_colliding_copies, separate
from nester.engine.shapes import prepare
from nester.engine.solve import _rank as solution_rank
from nester.engine.solve import solve
from nester.engine.state import LayoutState
from nester.engine.strip import construct, solve_strip
from nester.errors import InputError
from nester.formats import read_instance, read_solution, write_solution
from nester.model import place
from nester.offcut import offcut_rectangle
from nester.problem import BinLayout, Container, Item, PlacedItem, Problem, Solution
from nester.solution_check import solution_problems

DATA = Path(__file__).parent / "data" / "nesting"


def rectangle(w: float, h: float):
    return orient(box(0, 0, w, h))


def test_strip_packing_of_jakobs1_is_valid_and_dense():
    problem = read_instance(DATA / "jakobs1.json")
    solution = solve_strip(problem, time_limit=3.0, seed=1)
    assert solution_problems(solution) == []
    assert sum(len(layout.placed) for layout in solution.layouts) == problem.total_demand
    assert solution.strip_length >= problem.item_area / problem.strip_height
    assert solution.density > 0.75


def test_the_separator_removes_the_overlaps_of_a_shortened_strip():
    problem = read_instance(DATA / "jakobs1.json")
    state = LayoutState(prepare(problem), [0])
    rng = np.random.default_rng(2)
    seed_random(2)
    construct(state, rng)
    first_end = state.extent_x(0)
    state.bin_rect[0, 2] = first_end * 0.98  # 2 % shorter: copies stick out and overlap
    state.pos_x[:] = np.minimum(state.pos_x, state.bin_rect[0, 2] - state.prepared.bank.bbox[state.shape_of, 2])
    state.refresh_all()
    assert state.total_overlap() > 0.0
    assert separate(state, rng, time.monotonic() + 60.0, SeparatorSettings())
    assert state.total_overlap() == 0.0
    assert state.extent_x(0) <= first_end * 0.98 + 1e-9


def _shortened_jakobs1(seed: int) -> LayoutState:
    state = LayoutState(prepare(read_instance(DATA / "jakobs1.json")), [0])
    seed_random(seed)
    construct(state, np.random.default_rng(seed))
    state.bin_rect[0, 2] = state.extent_x(0) * 0.95
    state.pos_x[:] = np.minimum(state.pos_x, state.bin_rect[0, 2] - state.prepared.bank.bbox[state.shape_of, 2])
    state.refresh_all()
    return state


def test_a_separator_pass_in_numba_moves_as_the_plain_python_loop_does():
    settings = SeparatorSettings()
    reference = _shortened_jakobs1(4)
    order = reference.colliding()[::-1].copy()
    assert len(order) > 2
    seed_random(11)
    moved = 0
    for k in order:  # the reference: one search_move per copy still colliding, then its overlaps
        if reference.wall_overlap[k] > 0.0 or reference.overlap[k].any():
            first, count = reference.item_shapes(int(k))
            s, x, y, b, _ = search_move(int(k), first, count, reference.bin_of[k:k + 1], settings.uniform_samples,
                                        settings.local_samples, *reference.kernel_args())
            reference.shape_of[k], reference.pos_x[k], reference.pos_y[k], reference.bin_of[k] = s, x, y, b
            reference.refresh(int(k))
            moved += 1
    state = _shortened_jakobs1(4)
    state.clock = WorkClock()
    seed_random(11)
    move_colliding_copies(state, order, None, settings)
    assert state.clock.moves == moved
    for name in ("shape_of", "pos_x", "pos_y", "bin_of", "overlap", "wall_overlap"):
        assert np.array_equal(getattr(state, name), getattr(reference, name)), name


def test_best_of_passes_keeps_the_pass_with_the_least_weighted_overlap():
    settings = SeparatorSettings(passes=3)
    state = _shortened_jakobs1(6)
    state.weights[:] = np.random.default_rng(1).uniform(1.0, 3.0, state.weights.shape)
    colliding = state.colliding()
    # The reference: three passes from the same layout, one after the other, same random streams.
    reference = _shortened_jakobs1(6)
    reference.weights[:] = state.weights
    start = reference.moves_snapshot()
    seed_random(1)
    rng = np.random.default_rng(1)
    passes = []
    for _ in range(settings.passes):
        reference.restore_moves(start)
        order = colliding.copy()
        rng.shuffle(order)
        move_colliding_copies(reference, order, None, settings)
        passes.append((reference.weighted_overlap(), reference.pos_x.copy(), reference.shape_of.copy()))
    loss, pos_x, shape_of = min(passes, key=lambda p: p[0])
    assert loss < passes[-1][0] and loss < passes[0][0]  # not simply the first or the last pass
    seed_random(1)
    best_of_passes(state, colliding, np.random.default_rng(1), None, settings)
    assert state.weighted_overlap() == loss
    assert np.array_equal(state.pos_x, pos_x) and np.array_equal(state.shape_of, shape_of)
    kept = state.overlap.copy(), state.wall_overlap.copy()
    state.refresh_all()  # the overlaps kept with the pass are those of its layout
    # (up to the float32 proxy's rounding: a pair measured from either side sums in another order)
    assert np.allclose(state.overlap, kept[0], rtol=1e-5, atol=0.0)
    assert np.allclose(state.wall_overlap, kept[1], rtol=1e-5, atol=0.0)
    assert np.array_equal(state.overlap > 0.0, kept[0] > 0.0)


def test_bins_use_the_area_lower_bound_on_an_easy_instance_and_report_an_offcut():
    items = (Item(0, rectangle(300, 200), demand=6, rotations=(0.0, 90.0)),
             Item(1, rectangle(150, 100), demand=9, rotations=(0.0, 90.0)))
    sheet = Container(0, rectangle(1000, 800), stock=None, cost=1.0)
    problem = Problem(name="easy", items=items, bins=(sheet,), spacing=6.0, margin=10.0)
    solution = solve(problem, time_limit=3.0, seed=0)
    assert solution_problems(solution) == []
    assert len(solution.layouts) == 1 and not solution.unplaced  # 0.62 of the sheet
    x0, y0, x1, y1 = offcut_rectangle(solution, solution.layouts[0])
    assert (y0, x1, y1) == (10.0, 990.0, 790.0)
    assert x1 - x0 > 150.0  # compacted to the left: a real offcut
    for placed in solution.layouts[0].placed:
        outline = place(problem.items[placed.item_id].shape, placed.rotation, placed.translation)
        assert outline.distance(box(x0, y0, x1, y1)) >= problem.spacing - 1e-6


def test_free_parts_drawn_at_a_slant_are_nested_square():
    from shapely import affinity
    slanted = orient(affinity.rotate(rectangle(100, 50), 37.0, origin=(0, 0)))
    # Eight of them fill the sheet only lying square, in a 4 x 2 grid.
    problem = Problem(name="slant", items=(Item(0, slanted, demand=8, rotations=None),),
                      bins=(Container(0, rectangle(404, 102), stock=None),))
    solution = solve(problem, time_limit=3.0, seed=0)
    assert solution_problems(solution) == []
    assert len(solution.layouts) == 1 and not solution.unplaced
    for placed in solution.layouts[0].placed:
        assert (placed.rotation + 37.0) % 90.0 == pytest.approx(0.0, abs=1e-6)


def test_a_free_part_that_fits_only_along_the_diagonal_is_placed():
    problem = Problem(name="brace", items=(Item(0, rectangle(1100, 40), demand=1, rotations=None),),
                      bins=(Container(0, rectangle(1000, 600), stock=None),))
    solution = solve(problem, time_limit=2.0, seed=0)
    assert solution_problems(solution) == []
    assert not solution.unplaced and len(solution.layouts) == 1
    assert all(placed.rotation % 90.0 != 0.0 for placed in solution.layouts[0].placed)


def test_parts_go_into_the_hole_of_another_part_when_the_sheet_needs_it():
    frame = orient(box(0, 0, 300, 300).difference(box(50, 50, 250, 250)))
    items = (Item(0, frame, demand=1, rotations=(0.0,)), Item(1, rectangle(90, 90), demand=4, rotations=(0.0,)))
    sheet = Container(0, rectangle(310, 310), stock=1)
    problem = Problem(name="hole", items=items, bins=(sheet,), spacing=5.0)
    solution = solve(problem, time_limit=3.0, seed=0)
    assert solution_problems(solution) == []
    assert not solution.unplaced  # the only room for the small parts is the hole
    assert len(solution.layouts[0].placed) == 5


def test_no_go_zones_stay_clear():
    zone = rectangle(200, 200)
    from shapely import affinity
    zones = (affinity.translate(zone, 400, 300),)
    sheet = Container(0, rectangle(1000, 800), stock=None, zones=zones)
    items = (Item(0, rectangle(250, 180), demand=8, rotations=(0.0, 90.0)),)
    problem = Problem(name="zones", items=items, bins=(sheet,), spacing=3.0, margin=5.0)
    solution = solve(problem, time_limit=2.0, seed=0)
    assert solution_problems(solution) == []  # the check covers zones with the margin
    assert not solution.unplaced


def test_stock_that_runs_out_reports_the_copies_left_over():
    items = (Item(0, rectangle(500, 500), demand=5, rotations=(0.0,)),)
    sheet = Container(0, rectangle(1000, 520), stock=1)
    problem = Problem(name="short", items=items, bins=(sheet,))
    solution = solve(problem, time_limit=1.0, seed=0)
    assert solution_problems(solution) == []
    assert len(solution.layouts[0].placed) == 2
    assert solution.unplaced == {0: 3}


def test_when_stock_runs_out_the_layout_cutting_the_most_material_wins():
    """One 95 mm square or twenty 10 mm squares fit on the one sheet, not both: the big
    part is cut (9025 mm² against 2000), though that leaves more copies out."""
    items = (Item(0, rectangle(95, 95), demand=1, rotations=(0.0,)),
             Item(1, rectangle(10, 10), demand=20, rotations=(0.0,)))
    problem = Problem(name="short", items=items, bins=(Container(0, rectangle(100, 100), stock=1),))
    solution = solve(problem, time_limit=1.0, seed=0)
    assert solution_problems(solution) == []
    assert solution.unplaced == {1: 20}
    # Between workers' layouts, and between first layouts, the same rule decides.
    big_cut = Solution(problem, (BinLayout(0, (PlacedItem(0, 0.0, (0.0, 0.0)),)),), unplaced={1: 20})
    small_cut = Solution(problem, (BinLayout(0, tuple(PlacedItem(1, 0.0, (10.0 * (i % 10), 10.0 * (i // 10)))
                                                      for i in range(20))),), unplaced={0: 1})
    assert solution_problems(big_cut) == [] and solution_problems(small_cut) == []
    assert min([small_cut, big_cut], key=solution_rank) is big_cut
    state = LayoutState(prepare(problem), [0])
    state.bin_of[0] = 0
    key_big_cut = layout_key(state, list(range(1, 21)))
    state.bin_of[:] = 0
    state.bin_of[0] = -1
    state.pos_x[1:] = 10.0 * (np.arange(20) % 10)
    state.pos_y[1:] = 10.0 * (np.arange(20) // 10)
    assert key_big_cut < layout_key(state, [0])


def test_two_workers_give_a_valid_layout():
    problem = read_instance(DATA / "jakobs1.json")
    solution = solve(problem, time_limit=2.0, seed=3, workers=2)
    assert solution_problems(solution) == []


def test_a_worker_that_hangs_is_given_up_and_the_others_layout_returned(monkeypatch):
    import nester.engine.solve as solve_module

    real_run = solve_module._run

    def second_worker_hangs(problem, time_limit, seed, *args):
        if seed != 0:
            time.sleep(3600)
        return real_run(problem, time_limit, seed, *args)

    monkeypatch.setattr(solve_module, "_run", second_worker_hangs)
    monkeypatch.setattr(solve_module, "_child_wait", lambda time_limit, by_work: 2.0)
    problem = read_instance(DATA / "jakobs1.json")
    started = time.monotonic()
    solution = solve(problem, time_limit=0.5, seed=0, workers=2, by_work=True)
    assert time.monotonic() - started < 30.0
    assert solution_problems(solution) == []


def test_an_item_that_fits_no_sheet_is_named_with_its_size():
    items = (Item(0, rectangle(100, 100), demand=1), Item(1, rectangle(1200, 50), demand=1, rotations=(0.0,), name="rail"))
    problem = Problem(name="big", items=items, bins=(Container(0, rectangle(1000, 1000)),), margin=10.0, source="big.json")
    with pytest.raises(InputError, match=r"big.json: rail \(1200 x 50 mm\) is larger than every sheet in its allowed rotations"):
        solve(problem, time_limit=1.0)


def test_a_work_limit_makes_the_search_repeatable_for_a_seed():
    problem = read_instance(DATA / "jakobs1.json")
    first = solve(problem, time_limit=0.5, seed=5, by_work=True)  # 500 moves
    again = solve(problem, time_limit=0.5, seed=5, by_work=True)
    other = solve(problem, time_limit=0.5, seed=6, by_work=True)
    assert first.layouts == again.layouts and first.strip_length == again.strip_length
    assert first.layouts != other.layouts


def test_a_warm_start_from_a_written_solution_is_kept_or_improved(tmp_path):
    problem = read_instance(DATA / "jakobs1.json")
    first = solve(problem, time_limit=0.3, seed=1, by_work=True)
    write_solution(tmp_path / "first.json", first)
    start = read_solution(tmp_path / "first.json", problem)
    again = solve(problem, time_limit=0.3, seed=2, by_work=True, start=start)
    assert solution_problems(again) == []
    assert again.strip_length <= first.strip_length + 1e-9


def test_a_warm_start_that_is_not_a_valid_layout_is_refused():
    problem = read_instance(DATA / "jakobs1.json")
    first = solve(problem, time_limit=0.0, seed=1, by_work=True)
    placed = list(first.layouts[0].placed)
    placed[1] = type(placed[1])(placed[1].item_id, placed[1].rotation, placed[0].translation)  # on top of another
    broken = type(first)(problem=problem, layouts=(type(first.layouts[0])(0, tuple(placed)),),
                         strip_length=first.strip_length)
    with pytest.raises(InputError, match="warm start: the layout is not valid"):
        solve(problem, time_limit=0.0, start=broken)
