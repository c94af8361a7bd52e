"""Turn ordered jobs into toolpath steps, keeping the moves between cuts safe.

The rules live here and nowhere else: XY rapids only at safe Z; rapids down
only to the clearance above the sheet; every move that goes down steeply is
fed at the plunge feed.
"""

from __future__ import annotations

import math

from shapely.geometry import LineString

from gcode.arcs import SAME_POINT, Point
from gcode.cam_settings import CLEARANCE_Z
from gcode.jobs import Job, Pass
from gcode.paths import Arc, Path2D
from gcode.tooling import CuttingData, Tool
from gcode.toolpath import (
    ArcCut,
    Comment,
    Cut,
    Dwell,
    Rapid,
    SpindleOff,
    SpindleOn,
    Step,
    ToolChange,
)


class StepWriter:
    """Collects steps and tracks where the tool is (None: not known yet)."""

    def __init__(self, cutting: CuttingData, safe_z: float):
        self.cutting = cutting
        self.safe_z = safe_z
        self.steps: list[Step] = []
        self.x: float | None = None
        self.y: float | None = None
        self.z: float | None = None

    def start(self, tool: Tool, rpm: float, spinup_s: float) -> None:
        """Name the tool, lift (nobody knows where the tool was left), then start the spindle."""
        self.steps.append(ToolChange(tool))
        self.rapid(z=self.safe_z)
        self.steps.append(SpindleOn(rpm))
        self.steps.append(Dwell(spinup_s))

    def finish(self) -> None:
        """Lift clear of the parts, then stop the spindle."""
        self.rapid(z=self.safe_z)
        self.steps.append(SpindleOff())

    def job(self, job: Job) -> None:
        """All passes of one job, linked without lifting where that is safe."""
        self.steps.append(Comment(f"{job.part}: {job.what}"))
        for index, next_pass in enumerate(job.passes):
            if index == 0:
                self.travel_to(next_pass.path.start)
            else:
                self.link(job, next_pass.path.start)
            self.cut_pass(next_pass)

    def link(self, job: Job, target: Point) -> None:
        """From the end of one pass of a job to the start of its next pass."""
        here = self.position_xy()
        if job.peck:
            self.rapid(z=CLEARANCE_Z)  # lift the chips out of the hole
        elif math.dist(here, target) <= SAME_POINT:
            return  # a closed loop: the next pass starts where this one ended
        elif job.link_region is not None and job.link_region.covers(LineString([here, target])):
            self.feed_to(target[0], target[1], self.z)  # stays inside the area being cleared
        else:
            self.travel_to(target)

    def cut_pass(self, cut: Pass) -> None:
        """Go down to the pass depth where the tool is, then follow the path, rising over tabs."""
        self.feed_to(cut.path.start[0], cut.path.start[1], cut.z)
        for piece, on_tab in cut.path.split(cut.tabs):
            if on_tab:
                self.feed_to(piece.start[0], piece.start[1], cut.tab_z)
                self.follow(piece, cut.tab_z)
                self.feed_to(piece.end[0], piece.end[1], cut.z)
            else:
                self.follow(piece, cut.z)

    def travel_to(self, target: Point) -> None:
        """Lift to safe Z, rapid over the target, rapid down to the clearance above the sheet."""
        if self.z is None or self.z < self.safe_z:
            self.rapid(z=self.safe_z)
        if self.x is None or math.dist(self.position_xy(), target) > SAME_POINT:
            self.rapid(x=target[0], y=target[1])
        self.rapid(z=CLEARANCE_Z)

    def follow(self, path: Path2D, z: float) -> None:
        """Cut along a path at depth z, from its start where the tool already is."""
        for segment in path.segments:
            x, y = segment.end
            if isinstance(segment, Arc):
                cx, cy = segment.centre
                self.steps.append(ArcCut(x, y, z, cx, cy, segment.clockwise, self.cutting.feed))
                self.x, self.y, self.z = x, y, z
            else:
                self.feed_to(x, y, z)

    def feed_to(self, x: float, y: float, z: float) -> None:
        """A straight feed move; the plunge feed when it is vertical or descends steeper than 45 degrees."""
        horizontal = math.hypot(x - self.x, y - self.y)
        drop = self.z - z
        if horizontal <= SAME_POINT and abs(drop) <= SAME_POINT:
            return
        vertical = horizontal <= SAME_POINT
        feed = self.cutting.plunge_feed if vertical or drop > horizontal else self.cutting.feed
        self.steps.append(Cut(x, y, z, feed))
        self.x, self.y, self.z = x, y, z

    def rapid(self, x: float | None = None, y: float | None = None, z: float | None = None) -> None:
        """A rapid move; None leaves an axis where it is."""
        if x is not None and (self.z is None or self.z < self.safe_z):
            raise AssertionError("an XY rapid below safe Z would crash the tool")  # a bug in this module
        self.steps.append(Rapid(x, y, z))
        self.x = self.x if x is None else x
        self.y = self.y if y is None else y
        self.z = self.z if z is None else z

    def position_xy(self) -> Point:
        return (self.x, self.y)
