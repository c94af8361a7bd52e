"""Where should this copy go? Cost of a candidate placement, and the sampled search for
the cheapest one (uniform and local samples, then coordinate descent), all in numba.

The layout state travels as plain arrays: ``shape_of``, ``pos_x``, ``pos_y``,
``bin_of`` (bin instance of each copy, -1 when not placed), the guided-local-search
weights ``weights`` (copy x copy) and ``wall_weights`` (copy vs its bin's walls
and hazards), and per bin instance its usable rectangle ``bin_rect`` and hazard
shapes ``hazards[hazard_start[b]:hazard_start[b + 1]]`` (placed at the origin).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from nester.engine.collide import outside_rect, overlap_proxy, poles_meet, shapes_collide

DESCENT_STEPS = 60
DESCENT_SMALLEST = 1e-3  # of the side: the descent stops below this step (sparrow's final refine does too)
EPSILON_SHARE = 0.01  # of the larger box diagonal: overlaps shallower than this decay (sparrow's ratio)
WALL_GRAZE = 1e-4  # of a box's area: the least a part sticking out of its bin costs
SQUARE_SHARE = 0.75  # of a free item's uniform samples: one of its quarter turns
HOME_SHAPE_SHARE = 0.7  # of local samples: the shape of the place they sample around


@njit(cache=True)
def square_shape(first_shape, shape_count, turn_stride):
    """A shape of an item at random, one of its quarter turns if it is free."""
    stride = max(turn_stride[first_shape], 1)
    return first_shape + stride * np.random.randint(shape_count // stride)


@njit(cache=True)
def sample_shape(first_shape, shape_count, turn_stride):
    """A shape of an item, at random. A free item lies square (one of its quarter turns)
    in SQUARE_SHARE of the samples: furniture parts pack square, and among 24 angles a
    uniform draw would rarely find it."""
    if turn_stride[first_shape] > 0 and np.random.random() < SQUARE_SHARE:
        return square_shape(first_shape, shape_count, turn_stride)
    return first_shape + np.random.randint(shape_count)


@njit(cache=True)
def nearby_shape(home_s, first_shape, shape_count, turn_stride):
    """A shape close to home_s: the same one mostly; for a free item the next angle either
    way (a local sample adjusts, it does not turn the part over); otherwise any."""
    if np.random.random() < HOME_SHAPE_SHARE:
        return home_s
    if turn_stride[first_shape] > 0:
        step = 1 if np.random.random() < 0.5 else shape_count - 1
        return first_shape + (home_s - first_shape + step) % shape_count
    return first_shape + np.random.randint(shape_count)


@njit(cache=True)
def wall_overlap(s, x, y, b, geometry, bin_rect, hazards, hazard_start, tol, epsilon_share):
    """Unweighted overlap of shape s at (x, y) with bin b's walls and hazards (0: inside, clear)."""
    bbox, size = geometry[8], geometry[9]
    total = 0.0
    if outside_rect(s, x, y, bbox, bin_rect[b, 0], bin_rect[b, 1], bin_rect[b, 2], bin_rect[b, 3]) > 0.0:
        # The box's area outside the bin (never zero: a grazing part still has a way in).
        width = bbox[s, 2] - bbox[s, 0]
        height = bbox[s, 3] - bbox[s, 1]
        inside_x = max(0.0, min(bbox[s, 2] + x, bin_rect[b, 2]) - max(bbox[s, 0] + x, bin_rect[b, 0]))
        inside_y = max(0.0, min(bbox[s, 3] + y, bin_rect[b, 3]) - max(bbox[s, 1] + y, bin_rect[b, 1]))
        outside = (1.0 + WALL_GRAZE) * width * height - inside_x * inside_y
        total += 2.0 * math.sqrt(outside) * size[s]
    for h in range(hazard_start[b], hazard_start[b + 1]):
        hz = hazards[h]
        if shapes_collide(s, x, y, hz, 0.0, 0.0, geometry, tol):
            total += collision_penalty(s, x, y, hz, 0.0, 0.0, geometry, epsilon_share)
    return total


@njit(cache=True, inline="always")
def collision_penalty(s, x, y, t, u, v, geometry, epsilon_share):
    """How much two colliding shapes overlap (sparrow's quantification): the root of their
    pole overlap proxy, an area, times the geometric mean of their sizes. The root keeps
    one deep overlap from outweighing many shallow ones; the sizes make an overlap between
    large shapes dearer, so that the small ones are the ones that move away."""
    pole_start, bbox, size, lane_x, lane_y, lane_r = (geometry[7], geometry[8], geometry[9], geometry[11],
                                                      geometry[12], geometry[13])
    reach = max(math.hypot(bbox[s, 2] - bbox[s, 0], bbox[s, 3] - bbox[s, 1]),
                math.hypot(bbox[t, 2] - bbox[t, 0], bbox[t, 3] - bbox[t, 1]))
    proxy = overlap_proxy(s, x, y, t, u, v, lane_x, lane_y, lane_r, pole_start, epsilon_share * reach)
    return math.sqrt(proxy) * math.sqrt(size[s] * size[t])


