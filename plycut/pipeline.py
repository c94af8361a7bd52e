"""The job pipeline: nest, make toolpaths, post, read the programs back and check them.

Everything is computed in memory first; files are written only once every program
has passed its check, so bad input or a failed check leaves no partial output.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from gcode.backplot import program_polylines
from gcode.cam import CamSettings, SheetToolpaths, sheet_toolpaths
from gcode.check import ProgramRules, check_program, rules_for
from gcode.estimate import TimeEstimate, estimate_time, format_duration
from gcode.post import get_post
from gcode.programs import read_program
from gcode.verify import CutSpec, verify_cuts
from nester.engine.solve import solve
from nester.formats.plycut_parts import nest_result_from_solution, problem_from_parts
from nester.layout_json import layout_document
from nester.model import Layout, NestResult
from nester.preview import Overlay, sheet_svg
from nester.validate import check_result
from plycut import __version__
from plycut.job import Job
from plycut.layout_check import add_cut_records
from plycut.outputs import write_outputs

SUMMARY = "summary.json"
TIME_KEY = "estimated time"
OVERCUT_TOLERANCE = 0.01  # mm: output rounding of the deepest Z
LAYOUT = "layout.json"


class ProgramCheckFailed(RuntimeError):
    """A program plycut generated failed its own check: a bug, and nothing is written."""


@dataclass(frozen=True)
class SheetOutput:
    index: int
    layout: Layout
    toolpaths: SheetToolpaths
    program_name: str
    preview_name: str
    program_text: str
    estimate: TimeEstimate
    cut: CutSpec


@dataclass(frozen=True)
class RunResult:
    job: Job
    nest: NestResult
    sheets: tuple[SheetOutput, ...]
    summary: dict
    files: dict[str, str]


def cam_settings(job: Job) -> CamSettings:
    cam = job.cam
    return CamSettings(
        tool=job.tool, cutting=job.cutting, safe_z=job.safe_z, overcut=cam.overcut, climb=cam.climb,
        inside_climb=cam.inside_climb,
        tab_width=cam.tab_width, tab_height=cam.tab_height, tab_spacing=cam.tab_spacing,
        min_tabs=cam.min_tabs, tab_angle=cam.tab_angle, holding=cam.holding, onion_skin=cam.onion_skin,
        entry=cam.entry, ramp_angle=cam.ramp_angle, dogbones=cam.dogbones, dogbone_overrides=cam.part_dogbones,
        peck=cam.peck, finish_allowance=cam.finish_allowance, labels=cam.labels, label_depth=cam.label_depth,
        label_height=cam.label_height,
        spindle_spinup_s=job.machine.spindle_spinup_s,
    )


def _header(job: Job, layout: Layout, index: int, count: int) -> tuple[tuple[str, str], ...]:
    sheet = layout.sheet
    return (
        ("plycut", __version__),
        ("job", job.name),
        ("sheet", f"{index} of {count}, {sheet.width:g} x {sheet.height:g} mm, {sheet.thickness:g} mm thick"),
        ("material", job.profile.name),
        ("machine", job.machine.name),
        ("parts", str(len(layout.placements))),
    )


TIME_PLACEHOLDER = "0" * 14  # as wide as any duration format_duration writes; survives any comment style


def _sheet_output(job: Job, layout: Layout, index: int, count: int, settings: CamSettings) -> SheetOutput:
    post = get_post(job.machine.dialect)
    stem = f"sheet-{index:02d}"
    program_name = stem + post.file_extension
    header = (*_header(job, layout, index, count), (TIME_KEY, TIME_PLACEHOLDER))
    toolpaths = sheet_toolpaths(layout, settings, name=stem, header=header)
    draft = post.render(toolpaths.program, job.machine)
    readback = read_program(draft, job.machine.dialect, source=program_name)
    violations = [f"line {e[0]}: {e[1]}" for e in readback.errors]
    violations += [f"line {v.line}: {v.message}" for v in check_program(readback, rules=program_rules(job, layout))]
    cut = cut_spec(settings, layout, toolpaths)
    if not violations:
        violations = verify_cuts(readback.motions, layout, cut)
    if violations:
        raise ProgramCheckFailed(f"{program_name} failed its own check: " + "; ".join(violations[:5]))
    estimate = estimate_time(readback, job.machine)
    text = _fill_time(draft, post, job, format_duration(estimate.total_s))
    return SheetOutput(index, layout, toolpaths, program_name, stem + ".svg", text, estimate, cut)


def _fill_time(text: str, post, job: Job, duration: str) -> str:
    """The checked program with its header's run time filled in.

    The header states the run time of the very program it heads, known only once that
    program has been read back. Only the comment holding the placeholder changes, and
    it does not grow, so the program that was checked is the program written."""
    width = post.line_width(job.machine)
    holder = post.comment(f"{TIME_KEY}: {TIME_PLACEHOLDER}", width)
    filled = post.comment(f"{TIME_KEY}: {duration}", width)
    if len(filled) > len(holder):
        raise ValueError(f"{filled!r} is longer than the header field it fills")
    lines = text.split("\n")
    holders = [i for i, line in enumerate(lines) if holder in line]
    if len(holders) != 1:
        raise ValueError(f"the run-time comment appears on {len(holders)} lines, not one")
    lines[holders[0]] = lines[holders[0]].replace(holder, filled)
    return "\n".join(lines)


def cut_spec(settings: CamSettings, layout: Layout, toolpaths: SheetToolpaths) -> CutSpec:
    """How the sheet was meant to be cut, for the back-plot against the parts."""
    flank = 0.0
    if settings.flank_angle < 90.0:
        flank = (settings.tab_height + settings.overcut) / math.tan(math.radians(settings.flank_angle))
    return CutSpec(
        tool_radius=settings.tool.radius,
        thickness=layout.sheet.thickness,
        overcut=settings.overcut,
        tabs=toolpaths.tabs,
        tab_reach=(settings.tab_width + settings.tool.diameter) / 2.0 + flank,
        bones=toolpaths.bones,
    )


def program_rules(job: Job, layout: Layout) -> ProgramRules:
    """What every program of this job must satisfy on this sheet.

    The job may raise safe Z above the machine's, and sets how far below the sheet
    through cuts may go: a deeper move would be cutting the spoilboard."""
    sheet = layout.sheet
    rules = rules_for(job.machine.dialect, job.machine, (sheet.width, sheet.height, sheet.thickness))
    return replace(rules, safe_z=job.safe_z, max_overcut=job.cam.overcut + OVERCUT_TOLERANCE)


def sheet_preview(layout: Layout, toolpaths: SheetToolpaths, title: str) -> str:
    """The sheet with its parts, and the toolpaths, rapids and tabs drawn over them."""
    lines = program_polylines(toolpaths.program.steps)
    overlays = [Overlay("rapid", lines["rapid"]), Overlay("cut", lines["cut"]),
                Overlay("tab", [[tab] for tab in toolpaths.tabs])]
    return sheet_svg(layout, overlays=overlays, title=title)


def _summary(job: Job, nest: NestResult, sheets: list[SheetOutput]) -> dict:
    placed = sum(len(s.layout.placements) for s in sheets)
    cut = sum(s.toolpaths.cut_length for s in sheets)
    rapid = sum(s.toolpaths.rapid_length for s in sheets)
    machine_time = sum(s.estimate.total_s for s in sheets)
    return {
        "plycut": __version__,
        "job": job.name,
        "machine": {"id": job.machine.id, "name": job.machine.name, "dialect": job.machine.dialect},
        "material": {"profile": job.profile.id, "name": job.profile.name},
        "tool": {"id": job.tool.id, "name": job.tool.name, "diameter_mm": job.tool.diameter},
        "cutting": {"rpm": job.cutting.rpm, "feed_mm_min": job.cutting.feed,
                    "plunge_mm_min": job.cutting.plunge_feed, "step_down_mm": job.cutting.step_down},
        "spacing_mm": job.spacing,
        "items": [{"id": i, "name": p.name, "source": p.source, "quantity": p.quantity,
                   "area_mm2": round(p.area, 3)} for i, p in enumerate(job.parts)],
        "sheets": [{
            "index": s.index,
            "program": s.program_name,
            "preview": s.preview_name,
            "stock": s.layout.sheet.label(),
            "parts": [p.label() for p in s.layout.placements],
            "yield": round(s.layout.density, 4),
            "cut_length_mm": round(s.toolpaths.cut_length, 1),
            "rapid_length_mm": round(s.toolpaths.rapid_length, 1),
            "job_travel_mm": round(s.toolpaths.travel.optimised, 1),
            "job_travel_nearest_neighbour_mm": round(s.toolpaths.travel.nearest_neighbour, 1),
            "tabs": len(s.toolpaths.tabs),
            "bones": len(s.toolpaths.bones),
            "sheet_cost": s.layout.sheet.cost,
            **_machine_time(s.estimate.total_s),
        } for s in sheets],
        "totals": {
            "sheets": len(sheets),
            "parts_placed": placed,
            "yield": round(nest.density, 4),
            "cut_length_m": round(cut / 1000.0, 2),
            "rapid_length_m": round(rapid / 1000.0, 2),
            "job_travel_m": round(sum(s.toolpaths.travel.optimised for s in sheets) / 1000.0, 2),
            "job_travel_nearest_neighbour_m": round(
                sum(s.toolpaths.travel.nearest_neighbour for s in sheets) / 1000.0, 2),
            "sheet_cost": round(sum(s.layout.sheet.cost for s in sheets), 2),
            **_machine_time(machine_time),
        },
        "unplaced": [{"part": part.name, "copies": count} for part, count in nest.unplaced],
        "warnings": list(job.warnings) + [w for s in sheets for w in s.toolpaths.warnings],
    }


def _machine_time(seconds: float) -> dict:
    """The estimated run time in seconds and in hours (pauses for the operator not included)."""
    return {"machine_time_s": round(seconds, 1), "machine_time_h": round(seconds / 3600.0, 3)}


# Programs are written to 0.001 mm: a part that passes its margin or its neighbour's
# spacing by less than a tenth of that is not a problem a router can show.
LAYOUT_TOLERANCE = 1e-4


def nest_job(job: Job, progress: Callable | None = None) -> NestResult:
    """The job's parts nested on its stock by the engine, within the job's time limit."""
    problem = replace(problem_from_parts(job.parts, job.stock, job.spacing, name=job.name),
                      tolerance=LAYOUT_TOLERANCE)
    solution = solve(problem, time_limit=job.nest.time_limit, seed=job.nest.seed, workers=job.nest.workers,
                     progress=progress)
    return nest_result_from_solution(solution, job.parts, job.stock)


def run_job(job: Job, progress: Callable | None = None) -> RunResult:
    """Nest, make and check every sheet program; return the files to write."""
    started = time.perf_counter()
    nest = nest_job(job, progress)
    problems = check_result(nest, job.parts, job.spacing, tolerance=LAYOUT_TOLERANCE)
    if problems:
        raise AssertionError("the nester returned an invalid layout: " + "; ".join(problems[:5]))
    settings = cam_settings(job)
    count = len(nest.layouts)
    sheets = [_sheet_output(job, layout, i, count, settings) for i, layout in enumerate(nest.layouts, start=1)]
    files: dict[str, str] = {}
    for output in sheets:
        files[output.program_name] = output.program_text
        title = f"{job.name} - {output.program_name} - {len(output.layout.placements)} parts"
        files[output.preview_name] = sheet_preview(output.layout, output.toolpaths, title)
    document = layout_document(nest, list(job.parts), name=job.name, stock=job.stock)
    add_cut_records(document, list(job.parts), [(s.program_name, s.layout, s.cut) for s in sheets])
    document["solution"]["run_time_sec"] = round(time.perf_counter() - started, 3)
    files[LAYOUT] = json.dumps(document, indent=1)
    summary = _summary(job, nest, sheets)
    files[SUMMARY] = json.dumps(summary, indent=2, ensure_ascii=False)
    return RunResult(job, nest, tuple(sheets), summary, files)


def write_run(result: RunResult, folder: Path) -> list[Path]:
    return write_outputs(folder, result.files, marker=SUMMARY, stale=("sheet-[0-9][0-9]*.*",))
