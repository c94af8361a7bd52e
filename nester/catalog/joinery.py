"""Flat-pack joints on straight-edged panels: tenons, notches, finger joints, mortises.

A panel starts as a rectangle; tenons add material beyond an edge, notches (finger
gaps, half-lap slots) take it away from an edge, and the outline that results gets
a dogbone in every inside corner: on these panels every inside corner is one a
square edge of the mating part seats in (a notch bottom, a tenon root).

Edges are lines of constant coordinate: ``axis`` 0 is an edge x = ``edge``, axis 1
an edge y = ``edge``; ``inward`` (+1 or -1) points from the edge into the material,
``outward`` away from it; ``lo``, ``hi`` run along the edge.
"""

from __future__ import annotations

from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from nester.catalog.drawing import Corner, Vertex, mortise_corners, with_dogbones

# Cut-away rectangles start this far outside the edge, so no sliver of the edge survives.
_OVERSHOOT = 1.0


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _across(axis: int, a0: float, a1: float, lo: float, hi: float) -> Polygon:
    """The rectangle a0..a1 across the edge (along ``axis``) by lo..hi along it."""
    return rect(a0, lo, a1, hi) if axis == 0 else rect(lo, a0, hi, a1)


def notch(axis: int, edge: float, inward: int, lo: float, hi: float, depth: float) -> Polygon:
    """Material to take away: ``depth`` into the panel from the edge, between lo and hi."""
    return _across(axis, edge - inward * _OVERSHOOT, edge + inward * depth, lo, hi)


def tenon(axis: int, edge: float, outward: int, centre: float, width: float, length: float) -> Polygon:
    """Material to add: a tenon ``length`` beyond the edge, ``width`` wide about ``centre``."""
    return _across(axis, edge - outward * _OVERSHOOT, edge + outward * length,
                   centre - width / 2.0, centre + width / 2.0)


def tenons(axis: int, edge: float, outward: int, centres: list[float], width: float, length: float) -> list[Polygon]:
    return [tenon(axis, edge, outward, centre, width, length) for centre in centres]


def finger_notches(axis: int, edge: float, inward: int, start: float, end: float, count: int, parity: int,
                   depth: float, clearance: float) -> list[Polygon]:
    """The gaps of one side of a finger joint: start..end split into ``count`` equal
    fingers, this panel's gaps at the segments of the given parity (the mating panel
    uses the other one). Each gap is widened by a quarter of the clearance on each
    side, so each finger is narrowed as much: a finger sits in its gap with the whole
    clearance to spare. A finger at an end of the joint keeps its end square with it,
    so its gap takes half the clearance there."""
    if count < 2:
        raise ValueError("a finger joint needs at least two fingers")
    pitch = (end - start) / count
    quarter = clearance / 4.0
    gaps = []
    for k in range(parity, count, 2):
        lo = start + k * pitch - (2.0 * quarter if k == 0 else quarter)
        hi = start + (k + 1) * pitch + (2.0 * quarter if k == count - 1 else quarter)
        gaps.append(notch(axis, edge, inward, lo, hi, depth))
    return gaps


def panel(base: Polygon, add: list[Polygon] = (), cut: list[Polygon] = ()) -> Polygon:
    """The base with tenons added and notches taken away; one piece, or ValueError."""
    shape = unary_union([base, *add]).difference(unary_union(list(cut))) if cut else unary_union([base, *add])
    if shape.geom_type != "Polygon" or shape.interiors:
        raise ValueError("its notches cut it in pieces")
    return orient(shape, 1.0)


def boned_outline(shape: Polygon, bone_radius: float) -> list[Vertex]:
    """The counter-clockwise outline of a straight-edged panel with a dogbone in every inside corner."""
    points = _without_collinear(list(orient(shape, 1.0).exterior.coords)[:-1])
    n = len(points)
    corners = []
    for i, (x, y) in enumerate(points):
        (ax, ay), (bx, by) = points[i - 1], points[(i + 1) % n]
        turn = (x - ax) * (by - y) - (y - ay) * (bx - x)
        corners.append(Corner(x, y, bone=turn < 0.0))  # a right turn on a CCW outline: an inside corner
    return with_dogbones(corners, bone_radius)


def _without_collinear(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept = list(points)
    changed = True
    while changed:
        changed = False
        for i in range(len(kept)):
            (ax, ay), (x, y), (bx, by) = kept[i - 1], kept[i], kept[(i + 1) % len(kept)]
            if abs((x - ax) * (by - y) - (y - ay) * (bx - x)) < 1e-9 * (1.0 + abs(x) + abs(y)):
                del kept[i]
                changed = True
                break
    return kept


def mortise(x: float, y: float, size_x: float, size_y: float, bone_radius: float) -> list[Vertex]:
    """A rectangular through hole centred at (x, y), boned at every corner."""
    return with_dogbones(mortise_corners((x, y), (size_x, size_y)), bone_radius)
