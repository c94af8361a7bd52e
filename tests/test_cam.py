"""sheet_toolpaths on real part geometry, checked by walking the steps it returns."""

from __future__ import annotations

import math
import re

import pytest
from ezdxf.math import ConstructionCircle
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box

from gcode.backplot import moves
from gcode.cam import CamSettings, sheet_toolpaths
from gcode.post import get_post
from gcode.tooling import CuttingData, Machine, Tool
from gcode.toolpath import ArcCut, Comment, Cut, Dwell, Rapid, SpindleOff, SpindleOn, ToolChange
from nester.errors import InputError
from nester.model import Feature, Layout, Operation, Part, Placement, Sheet

TOOL = Tool("em6", "6 mm 2-flute end mill", 6.0)
R = TOOL.radius
CUTTING = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
THICKNESS = 18.0
SHEET = Sheet(600.0, 400.0, THICKNESS)
THROUGH = THICKNESS + 0.3  # default overcut
TAB_Z = -THICKNESS + 4.0  # default tab height
MACHINE = Machine("router", "Test router", "grbl", (1000.0, 1000.0, 100.0), (5000.0, 5000.0, 1000.0))


def settings(**changes) -> CamSettings:
    """Straight plunges, square tabs, no bones: each pass is one depth and one offset.

    Ramps, ramped tabs and bones have their own tests."""
    return CamSettings(**{"tool": TOOL, "cutting": CUTTING, "entry": "plunge", "tab_angle": 90.0,
                          "dogbones": "off", **changes})


HOLE_RECT = box(20, 20, 60, 40)
HOLE_CIRCLE_CENTRE, HOLE_CIRCLE_RADIUS = (150.0, 50.0), 10.0
POCKET = box(80, 20, 130, 50)
POCKET_DEPTH = 10.0
DRILL_AT = (100.0, 80.0)
ENGRAVE_LINE = LineString([(20, 70), (60, 85)])
ENGRAVE_DEPTH = 1.0


def side_panel() -> Part:
    """A 200 x 100 panel with a rectangular and a round hole, a pocket, a drill and an engraving."""
    circle = Point(HOLE_CIRCLE_CENTRE).buffer(HOLE_CIRCLE_RADIUS, quad_segs=64)
    outline = Polygon(box(0, 0, 200, 100).exterior.coords, [HOLE_RECT.exterior.coords, circle.exterior.coords])
    features = (
        Feature(Operation.POCKET, POCKET, depth=POCKET_DEPTH, layer="POCKET"),
        Feature(Operation.DRILL, Point(DRILL_AT), layer="DRILL"),
        Feature(Operation.ENGRAVE, ENGRAVE_LINE, depth=ENGRAVE_DEPTH, layer="ENGRAVE"),
    )
    return Part("side", outline, features, source="cabinet.dxf")


def shelf() -> Part:
    return Part("shelf", box(0, 0, 60, 60))


def two_part_layout() -> Layout:
    # The shelf is turned a quarter turn: its toolpath must follow the placed outline.
    return Layout(SHEET, (Placement(side_panel(), 0.0, (20.0, 20.0)), Placement(shelf(), 90.0, (400.0, 20.0))))


# -- walking the steps (independent of gcode.backplot) ------------------------


def feed_points(steps, spacing=0.5):
    """(step index, x, y, z) every `spacing` mm along each feed move, after its start."""
    x = y = z = None
    points = []
    for index, step in enumerate(steps):
        if isinstance(step, Rapid):
            x = x if step.x is None else step.x
            y = y if step.y is None else step.y
            z = z if step.z is None else step.z
        elif isinstance(step, Cut):
            count = max(1, math.ceil(math.hypot(step.x - x, step.y - y) / spacing))
            for k in range(1, count + 1):
                t = k / count
                points.append((index, x + t * (step.x - x), y + t * (step.y - y), z + t * (step.z - z)))
            x, y, z = step.x, step.y, step.z
        elif isinstance(step, ArcCut):
            radius = math.hypot(x - step.cx, y - step.cy)
            a0 = math.atan2(y - step.cy, x - step.cx)
            a1 = math.atan2(step.y - step.cy, step.x - step.cx)
            sweep = ((a0 - a1) if step.clockwise else (a1 - a0)) % (2 * math.pi) or 2 * math.pi
            count = max(1, math.ceil(radius * sweep / spacing))
            sign = -1.0 if step.clockwise else 1.0
            for k in range(1, count + 1):
                a = a0 + sign * sweep * k / count
                points.append((index, step.cx + radius * math.cos(a), step.cy + radius * math.sin(a),
                               z + (step.z - z) * k / count))
            x, y, z = step.x, step.y, step.z
    return points


def positions(steps):
    """(step, (x, y, z) before the step) for every step."""
    x = y = z = None
    for step in steps:
        yield step, (x, y, z)
        if isinstance(step, Rapid):
            x = x if step.x is None else step.x
            y = y if step.y is None else step.y
            z = z if step.z is None else step.z
        elif isinstance(step, (Cut, ArcCut)):
            x, y, z = step.x, step.y, step.z


def below_top(points):
    return [p for p in points if p[3] < -1e-9]


@pytest.fixture(scope="module")
def sheet_result():
    return sheet_toolpaths(two_part_layout(), settings(), name="sheet-01", header=(("job", "cabinet"),))


@pytest.fixture(scope="module")
def placed(sheet_result):
    """The placed geometry of the layout, by name."""
    side, shelf_placement = two_part_layout().placements
    holes = [Polygon(ring) for ring in side.outline().interiors]
    return {
        "side": Polygon(side.outline().exterior),
        "shelf": Polygon(shelf_placement.outline().exterior),
        "rect hole": holes[0],
        "round hole": holes[1],
        "round hole centre": (HOLE_CIRCLE_CENTRE[0] + 20.0, HOLE_CIRCLE_CENTRE[1] + 20.0),
        "pocket": side.place(POCKET),
        "drill": side.place(Point(DRILL_AT)),
        "engrave": side.place(ENGRAVE_LINE),
    }


