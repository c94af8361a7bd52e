"""Le chariot: a cart on four casters that carries a mediator's kit and unfolds into a
workbench.

Our own parametric model after the public description of the campaign's "chariot de
l'inclusion numérique" (a multi-use cart carrying workshop equipment, with an
animation support); the official plans are on the campaign wiki, and this is not them.

The carcass is a box: two ends finger-jointed to the base and to the worktop, a
pegboard back and a shelf with through tenons in the ends' mortises, a front rail
that keeps the kit on the shelf. On the base, an egg-crate of dividers (half-lap
slots) holds the kit; the casters bolt under the base (drilled holes). A push handle
bolts to the left end. It unfolds into a workbench two ways: the flip-up leaf lying
on the worktop turns over its back edge (hinges in pocketed recesses) onto two
swing brackets folded flat against the back, and the drop leaf hanging on the right
end lifts level with the worktop onto its own swing bracket. The assembly shows the
cart folded for the road.

World axes: x along the cart (0 to length), y front to back, z up from the floor.
"""

from __future__ import annotations

from collections.abc import Mapping

from shapely.geometry import Polygon

from nester.catalog.assembly import Placement3D
from nester.catalog.drawing import rounded_rectangle
from nester.catalog.fit import FitParameters
from nester.catalog.flat_part import FlatPart, check_sizes
from nester.catalog.joinery import boned_outline, finger_notches, mortise, notch, panel, rect, tenons

DIMENSIONS = {"length": 900.0, "depth": 500.0, "height": 900.0, "shelf_height": 450.0}
RANGES = {  # mm, what the joints and the sheet allow
    "length": (600.0, 1230.0),
    "depth": (400.0, 800.0),
    "height": (700.0, 1200.0),
    "shelf_height": (300.0, 1000.0),
}

CASTER_HEIGHT = 100.0  # floor to the underside of the ends
CASTER_HOLES = 60.0  # square bolt pattern of a caster's top plate
BOLT = 8.0
FINGERS = 5
BACK_INSET = 10.0
RAIL_INSET = 15.0
RAIL_HEIGHT = 80.0
SHELF_TENON = 80.0
BACK_TENON = 100.0
RAIL_TENON = 40.0
CRATE_HEIGHT = 180.0
LEAF_BRACKET = 300.0  # legs of the triangular swing brackets
DROP_LEAF = 420.0
HINGE = (25.0, 80.0)
HINGE_DEPTH = 3.0
PLAY = 1.0  # between parts that only meet, so sheets over nominal still go together


def parts(fit: FitParameters, dimensions: Mapping[str, float]) -> list[FlatPart]:
    check_sizes(dict(dimensions), RANGES)
    return _Cart(fit, **dimensions).parts()


