"""Thickness adaptation of imported plans: slots drawn for the nominal sheet, cut for the measured one.

A plan drawn for 18 mm plywood has its slots and mortises 18 mm wide (plus the
designer's clearance). A sheet that measures 17.4 mm rattles in them; one that
measures 18.6 mm does not go in. This resizes every slot, notch and mortise whose
width is the nominal thickness to the measured thickness plus a fit clearance:

- found from the geometry (:mod:`nester.slots`): two straight walls facing each
  other across empty space, at least 5 mm long, with a square end (dogbones or
  T-bones allowed);
- a slot "is the nominal thickness" when its width lies within
  [nominal - 0.3, nominal + 0.8] mm: 0.3 mm of drawing tolerance either way, and
  up to 0.5 mm of clearance the designer may already have added;
- the new width is measured + clearance, the clearance by fit: tight 0.0, normal
  0.2, loose 0.4 mm;
- both walls move by half the change, so the slot keeps its centre line; the
  vertices of its end (dogbones included) move with their wall, and at an open end
  the outline's edges are extended or trimmed to the new walls;
- nothing else moves: every other vertex keeps its coordinates, holes, features,
  names and quantities stay as they are.

A measured thickness that makes a part impossible (a slot would cut through the
part, two slots would meet, dogbones would cross) is an InputError naming the part;
so is one more than 20 % off the nominal (a sheet only varies by a few per cent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from shapely.geometry import Polygon

from nester.errors import InputError
from nester.model import Part
from nester.slots import Slot, Wall, find_slots

FITS = {"tight": 0.0, "normal": 0.2, "loose": 0.4}
DRAWING_TOLERANCE = 0.3  # mm, either side of the nominal thickness
MAX_DRAWN_CLEARANCE = 0.5  # mm a plan may already add to its slots
MIN_OUTER_EDGE_ANGLE = math.radians(10.0)  # an open end's edge must cross the walls, not run along them
MAX_TRIMMED_VERTICES = 64
# Sheets stay within about 5 % of nominal (EN 315: 17.1-18.7 mm for a sanded 18); farther off is
# another sheet or a typing slip, not a tolerance to fit.
MAX_SPREAD = 0.2


@dataclass(frozen=True)
class ThicknessSpec:
    """The thickness a plan was drawn for, the sheet's as measured, and how tight the joints go."""

    nominal: float
    measured: float
    fit: str = "normal"

    def __post_init__(self) -> None:
        if not (self.nominal > 0 and self.measured > 0):
            raise InputError(f"thickness: nominal and measured must be positive, got {self.nominal:g} and "
                             f"{self.measured:g} mm")
        if abs(self.measured - self.nominal) > MAX_SPREAD * self.nominal:
            raise InputError(f"thickness: measured {self.measured:g} mm is more than {MAX_SPREAD:.0%} off the "
                             f"nominal {self.nominal:g} mm: another sheet, or a typing slip?")
        if self.fit not in FITS:
            raise InputError(f"thickness: fit '{self.fit}': expected one of {', '.join(FITS)}")

    @classmethod
    def from_options(cls, nominal: float | None, measured: float | None, fit: str | None) -> ThicknessSpec | None:
        """From command-line options: None when none is given; nominal and measured go together."""
        if nominal is None and measured is None and fit is None:
            return None
        if nominal is None or measured is None:
            raise InputError("--nominal-thickness and --measured-thickness go together (--fit with them)")
        return cls(nominal, measured, fit or "normal")

    @property
    def slot_width(self) -> float:
        return self.measured + FITS[self.fit]

    @property
    def accepted_widths(self) -> tuple[float, float]:
        return self.nominal - DRAWING_TOLERANCE, self.nominal + MAX_DRAWN_CLEARANCE + DRAWING_TOLERANCE


def adapt_thickness(parts: list[Part] | tuple[Part, ...], nominal: float, measured: float,
                    fit: str = "normal") -> tuple[list[Part], list[str]]:
    """The parts with their nominal-thickness slots resized for the measured sheet, and one line per
    change ("part: slot at (x, y) 18.20 -> 17.60 mm"). Unchanged parts are returned as they were."""
    spec = ThicknessSpec(nominal, measured, fit)
    adapted, changes = [], []
    for part in parts:
        new, lines = adapt_part(part, spec)
        adapted.append(new)
        changes += lines
    return adapted, changes


