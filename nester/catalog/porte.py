"""La porte: a free-standing counter under an arch that carries the sign.

Our own parametric model after the public description of the campaign's "Porte
Numérique" (a counter and an arch carrying signage; a rolling mode one mediator moves
and fits in a car boot, a deployed mode on two unfolded feet); the official plans are
on the campaign wiki, and this is not them. Plywood parts only: the fabric, the
wheels and the bolts are bought.

The counter is a box: a front panel finger-jointed to the two sides, whose tenons
go up through the counter top; a bottom board and a shelf with through tenons in the
sides' mortises; a divider that crosses the shelf with half-lap slots and goes up
through the top. The front's window takes a stretched fabric sign. The arch is two
layers of plywood segments bolted together with staggered joints; the back layer's
feet are tenons through the counter top, so the arch lifts off for the road. The two
feet pivot on bolts at the bottom of the sides: up along the sides in rolling mode
(on wheels at the back), down along the floor when deployed, as the assembly shows.

World axes: x across the front (0 to width), y front to back, z up from the floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from nester.catalog.assembly import Placement3D
from nester.catalog.drawing import Corner, Vertex, bulge_for_arc, rounded_rectangle, with_dogbones
from nester.catalog.fit import FitParameters
from nester.catalog.flat_part import FlatPart, check_sizes
from nester.catalog.joinery import boned_outline, finger_notches, mortise, notch, panel, rect, tenons

DIMENSIONS = {"width": 1000.0, "depth": 450.0, "height": 1050.0, "arch_height": 2100.0}
RANGES = {  # mm, what the joints and the sheet allow
    "width": (700.0, 1200.0),
    "depth": (350.0, 700.0),
    "height": (800.0, 1200.0),
    "arch_height": (1500.0, 3500.0),
}

FRONT_BOTTOM = 40.0  # toe space under the front panel
FINGERS = 7  # up the front corners
BOTTOM = 100.0  # underside of the bottom board
TOP_OVERHANG = 30.0  # of the counter top, in front
TOP_EAVES = 20.0  # of the counter top, over the sides
TENON = 70.0
ARCH_BAND = 100.0  # width of an arch segment
ARCH_INSET = 30.0  # from the counter's sides to the arch's outer edge
ARCH_TENON = 60.0
FOOT_REACH = 250.0  # in front of the counter, deployed
FOOT_HEIGHT = 90.0
PIVOT, PIN, BOLT = 10.0, 8.0, 8.0
SIGN = (640.0, 180.0)
PLAY = 1.0  # between parts that only meet, so sheets over nominal still go together
# The sides are centred on the top's mortises: a side thicker than nominal grows inwards by
# half the excess, so what meets its inner face stands this much further in.
INSIDE_PLAY = PLAY / 2.0
# The segments of each layer, from the left foot (None) to the right foot (None), in degrees
# on the arch's half circle (180 on the left, 0 on the right). The layers' joints are staggered,
# and bolts pair the layers on both sides of every joint.
BACK_LAYER = (("arch-back-left", None, 120.0), ("arch-back-crown", 120.0, 60.0), ("arch-back-right", 60.0, None))
FRONT_LAYER = (("arch-front-left", None, 90.0), ("arch-front-right", 90.0, None))
BOLT_ANGLES = (130.0, 110.0, 100.0, 80.0, 70.0, 50.0)
SIGN_BOLTS = (100.0, 80.0)


def parts(fit: FitParameters, dimensions: Mapping[str, float]) -> list[FlatPart]:
    check_sizes(dict(dimensions), RANGES)
    return _Counter(fit, **dimensions).parts()


class _Counter:
    def __init__(self, fit: FitParameters, width: float, depth: float, height: float, arch_height: float):
        n = fit.nominal
        self.fit, self.w, self.d, self.h = fit, width, depth, height
        self.n, self.t, self.s, self.c, self.r = n, fit.thickness, fit.slot, fit.clearance, fit.bone_radius
        self.outer = width / 2.0 - ARCH_INSET
        self.inner = self.outer - ARCH_BAND
        self.jamb = arch_height - height - self.outer  # straight legs under the half circle
        if self.jamb < 100.0:
            raise ValueError(f"arch_height must be at least {height + self.outer + 100.0:g} mm for this width")
        self.top_z = height - n  # underside of the counter top
        self.bottom_z = BOTTOM + n / 2.0
        self.shelf_z = (BOTTOM + height) / 2.0
        self.inner_depth = (n + PLAY, depth - 20.0)
        self.arch_y = depth / 2.0 + 40.0  # centre line of the back layer's mortises
        self.left_plane = min(0.0, n / 2.0 - self.t / 2.0)  # the feet stand outside the sides and fingers
        self.right_plane = max(width, width - n / 2.0 + self.t / 2.0)

    def parts(self) -> list[FlatPart]:
        counter = [self.front(), self.side("side-left", self.n / 2.0), self.side("side-right", self.w - self.n / 2.0),
                   self.top(), self.bottom(), self.shelf(), self.divider(),
                   self.foot("foot-left", self.left_plane - self.t), self.foot("foot-right", self.right_plane)]
        back_y = self.arch_y - self.t / 2.0
        arch = [self.arch_segment(name, start, end, back_y, feet_tenons=True) for name, start, end in BACK_LAYER]
        arch += [self.arch_segment(name, start, end, back_y - self.t, feet_tenons=False)
                 for name, start, end in FRONT_LAYER]
        return counter + arch + [self.sign(back_y - 2.0 * self.t)]

    def _tenons_y(self) -> list[float]:
        lo, hi = self.inner_depth
        return [lo + (hi - lo) * 0.25, lo + (hi - lo) * 0.75]

    def side(self, name: str, x: float) -> FlatPart:
        """Drawn as (y, z), centred on the top's mortises at x; finger gaps up its front edge."""
        n, s, c, r = self.n, self.s, self.c, self.r
        gaps = finger_notches(0, 0.0, 1, FRONT_BOTTOM, self.top_z, FINGERS, 0, n, c)
        outline = panel(rect(0.0, 0.0, self.d, self.top_z), add=tenons(1, self.top_z, 1, self._tenons_y(), TENON, n),
                        cut=gaps)
        holes = [mortise(y, z, TENON + c, s, r) for z in (self.bottom_z, self.shelf_z) for y in self._tenons_y()]
        drills = ((self.d / 2.0, FOOT_HEIGHT / 2.0, PIVOT), (self.d / 2.0 - 120.0, FOOT_HEIGHT / 2.0, PIN),
                  (self.d - 60.0, 60.0, PIVOT))  # foot pivot, foot lock pin, wheel axle
        return FlatPart(name, Placement3D("YZ", (x - self.t / 2.0, 0.0, 0.0)), boned_outline(outline, r),
                        tuple(holes), drills=drills)

    def front(self) -> FlatPart:
        """Drawn as (x, z); its window takes the fabric sign."""
        depth, c = self.n + INSIDE_PLAY, self.c
        gaps = finger_notches(0, 0.0, 1, FRONT_BOTTOM, self.top_z, FINGERS, 1, depth, c)
        gaps += finger_notches(0, self.w, -1, FRONT_BOTTOM, self.top_z, FINGERS, 1, depth, c)
        outline = panel(rect(0.0, FRONT_BOTTOM, self.w, self.top_z), cut=gaps)
        window = rounded_rectangle(150.0, 350.0, self.w - 150.0, self.top_z - 200.0, 60.0)
        return FlatPart("front", Placement3D("XZ", (0.0, self.n - self.t, 0.0)), boned_outline(outline, self.r),
                        (window,))

    def top(self) -> FlatPart:
        """Drawn as (x, y): mortises for the sides, the divider and the arch's feet."""
        s, c, r = self.s, self.c, self.r
        outline = panel(rect(-TOP_EAVES, -TOP_OVERHANG, self.w + TOP_EAVES, self.d))
        holes = [mortise(x, y, s, TENON + c, r) for x in (self.n / 2.0, self.w - self.n / 2.0, self.w / 2.0)
                 for y in self._tenons_y()]
        holes += [mortise(self.w / 2.0 + side * (self.outer - ARCH_BAND / 2.0), self.arch_y, ARCH_TENON + c, s, r)
                  for side in (-1, 1)]
        return FlatPart("top", Placement3D("XY", (0.0, 0.0, self.top_z)), boned_outline(outline, r), tuple(holes))

    def _board(self, name: str, z: float, cut=()) -> FlatPart:
        """A board between the sides, drawn as (x, y), centred on its mortises' line z; its tenons
        reach the sides' nominal outer faces."""
        inside = self.n + INSIDE_PLAY
        y_tenons = self._tenons_y()
        add = tenons(0, inside, -1, y_tenons, TENON, inside) + tenons(0, self.w - inside, 1, y_tenons, TENON, inside)
        outline = panel(rect(inside, self.inner_depth[0], self.w - inside, self.inner_depth[1]), add=add,
                        cut=list(cut))
        return FlatPart(name, Placement3D("XY", (0.0, 0.0, z - self.t / 2.0)), boned_outline(outline, self.r))

    def bottom(self) -> FlatPart:
        return self._board("bottom", self.bottom_z)

    def shelf(self) -> FlatPart:
        """Slotted from its back edge to mid-depth where the divider crosses it."""
        lo, hi = self.inner_depth
        slot = notch(1, hi, -1, self.w / 2.0 - self.s / 2.0, self.w / 2.0 + self.s / 2.0, (hi - lo) / 2.0)
        return self._board("shelf", self.shelf_z, cut=[slot])

    def divider(self) -> FlatPart:
        """Drawn as (y, z): stands on the bottom board, slotted from its front edge, tenons through the top."""
        lo, hi = self.inner_depth
        floor = BOTTOM + self.n + PLAY
        slot = notch(0, lo, 1, self.shelf_z - self.s / 2.0, self.shelf_z + self.s / 2.0, (hi - lo) / 2.0)
        outline = panel(rect(lo, floor, hi, self.top_z), add=tenons(1, self.top_z, 1, self._tenons_y(), TENON, self.n),
                        cut=[slot])
        return FlatPart("divider", Placement3D("YZ", (self.w / 2.0 - self.t / 2.0, 0.0, 0.0)),
                        boned_outline(outline, self.r), circles=((hi - 80.0, self.shelf_z + 120.0, 30.0),))

    def foot(self, name: str, x: float) -> FlatPart:
        """Deployed along the floor, drawn as (y, z): a runner arched underneath, so it stands on its ends."""
        front, back = -FOOT_REACH, self.d / 2.0 + 60.0
        arch_from, arch_to = front + 100.0, back - 100.0
        rise = 25.0
        half = (arch_to - arch_from) / 2.0
        radius = (half * half + rise * rise) / (2.0 * rise)
        centre = (arch_from + half, rise - radius)
        bulge = bulge_for_arc((arch_from, 0.0), (arch_to, 0.0), centre, clockwise=True)
        outline = [(front, 0.0, 0.0), (arch_from, 0.0, bulge), (arch_to, 0.0, 0.0), (back, 0.0, 0.0),
                   (back, FOOT_HEIGHT, 0.0), (front, FOOT_HEIGHT, 0.0)]
        drills = ((self.d / 2.0, FOOT_HEIGHT / 2.0, PIVOT), (self.d / 2.0 - 120.0, FOOT_HEIGHT / 2.0, PIN))
        return FlatPart(name, Placement3D("YZ", (x, 0.0, 0.0)), outline, drills=drills)

    def _on_arch(self, radius: float, angle: float) -> tuple[float, float]:
        a = math.radians(angle)
        return self.w / 2.0 + radius * math.cos(a), self.jamb + radius * math.sin(a)

    def _foot_cap(self, left: bool, tenon: bool) -> list[Corner]:
        """The foot of a leg, from its inner to its outer edge on the right (outer to inner on the
        left), with the tenon that goes down through the counter top."""
        side = -1.0 if left else 1.0
        middle = self.w / 2.0 + side * (self.outer - ARCH_BAND / 2.0)
        edges = (self.w / 2.0 - self.outer, self.w / 2.0 - self.inner) if left else \
            (self.w / 2.0 + self.inner, self.w / 2.0 + self.outer)
        corners = [Corner(edges[0], 0.0)]
        if tenon:
            a, b = middle - ARCH_TENON / 2.0, middle + ARCH_TENON / 2.0
            corners += [Corner(a, 0.0, bone=True), Corner(a, -self.n), Corner(b, -self.n), Corner(b, 0.0, bone=True)]
        return corners + [Corner(edges[1], 0.0)]

    def _arch_outline(self, start: float | None, end: float | None, feet_tenons: bool) -> list[Vertex]:
        """A segment between two angles of the half circle, or down a leg to its foot (None):
        along the inner edge left to right, back along the outer edge."""
        first, last = 180.0 if start is None else start, 0.0 if end is None else end
        inner_arc = -math.tan(math.radians(first - last) / 4.0)  # clockwise over the top
        outer_arc = math.tan(math.radians(first - last) / 4.0)
        corners: list[Corner] = []
        if start is None:
            corners += self._foot_cap(left=True, tenon=feet_tenons)
            corners.append(Corner(*self._on_arch(self.inner, 180.0), bulge=inner_arc))
        else:
            corners.append(Corner(*self._on_arch(self.inner, first), bulge=inner_arc))
        if end is None:
            corners.append(Corner(*self._on_arch(self.inner, 0.0)))
            corners += self._foot_cap(left=False, tenon=feet_tenons)
            corners.append(Corner(*self._on_arch(self.outer, 0.0), bulge=outer_arc))
        else:
            corners.append(Corner(*self._on_arch(self.inner, last)))
            corners.append(Corner(*self._on_arch(self.outer, last), bulge=outer_arc))
        corners.append(Corner(*self._on_arch(self.outer, first)))
        return with_dogbones(corners, self.r)

    def _arch_bolts(self, start: float | None, end: float | None) -> tuple[tuple[float, float, float], ...]:
        first, last = 180.0 if start is None else start, 0.0 if end is None else end
        middle = (self.outer + self.inner) / 2.0
        bolts = [(*self._on_arch(middle, a), BOLT) for a in BOLT_ANGLES if last + 5.0 < a < first - 5.0]
        legs = [x for x, on in ((self.w / 2.0 - middle, start is None), (self.w / 2.0 + middle, end is None)) if on]
        return tuple(bolts + [(x, self.jamb / 2.0, BOLT) for x in legs])

    def arch_segment(self, name: str, start: float | None, end: float | None, y: float,
                     feet_tenons: bool) -> FlatPart:
        """Drawn as (x, height over the counter top); it stands on the top, whatever the top measures."""
        base = self.top_z + self.t
        return FlatPart(name, Placement3D("XZ", (0.0, y, base)), self._arch_outline(start, end, feet_tenons),
                        drills=self._arch_bolts(start, end))

    def sign(self, y: float) -> FlatPart:
        """Bolted in front of the crown, over the front layer's joint; a pocket takes the printed plate."""
        cx, cz = self._on_arch((self.outer + self.inner) / 2.0, 90.0)
        w, h = SIGN
        outline = rounded_rectangle(cx - w / 2.0, cz - h / 2.0, cx + w / 2.0, cz + h / 2.0, 30.0)
        plate = (rounded_rectangle(cx - w / 2.0 + 40.0, cz - h / 2.0 + 30.0, cx + w / 2.0 - 40.0, cz - 20.0, 10.0), 3.0)
        middle = (self.outer + self.inner) / 2.0
        bolts = tuple((*self._on_arch(middle, a), BOLT) for a in SIGN_BOLTS)
        return FlatPart("sign", Placement3D("XZ", (0.0, y, self.top_z + self.t)), outline, drills=bolts,
                        pockets=(plate,))
