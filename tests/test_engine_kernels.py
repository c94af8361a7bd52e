"""The engine's numba kernels against plain-Python/shapely references on random shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.polygon import orient

from nester.engine.collide import (
    EDGE_RUN,
    POLE_LANES,
    SHORT_RING,
    outside_rect,
    overlap_proxy,
    point_in_shape,
    segments_touch,
    shapes_collide,
)
from nester.engine.moves import nearby_shape, placement_cost, sample_shape, seed_random, square_shape
from nester.engine.shapes import FREE_ROTATION_STEPS, aligning_rotation, item_rotations, poles, prepare
from nester.problem import Container, Item, Problem

RNG = np.random.default_rng(7)


def star(points: int, inner: float, outer: float, hole: float = 0.0) -> Polygon:
    ring = []
    for k in range(2 * points):
        radius = outer if k % 2 == 0 else inner
        angle = math.pi * k / points
        ring.append((radius * math.cos(angle), radius * math.sin(angle)))
    holes = [Point(0, 0).buffer(hole, quad_segs=4).exterior.coords] if hole else []
    return orient(Polygon(ring, holes))


SHAPES = [
    star(5, 3.0, 10.0),
    star(4, 6.0, 12.0, hole=3.0),
    orient(Polygon([(0, 0), (20, 0), (20, 4), (4, 4), (4, 15), (0, 15)])),  # an L
    orient(box(0, 0, 30, 20).difference(box(5, 5, 25, 15))),  # a frame with a big hole
    orient(box(0, 0, 4, 4)),
]


def bank_of(shapes: list[Polygon]):
    items = tuple(Item(id=i, shape=s, demand=1, rotations=(0.0,)) for i, s in enumerate(shapes))
    prepared = prepare(Problem(name="kernels", items=items, strip_height=100.0), hair=0.0)
    return prepared, prepared.bank.geometry()


def test_segments_touch_matches_shapely_distance():
    tol = 1e-6
    checked = 0
    for _ in range(4000):
        a, b, c, d = RNG.uniform(-1, 1, size=(4, 2))
        if RNG.random() < 0.3:  # make near-touching cases common
            c = a + (b - a) * RNG.random()
        distance = LineString([a, b]).distance(LineString([c, d]))
        if tol * 0.1 < distance < tol * 10:
            continue  # too close to call either way
        expected = distance <= tol
        assert segments_touch(*a, *b, *c, *d, tol) == expected
        checked += 1
    assert checked > 3500


def test_point_in_shape_matches_shapely_on_holes_and_concave_shapes():
    prepared, geometry = bank_of(SHAPES)
    vx, vy, vertex_start, ring_start = geometry[:4]
    for s, shape in enumerate(SHAPES):
        x0, y0, x1, y1 = shape.bounds
        for x, y in RNG.uniform((x0 - 2, y0 - 2), (x1 + 2, y1 + 2), size=(400, 2)):
            if shape.boundary.distance(Point(x, y)) < 1e-9:
                continue
            assert point_in_shape(x + 5.0, y - 3.0, s, 5.0, -3.0, vx, vy, vertex_start, ring_start) == \
                shape.contains(Point(x, y))


def test_shapes_collide_matches_shapely_on_random_placements():
    prepared, geometry = bank_of(SHAPES)
    tol = 1e-7
    collisions = separations = 0
    for _ in range(3000):
        a, b = RNG.integers(len(SHAPES), size=2)
        ax, ay = RNG.uniform(-20, 20, size=2)
        bx, by = RNG.uniform(-20, 20, size=2)
        placed_a = affinity.translate(SHAPES[a], ax, ay)
        placed_b = affinity.translate(SHAPES[b], bx, by)
        distance = placed_a.distance(placed_b)
        if 0.0 < distance < 1e-5 or (distance == 0.0 and placed_a.intersection(placed_b).area < 1e-6):
            continue  # touching: the kernel calls it a collision on purpose; tested below
        expected = distance == 0.0
        got = shapes_collide(a, ax, ay, b, bx, by, geometry, tol)
        assert got == expected, (a, b, ax, ay, bx, by, distance)
        collisions += expected
        separations += not expected
    assert collisions > 300 and separations > 300


def arc_strip(inner: float, width: float, sweep: float, segments: int) -> Polygon:
    """A bent strip (a curved rail of a frame): two concentric arcs of many short edges."""
    angles = np.linspace(0.0, math.radians(sweep), segments)
    outer = [((inner + width) * math.cos(t), (inner + width) * math.sin(t)) for t in angles]
    inside = [(inner * math.cos(t), inner * math.sin(t)) for t in angles[::-1]]
    return orient(Polygon(outer + inside))


def test_edge_runs_cover_every_edge_once_and_box_it():
    shapes = [*SHAPES, arc_strip(40.0, 3.0, 120.0, 60), arc_strip(20.0, 2.0, 90.0, 9)]
    _, geometry = bank_of(shapes)
    vx, vy, vertex_start, ring_start = geometry[:4]
    edge_from, run_start, run_first, run_box = geometry[15:19]
    for s in range(len(shapes)):
        runs = range(run_start[s], run_start[s + 1])
        edges = [i for r in runs for i in range(run_first[r], run_first[r + 1])]
        assert edges == list(range(vertex_start[ring_start[s]], vertex_start[ring_start[s + 1]]))
        for ring in range(ring_start[s], ring_start[s + 1]):
            first, end = vertex_start[ring], vertex_start[ring + 1]
            assert edge_from[first] == end - 1 and all(edge_from[i] == i - 1 for i in range(first + 1, end))
            ring_runs = [r for r in runs if first <= run_first[r] < end]
            assert all(run_first[r + 1] <= end for r in ring_runs)  # a run never spans two rings
            if end - first <= SHORT_RING:
                assert len(ring_runs) == 1
            else:
                assert all(run_first[r + 1] - run_first[r] <= EDGE_RUN for r in ring_runs)
        for r in runs:
            ends = [j for i in range(run_first[r], run_first[r + 1]) for j in (i, edge_from[i])]
            assert tuple(run_box[r]) == (min(vx[ends]), min(vy[ends]), max(vx[ends]), max(vy[ends]))


def test_shapes_collide_matches_shapely_on_nested_arcs():
    """Long curves side by side, where the test goes run by run instead of edge by edge:
    strips of the same bend slid along each other, a hair apart or crossing."""
    _, geometry = bank_of([arc_strip(40.0, 3.0, 120.0, 30), arc_strip(43.5, 3.0, 100.0, 25),
                                  arc_strip(30.0, 5.0, 150.0, 40)])
    vx, vy, vertex_start, ring_start = geometry[:4]
    # The reference is the polygon the bank holds (simplified or not), so shapely and the kernel see one shape.
    shapes = [Polygon(np.column_stack([vx, vy])[vertex_start[ring_start[s]]:vertex_start[ring_start[s] + 1]])
              for s in range(3)]
    assert all(len(shape.exterior.coords) > 2 * SHORT_RING for shape in shapes)
    tol = 1e-7
    collisions = separations = 0
    for _ in range(3000):
        a, b = RNG.integers(len(shapes), size=2)
        bx, by = RNG.normal(0.0, 1.5, size=2)
        placed_b = affinity.translate(shapes[b], bx, by)
        distance = shapes[a].distance(placed_b)
        if 0.0 < distance < 1e-5 or (distance == 0.0 and shapes[a].intersection(placed_b).area < 1e-6):
            continue
        expected = distance == 0.0
        assert shapes_collide(a, 0.0, 0.0, b, bx, by, geometry, tol) == expected, (a, b, bx, by, distance)
        collisions += expected
        separations += not expected
    assert collisions > 300 and separations > 300


def test_touching_counts_as_collision_and_a_small_gap_does_not():
    square = orient(box(0, 0, 10, 10))
    prepared, geometry = bank_of([square, square])
    tol = 1e-7
    assert shapes_collide(0, 0.0, 0.0, 1, 10.0, 0.0, geometry, tol)  # edge to edge
    assert shapes_collide(0, 0.0, 0.0, 1, 10.0, 10.0, geometry, tol)  # corner to corner
    assert shapes_collide(0, 0.0, 0.0, 1, 5.0, 0.0, geometry, tol)  # the half-shifted twin: collinear edges
    assert shapes_collide(0, 0.0, 0.0, 1, 0.0, 0.0, geometry, tol)  # on top of each other
    assert not shapes_collide(0, 0.0, 0.0, 1, 10.0 + 1e-5, 0.0, geometry, tol)


def test_a_part_inside_a_hole_does_not_collide_until_it_touches_the_hole():
    frame = SHAPES[3]  # hole 5..25 x 5..15
    small = orient(box(0, 0, 4, 4))
    prepared, geometry = bank_of([frame, small])
    assert not shapes_collide(0, 0.0, 0.0, 1, 10.0, 8.0, geometry, 1e-7)
    assert shapes_collide(0, 0.0, 0.0, 1, 4.0, 8.0, geometry, 1e-7)  # crosses the hole's edge
    assert shapes_collide(0, 0.0, 0.0, 1, 1.0, 8.0, geometry, 1e-7)  # inside the material


def overlap_proxy_reference(circles_a, circles_b, epsilon):
    total = 0.0
    for xa, ya, ra in circles_a:
        for xb, yb, rb in circles_b:
            depth = ra + rb - math.hypot(xa - xb, ya - yb)
            decayed = depth if depth >= epsilon else epsilon ** 2 / (2 * epsilon - depth)
            total += decayed * min(ra, rb)
    return total + epsilon ** 2


def test_overlap_proxy_matches_the_reference_and_grows_with_depth():
    prepared, geometry = bank_of(SHAPES)
    pole_x, pole_y, pole_r, pole_start = geometry[4:8]
    lanes = geometry[11:14]
    epsilon = 0.01
    for a, b in [(0, 1), (2, 3), (1, 4), (4, 1)]:
        circles = lambda s, dx: [(pole_x[p] + dx, pole_y[p], pole_r[p]) for p in range(pole_start[s], pole_start[s + 1])]
        for dx in (0.0, 3.0, 8.0, 40.0):
            got = overlap_proxy(a, 0.0, 0.0, b, dx, 0.0, *lanes, pole_start, epsilon)
            # float32 lanes: the proxy ranks placements, it proves nothing
            assert got == pytest.approx(overlap_proxy_reference(circles(a, 0.0), circles(b, dx), epsilon), rel=1e-5)
    deeper = [overlap_proxy(0, 0.0, 0.0, 0, dx, 0.0, *lanes, pole_start, epsilon) for dx in (12.0, 8.0, 4.0, 0.0)]
    assert deeper == sorted(deeper) and deeper[0] > 0.0


def test_pole_lanes_hold_every_pole_and_pad_with_radius_zero():
    prepared, geometry = bank_of(SHAPES)
    pole_x, pole_y, pole_r, pole_start = geometry[4:8]
    lane_x, lane_y, lane_r = geometry[11:14]
    assert lane_r.dtype == np.float32 and len(lane_r) == POLE_LANES * len(pole_start[:-1])
    for s in range(len(pole_start) - 1):
        count = pole_start[s + 1] - pole_start[s]
        assert 1 <= count <= POLE_LANES
        lanes = slice(s * POLE_LANES, s * POLE_LANES + count)
        poles_of = slice(pole_start[s], pole_start[s + 1])
        assert np.allclose(lane_x[lanes], pole_x[poles_of]) and np.allclose(lane_r[lanes], pole_r[poles_of])
        assert not lane_r[s * POLE_LANES + count:(s + 1) * POLE_LANES].any()


def test_poles_lie_inside_the_material_largest_first():
    for shape in SHAPES:
        circles = poles(shape)
        assert len(circles) >= 1
        assert list(circles[:, 2]) == sorted(circles[:, 2], reverse=True)
        for x, y, r in circles:
            assert shape.buffer(1e-9).contains(Point(x, y).buffer(r * 0.999, quad_segs=8))


def test_outside_rect_reference():
    prepared, geometry = bank_of([SHAPES[4]])
    bbox = geometry[8]
    assert outside_rect(0, 1.0, 1.0, bbox, 0.0, 0.0, 10.0, 10.0) == 0.0
    assert outside_rect(0, 8.0, -1.0, bbox, 0.0, 0.0, 10.0, 10.0) == pytest.approx(2.0 + 1.0)


def placement_cost_reference(shapes, placed, candidate, weights, rect, epsilon_share):
    """Plain shapely, after sparrow: per colliding copy, the root of the pole overlap (depths
    decaying below a share of the larger box diagonal) times the geometric mean of the sizes;
    the walls by the box's area outside."""
    s, x, y = candidate
    moved = affinity.translate(shapes[s], x, y)
    circles = lambda t, u, v: [(cx + u, cy + v, r) for cx, cy, r in poles(shapes[t])]
    diagonal = lambda g: math.hypot(g.bounds[2] - g.bounds[0], g.bounds[3] - g.bounds[1])
    total = 0.0
    box_area = box(*moved.bounds).area
    outside = box_area - box(*moved.bounds).intersection(box(*rect)).area
    if outside > 0:
        total += 2.0 * math.sqrt(outside + 1e-4 * box_area) * math.sqrt(shapes[s].area)
    for other, (t, u, v) in enumerate(placed):
        neighbour = affinity.translate(shapes[t], u, v)
        if moved.distance(neighbour) <= 1e-9:
            epsilon = epsilon_share * max(diagonal(moved), diagonal(neighbour))
            proxy = overlap_proxy_reference(circles(s, x, y), circles(t, u, v), epsilon)
            total += weights[other] * math.sqrt(proxy) * (shapes[s].area * shapes[t].area) ** 0.25
    return total


