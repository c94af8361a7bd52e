"""Exact check of nested layouts with shapely: the last word on whether a nest can be cut.

Every nester's output goes through here, so a nesting bug shows up as a list of
problems instead of a broken bit. Outlines are compared as polygons, not boxes:
a part may sit inside another part's hole when the spacing holds.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon

from nester.model import Layout, NestResult, Part

ROTATION_TOLERANCE = 1e-9  # degrees


def layout_problems(
    layout: Layout, spacing: float, tolerance: float = 1e-6, *, sheet_number: int = 1
) -> list[str]:
    """Everything wrong with one layout, as one message per problem (empty: the layout is valid).

    Checks that each rotation is allowed by its part, that each placed outline lies
    in the sheet's usable area (inside the margin) and that every two outlines are at
    least ``spacing - tolerance`` apart. With spacing 0, touching outlines are fine;
    overlaps thicker than ``tolerance`` never are. ``sheet_number`` (1-based) only
    names the sheet in the messages.
    """
    where = f"sheet {sheet_number} ({layout.sheet.label()})"
    labels = [placement.label() for placement in layout.placements]
    outlines = [placement.outline() for placement in layout.placements]
    problems = []
    for placement, label in zip(layout.placements, labels):
        allowed = placement.part.allowed_rotations()
        if not rotation_allowed(placement.rotation, allowed):
            problems.append(
                f"{where}: {label!r} is rotated {placement.rotation:g} degrees, "
                f"allowed rotations are {allowed_text(allowed)}"
            )
    problems += _margin_problems(layout, labels, outlines, tolerance, where)
    problems += spacing_problems(labels, outlines, spacing, tolerance, where)
    return problems


def check_layout(layout: Layout, spacing: float, tolerance: float = 1e-6) -> None:
    """Raise AssertionError listing the problems of one layout, if it has any."""
    problems = layout_problems(layout, spacing, tolerance)
    if problems:
        raise AssertionError("invalid layout:\n" + "\n".join(problems))


def check_result(
    result: NestResult, parts: Sequence[Part], spacing: float, tolerance: float = 1e-6
) -> list[str]:
    """Everything wrong with a nest: invalid layouts, and copies not accounted for.

    Every demanded copy (1..Part.quantity) of every part must be placed exactly once
    or counted in ``result.unplaced``; nothing else may be placed.
    """
    problems = []
    for number, layout in enumerate(result.layouts, start=1):
        problems += layout_problems(layout, spacing, tolerance, sheet_number=number)
    demanded = {part: index for index, part in enumerate(parts)}
    copies_placed: dict[Part, Counter[int]] = {part: Counter() for part in parts}
    for number, layout in enumerate(result.layouts, start=1):
        for placement in layout.placements:
            if placement.part not in demanded:
                problems.append(f"sheet {number}: {placement.label()!r} is not one of the parts to nest")
            else:
                copies_placed[placement.part][placement.copy] += 1
    reported_unplaced: Counter[Part] = Counter()
    for part, count in result.unplaced:
        if part not in demanded:
            problems.append(f"unplaced part {part.name!r} is not one of the parts to nest")
        elif count <= 0:
            problems.append(f"part {part.name!r}: reported {count} copies unplaced")
        else:
            reported_unplaced[part] += count
    for part in parts:
        problems += _copy_problems(part, copies_placed[part], reported_unplaced[part])
    return problems


def assert_valid(
    result: NestResult, parts: Sequence[Part], spacing: float, tolerance: float = 1e-6
) -> None:
    """Raise AssertionError listing every problem :func:`check_result` finds."""
    problems = check_result(result, parts, spacing, tolerance)
    if problems:
        raise AssertionError("invalid nest:\n" + "\n".join(problems))


def rotation_allowed(rotation: float, allowed: tuple[float, ...] | None) -> bool:
    """Whether ``rotation`` is one of ``allowed`` (modulo 360 degrees); None allows any finite angle."""
    if allowed is None:
        return math.isfinite(rotation)
    return any(abs(math.remainder(rotation - angle, 360.0)) <= ROTATION_TOLERANCE for angle in allowed)


def allowed_text(allowed: tuple[float, ...] | None) -> str:
    """The allowed rotations, for a message."""
    return "any finite angle" if allowed is None else ", ".join(f"{angle:g}" for angle in allowed) or "none"


def _margin_problems(
    layout: Layout, labels: list[str], outlines: list[Polygon], tolerance: float, where: str
) -> list[str]:
    usable_x0, usable_y0, usable_x1, usable_y1 = layout.sheet.usable_area().bounds
    problems = []
    for label, outline in zip(labels, outlines):
        x0, y0, x1, y1 = outline.bounds
        excess = max(usable_x0 - x0, usable_y0 - y0, x1 - usable_x1, y1 - usable_y1)
        # Written so that NaN coordinates fail too.
        if not excess <= tolerance:
            problems.append(
                f"{where}: {label!r} extends {excess:.3f} mm beyond the usable area "
                f"({layout.sheet.margin:g} mm margin)"
            )
    return problems


def spacing_problems(
    labels: list[str], outlines: list[Polygon], spacing: float, tolerance: float, where: str
) -> list[str]:
    """Every pair of placed outlines that overlaps or is closer than ``spacing - tolerance``.

    Shared with nester.solution_check; pairs are found with an STRtree, so a
    thousand outlines cost about as much as their candidate neighbours.
    """
    if len(outlines) < 2:
        return []
    geometries = np.array(outlines, dtype=object)
    # Envelopes grown by the spacing find every pair that could be too close
    # (a superset of what the outlines buffered by spacing/2 would find).
    reach = max(spacing, 0.0)
    bounds = shapely.bounds(geometries)
    search = shapely.box(bounds[:, 0] - reach, bounds[:, 1] - reach, bounds[:, 2] + reach, bounds[:, 3] + reach)
    first, second = shapely.STRtree(geometries).query(search)
    pairs = first < second
    first, second = first[pairs], second[pairs]
    gaps = shapely.distance(geometries[first], geometries[second])
    shrunk: dict[int, Polygon] = {}
    problems = []
    for i, j, gap in zip(first.tolist(), second.tolist(), gaps.tolist()):
        if gap == 0.0 and _overlap_thicker_than(i, j, outlines, shrunk, tolerance):
            area = outlines[i].intersection(outlines[j]).area
            problems.append(f"{where}: {labels[i]!r} overlaps {labels[j]!r} ({area:.3f} mm²)")
        elif not gap >= spacing - tolerance:
            problems.append(
                f"{where}: {labels[i]!r} and {labels[j]!r} are {gap:.3f} mm apart, "
                f"closer than the spacing of {spacing:.3f} mm"
            )
    return problems


def _overlap_thicker_than(
    i: int, j: int, outlines: list[Polygon], shrunk: dict[int, Polygon], tolerance: float
) -> bool:
    """Whether two intersecting outlines overlap by more than floating-point noise."""
    for k in (i, j):
        if k not in shrunk:
            shrunk[k] = outlines[k].buffer(-tolerance / 2)
    return shrunk[i].intersects(shrunk[j])


def _copy_problems(part: Part, placed: Counter[int], unplaced: int) -> list[str]:
    problems = []
    duplicated = sorted(copy for copy, times in placed.items() if times > 1)
    if duplicated:
        problems.append(f"part {part.name!r}: copy {_numbers(duplicated)} placed more than once")
    undemanded = sorted(copy for copy in placed if not 1 <= copy <= part.quantity)
    if undemanded:
        problems.append(f"part {part.name!r}: copy {_numbers(undemanded)} placed but only {part.quantity} demanded")
    placed_count = len(placed) - len(undemanded)
    if placed_count + unplaced != part.quantity:
        missing = sorted(set(range(1, part.quantity + 1)) - set(placed))
        problems.append(
            f"part {part.name!r}: {placed_count} of {part.quantity} copies placed and {unplaced} "
            f"reported unplaced (not placed: copy {_numbers(missing) or 'none'})"
        )
    return problems


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)