def classify(points, placed):
    """Cut points (below the top) by what they machine."""
    groups = {name: [] for name in ("side", "shelf", "rect hole", "round hole", "pocket", "drill", "engrave")}
    parts = [placed["side"].buffer(1e-6), placed["shelf"].buffer(1e-6)]
    for p in below_top(points):
        xy = Point(p[1], p[2])
        if not any(part.covers(xy) for part in parts):
            nearest = min(("side", "shelf"), key=lambda name: placed[name].exterior.distance(xy))
            groups[nearest].append(p)
        elif placed["drill"].distance(xy) < 1e-6:
            groups["drill"].append(p)
        elif placed["engrave"].distance(xy) < 1e-3:
            groups["engrave"].append(p)
        else:
            inside = [n for n in ("rect hole", "round hole", "pocket") if placed[n].covers(xy)]
            assert len(inside) == 1, f"cut point {p} is inside the part but machines nothing drawn"
            groups[inside[0]].append(p)
    return groups


@pytest.fixture(scope="module")
def groups(sheet_result, placed):
    return classify(feed_points(sheet_result.program.steps), placed)


# -- program structure --------------------------------------------------------


def test_program_starts_lifted_and_spinning_and_ends_lifted_and_stopped(sheet_result):
    program = sheet_result.program
    steps = program.steps
    assert steps[0] == ToolChange(TOOL)  # names the tool to load, before any motion
    assert steps[1] == Rapid(z=5.0)
    assert steps[2] == SpindleOn(18000.0)
    assert steps[3] == Dwell(3.0)
    assert steps[-2:] == (Rapid(z=5.0), SpindleOff())
    assert program.header == (("job", "cabinet"),)
    assert program.name == "sheet-01" and program.tool == TOOL and program.safe_z == 5.0
    assert sheet_result.warnings == ()


def test_xy_rapids_happen_only_at_safe_z_and_rapids_never_go_into_the_sheet(sheet_result):
    rapids = 0
    for step, (x, y, z) in positions(sheet_result.program.steps):
        if isinstance(step, Rapid):
            if step.x is not None or step.y is not None:
                assert z is not None and z >= 5.0, f"XY rapid at z={z}"
                rapids += 1
            if step.z is not None:
                assert step.z >= 1.0, f"rapid down to z={step.z}"
    assert rapids == 7  # one travel to each job: engraving, drill, pocket, two holes, two outlines


def test_spindle_starts_before_the_first_cut_below_the_top(sheet_result):
    steps = sheet_result.program.steps
    first_cut = next(i for i, s in enumerate(steps) if isinstance(s, (Cut, ArcCut)) and s.z < 0)
    spindle_on = next(i for i, s in enumerate(steps) if isinstance(s, SpindleOn))
    assert spindle_on < first_cut
    assert not any(isinstance(s, SpindleOff) for s in steps[:first_cut])


def test_steep_descents_use_the_plunge_feed_and_side_cuts_the_cutting_feed(sheet_result):
    plunges = side_cuts = 0
    for step, (x, y, z) in positions(sheet_result.program.steps):
        if isinstance(step, Cut):
            horizontal = math.hypot(step.x - x, step.y - y)
            if z - step.z > horizontal or horizontal < 1e-9:
                assert step.feed == CUTTING.plunge_feed
                plunges += 1
            else:
                assert step.feed == CUTTING.feed
                side_cuts += 1
        elif isinstance(step, ArcCut):
            assert step.feed == CUTTING.feed and step.z == z
    assert plunges > 10 and side_cuts > 100


def test_every_job_is_labelled_with_its_part(sheet_result):
    comments = [s.text for s in sheet_result.program.steps if isinstance(s, Comment)]
    assert "shelf: outside profile" in comments and "side: outside profile" in comments
    assert comments.count("side: hole") == 2


# -- geometry -----------------------------------------------------------------


def test_outside_toolpaths_stay_one_tool_radius_outside_each_placed_outline(groups, placed):
    for name in ("side", "shelf"):
        points = groups[name]
        for _, x, y, _ in points:
            assert abs(placed[name].exterior.distance(Point(x, y)) - R) <= 0.01, (name, x, y)
        expected = placed[name].buffer(R, quad_segs=64).exterior
        cut = MultiLineString([[(p[1], p[2]), (q[1], q[2])] for p, q in zip(points, points[1:])])
        for d in range(0, int(expected.length), 5):
            assert cut.distance(expected.interpolate(d)) < 0.05, f"{name}: ring not cut near {d} mm"


def test_hole_toolpaths_stay_one_tool_radius_inside_each_hole(groups, placed):
    for name in ("rect hole", "round hole"):
        points = groups[name]
        assert points, name
        for _, x, y, _ in points:
            assert abs(placed[name].exterior.distance(Point(x, y)) - R) <= 0.01, (name, x, y)
        expected = placed[name].buffer(-R, quad_segs=64).exterior
        cut = MultiLineString([[(p[1], p[2]), (q[1], q[2])] for p, q in zip(points, points[1:])])
        for d in range(0, int(expected.length), 2):
            assert cut.distance(expected.interpolate(d)) < 0.05, f"{name}: ring not cut near {d} mm"


def test_through_cuts_reach_the_overcut_and_named_depths_stop_there(groups):
    for name in ("side", "shelf", "rect hole", "round hole", "drill"):
        assert min(p[3] for p in groups[name]) == pytest.approx(-THROUGH, abs=1e-9), name
    assert min(p[3] for p in groups["pocket"]) == pytest.approx(-POCKET_DEPTH, abs=1e-9)
    assert min(p[3] for p in groups["engrave"]) == pytest.approx(-ENGRAVE_DEPTH, abs=1e-9)


def pass_levels(steps, group_points):
    """Distinct z of the horizontal feed moves that cut a group's points."""
    indices = {p[0] for p in group_points}
    return sorted({round(steps[i].z, 9) for i in indices if isinstance(steps[i], (Cut, ArcCut))}, reverse=True)


def test_depth_passes_are_equal_and_no_deeper_than_the_step_down(sheet_result, groups):
    steps = sheet_result.program.steps
    passes = math.ceil(THROUGH / CUTTING.step_down)
    through_levels = [round(-THROUGH * k / passes, 9) for k in range(1, passes + 1)]
    for name in ("shelf", "rect hole", "round hole"):
        levels = [z for z in pass_levels(steps, groups[name]) if z != TAB_Z]
        assert levels == through_levels, name
    pocket_passes = math.ceil(POCKET_DEPTH / CUTTING.step_down)
    assert pass_levels(steps, groups["pocket"]) == [round(-POCKET_DEPTH * k / pocket_passes, 9)
                                                    for k in range(1, pocket_passes + 1)]


