"""What `plycut nest` reads and what it says about the result: research instances as they
are, plycut jobs and plans through the job builder."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from nester.errors import InputError
from nester.formats import read_instance
from nester.formats.plycut_parts import problem_from_parts
from nester.offcut import offcut_rectangle
from nester.problem import Problem, Solution
from plycut.job import JobSpec, build_job
from plycut.pipeline import LAYOUT_TOLERANCE

PLAN_SUFFIXES = (".toml", ".dxf", ".svg")


def load_problem(inputs: list[Path], *, unit: str, job_spec: Callable[[], JobSpec]) -> Problem:
    """The problem of one instance file, or of a job / plan files (sheets and spacing from the
    job's profile and tool, as `plycut run` would nest them); the job's warnings come along."""
    if any(path.suffix.lower() in PLAN_SUFFIXES for path in inputs):
        job = build_job(job_spec())
        problem = problem_from_parts(job.parts, job.stock, job.spacing, name=job.name)
        return replace(problem, warnings=problem.warnings + tuple(job.warnings), tolerance=LAYOUT_TOLERANCE)
    if len(inputs) != 1:
        raise InputError("give one instance file (or plan files: .dxf, .svg, or one job .toml)")
    return read_instance(inputs[0], unit=unit)


def nest_summary(solution: Solution) -> list[str]:
    problem = solution.problem
    lines = []
    placed = sum(len(layout.placed) for layout in solution.layouts)
    if problem.is_strip:
        bound = problem.item_area / problem.strip_height
        lines.append(f"{problem.name}: strip length {solution.strip_length:.6g} (lower bound {bound:.6g}), "
                     f"density {solution.density:.2%}, {placed} items, {solution.run_time_s:.1f} s")
    else:
        bound = math.ceil(problem.item_area / max(c.area for c in problem.bins) - 1e-9)
        lines.append(f"{problem.name}: {len(solution.layouts)} sheet(s) (area bound {bound}), cost "
                     f"{solution.cost:g}, density {solution.density:.2%}, {placed} items, "
                     f"{solution.run_time_s:.1f} s")
        if solution.layouts:
            offcut = offcut_rectangle(solution, solution.layouts[-1])
            if offcut:
                x0, y0, x1, y1 = offcut
                lines.append(f"offcut on the last sheet: {x1 - x0:.0f} x {y1 - y0:.0f} mm from x = {x0:.0f}")
    for item_id, count in sorted(solution.unplaced.items()):
        lines.append(f"not placed: {count} x {problem.items[item_id].label()} (not enough sheets)")
    return lines
