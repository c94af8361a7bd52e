"""Raw drawn shapes -> closed loops -> Parts; shared by the DXF and SVG importers.

Importers flatten every entity into a :class:`RawShape` (a polyline in mm with
its layer's machining). :func:`chain_loops` joins loose pieces into closed
loops; :func:`build_parts` decides which loops are outlines and which are
holes, and hands every other feature to the part that contains it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from shapely import STRtree, prepare
from shapely.geometry import LinearRing, LineString, MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from nester.errors import InputError
from nester.layers import dogbone_style
from nester.model import RIGHT_ANGLES, THROUGH_CUTS, Feature, Machining, Operation, Part

# Operations whose geometry only makes sense as a closed loop.
CLOSED_OPERATIONS = THROUGH_CUTS | {Operation.POCKET, Operation.DRILL}

MERGE_DISTANCE = 1e-6  # consecutive points closer than this are one point (mm)
ZERO_AREA = 1e-6  # mm^2; a closed loop enclosing less cuts nothing
OVERLAP_AREA = 1e-6  # mm^2; contours sharing more area than this overlap
COVER_TOLERANCE = 0.01  # mm; a feature may stray this far outside its part
CIRCLE_TOLERANCE = 0.02  # mm (+0.1 % of the radius): how round a drill circle must be, chords included


@dataclass(frozen=True, eq=False)
class RawShape:
    """One drawn polyline in mm. A single point (N == 1) is a DXF POINT (a drill position).

    source: where it came from, for messages ("LINE #2A", "path id=foo").
    """

    points: np.ndarray
    closed: bool
    layer: str
    machining: Machining
    source: str


@dataclass(frozen=True)
class TextLabel:
    """Text drawn in a plan (mm). A part holding exactly one label takes it as its name."""

    text: str
    x: float
    y: float


@dataclass
class PlanShapes:
    """What an importer reads from a file: shapes, text labels, and warnings."""

    shapes: list[RawShape]
    warnings: list[str]
    labels: list[TextLabel]


@dataclass
class ChainedShapes:
    """What :func:`chain_loops` returns: closed loops, open paths, drill points, warnings."""

    loops: list[RawShape]
    open_paths: list[RawShape]
    points: list[RawShape]
    warnings: list[str]


def _fmt(point) -> str:
    return f"({point[0]:.3f}, {point[1]:.3f})"


def _fmt_box(geometry: BaseGeometry) -> str:
    x0, y0, x1, y1 = geometry.bounds
    return f"({x0:.3f}, {y0:.3f})..({x1:.3f}, {y1:.3f})"


def _merge_close_points(points: np.ndarray, closed: bool) -> np.ndarray:
    if len(points) < 2:
        return points
    steps = np.hypot(*np.diff(points, axis=0).T)
    points = points[np.concatenate(([True], steps >= MERGE_DISTANCE))]
    if closed and len(points) > 1 and math.dist(points[0], points[-1]) < MERGE_DISTANCE:
        points = points[:-1]
    return points


def _encloses_nothing(points: np.ndarray) -> bool:
    # The hull, not the signed area: a figure-eight has zero signed area but is a real (invalid) contour.
    return len(points) < 3 or MultiPoint(points).convex_hull.area < ZERO_AREA


def _with_points(shape: RawShape, points: np.ndarray, closed: bool, source: str | None = None) -> RawShape:
    return RawShape(points, closed, shape.layer, shape.machining, source or shape.source)


def _cluster_endpoints(ends: np.ndarray, tolerance: float) -> np.ndarray:
    """Label endpoints so that ends within ``tolerance`` share a label (spatial hash + union-find)."""
    cells = np.floor(ends / tolerance).astype(np.int64)
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, (cx, cy) in enumerate(cells.tolist()):
        grid[(cx, cy)].append(index)
    parent = list(range(len(ends)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (cx, cy) in enumerate(cells.tolist()):
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in grid.get((cx + dx, cy + dy), ()):
                    if j > i and math.dist(ends[i], ends[j]) <= tolerance:
                        parent[root(j)] = root(i)
    return np.array([root(i) for i in range(len(ends))])


def _check_strict_junctions(ends: np.ndarray, members: dict[int, list[int]], layer: str, file: str) -> None:
    """Every end of a closed-only operation must meet exactly one other end."""
    for cluster in members.values():
        if len(cluster) > 2:
            raise InputError(
                f"{file}: layer '{layer}': {len(cluster)} line ends meet at {_fmt(ends[cluster[0]])} "
                "(a branch or a duplicated line); a cut contour must be a simple closed loop"
            )
    for cluster in members.values():
        if len(cluster) == 1:
            end = cluster[0]
            distances = np.hypot(*(ends - ends[end]).T)
            distances[end] = np.inf
            nearest = int(np.argmin(distances))
            first, second = sorted((tuple(ends[end]), tuple(ends[nearest])))
            raise InputError(
                f"{file}: layer '{layer}': open contour, gap of {distances[nearest]:.3f} mm "
                f"between {_fmt(first)} and {_fmt(second)}"
            )


def _chain_group(pieces: list[RawShape], tolerance: float, strict: bool, file: str) -> list[RawShape]:
    """Join open pieces of one layer end to end; returns closed loops and (if not strict) open paths."""
    ends = np.array([p.points[i] for p in pieces for i in (0, -1)], dtype=float)
    labels = _cluster_endpoints(ends, tolerance)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels.tolist()):
        members[label].append(index)
    if strict:
        _check_strict_junctions(ends, members, pieces[0].layer, file)
    used = [False] * len(pieces)

    def walk(start: int) -> RawShape:
        # Endpoint k is end k % 2 (0 start, 1 end) of piece k // 2.
        order: list[tuple[int, bool]] = []
        entry = start
        closed = False
        while True:
            piece = entry // 2
            used[piece] = True
            order.append((piece, entry % 2 == 0))
            cluster = members[labels[entry ^ 1]]
            if len(cluster) != 2:
                break
            following = cluster[0] if cluster[1] == entry ^ 1 else cluster[1]
            if used[following // 2]:
                closed = following == start
                break
            entry = following
        chunks = []
        for position, (piece, forward) in enumerate(order):
            points = pieces[piece].points if forward else pieces[piece].points[::-1]
            chunks.append(points if position == 0 else points[1:])
        points = np.concatenate(chunks)
        if closed:
            points = points[:-1]
        first = pieces[order[0][0]]
        source = first.source if len(order) == 1 else f"{first.source} and {len(order) - 1} more piece(s)"
        return _with_points(first, _merge_close_points(points, closed), closed, source)

    chained = []
    for start in range(len(ends)):
        if not used[start // 2] and len(members[labels[start]]) != 2:
            chained.append(walk(start))
    for piece in range(len(pieces)):
        if not used[piece]:
            chained.append(walk(2 * piece))
    return chained


def chain_loops(shapes: list[RawShape], tolerance: float = 0.01, *, file: str) -> ChainedShapes:
    """Join loose pieces into closed loops, per layer, where their ends meet within ``tolerance`` mm.

    Pieces of closed-only operations (through cuts, pockets, drill circles) must
    form simple closed loops: a larger gap or three ends at one point is an
    :class:`InputError`. Engrave and on-line pieces are joined where exactly two
    ends meet and may stay open. Zero-length pieces and zero-area loops are
    dropped with a warning; a POINT is kept only on a drill layer.
    """
    if tolerance <= 0:
        raise InputError(f"{file}: the joining tolerance must be positive, got {tolerance}")
    result = ChainedShapes([], [], [], [])
    groups: dict[tuple[str, Machining], list[RawShape]] = defaultdict(list)
    candidates: list[RawShape] = []
    for shape in shapes:
        if len(shape.points) == 1:
            if shape.machining.operation is Operation.DRILL:
                result.points.append(shape)
            else:
                result.warnings.append(
                    f"{file}: layer '{shape.layer}': dropped {shape.source} at {_fmt(shape.points[0])} "
                    f"(a point is only used on a drill layer)"
                )
            continue
        points = _merge_close_points(np.asarray(shape.points, dtype=float), shape.closed)
        if len(points) < 2:
            result.warnings.append(f"{file}: layer '{shape.layer}': dropped zero-length {shape.source}")
            continue
        if shape.closed:
            candidates.append(_with_points(shape, points, True))
        else:
            groups[(shape.layer, shape.machining)].append(_with_points(shape, points, False))
    for (_, machining), pieces in groups.items():
        strict = machining.operation in CLOSED_OPERATIONS
        candidates.extend(_chain_group(pieces, tolerance, strict, file))
    for shape in candidates:
        if not shape.closed:
            result.open_paths.append(shape)
        elif _encloses_nothing(shape.points):
            result.warnings.append(
                f"{file}: layer '{shape.layer}': dropped zero-area closed contour {shape.source} "
                f"at {_fmt(shape.points[0])}"
            )
        else:
            result.loops.append(shape)
    return result


def _describe(shape: RawShape, geometry: BaseGeometry) -> str:
    return f"{shape.source} on layer '{shape.layer}' at {_fmt_box(geometry)}"


def _validity_problem(geometry: BaseGeometry) -> str:
    """explain_validity's "Self-intersection[5 5]" as "self-intersection at (5.000, 5.000)"."""
    reason = explain_validity(geometry)
    match = re.fullmatch(r"(.*)\[(\S+) (\S+)\]", reason)
    if not match:
        return reason
    return f"{match.group(1).lower()} at {_fmt((float(match.group(2)), float(match.group(3))))}"