def test_pocket_is_cleared_to_its_walls_without_lifting(sheet_result, groups, placed):
    pocket = placed["pocket"]
    points = groups["pocket"]
    for _, x, y, _ in points:
        assert pocket.exterior.distance(Point(x, y)) >= R - 0.01
    floor = [p for p in points if abs(p[3] + POCKET_DEPTH) < 1e-9]
    cleared = LineString([(p[1], p[2]) for p in floor]).buffer(R)
    reachable = pocket.buffer(-R).buffer(R)
    assert reachable.difference(cleared).area < 0.001 * reachable.area
    first, last = points[0][0], points[-1][0]
    assert not any(isinstance(s, Rapid) for s in sheet_result.program.steps[first:last])


def test_drill_pecks_to_depth_lifting_between_pecks(sheet_result, groups):
    steps = sheet_result.program.steps
    first, last = groups["drill"][0][0], groups["drill"][-1][0]
    pecks = [s for s in steps[first:last + 1] if isinstance(s, Cut)]
    passes = math.ceil(THROUGH / CUTTING.step_down)
    assert [s.z for s in pecks] == pytest.approx([-THROUGH * k / passes for k in range(1, passes + 1)])
    lifts = [s for s in steps[first:last + 1] if isinstance(s, Rapid)]
    assert lifts == [Rapid(z=1.0)] * (passes - 1)


def test_classes_are_cut_in_order_and_holes_before_their_outline(groups):
    order = ["engrave", "drill", "pocket", "rect hole", "round hole", "side"]
    first = {name: min(p[0] for p in groups[name]) for name in order}
    last = {name: max(p[0] for p in groups[name]) for name in order}
    assert last["engrave"] < first["drill"] and last["drill"] < first["pocket"]
    assert last["pocket"] < min(first["rect hole"], first["round hole"])
    assert max(last["rect hole"], last["round hole"]) < first["side"]


def test_small_parts_are_cut_free_before_big_ones(groups):
    assert max(p[0] for p in groups["shelf"]) < min(p[0] for p in groups["side"])


def test_each_profile_is_cut_to_full_depth_before_the_next_one(groups):
    for a, b in (("rect hole", "round hole"), ("shelf", "side")):
        first, second = sorted((groups[a], groups[b]), key=lambda pts: pts[0][0])
        assert max(p[0] for p in first) < min(p[0] for p in second)


def test_round_holes_are_cut_as_half_circle_arcs_around_their_centre(sheet_result, placed):
    cx, cy = placed["round hole centre"]
    arcs = [(s, pos) for s, pos in positions(sheet_result.program.steps)
            if isinstance(s, ArcCut) and math.hypot(s.cx - cx, s.cy - cy) < 1.0]
    assert len(arcs) == 2 * math.ceil(THROUGH / CUTTING.step_down)
    for arc, (x, y, _) in arcs:
        assert (arc.cx, arc.cy) == (pytest.approx(cx, abs=1e-6), pytest.approx(cy, abs=1e-6))
        assert math.hypot(x - cx, y - cy) == pytest.approx(HOLE_CIRCLE_RADIUS - R, abs=1e-6)
        assert math.hypot(arc.x - x, arc.y - y) == pytest.approx(2 * (HOLE_CIRCLE_RADIUS - R), abs=1e-6)
        assert arc.clockwise is False  # climb milling: holes counter-clockwise


# -- tabs ---------------------------------------------------------------------


def tabs_near(result, outline):
    return [t for t in result.tabs if abs(outline.exterior.distance(Point(t)) - R) < 0.01]


def test_each_part_gets_tabs_on_its_toolpath_away_from_corners(sheet_result, placed):
    assert len(sheet_result.tabs) == 4
    span = 10.0 + TOOL.diameter
    for name in ("side", "shelf"):
        tabs = tabs_near(sheet_result, placed[name])
        assert len(tabs) == 2, name
        for tab in tabs:
            for corner in placed[name].exterior.coords:
                assert math.dist(tab, corner) >= span / 2.0, (name, tab, corner)


def test_the_cut_rises_to_tab_top_over_each_tab_on_the_passes_below_it(sheet_result):
    steps = sheet_result.program.steps
    for tab in sheet_result.tabs:
        crossing = [(step, pos) for step, pos in positions(steps)
                    if isinstance(step, Cut) and step.z == pos[2] and step.z < 0
                    and LineString([pos[:2], (step.x, step.y)]).distance(Point(tab)) < 1e-6]
        levels = sorted({round(step.z, 9) for step, _ in crossing})
        assert levels[0] == TAB_Z, "the final passes cut through under a tab"
        assert all(z > TAB_Z for z in levels[1:])
        for step, pos in crossing:
            if step.z == TAB_Z:
                # the tool lifts for the tab width plus its diameter: the gap between its edges is the tab
                assert math.dist(pos[:2], (step.x, step.y)) == pytest.approx(10.0 + TOOL.diameter, abs=1e-6)


def test_a_long_part_gets_one_tab_per_tab_spacing():
    long_part = Part("plinth", box(0, 0, 1000, 100))
    layout = Layout(Sheet(1200, 400, THICKNESS), (Placement(long_part, 0.0, (50.0, 50.0)),))
    result = sheet_toolpaths(layout, settings(), name="plinth")
    perimeter = 2 * (1000 + 100) + 2 * math.pi * R
    assert len(result.tabs) == round(perimeter / 400.0) > 2


# -- direction ----------------------------------------------------------------


def loop_area(points):
    xy = [(p[1], p[2]) for p in points]
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1])) / 2.0


