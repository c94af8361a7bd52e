"""Slots, notches and mortises of a part, found from its outline alone.

A slot is a gap between two straight walls that face each other across empty space
at a given width: an indentation of the outline (a half-lap slot, a notch) or a
rectangular hole (a mortise). Walking the ring from one wall to the other, each of
the two ways round is either an *end* (it stays close to the walls: a slot bottom,
with its dogbones or T-bones) or an *opening* (it goes round the rest of the part).
A slot has one end and one opening, a mortise two ends. Rounded ends (a vertex near
the centre line) are not square seats: they are reported and left alone.

Rings are lists of (x, y) without the closing point; ``material_left`` says on which
side of the ring's direction the part's material lies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import Polygon

MIN_WALL = 5.0  # mm of wall the two sides of a slot share; shorter pairs are chords of curves
ANGLE_TOLERANCE = 1e-6  # radians: walls and collinear segments
EMPTY_MARGIN = 0.05  # mm: the gap between the walls must be empty this far in from them
MAX_END_VERTICES = 400


@dataclass(frozen=True)
class Wall:
    first: int  # ring index of its first vertex
    last: int  # ring index of its last vertex (after first, cyclically)
    start: tuple[float, float]
    end: tuple[float, float]
    direction: tuple[float, float]
    material: tuple[float, float]  # unit normal pointing into the part's material
    length: float


@dataclass(frozen=True)
class Slot:
    """walls: the two sides; ends: ring index lists of the ends' inner vertices; openings: per
    corner where a wall meets the rest of the outline, (ring index, step along the ring away
    from the wall, which wall: 0 or 1)."""

    walls: tuple[Wall, Wall]
    width: float
    centre: tuple[float, float]
    ends: tuple[tuple[int, ...], ...]
    openings: tuple[tuple[int, int, int], ...]
    rounded: bool

    @property
    def is_mortise(self) -> bool:
        return not self.openings


def _sub(a, b):
    return a[0] - b[0], a[1] - b[1]


def _dot(a, b) -> float:
    return a[0] * b[0] + a[1] * b[1]


def _cross(a, b) -> float:
    return a[0] * b[1] - a[1] * b[0]


def walls(ring: list[tuple[float, float]], material_left: bool) -> list[Wall]:
    """Maximal runs of collinear segments of the ring, each as one wall."""
    n = len(ring)
    directions = []
    for k in range(n):
        dx, dy = _sub(ring[(k + 1) % n], ring[k])
        length = math.hypot(dx, dy)
        directions.append((dx / length, dy / length) if length > 0.0 else (0.0, 0.0))

    def continues(k: int) -> bool:  # segment k goes on in the direction of segment k - 1
        a, b = directions[k - 1], directions[k]
        return _dot(a, b) > 0.0 and abs(_cross(a, b)) < ANGLE_TOLERANCE

    starts = [k for k in range(n) if not continues(k)]
    found = []
    for index, first in enumerate(starts):
        last = starts[(index + 1) % len(starts)] if len(starts) > 1 else first
        start, end = ring[first], ring[last]
        dx, dy = _sub(end, start)
        length = math.hypot(dx, dy)
        if length <= 0.0:
            continue
        u = (dx / length, dy / length)
        left = (-u[1], u[0])
        material = left if material_left else (-left[0], -left[1])
        found.append(Wall(first, last, start, end, u, material, length))
    return found


def _between(first: int, last: int, n: int) -> list[int]:
    """Ring indices strictly between first and last, going forward."""
    out, k = [], (first + 1) % n
    while k != last:
        out.append(k)
        k = (k + 1) % n
    return out


def find_slots(ring: list[tuple[float, float]], material_left: bool, part: Polygon,
               widths: tuple[float, float]) -> list[Slot]:
    """The slots of one ring of ``part`` whose width lies within ``widths`` (mm, inclusive)."""
    candidates = [w for w in walls(ring, material_left) if w.length >= MIN_WALL]
    slots = []
    for i, a in enumerate(candidates):
        for b in candidates[i + 1:]:
            slot = _slot(ring, part, a, b, widths)
            if slot is not None:
                slots.append(slot)
    return slots


def _slot(ring, part: Polygon, a: Wall, b: Wall, widths: tuple[float, float]) -> Slot | None:
    if _dot(a.direction, b.direction) >= 0.0 or abs(_cross(a.direction, b.direction)) >= ANGLE_TOLERANCE:
        return None
    width = -_dot(_sub(b.start, a.start), a.material)  # b lies across the gap from a, away from a's material
    if not widths[0] <= width <= widths[1]:
        return None
    along = [_dot(_sub(p, a.start), a.direction) for p in (b.start, b.end)]
    shared = (max(0.0, min(along)), min(a.length, max(along)))
    if shared[1] - shared[0] < MIN_WALL:
        return None
    if not _gap_is_empty(part, a, width, shared):
        return None
    n = len(ring)
    extent = (min(0.0, *along), max(a.length, *along))
    ways = ((a.last, 0, b.first, 1), (b.last, 1, a.first, 0))  # from one wall's end to the other's start
    ends, openings = [], []
    for first, first_wall, last, last_wall in ways:
        inner = _between(first, last, n)
        if _is_end(ring, inner, a, width, extent):
            ends.append(tuple(inner))
        else:
            openings += [(first, 1, first_wall), (last, -1, last_wall)]
    if not ends:
        return None
    across = (-a.material[0], -a.material[1])
    middle = (shared[0] + shared[1]) / 2.0
    centre = (a.start[0] + a.direction[0] * middle + across[0] * width / 2.0,
              a.start[1] + a.direction[1] * middle + across[1] * width / 2.0)
    rounded = any(abs(_depth(ring[k], a) - width / 2.0) < width / 8.0 for end in ends for k in end)
    return Slot((a, b), width, centre, tuple(ends), tuple(openings), rounded)


def _depth(point, a: Wall) -> float:
    """How far across the gap from wall a (0 on a, the width on the other wall)."""
    return -_dot(_sub(point, a.start), a.material)


def _gap_is_empty(part: Polygon, a: Wall, width: float, shared: tuple[float, float]) -> bool:
    m = EMPTY_MARGIN
    if width <= 2 * m or shared[1] - shared[0] <= 2 * m:
        return False
    across = (-a.material[0], -a.material[1])
    corners = []
    for s, d in ((shared[0] + m, m), (shared[1] - m, m), (shared[1] - m, width - m), (shared[0] + m, width - m)):
        corners.append((a.start[0] + a.direction[0] * s + across[0] * d,
                        a.start[1] + a.direction[1] * s + across[1] * d))
    gap = Polygon(corners)
    return part.intersection(gap).area <= 1e-9 * gap.area


def _is_end(ring, inner: list[int], a: Wall, width: float, extent: tuple[float, float]) -> bool:
    """Whether the way round between the walls stays by them: a slot bottom, not the rest of the part.
    Bones and T-bones reach past the walls by less than the width."""
    if len(inner) > MAX_END_VERTICES:
        return False
    reach = width
    for k in inner:
        across = _depth(ring[k], a)
        along = _dot(_sub(ring[k], a.start), a.direction)
        if not (-reach <= across <= width + reach and extent[0] - reach <= along <= extent[1] + reach):
            return False
    return True