def test_placement_cost_matches_a_shapely_reference():
    prepared, geometry = bank_of(SHAPES)
    tol, epsilon = 1e-7, 0.01
    n = 4
    for _ in range(200):
        shape_of = RNG.integers(len(SHAPES), size=n + 1)
        pos = RNG.uniform(0, 40, size=(n + 1, 2))
        weights = np.ones((n + 1, n + 1))
        weights[n, :n] = RNG.uniform(1, 3, size=n)
        bin_of = np.zeros(n + 1, dtype=np.int64)
        rect = np.array([[0.0, 0.0, 50.0, 50.0]])
        got = placement_cost(n, shape_of[n], pos[n, 0], pos[n, 1], 0, geometry, shape_of, pos[:, 0].copy(),
                             pos[:, 1].copy(), bin_of, weights, np.ones(n + 1), rect, np.zeros(0, np.int64),
                             np.zeros(2, np.int64), tol, epsilon, np.inf)
        placed = [(shape_of[i], pos[i, 0], pos[i, 1]) for i in range(n)]
        expected = placement_cost_reference(SHAPES, placed, (shape_of[n], pos[n, 0], pos[n, 1]), weights[n],
                                             rect[0], epsilon)
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-12)  # the pole proxy runs in float32


def test_placement_cost_under_a_bound_turns_down_exactly_what_the_full_cost_would():
    """A bound lets the cost stop early (first on the collisions the poles prove): past the
    bound it may return any value past it, and below it the exact full cost."""
    _, geometry = bank_of(SHAPES)
    tol, epsilon = 1e-7, 0.01
    n = 6
    stopped = exact = 0
    for _ in range(300):
        shape_of = RNG.integers(len(SHAPES), size=n + 1)
        pos = RNG.uniform(0, 40, size=(n + 1, 2))
        weights = RNG.uniform(1, 3, size=(n + 1, n + 1))
        args = (geometry, shape_of, pos[:, 0].copy(), pos[:, 1].copy(), np.zeros(n + 1, dtype=np.int64), weights,
                np.ones(n + 1), np.array([[0.0, 0.0, 50.0, 50.0]]), np.zeros(0, np.int64), np.zeros(2, np.int64),
                tol, epsilon)
        full = placement_cost(n, shape_of[n], pos[n, 0], pos[n, 1], 0, *args, np.inf)
        for bound in (full, full * RNG.uniform(0.05, 0.99), full * RNG.uniform(1.01, 2.0)):
            got = placement_cost(n, shape_of[n], pos[n, 0], pos[n, 1], 0, *args, bound)
            if full > bound:
                assert got > bound
                stopped += 1
            else:
                assert got == full
                exact += 1
    assert stopped > 200 and exact > 400