@pytest.mark.parametrize("climb", [True, False])
def test_climb_cuts_outlines_clockwise_and_holes_counter_clockwise(climb, placed):
    result = sheet_toolpaths(two_part_layout(), settings(climb=climb), name="dir")
    groups = classify(feed_points(result.program.steps), placed)
    final = {name: [p for p in groups[name] if abs(p[3] + THROUGH) < 1e-9] for name in ("shelf", "rect hole")}
    outline_sign = -1 if climb else 1
    assert math.copysign(1, loop_area(final["shelf"])) == outline_sign
    assert math.copysign(1, loop_area(final["rect hole"])) == -outline_sign
    cx, cy = placed["round hole centre"]
    arcs = [s for s in result.program.steps if isinstance(s, ArcCut)]
    hole_arcs = [a for a in arcs if math.hypot(a.cx - cx, a.cy - cy) < 1.0]
    corner_arcs = [a for a in arcs if a not in hole_arcs]  # the rounded convex corners of the outlines
    assert hole_arcs and all(a.clockwise is not climb for a in hole_arcs)
    assert corner_arcs and all(a.clockwise is climb for a in corner_arcs)


# -- lengths ------------------------------------------------------------------


def test_cut_and_rapid_lengths_add_up_the_moves():
    part = Part("panel", box(0, 0, 100, 50))
    layout = Layout(SHEET, (Placement(part, 0.0, (100.0, 100.0)),))
    result = sheet_toolpaths(layout, settings(tab_height=0.0), name="panel")
    perimeter = 2 * (100 + 50) + 2 * math.pi * R
    passes = math.ceil(THROUGH / CUTTING.step_down)
    plunging = 1.0 + THROUGH  # from the 1 mm clearance down to full depth, pass by pass
    assert result.cut_length == pytest.approx(passes * perimeter + plunging, rel=1e-4)
    lifts = (5.0 - 1.0) + (5.0 + THROUGH)  # the first XY rapid starts from an unknown position
    assert result.rapid_length == pytest.approx(lifts)
    assert result.tabs == ()


# -- bad input ----------------------------------------------------------------


def single(part: Part) -> Layout:
    return Layout(SHEET, (Placement(part, 0.0, (50.0, 50.0)),))


def test_a_hole_smaller_than_the_tool_is_an_input_error_naming_the_part():
    outline = Polygon(box(0, 0, 100, 100).exterior.coords, [box(40, 40, 45, 45).exterior.coords])
    with pytest.raises(InputError) as error:
        sheet_toolpaths(single(Part("grid", outline, source="grid.dxf")), settings(), name="x")
    message = str(error.value)
    assert message == "grid.dxf: part 'grid': hole at (42.500, 42.500) is smaller than the 6 mm tool"


def test_a_round_hole_smaller_than_the_tool_is_an_input_error():
    hole = Point(50, 50).buffer(2.5, quad_segs=16)
    outline = Polygon(box(0, 0, 100, 100).exterior.coords, [hole.exterior.coords])
    with pytest.raises(InputError, match=r"part 'peg': hole at \(50.000, 50.000\) is smaller than the 6 mm tool"):
        sheet_toolpaths(single(Part("peg", outline)), settings(), name="x")


def test_a_drill_smaller_than_the_tool_is_an_input_error():
    part = Part("hinge", box(0, 0, 100, 100), (Feature(Operation.DRILL, Point(30, 40), diameter=4.0),))
    with pytest.raises(InputError) as error:
        sheet_toolpaths(single(part), settings(), name="x")
    assert str(error.value) == "part 'hinge': 4 mm hole at (30.000, 40.000) is smaller than the 6 mm tool"


def test_a_pocket_narrower_than_the_tool_is_an_input_error():
    part = Part("slotted", box(0, 0, 100, 100), (Feature(Operation.POCKET, box(10, 10, 90, 15), depth=5.0),))
    with pytest.raises(InputError, match="part 'slotted': pocket at .* is narrower than the 6 mm tool"):
        sheet_toolpaths(single(part), settings(), name="x")


def test_a_pocket_deeper_than_the_sheet_is_an_input_error():
    part = Part("deep", box(0, 0, 100, 100), (Feature(Operation.POCKET, box(10, 10, 90, 90), depth=25.0,
                                                      layer="POCKET_25"),))
    with pytest.raises(InputError, match="part 'deep': pocket at .* on layer 'POCKET_25' is 25 mm deep"):
        sheet_toolpaths(single(part), settings(), name="x")


def test_a_drill_larger_than_the_tool_is_cut_as_a_circle_around_its_centre():
    part = Part("dowel", box(0, 0, 100, 100), (Feature(Operation.DRILL, Point(30, 40), diameter=10.0, depth=12.0),))
    result = sheet_toolpaths(single(part), settings(), name="x")
    arcs = [(s, pos) for s, pos in positions(result.program.steps)
            if isinstance(s, ArcCut) and math.hypot(s.cx - 80.0, s.cy - 90.0) < 1.0]
    assert len(arcs) == 2 * math.ceil(12.0 / CUTTING.step_down)
    for arc, (x, y, _) in arcs:
        assert math.hypot(x - 80.0, y - 90.0) == pytest.approx((10.0 - TOOL.diameter) / 2)
    assert min(a.z for a, _ in arcs) == pytest.approx(-12.0)


def test_settings_that_cannot_be_safe_are_input_errors():
    with pytest.raises(InputError, match="safe_z"):
        sheet_toolpaths(single(shelf()), settings(safe_z=0.5), name="x")
    with pytest.raises(InputError, match="tab_height 18 mm"):
        sheet_toolpaths(single(shelf()), settings(tab_height=18.0), name="x")
    with pytest.raises(InputError, match="not centre-cutting: it cannot plunge, set the entry to ramp"):
        sheet_toolpaths(single(shelf()), settings(tool=Tool("x", "x", 6.0, centre_cutting=False)), name="x")
    for bad, message in (({"entry": "dive"}, "entry 'dive'"), ({"ramp_angle": 60.0}, "ramp_angle 60"),
                         ({"tab_angle": 0.0}, "tab_angle 0"), ({"holding": "glue"}, "holding 'glue'"),
                         ({"holding": "onion-skin", "onion_skin": 18.0}, "onion_skin 18 mm"),
                         ({"dogbones": "round"}, "dogbones 'round'"),
                         ({"dogbone_overrides": (("shelf", "x"),)}, "dogbones 'x' for part 'shelf'")):
        with pytest.raises(InputError, match=message):
            sheet_toolpaths(single(shelf()), settings(**bad), name="x")