@njit(cache=True, inline="always")
def pair_overlap(s, x, y, t, u, v, geometry, tol, epsilon_share):
    """Unweighted overlap of shape s at (x, y) with shape t at (u, v) (0: apart)."""
    if shapes_collide(s, x, y, t, u, v, geometry, tol):
        return collision_penalty(s, x, y, t, u, v, geometry, epsilon_share)
    return 0.0


@njit(cache=True)
def placement_cost(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights,
                   bin_rect, hazards, hazard_start, tol, epsilon_share, bound):
    """Weighted overlap of copy k placed as shape s at (x, y) in bin b with everything else
    in that bin. Stops adding once past ``bound`` (the caller only wants better ones)."""
    bbox = geometry[8]
    cost = wall_weights[k] * wall_overlap(s, x, y, b, geometry, bin_rect, hazards, hazard_start, tol, epsilon_share)
    if cost > bound:
        return cost
    x0 = bbox[s, 0] + x - tol
    y0 = bbox[s, 1] + y - tol
    x1 = bbox[s, 2] + x + tol
    y1 = bbox[s, 3] + y + tol
    if bound < np.inf:
        # Most samples are turned down. The collisions the poles prove are cheap to find; when
        # they alone pass the bound, the edge tests of the other pairs are not needed. The
        # terms are added in the same order as below, and none is negative: in floating point
        # too, the full sum is at least this partial one. (The two loops share their first
        # lines on purpose: an inlined helper for them made frame's moves 70 % slower.)
        partial = cost
        for other in range(len(shape_of)):
            if other == k or bin_of[other] != b:
                continue
            t = shape_of[other]
            u = pos_x[other]
            v = pos_y[other]
            if bbox[t, 0] + u > x1 or bbox[t, 2] + u < x0 or bbox[t, 1] + v > y1 or bbox[t, 3] + v < y0:
                continue
            if poles_meet(s, x, y, t, u, v, geometry):
                partial += weights[k, other] * collision_penalty(s, x, y, t, u, v, geometry, epsilon_share)
                if partial > bound:
                    return partial
    for other in range(len(shape_of)):
        if other == k or bin_of[other] != b:
            continue
        t = shape_of[other]
        u = pos_x[other]
        v = pos_y[other]
        if bbox[t, 0] + u > x1 or bbox[t, 2] + u < x0 or bbox[t, 1] + v > y1 or bbox[t, 3] + v < y0:
            continue
        overlap = pair_overlap(s, x, y, t, u, v, geometry, tol, epsilon_share)
        if overlap > 0.0:
            cost += weights[k, other] * overlap
            if cost > bound:
                return cost
    return cost


@njit(cache=True)
def refresh_overlaps(k, overlap, wall_overlap_of, geometry, shape_of, pos_x, pos_y, bin_of, bin_rect, hazards,
                     hazard_start, tol, epsilon_share):
    """After copy k moved: its row and column of ``overlap`` (unweighted overlap with each
    other copy) and its ``wall_overlap_of``, recomputed."""
    s = shape_of[k]
    x = pos_x[k]
    y = pos_y[k]
    b = bin_of[k]
    for other in range(len(shape_of)):
        overlap[k, other] = 0.0
        overlap[other, k] = 0.0
    wall_overlap_of[k] = 0.0
    if b < 0:
        return
    for other in range(len(shape_of)):
        if other != k and bin_of[other] == b:
            value = pair_overlap(s, x, y, shape_of[other], pos_x[other], pos_y[other], geometry, tol, epsilon_share)
            overlap[k, other] = value
            overlap[other, k] = value
    wall_overlap_of[k] = wall_overlap(s, x, y, b, geometry, bin_rect, hazards, hazard_start, tol, epsilon_share)


@njit(cache=True)
def seed_random(seed):
    np.random.seed(seed)


@njit(cache=True)
def _uniform_position(s, b, bbox, bin_rect):
    lo_x = bin_rect[b, 0] - bbox[s, 0]
    hi_x = bin_rect[b, 2] - bbox[s, 2]
    lo_y = bin_rect[b, 1] - bbox[s, 1]
    hi_y = bin_rect[b, 3] - bbox[s, 3]
    x = lo_x + np.random.random() * (hi_x - lo_x) if hi_x > lo_x else 0.5 * (lo_x + hi_x)
    y = lo_y + np.random.random() * (hi_y - lo_y) if hi_y > lo_y else 0.5 * (lo_y + hi_y)
    return x, y


