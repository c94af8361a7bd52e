"""Exact check of an engine Solution with shapely, independent of any engine.

Every solution that leaves the engine, and every sparrow solution read back,
can go through here. What is checked: each demanded copy is placed once or
reported unplaced; each rotation is allowed; each item lies inside its container
(strip: [0, L] x [0, H]; bin: its shape minus its holes) and outside its zones,
at least ``margin`` from their edges; any two items in a layout are at least
``spacing`` apart and never overlap (touching is fine when spacing is 0); no
bin is used more often than its stock.

Tolerance: by default 1e-6 of the problem's size (the largest container side or
the strip), so that the rounding of a file in inches, or sparrow's 32-bit floats,
does not count as an overlap, while anything a router would notice does.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from nester.model import place
from nester.problem import BinLayout, Problem, Solution
from nester.validate import allowed_text, rotation_allowed, spacing_problems



def solution_problems(solution: Solution, tolerance: float | None = None) -> list[str]:
    """Everything wrong with a solution, one message per problem (empty: the solution is valid)."""
    problem = solution.problem
    tolerance = default_tolerance(solution) if tolerance is None else tolerance
    problems = _count_problems(solution) + _container_problems(solution)
    copies: Counter[int] = Counter()
    for number, layout in enumerate(solution.layouts, start=1):
        if not _container_known(problem, layout):
            continue  # reported by _container_problems; there is no shape to check against
        where = _where(solution, layout, number)
        labels, outlines = [], []
        for placed in layout.placed:
            if not 0 <= placed.item_id < len(problem.items):
                continue  # reported by _count_problems
            item = problem.items[placed.item_id]
            copies[placed.item_id] += 1
            label = f"{item.label()}#{copies[placed.item_id]}" if item.demand > 1 else item.label()
            if not rotation_allowed(placed.rotation, item.rotations):
                problems.append(f"{where}: {label!r} is rotated {placed.rotation:g} degrees, "
                                f"allowed rotations are {allowed_text(item.rotations)}")
            labels.append(label)
            outlines.append(place(item.shape, placed.rotation, placed.translation))
        problems += _inside_problems(_region(solution, layout, outlines), labels, outlines, problem.margin,
                                     tolerance, where)
        problems += _zone_problems(solution, layout, labels, outlines, tolerance, where)
        problems += spacing_problems(labels, outlines, problem.spacing, tolerance, where)
    return problems


def default_tolerance(solution: Solution) -> float:
    """The problem's tolerance, else RELATIVE_TOLERANCE of its size: its largest container
    side, or the strip."""
    return solution.problem.check_tolerance(solution.strip_length or 0.0)


def _count_problems(solution: Solution) -> list[str]:
    problem = solution.problem
    placed: Counter[int] = Counter()
    problems = []
    for number, layout in enumerate(solution.layouts, start=1):
        for p in layout.placed:
            if 0 <= p.item_id < len(problem.items):
                placed[p.item_id] += 1
            else:
                problems.append(f"{_where(solution, layout, number)}: item id {p.item_id} is not in the problem")
    for item_id, count in solution.unplaced.items():
        if not 0 <= item_id < len(problem.items):
            problems.append(f"unplaced item id {item_id} is not in the problem")
        elif count < 0:
            problems.append(f"{problem.items[item_id].label()}: {count} copies reported unplaced")
    for index, item in enumerate(problem.items):  # solutions refer to items by position
        unplaced = max(solution.unplaced.get(index, 0), 0)
        if placed[index] + unplaced != item.demand:
            problems.append(f"{item.label()}: {placed[index]} of {item.demand} copies placed "
                            f"and {unplaced} reported unplaced")
    return problems


def _container_problems(solution: Solution) -> list[str]:
    problem = solution.problem
    if problem.is_strip:
        problems = []
        if len(solution.layouts) > 1:
            problems.append(f"strip packing: {len(solution.layouts)} layouts, one strip expected")
        if solution.layouts and not (solution.strip_length is not None and solution.strip_length > 0):
            problems.append(f"strip packing: the strip length is {solution.strip_length}, a positive length needed")
        problems += [f"layout {k}: container id {layout.container_id}, the strip is 0"
                     for k, layout in enumerate(solution.layouts, start=1) if layout.container_id != 0]
        return problems
    problems = [f"layout {k}: container id {layout.container_id} is not a bin of the problem"
                for k, layout in enumerate(solution.layouts, start=1) if not _container_known(problem, layout)]
    used = Counter(layout.container_id for layout in solution.layouts if _container_known(problem, layout))
    for container_id, count in sorted(used.items()):
        container = problem.bins[container_id]
        if container.stock is not None and count > container.stock:
            problems.append(f"{container.label()}: used {count} times, only {container.stock} in stock")
    return problems


def _container_known(problem: Problem, layout: BinLayout) -> bool:
    return layout.container_id == 0 if problem.is_strip else 0 <= layout.container_id < len(problem.bins)


def _where(solution: Solution, layout: BinLayout, number: int) -> str:
    if solution.problem.is_strip:
        return "strip"
    if not _container_known(solution.problem, layout):
        return f"layout {number}"
    return f"layout {number} ({solution.problem.bins[layout.container_id].label()})"


def _region(solution: Solution, layout: BinLayout, outlines: list[Polygon]) -> Polygon:
    """Where the layout's items must lie: the strip 0..L x 0..H, or the bin's shape (holes excluded)."""
    problem = solution.problem
    if not problem.is_strip:
        return problem.bins[layout.container_id].shape
    length = solution.strip_length
    if length is None or not length > 0:  # reported already; check the rest against the items' own reach
        length = max((outline.bounds[2] for outline in outlines), default=1.0)
    return box(0.0, 0.0, length, problem.strip_height)


def _inside_problems(
    region: Polygon, labels: list[str], outlines: list[Polygon], margin: float, tolerance: float, where: str
) -> list[str]:
    if not outlines:
        return []
    geometries = np.array(outlines, dtype=object)
    inside = shapely.covers(region.buffer(tolerance), geometries)
    clearance = shapely.distance(region.boundary, geometries)
    problems = []
    for label, outline, covered, gap in zip(labels, outlines, inside.tolist(), clearance.tolist()):
        if not covered:
            reach = float(shapely.distance(region, shapely.points(outline.exterior.coords)).max())
            problems.append(f"{where}: {label!r} extends {reach:.4g} mm outside the container "
                            f"({outline.difference(region).area:.4g} mm² outside)")
        elif margin > 0 and not gap >= margin - tolerance:
            problems.append(f"{where}: {label!r} is {gap:.3f} mm from the container's edge, "
                            f"closer than the margin of {margin:.3f} mm")
    return problems


def _zone_problems(
    solution: Solution, layout: BinLayout, labels: list[str], outlines: list[Polygon], tolerance: float, where: str
) -> list[str]:
    problem = solution.problem
    if problem.is_strip or not outlines:
        return []
    zones = problem.bins[layout.container_id].zones
    if not zones:
        return []
    tree = shapely.STRtree(outlines)
    problems = []
    for number, zone in enumerate(zones):
        reach = zone.buffer(max(problem.margin, tolerance), join_style="mitre")
        for k in sorted(tree.query(reach, predicate="intersects").tolist()):
            outline = outlines[k]
            gap = outline.distance(zone)
            if gap == 0.0 and outline.buffer(-tolerance / 2).intersects(zone.buffer(-tolerance / 2)):
                problems.append(f"{where}: {labels[k]!r} overlaps zone {number} "
                                f"({outline.intersection(zone).area:.3f} mm²)")
            elif problem.margin > 0 and not gap >= problem.margin - tolerance:
                problems.append(f"{where}: {labels[k]!r} is {gap:.3f} mm from zone {number}, "
                                f"closer than the margin of {problem.margin:.3f} mm")
    return problems