def test_a_hole_that_narrows_below_the_tool_is_an_input_error():
    dumbbell = box(20, 20, 40, 40).union(box(60, 20, 80, 40)).union(box(40, 28, 60, 32))
    outline = Polygon(box(0, 0, 100, 60).exterior.coords, [dumbbell.exterior.coords])
    with pytest.raises(InputError, match=r"part 'bone': hole at .* narrows below the 6 mm tool"):
        sheet_toolpaths(single(Part("bone", outline)), settings(), name="x")


def test_a_round_part_is_cut_as_arcs_one_tool_radius_out_with_tabs_on_the_arc():
    seat = Part("seat", Point(0, 0).buffer(40.0, quad_segs=64))
    layout = Layout(SHEET, (Placement(seat, 30.0, (200.0, 200.0)),))
    result = sheet_toolpaths(layout, settings(), name="seat")
    arcs = [(s, pos) for s, pos in positions(result.program.steps) if isinstance(s, ArcCut)]
    for arc, (x, y, _) in arcs:
        assert (arc.cx, arc.cy) == (pytest.approx(200.0), pytest.approx(200.0))
        assert math.hypot(x - 200.0, y - 200.0) == pytest.approx(40.0 + R, abs=1e-6)
        assert arc.clockwise is True
    assert len(result.tabs) == 2
    lifted = [(40.0 + R) * ((math.atan2(y - arc.cy, x - arc.cx) - math.atan2(arc.y - arc.cy, arc.x - arc.cx))
                            % (2 * math.pi))  # clockwise sweep
              for arc, (x, y, _) in arcs if arc.z == TAB_Z]
    assert sum(lifted) == pytest.approx(2 * (10.0 + TOOL.diameter), abs=1e-3)


def test_a_part_at_the_sheet_edge_warns_that_its_toolpath_runs_off_the_sheet():
    layout = Layout(SHEET, (Placement(shelf(), 0.0, (0.0, 100.0)),))
    result = sheet_toolpaths(layout, settings(), name="edge")
    assert result.warnings == (
        "shelf: the outside profile runs off the 600x400x18 sheet "
        "(tool centre from (-3.000, 97.000) to (63.000, 163.000))",
    )


def test_features_that_cannot_be_cut_as_drawn_are_input_errors():
    shallow = Part("door", box(0, 0, 100, 100), (Feature(Operation.ENGRAVE, LineString([(10, 10), (90, 10)]),
                                                         layer="TEXT"),))
    with pytest.raises(InputError, match="part 'door': engraving at \\(10.000, 10.000\\) on layer 'TEXT' has no depth"):
        sheet_toolpaths(single(shallow), settings(), name="x")
    outline_as_feature = Part("door", box(0, 0, 100, 100), (Feature(Operation.CUT_OUTSIDE, box(10, 10, 20, 20),
                                                                    layer="CUT"),))
    with pytest.raises(InputError, match="part 'door': feature on layer 'CUT' asks for cut_outside"):
        sheet_toolpaths(single(outline_as_feature), settings(), name="x")


def test_an_open_line_is_entered_from_its_nearer_end_and_cut_back_and_forth():
    groove = Part("back", box(0, 0, 100, 100), (Feature(Operation.CUT_ON_LINE, LineString([(90, 10), (10, 10)]),
                                                        depth=8.0),))
    result = sheet_toolpaths(single(groove), settings(), name="x")
    passes = [(s, pos) for s, pos in positions(result.program.steps)
              if isinstance(s, Cut) and s.z == pos[2] and abs(s.y - 60.0) < 1e-9]
    # placed at (50, 50): the line runs from x=140 to x=60; x=60 is nearer the sheet origin
    assert [(pos[0], s.x, s.z) for s, pos in passes] == [(60.0, 140.0, -4.0), (140.0, 60.0, -8.0)]


def test_a_step_over_wider_than_the_tool_radius_is_reduced_so_the_pocket_floor_is_cleared():
    pocket = box(10, 10, 90, 60)
    part = Part("tray", box(0, 0, 100, 100), (Feature(Operation.POCKET, pocket, depth=5.0),))
    wide = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=5.5)
    result = sheet_toolpaths(single(part), CamSettings(TOOL, wide), name="x")
    assert result.warnings == ("pockets use a 3 mm step-over, not 5.5 mm: more than the tool radius would "
                               "leave material standing",)
    placed_pocket = Placement(part, 0.0, (50.0, 50.0)).place(pocket)
    floor = [(x, y) for _, x, y, z in feed_points(result.program.steps) if z == -5.0
             and placed_pocket.covers(Point(x, y))]
    reachable = placed_pocket.buffer(-R).buffer(R)
    assert reachable.difference(LineString(floor).buffer(R)).area < 0.001 * reachable.area


def test_a_slot_in_the_outline_narrower_than_the_tool_is_an_input_error():
    keyhole = box(0, 0, 100, 100).difference(box(40, 40, 60, 60).union(box(48, 59, 52, 101)))
    with pytest.raises(InputError, match=r"part 'lock': a slot in the outline at \(50\.000, 50\.0\d\d\) is "
                                         r"narrower than the 6 mm tool: it cannot be cut"):
        sheet_toolpaths(single(Part("lock", keyhole)), settings(), name="x")


# -- regular polygons and drawn circles ---------------------------------------


def regular_polygon(centre, circumradius, sides):
    """A regular polygon's corners: its flats sit circumradius * (1 - cos(pi / sides)) inside its circle."""
    return [(centre[0] + circumradius * math.cos(2 * math.pi * k / sides),
             centre[1] + circumradius * math.sin(2 * math.pi * k / sides)) for k in range(sides)]


def drawn_circle(centre, radius):
    """A circle as the importers hand it over: flattened to 0.01 mm chords."""
    return [(v.x, v.y) for v in ConstructionCircle(centre, radius).flattening(0.01)]


def cut_points_near(steps, drawn: Polygon, within: float):
    """Feed points below the top whose XY lies within `within` mm of the drawn ring."""
    return [p for p in below_top(feed_points(steps)) if drawn.exterior.distance(Point(p[1], p[2])) <= within]


