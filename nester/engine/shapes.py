"""Flat numpy arrays of every shape the engine may place, ready for the numba kernels.

Each (item, allowed rotation) becomes one *shape*: the item's polygon inflated by
half the spacing (so two shapes that merely touch are ``spacing`` apart), rotated
about the origin, with its rings, bounding box and *poles* -- inscribed circles
used both to reject colliding candidates fast and to measure how deep an overlap
is. Static hazards (sheet zones, holes in a sheet, the outside of an irregular
sheet) are shapes too, placed once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.polygon import orient

from nester.engine.collide import EDGE_RUN, POLE_LANES, SHORT_RING
from nester.problem import Container, Item, Problem

TOUCH_TOLERANCE = 1e-9  # of the largest item's size: closer than this counts as touching
EDGE_SLACK = 50.0  # touching tolerances a part may pass a sheet's edge by
HAIR = 0.2  # of the problem's check tolerance: every shape is this much thinner than the truth
SIMPLIFY_TOLERANCE = 2e-4  # of the item's diagonal
FREE_ROTATION_STEPS = 24  # a free item is tried every 15 degrees (a multiple of 4: quarter turns among them)
MAX_POLES = POLE_LANES  # the overlap proxy's lanes hold this many
SMALLEST_POLE = 0.08  # relative to the largest pole of the shape


@dataclass
class ShapeBank:
    """Concatenated geometry. Shape s has rings ring_start[s]..ring_start[s+1]-1;
    ring r has vertices vertex_start[r]..vertex_start[r+1]-1 (closed implicitly);
    poles pole_start[s]..pole_start[s+1]-1, and in the padded lanes
    s * POLE_LANES..(s + 1) * POLE_LANES - 1; bbox[s] = (min x, min y, max x, max y)."""

    vx: np.ndarray
    vy: np.ndarray
    vertex_start: np.ndarray
    ring_start: np.ndarray
    pole_x: np.ndarray
    pole_y: np.ndarray
    pole_r: np.ndarray
    pole_start: np.ndarray
    bbox: np.ndarray
    area: np.ndarray
    rotation: np.ndarray  # degrees, for the solution
    lane_x: np.ndarray  # the poles again, float32, POLE_LANES per shape, radius 0 past the last
    lane_y: np.ndarray
    lane_r: np.ndarray
    turn_stride: np.ndarray  # per shape: shapes between a free item's quarter turns; 0 for a set of rotations
    edge_from: np.ndarray  # per vertex i: the vertex before it on its ring (edge i runs from there to i)
    run_start: np.ndarray  # shape s has the edge runs run_start[s]..run_start[s+1]-1
    run_first: np.ndarray  # run r has the edges run_first[r]..run_first[r+1]-1 (of one ring: EDGE_RUN, or a short ring whole)
    run_box: np.ndarray  # per run: (min x, min y, max x, max y) of its edges

    @property
    def count(self) -> int:
        return len(self.bbox)

    def geometry(self) -> tuple:
        """The arrays the kernels take, in their order; then each shape's size (sqrt area), a
        work array for the collision test (one per search: not for threads to share), the
        overlap proxy's pole lanes, the turn strides and the edge runs."""
        runs = np.diff(self.run_start)
        largest = int(runs.max()) if len(runs) else 1
        return (self.vx, self.vy, self.vertex_start, self.ring_start, self.pole_x, self.pole_y, self.pole_r,
                self.pole_start, self.bbox, np.sqrt(self.area), np.empty(largest, dtype=np.int64),
                self.lane_x, self.lane_y, self.lane_r, self.turn_stride,
                self.edge_from, self.run_start, self.run_first, self.run_box)


