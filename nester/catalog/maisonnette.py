"""La maisonnette: an upright wooden booth where a mediator and a visitor sit side by side
at one computer, screened from view.

Our own parametric model after the public description of the campaign's "Maizonet de
l'inclusion numérique" (a vertical, modular wooden case holding a computer and a
keyboard); the official plans are on the campaign wiki, and this is not them.

The case is a box: two sides finger-jointed to the roof, a back screen, a bottom shelf
(computer) on a plinth rail, the desk (screen and keyboard) and an upper shelf, all
with through tenons in the sides' mortises. Two dividers make pigeonholes above the
upper shelf: they cross it with half-lap slots and go up through the roof. A gable
on the roof, tenoned through it, carries the sign in a pocketed recess. Two wings,
hinged on the sides' front edges (pocketed hinge recesses), close the case like
doors for transport and open in line with the sides to screen the two people at the
desk; the assembly shows them open. Module bolt holes in the sides join booths side
by side.

World axes: x across the front (0 to width), y front to back, z up from the floor.
"""

from __future__ import annotations

from collections.abc import Mapping

from shapely.geometry import Polygon

from nester.catalog.assembly import Placement3D
from nester.catalog.drawing import rounded_rectangle
from nester.catalog.fit import FitParameters
from nester.catalog.flat_part import FlatPart, check_sizes
from nester.catalog.joinery import boned_outline, finger_notches, mortise, notch, panel, rect, tenons

DIMENSIONS = {"width": 1180.0, "depth": 600.0, "height": 1500.0, "desk_height": 740.0}
RANGES = {  # mm, what the joints and the sheet allow
    "width": (700.0, 1230.0),
    "depth": (400.0, 1000.0),
    "height": (1000.0, 2400.0),
    "desk_height": (380.0, 1900.0),
}

PLINTH = 80.0  # the bottom shelf's underside
BACK_INSET = 20.0  # from the back edge of the sides to the back screen
GABLE_INSET = 20.0  # from the front edge of the roof to the gable
SHELF_TENON = 80.0
BACK_TENON = 100.0
DIVIDER_TENON = 60.0
GABLE_TENON = 80.0
FINGERS = 5  # along the depth, where the roof meets a side
UPPER_SHELF_DEPTH = 400.0
DIVIDER_DROP = 150.0  # how far the dividers reach under the upper shelf
BOLT = 8.0
WING = 550.0  # how far the open wings reach in front of the sides
HINGE = (30.0, 80.0)  # a hinge leaf's recess, across and along the hinge line
HINGE_DEPTH = 3.0
# Between parts that only meet (no joint): room for sheets up to this much over nominal.
PLAY = 1.0


def parts(fit: FitParameters, dimensions: Mapping[str, float]) -> list[FlatPart]:
    check_sizes(dict(dimensions), RANGES)
    return _Booth(fit, **dimensions).parts()


