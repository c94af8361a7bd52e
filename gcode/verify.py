"""Does the program cut the parts the layout asks for? A back-plot against the drawing.

The checker (gcode.check) knows the machine's rules; this module knows the
parts. From the moves of a program as read back, it sweeps the tool's disc
along every cut that goes through the sheet and asks of each placed part:

- is its whole outline, holes included, reached by a through cut -- so it comes
  free -- except where a tab holds it?
- does no through cut reach into it by more than the tolerance, except at the
  dogbones and T-bones that reach into corners on purpose, and along a cut on a
  line drawn inside it?
- does every pocket, drill and engraving reach its depth, and no deeper?

Reading the program back (not the toolpath in memory) means this checks what
the post wrote, rounding included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from gcode.offsets import convex_corners, polygons_of, space_around
from gcode.reader import Motion, arc_points
from nester.model import Layout, Operation, Placement

TRACE_TOLERANCE = 0.05  # mm
DEPTH_TOLERANCE = 0.01  # mm: Z is written to 0.001 mm
SAMPLE_STEP = 0.5  # mm between the outline points tested
ARC_CHORD = 0.005  # mm: a fraction of the tolerance


@dataclass(frozen=True)
class CutSpec:
    """What the verification needs to know of how the sheet was meant to be cut.

    tab_reach: mm of outline, each side of a tab's centre, that a tab may leave
    uncut (half the tab span plus its flank). bone_reach: how far around a
    bone's far end the tool may cut into the part.
    """

    tool_radius: float
    thickness: float
    overcut: float
    tabs: tuple[tuple[float, float], ...] = ()
    tab_reach: float = 0.0
    bones: tuple[tuple[float, float], ...] = ()
    skin: bool = False


def verify_cuts(motions: Iterable[Motion], layout: Layout, spec: CutSpec,
                tolerance: float = TRACE_TOLERANCE) -> list[str]:
    """One line per problem found; [] when every part is cut as drawn."""
    motions = [m for m in motions if m.kind != "rapid"]
    through_z = -spec.thickness + DEPTH_TOLERANCE
    # What comes free: moves through the sheet from end to end. What may hurt a part: any
    # move that gets through the sheet somewhere, a plunge or a ramp included.
    swept = _swept([m for m in motions if max(m.start[2], m.end[2]) <= through_z], spec.tool_radius)
    reaching = [m for m in motions if min(m.start[2], m.end[2]) <= through_z < max(m.start[2], m.end[2])]
    deep = [swept, _swept(reaching, spec.tool_radius)] if reaching else [swept]
    reached = swept.buffer(tolerance, quad_segs=8)
    tab_points = np.asarray(spec.tabs, dtype=float).reshape(-1, 2)
    bone_zones = unary_union([Point(b).buffer(2.0 * spec.tool_radius + tolerance) for b in spec.bones])
    problems: list[str] = []
    ends = np.array([m.end for m in motions], dtype=float).reshape(-1, 3)
    for placement in layout.placements:
        problems.extend(_outline_problems(placement, reached, tab_points, spec))
        problems.extend(_gouges(placement, deep, bone_zones, spec, tolerance))
        problems.extend(_feature_depths(placement, ends, spec))
    return problems


def _outline_problems(placement: Placement, reached: BaseGeometry, tabs: np.ndarray, spec: CutSpec) -> list[str]:
    outline = placement.outline()
    corners = None
    problems = []
    for ring, what in [(outline.exterior, "outline"), *((r, "hole") for r in outline.interiors)]:
        points = _samples(ring)
        missed = points[~shapely.contains_xy(reached, points[:, 0], points[:, 1])]
        if len(missed) and corners is None:
            corners = _inside_corners(outline, spec.tool_radius)
        if len(missed) and len(corners):
            # A round tool leaves r / tan(angle / 2) of each wall uncut at an inside corner
            # without a bone: the drawing's corner, not a missed cut.
            near = np.hypot(missed[:, None, 0] - corners[None, :, 0], missed[:, None, 1] - corners[None, :, 1])
            missed = missed[~np.any(near <= corners[None, :, 2] + TRACE_TOLERANCE, axis=1)]
        if len(missed) and len(tabs) and spec.tab_reach > 0.0:
            distance = np.min(np.hypot(missed[:, None, 0] - tabs[None, :, 0], missed[:, None, 1] - tabs[None, :, 1]),
                              axis=1)
            missed = missed[distance > spec.tab_reach + spec.tool_radius]
        if len(missed):
            x, y = missed[0]
            problems.append(
                f"{placement.label()}: its {what} is not cut through near ({x:.3f}, {y:.3f}) "
                f"({len(missed)} of {len(points)} points at most {SAMPLE_STEP:g} mm apart)"
            )
    return problems


def _inside_corners(outline, radius: float) -> np.ndarray:
    """(x, y, reach) of every inside corner of a part's cut: reach is how far along each wall
    from the corner a tool of this radius cannot go."""
    spaces = [space_around(outline.exterior, 4.0 * radius + 1.0), *(Polygon(ring) for ring in outline.interiors)]
    rows = []
    for space in spaces:
        for piece in polygons_of(space):
            for (x, y), angle in convex_corners(piece):
                reach = radius / math.tan(angle / 2.0)
                if reach > TRACE_TOLERANCE / 2.0:  # the vertices of a drawn curve leave nothing to speak of
                    rows.append((x, y, reach))
    return np.array(rows, dtype=float).reshape(-1, 3)


def _gouges(placement: Placement, swept: list[BaseGeometry], bone_zones: BaseGeometry, spec: CutSpec,
            tolerance: float) -> list[str]:
    inner = placement.outline().buffer(-tolerance)
    allowed = [bone_zones]
    for feature in placement.part.features:
        if feature.operation is Operation.CUT_ON_LINE:
            allowed.append(placement.place(feature.geometry).buffer(spec.tool_radius + tolerance))
        elif feature.operation is Operation.DRILL and feature.depth is None:
            reach = max((feature.diameter or 0.0) / 2.0, spec.tool_radius) + tolerance
            allowed.append(placement.place(feature.geometry).buffer(reach))
    cut_in = unary_union([area.intersection(inner) for area in swept]).difference(unary_union(allowed))
    if cut_in.area <= 1e-4:
        return []
    x, y = cut_in.representative_point().coords[0]
    return [f"{placement.label()}: a through cut reaches {cut_in.area:.3f} mm2 into the part near ({x:.3f}, {y:.3f})"]


def _feature_depths(placement: Placement, ends: np.ndarray, spec: CutSpec) -> list[str]:
    """ends: where every feed move ends (x, y, z)."""
    problems = []
    through = spec.thickness + spec.overcut
    for feature in placement.part.features:
        if feature.operation not in (Operation.POCKET, Operation.DRILL, Operation.ENGRAVE):
            continue
        depth = through if feature.depth is None else feature.depth
        area = placement.place(feature.geometry)
        if feature.operation is Operation.DRILL:
            area = area.buffer(max((feature.diameter or 0.0) / 2.0 - spec.tool_radius, 0.0) + DEPTH_TOLERANCE)
        else:
            area = area.buffer(DEPTH_TOLERANCE)
        inside = shapely.contains_xy(area, ends[:, 0], ends[:, 1])
        deepest = float(ends[inside, 2].min()) if inside.any() else None
        what = f"{feature.operation.value} on layer '{feature.layer}'"
        if deepest is None or deepest > -depth + DEPTH_TOLERANCE:
            reached = "nowhere" if deepest is None else f"{-deepest:.3f} mm"
            problems.append(f"{placement.label()}: the {what} should be {depth:g} mm deep, it is cut {reached}")
        elif deepest < -depth - DEPTH_TOLERANCE and depth < spec.thickness:
            problems.append(f"{placement.label()}: the {what} should be {depth:g} mm deep, it is cut {-deepest:.3f} mm")
    return problems


def _swept(motions: list[Motion], radius: float) -> BaseGeometry:
    """The area the tool's disc covers along the moves (XY)."""
    paths = [_xy_path(m) for m in motions]
    swept = MultiLineString([p for p in paths if len(p) > 1]).buffer(radius, quad_segs=16)
    dots = [Point(p[0]) for p in paths if len(p) == 1]  # straight plunges
    if dots:
        swept = unary_union([swept, *[d.buffer(radius, quad_segs=16) for d in dots]])
    return swept


def _xy_path(motion: Motion) -> list[tuple[float, float]]:
    """The move's XY points (arcs as the reader traces them), repeated points dropped."""
    # Points as far apart as keeps the chords within ARC_CHORD of the arc: s^2 / (8 r).
    spacing = math.sqrt(8.0 * max(motion.radius_start, motion.radius_end, ARC_CHORD) * ARC_CHORD)
    kept = [motion.start[:2]]
    for x, y, _ in arc_points(motion, spacing)[1:]:
        if math.dist((x, y), kept[-1]) > 1e-9:
            kept.append((x, y))
    return kept


def _samples(ring) -> np.ndarray:
    """The ring's vertices and points between them, at most SAMPLE_STEP apart."""
    return shapely.get_coordinates(shapely.segmentize(LineString(ring.coords), SAMPLE_STEP))