def adapt_part(part: Part, spec: ThicknessSpec) -> tuple[Part, list[str]]:
    outline = part.outline
    rings = [outline.exterior, *outline.interiors]
    new_rings, changes = [], []
    for index, ring in enumerate(rings):
        points = list(ring.coords)[:-1]
        material_left = ring.is_ccw == (index == 0)
        slots = find_slots(points, material_left, outline, spec.accepted_widths)
        changes += [f"{part.name}: {_describe(s)} has a rounded end: left as drawn" for s in slots if s.rounded]
        square = [s for s in slots if not s.rounded and abs(s.width - spec.slot_width) > 1e-9]
        new_rings.append(_resized(points, square, spec.slot_width, _who(part)) if square else points)
        changes += [f"{part.name}: {_describe(s)} {s.width:.2f} -> {spec.slot_width:.2f} mm" for s in square]
    if new_rings == [list(r.coords)[:-1] for r in rings]:
        return part, changes
    polygon = Polygon(new_rings[0], new_rings[1:])
    if not polygon.is_valid or len(polygon.interiors) != len(outline.interiors):
        raise InputError(f"{_who(part)}: a {spec.measured:g} mm sheet does not fit this part: its resized slots "
                         f"would meet each other or cut through it (nominal {spec.nominal:g} mm)")
    return replace(part, outline=polygon), changes


def _who(part: Part) -> str:
    return f"{part.source}: part {part.name}" if part.source else f"part {part.name}"


def _describe(slot: Slot) -> str:
    kind = "mortise" if slot.is_mortise else "slot"
    return f"{kind} at ({slot.centre[0]:.1f}, {slot.centre[1]:.1f})"


def _resized(points: list[tuple[float, float]], slots: list[Slot], width: float, name: str) -> list:
    """The ring with each slot's walls moved apart (or together) about its centre line."""
    moves: dict[int, tuple[float, float]] = {}
    dropped: set[int] = set()
    n = len(points)
    for slot in slots:
        half = (width - slot.width) / 2.0
        shifts = [(wall.material[0] * half, wall.material[1] * half) for wall in slot.walls]
        own: dict[int, tuple[float, float]] = {}
        for wall, shift in zip(slot.walls, shifts):
            for k in _wall_vertices(wall, n):
                own[k] = shift
        a = slot.walls[0]
        for end in slot.ends:
            for k in end:
                depth = -((points[k][0] - a.start[0]) * a.material[0] + (points[k][1] - a.start[1]) * a.material[1])
                own[k] = shifts[0] if depth < slot.width / 2.0 else shifts[1]
        for corner, step, wall_index in slot.openings:
            wall, shift = slot.walls[wall_index], shifts[wall_index]
            point, trimmed = _slide(points, corner, step, wall, shift, name)
            own[corner] = (point[0] - points[corner][0], point[1] - points[corner][1])
            dropped.update(trimmed)
        if set(own) & (set(moves) | dropped) or dropped & set(moves):
            raise InputError(f"{name}: two slots share an edge ({_describe(slot)}): cannot resize them apart")
        moves.update(own)
    return [(x + moves.get(k, (0.0, 0.0))[0], y + moves.get(k, (0.0, 0.0))[1])
            for k, (x, y) in enumerate(points) if k not in dropped]


def _wall_vertices(wall: Wall, n: int) -> list[int]:
    out, k = [wall.first], wall.first
    while k != wall.last:
        k = (k + 1) % n
        out.append(k)
    return out


def _slide(points, corner: int, step: int, wall: Wall, shift: tuple[float, float], name: str):
    """Where the outline meets the moved wall at an open end: the edge beyond the corner extended
    (the wall moved out of the material) or cut back, dropping the vertices the slot now takes."""
    n = len(points)
    origin = (wall.start[0] + shift[0], wall.start[1] + shift[1])
    m = wall.material

    def side(p) -> float:  # > 0: in the material beyond the moved wall
        return (p[0] - origin[0]) * m[0] + (p[1] - origin[1]) * m[1]

    trimmed: list[int] = []
    here = corner
    while True:
        there = (here + step) % n
        if side(points[corner]) >= 0.0 or side(points[there]) >= 0.0:
            break
        trimmed.append(there)
        here = there
        if len(trimmed) > MAX_TRIMMED_VERTICES:
            raise InputError(f"{name}: a slot widened for the measured sheet would cut through the part")
    p, q = points[there], points[here]  # the edge that crosses (or, extended, reaches) the moved wall
    d = (q[0] - p[0], q[1] - p[1])
    length = math.hypot(*d)
    if length == 0.0 or abs(d[0] * m[0] + d[1] * m[1]) < length * math.sin(MIN_OUTER_EDGE_ANGLE):
        raise InputError(f"{name}: the edge at an open end of a slot runs along the slot: cannot resize it")
    t = -side(p) / (d[0] * m[0] + d[1] * m[1])
    return (p[0] + d[0] * t, p[1] + d[1] * t), trimmed
