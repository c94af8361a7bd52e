"""Filling sheets by contact (nester.engine.contact) and the hair that lets exact fits be
free: kernels against plain-Python references, and jigsaws put back together."""

from __future__ import annotations

import math
import signal

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import split

from nester.engine.bins import _solution as bin_solution
from nester.engine.bins import first_layout, refill, solve_bins
from nester.engine.clock import WorkClock
from nester.engine.contact import ContactFiller, DirectionIndex, first_free_group
from nester.engine.moves import seed_random
from nester.engine.shapes import HAIR, polygon_corners, prepare
from nester.engine.state import LayoutState
from nester.problem import Container, Item, Problem
from nester.solution_check import solution_problems

RNG = np.random.default_rng(20261126)
RIGHT_ANGLES = (0.0, 90.0, 180.0, 270.0)


def sheet_problem(shapes: list[Polygon], size: float = 1000.0, spacing: float = 0.0,
                  rotations=RIGHT_ANGLES) -> Problem:
    items = tuple(Item(id=i, shape=orient(s), demand=1, rotations=rotations, name=f"piece {i + 1}")
                  for i, s in enumerate(shapes))
    return Problem(name="contact", items=items, bins=(Container(id=0, shape=box(0, 0, size, size)),),
                   spacing=spacing)


def jigsaw(cuts: list[tuple[tuple[float, float], tuple[float, float]]], size: float = 1000.0) -> list[Polygon]:
    """A square sheet cut along straight lines (each across the whole sheet), each piece moved
    to the origin and turned by a random right angle: the pieces fill exactly one sheet."""
    pieces = [box(0, 0, size, size)]
    for a, b in cuts:
        line = LineString([a, b])
        pieces = [part for piece in pieces for part in split(piece, line).geoms]
    shuffled = []
    for piece in pieces:
        turned = affinity.rotate(piece, float(RNG.choice(RIGHT_ANGLES)), origin=(0, 0))
        x0, y0, _, _ = turned.bounds
        shuffled.append(orient(shapely.set_precision(affinity.translate(turned, -x0, -y0), 0.0)))
    RNG.shuffle(shuffled)
    return shuffled


# -- geometry helpers ------------------------------------------------------------------------

def test_polygon_corners_give_directions_and_material_side_angles():
    square_with_hole = Polygon(box(0, 0, 10, 10).exterior.coords, [box(4, 4, 6, 6).exterior.coords[::-1]])
    x, y, arrive, leave, interior = polygon_corners(square_with_hole)
    assert len(x) == 8
    outer = (x == 0) | (x == 10)
    assert np.allclose(interior[outer], math.pi / 2)  # convex corners of the material
    assert np.allclose(interior[~outer], 3 * math.pi / 2)  # the hole's corners, seen from the material
    # Walking with the material on the left: along the bottom edge the direction is +x.
    corner = np.flatnonzero((x == 0) & (y == 0))[0]
    assert math.isclose(leave[corner], 0.0, abs_tol=1e-12)
    assert math.isclose(abs(arrive[corner]), math.pi / 2)
    l_shape = Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    _, _, _, _, angles = polygon_corners(l_shape)
    assert sorted(np.round(angles / (math.pi / 2)).tolist()) == [1, 1, 1, 1, 1, 3]
    assert math.isclose(angles.sum(), (6 - 2) * math.pi)  # a hexagon's angles, the reflex one included


def test_direction_index_finds_the_same_pairs_as_comparing_all():
    angles = RNG.choice(np.linspace(-math.pi, math.pi, 17), size=300) + RNG.normal(0, 1e-8, 300)
    queries = RNG.choice(np.linspace(-math.pi, math.pi, 17), size=60)
    index = DirectionIndex(angles)
    found = set(zip(*(a.tolist() for a in index.pairs(queries))))
    difference = np.abs(np.mod(angles[:, None] - queries[None, :] + math.pi, 2 * math.pi) - math.pi)
    assert ((difference > 0.5e-6) & (difference < 2e-6)).sum() == 0  # no pair too close to call
    expected = set(zip(*(a.tolist() for a in np.nonzero(difference < 1e-6))))
    assert found == expected
    assert len(expected) > 300  # -pi and pi (one direction) match each other too
    # Just either side of the seam at +-pi, 0.7e-6 apart, still parallel.
    seam = DirectionIndex(np.array([-math.pi + 1.5e-6, math.pi - 0.3e-6]))
    corners, queries = seam.pairs(np.array([-math.pi + 0.8e-6, math.pi]))
    assert sorted(zip(corners.tolist(), queries.tolist())) == [(0, 0), (1, 1)]