@njit(cache=True)
def search_move(k, first_shape, shape_count, candidate_bins, n_uniform, n_local, geometry, shape_of, pos_x,
                pos_y, bin_of, weights, wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share):
    """The cheapest placement found for copy k: (shape, x, y, bin, cost).

    Samples shapes (rotations) of its item uniformly over the candidate bins and
    around its current place, then refines the best by coordinate descent: a
    step that helps grows x1.1, one that does not halves (sparrow's scheme).
    """
    bbox = geometry[8]
    turn_stride = geometry[14]
    best_s = shape_of[k]
    best_x = pos_x[k]
    best_y = pos_y[k]
    best_b = bin_of[k]
    if best_b >= 0:
        best = placement_cost(k, best_s, best_x, best_y, best_b, geometry, shape_of, pos_x, pos_y, bin_of,
                              weights, wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share, np.inf)
    else:
        best = np.inf
    for _ in range(n_uniform):
        s = sample_shape(first_shape, shape_count, turn_stride)
        b = candidate_bins[np.random.randint(len(candidate_bins))]
        x, y = _uniform_position(s, b, bbox, bin_rect)
        cost = placement_cost(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights,
                              bin_rect, hazards, hazard_start, tol, epsilon_share, best)
        if cost < best:
            best, best_s, best_x, best_y, best_b = cost, s, x, y, b
    if best_b >= 0:
        home_s, home_x, home_y = best_s, best_x, best_y
        for _ in range(n_local):
            s = nearby_shape(home_s, first_shape, shape_count, turn_stride)
            w = bbox[s, 2] - bbox[s, 0]
            h = bbox[s, 3] - bbox[s, 1]
            x = home_x + np.random.normal() * 0.1 * w
            y = home_y + np.random.normal() * 0.1 * h
            cost = placement_cost(k, s, x, y, best_b, geometry, shape_of, pos_x, pos_y, bin_of, weights,
                                  wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share, best)
            if cost < best:
                best, best_s, best_x, best_y = cost, s, x, y
    if best > 0.0 and best_b >= 0:
        best, best_x, best_y = _descend(k, best_s, best_x, best_y, best_b, best, geometry, shape_of, pos_x,
                                        pos_y, bin_of, weights, wall_weights, bin_rect, hazards, hazard_start,
                                        tol, epsilon_share)
    return best_s, best_x, best_y, best_b, best


@njit(cache=True)
def _descend(k, s, x, y, b, cost, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect,
             hazards, hazard_start, tol, epsilon_share):
    bbox = geometry[8]
    step_x = 0.05 * (bbox[s, 2] - bbox[s, 0])
    step_y = 0.05 * (bbox[s, 3] - bbox[s, 1])
    smallest_x = DESCENT_SMALLEST * (bbox[s, 2] - bbox[s, 0]) + tol
    smallest_y = DESCENT_SMALLEST * (bbox[s, 3] - bbox[s, 1]) + tol
    for _ in range(DESCENT_STEPS):
        if cost <= 0.0 or (step_x < smallest_x and step_y < smallest_y):
            break
        moved = False
        for direction in range(4):
            dx = step_x if direction == 0 else (-step_x if direction == 1 else 0.0)
            dy = step_y if direction == 2 else (-step_y if direction == 3 else 0.0)
            if dx == 0.0 and dy == 0.0:
                continue
            trial = placement_cost(k, s, x + dx, y + dy, b, geometry, shape_of, pos_x, pos_y, bin_of, weights,
                                   wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share, cost)
            if trial < cost:
                cost = trial
                x += dx
                y += dy
                moved = True
                if dx != 0.0:
                    step_x *= 1.1
                else:
                    step_y *= 1.1
                break
        if not moved:
            step_x *= 0.5
            step_y *= 0.5
    return cost, x, y


@njit(cache=True)
def move_colliding(order, all_bins, copy_first_shape, copy_shape_count, n_uniform, n_local, overlap,
                   wall_overlap_of, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect,
                   hazards, hazard_start, tol, epsilon_share):
    """One pass of the separator: each copy of ``order`` that still collides moves to the
    cheapest place search_move finds, in any of ``all_bins`` (empty: only its own bin),
    and its overlaps are brought up to date. Returns how many copies moved. One call per
    pass: the pass is too hot for Python."""
    own = np.empty(1, dtype=np.int64)
    moved = 0
    for k in order:
        if wall_overlap_of[k] <= 0.0 and not (overlap[k] > 0.0).any():
            continue
        own[0] = bin_of[k]
        candidates = own if len(all_bins) == 0 else all_bins
        s, x, y, b, _ = search_move(k, copy_first_shape[k], copy_shape_count[k], candidates, n_uniform, n_local,
                                    geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect,
                                    hazards, hazard_start, tol, epsilon_share)
        shape_of[k] = s
        pos_x[k] = x
        pos_y[k] = y
        bin_of[k] = b
        refresh_overlaps(k, overlap, wall_overlap_of, geometry, shape_of, pos_x, pos_y, bin_of, bin_rect, hazards,
                         hazard_start, tol, epsilon_share)
        moved += 1
    return moved