@dataclass
class PreparedProblem:
    """The problem as arrays: item copies, their shapes, and per container type its usable
    rectangle and hazards."""

    problem: Problem
    bank: ShapeBank
    item_first_shape: np.ndarray  # per item type
    item_shape_count: np.ndarray
    copy_item: np.ndarray  # item type of each copy
    container_rect: np.ndarray  # per container type: usable (x0, y0, x1, y1) for inflated shapes
    container_hazards: list[np.ndarray]  # per container type: hazard shape indices
    tolerance: float  # touching closer than this counts as a collision
    outlines: list[Polygon]  # per item shape: its true outline (the bank's is a hair thinner)
    container_regions: list  # per container type: where outlines may lie (Polygon or MultiPolygon)

    @property
    def copies(self) -> int:
        return len(self.copy_item)

    @cached_property
    def square_shapes(self) -> np.ndarray:
        """Per item shape: True unless it is one of a free item's slanted shapes, those
        between its quarter turns (sides of its enclosing rectangle along the axes)."""
        stride = self.bank.turn_stride[:len(self.outlines)]
        offset = np.arange(len(self.outlines)) - np.repeat(self.item_first_shape, self.item_shape_count)
        return (stride == 0) | (offset % np.maximum(stride, 1) == 0)

    @cached_property
    def outline_area(self) -> np.ndarray:
        """Per item shape, the area of its true outline."""
        return np.array([outline.area for outline in self.outlines], dtype=np.float64)

    @cached_property
    def outline_twins(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per item shape: the first shape of its item with the same outline up to a
        translation (a rectangle turned by 180 degrees), within the check tolerance; and
        the low corner (x, y) of its outline's bounding box."""
        tolerance = self.problem.check_tolerance()
        bounds = np.array([outline.bounds for outline in self.outlines], dtype=np.float64).reshape(-1, 4)
        twin = np.arange(len(self.outlines), dtype=np.int64)
        for first, count in zip(self.item_first_shape.tolist(), self.item_shape_count.tolist()):
            seen: list[tuple[int, Polygon]] = []
            for s in range(first, first + count):
                moved = shapely.normalize(shapely.transform(self.outlines[s], lambda c, s=s: c - bounds[s, :2]))
                for other, shape in seen:
                    if moved.equals_exact(shape, tolerance):
                        twin[s] = other
                        break
                else:
                    seen.append((s, moved))
        return twin, bounds[:, 0].copy(), bounds[:, 1].copy()


def item_rotations(item: Item) -> tuple[float, ...]:
    if item.rotations is None:
        # Square first: shape k * FREE_ROTATION_STEPS // 4 is the k-th quarter turn.
        step = 360.0 / FREE_ROTATION_STEPS
        square = aligning_rotation(item.shape)
        return tuple(round((square + step * k) % 360.0, 9) for k in range(FREE_ROTATION_STEPS))
    seen: list[float] = []
    for angle in item.rotations:
        if not any(math.isclose(angle % 360.0, other % 360.0, abs_tol=1e-9) for other in seen):
            seen.append(angle)
    return tuple(seen)


def aligning_rotation(polygon: Polygon) -> float:
    """The rotation in [0, 90) degrees that lays the sides of the polygon's smallest
    enclosing rectangle along the axes. Plans often draw a part at a slant (a brace, an
    arc): a free part tried only at multiples of the step from its drawing would never
    lie square on the sheet."""
    rectangle = shapely.oriented_envelope(polygon)
    if not isinstance(rectangle, Polygon):  # a degenerate part: a point or a segment
        return 0.0
    (x0, y0), (x1, y1) = rectangle.exterior.coords[:2]
    angle = -math.degrees(math.atan2(y1 - y0, x1 - x0)) % 90.0
    # A part drawn square stays as drawn, even when floating point leaves a trace of a slant.
    return 0.0 if min(angle, 90.0 - angle) < 1e-6 else angle


def poles(polygon: Polygon, max_poles: int = MAX_POLES) -> np.ndarray:
    """Inscribed circles (x, y, r), largest first, each the largest that fits in what the
    earlier ones leave uncovered. They lie inside the polygon's material.

    Centres are taken from a grid of points inside the polygon (a few thousand, finer
    for slender shapes) with their distance to the boundary, which is fast and exact
    enough: a radius is never more than the true clearance of its centre."""
    points = _inside_grid(polygon)
    if not len(points):  # a sliver: one point inside it, radius zero
        point = polygon.representative_point()
        return np.array([[point.x, point.y, 0.0]])
    clearance = shapely.distance(polygon.boundary, shapely.points(points))
    reach = clearance.copy()
    circles: list[tuple[float, float, float]] = []
    for _ in range(max_poles):
        best = int(np.argmax(reach))
        radius = float(reach[best])
        if radius <= 0.0 or (circles and radius < SMALLEST_POLE * circles[0][2]):
            break
        cx, cy = points[best]
        circles.append((float(cx), float(cy), radius))
        gap = np.hypot(points[:, 0] - cx, points[:, 1] - cy) - radius
        reach = np.minimum(reach, gap)
    return np.array(circles, dtype=np.float64)


def _inside_grid(polygon: Polygon, target: int = 2000) -> np.ndarray:
    x0, y0, x1, y1 = polygon.bounds
    spacing = math.sqrt(max(polygon.area, 1e-300) / target)
    for _ in range(6):
        xs = np.arange(x0 + spacing / 2.0, x1, spacing)
        ys = np.arange(y0 + spacing / 2.0, y1, spacing)
        gx, gy = np.meshgrid(xs, ys)
        inside = shapely.contains_xy(polygon, gx.ravel(), gy.ravel())
        if inside.sum() >= target // 4:
            return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
        spacing /= 2.0
    return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])