def assert_cut_one_radius_from_the_ring(points, drawn: Polygon, offset: Polygon):
    """Every point is one tool radius (within 0.01 mm) from the drawn ring, and the whole offset ring is cut."""
    assert points
    worst = max(abs(drawn.exterior.distance(Point(x, y)) - R) for _, x, y, _ in points)
    assert worst <= 0.01, f"the tool path strays {worst:.3f} mm from one tool radius off the drawn ring"
    cut = MultiLineString([[(p[1], p[2]), (q[1], q[2])] for p, q in zip(points, points[1:])])
    ring = offset.exterior
    for d in range(0, int(ring.length), 2):
        assert cut.distance(ring.interpolate(d)) < 0.05, f"offset ring not cut near {d} mm"


def test_a_regular_sixteen_sided_hole_is_cut_along_its_flats_not_around_its_circle():
    hole = Polygon(regular_polygon((150.0, 150.0), 100.0, 16))  # flats 1.92 mm inside the corner circle
    part = Part("rosette", Polygon(box(0, 0, 300, 300).exterior.coords, [hole.exterior.coords]))
    result = sheet_toolpaths(Layout(SHEET, (Placement(part, 0.0, (20.0, 20.0)),)), settings(), name="x")
    placed_hole = Placement(part, 0.0, (20.0, 20.0)).place(hole)
    inside = [p for p in cut_points_near(result.program.steps, placed_hole, 2 * R)
              if placed_hole.covers(Point(p[1], p[2]))]
    assert_cut_one_radius_from_the_ring(inside, placed_hole, placed_hole.buffer(-R, join_style="mitre"))


def test_a_regular_sixteen_sided_part_is_cut_along_its_flats_not_around_its_circle():
    top = Part("table top", Polygon(regular_polygon((0.0, 0.0), 150.0, 16)))  # flats 2.88 mm inside
    placement = Placement(top, 0.0, (200.0, 200.0))
    result = sheet_toolpaths(Layout(Sheet(600.0, 600.0, THICKNESS), (placement,)), settings(), name="x")
    placed_top = placement.outline()
    assert_cut_one_radius_from_the_ring(below_top(feed_points(result.program.steps)), placed_top,
                                        placed_top.buffer(R, quad_segs=64))


def test_a_regular_sixteen_sided_pocket_is_cleared_to_its_flats_and_not_past_them():
    pocket = Polygon(regular_polygon((100.0, 100.0), 60.0, 16))  # flats 1.15 mm inside the corner circle
    part = Part("dish", box(0, 0, 200, 200), (Feature(Operation.POCKET, pocket, depth=6.0),))
    result = sheet_toolpaths(single(part), settings(), name="x")
    placed_pocket = Placement(part, 0.0, (50.0, 50.0)).place(pocket)
    floor = [(x, y) for _, x, y, z in below_top(feed_points(result.program.steps))]
    deepest = max(R - placed_pocket.exterior.distance(Point(xy)) for xy in floor)
    assert deepest <= 0.01, f"the tool edge goes {deepest:.3f} mm past the pocket wall"
    reachable = placed_pocket.buffer(-R).buffer(R)
    assert reachable.difference(LineString(floor).buffer(R)).area < 0.001 * reachable.area


def test_drawn_circles_flattened_to_the_import_chord_are_still_cut_as_arcs():
    hole, pocket = drawn_circle((0.0, 60.0), 40.0), Polygon(drawn_circle((0.0, -60.0), 30.0))
    outline = Polygon(drawn_circle((0.0, 0.0), 150.0), [hole])
    top = Part("round table", outline, (Feature(Operation.POCKET, pocket, depth=6.0),))
    result = sheet_toolpaths(Layout(Sheet(600.0, 600.0, THICKNESS), (Placement(top, 0.0, (300.0, 300.0)),)),
                             settings(), name="x")
    radii = {}  # arc centre -> radii of the arcs around it
    for step, (x, y, _) in positions(result.program.steps):
        if isinstance(step, ArcCut):
            radii.setdefault((round(step.cx, 3), round(step.cy, 3)), set()).add(
                round(math.hypot(x - step.cx, y - step.cy), 2))
    assert sorted(radii) == [(300.0, 240.0), (300.0, 300.0), (300.0, 360.0)]
    assert radii[(300.0, 300.0)] == {150.0 + R}  # outline
    assert radii[(300.0, 360.0)] == {40.0 - R}  # hole
    assert max(radii[(300.0, 240.0)]) == 30.0 - R  # the pocket's wall ring


# -- drills must stay inside the part -----------------------------------------


@pytest.mark.parametrize("feature, what", [
    (Feature(Operation.DRILL, Point(299.0, 150.0), diameter=30.0, layer="HOLE"), "30 mm hole at (299.000, 150.000)"),
    (Feature(Operation.DRILL, Point(150.0, 2.0), layer="DRILL"), "drill at (150.000, 2.000)"),
    (Feature(Operation.DRILL, Point(150.0, 106.0), diameter=16.0, layer="HOLE"), "16 mm hole at (150.000, 106.000)"),
])
def test_a_drill_whose_cut_reaches_past_the_part_material_is_an_input_error(feature, what):
    # (150, 106) with a 16 mm hole: its edge reaches 2 mm into the 100 mm slot above y = 112
    slotted = Polygon(box(0, 0, 300, 300).exterior.coords, [box(100, 112, 200, 200).exterior.coords])
    part = Part("gable", slotted, (feature,), source="edge_drill.dxf")
    with pytest.raises(InputError) as error:
        sheet_toolpaths(Layout(Sheet(700.0, 400.0, THICKNESS), (Placement(part, 0.0, (20.0, 20.0)),)),
                        settings(), name="x")
    width = max(feature.diameter or 0.0, TOOL.diameter)
    assert str(error.value) == (f"edge_drill.dxf: part 'gable': {what} on layer '{feature.layer}' "
                                f"reaches past the part: its {width:g} mm cut is not all inside the material")


def test_a_drill_whose_cut_just_fits_inside_the_part_is_cut():
    # The 30 mm hole keeps 1 mm of material; the plain drill's tool touches both edges of the corner.
    part = Part("gable", box(0, 0, 300, 300), (Feature(Operation.DRILL, Point(284.0, 150.0), diameter=30.0),
                                               Feature(Operation.DRILL, Point(3.0, 3.0))))
    result = sheet_toolpaths(Layout(Sheet(700.0, 400.0, THICKNESS), (Placement(part, 0.0, (20.0, 20.0)),)),
                             settings(), name="x")
    comments = [s.text for s in result.program.steps if isinstance(s, Comment)]
    assert comments == ["gable: drill", "gable: 30 mm hole", "gable: outside profile"]