def test_first_free_group_matches_a_shapely_reference():
    """Candidates are checked group by group and the search stops after the first group with
    a free one: the kernel's answer equals a plain loop with shapely's intersection test."""
    shapes = [orient(Polygon(RNG.uniform(0, 100, size=(3, 2)))) for _ in range(6)]
    shapes = [s for s in shapes if s.area > 200.0][:4] + [orient(box(0, 0, 120, 40))]
    problem = sheet_problem(shapes, size=400.0, rotations=(0.0,))
    prepared = prepare(problem, hair=0.0)
    state = LayoutState(prepared, [0])
    placed = len(shapes) - 1  # the long box is placed, the others are candidates
    state.bin_of[placed], state.pos_x[placed], state.pos_y[placed] = 0, 140.0, 180.0
    obstacle = affinity.translate(prepared.outlines[placed], 140.0, 180.0)
    checked_total = 0
    for _ in range(40):
        n = 30
        ks = RNG.integers(0, placed, size=n)
        xs, ys = RNG.uniform(-20, 380, size=n), RNG.uniform(-20, 380, size=n)
        group_start = np.unique(np.concatenate([[0], RNG.integers(1, n, size=4), [n]])).astype(np.int64)
        free, checked = first_free_group(ks.astype(np.int64), ks.astype(np.int64), xs, ys, group_start, 0,
                                         *state.kernel_args())
        expected = np.zeros(n, dtype=bool)
        reference_checked = 0
        for g in range(len(group_start) - 1):
            for i in range(group_start[g], group_start[g + 1]):
                reference_checked += 1
                outline = affinity.translate(prepared.outlines[ks[i]], xs[i], ys[i])
                inside = box(0, 0, 400, 400).contains(outline)
                expected[i] = inside and not outline.intersects(obstacle)
            if expected[group_start[g]:group_start[g + 1]].any():
                break
        assert free.tolist() == expected.tolist()
        assert checked == reference_checked
        checked_total += checked
    assert checked_total > 40


# -- the hair ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spacing", [0.0, 6.0])
def test_engine_shapes_are_a_hair_thinner_and_no_sharp_tip_reaches_further(spacing):
    sliver = Polygon([(0, 0), (200, 0), (0, 10)])  # a 2.9 degree tip
    notch = Polygon([(0, 0), (100, 0), (100, 100), (50, 5), (0, 100)])  # mitre-bevelled when grown
    problem = sheet_problem([sliver, notch, box(0, 0, 50, 50)], size=1000.0, spacing=spacing)
    prepared = prepare(problem)
    hair = HAIR * problem.check_tolerance()
    for s in range(len(prepared.outlines)):
        start, end = prepared.bank.ring_start[s], prepared.bank.ring_start[s + 1]
        v0, v1 = prepared.bank.vertex_start[start], prepared.bank.vertex_start[end]
        engine = Polygon(np.column_stack([prepared.bank.vx[v0:v1], prepared.bank.vy[v0:v1]]))
        truth = prepared.outlines[s]
        assert truth.buffer(1e-9).contains(engine)
        # A bevelled corner of a grown outline (mitre limit 2) moves back by up to twice the hair.
        assert 0.0 < engine.hausdorff_distance(truth) <= hair * (1.0001 if spacing == 0.0 else 2.0)


