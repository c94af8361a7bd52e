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
class Machine:
    """A CNC router: its work envelope, limits and habits. mm, mm/min, seconds."""

    id: str
    name: str
    dialect: str
    envelope: tuple[float, float, float]  # X, Y, Z travel
    max_feed_xy: float
    max_feed_z: float
    safe_z: float = 5.0  # rapids above the top of the sheet happen at or above this
    park: tuple[float, float] = (0.0, 0.0)  # XY where the program ends
    spindle_rpm: tuple[float, float] = (0.0, 24000.0)  # (0, 0): router with manual speed
    spindle_spinup_s: float = 3.0
    line_limit: int = 80
