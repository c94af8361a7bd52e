"""Rings of points -> clean, valid, oriented shapely polygons; and back to rings for writing.

Every reader builds its shapes here so that they all obey the same rules:
consecutive duplicate points and the closing point are dropped, the exterior
runs counter-clockwise and holes clockwise, and an invalid polygon (a ring that
crosses itself) is repaired only when the repair is clearly the intended shape.
"""

from __future__ import annotations

from typing import Sequence

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from nester.errors import InputError

# A repair is accepted when its largest polygon keeps this share of the repaired
# area: the rest are slivers of a drawing error, not a second part.
REPAIR_KEEPS = 0.999

Point = tuple[float, float]


def clean_ring(points: Sequence[Point]) -> list[Point]:
    """The ring without repeated consecutive points and without the closing repeat of the first."""
    ring: list[Point] = []
    for point in points:
        if not ring or point != ring[-1]:
            ring.append(point)
    while len(ring) > 1 and ring[-1] == ring[0]:
        ring.pop()
    return ring


def build_polygon(
    outer: Sequence[Point], holes: Sequence[Sequence[Point]], source: str, what: str, warnings: list[str]
) -> Polygon:
    """A valid polygon, exterior counter-clockwise and holes clockwise, or InputError naming ``what``.

    A self-intersecting polygon is repaired with shapely.make_valid when its largest
    piece keeps at least 99.9 % of the area; the repair is noted in ``warnings``.
    """
    shell = clean_ring(outer)
    if len(shell) < 3:
        raise InputError(f"{source}: {what}: the outline has {len(shell)} distinct points, a polygon needs 3")
    rings = [clean_ring(hole) for hole in holes]
    for number, ring in enumerate(rings):
        if len(ring) < 3:
            raise InputError(f"{source}: {what}: hole {number} has {len(ring)} distinct points, a polygon needs 3")
    polygon = Polygon(shell, rings)
    if not polygon.is_valid:
        polygon = _repaired(polygon, source, what, warnings)
    if not polygon.area > 0.0:
        raise InputError(f"{source}: {what}: the outline encloses no area")
    return orient(polygon, sign=1.0)


def _repaired(polygon: Polygon, source: str, what: str, warnings: list[str]) -> Polygon:
    reason = shapely.is_valid_reason(polygon)
    pieces = [piece for piece in _polygons(shapely.make_valid(polygon)) if piece.area > 0.0]
    total = sum(piece.area for piece in pieces)
    largest = max(pieces, key=lambda piece: piece.area, default=None)
    if largest is None:
        raise InputError(f"{source}: {what}: the outline encloses no area ({reason})")
    if largest.area < REPAIR_KEEPS * total:
        raise InputError(
            f"{source}: {what}: invalid polygon ({reason}) that no repair keeps as one piece; fix the drawing"
        )
    kept = 100.0 * largest.area / total
    warnings.append(f"{source}: {what}: invalid polygon ({reason}) repaired, keeping {kept:.2f} % of its area")
    return largest


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [piece for part in getattr(geometry, "geoms", ()) for piece in _polygons(part)]


def ring_points(coords) -> list[list[float]]:
    """A shapely ring as [[x, y], ...] without the closing repeat (the jagua-rs convention)."""
    points = [[x, y] for x, y, *_ in coords]
    return points[:-1]