# -- parts inside other parts' holes ------------------------------------------


def comments_of(result):
    return [s.text for s in result.program.steps if isinstance(s, Comment)]


def test_a_part_in_another_parts_hole_is_cut_completely_before_that_hole_frees_it():
    frame = Part("frame", Polygon(box(0, 0, 400, 400).exterior.coords, [box(50, 50, 350, 350).exterior.coords]))
    panel = Part("panel", box(0, 0, 200, 200), (Feature(Operation.DRILL, Point(100.0, 100.0)),))
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(frame, 0.0, (20.0, 20.0)),
                                                     Placement(panel, 0.0, (120.0, 120.0)),
                                                     Placement(shelf(), 0.0, (500.0, 20.0))))
    result = sheet_toolpaths(layout, settings(), name="x")
    # The panel first (its own classes in order), then the sheet level: the frame's hole, then outlines
    # from the smallest part to the biggest.
    assert comments_of(result) == ["panel: drill", "panel: outside profile", "frame: hole",
                                   "shelf: outside profile", "frame: outside profile"]


def test_parts_nested_in_holes_several_deep_are_cut_from_the_deepest_out():
    def ring(name, outer, inner):
        return Part(name, Polygon(box(0, 0, outer, outer).exterior.coords,
                                  [box(inner, inner, outer - inner, outer - inner).exterior.coords]))

    big, middle, coaster = ring("big", 500, 50), ring("middle", 300, 50), Part("coaster", box(0, 0, 100, 100))
    layout = Layout(Sheet(600.0, 600.0, THICKNESS), (Placement(big, 0.0, (20.0, 20.0)),
                                                    Placement(coaster, 0.0, (220.0, 220.0)),
                                                    Placement(middle, 0.0, (120.0, 120.0))))
    result = sheet_toolpaths(layout, settings(), name="x")
    assert comments_of(result) == ["coaster: outside profile", "middle: hole", "middle: outside profile",
                                   "big: hole", "big: outside profile"]


# -- holes a hair larger than the tool ----------------------------------------


def job_steps(steps, label):
    """The steps of the job whose comment is `label`, up to the next job."""
    start = steps.index(Comment(label)) + 1
    end = next((i for i in range(start, len(steps)) if isinstance(steps[i], Comment)), len(steps))
    return steps[start:end]


@pytest.mark.parametrize("diameter", [6.0, 6.0004])
def test_a_round_hole_the_size_of_the_tool_is_plunged_at_its_centre_pecking_like_a_drill(diameter):
    hole = Point(50, 50).buffer(diameter / 2.0, quad_segs=64)
    part = Part("pegboard", Polygon(box(0, 0, 100, 100).exterior.coords, [hole.exterior.coords]))
    result = sheet_toolpaths(single(part), settings(), name="x")
    get_post("grbl").render(result.program, MACHINE)  # a tool-centre circle of 0.0002 mm could not be written
    steps = job_steps(result.program.steps, "pegboard: hole")
    cuts = [s for s in steps if isinstance(s, Cut)]
    passes = math.ceil(THROUGH / CUTTING.step_down)
    assert not any(isinstance(s, ArcCut) for s in steps)
    assert [(c.x, c.y) for c in cuts] == [pytest.approx((100.0, 100.0))] * passes
    assert [c.z for c in cuts] == pytest.approx([-THROUGH * k / passes for k in range(1, passes + 1)])
    assert [s for s in steps if isinstance(s, Rapid) and s.x is None] == [Rapid(z=1.0)] * passes


def test_a_round_pocket_whose_last_ring_shrinks_to_a_point_plunges_there():
    # The tool-centre region gets a radius of 2 step-overs + 0.0002 mm, so its innermost ring has a
    # radius of 0.0002 mm. (Offsetting the flats of a 256-gon by R moves its corners by R / cos(pi / 256).)
    region_radius = 2 * CUTTING.step_over + 0.0002
    pocket = Point(100, 100).buffer(region_radius + R / math.cos(math.pi / 256), quad_segs=64)
    part = Part("dish", box(0, 0, 200, 200), (Feature(Operation.POCKET, pocket, depth=5.0),))
    result = sheet_toolpaths(single(part), settings(), name="x")
    get_post("grbl").render(result.program, MACHINE)
    steps = job_steps(result.program.steps, "dish: pocket")
    radii = sorted({round(math.hypot(pos[0] - 150.0, pos[1] - 150.0), 4)
                    for s, pos in positions(steps) if isinstance(s, ArcCut)})
    assert radii == [pytest.approx(CUTTING.step_over + 0.0002, abs=1e-4), pytest.approx(region_radius, abs=1e-4)]
    plunge = next(s for s in steps if isinstance(s, Cut))
    assert (plunge.x, plunge.y, plunge.z) == (pytest.approx(150.0), pytest.approx(150.0), -5.0)


# -- parts without tabs -------------------------------------------------------


def test_a_part_that_gets_no_tabs_is_named_in_a_warning():
    block = Part("block", box(0, 0, 40, 40), source="blocks.dxf")
    result = sheet_toolpaths(single(block), settings(min_tabs=0), name="x")
    assert result.tabs == ()
    (warning,) = result.warnings
    assert warning == ("blocks.dxf: part 'block' gets no tabs (min_tabs is 0 and its 178.8 mm toolpath "
                       "is at most half the 400 mm tab spacing): it comes loose on the last pass")


def test_switching_tabs_off_is_not_warned_about():
    result = sheet_toolpaths(single(Part("block", box(0, 0, 40, 40))), settings(tab_height=0.0), name="x")
    assert result.tabs == () and result.warnings == ()


