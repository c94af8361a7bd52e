"""Time each stage of the pipeline on the bundled stool, and write the figures as JSON.

    python -m benchmarks.pipeline [--copies 6 24] [--json benchmarks/results/pipeline.json]

Stages: import (DXF -> parts), nest, toolpaths, post (GRBL), read back + check,
verify (back-plot against the parts), preview. Prints one row per run; the JSON also records the machine and versions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.report import write_report
from gcode.cam import sheet_toolpaths
from gcode.check import check_program
from gcode.post import get_post
from gcode.reader import read_gcode
from gcode.verify import verify_cuts
from nester.simple_nest import nest_bottom_left
from plycut.job import build_job, demo_spec
from plycut.pipeline import cam_settings, cut_spec, program_rules, sheet_preview


def run(copies: int) -> dict:
    timings: dict[str, float] = {}

    def timed(stage, action):
        started = time.perf_counter()
        value = action()
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
        return value

    job = timed("import", lambda: build_job(demo_spec(copies=copies)))
    nest = timed("nest", lambda: nest_bottom_left(job.parts, job.stock, job.spacing))
    settings = cam_settings(job)
    post = get_post(job.machine.dialect)
    lines = 0
    for index, layout in enumerate(nest.layouts, start=1):
        toolpaths = timed("toolpaths", lambda: sheet_toolpaths(layout, settings, name=f"sheet-{index:02d}"))
        text = timed("post", lambda: post.render(toolpaths.program, job.machine))
        lines += text.count("\n")
        readback = timed("readback_check", lambda: read_gcode(text))
        problems = timed("readback_check", lambda: check_program(readback, rules=program_rules(job, layout)))
        assert not problems, problems[:3]
        spec = cut_spec(settings, layout, toolpaths)
        problems = timed("verify", lambda: verify_cuts(readback.motions, layout, spec))
        assert not problems, problems[:3]
        timed("preview", lambda: sheet_preview(layout, toolpaths, title="bench"))
    return {
        "copies": copies,
        "parts": sum(p.quantity for p in job.parts),
        "sheets": len(nest.layouts),
        "density": round(nest.density, 4),
        "program_lines": lines,
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "total_seconds": round(sum(timings.values()), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[6, 24])
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/pipeline.json"))
    args = parser.parse_args()
    runs = [run(copies) for copies in args.copies]
    for r in runs:
        stages = "  ".join(f"{k} {v:.2f}s" for k, v in r["seconds"].items())
        print(f"{r['copies']:>3} stools: {r['parts']} parts on {r['sheets']} sheet(s), density {r['density']:.1%}, "
              f"{r['program_lines']} lines, {r['total_seconds']:.2f}s  ({stages})")
    write_report(args.json, "pipeline", {"runs": runs})


if __name__ == "__main__":
    main()
