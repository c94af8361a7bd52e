"""Toolpaths for one nested sheet: the entry point of the CAM.

Plans the jobs of every part once (gcode.jobs), moves them onto the sheet,
orders them (gcode.ordering) and writes the steps (gcode.writer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

from gcode.arcs import Point
from gcode.backplot import program_lengths
from gcode.cam_settings import CamSettings, check_settings
from gcode.jobs import Job, part_jobs
from gcode.ordering import Travel, nesting_levels, order_jobs
from gcode.toolpath import ToolpathProgram
from gcode.writer import StepWriter
from nester.errors import InputError
from nester.model import Layout, Part

__all__ = ["CamSettings", "SheetToolpaths", "sheet_toolpaths"]

SHEET_ORIGIN = (0.0, 0.0)  # where the tool is assumed to start, for ordering only
OFF_SHEET_CHORD_ERROR = 0.01  # mm


@dataclass(frozen=True)
class SheetToolpaths:
    """The program for one sheet and what previews and summaries need to know about it."""

    program: ToolpathProgram
    tabs: tuple[Point, ...]  # XY centres of every tab
    cut_length: float  # mm of feed moves, XY and Z
    rapid_length: float  # mm of rapid moves
    warnings: tuple[str, ...] = ()
    bones: tuple[Point, ...] = ()  # XY far ends of every dogbone and T-bone
    travel: Travel | None = None  # XY rapid travel between jobs, against plain nearest neighbour


def sheet_toolpaths(
    layout: Layout, settings: CamSettings, *, name: str, header: Sequence[tuple[str, str]] = ()
) -> SheetToolpaths:
    """Toolpaths cutting every placed part out of one sheet.

    Order: parts lying in other parts' holes first, the most deeply nested first;
    among equally nested parts engravings, drills, pockets, holes, then outlines
    from the smallest part to the biggest; each job all the way down before the
    next. Raises InputError for settings or part geometry that cannot be cut safely.
    """
    thickness = layout.sheet.thickness
    check_settings(settings, thickness)
    writer = StepWriter(
        settings.cutting,
        settings.safe_z,
        ramp_angle=settings.ramp_angle if settings.entry == "ramp" else None,
        tab_angle=settings.flank_angle,
    )
    planned: dict[Part, list[Job]] = {}
    warnings: list[str] = []
    jobs: list[Job] = []
    for placement, nesting in zip(layout.placements, nesting_levels(layout.placements)):
        part = placement.part
        if part not in planned:
            part_planned, part_warnings = part_jobs(part, settings, thickness)
            planned[part] = [_with_exit(job, writer, settings) for job in part_planned]
            warnings.extend(part_warnings)
        jobs.extend(job.placed(placement, nesting) for job in planned[part])
    ordered, travel = order_jobs(jobs, SHEET_ORIGIN)
    warnings.extend(_off_sheet(ordered, layout))

    writer.start(settings.tool, settings.cutting.rpm, settings.spindle_spinup_s)
    for job in ordered:
        writer.job(job)
    writer.finish()
    steps = tuple(writer.steps)
    cut_length, rapid_length = program_lengths(steps)
    program = ToolpathProgram(name=name, tool=settings.tool, safe_z=settings.safe_z, steps=steps, header=tuple(header))
    return SheetToolpaths(
        program=program,
        tabs=tuple(tab for job in ordered for tab in job.tabs),
        bones=tuple(bone for job in ordered for bone in job.bones),
        travel=travel,
        cut_length=cut_length,
        rapid_length=rapid_length,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _with_exit(job: Job, writer: StepWriter, settings: CamSettings) -> Job:
    """The job knowing where the tool leaves it: a ramped loop ends one ramp past its start.

    The ordering chains jobs by where each one ends; the writer alone decides
    that, so it writes the job once on a scratch copy to find out."""
    if writer.ramp_angle is None or job.reversible:
        return job
    scratch = writer.scratch(settings.tool)
    try:
        scratch.job(job)
    except InputError:
        return job  # the real writer says it again, naming the placed part

    exit_point = scratch.position_xy()
    if math.dist(exit_point, job.passes[-1].path.end) <= 1e-9:
        return job
    return replace(job, exit=exit_point)


def _off_sheet(jobs: Sequence[Job], layout: Layout) -> list[str]:
    """Warnings for jobs whose tool centre leaves the sheet (a layout too close to the edge)."""
    width, height = layout.sheet.width, layout.sheet.height
    warnings = []
    for job in jobs:
        paths = {id(p.path): p.path for p in job.passes}.values()
        points = [point for path in paths for point in path.points(OFF_SHEET_CHORD_ERROR)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if min(xs) < 0.0 or min(ys) < 0.0 or max(xs) > width or max(ys) > height:
            warnings.append(
                f"{job.part}: the {job.what} runs off the {layout.sheet.label()} sheet "
                f"(tool centre from ({min(xs):.3f}, {min(ys):.3f}) to ({max(xs):.3f}, {max(ys):.3f}))"
            )
    return warnings
