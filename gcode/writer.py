"""Turn ordered jobs into toolpath steps, keeping the moves between cuts safe.

The rules live here and nowhere else: XY rapids only at safe Z; rapids down
only to the clearance above the sheet; no move goes down faster than the
plunge feed; a tool that is not centre-cutting never plunges into material.
Within a pass the depth follows gcode.zprofile: ramps in, rises over tabs.
"""

from __future__ import annotations

import math

from shapely.geometry import LineString

import numpy as np

from gcode.arcs import SAME_POINT, Point
from gcode.cam_settings import CLEARANCE_Z
from gcode.jobs import Job, Pass
from gcode.paths import Arc, Path2D
from gcode.tooling import CuttingData, Tool
from gcode.zprofile import SAME_U, Ramp, pass_profile, ramp_length, z_at
from nester.errors import InputError
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


SHEET_TOP = 0.0
SQUARE_FLANK = 1e-4  # mm: a 90 degree tab flank, as near vertical as a function of path length gets
# A sloping cut goes down at most this share of the plunge feed: room for the
# posts' rounding of short moves and for a helix written as chords.
DESCENT_MARGIN = 0.95
# A descent shorter than this (mm of XY) is fed at the plunge feed: rounding
# its ends to the program's resolution could steepen it without bound.
SHORT_DESCENT = 1.0
MIN_ARC_CHORD = 0.01  # mm: ten times the programs' resolution
MIN_HELIX_RADIUS = 0.5  # mm


