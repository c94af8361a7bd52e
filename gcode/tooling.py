"""Cutting tools, the cutting data of a tool in a material, and the machine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    """An end mill (or V-bit). Lengths in mm."""

    id: str
    name: str
    diameter: float
    flutes: int = 2
    centre_cutting: bool = True
    kind: str = "flat"  # flat | vbit
    number: int = 1  # the tool's number in the machine's tool table (T word)
    angle: float | None = None  # V-bits: included angle, degrees
    # Compression tools: length of the up-cut flutes at the tip. A pass no deeper than this
    # leaves the top face to the up-cut flutes, which tear it: the first pass must go past it.
    upcut_length: float | None = None

    @property
    def radius(self) -> float:
        return self.diameter / 2.0


@dataclass(frozen=True)
class CuttingData:
    """How a tool cuts one material: speeds in rpm and mm/min, depths in mm."""

    rpm: float
    feed: float
    plunge_feed: float
    step_down: float
    step_over: float


@dataclass(frozen=True)
class OutputSwitch:
    """The commands that switch an auxiliary output on and off, in the machine's dialect.

    e.g. a vacuum table on M7/M9, dust extraction on M8/M9, grblHAL's M64 P0/M65 P0,
    ShopBot's SO,1,1/SO,1,0."""

    on: str
    off: str


@dataclass(frozen=True)
class TouchPlate:
    """A touch plate the operator lays ON THE SHEET under the bit to measure a new tool by
    hand (a machine file's ``[tool_change] probe``). mm and mm/min.

    thickness: its top is that far above the top of the sheet (work Z0); travel: how far
    down the probe goes at most before the controller gives up; feed: the probing feed."""

    thickness: float
    travel: float
    feed: float


@dataclass(frozen=True)
class Machine:
    """A CNC router: its work envelope, limits and habits. mm, mm/min, mm/s^2, seconds.

    spindle_rpm (0, 0) is a router with a manual speed dial. max_feed is per axis
    and is also the rapid rate. units is what the program is written in ("mm" or
    "in"); plycut works in mm and converts at the post. Without a tool changer a
    mid-program tool change needs a touch plate (tool_change_probe) to measure the new
    tool, over which the head waits at tool_change_position (None: the park position)."""

    id: str
    name: str
    dialect: str
    envelope: tuple[float, float, float]  # X, Y, Z travel
    max_feed: tuple[float, float, float]  # X, Y, Z
    acceleration: tuple[float, float, float] = (500.0, 500.0, 250.0)  # X, Y, Z
    safe_z: float = 5.0  # rapids above the top of the sheet happen at or above this
    park: tuple[float, float] = (0.0, 0.0)  # XY where the program ends
    spindle_rpm: tuple[float, float] = (0.0, 24000.0)
    spindle_spinup_s: float = 3.0
    line_limit: int = 80  # the longest line the post may write
    units: str = "mm"
    arcs: bool = True  # the controller runs G2/G3; otherwise arcs are written as lines
    arc_tolerance: float = 0.01  # mm of chord error when arcs are written as lines
    line_numbers: bool = False  # N words on every line
    dwell_ms: bool = False  # the controller reads G4 P as milliseconds (a Mach3 setting)
    tool_changer: bool = False  # an automatic tool changer: M6 needs no operator
    tool_length_offset: bool = False  # the program applies the tool table's length (G43 H) after M6
    tool_change_s: float = 60.0  # how long a tool change takes (the operator's, without a changer)
    tool_change_position: tuple[float, float] | None = None  # XY of a change by hand, over the sheet
    tool_change_probe: TouchPlate | None = None
    vacuum: OutputSwitch | None = None
    dust_extraction: OutputSwitch | None = None

    @property
    def max_feed_xy(self) -> float:
        """The fastest feed valid in any XY direction."""
        return min(self.max_feed[0], self.max_feed[1])

    @property
    def max_feed_z(self) -> float:
        return self.max_feed[2]

    @property
    def tool_change_xy(self) -> tuple[float, float]:
        """Where the head waits while the operator changes the tool by hand."""
        return self.park if self.tool_change_position is None else self.tool_change_position

    @property
    def manual_spindle(self) -> bool:
        return tuple(self.spindle_rpm) == (0.0, 0.0)