def _polygon(shape: RawShape, file: str) -> Polygon:
    polygon = Polygon(shape.points)
    if not polygon.is_valid:
        raise InputError(
            f"{file}: layer '{shape.layer}': {shape.source}: invalid contour ({_validity_problem(polygon)})"
        )
    return polygon


def _containers(shapes: list[RawShape], polygons: list[Polygon], file: str) -> list[list[int]]:
    """For each loop, the loops that contain it. Crossing or duplicated loops are an error."""
    for polygon in polygons:
        prepare(polygon)
    containers: list[list[int]] = [[] for _ in polygons]
    tree = STRtree(polygons)
    for i, polygon in enumerate(polygons):
        for j in tree.query(polygon, predicate="intersects").tolist():
            if j <= i:
                continue
            other = polygons[j]
            i_in_j, j_in_i = other.contains(polygon), polygon.contains(other)
            if i_in_j and j_in_i:
                raise InputError(
                    f"{file}: duplicate contour: {_describe(shapes[i], polygon)} "
                    f"and {_describe(shapes[j], other)}"
                )
            if i_in_j:
                containers[i].append(j)
            elif j_in_i:
                containers[j].append(i)
            elif polygon.intersection(other).area > OVERLAP_AREA:
                raise InputError(
                    f"{file}: contours overlap: {_describe(shapes[i], polygon)} "
                    f"and {_describe(shapes[j], other)}"
                )
    return containers