def test_jobs_are_reordered_to_travel_less_than_nearest_neighbour():
    # Two rows of small squares: nearest neighbour runs along one row and comes back for stragglers.
    part = Part("tile", box(0, 0, 40, 40), quantity=24)
    placements = tuple(Placement(part, 0.0, (20.0 + 60.0 * (i % 12) + (7.0 if i % 3 == 0 else 0.0),
                                              20.0 + 60.0 * (i // 12)), copy=i + 1) for i in range(24))
    result = sheet_toolpaths(Layout(Sheet(1000.0, 400.0, 18.0), placements), settings(), name="tiles")
    travel = result.travel
    assert travel.optimised < 0.9 * travel.nearest_neighbour
    # The program's XY rapids are that travel, counted from the sheet origin the ordering starts at.
    rapids = [m for m in moves(result.program.steps) if m.is_rapid and m.end[:2] != m.start[:2]]
    first = rapids[0]
    assert None in first.start[:2]
    xy = math.hypot(*first.end[:2]) + sum(math.dist(m.start[:2], m.end[:2]) for m in rapids[1:])
    assert xy == pytest.approx(travel.optimised, rel=1e-9)


def test_labels_are_engraved_on_each_part_clear_of_its_holes_and_edges():
    labelled = Part("SIDE-L", side_panel().outline, side_panel().features)
    layout = Layout(SHEET, (Placement(labelled, 0.0, (50.0, 50.0)),))
    result = sheet_toolpaths(layout, settings(labels=True, label_depth=0.5, label_height=20.0), name="labels")
    comments = [s.text for s in result.program.steps if isinstance(s, Comment)]
    strokes = comments.count("SIDE-L: label")
    assert strokes >= 6  # S, I, D, E, -, L: at least one stroke each
    # Every label stroke is cut 0.5 mm deep, inside the part, clear of its holes, pocket and edges.
    placed = Placement(labelled, 0.0, (50.0, 50.0))
    keep_out = placed.outline().exterior.buffer(R + 0.99)
    for hole in placed.outline().interiors:
        keep_out = keep_out.union(Polygon(hole).buffer(R + 0.99))
    keep_out = keep_out.union(placed.place(POCKET).buffer(2 * R))
    in_label, label_points = False, []
    for step in result.program.steps:
        if isinstance(step, Comment):
            in_label = step.text.endswith(": label")
        elif in_label and isinstance(step, Cut) and step.z < 0:
            label_points.append(step)
    assert label_points and min(p.z for p in label_points) == pytest.approx(-0.5)
    assert not any(keep_out.contains(Point(p.x, p.y)) for p in label_points)
    assert all(placed.outline().contains(Point(p.x, p.y)) for p in label_points)


def test_a_label_that_cannot_be_engraved_is_a_warning_not_an_error():
    tiny = Part("PEG", box(0, 0, 12, 12))
    accented = Part("ÉTAGÈRE", box(0, 0, 300, 100))
    layout = Layout(SHEET, (Placement(tiny, 0.0, (50.0, 50.0)), Placement(accented, 0.0, (50.0, 150.0))))
    result = sheet_toolpaths(layout, settings(labels=True), name="labels")
    assert any("part 'PEG': the label does not fit" in w for w in result.warnings)
    assert any("part 'ÉTAGÈRE': the label is not engraved: no engraving glyph for character 'É'" in w
               for w in result.warnings)


def test_inside_cuts_can_run_the_other_way_from_the_outlines(placed):
    result = sheet_toolpaths(two_part_layout(), settings(climb=True, inside_climb=False), name="dir")
    groups = classify(feed_points(result.program.steps), placed)
    final = {name: [p for p in groups[name] if abs(p[3] + THROUGH) < 1e-9] for name in ("shelf", "rect hole")}
    assert loop_area(final["shelf"]) < 0  # outline clockwise: climb
    assert loop_area(final["rect hole"]) < 0  # hole clockwise too: conventional inside


@pytest.mark.parametrize("peck, depths", [(2.5, [-18.3 * k / 8 for k in range(1, 9)]),  # 8 equal pecks <= 2.5
                                          (0.0, [-18.3])])  # one plunge
def test_the_peck_setting_sets_the_drills_pecks(peck, depths):
    part = Part("lid", box(0, 0, 100, 100), (Feature(Operation.DRILL, Point(50, 50), layer="DRILL"),))
    result = sheet_toolpaths(single(part), settings(peck=peck), name="x")
    steps = list(result.program.steps)
    start = steps.index(Comment("lid: drill"))
    end = next(i for i in range(start + 1, len(steps)) if isinstance(steps[i], Comment))
    pecks = [s for s in steps[start:end] if isinstance(s, Cut) and s.z < 0]
    assert [s.z for s in pecks] == pytest.approx(depths)
    # Lifts to the clearance: the approach, then one between pecks.
    assert [s for s in steps[start:end] if isinstance(s, Rapid) and s.z == 1.0][1:] == [Rapid(z=1.0)] * (len(depths) - 1)


def test_a_slot_from_the_edge_narrower_than_the_tool_is_an_input_error():
    slotted = box(0, 0, 200, 100).difference(box(98, 70, 102, 101))  # 4 mm wide, 30 mm deep
    with pytest.raises(InputError, match=r"part 'comb': a slot in the outline at \(\d+\.\d+, \d+\.\d+\) is "
                                         r"narrower than the 6 mm tool"):
        sheet_toolpaths(single(Part("comb", slotted)), settings(), name="x")


def test_a_hole_with_a_spur_narrower_than_the_tool_is_an_input_error():
    spur = box(40, 40, 80, 60).union(box(80, 48, 100, 52))  # a 4 mm spur off a 40 x 20 hole
    outline = Polygon(box(0, 0, 200, 100).exterior.coords, [spur.exterior.coords])
    with pytest.raises(InputError, match=r"part 'key': hole at .* narrows below the 6 mm tool at \([89]\d\.\d+, 50"):
        sheet_toolpaths(single(Part("key", outline)), settings(), name="x")


def test_sharp_corners_are_rounding_not_narrow_slots():
    triangle = Polygon([(50, 20), (150, 20), (100, 80)])  # 50 degree corners
    star_notch = box(0, 0, 200, 100).difference(Polygon([(90, 100), (110, 100), (100, 60)]))  # a 28 degree V
    outline = Polygon(box(0, 0, 200, 100).exterior.coords, [triangle.exterior.coords])
    assert sheet_toolpaths(single(Part("tri", outline)), settings(), name="x").program.steps
    assert sheet_toolpaths(single(Part("vee", star_notch)), settings(), name="x").program.steps
