"""Toolpaths for a 40-sheet order: generation time, travel saved by the ordering, lines with and without arcs.

    python -m benchmarks.toolpaths [--copies 240] [--json benchmarks/results/toolpaths.json]

The order is the bundled stool, repeated until it fills about 40 sheets of the
demo machine. Each sheet's toolpaths are generated twice: with arc fitting
(what plycut writes) and with every chord of the offsets kept (what a CAM
without arc fitting writes); both are posted for GRBL and their lines counted.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.report import write_report
from gcode.cam import sheet_toolpaths
from gcode.post import get_post
from nester.simple_nest import nest_bottom_left
from plycut.job import build_job, demo_spec
from plycut.pipeline import cam_settings


def run(copies: int) -> dict:
    job = build_job(demo_spec(copies=copies))
    nest = nest_bottom_left(job.parts, job.stock, job.spacing)
    settings = cam_settings(job)
    chords_only = replace(settings, fit_arcs=False)
    post = get_post(job.machine.dialect)
    sheet_toolpaths(nest.layouts[0], settings, name="warm-up")  # numba loads its cached kernels once
    seconds = 0.0
    lines = chord_lines = 0
    travel = greedy = 0.0
    bones = tabs = 0
    for index, layout in enumerate(nest.layouts, start=1):
        started = time.perf_counter()
        toolpaths = sheet_toolpaths(layout, settings, name=f"sheet-{index:02d}")
        seconds += time.perf_counter() - started
        lines += post.render(toolpaths.program, job.machine).count("\n")
        chord_lines += post.render(sheet_toolpaths(layout, chords_only, name="chords").program,
                                   job.machine).count("\n")
        travel += toolpaths.travel.optimised
        greedy += toolpaths.travel.nearest_neighbour
        bones += len(toolpaths.bones)
        tabs += len(toolpaths.tabs)
    return {
        "copies": copies,
        "parts": sum(p.quantity for p in job.parts),
        "sheets": len(nest.layouts),
        "toolpath_seconds": round(seconds, 3),
        "toolpath_seconds_per_sheet": round(seconds / len(nest.layouts), 4),
        "grbl_lines_with_arcs": lines,
        "grbl_lines_chords_only": chord_lines,
        "line_ratio": round(chord_lines / lines, 2),
        "job_travel_m": round(travel / 1000.0, 2),
        "job_travel_nearest_neighbour_m": round(greedy / 1000.0, 2),
        "travel_saved_percent": round(100.0 * (greedy - travel) / greedy, 2) if greedy else 0.0,
        "tabs": tabs,
        "bones": bones,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[240])
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/toolpaths.json"))
    args = parser.parse_args()
    runs = [run(copies) for copies in args.copies]
    for r in runs:
        print(f"{r['copies']} stools: {r['parts']} parts on {r['sheets']} sheets, toolpaths {r['toolpath_seconds']:.2f}s "
              f"({r['toolpath_seconds_per_sheet']:.3f}s/sheet); GRBL lines {r['grbl_lines_with_arcs']} with arcs, "
              f"{r['grbl_lines_chords_only']} chords only (x{r['line_ratio']}); job travel {r['job_travel_m']} m "
              f"vs {r['job_travel_nearest_neighbour_m']} m nearest neighbour ({r['travel_saved_percent']}% saved); "
              f"{r['tabs']} tabs, {r['bones']} bones")
    write_report(args.json, "toolpaths", {"runs": runs})


if __name__ == "__main__":
    main()