def test_free_rotation_becomes_evenly_spaced_angles_and_duplicates_go():
    assert item_rotations(Item(0, SHAPES[4], 1, None)) == tuple(15.0 * k for k in range(24))
    assert item_rotations(Item(0, SHAPES[4], 1, (0.0, 360.0, 90.0))) == (0.0, 90.0)


def test_a_free_item_drawn_at_a_slant_gets_its_square_angles_first():
    slanted = affinity.rotate(box(0, 0, 100, 50), 37.0, origin=(0, 0))
    assert aligning_rotation(slanted) == pytest.approx(53.0)  # 37 + 53 = a quarter turn
    assert aligning_rotation(box(0, 0, 100, 50)) == 0.0
    angles = item_rotations(Item(0, orient(slanted), 1, None))
    stride = FREE_ROTATION_STEPS // 4
    assert [round(angles[k * stride], 6) for k in range(4)] == [53.0, 143.0, 233.0, 323.0]
    assert len(set(np.round(angles, 6))) == FREE_ROTATION_STEPS
    for angle in angles[::stride]:
        x0, y0, x1, y1 = affinity.rotate(slanted, angle, origin=(0, 0)).bounds
        assert sorted([x1 - x0, y1 - y0]) == pytest.approx([50.0, 100.0])


def test_shape_sampling_keeps_free_items_mostly_square_and_local_samples_near():
    items = (Item(0, orient(box(0, 0, 30, 10)), 1, None), Item(1, orient(box(0, 0, 20, 10)), 1, (0.0, 90.0, 180.0)))
    problem = Problem(name="sampling", items=items, bins=(Container(0, orient(box(0, 0, 100, 100))),))
    prepared = prepare(problem)
    stride = prepared.bank.turn_stride
    first, count = int(prepared.item_first_shape[0]), int(prepared.item_shape_count[0])
    assert count == FREE_ROTATION_STEPS and stride[first] == FREE_ROTATION_STEPS // 4
    square = {first + k * stride[first] for k in range(4)}
    assert set(np.flatnonzero(prepared.square_shapes[first:first + count]) + first) == square
    seed_random(3)
    assert {square_shape(first, count, stride) for _ in range(400)} == square
    draws = [sample_shape(first, count, stride) for _ in range(4000)]
    share = np.mean([s in square for s in draws])
    assert 0.75 < share < 0.84  # 0.75 square by choice, plus a uniform draw's 4 in 24
    assert set(draws) == set(range(first, first + count))  # every angle stays reachable
    home = first + 5
    near = {nearby_shape(home, first, count, stride) for _ in range(400)}
    assert near == {home - 1, home, home + 1}
    wrap = {nearby_shape(first, first, count, stride) for _ in range(400)}
    assert wrap == {first + count - 1, first, first + 1}
    # A set of rotations: every one is square, and any may be drawn.
    other, many = int(prepared.item_first_shape[1]), int(prepared.item_shape_count[1])
    assert stride[other] == 0 and prepared.square_shapes[other:other + many].all()
    assert {square_shape(other, many, stride) for _ in range(200)} == set(range(other, other + many))
    assert {nearby_shape(other + 2, other, many, stride) for _ in range(200)} == set(range(other, other + many))


def test_a_free_item_that_fits_only_along_a_diagonal_may_take_any_angle():
    brace = orient(box(0, 0, 1100, 40))
    problem = Problem(name="brace", items=(Item(0, brace, 1, None),),
                      bins=(Container(0, orient(box(0, 0, 1000, 600))),))
    prepared = prepare(problem)
    assert not prepared.bank.turn_stride[:FREE_ROTATION_STEPS].any()
    assert prepared.square_shapes.all()
