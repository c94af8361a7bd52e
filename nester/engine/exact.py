"""Sheets filled without waste: a depth-first search for a layout on as few sheets as the
parts' area allows, each copy put on a convex corner of the free space, edge along edge.

Why this misses no layout without waste: at a convex corner v of the free space (its
lowest one, say), the part lying along the free edge that arrives at v cannot go past
v (beyond v that edge's line leaves the free space), so it has a corner at v whose
arriving edge runs along that free edge, and it is no wider than the free corner.
Trying every copy type in every rotation there therefore covers every layout without
waste. Where no copy fits, that piece of free space can only be waste; the waste the
target allows (sheets x usable area - parts' area) is spent by giving up such pieces.
A piece is given up whole (a connected part of the free space), so the search suits
layouts with little waste: with room to spare (most furniture, strip packing) it
seldom ends within its budget, and the other phases do the work.

Parts cut from whole sheets (the terashima instances: jigsaws mixed together) are put
back on the optimum number of sheets in about a second this way, where greedy
filling, even with ruin and refill, leaves one sheet in five over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity

from nester.engine.contact import (
    ANGLE_TOLERANCE,
    MOVES_PER_PLACE,
    ContactFiller,
    _real_corners,
    first_free_group,
    shape_owners,
)
from nester.engine.state import LayoutState

CRUMB = 1e-9  # of the usable area: free space smaller than this is float noise, not room
INWARD = 10.0  # check tolerances: how far inside a corner the point is that tells its free piece


@dataclass
class _Node:
    """One step down the search: the free space of the sheet being filled and the
    choices left to try at its corner (a place per copy, then giving the corner up)."""

    free: object  # shapely geometry
    places: list = field(default_factory=list)  # (copy, shape, x, y), best first
    waste: object = None  # the piece of free space given up if every place fails
    tried: int = 0
    placed: int = -1  # the copy this node put down (undone on the way back), or WASTED
    opened: bool = False  # this node opened a fresh sheet
    wasted: float = 0.0  # the area given up to make this node


WASTED = -2


def fill_without_waste(state: LayoutState, filler: ContactFiller, container: int, sheets: int,
                       rng: np.random.Generator, noise: float, node_budget: int, deadline: float,
                       should_stop: Callable[[], bool] = lambda: False) -> bool:
    """Place every unplaced copy on at most ``sheets`` fresh sheets of ``container``
    (opened in the state); True when it worked. Otherwise no sheet is added and those
    copies are unplaced again (their shape and position are left as tried). The search
    gives up after ``node_budget`` nodes, at ``deadline`` (the state's clock) or when
    ``should_stop()``; each search costs at least one move on a work clock."""
    state.clock.tick()
    prepared = state.prepared
    region = prepared.container_regions[container]
    region_area = float(region.area)
    crumb = CRUMB * region_area
    areas = state.prepared.outline_area
    copies = [int(k) for k in np.flatnonzero(state.bin_of < 0)]
    if not copies:
        return True
    left_area = float(areas[state.shape_of[copies]].sum())
    waste_left = sheets * region_area - left_area
    if waste_left < -crumb:
        return False
    first_bin = len(state.bin_types)
    unplaced = set(copies)
    stack: list[_Node] = []

    def expand(free) -> _Node:
        node = _Node(free=free)
        if free.is_empty or free.area <= crumb:
            return node
        node.places, node.waste = _corner_places(state, filler, free, unplaced, rng, noise, waste_left <= crumb)
        return node

    def open_sheet() -> _Node:
        state.open_bin(container)
        node = expand(region)
        node.opened = True
        return node

    stack.append(open_sheet())
    nodes = 0
    while stack:
        if not unplaced:
            state.refresh_all()
            return True
        nodes += 1
        if nodes > node_budget or state.clock.now() >= deadline or should_stop():
            break
        node = stack[-1]
        b = len(state.bin_types) - 1
        if node.tried < len(node.places):
            k, s, x, y = node.places[node.tried]
            node.tried += 1
            state.shape_of[k], state.pos_x[k], state.pos_y[k], state.bin_of[k] = s, x, y, b
            unplaced.discard(k)
            outline = affinity.translate(prepared.outlines[s], x, y)
            child = expand(_without_crumbs(node.free.difference(outline), crumb))
            child.placed = k
            stack.append(child)
            continue
        if node.tried == len(node.places):
            node.tried += 1
            # Give up the piece of free space at the corner (or the sheet, when it is full).
            if node.waste is not None:
                wasted = float(node.waste.area)
                if wasted <= waste_left + crumb:
                    waste_left -= wasted
                    child = expand(_without_crumbs(node.free.difference(node.waste), crumb))
                    child.placed, child.wasted = WASTED, wasted
                    stack.append(child)
                    continue
            elif len(state.bin_types) - first_bin < sheets:
                stack.append(open_sheet())
                continue
        # Every choice here failed: undo the step that made this node.
        stack.pop()
        if node.opened:
            state.drop_bin(len(state.bin_types) - 1)
        elif node.placed >= 0:
            state.bin_of[node.placed] = -1
            unplaced.add(node.placed)
        elif node.placed == WASTED:
            waste_left += node.wasted
    while len(state.bin_types) > first_bin:
        state.drop_bin(len(state.bin_types) - 1)
    state.bin_of[copies] = -1
    state.refresh_all()
    return False


def _without_crumbs(free, crumb: float):
    parts = getattr(free, "geoms", [free])
    kept = [p for p in parts if p.area > crumb]
    if len(kept) == len(parts):
        return free
    return shapely.MultiPolygon(kept) if len(kept) > 1 else (kept[0] if kept else shapely.Polygon())


def _corner_places(state: LayoutState, filler: ContactFiller, free, unplaced: set[int],
                   rng: np.random.Generator, noise: float, strict: bool) -> tuple[list, object]:
    """The free places at the lowest convex corner of ``free`` (one copy per item type,
    edge along the free edge arriving there), most contact first; and the piece of
    free space holding that corner. ``strict``: no waste is left to give, so when any
    convex corner has no copy that could ever fill it, there is no place at all."""
    prepared = state.prepared
    areas = state.prepared.outline_area
    for _ in range(MOVES_PER_PLACE):
        state.clock.tick()
    fx, fy, f_arrive, f_leave, f_interior = _real_corners(free)
    parts = getattr(free, "geoms", [free])
    if not len(fx):  # no corner (round free space): all of it is waste
        return [], free
    # Any convex corner would do; near-flat vertices are already left out, so a rounding
    # error cannot make the lowest vertex a reflex one.
    convex = np.flatnonzero(f_interior < math.pi)
    if not len(convex):
        return [], free
    corners = filler.corners
    owner = shape_owners(prepared, sorted(unplaced))
    if strict:
        # Forward check: a corner that no unplaced copy has (same arriving direction, no
        # wider) will never be filled, and there is no waste left to give it up.
        ci, query = filler.by_arrive.pairs(f_arrive[convex])
        match = (owner[corners.shape[ci]] >= 0) & (corners.interior[ci] <= f_interior[convex][query] + ANGLE_TOLERANCE)
        if len(np.unique(query[match])) < len(convex):
            return [], free
    j = int(convex[np.lexsort((fx[convex], fy[convex]))[0]])
    waste = piece_at_corner(parts, fx[j], fy[j], f_leave[j], f_interior[j], INWARD * filler.band)
    room = float(waste.area)
    b = len(state.bin_types) - 1
    too_big = areas[prepared.item_first_shape] > room * (1.0 + 1e-9)  # per item type
    shape_owner = np.where(np.repeat(too_big, prepared.item_shape_count), -1, owner)
    ci, _ = filler.by_arrive.pairs(f_arrive[j:j + 1])
    ci = ci[(shape_owner[corners.shape[ci]] >= 0) & (corners.interior[ci] <= f_interior[j] + ANGLE_TOLERANCE)]
    if not len(ci):
        return [], waste
    shapes = corners.shape[ci]
    xs, ys = fx[j] - corners.x[ci], fy[j] - corners.y[ci]
    owners = shape_owner[shapes]
    free_ones, checked = first_free_group(owners, shapes, xs, ys, np.array([0, len(ci)], dtype=np.int64), b,
                                          *state.kernel_args())
    filler._tick(checked)
    shapes, xs, ys, owners = shapes[free_ones], xs[free_ones], ys[free_ones], owners[free_ones]
    # Rotations giving the same outline (a rectangle's 0 and 180 degrees) at the same place
    # are one choice, not two branches.
    twin, low_x, low_y = prepared.outline_twins
    key = np.round(np.column_stack([twin[shapes], (xs + low_x[shapes]) / filler.band,
                                    (ys + low_y[shapes]) / filler.band]))
    _, unique = np.unique(key, axis=0, return_index=True)
    shapes, xs, ys, owners = shapes[unique], xs[unique], ys[unique], owners[unique]
    if not len(shapes):
        return [], waste
    share = filler._contact_share(free, shapes, xs, ys) * (1.0 + noise * rng.random(len(shapes)))
    order = np.lexsort((-areas[shapes], -share))
    return [(int(owners[i]), int(shapes[i]), float(xs[i]), float(ys[i])) for i in order], waste


def piece_at_corner(parts, x: float, y: float, leave: float, interior: float, step: float):
    """Of the pieces of free space, the one a corner at (x, y) opens into (leaving edge in
    direction ``leave``, interior angle ``interior``). Pieces may touch at a point, so the
    piece nearest a point ``step`` inside the corner, on its bisector, not the corner."""
    inward = leave + 0.5 * interior
    inside = shapely.Point(x + step * math.cos(inward), y + step * math.sin(inward))
    return min(parts, key=lambda p: p.distance(inside))


def target_sheets(state: LayoutState, container: int) -> int:
    """The fewest sheets of ``container`` the unplaced copies' area needs."""
    unplaced = state.bin_of < 0
    area = float(state.prepared.outline_area[state.shape_of[unplaced]].sum())
    return max(1, math.ceil(area / float(state.prepared.container_regions[container].area) - 1e-9))
