"""The order jobs are cut in on a sheet.

Parts lying in another part's hole come first, the most deeply nested first,
each completely: cutting the hole frees its slug, and anything still uncut on
that slug would be cut on a loose piece. Among parts nested equally deep: by
class (engrave, drill, pocket, inside, outside: nothing is cut after the part
it belongs to is free), then nearest neighbour from where the tool is, improved by 2-opt and or-opt
(gcode.route).
Outside profiles go from the smallest part to the biggest: a small part cut
free early still has the sheet around it, a big one cut first would leave the
small ones on a weakened sheet. Onion-skin passes come after everything else
on the sheet: until then the skin holds every part in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from shapely.geometry import Polygon
from shapely.strtree import STRtree

from gcode.arcs import Point
from gcode.jobs import Job, JobKind
from gcode.route import improve_order, route_length
from nester.model import Placement

SAME_AREA = 1e-6  # relative: copies and rotations of one part have the same area


def nesting_levels(placements: Sequence[Placement]) -> list[int]:
    """For each placement, in how many holes of the other placements its outline lies."""
    outlines = [placement.outline() for placement in placements]
    holes = STRtree([Polygon(ring) for outline in outlines for ring in outline.interiors])
    # A part's own holes never cover its outline: only other parts' holes count.
    return [len(holes.query(outline, predicate="covered_by")) for outline in outlines]


@dataclass(frozen=True)
class Travel:
    """Rapid travel between jobs (mm, XY), as ordered and as plain nearest neighbour would have it."""

    optimised: float
    nearest_neighbour: float


def order_jobs(jobs: Sequence[Job], origin: Point) -> tuple[list[Job], Travel]:
    """The jobs in cutting order, starting from the tool at origin, and the travel between them."""
    ordered: list[Job] = []
    position = origin
    optimised = greedy = 0.0
    levels = sorted({job.nesting for job in jobs}, reverse=True)
    stages = [(nesting, kind) for nesting in levels for kind in JobKind if kind is not JobKind.SKIN]
    stages += [(nesting, JobKind.SKIN) for nesting in levels]
    for nesting, kind in stages:
        of_kind = [job for job in jobs if job.nesting == nesting and job.kind is kind]
        groups = _by_area(of_kind) if kind is JobKind.OUTSIDE else [of_kind]
        for group in groups:
            chain = _nearest_neighbour(group, position)
            improved, before, after = _improved(chain, position)
            greedy += before
            optimised += after
            ordered.extend(improved)
            if improved:
                position = improved[-1].end
    return ordered, Travel(optimised, greedy)


def _improved(chain: list[Job], position: Point) -> tuple[list[Job], float, float]:
    """The chain reordered by local search (each job keeps its direction), travel before and after."""
    if not chain:
        return chain, 0.0, 0.0
    starts = np.array([job.start for job in chain], dtype=np.float64)
    ends = np.array([job.end for job in chain], dtype=np.float64)
    origin = np.array(position, dtype=np.float64)
    greedy_order = np.arange(len(chain), dtype=np.int64)
    better = improve_order(greedy_order, starts, ends, origin)
    before = route_length(greedy_order, starts, ends, origin)
    after = route_length(better, starts, ends, origin)
    if after >= before:
        return chain, before, before
    return [chain[i] for i in better], before, after


def _by_area(jobs: list[Job]) -> list[list[Job]]:
    groups: list[list[Job]] = []
    for job in sorted(jobs, key=lambda j: j.area):
        if groups and job.area <= groups[-1][0].area * (1.0 + SAME_AREA) + SAME_AREA:
            groups[-1].append(job)
        else:
            groups.append([job])
    return groups


def _nearest_neighbour(jobs: list[Job], position: Point) -> list[Job]:
    """Greedy chain: always the job whose entry is closest; a reversible job may enter at its far end."""
    left = list(jobs)
    chain: list[Job] = []
    while left:
        best_index, best_reversed, best_distance = 0, False, math.inf
        for index, job in enumerate(left):
            entries = ((job.start, False), (job.passes[0].path.end, True)) if job.reversible else ((job.start, False),)
            for entry, backwards in entries:
                distance = math.dist(position, entry)
                if distance < best_distance:
                    best_index, best_reversed, best_distance = index, backwards, distance
        job = left.pop(best_index)
        chain.append(job.reversed() if best_reversed else job)
        position = chain[-1].end
    return chain
