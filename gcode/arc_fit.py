"""Arcs fitted to polylines, so a program says G2/G3 once instead of G1 a hundred times.

Shapely's offsets and the importers' Bézier flattening turn every curve into
short chords: a rounded corner of an outside profile, a drawn fillet, a bulge.
Replacing runs of chords by the arc they approximate shrinks programs about
tenfold and lets the controller's planner run the curve at full feed.

Every fitted arc starts and ends on vertices of the polyline and stays within
`tolerance` of it everywhere -- at the vertices and between them, where an arc
bulges away from a chord -- so cutting the arc instead of the chords moves the
cut by at most the tolerance.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from gcode.arcs import Point, rotate_about
from gcode.segments import Arc, Line, Segment

ARC_TOLERANCE = 0.01  # mm
MIN_ARC_CHORDS = 3  # fewer chords than this are kept as lines: an arc would not shorten the program
# Beyond this radius an "arc" is a straight line with rounding noise; controllers
# also lose precision on such I/J values.
MAX_ARC_RADIUS = 2000.0  # mm
MIN_ARC_RADIUS = 0.05  # mm: below this an arc is a point at G-code resolution


def fit_segments(points: Sequence[Point], tolerance: float = ARC_TOLERANCE) -> tuple[Segment, ...]:
    """The segments of a path through `points` (from points[0]), chord runs merged into arcs."""
    coords = np.asarray(points, dtype=float)
    count = len(coords)
    segments: list[Segment] = []
    i = 0
    while i < count - 1:
        j, arc = _longest_arc(coords, i, tolerance)
        if arc is None:
            segments.append(Line(_point(coords[i + 1])))
            i += 1
            continue
        centre, clockwise = arc
        segments.extend(_split_half_turns(_point(coords[i]), _point(coords[j]), centre, clockwise))
        i = j
    return tuple(segments)


def _longest_arc(coords: np.ndarray, i: int, tolerance: float) -> tuple[int, tuple[Point, bool] | None]:
    """The furthest vertex j an arc from vertex i can reach, and that arc (None: no arc here).

    Galloping then bisection: whether a run fits is nearly monotone in its
    length, and testing one run costs its length, so this stays O(n log n).
    """
    last = len(coords) - 1
    first = i + MIN_ARC_CHORDS
    if first > last:
        return i + 1, None
    best = _arc_through(coords, i, first, tolerance)
    if best is None:
        return i + 1, None
    good, step = first, 1
    bad = None
    while True:
        candidate = min(good + step, last)
        if candidate == good:
            break
        arc = _arc_through(coords, i, candidate, tolerance)
        if arc is None:
            bad = candidate
            break
        good, best = candidate, arc
        step *= 2
    if bad is not None:
        while bad - good > 1:
            middle = (good + bad) // 2
            arc = _arc_through(coords, i, middle, tolerance)
            if arc is None:
                bad = middle
            else:
                good, best = middle, arc
    return good, best


def _arc_through(coords: np.ndarray, i: int, j: int, tolerance: float) -> tuple[Point, bool] | None:
    """The arc from vertex i to vertex j within tolerance of the chords between them, or None."""
    run = coords[i:j + 1]
    start, end = run[0], run[-1]
    middle = run[len(run) // 2]
    centre = _circumcentre(start, middle, end)
    if centre is None:
        return None
    radius = float(np.hypot(*(start - centre)))
    if not MIN_ARC_RADIUS <= radius <= MAX_ARC_RADIUS:
        return None
    offsets = run - centre
    distances = np.hypot(offsets[:, 0], offsets[:, 1])
    if np.max(np.abs(distances - radius)) > tolerance:
        return None
    # Between two vertices the arc bulges out from the chord: furthest from it where the
    # chord comes nearest to the centre.
    if np.max(radius - _distances_to_segments(centre, run[:-1], run[1:])) > tolerance:
        return None
    angles = np.arctan2(offsets[:, 1], offsets[:, 0])
    steps = (np.diff(angles) + math.pi) % (2.0 * math.pi) - math.pi
    # Every chord must turn the same way and less than a half turn, and the whole
    # run must go less than once around: otherwise it is not one arc.
    if not (np.all(steps > 0.0) or np.all(steps < 0.0)):
        return None
    if np.max(np.abs(steps)) >= math.pi / 2.0 or abs(float(np.sum(steps))) >= 2.0 * math.pi - 1e-6:
        return None
    return _point(centre), bool(steps[0] < 0.0)


def _distances_to_segments(point: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    along = ends - starts
    squared = np.einsum("ij,ij->i", along, along)
    t = np.where(squared > 0.0, np.einsum("ij,ij->i", point - starts, along) / np.where(squared > 0.0, squared, 1.0),
                 0.0)
    nearest = starts + np.clip(t, 0.0, 1.0)[:, None] * along
    return np.hypot(nearest[:, 0] - point[0], nearest[:, 1] - point[1])


def _circumcentre(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray | None:
    ab, ac = b - a, c - a
    cross = ab[0] * ac[1] - ab[1] * ac[0]
    scale = max(float(np.dot(ab, ab)), float(np.dot(ac, ac)))
    if abs(cross) <= 1e-12 * scale:
        return None  # collinear: a line, not an arc
    ab2, ac2 = float(np.dot(ab, ab)), float(np.dot(ac, ac))
    ux = (ac[1] * ab2 - ab[1] * ac2) / (2.0 * cross)
    uy = (ab[0] * ac2 - ac[0] * ab2) / (2.0 * cross)
    return a + np.array([ux, uy])


def _split_half_turns(start: Point, end: Point, centre: Point, clockwise: bool) -> list[Arc]:
    """The arc as pieces of at most 180 degrees each, ending exactly at `end`."""
    a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
    a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = ((a0 - a1) if clockwise else (a1 - a0)) % (2.0 * math.pi)
    pieces = max(1, math.ceil(sweep / math.pi - 1e-9))  # ArcCut allows at most 180 degrees
    direction = -1.0 if clockwise else 1.0
    arcs = [Arc(rotate_about(start, centre, direction * sweep * k / pieces), centre, clockwise) for k in range(1, pieces)]
    arcs.append(Arc(end, centre, clockwise))
    return arcs


def _point(xy: np.ndarray) -> Point:
    return (float(xy[0]), float(xy[1]))
