"""Collision kernels: do two placed shapes collide, and by how much.

Touching counts as colliding (within ``tol``), so a layout the engine calls
collision-free has a real gap and survives an exact check in floating point.
Shapes are referred to by index into a ShapeBank's arrays and placed by a
translation (their rotation is baked into the shape).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FAST_POLES = 4


@njit(cache=True, inline="always")
def _cross(ax, ay, bx, by, cx, cy):
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@njit(cache=True)
def segments_touch(ax, ay, bx, by, cx, cy, dx, dy, tol):
    """True when segment ab and segment cd cross or come within about ``tol``."""
    if max(ax, bx) + tol < min(cx, dx) or max(cx, dx) + tol < min(ax, bx):
        return False
    if max(ay, by) + tol < min(cy, dy) or max(cy, dy) + tol < min(ay, by):
        return False
    # A point is within tol of a line when |cross| <= tol * length: compared squared, no root.
    tol2 = tol * tol
    reach_cd = tol2 * ((dx - cx) * (dx - cx) + (dy - cy) * (dy - cy))
    d1 = _cross(cx, cy, dx, dy, ax, ay)
    d2 = _cross(cx, cy, dx, dy, bx, by)
    if d1 * d2 > 0.0 and d1 * d1 > reach_cd and d2 * d2 > reach_cd:
        return False
    reach_ab = tol2 * ((bx - ax) * (bx - ax) + (by - ay) * (by - ay))
    d3 = _cross(ax, ay, bx, by, cx, cy)
    d4 = _cross(ax, ay, bx, by, dx, dy)
    if d3 * d4 > 0.0 and d3 * d3 > reach_ab and d4 * d4 > reach_ab:
        return False
    return True


@njit(cache=True)
def point_in_shape(px, py, s, ox, oy, vx, vy, vertex_start, ring_start):
    """Even-odd test of (px, py) against shape s translated by (ox, oy): inside its material
    (inside the outer ring and outside every hole)."""
    inside = False
    x = px - ox
    y = py - oy
    for r in range(ring_start[s], ring_start[s + 1]):
        first = vertex_start[r]
        last = vertex_start[r + 1]
        j = last - 1
        for i in range(first, last):
            yi = vy[i]
            yj = vy[j]
            if (yi > y) != (yj > y):
                x_cross = vx[i] + (y - yi) * (vx[j] - vx[i]) / (yj - yi)
                if x < x_cross:
                    inside = not inside
            j = i
    return inside


EDGE_RUN = 4  # consecutive edges of a ring whose common box is tested before the edges themselves
SHORT_RING = 16  # a ring of at most this many edges is one run


@njit(cache=True)
def poles_meet(a, ax, ay, b, bx, by, geometry):
    """True when one of the largest few poles of shape a at (ax, ay) overlaps one of b's at
    (bx, by). Poles lie inside the material: this proves a collision, cheaply (False
    proves nothing)."""
    pole_x, pole_y, pole_r, pole_start = geometry[4:8]
    for p in range(pole_start[a], min(pole_start[a + 1], pole_start[a] + FAST_POLES)):
        px = pole_x[p] + ax
        py = pole_y[p] + ay
        for q in range(pole_start[b], min(pole_start[b + 1], pole_start[b] + FAST_POLES)):
            reach = pole_r[p] + pole_r[q]
            dx = pole_x[q] + bx - px
            dy = pole_y[q] + by - py
            if dx * dx + dy * dy < reach * reach:
                return True
    return False


@njit(cache=True)
def shapes_collide(a, ax, ay, b, bx, by, geometry, tol):
    """True when shape a at (ax, ay) and shape b at (bx, by) overlap or touch."""
    vx, vy, vertex_start, ring_start = geometry[:4]
    bbox = geometry[8]
    near = geometry[10]
    edge_from, run_start, run_first, run_box = geometry[15], geometry[16], geometry[17], geometry[18]
    a0 = bbox[a, 0] + ax
    a1 = bbox[a, 1] + ay
    a2 = bbox[a, 2] + ax
    a3 = bbox[a, 3] + ay
    b0 = bbox[b, 0] + bx
    b1 = bbox[b, 1] + by
    b2 = bbox[b, 2] + bx
    b3 = bbox[b, 3] + by
    if a2 + tol < b0 or b2 + tol < a0 or a3 + tol < b1 or b3 + tol < a1:
        return False
    # The largest few poles catch most collisions; the edges settle the rest.
    if poles_meet(a, ax, ay, b, bx, by, geometry):
        return True
    # Only edges inside both boxes' overlap can meet. Edges are tested in runs: two long
    # curves side by side (nested arcs) would otherwise test every edge against every
    # other, and only the runs facing each other need it.
    lo_x = max(a0, b0) - tol
    lo_y = max(a1, b1) - tol
    hi_x = min(a2, b2) + tol
    hi_y = min(a3, b3) + tol
    count = 0
    for rb in range(run_start[b], run_start[b + 1]):
        if (run_box[rb, 2] + bx < lo_x or run_box[rb, 0] + bx > hi_x or run_box[rb, 3] + by < lo_y
                or run_box[rb, 1] + by > hi_y):
            continue
        near[count] = rb
        count += 1
    if count > 0:
        for ra in range(run_start[a], run_start[a + 1]):
            r0 = run_box[ra, 0] + ax - tol
            r1 = run_box[ra, 1] + ay - tol
            r2 = run_box[ra, 2] + ax + tol
            r3 = run_box[ra, 3] + ay + tol
            if r2 < lo_x or r0 > hi_x or r3 < lo_y or r1 > hi_y:
                continue
            for e in range(count):
                rb = near[e]
                if (run_box[rb, 2] + bx < r0 or run_box[rb, 0] + bx > r2 or run_box[rb, 3] + by < r1
                        or run_box[rb, 1] + by > r3):
                    continue
                q0 = run_box[rb, 0] + bx - tol
                q1 = run_box[rb, 1] + by - tol
                q2 = run_box[rb, 2] + bx + tol
                q3 = run_box[rb, 3] + by + tol
                for i1 in range(run_first[ra], run_first[ra + 1]):
                    i0 = edge_from[i1]
                    px0 = vx[i0] + ax
                    py0 = vy[i0] + ay
                    px1 = vx[i1] + ax
                    py1 = vy[i1] + ay
                    if max(px0, px1) < q0 or min(px0, px1) > q2 or max(py0, py1) < q1 or min(py0, py1) > q3:
                        continue
                    for j1 in range(run_first[rb], run_first[rb + 1]):
                        j0 = edge_from[j1]
                        if segments_touch(px0, py0, px1, py1, vx[j0] + bx, vy[j0] + by, vx[j1] + bx, vy[j1] + by,
                                          tol):
                            return True
    # Boundaries apart: one shape is inside the other's material, or they are disjoint. A
    # vertex outside the other's box is outside its material: no need to walk its rings.
    fa = vertex_start[ring_start[a]]
    px = vx[fa] + ax
    py = vy[fa] + ay
    if b0 <= px <= b2 and b1 <= py <= b3 and point_in_shape(px, py, b, bx, by, vx, vy, vertex_start, ring_start):
        return True
    fb = vertex_start[ring_start[b]]
    px = vx[fb] + bx
    py = vy[fb] + by
    return a0 <= px <= a2 and a1 <= py <= a3 and point_in_shape(px, py, a, ax, ay, vx, vy, vertex_start,
                                                                 ring_start)


POLE_LANES = 16  # poles per shape in the proxy's padded arrays (shapes.MAX_POLES fits)


@njit(cache=True, fastmath={"nnan", "ninf", "nsz"}, error_model="numpy")
def overlap_proxy(a, ax, ay, b, bx, by, lane_x, lane_y, lane_r, pole_start, epsilon):
    """How deep two colliding shapes overlap: summed pole penetrations, each weighted by the
    smaller pole; a penetration below ``epsilon`` (or a gap) decays smoothly to zero, so
    that grazing collisions still push the shapes apart. Positive; call it only for shapes
    that collide.

    This is the engine's hottest loop, written for SIMD: poles in float32 lanes of
    POLE_LANES per shape (padding poles have radius 0 and add nothing), a fixed inner trip
    count and no division check (error_model numpy; the denominator is never below
    epsilon). The proxy only ranks placements: float32 is plenty. The sum runs in lanes
    added up in a fixed order, never reassociated: a compiler free to reorder it did so
    differently in a fresh compile and a cached one, and the same seed gave two layouts."""
    e = np.float32(epsilon)
    e2 = e * e
    two_e = np.float32(2.0) * e
    ox = np.float32(ax - bx)
    oy = np.float32(ay - by)
    first_b = b * POLE_LANES
    sums = np.zeros(POLE_LANES, dtype=np.float32)
    for p in range(a * POLE_LANES, a * POLE_LANES + pole_start[a + 1] - pole_start[a]):
        px = lane_x[p] + ox
        py = lane_y[p] + oy
        rp = lane_r[p]
        for lane in range(POLE_LANES):
            q = first_b + lane
            rq = lane_r[q]
            dx = lane_x[q] - px
            dy = lane_y[q] - py
            depth = rp + rq - math.sqrt(dx * dx + dy * dy)
            decayed = depth if depth >= e else e2 / (two_e - depth)
            sums[lane] += decayed * (rp if rp < rq else rq)
    total = 0.0
    for lane in range(POLE_LANES):
        total += sums[lane]
    return total + epsilon * epsilon


@njit(cache=True)
def outside_rect(a, ax, ay, bbox, x0, y0, x1, y1):
    """How far shape a at (ax, ay) sticks out of the rectangle, summed over its four sides."""
    out = 0.0
    out += max(0.0, x0 - (bbox[a, 0] + ax))
    out += max(0.0, y0 - (bbox[a, 1] + ay))
    out += max(0.0, bbox[a, 2] + ax - x1)
    out += max(0.0, bbox[a, 3] + ay - y1)
    return out
