"""Post-processor and reader throughput in every dialect, and the demo's run time per machine, as JSON.

    python -m benchmarks.posts [--sheets 40] [--reader-lines 1000000] [--dialects grbl ...]
                               [--json benchmarks/results/posts.json]

* post: lines per second rendering a --sheets order (the demo sheet's toolpaths,
  rendered once per sheet) in every registered dialect (gcode.post.POSTS);
* reader: lines per second reading a program of about --reader-lines lines (the
  demo sheet's moves, repeated) with read_program in the dialect it is written
  in, from a file; and the estimator's moves per second on what was read;
* demo time: the estimated machine time of the demo (6 stools) on every built-in
  machine, by the pipeline itself; a machine whose dialect has no post yet, or
  that cannot cut the demo's sheet, is skipped with the reason.

Every dialect renders for the same machine (the default one, its dialect
replaced), so their figures compare the posts and not the machines.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.report import write_report
from gcode.cam import sheet_toolpaths
from gcode.estimate import estimate_time
from gcode.post import POSTS
from gcode.programs import read_program
from gcode.toolpath import Rapid, SpindleOff, ToolpathProgram
from nester.errors import InputError
from nester.simple_nest import nest_bottom_left
from plycut.config import builtin_machines
from plycut.job import build_job, demo_spec
from plycut.pipeline import ProgramCheckFailed, cam_settings, run_job
from plycut.toml_reader import load_toml


def demo_sheet():
    """The default machine and the toolpaths of the demo's first sheet."""
    job = build_job(demo_spec("generic-grbl-2500x1250"))
    nest = nest_bottom_left(job.parts, job.stock, job.spacing)
    return job.machine, sheet_toolpaths(nest.layouts[0], cam_settings(job), name="sheet-01").program


def as_dialect(machine, dialect: str):
    """The machine speaking another dialect; its output commands are in its own, so they go."""
    return replace(machine, dialect=dialect, vacuum=None, dust_extraction=None)


def post_throughput(program: ToolpathProgram, machine, dialect: str, sheets: int) -> dict:
    post = POSTS[dialect]
    target = as_dialect(machine, dialect)
    lines = 0
    started = time.perf_counter()
    for _ in range(sheets):
        lines += post.render(program, target).count("\n")
    seconds = time.perf_counter() - started
    return {"sheets": sheets, "lines": lines, "seconds": round(seconds, 3), "lines_per_s": round(lines / seconds)}


def long_program(program: ToolpathProgram, lines_wanted: int, lines_per_copy: int) -> ToolpathProgram:
    """The program with its work repeated until it makes about ``lines_wanted`` lines.

    What lies between the first XY travel and the spindle stop repeats (each copy
    starts and ends at safe Z); the tool change, spindle start and dwell before it
    and the end after it stay once, so the result is still one program to run."""
    steps = program.steps
    first = next(index for index, step in enumerate(steps) if isinstance(step, Rapid) and step.x is not None)
    last = max(index for index, step in enumerate(steps) if isinstance(step, SpindleOff))
    copies = max(1, math.ceil(lines_wanted / lines_per_copy))
    return replace(program, steps=steps[:first] + steps[first:last] * copies + steps[last:])


def reader_throughput(program: ToolpathProgram, machine, dialect: str, lines_wanted: int, folder: Path) -> dict:
    target = as_dialect(machine, dialect)
    post = POSTS[dialect]
    per_copy = post.render(program, target).count("\n")
    text = post.render(long_program(program, lines_wanted, per_copy), target)
    path = folder / f"long{post.file_extension}"
    path.write_text(text)
    del text
    started = time.perf_counter()
    reading = read_program(path.read_text(), dialect, source=path.name)
    read_seconds = time.perf_counter() - started
    assert not reading.errors, reading.errors[:3]
    started = time.perf_counter()
    estimate = estimate_time(reading, target)
    estimate_seconds = time.perf_counter() - started
    lines, moves = len(reading.lines), len(reading.motions)
    return {
        "lines": lines,
        "moves": moves,
        "read_seconds": round(read_seconds, 3),
        "lines_per_s": round(lines / read_seconds),
        "estimate_seconds": round(estimate_seconds, 3),
        "estimated_moves_per_s": round(moves / estimate_seconds),
        "estimated_hours": round(estimate.total_s / 3600.0, 2),
    }


def demo_time(name: str, path: Path) -> dict:
    dialect = str(load_toml(path).get("dialect", ""))
    if dialect not in POSTS:
        return {"machine": name, "dialect": dialect, "skipped": f"no post for dialect '{dialect}' yet"}
    try:
        result = run_job(build_job(demo_spec(name)))
    except (InputError, ProgramCheckFailed) as exc:
        return {"machine": name, "dialect": dialect, "skipped": str(exc)}
    totals = result.summary["totals"]
    return {"machine": name, "dialect": dialect, "sheets": totals["sheets"],
            "machine_time_s": totals["machine_time_s"], "machine_time_h": totals["machine_time_h"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=40)
    parser.add_argument("--reader-lines", type=int, default=1_000_000)
    parser.add_argument("--dialects", nargs="+", default=sorted(POSTS), help="default: every registered dialect")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/posts.json"))
    args = parser.parse_args()
    unknown = sorted(set(args.dialects) - set(POSTS))
    if unknown:
        parser.error(f"no post for {', '.join(unknown)}; registered: {', '.join(sorted(POSTS))}")
    machine, program = demo_sheet()

    posts = {}
    for dialect in args.dialects:
        posts[dialect] = figures = post_throughput(program, machine, dialect, args.sheets)
        print(f"post    {dialect:<9} {figures['lines']:>9} lines for {figures['sheets']} sheets in "
              f"{figures['seconds']:7.2f}s  {figures['lines_per_s']:>8} lines/s", flush=True)

    readers = {}
    with tempfile.TemporaryDirectory() as folder:
        for dialect in args.dialects:
            readers[dialect] = figures = reader_throughput(program, machine, dialect, args.reader_lines, Path(folder))
            print(f"reader  {dialect:<9} {figures['lines']:>9} lines in {figures['read_seconds']:7.2f}s  "
                  f"{figures['lines_per_s']:>8} lines/s; estimate {figures['estimate_seconds']:.2f}s "
                  f"({figures['estimated_moves_per_s']} moves/s)", flush=True)

    demo = []
    for name, path in sorted(builtin_machines().items()):
        demo.append(figures := demo_time(name, path))
        if "skipped" in figures:
            print(f"demo    {name:<28} skipped: {figures['skipped']}", flush=True)
        else:
            print(f"demo    {name:<28} {figures['dialect']:<9} {figures['machine_time_h']:.2f} h "
                  f"({figures['machine_time_s']:.0f} s)", flush=True)

    write_report(args.json, "posts", {"post": posts, "reader": readers, "demo_time": demo})


if __name__ == "__main__":
    main()
