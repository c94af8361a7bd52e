"""Filling a sheet by contact: each copy goes where one of its corners meets a corner of
the free space, edge along edge. The lowest free corner that takes a copy is filled
first, with the copy whose outline touches the most (walls and copies already there)
as a share of its length.

Bottom-left placement leaves hair gaps wherever edges are not axis-aligned; corner to
corner placement puts a part exactly against its neighbours, so parts cut from one
sheet (a jigsaw) fit back together, and parts of the same length line up. The engine's
shapes are a hair thinner than the true outlines (nester.engine.shapes.HAIR), so an
exact fit is not a collision.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from numba import njit

from nester.engine.construct import free_at, place_bottom_left
from nester.engine.shapes import PreparedProblem, polygon_corners
from nester.engine.state import LayoutState

ANGLE_TOLERANCE = 1e-6  # radians: edges this close in direction are parallel
FLAT = math.radians(3.0)  # a vertex this close to straight is a point on a curve, not a corner
LEVEL = 1000.0  # check tolerances: free corners this close in height are filled left to right
FALLBACK_SAMPLES = 150  # bottom-left samples for a copy no corner takes
CONTACT_SAMPLES = 5  # points per edge, ends included, where contact is measured
MOVES_PER_TICK = 500  # candidate checks that count as one move on a work clock
MOVES_PER_PLACE = 2  # what one search for a place costs on top of its checks, in moves


@dataclass
class Corners:
    """Every corner of every item shape, as flat arrays: shape index, position on the true
    outline, directions of the edge arriving and the edge leaving, and the interior angle."""

    shape: np.ndarray
    x: np.ndarray
    y: np.ndarray
    arrive: np.ndarray
    leave: np.ndarray
    interior: np.ndarray


def _corner(interior: np.ndarray) -> np.ndarray:
    """Which vertices are corners: curves are drawn with many almost straight vertices, and
    trying every one of them as an anchor costs much and brings little."""
    return np.abs(interior - math.pi) > FLAT


def _real_corners(geometry) -> tuple[np.ndarray, ...]:
    """polygon_corners of a Polygon or MultiPolygon, without the points on curves."""
    corners = polygon_corners(geometry)
    keep = _corner(corners[4])
    return tuple(a[keep] for a in corners)


def item_corners(prepared: PreparedProblem) -> Corners:
    """The corners of every item shape's true outline (points on curves left out)."""
    parts = []
    for s, outline in enumerate(prepared.outlines):
        x, y, arrive, leave, interior = _real_corners(outline)
        parts.append((np.full(len(x), s, dtype=np.int64), x, y, arrive, leave, interior))
    return Corners(*(np.concatenate([p[i] for p in parts]) for i in range(6)))


def shape_owners(prepared: PreparedProblem, copies) -> np.ndarray:
    """Per item shape, the first of ``copies`` of its item, or -1: one copy per item type
    is tried, since its twins would go to the same places."""
    first_copy: dict[int, int] = {}
    for k in copies:
        first_copy.setdefault(int(prepared.copy_item[k]), int(k))
    owner = np.full(len(prepared.outlines), -1, dtype=np.int64)
    for item, k in first_copy.items():
        first, count = prepared.item_first_shape[item], prepared.item_shape_count[item]
        owner[first:first + count] = k
    return owner


