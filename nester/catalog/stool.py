"""The demo stool: a seat on two crossed legs, slotted together, no screws, no glue.

Our own design for plycut's demo (not one of the campaign's plans). The legs cross
with a half-lap slot; four tenons go through mortises in the seat. Every joint is
sized from the measured sheet thickness plus a fit clearance (the seat height and
the tenon lengths from the nominal one), and every inside corner a square edge
must seat in carries a dogbone sized for the tool.

The plan deliberately uses what real plans contain: an LWPOLYLINE with bulges
(seat), loose LINE and ARC entities to be chained (legs), CIRCLE holes, an open
engraved polyline, a pocket, and part names as TEXT on an ignored layer.

Regenerate the shipped plan with ``python -m nester.catalog.stool``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ezdxf.document import Drawing

from nester.catalog.drawing import (
    Corner,
    add_lines_and_arcs,
    add_polyline,
    bulge_for_arc,
    mortise_corners,
    new_drawing,
    rounded_rectangle,
    with_dogbones,
)
from nester.catalog.fit import FitParameters

LAYERS = {"CUT_OUTSIDE": 5, "CUT_INSIDE": 4, "POCKET_3MM": 3, "ENGRAVE_1MM": 2, "NOTES": 8}
SHIPPED_PLAN = Path(__file__).with_name("stool.dxf")


@dataclass(frozen=True)
class StoolParameters(FitParameters):
    """mm: the fit (measured thickness, clearance, tool, nominal thickness: what the seat height
    and the tenons are drawn for) and the stool's own sizes."""

    height: float = 450.0
    seat: float = 360.0
    leg_width: float = 300.0
    tenon_width: float = 40.0
    tenon_offset: float = 90.0  # from the leg's centre line
    foot_arch_height: float = 60.0
    foot_arch_span: float = 180.0

    @property
    def leg_height(self) -> float:
        return self.height - self.nominal  # the seat sits on the leg shoulders


def _leg_top(p: StoolParameters, slot_from_top: bool) -> list[Corner]:
    """Right-to-left along the top edge: shoulders, tenons (boned roots), optional half-lap slot."""
    w, h, t = p.leg_width, p.leg_height, p.nominal  # tenons as long as the seat is thick
    centre = w / 2.0
    corners: list[Corner] = [Corner(w, h)]
    tenon_centres = (centre + p.tenon_offset, centre - p.tenon_offset)
    for index, tenon_x in enumerate(tenon_centres):
        right, left = tenon_x + p.tenon_width / 2.0, tenon_x - p.tenon_width / 2.0
        corners += [Corner(right, h, bone=True), Corner(right, h + t), Corner(left, h + t),
                    Corner(left, h, bone=True)]
        if index == 0 and slot_from_top:
            s = p.slot / 2.0
            corners += [Corner(centre + s, h), Corner(centre + s, h / 2.0, bone=True),
                        Corner(centre - s, h / 2.0, bone=True), Corner(centre - s, h)]
    corners.append(Corner(0.0, h))
    return corners


def _arch(p: StoolParameters) -> tuple[tuple[float, float], float]:
    """Centre and radius of the foot arch circle (its top at foot_arch_height)."""
    half, rise = p.foot_arch_span / 2.0, p.foot_arch_height
    radius = (half * half + rise * rise) / (2.0 * rise)
    return (p.leg_width / 2.0, rise - radius), radius


def leg_corners(p: StoolParameters, slot_from_top: bool) -> list[Corner]:
    """Counter-clockwise outline of a leg, from its lower-left corner."""
    w = p.leg_width
    centre_x = w / 2.0
    (cx, cy), r = _arch(p)
    left_foot, right_foot = (centre_x - p.foot_arch_span / 2.0, 0.0), (centre_x + p.foot_arch_span / 2.0, 0.0)
    corners = [Corner(0.0, 0.0)]
    if slot_from_top:
        corners.append(Corner(*left_foot, bulge=bulge_for_arc(left_foot, right_foot, (cx, cy), clockwise=True)))
    else:
        s = p.slot / 2.0
        arch_y = cy + math.sqrt(r * r - s * s)
        slot_left, slot_right = (centre_x - s, arch_y), (centre_x + s, arch_y)
        corners += [
            Corner(*left_foot, bulge=bulge_for_arc(left_foot, slot_left, (cx, cy), clockwise=True)),
            Corner(*slot_left),
            Corner(centre_x - s, p.leg_height / 2.0, bone=True),
            Corner(centre_x + s, p.leg_height / 2.0, bone=True),
            Corner(*slot_right, bulge=bulge_for_arc(slot_right, right_foot, (cx, cy), clockwise=True)),
        ]
    corners += [Corner(*right_foot), Corner(w, 0.0)]
    return corners + _leg_top(p, slot_from_top)


