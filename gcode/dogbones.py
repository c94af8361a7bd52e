"""Dogbones and T-bones: reaching into the inside corners a round tool leaves filled.

A square tenon cannot seat in a slot whose corners keep the tool's radius.
Where the tool-centre loop turns sharply, the tool could not follow the
drawing into its corner; a bone sends it there and back. A dogbone goes along
the corner's bisector until the tool's edge touches the corner (it overcuts
both walls a little); a T-bone goes along the longer wall until it does (it
overcuts only the shorter wall, which keeps the long faces of a slot clean).

Only corners that come from a corner of the drawing get a bone: the loop's
sharp vertex must sit exactly r / sin(angle / 2) from a drawn vertex along
the bisector. Where an offset narrows between two walls the loop also turns
sharply, but no drawn corner lies there and no bone is added.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gcode.arcs import Point

# Bones go in corners of 60 to 120 degrees, where a square part seats. A blunter
# corner leaves little in its corner; in a sharper one a bone would dig far into
# both walls for a part that cannot reach its tip anyway.
MIN_TURN = math.radians(60.0)
MAX_TURN = math.radians(120.0)
# Rounded corners of shapely's offsets turn a few degrees per vertex; a drawn
# corner's vertex is where the offset of the drawing's two edges meet.
CORNER_MATCH = 0.02  # mm: how exactly the vertex must sit where the drawn corner puts it
MIN_BONE = 0.05  # mm: a shorter bone would not cut anything the rounding does not
STYLES = ("dogbone", "tbone")


def add_bones(loop: Sequence[Point], drawn: Sequence[Point], radius: float, style: str) -> tuple[list[Point], list[Point]]:
    """The tool-centre loop with a bone at each drawn inside corner, and the bones' far ends.

    loop: the tool-centre ring (it may repeat its first vertex at the end);
    drawn: the vertices of the drawn contour it was offset from.
    """
    if style not in STYLES:
        raise ValueError(f"unknown bone style {style!r}")
    points = [tuple(map(float, p)) for p in loop]
    if len(points) > 1 and math.dist(points[0], points[-1]) <= 1e-9:
        points = points[:-1]
    corners = np.asarray(drawn, dtype=float)
    count = len(points)
    result: list[Point] = []
    bones: list[Point] = []
    for i, here in enumerate(points):
        result.append(here)
        if count < 3:
            continue
        bone = _bone(points[i - 1], here, points[(i + 1) % count], corners, radius, style)
        if bone is not None:
            result.extend([bone, here])
            bones.append(bone)
    return result, bones


def _bone(before: Point, here: Point, after: Point, corners: np.ndarray, radius: float, style: str) -> Point | None:
    incoming = np.subtract(here, before)
    outgoing = np.subtract(after, here)
    len_in, len_out = float(np.hypot(*incoming)), float(np.hypot(*outgoing))
    if len_in <= 1e-9 or len_out <= 1e-9:
        return None
    unit_in, unit_out = incoming / len_in, outgoing / len_out
    turn = math.acos(max(-1.0, min(1.0, float(np.dot(unit_in, unit_out)))))
    if turn < MIN_TURN - 1e-9 or turn > MAX_TURN + 1e-9:
        return None
    half_corner = (math.pi - turn) / 2.0
    bisector = unit_in - unit_out
    bisector /= np.hypot(*bisector)
    # Where the drawn corner must be if this vertex is the offset of one: along the
    # bisector, r / sin(half the corner) away. Any drawn vertex there will do (the
    # nearest drawn vertex may be another corner, on a short shoulder).
    distance = radius / math.sin(half_corner)
    expected = np.asarray(here) + distance * bisector
    misses = np.hypot(corners[:, 0] - expected[0], corners[:, 1] - expected[1])
    if float(np.min(misses)) > CORNER_MATCH or distance - radius < MIN_BONE:
        return None
    towards_corner = bisector
    if style == "dogbone":
        end = np.asarray(here) + (distance - radius) * towards_corner
    else:
        along = unit_in if len_in >= len_out else -unit_out
        end = np.asarray(here) + (radius / math.tan(half_corner)) * along
    return (float(end[0]), float(end[1]))
