"""The two kinds of XY segment a tool-centre path is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from gcode.arcs import Point


@dataclass(frozen=True)
class Line:
    end: Point


@dataclass(frozen=True)
class Arc:
    """Arc of at most 180 degrees from the previous point to end."""

    end: Point
    centre: Point
    clockwise: bool


Segment = Union[Line, Arc]
