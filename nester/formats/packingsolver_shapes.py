"""PackingSolver shapes -> rings of points (already scaled to millimetres).

A PackingSolver shape is a ``rectangle`` (x, y, width, height), a ``circle``
(x, y, radius), a ``polygon`` (``vertices`` [{"x", "y"}, ...]) or a ``general``
shape: a list of ``elements``, each a ``LineSegment`` or a ``CircularArc``
(``start``, ``end``, ``center``, and ``orientation`` "Anticlockwise",
"Clockwise" or "Full" -- older files say ``"anticlockwise": true``).

Elements are chained into one closed ring (in the order given, or by matching
their ends when listed out of order). Arcs and circles are flattened into chords
whose middle strays at most ARC_TOLERANCE (0.01 mm, as plycut's DXF import) from
the true arc; the chords lie inside convex arcs, so a part is at most 0.01 mm
smaller there than drawn.
"""

from __future__ import annotations

import math
from typing import Any

from nester.errors import InputError
from nester.json_fields import field, listed, number, optional_number

ARC_TOLERANCE = 0.01  # mm between a chord and its arc
JOIN_TOLERANCE = 1e-6  # relative to the shape's size: element ends closer than this meet

Point = tuple[float, float]


def shape_rings(shape: Any, scale: float, source: str, what: str) -> tuple[list[Point], list[list[Point]]]:
    """(outer ring, hole rings) of a PackingSolver shape, in millimetres (file units x ``scale``)."""
    outer = ring(shape, scale, source, what)
    holes = [ring(hole, scale, source, f"{what} hole {k}")
             for k, hole in enumerate(listed(shape.get("holes", []), source, f"{what}.holes"))]
    return outer, holes


def ring(shape: Any, scale: float, source: str, what: str) -> list[Point]:
    """The one closed ring a shape object describes (its holes aside), in millimetres."""
    kind = field(shape, "type", source, what)
    if kind == "polygon":
        vertices = listed(field(shape, "vertices", source, what), source, f"{what}.vertices")
        return [_point(vertex, scale, source, f"{what}.vertices[{k}]") for k, vertex in enumerate(vertices)]
    if kind == "rectangle":
        x, y = (optional_number(shape, key, 0.0, source, what) for key in ("x", "y"))
        w, h = (number(field(shape, key, source, what), source, f"{what}.{key}") for key in ("width", "height"))
        return [(x * scale, y * scale), ((x + w) * scale, y * scale),
                ((x + w) * scale, (y + h) * scale), (x * scale, (y + h) * scale)]
    if kind == "circle":
        x, y = (optional_number(shape, key, 0.0, source, what) for key in ("x", "y"))
        radius = number(field(shape, "radius", source, what), source, f"{what}.radius")
        centre = (x * scale, y * scale)
        start = (centre[0] + radius * scale, centre[1])
        return _arc_points(start, start, centre, 1, full=True)
    if kind == "general":
        if shape.get("is_path"):
            raise InputError(f"{source}: {what}: an open path (is_path), not a closed shape")
        elements = listed(field(shape, "elements", source, what), source, f"{what}.elements")
        return _chain([_element(e, scale, source, f"{what}.elements[{k}]") for k, e in enumerate(elements)],
                      source, what)
    raise InputError(f"{source}: {what}.type: unknown shape type {kind!r} (polygon, rectangle, circle or general)")


def _point(value: Any, scale: float, source: str, where: str) -> Point:
    return (number(field(value, "x", source, where), source, f"{where}.x") * scale,
            number(field(value, "y", source, where), source, f"{where}.y") * scale)


def _element(element: Any, scale: float, source: str, where: str) -> list[Point]:
    """The element's points from its start up to (not including) its end, then its end."""
    kind = field(element, "type", source, where)
    start = _point(field(element, "start", source, where), scale, source, f"{where}.start")
    end = _point(field(element, "end", source, where), scale, source, f"{where}.end")
    if kind in ("LineSegment", "line_segment", "L", "l"):
        return [start, end]
    if kind in ("CircularArc", "circular_arc", "C", "c"):
        centre = _point(field(element, "center", source, where), scale, source, f"{where}.center")
        turn = _turn(element, source, where)
        return _arc_points(start, end, centre, turn, full=turn == 0 or start == end) + [end]
    raise InputError(f"{source}: {where}.type: unknown element {kind!r} (LineSegment or CircularArc)")


def _turn(element: dict, source: str, where: str) -> int:
    """+1 anticlockwise, -1 clockwise, 0 a full circle."""
    if "orientation" in element:
        value = str(element["orientation"])
        for turn, names in ((1, ("Anticlockwise", "anticlockwise", "A", "a")),
                            (-1, ("Clockwise", "clockwise", "C", "c")), (0, ("Full", "full", "F", "f"))):
            if value in names:
                return turn
        raise InputError(f"{source}: {where}.orientation: expected Anticlockwise, Clockwise or Full, got {value!r}")
    if "anticlockwise" in element:
        return 1 if element["anticlockwise"] else -1
    raise InputError(f"{source}: {where}: missing key 'orientation'")


def _arc_points(start: Point, end: Point, centre: Point, turn: int, *, full: bool) -> list[Point]:
    """Points on the arc from ``start`` (included) towards ``end`` (excluded), chords within ARC_TOLERANCE."""
    radius = math.dist(start, centre)
    first = math.atan2(start[1] - centre[1], start[0] - centre[0])
    if full:
        sweep = 2.0 * math.pi * (turn or 1)
    else:
        last = math.atan2(end[1] - centre[1], end[0] - centre[0])
        sweep = (last - first) % (2.0 * math.pi) if turn > 0 else -((first - last) % (2.0 * math.pi))
    if radius <= ARC_TOLERANCE:
        return [start]
    step = 2.0 * math.acos(1.0 - ARC_TOLERANCE / radius)  # the chord angle whose sagitta is the tolerance
    count = max(int(math.ceil(abs(sweep) / step)), 3 if full else 1)
    return [start] + [
        (centre[0] + radius * math.cos(first + sweep * i / count), centre[1] + radius * math.sin(first + sweep * i / count))
        for i in range(1, count)
    ]


def _chain(pieces: list[list[Point]], source: str, what: str) -> list[Point]:
    """Join element point lists end to start into one closed ring."""
    if not pieces:
        raise InputError(f"{source}: {what}.elements: empty")
    size = max(abs(c) for piece in pieces for point in piece for c in point) or 1.0
    join = JOIN_TOLERANCE * size
    remaining = pieces[1:]
    ring = list(pieces[0][:-1])
    end = pieces[0][-1]
    while remaining:
        # In order when the file lists them so (the usual case); otherwise the piece starting here.
        index = next((k for k, piece in enumerate(remaining) if math.dist(piece[0], end) <= join), None)
        if index is None:
            raise InputError(f"{source}: {what}: open contour: no element starts at "
                             f"({end[0]:.6g}, {end[1]:.6g}) where the previous one ends")
        piece = remaining.pop(index)
        ring += piece[:-1]
        end = piece[-1]
    if math.dist(end, ring[0]) > join:
        raise InputError(f"{source}: {what}: open contour: it ends at ({end[0]:.6g}, {end[1]:.6g}), "
                         f"not where it starts ({ring[0][0]:.6g}, {ring[0][1]:.6g})")
    return ring