def _is_outline(shape: RawShape, depth: int) -> bool:
    operation = shape.machining.operation
    if operation is Operation.CUT:
        return depth % 2 == 0
    return operation is Operation.CUT_OUTSIDE


def _assemble_outlines(through: list[RawShape], file: str) -> list[tuple[RawShape, Polygon, tuple[str, ...]]]:
    """Sort through-cut loops into outlines with their holes.

    Returns (outline shape, part polygon, corner styles): a corner style per ring
    of the polygon, exterior first, from its layer name ("" when it names none)."""
    polygons = [_polygon(shape, file) for shape in through]
    containers = _containers(through, polygons, file)
    outline = [_is_outline(shape, len(containers[i])) for i, shape in enumerate(through)]
    holes: dict[int, list[int]] = defaultdict(list)
    for i, shape in enumerate(through):
        innermost = min(containers[i], key=lambda j: polygons[j].area, default=None)
        if outline[i]:
            if innermost is not None and outline[innermost]:
                raise InputError(
                    f"{file}: outline {_describe(shape, polygons[i])} lies inside the solid of outline "
                    f"{_describe(through[innermost], polygons[innermost])}; "
                    "a part cut from another part's waste must sit inside one of its holes"
                )
        elif innermost is None:
            raise InputError(f"{file}: hole {_describe(shape, polygons[i])} is not inside any outline")
        elif not outline[innermost]:
            raise InputError(
                f"{file}: hole {_describe(shape, polygons[i])} lies inside hole "
                f"{_describe(through[innermost], polygons[innermost])} with no outline between them"
            )
        else:
            holes[innermost].append(i)
    assembled = []
    for i, shape in enumerate(through):
        if not outline[i]:
            continue
        part = Polygon(polygons[i].exterior, [polygons[h].exterior for h in holes[i]])
        if not part.is_valid:
            raise InputError(
                f"{file}: outline {_describe(shape, polygons[i])} and its holes do not form a valid part "
                f"({_validity_problem(part)})"
            )
        styles = (dogbone_style(shape.layer) or "", *(dogbone_style(through[h].layer) or "" for h in holes[i]))
        assembled.append((shape, orient(part, sign=1.0), styles))
    return assembled


