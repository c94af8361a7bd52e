"""nester: parts in, layouts out. Never imports gcode."""

from nester.errors import InputError
from nester.model import (
    Feature,
    Layout,
    Machining,
    NestResult,
    Operation,
    Part,
    Placement,
    Sheet,
    place,
)

__all__ = [
    "Feature",
    "InputError",
    "Layout",
    "Machining",
    "NestResult",
    "Operation",
    "Part",
    "Placement",
    "Sheet",
    "place",
]
