"""Dogbones and T-bones: the tool reaches every drawn inside corner, and only those."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import unary_union

from gcode.backplot import moves
from gcode.cam import CamSettings, sheet_toolpaths
from gcode.dogbones import add_bones
from gcode.tooling import CuttingData, Tool
from nester.model import Layout, Part, Placement, Sheet

TOOL = Tool("em6", "6 mm 2-flute end mill", 6.0)
R = TOOL.radius
CUTTING = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
THICKNESS = 18.0
SHIFT = (100.0, 100.0)


def toolpaths(*parts: Part, **changes):
    placements = tuple(Placement(part, 0.0, (SHIFT[0] + 400.0 * i, SHIFT[1])) for i, part in enumerate(parts))
    layout = Layout(Sheet(2000.0, 800.0, THICKNESS), placements)
    return sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, **changes), name="bones")


def moved(geometry):
    from shapely.affinity import translate
    return translate(geometry, *SHIFT)


def swept_at_full_depth(result):
    """What the tool removes on its deepest passes (XY), tabs aside."""
    deepest = -THICKNESS - 0.3
    lines = [LineString([m.start[:2], *m.xy_points(0.005)]) for m in moves(result.program.steps)
             if not m.is_rapid and None not in m.start and min(m.start[2], m.end[2]) <= deepest + 1e-9
             and m.start[:2] != m.end[:2]]
    return unary_union([line.buffer(R, quad_segs=32) for line in lines])


def uncut_edge(drawn, result) -> float:
    """Length of the drawn contour the tool never reaches on its deepest passes."""
    return drawn.exterior.difference(swept_at_full_depth(result).buffer(1e-3)).length


def panel_with_slot() -> Part:
    slot = box(100, 60, 140, 78.4)  # a slot for a nominal 18 mm panel
    return Part("side", Polygon(box(0, 0, 300, 200).exterior.coords, [slot.exterior.coords]))


def test_dogbones_let_the_tool_reach_every_corner_of_a_slot():
    result = toolpaths(panel_with_slot(), tab_height=0.0)
    slot = moved(box(100, 60, 140, 78.4))
    assert uncut_edge(slot, result) < 1e-3
    bones = [b for job_bones in [result.bones] for b in job_bones]
    assert len(bones) == 4
    for bone in bones:
        nearest = min(slot.exterior.coords, key=lambda c: math.dist(c, bone))
        assert math.dist(nearest, bone) == pytest.approx(R, abs=1e-6)  # the tool's edge touches the corner


def test_without_bones_the_round_tool_leaves_its_radius_in_each_corner():
    result = toolpaths(panel_with_slot(), tab_height=0.0, dogbones="off")
    # Each corner keeps one radius of both walls out of the tool's reach.
    assert uncut_edge(moved(box(100, 60, 140, 78.4)), result) == pytest.approx(4 * 2 * R, abs=0.5)
    assert result.bones == ()


def test_t_bones_run_along_the_long_walls_and_overcut_only_the_short_ones():
    result = toolpaths(panel_with_slot(), tab_height=0.0, dogbones="tbone")
    slot = moved(box(100, 60, 140, 78.4))
    swept = swept_at_full_depth(result)
    assert uncut_edge(slot, result) < 1e-3
    assert len(result.bones) == 4
    for x, y in result.bones:
        # On the long walls' offset line, one radius from the corner: the cut goes into the short wall.
        assert min(abs(y - 160.0), abs(y - 178.4)) == pytest.approx(R, abs=1e-6)
        assert min(abs(x - 200.0), abs(x - 240.0)) == pytest.approx(0.0, abs=1e-6)
    beyond_long_walls = swept.intersection(moved(box(95, 50, 145, 60)).union(moved(box(95, 78.4, 145, 90))))
    assert beyond_long_walls.area < 1e-3
    beyond_short_walls = swept.intersection(moved(box(90, 55, 100, 85)))
    assert beyond_short_walls.area > 1.0


def test_a_slot_from_the_edge_gets_bones_in_its_two_inner_corners_only():
    notched = Polygon([(0, 0), (300, 0), (300, 200), (160, 200), (160, 120), (141.6, 120), (141.6, 200),
                       (0, 200)])
    result = toolpaths(Part("leg", notched), tab_height=0.0)
    assert len(result.bones) == 2
    for corner, bone in zip(sorted([(241.6, 220.0), (260.0, 220.0)]), sorted(result.bones)):
        assert math.dist(corner, bone) == pytest.approx(R, abs=1e-6)
    notch_bottom = LineString([(241.6, 220.0), (260.0, 220.0)])
    assert notch_bottom.difference(swept_at_full_depth(result).buffer(1e-3)).length < 1e-3


def test_rounded_and_blunt_corners_get_no_bones():
    drawn_round = box(100, 60, 140, 90).buffer(-4.0).buffer(4.0)  # corners of radius 4 > tool radius
    octagon = Point(200, 100).buffer(30.0, quad_segs=2)  # 135 degree corners
    outline = Polygon(box(0, 0, 300, 200).exterior.coords, [drawn_round.exterior.coords, octagon.exterior.coords])
    result = toolpaths(Part("plate", outline), tab_height=0.0)
    assert result.bones == ()


def test_an_l_shaped_hole_gets_bones_in_its_five_square_corners_not_its_inside_one():
    ell = Polygon([(50, 50), (150, 50), (150, 80), (80, 80), (80, 150), (50, 150)])
    result = toolpaths(Part("plate", Polygon(box(0, 0, 300, 200).exterior.coords, [ell.exterior.coords])),
                       tab_height=0.0)
    assert len(result.bones) == 5
    assert uncut_edge(moved(ell), result) < 1e-3


def test_bones_can_be_turned_off_for_one_part():
    result = toolpaths(panel_with_slot(), Part("shelf", panel_with_slot().outline), tab_height=0.0,
                       dogbone_overrides=(("shelf", "off"),))
    assert len(result.bones) == 4
    assert all(x < 500.0 for x, _ in result.bones)  # only the first part, placed at x = 100


def test_tabs_keep_clear_of_bones():
    notched = Polygon([(0, 0), (300, 0), (300, 200), (160, 200), (160, 120), (141.6, 120), (141.6, 200),
                       (0, 200)])
    result = toolpaths(Part("leg", notched), tab_spacing=150.0, tab_width=10.0)
    assert result.tabs
    for tab in result.tabs:
        for bone in result.bones:
            assert math.dist(tab, bone) > 10.0 / 2 + R


def test_narrowing_offsets_are_not_mistaken_for_corners():
    # An hourglass hole: the offset pinches in the waist, where no drawn corner is.
    hourglass = Polygon([(0, 0), (60, 0), (60, 30), (32, 40), (60, 50), (60, 80), (0, 80), (0, 50), (28, 40),
                         (0, 30)])
    from gcode.offsets import hole_contours
    contours = hole_contours(hourglass.exterior, R)
    assert len(contours) == 2  # the 4 mm waist is narrower than the tool
    drawn = list(hourglass.exterior.coords)
    bones = [b for c in contours for b in add_bones(c, drawn, R, "dogbone")[1]]
    # The four square corners and the four 109 degree ones get bones; the sharp tips of the
    # offsets by the waist, where no corner is drawn, do not.
    assert len(bones) == 8
    assert not any(20 < x < 40 and 30 < y < 50 for x, y in bones)
    for bone in bones:
        assert min(math.dist(bone, c) for c in drawn) == pytest.approx(R, abs=1e-6)


def test_layer_names_choose_the_bones_of_each_contour_of_a_plan(tmp_path):
    import ezdxf

    from nester.layers import dogbone_style
    from nester.plans import load_plan

    assert [dogbone_style(n) for n in ("CUT_INSIDE_TBONE", "3_ANYTOOL_NODOGBONE", "SLOTS_T-BONES", "DOG_BONE",
                                       "CUT_BONE_OUTSIDE", "CUT_INSIDE")] == [
        "tbone", "off", "tbone", "dogbone", None, None]
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (600, 0), (600, 200), (0, 200)], close=True, dxfattribs={"layer": "CUT_OUTSIDE"})
    for x0, layer in ((100, "CUT_INSIDE"), (250, "CUT_INSIDE_TBONE"), (400, "CUT_INSIDE_NODOGBONE")):
        msp.add_lwpolyline([(x0, 60), (x0 + 40, 60), (x0 + 40, 78.4), (x0, 78.4)], close=True,
                           dxfattribs={"layer": layer})
    path = tmp_path / "panel.dxf"
    doc.saveas(path)
    (part,) = load_plan(path).parts
    assert part.corner_styles[0] == "" and sorted(part.corner_styles[1:]) == ["", "off", "tbone"]
    layout = Layout(Sheet(2000.0, 800.0, THICKNESS), (Placement(part, 0.0, (0.0, 0.0)),))
    result = sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, tab_height=0.0), name="bones")
    bones = sorted(result.bones)
    assert len(bones) == 8  # 4 dogbones in the plain slot, 4 T-bones, none in the NODOGBONE slot
    dog = [b for b in bones if b[0] < 200]
    tee = [b for b in bones if 200 < b[0] < 350]
    assert len(dog) == len(tee) == 4
    assert all(min(abs(y - 60), abs(y - 78.4)) == pytest.approx(R / math.sqrt(2), abs=1e-6) for _, y in dog)
    assert all(min(abs(y - 60), abs(y - 78.4)) == pytest.approx(R, abs=1e-6) for _, y in tee)
    # The job's per-part choice beats the plan's layers.
    result = sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, tab_height=0.0,
                                                 dogbone_overrides=((part.name, "off"),)), name="bones")
    assert result.bones == ()


@pytest.mark.parametrize("layer, style, bones", [("POCKET_9MM", "dogbone", 4), ("POCKET_9MM_TBONE", "dogbone", 4),
                                                 ("POCKET_9MM_NODOGBONE", "dogbone", 0), ("POCKET_9MM", "off", 0)])
def test_a_housing_pocket_gets_bones_so_a_square_shelf_seats(layer, style, bones):
    from nester.model import Feature, Operation

    housing = box(100, 60, 140, 78.4)
    part = Part("side", box(0, 0, 300, 200), (Feature(Operation.POCKET, housing, depth=9.0, layer=layer),))
    result = toolpaths(part, tab_height=0.0, dogbones=style)
    assert len(result.bones) == bones
    floor = [LineString([m.start[:2], *m.xy_points(0.005)]) for m in moves(result.program.steps)
             if not m.is_rapid and None not in m.start and m.start[2] == pytest.approx(-9.0)
             and m.end[2] == pytest.approx(-9.0) and m.start[:2] != m.end[:2]]
    cleared = unary_union([line.buffer(R, quad_segs=32) for line in floor])
    left = moved(housing).difference(cleared).area
    if bones:
        assert left < 1e-3
    else:
        assert left == pytest.approx(4 * (R * R - math.pi * R * R / 4), rel=0.05)


def test_tabs_never_cover_the_bones_of_a_comb_even_when_tabs_are_dense():
    comb = box(0, 0, 400, 100)
    for k in range(8):
        comb = comb.difference(box(20 + 45 * k, 60, 38.4 + 45 * k, 101))
    result = toolpaths(Part("comb", comb), tab_spacing=60.0, tab_width=6.0, tab_angle=45.0)
    reach = (6.0 + TOOL.diameter) / 2 + (4.0 + 0.3)  # half the span plus the flank
    for tab in result.tabs:
        for bone in result.bones:
            assert math.dist(tab, bone) > reach - 1e-6
    assert len(result.bones) == 16


def test_tabs_whose_flanks_would_leave_the_part_mostly_uncut_are_refused():
    from nester.errors import InputError

    nc = Tool("em6nc", "6 mm non-centre-cutting", 6.0, centre_cutting=False)
    layout = Layout(Sheet(2000.0, 800.0, THICKNESS), (Placement(Part("lid", box(0, 0, 150, 100)), 0.0, SHIFT),))
    with pytest.raises(InputError, match=r"part 'lid': 2 tabs with 123\.1 mm flanks \(at 2 degrees\) would leave less than "
                                         r"half of its \d+ mm outline cut through"):
        sheet_toolpaths(layout, CamSettings(nc, CUTTING, ramp_angle=2.0), name="x")