class _Cart:
    def __init__(self, fit: FitParameters, length: float, depth: float, height: float, shelf_height: float):
        if not CASTER_HEIGHT + CRATE_HEIGHT + 80.0 <= shelf_height <= height - 200.0:
            raise ValueError(f"shelf_height must clear the crate and leave 200 mm over it, got {shelf_height:g}")
        n = fit.nominal
        self.fit, self.l, self.d, self.h = fit, length, depth, height
        self.n, self.t, self.s, self.c, self.r = n, fit.thickness, fit.slot, fit.clearance, fit.bone_radius
        self.base_top = CASTER_HEIGHT + n
        self.back_y = depth - BACK_INSET - n / 2.0
        self.inner_depth = self.back_y - n / 2.0  # in front of the back
        self.shelf_z = shelf_height - n / 2.0
        self.rail_y = RAIL_INSET + n / 2.0
        self.rail_bottom = shelf_height + PLAY
        self.crate_y = self.inner_depth / 2.0
        self.crosses = (length / 3.0, 2.0 * length / 3.0)
        # The ends' finger tips set the outer planes on both sides, unless the sheet is over nominal.
        self.left_plane = min(0.0, n - self.t)
        self.right_plane = max(length, length - n + self.t)

    def parts(self) -> list[FlatPart]:
        return [self.end("end-left", self.n - self.t, left=True), self.end("end-right", self.l - self.n, left=False),
                self.base(), self.top(), self.back(), self.shelf(), self.front_rail(), self.divider_long(),
                self.divider_cross("divider-cross-1", self.crosses[0]),
                self.divider_cross("divider-cross-2", self.crosses[1]),
                self.handle(), self.leaf(), self.leaf_bracket("leaf-bracket-left", self.n + 20.0, 1),
                self.leaf_bracket("leaf-bracket-right", self.l - self.n - 20.0, -1), self.drop_leaf(),
                self.drop_leaf_bracket()]

    # Where tenons stand, shared by each tenon and its mortise.
    def _shelf_tenons_y(self) -> list[float]:
        return [self.inner_depth * 0.25, self.inner_depth * 0.75]

    def _back_tenons_z(self) -> list[float]:
        span = self.h - self.n - self.base_top
        return [self.base_top + span * 0.25, self.base_top + span * 0.75]

    def _back_tenons_x(self) -> list[float]:
        return [self.l * 0.3, self.l * 0.7]

    def _handle_bolts(self) -> list[tuple[float, float]]:
        return [(y, z) for y in (120.0, self.d - 120.0) for z in (self.h - 200.0, self.h - 120.0)]

    def end(self, name: str, x: float, left: bool) -> FlatPart:
        """Drawn as (y, z); finger gaps top and bottom, mortises for the back, shelf and rail."""
        n, s, c, r = self.n, self.s, self.c, self.r
        gaps = finger_notches(1, CASTER_HEIGHT, 1, 0.0, self.d, FINGERS, 0, n, c)
        gaps += finger_notches(1, self.h, -1, 0.0, self.d, FINGERS, 0, n, c)
        outline = panel(rect(0.0, CASTER_HEIGHT, self.d, self.h), cut=gaps)
        holes = [mortise(self.back_y, z, s, BACK_TENON + c, r) for z in self._back_tenons_z()]
        holes += [mortise(y, self.shelf_z, SHELF_TENON + c, s, r) for y in self._shelf_tenons_y()]
        holes.append(mortise(self.rail_y, self.rail_bottom + RAIL_HEIGHT / 2.0, s, RAIL_TENON + c, r))
        if left:
            drills = tuple((y, z, BOLT) for y, z in self._handle_bolts())
        else:
            drills = ((self.d / 2.0 - 150.0, self.h - 200.0, BOLT),)  # the drop leaf bracket's pivot
        return FlatPart(name, Placement3D("YZ", (x, 0.0, 0.0)), boned_outline(outline, r), tuple(holes),
                        drills=drills)

    def _box_panel(self, name: str, z: float, holes: list, **features) -> FlatPart:
        """Base or worktop, drawn as (x, y): finger gaps at both ends."""
        n, c = self.n, self.c
        gaps = finger_notches(0, 0.0, 1, 0.0, self.d, FINGERS, 1, n, c)
        gaps += finger_notches(0, self.l, -1, 0.0, self.d, FINGERS, 1, n, c)
        outline = panel(rect(0.0, 0.0, self.l, self.d), cut=gaps)
        return FlatPart(name, Placement3D("XY", (0.0, 0.0, z)), boned_outline(outline, self.r), tuple(holes),
                        **features)

    def base(self) -> FlatPart:
        """Its top face rests on the ends' lower finger gaps; casters bolt under it."""
        holes = [mortise(x, self.back_y, BACK_TENON + self.c, self.s, self.r) for x in self._back_tenons_x()]
        inset = self.n + 70.0
        casters = [(x, y) for x in (inset, self.l - inset) for y in (80.0, self.d - 80.0)]
        half = CASTER_HOLES / 2.0
        drills = tuple((x + dx, y + dy, BOLT) for x, y in casters for dx in (-half, half) for dy in (-half, half))
        return self._box_panel("base", self.base_top - self.t, holes, drills=drills)

    def _leaf_hinges(self, y: float) -> tuple:
        across, along = HINGE
        return tuple((rounded_rectangle(x - along / 2.0, y - across, x + along / 2.0, y, 4.0), HINGE_DEPTH)
                     for x in (self.l * 0.12, self.l * 0.5, self.l * 0.88))  # clear of the back's tenons

    def top(self) -> FlatPart:
        """The worktop, resting on the ends' upper finger gaps; no tenon comes through it, so
        nothing stands proud of the work surface on a thin sheet."""
        return self._box_panel("top", self.h - self.n, [], pockets=self._leaf_hinges(self.d - 8.0))

    def back(self) -> FlatPart:
        """The pegboard back, drawn as (x, z): tenons into the ends and the base."""
        n = self.n
        top = self.h - n - PLAY
        add = tenons(0, n, -1, self._back_tenons_z(), BACK_TENON, n)
        add += tenons(0, self.l - n, 1, self._back_tenons_z(), BACK_TENON, n)
        add += tenons(1, self.base_top, -1, self._back_tenons_x(), BACK_TENON, n)
        outline = panel(rect(n, self.base_top, self.l - n, top), add=add)
        # Pegs between the folded leaf brackets.
        pegs = tuple((x, z, BOLT) for x in _steps(n + LEAF_BRACKET + 80.0, self.l - n - LEAF_BRACKET - 80.0, 80.0)
                     for z in _steps(self.rail_bottom + 120.0, top - 60.0, 80.0))
        return FlatPart("back", Placement3D("XZ", (0.0, self.back_y - self.t / 2.0, 0.0)),
                        boned_outline(outline, self.r), drills=pegs)

    def shelf(self) -> FlatPart:
        n = self.n
        add = tenons(0, n, -1, self._shelf_tenons_y(), SHELF_TENON, n)
        add += tenons(0, self.l - n, 1, self._shelf_tenons_y(), SHELF_TENON, n)
        outline = panel(rect(n, 0.0, self.l - n, self.inner_depth - 5.0), add=add)
        return FlatPart("shelf", Placement3D("XY", (0.0, 0.0, self.shelf_z - self.t / 2.0)),
                        boned_outline(outline, self.r))

    def front_rail(self) -> FlatPart:
        """Keeps the kit on the shelf; drawn as (x, z), one tenon through each end."""
        n, middle = self.n, self.rail_bottom + RAIL_HEIGHT / 2.0
        add = tenons(0, n, -1, [middle], RAIL_TENON, n) + tenons(0, self.l - n, 1, [middle], RAIL_TENON, n)
        outline = panel(rect(n, self.rail_bottom, self.l - n, self.rail_bottom + RAIL_HEIGHT), add=add)
        return FlatPart("front-rail", Placement3D("XZ", (0.0, self.rail_y - self.t / 2.0, 0.0)),
                        boned_outline(outline, self.r))

    def divider_long(self) -> FlatPart:
        """The crate's spine, drawn as (x, z): slotted from the top to mid-height where the cross dividers go."""
        top, half = self.base_top + CRATE_HEIGHT, CRATE_HEIGHT / 2.0
        slots = [notch(1, top, -1, x - self.s / 2.0, x + self.s / 2.0, half) for x in self.crosses]
        outline = panel(rect(self.n + 10.0, self.base_top, self.l - self.n - 10.0, top), cut=slots)
        return FlatPart("divider-long", Placement3D("XZ", (0.0, self.crate_y - self.t / 2.0, 0.0)),
                        boned_outline(outline, self.r))

    def divider_cross(self, name: str, x: float) -> FlatPart:
        """Drawn as (y, z): slotted from the bottom to mid-height where it crosses the spine."""
        half = CRATE_HEIGHT / 2.0
        slot = notch(1, self.base_top, 1, self.crate_y - self.s / 2.0, self.crate_y + self.s / 2.0, half)
        outline = panel(rect(10.0, self.base_top, self.inner_depth - 10.0, self.base_top + CRATE_HEIGHT), cut=[slot])
        return FlatPart(name, Placement3D("YZ", (x - self.t / 2.0, 0.0, 0.0)), boned_outline(outline, self.r),
                        circles=((self.inner_depth * 0.25, self.base_top + 120.0, 25.0),))

    def handle(self) -> FlatPart:
        """Bolted against the left end, drawn as (y, z); the grip stands over the worktop."""
        h = self.h
        outline = panel(rect(60.0, h - 250.0, self.d - 60.0, h + 160.0))
        grip = rounded_rectangle(110.0, h + 60.0, self.d - 110.0, h + 130.0, 30.0)
        drills = tuple((y, z, BOLT) for y, z in self._handle_bolts())
        return FlatPart("handle", Placement3D("YZ", (self.left_plane - self.t, 0.0, 0.0)),
                        boned_outline(outline, self.r), (grip,), drills=drills)

    def leaf(self) -> FlatPart:
        """The flip-up leaf, folded on the worktop between the ends' finger tips; drawn as (x, y)."""
        n = self.n
        outline = panel(rect(n + PLAY, 0.0, self.l - n - PLAY, self.d))
        pull = rounded_rectangle(self.l / 2.0 - 60.0, 30.0, self.l / 2.0 + 60.0, 60.0, 15.0)
        return FlatPart("leaf", Placement3D("XY", (0.0, 0.0, self.h - n + self.t)), boned_outline(outline, self.r),
                        (pull,), pockets=self._leaf_hinges(self.d - 8.0))

    def leaf_bracket(self, name: str, hinge_x: float, towards: int) -> FlatPart:
        """A triangle folded flat behind the back, hinged on its vertical edge; drawn as (x, z)."""
        top = self.h - self.n - 20.0
        corner = hinge_x + towards * LEAF_BRACKET
        triangle = Polygon([(hinge_x, top), (corner, top), (hinge_x, top - LEAF_BRACKET)])
        outline = panel(triangle)
        x, z = hinge_x + towards * LEAF_BRACKET / 3.5, top - LEAF_BRACKET / 3.5
        return FlatPart(name, Placement3D("XZ", (0.0, self.back_y + self.t / 2.0, 0.0)),
                        boned_outline(outline, self.r), circles=((x, z, 35.0),))

    def drop_leaf(self) -> FlatPart:
        """Hangs outside the right end, over its folded bracket; drawn as (y, z)."""
        outline = panel(rect(0.0, self.h - DROP_LEAF, self.d, self.h))
        pull = rounded_rectangle(self.d / 2.0 - 60.0, self.h - DROP_LEAF + 30.0, self.d / 2.0 + 60.0,
                                 self.h - DROP_LEAF + 60.0, 15.0)
        hinges = tuple((rounded_rectangle(y - 40.0, self.h - 33.0, y + 40.0, self.h - 8.0, 4.0), HINGE_DEPTH)
                       for y in (self.d * 0.25, self.d * 0.75))
        return FlatPart("drop-leaf", Placement3D("YZ", (self.right_plane + self.t, 0.0, 0.0)),
                        boned_outline(outline, self.r), (pull,), pockets=hinges)

    def drop_leaf_bracket(self) -> FlatPart:
        """Folded flat against the right end, swings out under the raised drop leaf; drawn as (y, z)."""
        hinge_y, top = self.d / 2.0 - 150.0, self.h - 30.0
        triangle = Polygon([(hinge_y, top), (hinge_y + LEAF_BRACKET, top), (hinge_y, top - LEAF_BRACKET)])
        return FlatPart("drop-leaf-bracket", Placement3D("YZ", (self.right_plane, 0.0, 0.0)),
                        boned_outline(panel(triangle), self.r),
                        circles=((hinge_y + LEAF_BRACKET / 3.5, top - LEAF_BRACKET / 3.5, 35.0),))


def _steps(start: float, stop: float, pitch: float) -> list[float]:
    """start, start + pitch, ... up to stop, centred in the span."""
    count = int((stop - start) // pitch) + 1 if stop >= start else 0
    offset = (stop - start - (count - 1) * pitch) / 2.0 if count else 0.0
    return [start + offset + i * pitch for i in range(count)]
