"""Where the tool centre must go: offsets of outlines, holes and pockets by the tool radius.

Shapely's buffer does the offsetting; this module only picks its parameters and
reads its result. Circles are offset exactly (a circle's offset is a circle), so
they can be cut as arcs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence, Union

from shapely.geometry import LinearRing, MultiPolygon, Polygon, box
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from gcode.arcs import Circle, Point, fit_circle
from gcode.paths import PLUNGE_RADIUS

CHORD_ERROR = 0.01  # mm: the most a buffer's rounded corner may stray from the true arc
# GEOS splits a rounded corner into the nearest whole number of steps of a
# quarter circle / quad_segs (int(angle / step + 0.5)): one segment may span 1.5 steps.
GEOS_SEGMENT_STRETCH = 1.5

# The tool-centre loop of one contour: an exact circle, or a ring of vertices.
Contour = Union[Circle, tuple[Point, ...]]


@dataclass(frozen=True)
class PocketRing:
    contour: Contour
    island: bool  # True: material is inside the ring (an island), False: outside it (a wall)


def quad_segs_for(radius: float) -> int:
    """Segments per quarter circle so a rounded corner of this radius is within CHORD_ERROR."""
    if radius <= CHORD_ERROR:
        return 1
    max_angle = 2.0 * math.acos(1.0 - CHORD_ERROR / radius)
    return max(1, math.ceil(GEOS_SEGMENT_STRETCH * (math.pi / 2.0) / max_angle))


def outline_contour(exterior: LinearRing, radius: float) -> tuple[Contour, tuple[Polygon, ...]]:
    """The outside-profile loop around an outline, and the openings the tool cannot enter.

    An opening is a pocket of the outline narrower than the tool: the outward
    buffer closes over it, so it stays uncut.
    """
    circle = fit_circle(exterior.coords)
    if circle is not None:
        return Circle(circle.centre, circle.radius + radius), ()
    grown = Polygon(exterior).buffer(radius, quad_segs=quad_segs_for(radius), join_style="round")
    openings = tuple(Polygon(ring) for ring in grown.interiors)
    return tuple(grown.exterior.coords), openings


def hole_contours(ring: LinearRing, radius: float) -> list[Contour]:
    """The inside-profile loops of a hole: none if the tool does not fit, several if it narrows.

    A round hole the size of the tool, to within PLUNGE_RADIUS, gets a circle of
    radius 0: a plunge at its centre.
    """
    circle = fit_circle(ring.coords)
    if circle is not None:
        centre_radius = circle.radius - radius
        return [Circle(circle.centre, max(centre_radius, 0.0))] if centre_radius >= -PLUNGE_RADIUS else []
    shrunk = Polygon(ring).buffer(-radius, quad_segs=quad_segs_for(radius), join_style="round")
    return [tuple(piece.exterior.coords) for piece in polygons_of(shrunk)]


def pocket_region(pocket: Polygon, radius: float) -> BaseGeometry:
    """Where the tool centre may go inside a pocket (empty if the tool does not fit)."""
    return pocket.buffer(-radius, quad_segs=quad_segs_for(radius), join_style="round")


def pocket_levels(region: Polygon, step: float) -> list[list[PocketRing]]:
    """Offset rings clearing one piece of a pocket region, outermost level first.

    Level k is the region shrunk by k * step. With step at most the tool radius
    every point of the region lies within one radius of some ring, so nothing is
    left standing -- not in corners, not in the middle.
    """
    circle = fit_circle(region.exterior.coords) if not region.interiors else None
    if circle is not None:
        count = math.ceil(circle.radius / step - 1e-9)
        return [[PocketRing(Circle(circle.centre, circle.radius - k * step), False)] for k in range(count)]
    levels: list[list[PocketRing]] = []
    k = 0
    while True:
        shrunk = region if k == 0 else region.buffer(-k * step, quad_segs=quad_segs_for(k * step), join_style="round")
        pieces = polygons_of(shrunk)
        if not pieces:
            return levels
        rings = []
        for piece in pieces:
            rings.append(PocketRing(tuple(piece.exterior.coords), False))
            rings.extend(PocketRing(tuple(hole.coords), True) for hole in piece.interiors)
        levels.append(rings)
        k += 1


NARROW_AREA = 0.5  # mm2: less left uncut than this is rounding, not a slot
CORNER_SLACK = 0.05  # mm


def narrow_parts(space: Polygon, radius: float) -> list[Polygon]:
    """Pieces of `space` -- where the tool must clear everything -- that a tool of this radius
    cannot reach, the rounding it leaves in corners aside: slots and spurs narrower than the tool.

    A round tool leaves a corner of angle t filled out to r / sin(t / 2) from its
    vertex; bones may take that off, so it is not reported. Whatever is left
    further from every corner is a part of the drawing the tool cannot enter.
    """
    quad_segs = quad_segs_for(radius)
    reachable = space.buffer(-radius, quad_segs=quad_segs).buffer(radius, quad_segs=quad_segs)
    left = space.difference(reachable)
    if left.area <= NARROW_AREA:
        return []
    corners = [ShapelyPoint(vertex).buffer(radius / math.sin(angle / 2.0) + CORNER_SLACK)
               for vertex, angle in convex_corners(space)]
    left = left.difference(unary_union(corners)) if corners else left
    return [piece for piece in polygons_of(left) if piece.area > NARROW_AREA]


def space_around(exterior: LinearRing, margin: float) -> Polygon:
    """What lies outside an outline, out to `margin` beyond its bounding box: where the tool
    cuts around it."""
    minx, miny, maxx, maxy = Polygon(exterior).bounds
    return box(minx - margin, miny - margin, maxx + margin, maxy + margin).difference(Polygon(exterior))


def convex_corners(space: Polygon) -> list[tuple[Point, float]]:
    """(vertex, interior angle) of the corners of the space's rings that point out of the space."""
    found = []
    for index, ring in enumerate((space.exterior, *space.interiors)):
        points = list(ring.coords)[:-1]
        count = len(points)
        area_sign = 1.0 if LinearRing(points).is_ccw else -1.0
        if index > 0:
            area_sign = -area_sign  # a hole in the space: the space lies outside it
        for i in range(count):
            ax, ay = points[i - 1]
            bx, by = points[i]
            cx, cy = points[(i + 1) % count]
            turn = (bx - ax) * (cy - by) - (by - ay) * (cx - bx)
            if turn * area_sign <= 0.0:
                continue
            incoming = math.atan2(by - ay, bx - ax)
            outgoing = math.atan2(cy - by, cx - bx)
            change = abs((outgoing - incoming + math.pi) % (2.0 * math.pi) - math.pi)
            angle = math.pi - change
            if angle > 1e-6:
                found.append(((bx, by), angle))
    return found


def polygons_of(geometry: BaseGeometry) -> Sequence[Polygon]:
    """The non-empty polygons of a buffer result."""
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return [p for p in geometry.geoms if not p.is_empty]
    return [g for g in getattr(geometry, "geoms", ()) if isinstance(g, Polygon) and not g.is_empty]
