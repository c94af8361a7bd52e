"""Arc and circle arithmetic shared by the CAM and the backplot.

Points are (x, y) tuples in mm; angles in radians, counter-clockwise positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

Point = tuple[float, float]

TWO_PI = 2.0 * math.pi
SAME_POINT = 1e-9  # mm: endpoints closer than this are one point

# A ring is read as a circle when every vertex lies this close to one radius...
CIRCLE_RADIUS_TOLERANCE = 0.001
# ...it has at least this many vertices, going once around the centre...
CIRCLE_MIN_VERTICES = 16
# ...no edge spans more of the circle than a regular polygon with that many
# vertices would: a flat or a chord (a D shape) is not a circle...
CIRCLE_MAX_EDGE_ANGLE = TWO_PI / CIRCLE_MIN_VERTICES + 1e-6
# ...and every edge stays this close to the circle. The importers flatten drawn
# curves to 0.01 mm chords; the flats of a drawn regular polygon sit further in
# (1.9 % of the radius for 16 sides), and cutting its circle would cut past them.
CIRCLE_CHORD_TOLERANCE = 0.01 + 1e-9  # mm, with room for rounding


@dataclass(frozen=True)
class Circle:
    centre: Point
    radius: float


def arc_sweep(start: Point, end: Point, centre: Point, clockwise: bool) -> float:
    """Angle swept going from start to end around centre, in (0, 2*pi]; start == end is a full turn."""
    a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
    a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = (a0 - a1) if clockwise else (a1 - a0)
    sweep %= TWO_PI
    if sweep <= 1e-12 and math.dist(start, end) <= SAME_POINT:
        return TWO_PI
    return sweep


def rotate_about(point: Point, centre: Point, angle: float) -> Point:
    """point turned by angle (counter-clockwise positive) about centre."""
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    return (centre[0] + c * dx - s * dy, centre[1] + s * dx + c * dy)


def arc_length(start: Point, end: Point, centre: Point, clockwise: bool) -> float:
    """Length of the XY arc from start to end."""
    return math.dist(start, centre) * arc_sweep(start, end, centre, clockwise)


def sample_arc(start: Point, end: Point, centre: Point, clockwise: bool, chord_error: float) -> list[Point]:
    """Points along the arc, start excluded, end included, chords within chord_error of the arc."""
    radius = math.dist(start, centre)
    sweep = arc_sweep(start, end, centre, clockwise)
    if radius <= chord_error:
        return [end]
    max_step = 2.0 * math.acos(1.0 - chord_error / radius)
    count = max(1, math.ceil(sweep / max_step))
    direction = -1.0 if clockwise else 1.0
    points = [rotate_about(start, centre, direction * sweep * i / count) for i in range(1, count)]
    points.append(end)
    return points


def fit_circle(ring: Sequence[Point]) -> Circle | None:
    """The circle a closed ring of vertices approximates, or None if it is not one.

    The ring may repeat its first vertex at the end. Least-squares (Kasa) fit, then
    the tolerances above decide: importers flatten drawn circles into many
    vertices, and cutting the true circle as arcs is what the drawing meant --
    as long as the circle and the drawn edges are never more than a chord
    tolerance apart.
    """
    points = np.asarray(ring, dtype=float)
    if len(points) > 1 and np.allclose(points[0], points[-1], rtol=0.0, atol=SAME_POINT):
        points = points[:-1]
    if len(points) < CIRCLE_MIN_VERTICES:
        return None
    x, y = points[:, 0], points[:, 1]
    design = np.column_stack([x, y, np.ones_like(x)])
    (d, e, f), *_ = np.linalg.lstsq(design, -(x * x + y * y), rcond=None)
    cx, cy = -d / 2.0, -e / 2.0
    radius_squared = cx * cx + cy * cy - f
    if radius_squared <= 0.0:
        return None
    radius = math.sqrt(radius_squared)
    distances = np.hypot(x - cx, y - cy)
    if np.max(np.abs(distances - radius)) > CIRCLE_RADIUS_TOLERANCE:
        return None
    angles = np.arctan2(y - cy, x - cx)
    steps = np.diff(np.append(angles, angles[0]))
    steps = (steps + math.pi) % TWO_PI - math.pi
    goes_around_once = abs(abs(steps.sum()) - TWO_PI) < 1e-6
    one_direction = bool(np.all(steps > 0) or np.all(steps < 0))
    if not (goes_around_once and one_direction and np.max(np.abs(steps)) <= CIRCLE_MAX_EDGE_ANGLE):
        return None
    # An edge strays furthest from the circle at its middle.
    middles = (points + np.roll(points, -1, axis=0)) / 2.0
    if np.max(radius - np.hypot(middles[:, 0] - cx, middles[:, 1] - cy)) > CIRCLE_CHORD_TOLERANCE:
        return None
    return Circle((float(cx), float(cy)), radius)
