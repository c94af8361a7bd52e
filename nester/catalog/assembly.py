"""Assembled furniture as solids: which parts interpenetrate, touch, or pass through others.

Every flat part stands in one of the three world planes, so its solid is its
outline (a plane section) extruded along one world axis between two levels. Two
such solids are compared exactly, without sampling:

- parallel (same normal axis): their levels overlap and their sections overlap;
- crossing (normals a and b, third axis c): the part of A inside B's levels and
  the part of B inside A's levels are both plane regions spanning c; the solids
  share volume exactly when those regions' projections on c overlap (for each c
  the common volume is a slice of A times a slice of B). A connected region
  projects to an interval, so this is interval arithmetic on shapely pieces.

A slot that receives its mating part leaves the two projections side by side; a
slot drawn too narrow or too shallow, or a part placed wrong, makes them overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from shapely import affinity
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

WORLD_AXES = "XYZ"
# A plane's drawing x and y run along these world axes (in increasing order), its thickness along the third.
PLANE_AXES = {"XY": (0, 1, 2), "XZ": (0, 2, 1), "YZ": (1, 2, 0)}
_FAR = 1.0e7


@dataclass(frozen=True)
class Placement3D:
    """Where a part's drawing goes in the assembled piece: drawing (x, y) and a depth w
    into the sheet (0 to the thickness) go to ``origin + x * U + y * V + w * N`` with
    U, V, N the plane's axes (``PLANE_AXES``)."""

    plane: str
    origin: tuple[float, float, float]

    def __post_init__(self) -> None:
        if self.plane not in PLANE_AXES:
            raise ValueError(f"plane {self.plane!r}: expected one of {', '.join(PLANE_AXES)}")

    def world(self, x: float, y: float, w: float = 0.0) -> tuple[float, float, float]:
        u, v, n = PLANE_AXES[self.plane]
        point = list(self.origin)
        point[u] += x
        point[v] += y
        point[n] += w
        return point[0], point[1], point[2]


@dataclass(frozen=True)
class Solid:
    """A part in the piece: ``section`` (world coordinates of the plane's two axes, in
    increasing order) extruded along world axis ``normal`` from ``low`` to ``high``."""

    name: str
    normal: int
    low: float
    high: float
    section: Polygon

    @property
    def section_axes(self) -> tuple[int, int]:
        return tuple(axis for axis in range(3) if axis != self.normal)  # type: ignore[return-value]


def solid(name: str, outline: Polygon, placement: Placement3D, thickness: float) -> Solid:
    """The solid of a part drawn as ``outline``, placed and extruded by the sheet's thickness."""
    u, v, n = PLANE_AXES[placement.plane]
    section = affinity.translate(outline, placement.origin[u], placement.origin[v])
    low = placement.origin[n]
    return Solid(name, n, low, low + thickness, section)


def _pieces(geometry: BaseGeometry) -> list[Polygon]:
    parts = getattr(geometry, "geoms", [geometry])
    return [p for p in parts if p.geom_type == "Polygon" and not p.is_empty and p.area > 0.0]


def reach(solid_: Solid, slab: Solid, grow: float) -> list[tuple[float, float]]:
    """Intervals along the third axis where ``solid_`` has material between the levels
    of ``slab`` (widened by ``grow``, narrowed when negative), one per connected piece."""
    along = solid_.section_axes.index(slab.normal)
    bounds = [-_FAR, -_FAR, _FAR, _FAR]
    bounds[along], bounds[along + 2] = slab.low - grow, slab.high + grow
    if bounds[along] >= bounds[along + 2]:
        return []
    across = 1 - along
    return [(p.bounds[across], p.bounds[across + 2]) for p in _pieces(solid_.section.intersection(box(*bounds)))]


def _levels_overlap(a: Solid, b: Solid) -> float:
    return min(a.high, b.high) - max(a.low, b.low)


def _intervals_overlap(first: list[tuple[float, float]], second: list[tuple[float, float]]) -> float:
    return max((min(a[1], b[1]) - max(a[0], b[0]) for a in first for b in second), default=-_FAR)


def shared(a: Solid, b: Solid, grow: float) -> bool:
    """Whether a and b, each grown by ``grow`` (shrunk when negative), still share volume."""
    if a.normal == b.normal:
        if _levels_overlap(a, b) <= -2.0 * grow:
            return False
        if grow < 0.0:
            return a.section.buffer(grow).intersection(b.section.buffer(grow)).area > 0.0
        return a.section.distance(b.section) <= 2.0 * grow
    return _intervals_overlap(reach(a, b, grow), reach(b, a, grow)) > -2.0 * grow


def interpenetrations(solids: list[Solid], tolerance: float = 0.01) -> list[tuple[str, str]]:
    """Pairs of parts that share volume deeper than ``tolerance`` (mm): parts that touch,
    or sit in a slot with clearance, are not listed."""
    return [(a.name, b.name) for a, b in combinations(solids, 2) if shared(a, b, -tolerance)]


def contacts(solids: list[Solid], gap: float) -> list[tuple[str, str]]:
    """Pairs of parts within ``gap`` mm of each other (box distance): what holds to what."""
    return [(a.name, b.name) for a, b in combinations(solids, 2) if shared(a, b, gap / 2.0)]


def footprints(receiver: Solid, inserted: Solid, tolerance: float = 0.01) -> list[Polygon]:
    """Where ``inserted`` passes through the levels of a crossing ``receiver``: rectangles in
    the receiver's section coordinates, as thick as ``inserted`` across (what a slot or
    mortise of the receiver must leave free)."""
    if receiver.normal == inserted.normal:
        return []
    thick_axis = receiver.section_axes.index(inserted.normal)
    rectangles = []
    for lo, hi in reach(inserted, receiver, -tolerance):
        bounds = [lo, lo, hi, hi]
        bounds[thick_axis], bounds[thick_axis + 2] = inserted.low, inserted.high
        rectangles.append(box(*bounds))
    return rectangles
