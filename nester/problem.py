"""The nesting problem and its solution, as the engine sees them: free of any file format.

Readers (nester.instance_formats) turn jagua-rs/sparrow JSON, PackingSolver JSON,
terashima text and plycut jobs into a :class:`Problem`; the engine returns a
:class:`Solution`; writers turn it back into sparrow's solution JSON and SVG.

Coordinates are millimetres (files in inches are converted when read; research
files without a unit are taken as millimetres). A placement rotates the item's
shape counter-clockwise about its origin by ``rotation`` degrees, then translates
it -- the convention of nester.model and of jagua-rs/sparrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Polygon, box


@dataclass(frozen=True, eq=False)
class Item:
    """A part type to nest: its shape (holes allowed, usable for smaller items) and how many.

    rotations: the allowed angles in degrees; None means any angle. source: the file it
    came from, when that is not the instance's (a plycut plan).
    """

    id: int
    shape: Polygon
    demand: int
    rotations: tuple[float, ...] | None = (0.0,)
    name: str = ""
    source: str = ""

    @property
    def area(self) -> float:
        return self.shape.area

    def label(self) -> str:
        return self.name or f"item {self.id}"


@dataclass(frozen=True, eq=False)
class Container:
    """A stock sheet (bin) type: its shape, how many exist, what one costs, where not to cut.

    shape: the sheet outline; its holes are unusable. zones: no-go areas (clamps,
    screws, defects). stock None: as many as needed.
    """

    id: int
    shape: Polygon
    stock: int | None = None
    cost: float = 1.0
    zones: tuple[Polygon, ...] = ()
    name: str = ""

    @property
    def area(self) -> float:
        return self.shape.area

    def label(self) -> str:
        return self.name or f"bin {self.id}"

    @property
    def is_rectangle(self) -> bool:
        return not self.shape.interiors and self.shape.equals(box(*self.shape.bounds)) and not self.zones


RELATIVE_TOLERANCE = 1e-6  # of a problem's size: its default check tolerance


@dataclass(frozen=True)
class Problem:
    """Strip packing when ``strip_height`` is set (minimise the length along x), else bin packing.

    spacing: least distance between two placed items (tool diameter + clearance);
    margin: least distance between an item and a container's edge, holes and zones.
    document: the instance as read, kept so a solution can be written next to it.
    warnings: what the reader repaired or assumed (a polygon made valid, a unit guessed).
    tolerance: by how much an outline may pass the spacing or the margin and still be
    valid, in the problem's units; None: RELATIVE_TOLERANCE of the problem's size.
    """

    name: str
    items: tuple[Item, ...]
    strip_height: float | None = None
    bins: tuple[Container, ...] = ()
    spacing: float = 0.0
    margin: float = 0.0
    source: str = ""
    document: dict[str, Any] | None = field(default=None, compare=False)
    warnings: tuple[str, ...] = ()
    tolerance: float | None = None

    @property
    def is_strip(self) -> bool:
        return self.strip_height is not None

    @property
    def total_demand(self) -> int:
        return sum(item.demand for item in self.items)

    @property
    def item_area(self) -> float:
        return sum(item.area * item.demand for item in self.items)

    def size(self, strip_length: float = 0.0) -> float:
        """The largest container side (or the strip's height and length)."""
        sides = [self.strip_height or 0.0, strip_length]
        for container in self.bins:
            x0, y0, x1, y1 = container.shape.bounds
            sides += [x1 - x0, y1 - y0]
        return max(sides)

    def check_tolerance(self, strip_length: float = 0.0) -> float:
        """The tolerance of validity checks: ``tolerance``, else RELATIVE_TOLERANCE of the size.
        Rounding a file in inches, or sparrow's 32-bit floats, stays within it; anything a
        router would notice does not."""
        return self.tolerance if self.tolerance is not None else RELATIVE_TOLERANCE * self.size(strip_length)


@dataclass(frozen=True)
class PlacedItem:
    item_id: int
    rotation: float
    translation: tuple[float, float]


@dataclass(frozen=True)
class BinLayout:
    """The items placed in one container (for strip packing: the strip, container_id 0)."""

    container_id: int
    placed: tuple[PlacedItem, ...]


@dataclass(frozen=True)
class Solution:
    """What the engine returns.

    strip_length: for strip packing, the length used. unplaced: item id -> copies
    that did not fit (bin packing with too little stock).
    """

    problem: Problem
    layouts: tuple[BinLayout, ...]
    strip_length: float | None = None
    unplaced: dict[int, int] = field(default_factory=dict)
    run_time_s: float = 0.0

    def layout_density(self, layout: BinLayout) -> float:
        placed = sum(self.problem.items[p.item_id].area for p in layout.placed)
        if self.problem.is_strip:
            return placed / (self.strip_length * self.problem.strip_height) if self.strip_length else 0.0
        return placed / self.problem.bins[layout.container_id].area

    @property
    def density(self) -> float:
        """Placed item area over the area used (strip L x H, or the used bins)."""
        placed = sum(self.problem.items[p.item_id].area for lay in self.layouts for p in lay.placed)
        if self.problem.is_strip:
            return placed / (self.strip_length * self.problem.strip_height) if self.strip_length else 0.0
        used = sum(self.problem.bins[lay.container_id].area for lay in self.layouts)
        return placed / used if used else 0.0

    @property
    def cost(self) -> float:
        return sum(self.problem.bins[lay.container_id].cost for lay in self.layouts)
