"""Drawing helpers for catalog designs: outlines with arcs, dogbones, DXF output.

An outline is a list of (x, y, bulge) vertices, the DXF convention: the bulge
stored at a vertex belongs to the segment that starts there (bulge = tan(sweep/4),
positive counter-clockwise). Keeping true arcs lets the plans carry ARC entities
and polyline bulges, as plans from CAD tools do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ezdxf
from ezdxf.document import Drawing
from ezdxf.layouts import Modelspace

Vertex = tuple[float, float, float]


@dataclass(frozen=True)
class Corner:
    """A polygon corner; bone=True puts a dogbone there; bulge belongs to the edge that starts here."""

    x: float
    y: float
    bone: bool = False
    bulge: float = 0.0


def bulge_for_arc(start: tuple[float, float], end: tuple[float, float], centre: tuple[float, float],
                  clockwise: bool) -> float:
    """Bulge of the arc from start to end about centre, in the given direction."""
    a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
    a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = (a0 - a1) if clockwise else (a1 - a0)
    sweep %= 2 * math.pi
    return (-1.0 if clockwise else 1.0) * math.tan(sweep / 4.0)


def with_dogbones(corners: list[Corner], bone_radius: float) -> list[Vertex]:
    """Replace each bone corner by a half circle through it, so a round tool clears the corner.

    The half circle of radius R is centred at distance R from the corner, along the
    bisector, on the side the tool comes from: a square edge of the mating part then
    seats fully in the corner (the classic CNC-furniture dogbone)."""
    out: list[Vertex] = []
    n = len(corners)
    for i, corner in enumerate(corners):
        if not corner.bone:
            out.append((corner.x, corner.y, corner.bulge))
            continue
        before, after = corners[i - 1], corners[(i + 1) % n]
        if before.bulge or corner.bulge:
            raise ValueError("a dogbone needs straight edges on both sides of its corner")
        d_in = _unit(corner.x - before.x, corner.y - before.y)
        d_out = _unit(after.x - corner.x, after.y - corner.y)
        turn = d_in[0] * d_out[1] - d_in[1] * d_out[0]
        reach = math.sqrt(2.0) * bone_radius
        start = (corner.x - reach * d_in[0], corner.y - reach * d_in[1])
        end = (corner.x + reach * d_out[0], corner.y + reach * d_out[1])
        out.append((start[0], start[1], 1.0 if turn > 0 else -1.0))
        out.append((end[0], end[1], 0.0))
    return out


def mortise_corners(centre: tuple[float, float], size: tuple[float, float]) -> list[Corner]:
    """A rectangular hole, every corner boned: a square tenon seats fully."""
    x, y = centre
    dx, dy = size[0] / 2.0, size[1] / 2.0
    return [Corner(x - dx, y - dy, True), Corner(x + dx, y - dy, True),
            Corner(x + dx, y + dy, True), Corner(x - dx, y + dy, True)]


def rounded_rectangle(x0: float, y0: float, x1: float, y1: float, r: float) -> list[Vertex]:
    quarter = math.tan(math.pi / 8.0)
    return [(x0 + r, y0, 0.0), (x1 - r, y0, quarter), (x1, y0 + r, 0.0), (x1, y1 - r, quarter),
            (x1 - r, y1, 0.0), (x0 + r, y1, quarter), (x0, y1 - r, 0.0), (x0, y0 + r, quarter)]


def flatten(vertices: list[Vertex], chord_error: float = 0.05) -> list[tuple[float, float]]:
    """The closed outline as points, each bulged segment split into chords within chord_error."""
    points: list[tuple[float, float]] = []
    n = len(vertices)
    for i, (x0, y0, bulge) in enumerate(vertices):
        points.append((x0, y0))
        if bulge == 0.0:
            continue
        x1, y1, _ = vertices[(i + 1) % n]
        centre, radius, _, _ = _arc_from_bulge((x0, y0), (x1, y1), bulge)
        sweep = 4.0 * math.atan(bulge)
        step = 2.0 * math.acos(max(0.0, 1.0 - chord_error / radius)) if radius > chord_error else math.pi / 2
        count = max(2, math.ceil(abs(sweep) / step))
        start = math.atan2(y0 - centre[1], x0 - centre[0])
        points += [(centre[0] + radius * math.cos(start + sweep * k / count),
                    centre[1] + radius * math.sin(start + sweep * k / count)) for k in range(1, count)]
    return points


def _unit(dx: float, dy: float) -> tuple[float, float]:
    length = math.hypot(dx, dy)
    return dx / length, dy / length


def new_drawing(layers: dict[str, int]) -> Drawing:
    """A millimetre DXF (R2010) with the given layers and their ACI colours."""
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    for name, colour in layers.items():
        doc.layers.add(name, color=colour)
    return doc


def add_polyline(msp: Modelspace, vertices: list[Vertex], layer: str, *, closed: bool = True) -> None:
    msp.add_lwpolyline(vertices, format="xyb", close=closed, dxfattribs={"layer": layer})


def add_lines_and_arcs(msp: Modelspace, vertices: list[Vertex], layer: str) -> None:
    """The same closed outline as loose LINE and ARC entities, as many CAD exports write it."""
    n = len(vertices)
    for i, (x0, y0, bulge) in enumerate(vertices):
        x1, y1, _ = vertices[(i + 1) % n]
        if bulge == 0.0:
            msp.add_line((x0, y0), (x1, y1), dxfattribs={"layer": layer})
            continue
        centre, radius, a_start, a_end = _arc_from_bulge((x0, y0), (x1, y1), bulge)
        msp.add_arc(centre, radius, a_start, a_end, dxfattribs={"layer": layer})


def _arc_from_bulge(p0: tuple[float, float], p1: tuple[float, float], bulge: float):
    """Centre, radius and counter-clockwise start/end angles (degrees) of a bulged segment."""
    chord = math.dist(p0, p1)
    sweep = 4.0 * math.atan(bulge)
    radius = chord / (2.0 * math.sin(abs(sweep) / 2.0))
    mx, my = (p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0
    # Signed distance from the chord midpoint to the centre, left of p0->p1 for a CCW arc
    # under 180 degrees; the cosine turns negative, and the centre crosses over, beyond 180.
    offset = radius * math.cos(abs(sweep) / 2.0) * (1.0 if bulge > 0 else -1.0)
    ux, uy = (p1[0] - p0[0]) / chord, (p1[1] - p0[1]) / chord
    centre = (mx - uy * offset, my + ux * offset)
    start, end = (p0, p1) if bulge > 0 else (p1, p0)
    a_start = math.degrees(math.atan2(start[1] - centre[1], start[0] - centre[0]))
    a_end = math.degrees(math.atan2(end[1] - centre[1], end[0] - centre[0]))
    return centre, radius, a_start, a_end
