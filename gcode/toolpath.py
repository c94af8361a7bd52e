"""The toolpath program: a small machine-independent list of steps.

Coordinates are absolute mm in the sheet frame: X0 Y0 is the sheet's lower-left
corner, Z0 the top of the sheet, cuts go to negative Z. Feeds in mm/min.
Every post-processor consumes this; nothing here knows a dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from gcode.tooling import Tool


@dataclass(frozen=True)
class Rapid:
    """Move at rapid speed. An axis left as None does not move.

    The program's first motion must be a Z-only rapid: nobody knows where the
    operator left the tool."""

    x: float | None = None
    y: float | None = None
    z: float | None = None


@dataclass(frozen=True)
class Cut:
    """Straight move at feed to an absolute point."""

    x: float
    y: float
    z: float
    feed: float


@dataclass(frozen=True)
class ArcCut:
    """Arc in the XY plane (optionally helical in Z) at feed, sweep at most 180 degrees.

    (cx, cy) is the absolute centre; posts derive I/J from it and from the
    endpoints as they will be written."""

    x: float
    y: float
    z: float
    cx: float
    cy: float
    clockwise: bool
    feed: float


@dataclass(frozen=True)
class SpindleOn:
    rpm: float
    clockwise: bool = True


@dataclass(frozen=True)
class SpindleOff:
    pass


@dataclass(frozen=True)
class Dwell:
    seconds: float


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class ToolChange:
    """Put ``tool`` (its number is ``tool.number``) in the spindle.

    It comes with the spindle stopped and, except as the program's first step, the
    tool at safe Z. The first one names the tool the operator loads before starting;
    posts write M6 for a tool changer, a pause with a message for the operator, or
    nothing for the first tool of a manual machine."""

    tool: Tool


Step = Union[Rapid, Cut, ArcCut, SpindleOn, SpindleOff, Dwell, Comment, ToolChange]
MOTIONS = (Rapid, Cut, ArcCut)


@dataclass(frozen=True)
class ToolpathProgram:
    """The steps for one sheet, plus what a post writes in its header."""

    name: str
    tool: Tool
    safe_z: float
    steps: tuple[Step, ...]
    header: tuple[tuple[str, str], ...] = field(default=())  # (key, value) pairs
