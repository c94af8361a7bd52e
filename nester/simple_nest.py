"""Bounding-box bottom-left nesting over several sheets: simple, fast and always valid.

Each copy of a part is nested as the axis-aligned bounding box of its rotated
outline. Boxes kept ``spacing`` apart keep the outlines inside them at least as
far apart, so the nest is never dense but can always be cut.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nester.errors import InputError
from nester.model import Layout, NestResult, Part, Placement, Sheet, place
from nester.validate import assert_valid

# Floating-point slack when a box exactly fills the usable width or height.
EDGE_SLACK = 1e-9
ANGLE_TOLERANCE = 1e-9  # degrees


@dataclass(frozen=True)
class _Orientation:
    """A rotation of a part and the bounding box of its rotated outline."""

    rotation: float
    min_x: float
    min_y: float
    width: float
    height: float


@dataclass(frozen=True)
class _Item:
    """One copy of a part to nest."""

    part_index: int
    copy: int
    orientations: tuple[_Orientation, ...]

    @property
    def smallest_side(self) -> float:
        return min(min(o.width, o.height) for o in self.orientations)


def nest_bottom_left(parts: Sequence[Part], stock: Sequence[Sheet], spacing: float) -> NestResult:
    """Nest every copy of every part as a bounding box, bottom-left first, over the stock sheets.

    Copies are placed largest box first; each goes to the first open sheet where it
    fits (lowest y, then lowest x, then the rotation giving the smallest content
    box), otherwise on a new sheet taken from ``stock`` in order while its quantity
    lasts. ``spacing`` (tool diameter plus clearance) separates the boxes; sheet
    margins are kept clear. Copies left when the stock runs out are reported in
    ``NestResult.unplaced``. Raises InputError, before nesting anything, for a
    part that fits no stock sheet in any allowed rotation.
    """
    started = time.perf_counter()
    if not (math.isfinite(spacing) and spacing >= 0):
        raise InputError(f"part spacing must be a number >= 0 mm, got {spacing!r}")
    available = [sheet for sheet in stock if sheet.quantity is None or sheet.quantity > 0]
    if not available:
        raise InputError("no stock sheets to nest on")
    for part in parts:
        _check_part(part)
    orientations = [_orientations(part) for part in parts]
    for part, part_orientations in zip(parts, orientations):
        _check_fits_some_sheet(part, part_orientations, available, spacing)
    items = _items(parts, orientations)
    smallest_side_from = _suffix_minimum([item.smallest_side for item in items])

    remaining = [sheet.quantity for sheet in stock]
    fills: list[_SheetFill] = []
    unplaced = [0] * len(parts)
    for item, smallest_side in zip(items, smallest_side_from):
        if any(fill.place(item, parts, smallest_side) for fill in fills):
            continue
        fill = _place_on_new_sheet(stock, remaining, item, parts, spacing, smallest_side)
        if fill is None:
            unplaced[item.part_index] += 1
        else:
            fills.append(fill)

    result = NestResult(
        layouts=tuple(Layout(fill.sheet, tuple(fill.placements)) for fill in fills),
        unplaced=tuple((part, count) for part, count in zip(parts, unplaced) if count),
        run_time_s=time.perf_counter() - started,
        notes=tuple(_notes(parts, orientations)),
    )
    assert_valid(result, parts, spacing)
    return result


def _check_part(part: Part) -> None:
    if part.quantity < 0:
        raise InputError(f"{_source(part)}: part {part.name!r} has a negative quantity ({part.quantity})")
    if not part.outline.area > 0:  # also catches empty outlines and NaN coordinates
        raise InputError(f"{_source(part)}: part {part.name!r} has an outline without area")
    if part.allowed_rotations() == ():
        raise InputError(f"{_source(part)}: part {part.name!r} allows no rotation at all")


def _orientations(part: Part) -> tuple[_Orientation, ...]:
    """The rotations to try (right angles only, when allowed) with their boxes."""
    allowed = part.allowed_rotations()
    if allowed is None:
        rotations: tuple[float, ...] = (0.0, 90.0)
    else:
        rotations = tuple(r for r in allowed if _is_right_angle(r)) or (allowed[0],)
    kept: list[_Orientation] = []
    for rotation in rotations:
        min_x, min_y, max_x, max_y = place(part.outline, rotation, (0.0, 0.0)).bounds
        candidate = _Orientation(rotation, min_x, min_y, max_x - min_x, max_y - min_y)
        # Rotations with the same box (0 and 180 degrees) would land on the same spot.
        if not any(_same_size(candidate, seen) for seen in kept):
            kept.append(candidate)
    return tuple(kept)


def _is_right_angle(rotation: float) -> bool:
    return abs(math.remainder(rotation, 90.0)) <= ANGLE_TOLERANCE


def _same_size(a: _Orientation, b: _Orientation) -> bool:
    return abs(a.width - b.width) <= EDGE_SLACK and abs(a.height - b.height) <= EDGE_SLACK


def _source(part: Part) -> str:
    return part.source or "<parts>"


def _usable_size(sheet: Sheet) -> tuple[float, float]:
    return sheet.width - 2 * sheet.margin, sheet.height - 2 * sheet.margin


def _check_fits_some_sheet(
    part: Part, orientations: tuple[_Orientation, ...], stock: list[Sheet], spacing: float
) -> None:
    if part.quantity == 0:
        return
    for sheet in stock:
        empty_sheet = np.array([_grown_usable_area(sheet, spacing)])
        if any(_can_hold(empty_sheet, o, spacing)[0] for o in orientations):
            return
    sizes = [_usable_size(sheet) for sheet in stock]
    usable_width, usable_height = max(sizes, key=lambda size: max(size[0], 0.0) * max(size[1], 0.0))
    size = orientations[0]
    raise InputError(
        f"{_source(part)}: part {part.name!r} ({size.width:.1f} x {size.height:.1f} mm) is larger than "
        f"every sheet (usable {usable_width:.1f} x {usable_height:.1f} mm)"
    )


def _items(parts: Sequence[Part], orientations: list[tuple[_Orientation, ...]]) -> list[_Item]:
    items = [
        _Item(index, copy, orientations[index])
        for index, part in enumerate(parts)
        for copy in range(1, part.quantity + 1)
    ]
    first_box_area = [o[0].width * o[0].height for o in orientations]
    items.sort(key=lambda item: (-first_box_area[item.part_index], item.part_index, item.copy))
    return items


def _suffix_minimum(values: list[float]) -> list[float]:
    """values[i:] minimum for every i: the smallest box side still to come."""
    minima = list(values)
    for i in range(len(minima) - 2, -1, -1):
        minima[i] = min(minima[i], minima[i + 1])
    return minima


def _place_on_new_sheet(
    stock: Sequence[Sheet], remaining: list[int | None], item: _Item, parts: Sequence[Part],
    spacing: float, smallest_side: float,
) -> _SheetFill | None:
    """Open the first stock sheet still available that holds the item, and place it there."""
    for index, sheet in enumerate(stock):
        left = remaining[index]
        if left is not None and left <= 0:
            continue
        fill = _SheetFill(sheet, spacing)
        if fill.place(item, parts, smallest_side):
            if left is not None:
                remaining[index] = left - 1
            return fill
    return None


def _notes(parts: Sequence[Part], orientations: list[tuple[_Orientation, ...]]) -> list[str]:
    return [
        f"{_source(part)}: part {part.name!r} allows no right-angle rotation; "
        f"nested at {options[0].rotation:g} degrees by its bounding box"
        for part, options in zip(parts, orientations)
        if part.quantity and not _is_right_angle(options[0].rotation)
    ]


class _SheetFill:
    """The boxes placed on one sheet so far, tracked as the maximal free rectangles left.

    Each placed box is grown by the spacing on its right and top, and so is the
    usable area, so "at least ``spacing`` apart along x or y" becomes "no overlap".
    The bottom-left spot for a box is then the lowest, then leftmost, corner of a
    free rectangle big enough for it (rows x0, y0, x1, y1 of a numpy array).
    Free rectangles too small for any box still to come are dropped for good.
    """

    def __init__(self, sheet: Sheet, spacing: float):
        self.sheet = sheet
        self.spacing = spacing
        self.placements: list[Placement] = []
        self._free = np.array([_grown_usable_area(sheet, spacing)], dtype=float)
        self._content = (math.inf, math.inf, -math.inf, -math.inf)

    def place(self, item: _Item, parts: Sequence[Part], smallest_side: float) -> bool:
        """Put the item at its bottom-left-most spot here; False if it does not fit."""
        best = None
        for orientation in item.orientations:
            spot = self._lowest_spot(orientation)
            if spot is not None:
                key = (spot[1], spot[0], self._content_area_with(spot, orientation))
                if best is None or key < best[0]:
                    best = (key, spot, orientation)
        if best is None:
            return False
        _, (x, y), orientation = best
        self._occupy(x, y, x + orientation.width, y + orientation.height, smallest_side)
        self.placements.append(
            Placement(
                part=parts[item.part_index],
                rotation=orientation.rotation,
                translation=(x - orientation.min_x, y - orientation.min_y),
                copy=item.copy,
            )
        )
        return True

    def _lowest_spot(self, orientation: _Orientation) -> tuple[float, float] | None:
        free = self._free
        big_enough = _can_hold(free, orientation, self.spacing)
        if not big_enough.any():
            return None
        corners = free[big_enough]
        y = corners[:, 1].min()
        x = corners[corners[:, 1] == y, 0].min()
        return float(x), float(y)

    def _content_area_with(self, spot: tuple[float, float], orientation: _Orientation) -> float:
        x0, y0, x1, y1 = self._content
        x, y = spot
        return (max(x1, x + orientation.width) - min(x0, x)) * (max(y1, y + orientation.height) - min(y0, y))

    def _occupy(self, x0: float, y0: float, x1: float, y1: float, smallest_side: float) -> None:
        cx0, cy0, cx1, cy1 = self._content
        self._content = (min(cx0, x0), min(cy0, y0), max(cx1, x1), max(cy1, y1))
        grown_x1, grown_y1 = x1 + self.spacing, y1 + self.spacing
        free = self._free
        hit = (free[:, 0] < grown_x1) & (free[:, 2] > x0) & (free[:, 1] < grown_y1) & (free[:, 3] > y0)
        untouched, split = free[~hit], free[hit]
        pieces = np.concatenate(
            [
                np.column_stack([split[:, 0], split[:, 1], np.full(len(split), x0), split[:, 3]]),
                np.column_stack([np.full(len(split), grown_x1), split[:, 1], split[:, 2], split[:, 3]]),
                np.column_stack([split[:, 0], split[:, 1], split[:, 2], np.full(len(split), y0)]),
                np.column_stack([split[:, 0], np.full(len(split), grown_y1), split[:, 2], split[:, 3]]),
            ]
        )
        smallest = smallest_side + self.spacing - EDGE_SLACK
        untouched = untouched[_at_least(untouched, smallest)]
        pieces = pieces[_at_least(pieces, smallest)]
        self._free = np.concatenate([untouched, pieces[_maximal(pieces, untouched)]])


def _grown_usable_area(sheet: Sheet, spacing: float) -> tuple[float, float, float, float]:
    """The usable area grown by the spacing at the right and top, as placed boxes are."""
    m = sheet.margin
    return m, m, sheet.width - m + spacing, sheet.height - m + spacing


def _can_hold(free: np.ndarray, orientation: _Orientation, spacing: float) -> np.ndarray:
    return (free[:, 2] - free[:, 0] >= orientation.width + spacing - EDGE_SLACK) & (
        free[:, 3] - free[:, 1] >= orientation.height + spacing - EDGE_SLACK
    )


def _at_least(rects: np.ndarray, side: float) -> np.ndarray:
    return (rects[:, 2] - rects[:, 0] >= side) & (rects[:, 3] - rects[:, 1] >= side)


def _maximal(pieces: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Mask of the pieces contained neither in another rectangle nor in an earlier equal piece."""
    in_others = _contained_in(pieces, others).any(axis=1)
    in_pieces = _contained_in(pieces, pieces)
    equal = in_pieces & in_pieces.T
    earlier = np.tri(len(pieces), k=-1, dtype=bool)
    redundant = (in_pieces & ~equal) | (equal & earlier)
    return ~(in_others | redundant.any(axis=1))


def _contained_in(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """[i, j]: rectangle inner[i] lies within outer[j]."""
    return (
        (outer[None, :, 0] <= inner[:, None, 0])
        & (outer[None, :, 1] <= inner[:, None, 1])
        & (outer[None, :, 2] >= inner[:, None, 2])
        & (outer[None, :, 3] >= inner[:, None, 3])
    )