def test_parts_abutting_at_exactly_the_spacing_are_free():
    problem = sheet_problem([box(0, 0, 300, 200), box(0, 0, 300, 200)], spacing=6.0, rotations=(0.0,))
    prepared = prepare(problem)
    state = LayoutState(prepared, [0])
    margin = problem.spacing / 2
    state.bin_of[0], state.pos_x[0], state.pos_y[0] = 0, margin, margin
    free, _ = first_free_group(np.array([1, 1, 1]), np.array([1, 1, 1]),
                               np.array([margin + 306.0, margin + 305.99, margin]),
                               np.array([margin, margin, margin + 206.0]),
                               np.array([0, 3]), 0, *state.kernel_args())
    assert free.tolist() == [True, False, True]  # 6 mm apart: free; 5.99 mm: not


# -- filling by contact -----------------------------------------------------------------------

@pytest.mark.parametrize("cuts", [
    [((0, 400), (1000, 650)), ((300, 0), (550, 1000))],
    [((0, 300), (1000, 300)), ((600, 300), (450, 1000)), ((200, 0), (350, 300))],
    [((0, 0), (1000, 1000)), ((0, 700), (1000, 200))],
])
def test_a_sheet_cut_into_pieces_is_put_back_on_one_sheet(cuts):
    pieces = jigsaw(cuts)
    problem = sheet_problem(pieces)
    seed_random(0)
    state = LayoutState(prepare(problem), [], WorkClock())
    unplaced = first_layout(state, np.random.default_rng(0), deadline=5.0, enough=1, should_stop=lambda: False)
    assert unplaced == []
    assert len(state.bin_types) == 1
    solution = solve_bins(problem, time_limit=2.0, seed=0, clock=WorkClock())
    assert len(solution.layouts) == 1
    assert solution_problems(solution) == []


def test_contact_places_a_part_against_its_neighbours_not_in_the_open():
    problem = sheet_problem([box(0, 0, 400, 1000), box(0, 0, 600, 1000)], rotations=(0.0,))
    state = LayoutState(prepare(problem), [0])
    state.bin_of[0], state.pos_x[0], state.pos_y[0] = 0, 0.0, 0.0
    filler = ContactFiller(state)
    k, _, x, y = filler.best_place(0, [1], np.random.default_rng(0), 0.0)
    assert (k, x, y) == (1, 400.0, 0.0)
    free = filler.free_space(0)
    assert math.isclose(free.area, 600 * 1000)


def test_refilling_never_makes_the_layout_worse_and_keeps_it_valid():
    pieces = jigsaw([((0, 400), (1000, 650)), ((300, 0), (550, 1000))]) + jigsaw(
        [((0, 300), (1000, 300)), ((600, 300), (450, 1000))])
    problem = sheet_problem(pieces)
    seed_random(1)
    rng = np.random.default_rng(1)
    state = LayoutState(prepare(problem), [])
    first_layout(state, rng, deadline=state.clock.now(), enough=1, should_stop=lambda: False)
    filler = ContactFiller(state)

    def key():
        fills = [state.prepared.bank.area[state.shape_of[state.bin_of == b]].sum() / 1e6
                 for b in range(len(state.bin_types))]
        return len(fills), -sum(f * f for f in fills)

    previous = key()
    for _ in range(15):
        refill(state, filler, rng, deadline=math.inf)
        assert key() <= previous
        previous = key()
        assert (state.bin_of >= 0).all()
        assert state.total_overlap() == 0.0
        assert solution_problems(bin_solution(problem, state, [], 0.0)) == []
    assert len(state.bin_types) <= 3


def test_refilling_stops_when_every_other_sheet_is_full():
    """Two exact-size parts, a cheap sheet their size and a dear big one: the second cheap
    sheet is full, so there is nothing to refill; a work-clock search must still end."""
    items = (Item(0, box(0, 0, 100, 100), demand=2, rotations=(0.0,)),)
    problem = Problem(name="full", items=items, bins=(Container(0, box(0, 0, 100, 100), cost=1.0),
                                                      Container(1, box(0, 0, 300, 300), cost=10.0)))
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the search did not end"))
    signal.alarm(60)
    try:
        solution = solve_bins(problem, time_limit=2.0, seed=0, clock=WorkClock())
    finally:
        signal.alarm(0)
    assert solution_problems(solution) == []
    assert [layout.container_id for layout in solution.layouts] == [0, 0]