def _inflate(polygon: Polygon, distance: float) -> Polygon:
    """The polygon grown by ``distance`` (mitred corners: never less than the true offset),
    with fewer vertices: it is first simplified within SIMPLIFY_TOLERANCE of its size and
    grown by that much more, so the result still contains the true offset (sparrow's
    inflate-only simplification)."""
    x0, y0, x1, y1 = polygon.bounds
    tolerance = SIMPLIFY_TOLERANCE * math.hypot(x1 - x0, y1 - y0)
    simpler = polygon.simplify(tolerance, preserve_topology=True)
    if len(simpler.exterior.coords) + sum(len(r.coords) for r in simpler.interiors) < 0.8 * (
            len(polygon.exterior.coords) + sum(len(r.coords) for r in polygon.interiors)):
        polygon, distance = simpler, distance + tolerance
    if distance == 0.0:
        return polygon
    grown = polygon.buffer(distance, join_style="mitre", mitre_limit=2.0)
    if isinstance(grown, MultiPolygon):  # a negative distance can split a shape
        grown = max(grown.geoms, key=lambda g: g.area)
    return orient(grown)


def polygon_corners(geometry) -> tuple[np.ndarray, ...]:
    """(x, y, arrive, leave, interior) of every vertex of a Polygon or MultiPolygon: the
    directions of the edges arriving and leaving, and the interior angle on the material
    side (radians)."""
    oriented = shapely.orient_polygons(geometry)  # exterior counter-clockwise, holes clockwise
    rings = shapely.get_rings(shapely.get_parts(oriented))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    closing = np.append(ring[1:] != ring[:-1], True)
    points, ring = coords[~closing], ring[~closing]
    start = np.flatnonzero(np.append(True, ring[1:] != ring[:-1]))
    count = np.diff(np.append(start, len(ring)))
    first, size = np.repeat(start, count), np.repeat(count, count)
    real = size >= 3
    local = np.arange(len(ring)) - first
    previous = points[first + (local - 1) % size]
    following = points[first + (local + 1) % size]
    arrive = np.arctan2(points[:, 1] - previous[:, 1], points[:, 0] - previous[:, 0])
    leave = np.arctan2(following[:, 1] - points[:, 1], following[:, 0] - points[:, 0])
    turn = np.mod(leave - arrive + math.pi, 2.0 * math.pi) - math.pi  # left turns positive
    return points[real, 0], points[real, 1], arrive[real], leave[real], (math.pi - turn)[real]


def _hair(polygon: Polygon, hair: float) -> float:
    """How much thinner the engine's shape of ``polygon`` is: ``hair``, less at a sharp
    corner, whose tip an inward offset moves back by hair / sin(angle / 2), so that no tip
    of the true outline reaches further than ``hair`` past where the engine thinks it is;
    up to twice that where a grown outline's corner is bevelled (mitre limit 2). With HAIR
    0.2, two abutting outlines overlap by at most 0.8 of the check tolerance."""
    sharpest = float(np.min(polygon_corners(polygon)[4]))
    return hair * max(math.sin(min(sharpest, math.pi) / 2.0), 0.0)


def _rotate_poles(circles: np.ndarray, angle: float) -> np.ndarray:
    if angle % 360.0 == 0.0:
        return circles.copy()
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    rotated = circles.copy()
    rotated[:, 0] = c * circles[:, 0] - s * circles[:, 1]
    rotated[:, 1] = s * circles[:, 0] + c * circles[:, 1]
    return rotated


def _unsquare_misfits(builder: _BankBuilder, first_shape: list[int], shape_count: list[int], rects: list) -> None:
    """A free item that fits no container square (a long brace that only goes in along a
    sheet's diagonal) may go in at any of its angles: its turn stride becomes 0."""
    room = np.array(rects, dtype=np.float64).reshape(-1, 4)
    width, height = room[:, 2] - room[:, 0], room[:, 3] - room[:, 1]
    for first, count in zip(first_shape, shape_count):
        stride = builder.turn_stride[first]
        if stride == 0:
            continue
        square = range(first, first + count, stride)
        if not any(((builder.bbox[s][2] - builder.bbox[s][0] <= width)
                    & (builder.bbox[s][3] - builder.bbox[s][1] <= height)).any() for s in square):
            builder.turn_stride[first:first + count] = [0] * count


