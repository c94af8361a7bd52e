"""A first layout: copies one at a time, each at the most bottom-left feasible place found
among anchor points (the bin corner, the sides of copies already placed) and random
samples, then slid left and down as far as it goes."""

from __future__ import annotations

import numpy as np
from numba import njit

from nester.engine.moves import placement_cost, square_shape

ANCHOR_ROTATIONS = 4


@njit(cache=True)
def free_at(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect, hazards,
            hazard_start, tol, epsilon_share):
    """Whether copy k placed as shape s at (x, y) in bin b collides with nothing."""
    return placement_cost(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights,
                          bin_rect, hazards, hazard_start, tol, epsilon_share, 0.0) == 0.0


@njit(cache=True)
def _slide(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect, hazards,
           hazard_start, tol, epsilon_share):
    bbox = geometry[8]
    smallest = 20.0 * tol
    for _ in range(8):
        moved = False
        for axis in range(2):
            if axis == 0:
                step = x - (bin_rect[b, 0] - bbox[s, 0])
            else:
                step = y - (bin_rect[b, 1] - bbox[s, 1])
            while step > smallest:
                tx = x - step if axis == 0 else x
                ty = y - step if axis == 1 else y
                if free_at(k, s, tx, ty, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights,
                         bin_rect, hazards, hazard_start, tol, epsilon_share):
                    x = tx
                    y = ty
                    moved = True
                else:
                    step *= 0.5
        if not moved:
            break
    return x, y


@njit(cache=True)
def place_bottom_left(k, first_shape, shape_count, b, n_samples, x_limit, geometry, shape_of, pos_x, pos_y,
                      bin_of, weights, wall_weights, bin_rect, hazards, hazard_start, tol, epsilon_share):
    """(found, shape, x, y): the most bottom-left free place found for copy k in bin b,
    sampling x only up to ``x_limit`` (the strip's current end plus room for the copy).
    A free item goes in square (one of its quarter turns), as by contact."""
    bbox = geometry[8]
    turn_stride = geometry[14]
    best_key = np.inf
    best_s = -1
    best_x = 0.0
    best_y = 0.0
    members = np.flatnonzero(bin_of == b)
    n_anchor = 2 * len(members) + 1
    # Free rotation has many shapes: each anchor tries its quarter turns; a large set of
    # rotations, a few of them at random.
    stride = turn_stride[first_shape]
    tried = shape_count // stride if stride > 0 else min(shape_count, ANCHOR_ROTATIONS)
    n_anchored = n_anchor * tried
    for i in range(n_anchored + n_samples):
        if i < n_anchored:
            if stride > 0:
                s = first_shape + stride * (i % tried)
            elif tried == shape_count:
                s = first_shape + i % tried
            else:
                s = first_shape + np.random.randint(shape_count)
            anchor = i // tried
            if anchor == 0:
                ax = bin_rect[b, 0]
                ay = bin_rect[b, 1]
            else:
                m = members[(anchor - 1) // 2]
                t = shape_of[m]
                if (anchor - 1) % 2 == 0:
                    ax = bbox[t, 2] + pos_x[m]
                    ay = bbox[t, 1] + pos_y[m]
                else:
                    ax = bbox[t, 0] + pos_x[m]
                    ay = bbox[t, 3] + pos_y[m]
            x = ax - bbox[s, 0] + 4.0 * tol
            y = ay - bbox[s, 1] + 4.0 * tol
        else:
            s = square_shape(first_shape, shape_count, turn_stride)
            hi_x = min(bin_rect[b, 2], x_limit) - bbox[s, 2]
            lo_x = bin_rect[b, 0] - bbox[s, 0]
            lo_y = bin_rect[b, 1] - bbox[s, 1]
            hi_y = bin_rect[b, 3] - bbox[s, 3]
            if hi_x < lo_x or hi_y < lo_y:
                continue
            x = lo_x + np.random.random() * (hi_x - lo_x)
            y = lo_y + np.random.random() * (hi_y - lo_y)
        if bbox[s, 2] + x - bin_rect[b, 0] > best_key:
            continue
        if not free_at(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect,
                     hazards, hazard_start, tol, epsilon_share):
            continue
        x, y = _slide(k, s, x, y, b, geometry, shape_of, pos_x, pos_y, bin_of, weights, wall_weights, bin_rect,
                      hazards, hazard_start, tol, epsilon_share)
        key = bbox[s, 2] + x - bin_rect[b, 0] + 1e-3 * (bbox[s, 3] + y - bin_rect[b, 1])
        if key < best_key:
            best_key = key
            best_s = s
            best_x = x
            best_y = y
    return best_s >= 0, best_s, best_x, best_y