def _letter(msp, letter: str, x: float, y: float, size: float) -> None:
    """Single-stroke assembly mark, engraved: A or B."""
    w = size * 0.6
    if letter == "A":
        msp.add_lwpolyline([(x, y), (x + w / 2, y + size), (x + w, y)], dxfattribs={"layer": "ENGRAVE_1MM"})
        msp.add_line((x + w * 0.2, y + size * 0.4), (x + w * 0.8, y + size * 0.4), dxfattribs={"layer": "ENGRAVE_1MM"})
    else:
        half = size / 2.0
        bowl = w - half / 2.0
        msp.add_lwpolyline([(x, y, 0), (x, y + size, 0), (x + bowl, y + size, -1.0), (x + bowl, y + half, -1.0),
                            (x + bowl, y, 0), (x, y, 0)], format="xyb", dxfattribs={"layer": "ENGRAVE_1MM"})
        msp.add_line((x, y + half), (x + bowl, y + half), dxfattribs={"layer": "ENGRAVE_1MM"})


def _name(msp, text: str, x: float, y: float) -> None:
    msp.add_text(text, height=12.0, dxfattribs={"layer": "NOTES", "insert": (x, y)})


def stool_drawing(p: StoolParameters = StoolParameters()) -> Drawing:
    """The three parts side by side, as a plan sheet: seat, leg A (slot from the top), leg B."""
    doc = new_drawing(LAYERS)
    msp = doc.modelspace()
    gap = 40.0
    s, c = p.seat, p.seat / 2.0

    add_polyline(msp, rounded_rectangle(0.0, 0.0, s, s, 40.0), "CUT_OUTSIDE")
    mortise_long = p.tenon_width + p.clearance
    mortises = [((c + d, c), (mortise_long, p.slot)) for d in (-p.tenon_offset, p.tenon_offset)]  # leg A: along x
    mortises += [((c, c + d), (p.slot, mortise_long)) for d in (-p.tenon_offset, p.tenon_offset)]  # leg B: along y
    for centre, size in mortises:
        add_polyline(msp, with_dogbones(mortise_corners(centre, size), p.bone_radius), "CUT_INSIDE")
    msp.add_circle((s - 60.0, s - 60.0), 15.0, dxfattribs={"layer": "CUT_INSIDE"})  # hand hole
    add_polyline(msp, rounded_rectangle(c - 30.0, 30.0, c + 30.0, 55.0, 5.0), "POCKET_3MM")  # name plate recess
    _name(msp, "seat", 40.0, s - 40.0)

    for index, (name, slot_from_top) in enumerate((("leg-a", True), ("leg-b", False))):
        x0 = s + gap + index * (p.leg_width + gap)
        outline = [(x + x0, y, b) for x, y, b in with_dogbones(leg_corners(p, slot_from_top), p.bone_radius)]
        add_lines_and_arcs(msp, outline, "CUT_OUTSIDE")
        hole_y = p.leg_height * (0.28 if slot_from_top else 0.75)
        msp.add_circle((x0 + p.leg_width / 2.0 + 70.0, hole_y), 20.0, dxfattribs={"layer": "CUT_INSIDE"})
        _letter(msp, name[-1].upper(), x0 + 30.0, p.leg_height - 80.0, 30.0)
        _name(msp, name, x0 + 30.0, 100.0)
    return doc


def write_plan(path: Path, p: StoolParameters = StoolParameters()) -> None:
    stool_drawing(p).saveas(path)


if __name__ == "__main__":
    write_plan(SHIPPED_PLAN)
    print(f"wrote {SHIPPED_PLAN}")
