"""Data model shared by every stage: parts, stock sheets, placements, layouts.

Units: millimetres and degrees (counter-clockwise). A part keeps the coordinates
it was drawn with; a :class:`Placement` maps them onto a sheet by rotating about
the drawing origin, then translating -- the convention of jagua-rs/sparrow, so
``layout.json`` needs no conversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from shapely import affinity
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry


class Operation(str, Enum):
    """What the router does with a piece of geometry."""

    CUT_OUTSIDE = "cut_outside"  # through cut, tool outside the line: a part outline
    CUT_INSIDE = "cut_inside"  # through cut, tool inside the line: a hole
    CUT = "cut"  # through cut; outline or hole decided by how loops nest
    CUT_ON_LINE = "cut_on_line"  # tool centre on the line, to a depth or through
    POCKET = "pocket"  # clear the area inside a closed loop to a depth
    DRILL = "drill"  # plunge at a point or at the centre of a circle
    ENGRAVE = "engrave"  # follow the line at a shallow depth
    IGNORE = "ignore"  # drawn but never machined (notes, sheet borders)


THROUGH_CUTS = frozenset({Operation.CUT_OUTSIDE, Operation.CUT_INSIDE, Operation.CUT})


@dataclass(frozen=True)
class Machining:
    """An operation and its depth below the top of the sheet (None: through the sheet)."""

    operation: Operation
    depth: float | None = None
    diameter: float | None = None  # drills named by size, e.g. DRILL_8MM

    def describe(self) -> str:
        depth = "through" if self.depth is None else f"{self.depth:g} mm deep"
        return f"{self.operation.value} ({depth})"


@dataclass(frozen=True)
class Feature:
    """Machining inside a part that is not its outline or a through hole.

    geometry: Polygon for POCKET; LineString or LinearRing for ENGRAVE and
    CUT_ON_LINE; Point for DRILL (``diameter`` is then the hole diameter).
    """

    operation: Operation
    geometry: BaseGeometry
    depth: float | None = None
    diameter: float | None = None
    layer: str = ""


GRAIN_ROTATIONS = (0.0, 180.0)
RIGHT_ANGLES = (0.0, 90.0, 180.0, 270.0)


@dataclass(frozen=True, eq=False)
class Part:
    """One part design: its outline (holes are through cuts) and its features.

    rotations: the angles the nester may use; None means any angle. A part with
    ``grain=True`` must keep its x axis along the sheet's grain (the sheet's
    length), so only 0 and 180 degrees of its rotations are kept.
    corner_styles: what the plan asks of the inside corners of each ring of the
    outline, exterior first then the holes in order ("dogbone", "tbone", "off",
    or "" for the job's choice); () when it asks nothing.
    Identity, not geometry, tells two parts apart.
    """

    name: str
    outline: Polygon
    features: tuple[Feature, ...] = ()
    quantity: int = 1
    rotations: tuple[float, ...] | None = RIGHT_ANGLES
    grain: bool = False
    source: str = ""
    corner_styles: tuple[str, ...] = ()

    def allowed_rotations(self) -> tuple[float, ...] | None:
        if not self.grain:
            return self.rotations
        candidates = self.rotations if self.rotations is not None else GRAIN_ROTATIONS
        kept = tuple(r for r in candidates if round(r % 180.0, 9) == 0.0)
        return kept or (0.0,)

    @property
    def area(self) -> float:
        return self.outline.area


@dataclass(frozen=True)
class Sheet:
    """A stock sheet. quantity None: as many as needed. margin: kept clear at every edge and
    around every zone. zones: (x0, y0, x1, y1) rectangles not to cut into (clamps, screws,
    defects), in sheet coordinates."""

    width: float
    height: float
    thickness: float
    quantity: int | None = None
    margin: float = 10.0
    cost: float = 0.0
    material: str = ""
    name: str = ""
    zones: tuple[tuple[float, float, float, float], ...] = ()

    @property
    def area(self) -> float:
        return self.width * self.height

    def usable_area(self) -> Polygon:
        m = self.margin
        return box(m, m, self.width - m, self.height - m)

    def label(self) -> str:
        return self.name or f"{self.width:g}x{self.height:g}x{self.thickness:g}"


def place(geometry: BaseGeometry, rotation: float, translation: tuple[float, float]) -> BaseGeometry:
    """Rotate counter-clockwise about the origin, then translate (sparrow's convention)."""
    if rotation % 360.0:
        geometry = affinity.rotate(geometry, rotation, origin=(0.0, 0.0))
    return affinity.translate(geometry, translation[0], translation[1])


def place_point(point: tuple[float, float], rotation: float, translation: tuple[float, float]) -> tuple[float, float]:
    """:func:`place` for one (x, y) point, without building a geometry.

    Same arithmetic as shapely.affinity.rotate (which place uses), so a quarter
    turn stays exact and toolpaths line up with the placed outline to the last bit.
    """
    x, y = point
    if rotation % 360.0:
        angle = math.radians(rotation)
        c, s = math.cos(angle), math.sin(angle)
        c = 0.0 if abs(c) < 2.5e-16 else c
        s = 0.0 if abs(s) < 2.5e-16 else s
        x, y = c * x - s * y, s * x + c * y
    return (x + translation[0], y + translation[1])


@dataclass(frozen=True)
class Placement:
    """One copy of a part on a sheet. copy is 1-based among the copies of that part."""

    part: Part
    rotation: float
    translation: tuple[float, float]
    copy: int = 1

    def place(self, geometry: BaseGeometry) -> BaseGeometry:
        return place(geometry, self.rotation, self.translation)

    def outline(self) -> Polygon:
        return self.place(self.part.outline)

    def label(self) -> str:
        return f"{self.part.name}#{self.copy}" if self.part.quantity > 1 else self.part.name


@dataclass(frozen=True)
class Layout:
    """The parts placed on one sheet."""

    sheet: Sheet
    placements: tuple[Placement, ...] = ()

    @property
    def density(self) -> float:
        """Placed part area over sheet area (0..1)."""
        return sum(p.part.area for p in self.placements) / self.sheet.area


@dataclass(frozen=True)
class NestResult:
    """What a nester returns: one layout per sheet used, and what did not fit."""

    layouts: tuple[Layout, ...]
    unplaced: tuple[tuple[Part, int], ...] = ()  # (part, copies left over)
    run_time_s: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def density(self) -> float:
        if not self.layouts:
            return 0.0
        placed = sum(p.part.area for lay in self.layouts for p in lay.placements)
        return placed / sum(lay.sheet.area for lay in self.layouts)
