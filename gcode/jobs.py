"""What to cut on one part: jobs (a profile, a pocket, a drill...) made of depth passes.

Jobs are planned once per part design, in the part's own coordinates (offsets
and tabs do not change under rotation and translation), then moved onto the
sheet for every placement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import IntEnum

from shapely.geometry import LinearRing, LineString, Polygon
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gcode.arcs import Circle, Point
from gcode.cam_settings import MIN_LABEL_HEIGHT, CamSettings
from gcode.dogbones import add_bones
from gcode.offsets import (
    Contour,
    hole_contours,
    narrow_parts,
    outline_contour,
    pocket_levels,
    pocket_region,
    polygons_of,
    space_around,
)
from gcode.paths import PLUNGE_RADIUS, Path2D, circle_path, loop_path, open_path, place_point
from gcode.stroke_font import fit_text
from gcode.tabs import fit_span, place_tabs, tab_count
from nester.errors import InputError
from nester.layers import dogbone_style
from nester.model import Feature, Operation, Part, Placement

LINK_TOLERANCE = 1e-4  # mm: how far a pocket ring may sit outside its region through rounding
LABEL_CLEARANCE = 1.0  # mm between an engraved label's groove and the part's edges
MATERIAL_TOLERANCE = 1e-6  # mm: rounding allowed where a drill's cut touches the part's edge


class JobKind(IntEnum):
    """Classes of jobs, in the order they are cut on a sheet."""

    ENGRAVE = 0
    DRILL = 1
    POCKET = 2
    INSIDE = 3  # holes and cuts on a line: what falls out before the part is cut free
    OUTSIDE = 4
    SKIN = 5  # the last shallow pass through an onion skin, once everything else is cut


@dataclass(frozen=True)
class Pass:
    """One depth pass along a path. Where `tabs` (path-length intervals) are, it cuts at tab_z.

    cleared: the path is already cut down to this Z, so the tool may go straight down to it.
    """

    path: Path2D
    z: float
    tabs: tuple[tuple[float, float], ...] = ()
    tab_z: float = 0.0
    cleared: float = 0.0


@dataclass(frozen=True)
class Job:
    """Passes cut one after another, without cutting anything else in between.

    link_region: where the tool may feed straight from one pass to the next
    without lifting (a pocket's cleared area). peck: lift to the clearance
    between passes to clear chips. reversible: may be cut from its other end.
    """

    kind: JobKind
    what: str
    passes: tuple[Pass, ...]
    part: str = ""
    area: float = 0.0
    link_region: BaseGeometry | None = None
    peck: bool = False
    reversible: bool = False
    tabs: tuple[Point, ...] = ()
    bones: tuple[Point, ...] = ()  # far ends of the dogbones and T-bones
    nesting: int = 0  # in how many other placed parts' holes its part lies
    exit: Point | None = None  # where the tool leaves the job, when not at its last path's end (a ramp ends there)

    @property
    def start(self) -> Point:
        return self.passes[0].path.start

    @property
    def end(self) -> Point:
        return self.passes[-1].path.end if self.exit is None else self.exit

    def reversed(self) -> Job:
        """The job with every pass travelled the other way (only sensible when reversible)."""
        return replace(self, passes=tuple(replace(p, path=p.path.reversed()) for p in self.passes), exit=None)

    def placed(self, placement: Placement, nesting: int = 0) -> Job:
        """This job moved onto the sheet like the placement moves its part, which lies in `nesting` holes."""
        rotation, translation = placement.rotation, placement.translation
        moved: dict[int, Path2D] = {}  # passes share paths: move each once
        passes = []
        for p in self.passes:
            if id(p.path) not in moved:
                moved[id(p.path)] = p.path.transformed(rotation, translation)
            passes.append(replace(p, path=moved[id(p.path)]))
        return replace(
            self,
            passes=tuple(passes),
            part=placement.label(),
            link_region=None if self.link_region is None else placement.place(self.link_region),
            tabs=tuple(place_point(t, rotation, translation) for t in self.tabs),
            bones=tuple(place_point(b, rotation, translation) for b in self.bones),
            exit=None if self.exit is None else place_point(self.exit, rotation, translation),
            nesting=nesting,
        )


def pass_depths(depth: float, step_down: float) -> list[float]:
    """Z of equal passes down to -depth, none deeper than step_down."""
    count = max(1, math.ceil(depth / step_down - 1e-9))
    return [-depth * k / count for k in range(1, count + 1)]


def part_jobs(part: Part, settings: CamSettings, thickness: float) -> tuple[list[Job], list[str]]:
    """Every job of one part in its own coordinates, and warnings about it.

    Raises InputError naming the part for geometry the tool cannot cut.
    """
    planner = _PartPlanner(part, settings, thickness)
    return planner.plan(), planner.warnings


class _PartPlanner:
    def __init__(self, part: Part, settings: CamSettings, thickness: float):
        self.part = part
        self.settings = settings
        self.tool = settings.tool
        self.thickness = thickness
        self.through = thickness + settings.overcut
        self.who = (f"{part.source}: " if part.source else "") + f"part '{part.name}'"
        self.warnings: list[str] = []

    def plan(self) -> list[Job]:
        outline = self.part.outline
        if not isinstance(outline, Polygon):
            raise InputError(f"{self.who}: the outline is a {outline.geom_type}, not one polygon")
        if outline.is_empty or not outline.is_valid:
            reason = "empty" if outline.is_empty else explain_validity(outline)
            raise InputError(f"{self.who}: the outline is not a valid polygon ({reason})")
        jobs: list[Job] = []
        for feature in self.part.features:
            jobs.extend(self.feature(feature))
        for index, ring in enumerate(outline.interiors, start=1):
            jobs.extend(self.hole(ring, index))
        if self.settings.labels:
            jobs.extend(self.label(outline))
        jobs.extend(self.outside(outline.exterior))
        return jobs

    def label(self, outline: Polygon) -> list[Job]:
        """The part's name engraved on it in single strokes, as large as fits clear of its edges and features."""
        s = self.settings
        keep_clear = outline
        for feature in self.part.features:
            if feature.operation is not Operation.IGNORE:
                keep_clear = keep_clear.difference(feature.geometry.buffer(self.tool.radius))
        pieces = polygons_of(keep_clear)
        if not pieces:
            self.warnings.append(f"{self.who}: the label does not fit on the part and is not engraved")
            return []
        keep_clear = max(pieces, key=lambda piece: piece.area)
        try:
            strokes = fit_text(self.part.name, keep_clear, max_height=s.label_height, min_height=MIN_LABEL_HEIGHT,
                               margin=self.tool.radius + LABEL_CLEARANCE)
        except ValueError as error:
            self.warnings.append(f"{self.who}: the label is not engraved: {error}")
            return []
        if strokes is None:
            self.warnings.append(f"{self.who}: the label does not fit on the part and is not engraved")
            return []
        depths = self.depths(s.label_depth)
        return [_open_line_job(JobKind.ENGRAVE, "label", open_path(stroke, fit_arcs=False), depths)
                for stroke in strokes]

    # -- through cuts -----------------------------------------------------

    def outside(self, exterior: LinearRing) -> list[Job]:
        """The outside profile, and with an onion skin the last pass through the skin as its own job.

        With a finishing allowance the depth passes run that much further out and
        one last full-depth pass at the tool radius takes the allowance off.
        """
        contour, openings = outline_contour(exterior, self.tool.radius)
        for opening in openings:
            raise InputError(
                f"{self.who}: a slot in the outline at {_at(opening)} is narrower than the "
                f"{self.tool.diameter:g} mm tool: it cannot be cut"
            )
        for piece in narrow_parts(space_around(exterior, 4.0 * self.tool.diameter), self.tool.radius):
            raise InputError(
                f"{self.who}: a slot in the outline at {_at(piece)} is narrower than the "
                f"{self.tool.diameter:g} mm tool: it cannot be cut"
            )
        allowance = self.settings.finish_allowance
        finish, bones = self.with_bones(contour, exterior, self.tool.radius, 0)
        finish_path = _contour_path(finish, clockwise=self.settings.climb, fit_arcs=self.settings.fit_arcs)
        path = finish_path
        if allowance > 0.0:
            rough, _ = outline_contour(exterior, self.tool.radius + allowance)
            rough, _ = self.with_bones(rough, exterior, self.tool.radius + allowance, 0)
            path = _contour_path(rough, clockwise=self.settings.climb, fit_arcs=self.settings.fit_arcs)
        if self.settings.holding == "onion-skin":
            skin_z = -self.thickness + self.settings.onion_skin
            passes = tuple(Pass(path, z) for z in self.depths(-skin_z))
            if allowance > 0.0:
                passes += (Pass(finish_path, skin_z, cleared=self.kerf_cleared(skin_z)),)
            skin = Pass(finish_path, -self.through, cleared=skin_z)
            return [
                Job(JobKind.OUTSIDE, "outside profile", passes, area=self.part.area, bones=bones),
                Job(JobKind.SKIN, "onion skin", (skin,), area=self.part.area),
            ]
        intervals = self.tab_intervals(path, bones if allowance <= 0.0 else ())
        tab_z = -self.thickness + self.settings.tab_height
        passes = tuple(
            Pass(path, z, intervals if z < tab_z - 1e-9 else (), tab_z) for z in self.depths(self.through)
        )
        centres = [path.point_at((a + b) / 2.0) for a, b in intervals]
        if allowance > 0.0:
            passes += (self.finishing_pass(finish_path, path, intervals, tab_z),)
            centres = [finish_path.point_at(finish_path.locate(c)) for c in centres]
        return [Job(JobKind.OUTSIDE, "outside profile", passes, area=self.part.area, tabs=tuple(centres),
                    bones=bones)]

    def kerf_cleared(self, z: float) -> float:
        """How deep a finishing pass may drop straight down the roughed kerf.

        Its tool centre sits on the kerf's edge, so the tool's middle would come down
        on the allowance: only a centre-cutting tool may; another ramps in from the top."""
        return z if self.tool.centre_cutting else 0.0

    def finishing_pass(self, finish: Path2D, rough: Path2D, intervals, tab_z: float) -> Pass:
        """One full-depth pass along the finished contour, lifting over the roughing passes' tabs.

        The roughing passes have cut the kerf down through the sheet: the tool goes
        straight down it."""
        tabs = []
        for a, b in intervals:
            centre = finish.locate(rough.point_at((a + b) / 2.0))
            tabs.append((centre - (b - a) / 2.0, centre + (b - a) / 2.0))
        return Pass(finish, -self.through, tuple(sorted(tabs)), tab_z, cleared=self.kerf_cleared(-self.through))

    def with_bones(self, contour: Contour, drawn: LinearRing, offset: float,
                   ring: int) -> tuple[Contour, tuple[Point, ...]]:
        """The contour, `offset` from ring number `ring` of the drawing (0: the exterior), with a
        bone in each drawn inside corner, as the job and the plan ask."""
        styles = self.part.corner_styles
        style = self.settings.dogbone_style(self.part.name, styles[ring] if ring < len(styles) else "")
        if style == "off" or isinstance(contour, Circle):
            return contour, ()
        points, bones = add_bones(contour, drawn.coords, offset, style)
        return tuple(points), tuple(bones)

    def tab_intervals(self, path: Path2D, bones: tuple[Point, ...] = ()) -> tuple[tuple[float, float], ...]:
        s = self.settings
        if s.tab_height <= 0.0:
            return ()
        perimeter = path.length
        count = tab_count(perimeter, s.tab_spacing, s.min_tabs)
        if not count:
            self.warnings.append(
                f"{self.who} gets no tabs (min_tabs is {s.min_tabs} and its {perimeter:.1f} mm toolpath is at most "
                f"half the {s.tab_spacing:g} mm tab spacing): it comes loose on the last pass"
            )
            return ()
        span = fit_span(perimeter, count, s.tab_width + self.tool.diameter)
        width = span - self.tool.diameter
        if width <= 0.0:
            self.warnings.append(f"{self.who} is too small to hold with tabs: it comes loose on the last pass")
            return ()
        if width < s.tab_width - 1e-9:
            self.warnings.append(
                f"{self.who} is small: its {count} tabs are {width:.1f} mm wide instead of {s.tab_width:g} mm"
            )
        # A ramped tab's flanks reach this far beyond it on the deepest pass; a tool radius
        # more keeps it off corners and bones.
        flank = (s.tab_height + s.overcut) / math.tan(math.radians(s.flank_angle)) if s.flank_angle < 90.0 else 0.0
        if count * (span + 2.0 * flank) > perimeter / 2.0:
            raise InputError(
                f"{self.who}: {count} tabs with {flank:.1f} mm flanks (at {s.flank_angle:g} degrees) would leave less "
                f"than half of its {perimeter:.0f} mm outline cut through; use fewer tabs, steeper flanks "
                f"(tab_angle, or ramp_angle for a tool that cannot plunge) or holding = \"onion-skin\""
            )
        forbidden = [path.locate(bone) for bone in bones]
        intervals = place_tabs(path, count, span, clearance=flank + self.tool.radius, forbidden=forbidden)
        if len(intervals) < count:
            self.warnings.append(
                f"{self.who} gets {len(intervals)} tabs instead of {count}: the others would cover its dogbones"
            )
        return intervals

    def hole(self, ring: LinearRing, index: int) -> list[Job]:
        """The inside profile of the outline's hole number `index` (1-based, as in corner_styles)."""
        contours = hole_contours(ring, self.tool.radius)
        where = _at(Polygon(ring))
        if not contours:
            raise InputError(f"{self.who}: hole at {where} is smaller than the {self.tool.diameter:g} mm tool")
        if len(contours) > 1:
            raise InputError(
                f"{self.who}: hole at {where} narrows below the {self.tool.diameter:g} mm tool: "
                "its narrow part cannot be cut"
            )
        for piece in narrow_parts(Polygon(ring), self.tool.radius):
            raise InputError(
                f"{self.who}: hole at {where} narrows below the {self.tool.diameter:g} mm tool "
                f"at {_at(piece)}: its narrow part cannot be cut"
            )
        allowance = self.settings.finish_allowance
        clockwise = not self.settings.climb_inside
        finish, bones = self.with_bones(contours[0], ring, self.tool.radius, index)
        finish_path = _contour_path(finish, clockwise=clockwise, fit_arcs=self.settings.fit_arcs)
        depths = self.depths(self.through)
        if allowance <= 0.0:
            return [replace(self.loop_job(JobKind.INSIDE, "hole", finish_path, depths), bones=bones)]
        rough_contours = hole_contours(ring, self.tool.radius + allowance)
        if len(rough_contours) != 1:
            raise InputError(
                f"{self.who}: hole at {where} leaves no room for the {allowance:g} mm finishing allowance"
            )
        rough, _ = self.with_bones(rough_contours[0], ring, self.tool.radius + allowance, index)
        rough_path = _contour_path(rough, clockwise=clockwise, fit_arcs=self.settings.fit_arcs)
        job = self.loop_job(JobKind.INSIDE, "hole", rough_path, depths)
        finishing = Pass(finish_path, -self.through, cleared=self.kerf_cleared(-self.through))
        return [replace(job, passes=job.passes + (finishing,), bones=bones)]

    def loop_job(self, kind: JobKind, what: str, path: Path2D, depths: list[float]) -> Job:
        # A loop that shrank to a point is a plunge: it lifts the chips out between passes, as a drill does.
        return Job(kind, what, tuple(Pass(path, z) for z in depths), peck=not path.segments)

    # -- features ---------------------------------------------------------

    def feature(self, feature: Feature) -> list[Job]:
        op = feature.operation
        if op is Operation.IGNORE:
            return []
        if op is Operation.POCKET:
            return self.pocket(feature)
        if op is Operation.DRILL:
            return [self.drill(feature)]
        if op in (Operation.ENGRAVE, Operation.CUT_ON_LINE):
            return [self.line(feature)]
        raise InputError(
            f"{self.who}: feature on layer '{feature.layer}' asks for {op.value}, which is not a feature "
            "operation (outlines and holes come from the part outline)"
        )

    def depth(self, feature: Feature, what: str, through_allowed: bool) -> float:
        where = _at(feature.geometry)
        if feature.depth is None:
            if through_allowed:
                return self.through
            raise InputError(f"{self.who}: {what} at {where} on layer '{feature.layer}' has no depth")
        if not 0.0 < feature.depth <= self.through:
            raise InputError(
                f"{self.who}: {what} at {where} on layer '{feature.layer}' is {feature.depth:g} mm deep; "
                f"depths go from 0 to the {self.thickness:g} mm sheet plus {self.settings.overcut:g} mm overcut"
            )
        return feature.depth

    def depths(self, depth: float) -> list[float]:
        return pass_depths(depth, self.settings.cutting.step_down)

    def pocket(self, feature: Feature) -> list[Job]:
        geometry = feature.geometry
        if not isinstance(geometry, Polygon) or geometry.is_empty:
            raise InputError(
                f"{self.who}: pocket on layer '{feature.layer}' is a {geometry.geom_type}, not a closed area"
            )
        depths = self.depths(self.depth(feature, "pocket", through_allowed=False))
        pieces = polygons_of(pocket_region(geometry, self.tool.radius))
        if not pieces:
            raise InputError(
                f"{self.who}: pocket at {_at(geometry)} is narrower than the {self.tool.diameter:g} mm tool"
            )
        step = min(self.settings.cutting.step_over, self.tool.radius)
        if step < self.settings.cutting.step_over:
            self.warnings.append(
                f"pockets use a {step:g} mm step-over, not {self.settings.cutting.step_over:g} mm: "
                f"more than the tool radius would leave material standing"
            )
        style = self.settings.dogbone_style(self.part.name, dogbone_style(feature.layer) or "")
        drawn = [p for ring in (geometry.exterior, *geometry.interiors) for p in ring.coords]
        return [self.pocket_piece(piece, step, depths, drawn if style != "off" else None, style)
                for piece in pieces]

    def pocket_piece(self, region: Polygon, step: float, depths: list[float],
                     drawn: list[Point] | None, style: str) -> Job:
        """Offset rings from the middle out: the plunge lands in the middle, away from the
        wall, and the wall ring comes last with light engagement, which leaves it clean.
        With `drawn` (the pocket's drawn vertices) its wall ring gets bones in the corners."""
        climb = self.settings.climb_inside
        rings: list[Path2D] = []
        bones: list[Point] = []
        position: Point | None = None
        levels = pocket_levels(region, step)
        for depth_index, level in reversed(list(enumerate(levels))):
            contours = [r.contour for r in level]
            if depth_index == 0 and drawn is not None:
                contours = []
                for r in level:
                    contour = r.contour
                    if not isinstance(contour, Circle):
                        points, found = add_bones(contour, drawn, self.tool.radius, style)
                        contour = tuple(points)
                        bones.extend(found)
                    contours.append(contour)
            paths = [_contour_path(c, clockwise=climb if r.island else not climb, fit_arcs=self.settings.fit_arcs)
                     for c, r in zip(contours, level)]
            while paths:
                nearest = 0 if position is None else min(
                    range(len(paths)), key=lambda i: math.dist(position, paths[i].start))
                rings.append(paths.pop(nearest))
                position = rings[-1].end
        passes = tuple(Pass(path, z) for z in depths for path in rings)
        return Job(JobKind.POCKET, "pocket", passes, link_region=region.buffer(LINK_TOLERANCE), bones=tuple(bones))

    def drill(self, feature: Feature) -> Job:
        point = feature.geometry
        if not isinstance(point, ShapelyPoint) or point.is_empty:
            raise InputError(f"{self.who}: drill on layer '{feature.layer}' is a {point.geom_type}, not a point")
        depth = self.depth(feature, "drill", through_allowed=True)
        depths = self.depths(depth)
        tool = self.tool.diameter
        diameter = tool if feature.diameter is None else feature.diameter
        what = "drill" if feature.diameter is None else f"{diameter:g} mm hole"
        centre_radius = (diameter - tool) / 2.0
        if centre_radius < -PLUNGE_RADIUS:
            raise InputError(f"{self.who}: {what} at {_at(point)} is smaller than the {tool:g} mm tool")
        self.check_inside_material(point, max(diameter, tool), what, feature.layer)
        path = circle_path(Circle((point.x, point.y), max(centre_radius, 0.0)), clockwise=not self.settings.climb_inside)
        peck = self.settings.peck
        if not path.segments and peck is not None:
            # A plunge drill: pecks of its own size, or one plunge to the bottom without lifting.
            depths = pass_depths(depth, peck) if peck > 0.0 else [-depth]
        return self.loop_job(JobKind.DRILL, "drill" if not path.segments else what, path, depths)

    def check_inside_material(self, centre: ShapelyPoint, width: float, what: str, layer: str) -> None:
        """A drill belongs to its part by its centre alone; its whole cut must also lie in the
        part's material, or it cuts into the part next to it or into the slug of a hole."""
        outline = self.part.outline
        clearance = outline.boundary.distance(centre) if outline.contains(centre) else -1.0
        if clearance < width / 2.0 - MATERIAL_TOLERANCE:
            raise InputError(
                f"{self.who}: {what} at {_at(centre)} on layer '{layer}' reaches past the part: "
                f"its {width:g} mm cut is not all inside the material"
            )

    def line(self, feature: Feature) -> Job:
        engrave = feature.operation is Operation.ENGRAVE
        what = "engraving" if engrave else "cut on line"
        geometry = feature.geometry
        if not isinstance(geometry, LineString):
            raise InputError(f"{self.who}: {what} on layer '{feature.layer}' is a {geometry.geom_type}, not a line")
        if geometry.is_empty or geometry.length <= 0.0:
            raise InputError(f"{self.who}: {what} on layer '{feature.layer}' has no length")
        depths = self.depths(self.depth(feature, what, through_allowed=not engrave))
        kind = JobKind.ENGRAVE if engrave else JobKind.INSIDE
        if geometry.is_closed and len(set(geometry.coords)) >= 3:
            return self.loop_job(kind, what, loop_path(geometry.coords, clockwise=not self.settings.climb_inside,
                                                                    fit_arcs=self.settings.fit_arcs), depths)
        return _open_line_job(kind, what, open_path(geometry.coords, fit_arcs=self.settings.fit_arcs), depths)


def _open_line_job(kind: JobKind, what: str, forth: Path2D, depths: list[float]) -> Job:
    """An open line cut back and forth: each pass starts where the last one ended."""
    back = forth.reversed()
    passes = tuple(Pass(forth if i % 2 == 0 else back, z) for i, z in enumerate(depths))
    return Job(kind, what, passes, reversible=True)


def _contour_path(contour: Contour, *, clockwise: bool, fit_arcs: bool) -> Path2D:
    if isinstance(contour, Circle):
        return circle_path(contour, clockwise=clockwise)
    return loop_path(contour, clockwise=clockwise, fit_arcs=fit_arcs)


def _at(geometry: BaseGeometry) -> str:
    """Where a piece of geometry is, for messages: a point's position, a line's start, an area's centroid."""
    if isinstance(geometry, LineString):
        x, y = geometry.coords[0]
    else:
        centre = geometry.centroid
        x, y = centre.x, centre.y
    return f"({x:.3f}, {y:.3f})"