class _BankBuilder:
    def __init__(self) -> None:
        self.vx: list[float] = []
        self.vy: list[float] = []
        self.vertex_start: list[int] = [0]
        self.ring_start: list[int] = [0]
        self.poles: list[np.ndarray] = []
        self.pole_start: list[int] = [0]
        self.bbox: list[tuple[float, float, float, float]] = []
        self.area: list[float] = []
        self.rotation: list[float] = []
        self.turn_stride: list[int] = []

    def add(self, polygon: Polygon, circles: np.ndarray, rotation: float, turn_stride: int = 0) -> int:
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)[:-1, :2]
            self.vx.extend(coords[:, 0].tolist())
            self.vy.extend(coords[:, 1].tolist())
            self.vertex_start.append(len(self.vx))
        self.ring_start.append(len(self.vertex_start) - 1)
        self.poles.append(circles)
        self.pole_start.append(self.pole_start[-1] + len(circles))
        self.bbox.append(polygon.bounds)
        self.area.append(polygon.area)
        self.rotation.append(rotation)
        self.turn_stride.append(turn_stride)
        return len(self.bbox) - 1

    def build(self) -> ShapeBank:
        circles = np.concatenate(self.poles) if self.poles else np.zeros((0, 3))
        lanes = np.zeros((len(self.poles), POLE_LANES, 3), dtype=np.float32)
        for s, shape_circles in enumerate(self.poles):
            if len(shape_circles) > POLE_LANES:
                raise ValueError(f"{len(shape_circles)} poles: more than the {POLE_LANES} lanes")
            lanes[s, :len(shape_circles)] = shape_circles
        rings = {"vx": np.array(self.vx, dtype=np.float64), "vy": np.array(self.vy, dtype=np.float64),
                 "vertex_start": np.array(self.vertex_start, dtype=np.int64),
                 "ring_start": np.array(self.ring_start, dtype=np.int64)}
        return ShapeBank(
            **rings,
            pole_x=np.ascontiguousarray(circles[:, 0]),
            pole_y=np.ascontiguousarray(circles[:, 1]),
            pole_r=np.ascontiguousarray(circles[:, 2]),
            pole_start=np.array(self.pole_start, dtype=np.int64),
            bbox=np.array(self.bbox, dtype=np.float64).reshape(-1, 4),
            area=np.array(self.area, dtype=np.float64),
            rotation=np.array(self.rotation, dtype=np.float64),
            lane_x=np.ascontiguousarray(lanes[:, :, 0].ravel()),
            lane_y=np.ascontiguousarray(lanes[:, :, 1].ravel()),
            lane_r=np.ascontiguousarray(lanes[:, :, 2].ravel()),
            turn_stride=np.array(self.turn_stride, dtype=np.int64),
            **edge_runs(**rings),
        )


def edge_runs(vx: np.ndarray, vy: np.ndarray, vertex_start: np.ndarray, ring_start: np.ndarray) -> dict:
    """Each ring's edges cut into runs of at most EDGE_RUN consecutive ones, with their boxes
    (the ShapeBank fields edge_from, run_start, run_first and run_box)."""
    edge_from = np.arange(len(vx), dtype=np.int64) - 1
    ring_first, ring_end = vertex_start[:-1], vertex_start[1:]
    edge_from[ring_first[ring_end > ring_first]] = ring_end[ring_end > ring_first] - 1
    firsts = [np.arange(first, end, EDGE_RUN if end - first > SHORT_RING else max(end - first, 1))
              for first, end in zip(ring_first.tolist(), ring_end.tolist())]
    runs_per_ring = np.array([len(f) for f in firsts], dtype=np.int64)
    run_first = np.concatenate([*firsts, [len(vx)]]).astype(np.int64)
    ring_runs = np.concatenate([[0], np.cumsum(runs_per_ring)]).astype(np.int64)
    run_start = ring_runs[ring_start]
    if len(run_first) > 1:
        lows = run_first[:-1]
        boxes = [np.minimum.reduceat(np.minimum(vx, vx[edge_from]), lows),
                 np.minimum.reduceat(np.minimum(vy, vy[edge_from]), lows),
                 np.maximum.reduceat(np.maximum(vx, vx[edge_from]), lows),
                 np.maximum.reduceat(np.maximum(vy, vy[edge_from]), lows)]
        run_box = np.column_stack(boxes)
    else:
        run_box = np.zeros((0, 4))
    return {"edge_from": edge_from, "run_start": run_start, "run_first": run_first, "run_box": run_box}