class StepWriter:
    """Collects steps and tracks where the tool is (None: not known yet).

    ramp_angle: degrees of the entry ramp on closed paths, None to plunge.
    tab_angle: degrees of the tabs' flanks.
    """

    def __init__(self, cutting: CuttingData, safe_z: float, *, ramp_angle: float | None = None,
                 tab_angle: float = 90.0):
        self.cutting = cutting
        self.safe_z = safe_z
        self.ramp_angle = ramp_angle
        self.tab_angle = tab_angle
        self.steps: list[Step] = []
        self.x: float | None = None
        self.y: float | None = None
        self.z: float | None = None
        self.tool: Tool | None = None
        self.job_name = ""
        # The closed path the tool is on and how far along it, after a pass that did not end at the path's start.
        self.on_loop: tuple[Path2D, float] | None = None

    def scratch(self, tool: Tool) -> StepWriter:
        """A fresh writer with the same settings, the tool at safe Z: to learn what a job does."""
        other = StepWriter(self.cutting, self.safe_z, ramp_angle=self.ramp_angle, tab_angle=self.tab_angle)
        other.tool = tool
        other.z = self.safe_z
        return other

    def start(self, tool: Tool, rpm: float, spinup_s: float) -> None:
        """Name the tool, lift (nobody knows where the tool was left), then start the spindle."""
        self.tool = tool
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
        self.job_name = f"{job.part}: the {job.what}"
        self.on_loop = None
        for index, next_pass in enumerate(job.passes):
            if index == 0:
                self.travel_to(next_pass.path.start)
            else:
                self.link(job, next_pass)
            self.cut_pass(next_pass)
        self.on_loop = None

    def link(self, job: Job, next_pass: Pass) -> None:
        """From the end of one pass of a job to the start of its next pass."""
        here = self.position_xy()
        target = next_pass.path.start
        if self.on_loop is not None and self.on_loop[0] is next_pass.path and not job.peck:
            return  # the next pass carries on around the same loop from where the tool is
        if job.peck:
            self.rapid(z=CLEARANCE_Z)  # lift the chips out of the hole
        elif math.dist(here, target) <= SAME_POINT:
            return  # a closed loop: the next pass starts where this one ended
        elif job.link_region is not None and job.link_region.covers(LineString([here, target])):
            self.feed_to(target[0], target[1], self.z)  # stays inside the area being cleared
        else:
            self.travel_to(target)

    def cut_pass(self, cut: Pass) -> None:
        """Go down where the tool is -- along a ramp on a closed path -- and follow the path, rising over tabs.

        A closed pass goes once around at full depth after its ramp, so the
        ramp's floor is cut too; it ends where the ramp ended, and the next
        pass on the same loop starts there.
        """
        path = cut.path
        if not path.segments:
            self.descend(path.start, cut.z, plunge=True)
            return
        closed = math.dist(path.start, path.end) <= SAME_POINT
        period = path.length if closed else None
        begin = self.on_loop[1] if self.on_loop is not None and self.on_loop[0] is path else 0.0
        top = min(self.z, cut.cleared)
        ramp = None
        if closed and self.ramp_angle is not None and top > cut.z and period >= self.smallest_ramp_loop():
            ramp = Ramp(top, ramp_length(top - cut.z, self.ramp_angle))
        end = begin + (ramp.length if ramp else 0.0) + period if closed else path.length
        flank = SQUARE_FLANK
        if self.tab_angle < 90.0:
            flank = max(SQUARE_FLANK, (cut.tab_z - cut.z) / math.tan(math.radians(self.tab_angle)))
        profile = pass_profile(begin, end, cut.z, ramp=ramp, tabs=cut.tabs, tab_z=cut.tab_z, tab_flank=flank,
                               period=period)
        start = path.point_at(begin)
        self.descend(start, z_at(profile, begin), plunge=ramp is None, cleared=cut.cleared)
        self.follow_profile(path, begin, end, profile, period)
        self.on_loop = (path, end % period) if closed else None

    def smallest_ramp_loop(self) -> float:
        """The shortest loop worth a helix: below it a centre-cutting tool plunges (a helix of a
        few hundredths of a millimetre is thousands of arcs going nowhere); a tool that cannot
        plunge needs a helix at least half its radius across, or is refused."""
        if self.tool is not None and not self.tool.centre_cutting:
            return math.pi * self.tool.radius
        return 2.0 * math.pi * MIN_HELIX_RADIUS

    def descend(self, xy: Point, z: float, *, plunge: bool, cleared: float = SHEET_TOP) -> None:
        """Straight down at the plunge feed; into material (below `cleared`) only with a tool that can plunge."""
        if plunge and z < cleared - SAME_POINT and self.tool is not None and not self.tool.centre_cutting:
            lowest = cleared if self.z is None else min(self.z, cleared)
            if z < lowest - SAME_POINT:
                raise InputError(
                    f"{self.job_name} needs a straight plunge, which the tool '{self.tool.id}' cannot do: "
                    "it is not centre-cutting"
                )
        self.feed_to(xy[0], xy[1], z)

    def follow_profile(self, path: Path2D, begin: float, end: float, profile, period: float | None) -> None:
        """Cut along path lengths begin..end (wrapping around a closed path), at the profile's depth."""
        spans = list(path.spans())
        span_ends = np.array([span.offset + span.length for span in spans])
        laps = range(int(math.floor(begin / period)), int(math.ceil(end / period)) + 1) if period else range(1)
        cuts = [lap * (period or 0.0) + e for lap in laps for e in span_ends]
        cuts.extend(profile[0][1:-1])
        cuts.append(end)
        previous = begin
        for u in sorted(cuts):
            if u <= previous + SAME_U or u > end + SAME_U:
                continue
            lap = math.floor((previous + u) / 2.0 / period) if period else 0
            shift = lap * (period or 0.0)
            index = min(int(np.searchsorted(span_ends, (previous + u) / 2.0 - shift)), len(spans) - 1)
            span = spans[index]
            local = u - shift - span.offset
            point = span.segment.end if abs(local - span.length) <= SAME_U else span.point_at(local)
            z = z_at(profile, u)
            feed = self.feed_for(u - previous, self.z - z)
            # A sliver of an arc (a square tab's flank landing on a curve) is a line: its
            # ends would round to one point and no post can write an arc between them.
            if isinstance(span.segment, Arc) and math.dist((self.x, self.y), point) > MIN_ARC_CHORD:
                cx, cy = span.segment.centre
                self.steps.append(ArcCut(point[0], point[1], z, cx, cy, span.segment.clockwise, feed))
            else:
                self.steps.append(Cut(point[0], point[1], z, feed))
            self.x, self.y, self.z = point[0], point[1], z
            previous = u

    def feed_for(self, horizontal: float, drop: float) -> float:
        """The cutting feed, slowed so the tool never goes down faster than the plunge feed."""
        if drop <= SAME_POINT:
            return self.cutting.feed if horizontal > SAME_POINT else self.cutting.plunge_feed
        if horizontal < SHORT_DESCENT:
            return min(self.cutting.feed, self.cutting.plunge_feed)
        steepness = math.hypot(horizontal, drop) / drop
        return min(self.cutting.feed, DESCENT_MARGIN * self.cutting.plunge_feed * steepness)

    def travel_to(self, target: Point) -> None:
        """Lift to safe Z, rapid over the target, rapid down to the clearance above the sheet."""
        if self.z is None or self.z < self.safe_z:
            self.rapid(z=self.safe_z)
        if self.x is None or math.dist(self.position_xy(), target) > SAME_POINT:
            self.rapid(x=target[0], y=target[1])
        self.rapid(z=CLEARANCE_Z)

    def feed_to(self, x: float, y: float, z: float) -> None:
        """A straight feed move, never going down faster than the plunge feed."""
        horizontal = math.hypot(x - self.x, y - self.y)
        drop = self.z - z
        if horizontal <= SAME_POINT and abs(drop) <= SAME_POINT:
            return
        self.steps.append(Cut(x, y, z, self.feed_for(horizontal, drop)))
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