def _drill_circle(shape: RawShape, file: str) -> tuple[Point, float]:
    """Centre and diameter of a drill circle drawn as a closed loop."""
    centre = Polygon(shape.points).centroid
    vertices = shape.points
    midpoints = (vertices + np.roll(vertices, -1, axis=0)) / 2.0  # a polygon's corners alone may sit on a circle
    radii = np.hypot(vertices[:, 0] - centre.x, vertices[:, 1] - centre.y)
    spread = np.hypot(*(np.concatenate([vertices, midpoints]) - (centre.x, centre.y)).T)
    radius = float(radii.mean())
    if float(spread.max() - spread.min()) > CIRCLE_TOLERANCE + 1e-3 * radius:
        raise InputError(
            f"{file}: layer '{shape.layer}': {shape.source} around {_fmt((centre.x, centre.y))} "
            "is on a drill layer but is not a circle"
        )
    return centre, 2.0 * radius


def _feature(shape: RawShape, file: str, warnings: list[str]) -> Feature:
    machining = shape.machining
    operation = machining.operation
    diameter = None
    if operation is Operation.POCKET and shape.closed:
        geometry: BaseGeometry = _polygon(shape, file)
    elif operation in (Operation.ENGRAVE, Operation.CUT_ON_LINE):
        geometry = LinearRing(shape.points) if shape.closed else LineString(shape.points)
    elif operation is Operation.DRILL and len(shape.points) == 1:
        geometry, diameter = Point(shape.points[0]), machining.diameter
    elif operation is Operation.DRILL and shape.closed:
        geometry, diameter = _drill_circle(shape, file)
        if machining.diameter is not None and abs(diameter - machining.diameter) > CIRCLE_TOLERANCE:
            warnings.append(
                f"{file}: layer '{shape.layer}': circle {shape.source} at {_fmt(geometry.coords[0])} "
                f"is {diameter:.3f} mm across but the layer names a {machining.diameter:g} mm drill; "
                "the drawn size is used"
            )
    else:
        raise InputError(f"{file}: layer '{shape.layer}': {shape.source}: {operation.value} needs a closed contour")
    return Feature(operation, geometry, machining.depth, diameter, shape.layer)


def _reading_order(polygon: Polygon) -> tuple[float, float]:
    x0, _, _, y1 = polygon.bounds
    return (-round(y1, 6), round(x0, 6))