class _Booth:
    def __init__(self, fit: FitParameters, width: float, depth: float, height: float, desk_height: float):
        if not PLINTH + 300.0 <= desk_height <= height - 500.0:
            raise ValueError(f"desk_height must leave 300 mm under it and 500 mm over it, got {desk_height:g}")
        self.fit, self.w, self.d, self.h = fit, width, depth, height
        n = fit.nominal
        self.n, self.t, self.s, self.c, self.r = n, fit.thickness, fit.slot, fit.clearance, fit.bone_radius
        self.back_y = depth - BACK_INSET - n / 2.0  # centre line of the back screen
        self.shelf_depth = self.back_y - n / 2.0 - 5.0  # shelves stop short of the back screen
        self.upper_depth = min(UPPER_SHELF_DEPTH, self.shelf_depth)
        # Centre lines (z) of the shelves: their mortises, and so the shelves, are centred there.
        self.bottom_z = PLINTH + n / 2.0
        self.desk_z = desk_height - n / 2.0
        self.upper_z = min(desk_height + 460.0, height - n - 120.0) - n / 2.0
        self.rail_y = 40.0 + n / 2.0
        self.gable_y = GABLE_INSET + n / 2.0
        self.dividers = (width / 3.0, 2.0 * width / 3.0)
        self.back_tenons_z = [f * (height - n) for f in (0.2, 0.5, 0.8)]

    def _shelf_tenons_y(self, shelf_depth: float) -> list[float]:
        return [shelf_depth * 0.25, shelf_depth * 0.75]

    def parts(self) -> list[FlatPart]:
        return [self.side("side-left", self.n - self.t), self.side("side-right", self.w - self.n), self.roof(),
                self.back(), self.shelf("bottom", self.bottom_z, self.shelf_depth), self.desk(), self.upper_shelf(),
                self.divider("divider-left", self.dividers[0]), self.divider("divider-right", self.dividers[1]),
                self.plinth_rail(), self.gable(), self.wing("wing-left", self.n - self.t),
                self.wing("wing-right", self.w - self.n)]

    def side(self, name: str, x: float) -> FlatPart:
        """Drawn as (y, z), seen from the left; x: its outer face on the left, inner on the right."""
        n, s, c, r = self.n, self.s, self.c, self.r
        gaps = finger_notches(1, self.h, -1, 0.0, self.d, FINGERS, 0, n, c)
        outline = panel(rect(0.0, 0.0, self.d, self.h), cut=gaps)
        holes = [mortise(y, z, SHELF_TENON + c, s, r)
                 for z, depth in ((self.bottom_z, self.shelf_depth), (self.desk_z, self.shelf_depth),
                                  (self.upper_z, self.upper_depth))
                 for y in self._shelf_tenons_y(depth)]
        holes += [mortise(self.back_y, z, s, BACK_TENON + c, r) for z in self.back_tenons_z]
        holes.append(mortise(self.rail_y, PLINTH / 2.0, s, PLINTH / 2.0 + c, r))
        bolts = tuple((y, z, BOLT) for y in (100.0, self.d - 150.0) for z in (300.0, self.h - 200.0))
        cable = ((self.d - 120.0, 200.0, 30.0),)
        return FlatPart(name, Placement3D("YZ", (x, 0.0, 0.0)), boned_outline(outline, r), tuple(holes),
                        circles=cable, drills=bolts, pockets=self._hinges(5.0))

    def _hinge_heights(self) -> list[float]:
        return [PLINTH + 250.0, self.h - 350.0]

    def _hinges(self, y: float) -> tuple:
        """Hinge leaf recesses with their edge ``y`` a few mm from the hinge line."""
        across, along = HINGE
        y0, y1 = (y, y + across) if y > 0 else (y - across, y)
        return tuple((rounded_rectangle(y0, z - along / 2.0, y1, z + along / 2.0, 4.0), HINGE_DEPTH)
                     for z in self._hinge_heights())

    def wing(self, name: str, x: float) -> FlatPart:
        """A door of the case, shown open in line with its side; drawn as (y, z), y < 0 in front."""
        outline = panel(rect(-WING, PLINTH + 20.0, -2.0, self.h - 100.0))
        window = ((-WING / 2.0, self.h - 450.0, 90.0),)
        return FlatPart(name, Placement3D("YZ", (x, 0.0, 0.0)), boned_outline(outline, self.r), circles=window,
                        pockets=self._hinges(-7.0))

    def roof(self) -> FlatPart:
        """Drawn as (x, y); it rests on the bottoms of the sides' finger gaps."""
        n, s, c, r = self.n, self.s, self.c, self.r
        gaps = finger_notches(0, 0.0, 1, 0.0, self.d, FINGERS, 1, n, c)
        gaps += finger_notches(0, self.w, -1, 0.0, self.d, FINGERS, 1, n, c)
        outline = panel(rect(0.0, 0.0, self.w, self.d), cut=gaps)
        holes = [mortise(x, self.back_y, BACK_TENON + c, s, r) for x in self._back_top_tenons_x()]
        holes += [mortise(x, y, s, DIVIDER_TENON + c, r) for x in self.dividers for y in self._divider_tenons_y()]
        holes += [mortise(x, self.gable_y, GABLE_TENON + c, s, r) for x in self._gable_tenons_x()]
        return FlatPart("roof", Placement3D("XY", (0.0, 0.0, self.h - n)), boned_outline(outline, r), tuple(holes))

    def _back_top_tenons_x(self) -> list[float]:
        return [self.w * 0.3, self.w * 0.7]

    def _divider_tenons_y(self) -> list[float]:
        return [self.upper_depth * 0.3, self.upper_depth * 0.7]

    def _gable_tenons_x(self) -> list[float]:
        return [self.w * 0.2, self.w * 0.5, self.w * 0.8]  # clear of the dividers' tenons

    def back(self) -> FlatPart:
        """The screen behind the desk, drawn as (x, z); tenons through the sides and the roof."""
        n, r = self.n, self.r
        top = self.h - n
        add = tenons(0, n, -1, self.back_tenons_z, BACK_TENON, n)
        add += tenons(0, self.w - n, 1, self.back_tenons_z, BACK_TENON, n)
        add += tenons(1, top, 1, self._back_top_tenons_x(), BACK_TENON, n)
        outline = panel(rect(n, 0.0, self.w - n, top), add=add)
        cable = ((self.w / 2.0, self.desk_z + 120.0, 40.0),)
        return FlatPart("back", Placement3D("XZ", (0.0, self.back_y - self.t / 2.0, 0.0)),
                        boned_outline(outline, r), circles=cable)

    def shelf(self, name: str, z: float, depth: float, cut=(), circles=(), pockets=()) -> FlatPart:
        """A shelf between the sides, drawn as (x, y), centred on its mortises' line z."""
        n = self.n
        add = tenons(0, n, -1, self._shelf_tenons_y(depth), SHELF_TENON, n)
        add += tenons(0, self.w - n, 1, self._shelf_tenons_y(depth), SHELF_TENON, n)
        outline = panel(rect(n, 0.0, self.w - n, depth), add=add, cut=list(cut))
        return FlatPart(name, Placement3D("XY", (0.0, 0.0, z - self.t / 2.0)), boned_outline(outline, self.r),
                        circles=tuple(circles), pockets=tuple(pockets))

    def desk(self) -> FlatPart:
        grommet = ((self.w / 2.0, self.shelf_depth - 60.0, 30.0),)
        pen_tray = (rounded_rectangle(self.w - 360.0, 40.0, self.w - 80.0, 75.0, 12.0), 4.0)
        return self.shelf("desk", self.desk_z, self.shelf_depth, circles=grommet, pockets=(pen_tray,))

    def upper_shelf(self) -> FlatPart:
        """Half-lap slots from its back edge to mid-depth, where the dividers cross it."""
        half = self.upper_depth / 2.0
        slots = [notch(1, self.upper_depth, -1, x - self.s / 2.0, x + self.s / 2.0, half) for x in self.dividers]
        return self.shelf("upper-shelf", self.upper_z, self.upper_depth, cut=slots)

    def divider(self, name: str, x: float) -> FlatPart:
        """Drawn as (y, z); slotted from its front edge to mid-depth, tenons up through the roof."""
        n, s = self.n, self.s
        top = self.h - n
        add = tenons(1, top, 1, self._divider_tenons_y(), DIVIDER_TENON, n)
        slot = notch(0, 0.0, 1, self.upper_z - s / 2.0, self.upper_z + s / 2.0, self.upper_depth / 2.0)
        outline = panel(rect(0.0, self.upper_z - DIVIDER_DROP, self.upper_depth, top), add=add, cut=[slot])
        return FlatPart(name, Placement3D("YZ", (x - self.t / 2.0, 0.0, 0.0)), boned_outline(outline, self.r))

    def plinth_rail(self) -> FlatPart:
        """The kick rail under the bottom shelf, drawn as (x, z); one tenon through each side."""
        n = self.n
        add = tenons(0, n, -1, [PLINTH / 2.0], PLINTH / 2.0, n) + tenons(0, self.w - n, 1, [PLINTH / 2.0],
                                                                        PLINTH / 2.0, n)
        outline = panel(rect(n, 0.0, self.w - n, PLINTH - PLAY), add=add)
        return FlatPart("plinth", Placement3D("XZ", (0.0, self.rail_y - self.t / 2.0, 0.0)),
                        boned_outline(outline, self.r))

    def gable(self) -> FlatPart:
        """The house-shaped sign board on the roof's front edge, drawn as (x, height over the roof)."""
        n, w = self.n, self.w
        eaves, ridge = 120.0, 300.0
        house = Polygon([(60.0, 0.0), (w - 60.0, 0.0), (w - 60.0, eaves), (w / 2.0, ridge), (60.0, eaves)])
        outline = panel(house, add=tenons(1, 0.0, -1, self._gable_tenons_x(), GABLE_TENON, n))
        sign = (rounded_rectangle(w / 2.0 - 200.0, 80.0, w / 2.0 + 200.0, 180.0, 15.0), 3.0)
        roof_top = self.h - n + self.t  # it stands on the roof, whatever the roof measures
        return FlatPart("gable", Placement3D("XZ", (0.0, self.gable_y - self.t / 2.0, roof_top)),
                        boned_outline(outline, self.r), pockets=(sign,))