def _usable_region(container: Container, clearance: float) -> Polygon | MultiPolygon:
    """Where an inflated shape may lie: the sheet shrunk and its zones grown by ``clearance``
    (margin minus half the spacing)."""
    usable = container.shape if clearance == 0.0 else container.shape.buffer(-clearance, join_style="mitre")
    for zone in container.zones:
        usable = usable.difference(zone if clearance == 0.0 else zone.buffer(clearance, join_style="mitre"))
    return usable


def _hazard_polygons(region, rect: tuple[float, float, float, float]) -> list[Polygon]:
    outside = box(*rect).difference(region)
    if outside.is_empty:
        return []
    parts = outside.geoms if hasattr(outside, "geoms") else [outside]
    return [orient(p) for p in parts if isinstance(p, Polygon) and p.area > 0.0]


def prepare(problem: Problem, strip_length: float | None = None, hair: float = HAIR) -> PreparedProblem:
    """Arrays for ``problem``. For strip packing the one container is the strip
    [0, strip_length] x [0, H]; its right end moves as the engine shrinks it. ``hair``:
    how much thinner than the truth the shapes are, as a share of the check tolerance
    (two shapes abutting pass each other's spacing by twice that)."""
    builder = _BankBuilder()
    half_spacing = problem.spacing / 2.0
    first_shape, shape_count, copy_item = [], [], []
    scale = max(math.sqrt(max(item.area for item in problem.items)), 1e-9) if problem.items else 1.0
    # Exact fits (a jigsaw, parts abutting at exactly the spacing) must not count as touching:
    # the engine works on shapes a hair thinner than the truth, far below the exact check's
    # tolerance and anything a router would notice.
    hair = hair * problem.check_tolerance()
    outlines: list[Polygon] = []
    for index, item in enumerate(problem.items):
        true_outline = _inflate(orient(item.shape), half_spacing)
        inflated = _inflate(orient(item.shape), half_spacing - _hair(true_outline, hair))
        circles = poles(inflated)
        first_shape.append(len(builder.bbox))
        rotations = item_rotations(item)
        turn_stride = FREE_ROTATION_STEPS // 4 if item.rotations is None else 0
        for angle in rotations:
            rotated = affinity.rotate(inflated, angle, origin=(0.0, 0.0)) if angle % 360.0 else inflated
            builder.add(orient(rotated), _rotate_poles(circles, angle), angle, turn_stride)
            outlines.append(orient(affinity.rotate(true_outline, angle, origin=(0.0, 0.0))
                                   if angle % 360.0 else true_outline))
        shape_count.append(len(rotations))
        copy_item.extend([index] * item.demand)
    clearance = problem.margin - half_spacing
    rects, hazards, regions = [], [], []
    if problem.is_strip:
        length = strip_length if strip_length is not None else 1e12
        strip = Container(id=0, shape=box(0.0, 0.0, length, problem.strip_height))
        containers = [strip]
    else:
        containers = list(problem.bins)
    tolerance = scale * TOUCH_TOLERANCE
    for container in containers:
        region = _usable_region(container, clearance)
        regions.append(region)
        rect = region.bounds
        # Touching counts as a collision, so parts that fill a side exactly need a hair
        # more room than the side: far below what the exact check or a router notices.
        slack = EDGE_SLACK * tolerance
        rects.append((rect[0] - slack, rect[1] - slack, rect[2] + slack, rect[3] + slack))
        indices = [builder.add(p, poles(p, 8), 0.0) for p in _hazard_polygons(region, rect)]
        hazards.append(np.array(indices, dtype=np.int64))
    _unsquare_misfits(builder, first_shape, shape_count, rects)
    return PreparedProblem(
        problem=problem,
        bank=builder.build(),
        item_first_shape=np.array(first_shape, dtype=np.int64),
        item_shape_count=np.array(shape_count, dtype=np.int64),
        copy_item=np.array(copy_item, dtype=np.int64),
        container_rect=np.array(rects, dtype=np.float64).reshape(-1, 4),
        container_hazards=hazards,
        tolerance=tolerance,
        outlines=outlines,
        container_regions=regions,
    )