def build_parts(
    loops: list[RawShape],
    open_paths: list[RawShape],
    points: list[RawShape],
    *,
    name: str,
    file: str,
    quantity: int = 1,
    rotations: tuple[float, ...] | None = RIGHT_ANGLES,
    grain: bool = False,
    labels: list[TextLabel] | tuple[TextLabel, ...] = (),
) -> tuple[list[Part], list[str]]:
    """Turn chained shapes into Parts: outlines with their holes, plus their features.

    CUT_OUTSIDE loops are outlines, CUT_INSIDE loops holes of the smallest outline
    around them, CUT loops alternate by how deeply they nest. An outline inside a
    hole of another is a part of its own; every pocket, engraving and drill goes
    to the smallest part that covers it. Parts keep their drawn coordinates. A
    part holding exactly one text label is named by it; the others are named
    ``name`` (one part) or ``name-1``, ``name-2``... top to bottom, then left to right.
    """
    warnings: list[str] = []
    through = [shape for shape in loops if shape.machining.operation in THROUGH_CUTS]
    if not through:
        seen = sorted({shape.layer for shape in (*loops, *open_paths, *points)})
        raise InputError(f"{file}: no closed outline to cut (layers seen: {', '.join(seen) or 'none'})")
    outlines = sorted(_assemble_outlines(through, file), key=lambda item: _reading_order(item[1]))
    others = [shape for shape in (*loops, *open_paths, *points) if shape.machining.operation not in THROUGH_CUTS]
    features = [_feature(shape, file, warnings) for shape in others]

    areas = [polygon.area for _, polygon, _ in outlines]
    tree = STRtree([polygon.buffer(COVER_TOLERANCE) for _, polygon, _ in outlines])
    per_part: list[list[Feature]] = [[] for _ in outlines]
    for shape, feature in zip(others, features):
        owners = tree.query(feature.geometry, predicate="covered_by").tolist()
        if not owners:
            geometry = feature.geometry
            where = _fmt(geometry.coords[0]) if isinstance(geometry, Point) else _fmt_box(geometry)
            raise InputError(
                f"{file}: layer '{shape.layer}': {feature.operation.value} {shape.source} at {where} "
                "is outside every part"
            )
        per_part[min(owners, key=lambda i: areas[i])].append(feature)

    names = _part_names([polygon for _, polygon, _ in outlines], labels, name)
    parts = []
    for part_name, (_, polygon, styles), part_features in zip(names, outlines, per_part):
        parts.append(
            Part(
                name=part_name,
                outline=polygon,
                features=tuple(part_features),
                corner_styles=styles if any(styles) else (),
                quantity=quantity,
                rotations=rotations,
                grain=grain,
                source=file,
            )
        )
    return parts, warnings


MAX_LABEL_LENGTH = 40  # longer text is a note, not a part name


def _part_names(polygons: list[Polygon], labels, stem: str) -> list[str]:
    """Each part's label if it holds exactly one distinct text, else a numbered file stem.

    A label belongs to the smallest outline around it, so the name of a part cut from
    another's hole does not leak to the outer part. Repeated names get -1, -2..."""
    found: list[set[str]] = [set() for _ in polygons]
    for label in labels:
        text = " ".join(label.text.split())
        if not text or len(text) > MAX_LABEL_LENGTH:
            continue
        point = Point(label.x, label.y)
        owners = [i for i, polygon in enumerate(polygons) if polygon.covers(point)]
        if owners:
            found[min(owners, key=lambda i: polygons[i].area)].add(text)
    names = []
    for index, texts in enumerate(found, start=1):
        if len(texts) == 1:
            names.append(next(iter(texts)))
        else:
            names.append(stem if len(polygons) == 1 else f"{stem}-{index}")
    repeats = {n for n in names if names.count(n) > 1}
    seen: dict[str, int] = defaultdict(int)
    for i, n in enumerate(names):
        if n in repeats:
            seen[n] += 1
            names[i] = f"{n}-{seen[n]}"
    return names