class DirectionIndex:
    """Corners sorted by the direction of one of their edges, to find those with an edge
    parallel to a given one without comparing every pair."""

    def __init__(self, angle: np.ndarray):
        angle = np.mod(angle + math.pi, 2.0 * math.pi) - math.pi  # [-pi, pi)
        self.order = np.argsort(angle, kind="stable")
        self.sorted = angle[self.order]

    def pairs(self, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(corner, query) for every corner whose direction is within ANGLE_TOLERANCE of a
        query's, across the seam at +-pi too."""
        angle = np.mod(angle + math.pi, 2.0 * math.pi) - math.pi
        corners, queries = [], []
        for shift in (0.0, -2.0 * math.pi, 2.0 * math.pi):
            lo = np.searchsorted(self.sorted, angle + shift - ANGLE_TOLERANCE, side="left")
            hi = np.searchsorted(self.sorted, angle + shift + ANGLE_TOLERANCE, side="right")
            counts = np.maximum(hi - lo, 0)
            queries.append(np.repeat(np.arange(len(angle)), counts))
            offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            corners.append(self.order[np.repeat(lo, counts) + offset])
        return np.concatenate(corners), np.concatenate(queries)


@njit(cache=True)
def first_free_group(ks, shapes, xs, ys, group_start, b, geometry, shape_of, pos_x, pos_y, bin_of, weights,
                     wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share):
    """Which candidates (copy ks[i] as shape shapes[i] at (xs[i], ys[i]) in bin b) are free,
    checking group after group (group g: group_start[g] to group_start[g + 1]) and stopping
    after the first group with a free one; also returns how many candidates were checked."""
    bbox = geometry[8]
    free = np.zeros(len(shapes), dtype=np.bool_)
    checked = 0
    for g in range(len(group_start) - 1):
        found = False
        for i in range(group_start[g], group_start[g + 1]):
            s = shapes[i]
            checked += 1
            if (bbox[s, 0] + xs[i] < bin_rect[b, 0] or bbox[s, 1] + ys[i] < bin_rect[b, 1]
                    or bbox[s, 2] + xs[i] > bin_rect[b, 2] or bbox[s, 3] + ys[i] > bin_rect[b, 3]):
                continue
            if free_at(ks[i], s, xs[i], ys[i], b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights,
                       bin_rect, hazards, hazard_start, tol, epsilon_share):
                free[i] = True
                found = True
        if found:
            break
    return free, checked


class ContactFiller:
    """Fills bins of a LayoutState with copies, corner to corner, from the lowest free corner."""

    def __init__(self, state: LayoutState):
        self.state = state
        prepared = state.prepared
        self.prepared = prepared
        self.corners = item_corners(prepared)
        self.rings = [np.asarray(outline.exterior.coords)[:, :2] for outline in prepared.outlines]
        self.ring_lengths = [np.hypot(*np.diff(ring, axis=0).T) for ring in self.rings]
        self.by_leave = DirectionIndex(self.corners.leave)
        self.by_arrive = DirectionIndex(self.corners.arrive)
        self.free_cache: dict[int, tuple] = {}  # bin: (container type, {copy: place}, free space)
        self.band = prepared.problem.check_tolerance()  # boundary this close counts as touching
        self.checks = 0

    def _tick(self, checks: int) -> None:
        self.checks += checks
        while self.checks >= MOVES_PER_TICK:
            self.checks -= MOVES_PER_TICK
            self.state.clock.tick()

    def free_space(self, b: int):
        """Bin b's usable region minus the true outlines placed in it. The last answer per
        bin is kept: while copies are only added, the new ones are cut from it."""
        state = self.state
        members = {int(k): (int(state.shape_of[k]), float(state.pos_x[k]), float(state.pos_y[k]))
                   for k in np.flatnonzero(state.bin_of == b)}
        container = state.bin_types[b]
        cached = self.free_cache.get(b)
        if (cached is not None and cached[0] == container
                and all(members.get(k) == place for k, place in cached[1].items())):
            free, added = cached[2], [k for k in members if k not in cached[1]]
        else:
            free, added = self.prepared.container_regions[container], list(members)
        if added:
            placed = [shapely.transform(self.prepared.outlines[members[k][0]],
                                        lambda c, k=k: c + np.array([members[k][1], members[k][2]]))
                      for k in added]
            free = free.difference(shapely.union_all(placed))
        self.free_cache[b] = (container, members, free)
        return free

    def best_place(self, b: int, copies: list[int], rng: np.random.Generator, noise: float):
        """(copy, shape, x, y): a place for one of ``copies`` in bin b with a corner on the
        lowest free corner that takes one, edge along edge, touching the most (as a share
        of its outline); None when no corner takes any. One copy per item type is tried."""
        ranked = self.ranked_places(b, copies, rng, noise)
        if ranked is None:
            return None
        owners, shapes, xs, ys = ranked
        return int(owners[0]), int(shapes[0]), float(xs[0]), float(ys[0])

    def ranked_places(self, b: int, copies: list[int], rng: np.random.Generator, noise: float):
        """The places best_place chooses from, best first, as arrays (copies, shapes, xs, ys);
        None when no corner takes any copy."""
        state = self.state
        for _ in range(MOVES_PER_PLACE):
            state.clock.tick()
        free = self.free_space(b)
        if free.is_empty:
            return None
        free_corners = _real_corners(free)
        if not len(free_corners[0]):
            return None
        prepared = self.prepared
        # Free items go in square: a slant that touches well leaves slanted gaps for the
        # rest. The separator may still slant a part to end an overlap.
        shape_owner = np.where(prepared.square_shapes, shape_owners(prepared, copies), -1)
        fx, fy, f_arrive, f_leave, f_interior = free_corners
        corners = self.corners
        # A corner matches a free corner when an edge of each leaves (or arrives) in the same
        # direction and the copy's corner is no wider than the free one.
        ci_leave, fj_leave = self.by_leave.pairs(f_leave)
        ci_arrive, fj_arrive = self.by_arrive.pairs(f_arrive)
        ci = np.concatenate([ci_leave, ci_arrive])
        fj = np.concatenate([fj_leave, fj_arrive])
        keep = (shape_owner[corners.shape[ci]] >= 0) & (corners.interior[ci] <= f_interior[fj] + ANGLE_TOLERANCE)
        ci, fj = ci[keep], fj[keep]
        if not len(ci):
            return None
        cx, cy, c_shape = corners.x, corners.y, corners.shape
        # The lowest corner, then the leftmost, is filled first: the sheet fills from the
        # bottom up and what is left stays in one piece.
        order = np.lexsort((fj, fx[fj], np.round(fy[fj] / (LEVEL * self.band))))
        ci, fj = ci[order], fj[order]
        group_start = np.concatenate([[0], np.flatnonzero(np.diff(fj)) + 1, [len(fj)]]).astype(np.int64)
        xs = fx[fj] - cx[ci]
        ys = fy[fj] - cy[ci]
        shapes = c_shape[ci]
        owners = shape_owner[shapes]
        keep, checked = first_free_group(owners, shapes, xs, ys, group_start, b, *state.kernel_args())
        self._tick(checked)
        if not keep.any():
            return None
        shapes, xs, ys, owners = shapes[keep], xs[keep], ys[keep], owners[keep]
        # Several corners often give the same place.
        key = np.round(np.column_stack([shapes, xs / self.band, ys / self.band]))
        _, unique = np.unique(key, axis=0, return_index=True)
        shapes, xs, ys, owners = shapes[unique], xs[unique], ys[unique], owners[unique]
        share = self._contact_share(free, shapes, xs, ys)
        area = prepared.bank.area[shapes]
        score = share * (1.0 + noise * rng.random(len(share))) + 1e-9 * area
        order = np.argsort(-score, kind="stable")
        return owners[order], shapes[order], xs[order], ys[order]

    def _contact_share(self, free, shapes: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Per candidate place, about the share of the outline's length lying on the free
        space's boundary: of each edge, the share of CONTACT_SAMPLES points along it that
        are within the band."""
        boundary = free.boundary
        shapely.prepare(boundary)
        share = np.zeros(len(shapes))
        t = np.linspace(0.0, 1.0, CONTACT_SAMPLES)[:, None, None]
        for i, (s, x, y) in enumerate(zip(shapes.tolist(), xs.tolist(), ys.tolist())):
            ring = self.rings[s] + (x, y)
            samples = (1.0 - t) * ring[None, :-1] + t * ring[None, 1:]  # sample x edge x 2
            near = shapely.dwithin(boundary, shapely.points(samples.reshape(-1, 2)), self.band)
            lengths = self.ring_lengths[s]
            share[i] = (near.reshape(CONTACT_SAMPLES, -1).mean(axis=0) * lengths).sum() / lengths.sum()
        return share

    def fill(self, b: int, copies: list[int], rng: np.random.Generator, noise: float = 0.0,
             deadline: float = math.inf, should_stop: Callable[[], bool] = lambda: False) -> list[int]:
        """Place as many of ``copies`` as go in bin b (until ``deadline`` on the state's
        clock, or ``should_stop``); returns those left over."""
        state = self.state
        region_area = self.prepared.container_regions[state.bin_types[b]].area
        members = state.bin_of == b
        room = region_area - float(self.prepared.bank.area[state.shape_of[members]].sum())
        left = list(copies)
        while left and state.clock.now() < deadline and not should_stop():
            # A copy larger than the room left cannot go in.
            fitting = [k for k in left if self.prepared.bank.area[state.shape_of[k]] <= room]
            if not fitting:
                break
            place = self.best_place(b, fitting, rng, noise)
            if place is None:
                place = self._bottom_left(b, fitting, deadline, should_stop)
                if place is None:
                    break
            k, s, x, y = place
            state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, b
            room -= float(self.prepared.bank.area[s])
            left.remove(k)
        return left

    def _bottom_left(self, b: int, copies: list[int], deadline: float, should_stop: Callable[[], bool]):
        """The largest copy that bottom-left placement still finds room for, or None."""
        state = self.state
        prepared = self.prepared
        areas = prepared.bank.area[state.shape_of[copies]]
        tried: set[int] = set()
        for i in np.argsort(-areas, kind="stable"):
            k = copies[int(i)]
            item = int(prepared.copy_item[k])
            if item in tried:
                continue
            if state.clock.now() >= deadline or should_stop():
                break
            tried.add(item)
            first, count = state.item_shapes(k)
            found, s, x, y = place_bottom_left(k, first, count, b, FALLBACK_SAMPLES, np.inf, *state.kernel_args())
            self._tick(FALLBACK_SAMPLES)
            if found:
                return k, int(s), float(x), float(y)
        return None
