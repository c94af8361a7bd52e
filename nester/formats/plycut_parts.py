"""plycut's own parts and sheets (nester.model) <-> the engine's Problem and Solution.

Item k is parts[k]; container k is stock_sheets[k], its rectangle with the lower-left
corner at the origin. Problem.margin is the sheets' margin (the largest, when they
differ: the engine keeps one margin on every sheet).

Costs: when every sheet has a cost, containers cost that; otherwise each costs its
area in m², so the engine still prefers less material.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Sequence

from shapely.geometry import box
from shapely.geometry.polygon import orient

from nester.errors import InputError
from nester.formats.jagua_json import instance_document
from nester.model import Layout, NestResult, Part, Placement, Sheet
from nester.problem import Container, Item, Problem, Solution


def problem_from_parts(
    parts: Sequence[Part], stock_sheets: Sequence[Sheet], spacing: float, *, name: str = "plycut"
) -> Problem:
    """The bin-packing Problem of a plycut job: one item per part, one container per sheet."""
    if not parts:
        raise InputError(f"{name}: no parts to nest")
    if not stock_sheets:
        raise InputError(f"{name}: no stock sheets to nest on")
    for part in parts:
        if part.quantity <= 0:
            raise InputError(f"{part.source or name}: part {part.name!r}: quantity must be at least 1, "
                             f"got {part.quantity}")
    items = tuple(
        Item(id=k, shape=orient(part.outline, sign=1.0), demand=part.quantity,
             rotations=part.allowed_rotations(), name=part.name, source=part.source)
        for k, part in enumerate(parts)
    )
    priced = all(sheet.cost > 0 for sheet in stock_sheets)
    bins = tuple(
        Container(id=k, shape=box(0.0, 0.0, sheet.width, sheet.height), stock=sheet.quantity,
                  cost=sheet.cost if priced else sheet.area / 1e6, name=sheet.label(),
                  zones=tuple(box(*zone) for zone in sheet.zones))
        for k, sheet in enumerate(stock_sheets)
    )
    problem = Problem(name=name, items=items, bins=bins, spacing=spacing,
                      margin=max(sheet.margin for sheet in stock_sheets), source=name)
    return replace(problem, document=instance_document(problem))


def nest_result_from_solution(solution: Solution, parts: Sequence[Part], stock_sheets: Sequence[Sheet]) -> NestResult:
    """The NestResult of an engine solution on :func:`problem_from_parts`' Problem.

    Copies of each part are numbered 1..n in the order they are placed (sheet by
    sheet); copies the solution left unplaced are reported in NestResult.unplaced.
    """
    if solution.problem.is_strip:
        raise ValueError("a strip-packing solution has no sheets to map onto")
    placed: Counter[int] = Counter()
    layouts = []
    for layout in solution.layouts:
        placements = []
        for item in layout.placed:
            placed[item.item_id] += 1
            placements.append(Placement(parts[item.item_id], item.rotation, item.translation, copy=placed[item.item_id]))
        layouts.append(Layout(stock_sheets[layout.container_id], tuple(placements)))
    unplaced = tuple((parts[item_id], count) for item_id, count in sorted(solution.unplaced.items()) if count > 0)
    return NestResult(layouts=tuple(layouts), unplaced=unplaced, run_time_s=solution.run_time_s)
