"""A design's flat parts as one DXF plan in plycut's layer conventions, and where each
part as drawn there stands in the assembled piece.

The parts are laid out in rows, apart from each other. Each part is named by a TEXT
on the NOTES layer inside it (the importer names parts by the text they hold) and
labelled with its number engraved in single strokes, so parts cut from a sheet can
be told apart on the bench.
"""

from __future__ import annotations

from dataclasses import dataclass

from ezdxf.document import Drawing
from shapely.geometry import Point, Polygon, box
from shapely.ops import nearest_points, unary_union

from nester.catalog.assembly import PLANE_AXES, Placement3D
from nester.catalog.drawing import add_polyline, flatten, new_drawing
from nester.catalog.flat_part import FlatPart

SHEET = (2500.0, 1250.0)
SHEET_MARGIN = 10.0
ROW_LENGTH = 5000.0
PART_GAP = 60.0
LABEL_HEIGHT = 24.0
LABEL_MARGIN = 8.0  # from every edge, hole, pocket and drilled hole
NAME_HEIGHT = 12.0
OUTSIDE, INSIDE, ENGRAVE, NOTES = "CUT_OUTSIDE", "CUT_INSIDE", "ENGRAVE_1MM", "NOTES"


@dataclass(frozen=True)
class Plan:
    drawing: Drawing
    assembly: tuple[tuple[str, Placement3D], ...]  # each part as drawn in the plan, placed in the piece


def pocket_layer(depth: float) -> str:
    return f"POCKET_{depth:g}MM"


def drill_layer(diameter: float) -> str:
    return f"DRILL_{diameter:g}MM"


def draw_plan(parts: list[FlatPart], label_parts: list[FlatPart] | None = None) -> Plan:
    """The plan of ``parts``; ValueError naming the part when one cannot be cut from a sheet.

    ``label_parts``: the same parts drawn for the nominal sheet, where the labels are placed,
    so that a plan fitted for a measured sheet differs from the nominal one only in its slots."""
    _check_names(parts)
    labels_on = [_checked_polygon(part) for part in label_parts] if label_parts else None
    layers = {OUTSIDE: 5, INSIDE: 4, ENGRAVE: 2, NOTES: 8}
    layers |= {pocket_layer(depth): 3 for part in parts for _, depth in part.pockets}
    layers |= {drill_layer(d): 6 for part in parts for _, _, d in part.drills}
    doc = new_drawing(layers)
    msp = doc.modelspace()
    placements = []
    x = y = row_height = 0.0
    for number, part in enumerate(parts, start=1):
        material = _checked_polygon(part)
        x0, y0, x1, y1 = material.bounds
        if x > 0.0 and x + (x1 - x0) > ROW_LENGTH:
            x, y, row_height = 0.0, y + row_height + PART_GAP, 0.0
        dx, dy = x - x0, y - y0
        _draw_part(msp, part, dx, dy)
        _draw_label(msp, part, labels_on[number - 1] if labels_on else material, number, dx, dy)
        placements.append((part.name, _shifted(part.placement, dx, dy)))
        x += x1 - x0 + PART_GAP
        row_height = max(row_height, y1 - y0)
    return Plan(doc, tuple(placements))


def _check_names(parts: list[FlatPart]) -> None:
    names = [part.name for part in parts]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"two parts are called {repeated[0]!r}")


def _checked_polygon(part: FlatPart) -> Polygon:
    material = part.polygon()
    if not material.is_valid:
        raise ValueError(f"part {part.name}: its holes and slots overlap or cut through it")
    x0, y0, x1, y1 = material.bounds
    long_side, short_side = max(x1 - x0, y1 - y0), min(x1 - x0, y1 - y0)
    usable = (SHEET[0] - 2 * SHEET_MARGIN, SHEET[1] - 2 * SHEET_MARGIN)
    if long_side > usable[0] or short_side > usable[1]:
        raise ValueError(f"part {part.name} is {x1 - x0:.0f} x {y1 - y0:.0f} mm: larger than a "
                         f"{SHEET[0]:g} x {SHEET[1]:g} sheet less its {SHEET_MARGIN:g} mm margin")
    return material


