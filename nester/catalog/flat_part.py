"""One flat part of a catalog design: what to cut, and where it stands in the assembled piece."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point, Polygon

from nester.catalog.assembly import Placement3D
from nester.catalog.drawing import Vertex, flatten


@dataclass(frozen=True)
class FlatPart:
    """Drawn in its own frame (mm): the outline (counter-clockwise, bulged vertices), through
    holes, round through holes (x, y, radius), drilled holes (x, y, diameter) and pockets
    (outline, depth). ``placement`` puts the drawing in the assembled piece."""

    name: str
    placement: Placement3D
    outline: list[Vertex]
    holes: tuple[list[Vertex], ...] = ()
    circles: tuple[tuple[float, float, float], ...] = ()
    drills: tuple[tuple[float, float, float], ...] = ()
    pockets: tuple[tuple[list[Vertex], float], ...] = ()

    def polygon(self, chord_error: float = 0.05) -> Polygon:
        """The material as a shapely polygon: outline less holes (round ones included)."""
        rings = [flatten(hole, chord_error) for hole in self.holes]
        rings += [list(Point(x, y).buffer(r, quad_segs=16).exterior.coords) for x, y, r in self.circles]
        return Polygon(flatten(self.outline, chord_error), rings)


def check_sizes(sizes: dict[str, float], ranges: dict[str, tuple[float, float]]) -> None:
    """ValueError naming the first overall size out of its range (mm, inclusive)."""
    for name, (low, high) in ranges.items():
        if not low <= sizes[name] <= high:
            raise ValueError(f"{name} must be {low:g} to {high:g} mm, got {sizes[name]:g}")