def _shifted(placement: Placement3D, dx: float, dy: float) -> Placement3D:
    """The same placement for the drawing moved by (dx, dy) on the plan."""
    u, v, _ = PLANE_AXES[placement.plane]
    origin = list(placement.origin)
    origin[u] -= dx
    origin[v] -= dy
    return Placement3D(placement.plane, (origin[0], origin[1], origin[2]))


def _moved(vertices, dx: float, dy: float):
    return [(x + dx, y + dy, bulge) for x, y, bulge in vertices]


def _draw_part(msp, part: FlatPart, dx: float, dy: float) -> None:
    add_polyline(msp, _moved(part.outline, dx, dy), OUTSIDE)
    for hole in part.holes:
        add_polyline(msp, _moved(hole, dx, dy), INSIDE)
    for x, y, radius in part.circles:
        msp.add_circle((x + dx, y + dy), radius, dxfattribs={"layer": INSIDE})
    for x, y, diameter in part.drills:
        msp.add_circle((x + dx, y + dy), diameter / 2.0, dxfattribs={"layer": drill_layer(diameter)})
    for outline, depth in part.pockets:
        add_polyline(msp, _moved(outline, dx, dy), pocket_layer(depth))


def _draw_label(msp, part: FlatPart, material: Polygon, number: int, dx: float, dy: float) -> None:
    text = f"{number:02d}"
    width, height = _number_width(text, LABEL_HEIGHT), LABEL_HEIGHT
    x, y = _label_spot(part, material, width, height)
    for stroke in engraved_number(text, x, y, height):
        msp.add_lwpolyline([(px + dx, py + dy) for px, py in stroke], dxfattribs={"layer": ENGRAVE})
    msp.add_text(part.name, height=NAME_HEIGHT, dxfattribs={"layer": NOTES, "insert": (x + dx, y + dy)})


def _label_spot(part: FlatPart, material: Polygon, width: float, height: float) -> tuple[float, float]:
    """Lower-left corner of a free box for the label, as near the part's middle as it goes."""
    taken = [Point(x, y).buffer(d / 2.0) for x, y, d in part.drills]
    taken += [Polygon(flatten(outline)) for outline, _ in part.pockets]
    free = material.difference(unary_union(taken)) if taken else material
    half_diagonal = (width * width + height * height) ** 0.5 / 2.0
    room = free.buffer(-(half_diagonal + LABEL_MARGIN))
    if room.is_empty:
        raise ValueError(f"part {part.name}: no room for its label")
    centre = nearest_points(room, material.centroid)[0]
    spot = (centre.x - width / 2.0, centre.y - height / 2.0)
    assert free.contains(box(spot[0], spot[1], spot[0] + width, spot[1] + height))
    return spot


# Seven-segment strokes on a 1 x 2 cell: corners T(op)/M(iddle)/B(ottom), L(eft)/R(ight).
_CELL = {"TL": (0, 2), "TR": (1, 2), "ML": (0, 1), "MR": (1, 1), "BL": (0, 0), "BR": (1, 0)}
_DIGITS = {
    "0": ["TL TR BR BL TL"], "1": ["TR BR"], "2": ["TL TR MR ML BL BR"], "3": ["TL TR BR BL", "ML MR"],
    "4": ["TL ML MR", "TR BR"], "5": ["TR TL ML MR BR BL"], "6": ["TR TL BL BR MR ML"], "7": ["TL TR BR"],
    "8": ["TL TR BR BL TL", "ML MR"], "9": ["MR ML TL TR BR BL"],
}


def _number_width(text: str, height: float) -> float:
    cell = height / 2.0
    return len(text) * cell + (len(text) - 1) * cell * 0.6


def engraved_number(text: str, x: float, y: float, height: float) -> list[list[tuple[float, float]]]:
    """Digits as single-stroke polylines from (x, y), ``height`` tall."""
    cell = height / 2.0
    strokes = []
    for index, digit in enumerate(text):
        left = x + index * cell * 1.6
        for path in _DIGITS[digit]:
            strokes.append([(left + _CELL[key][0] * cell, y + _CELL[key][1] * cell) for key in path.split()])
    return strokes
