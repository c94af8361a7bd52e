"""Ramp and helix entries, ramped tabs, and tools that cannot plunge, read back from the steps."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point, Polygon, box

from gcode.backplot import moves
from gcode.cam import CamSettings, sheet_toolpaths
from gcode.tooling import CuttingData, Tool
from gcode.toolpath import ArcCut, Cut
from gcode.zprofile import Ramp, pass_profile, z_at
from nester.errors import InputError
from nester.model import Feature, Layout, Operation, Part, Placement, Sheet

TOOL = Tool("em6", "6 mm 2-flute end mill", 6.0)
CUTTING = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
THICKNESS = 18.0
THROUGH = THICKNESS + 0.3
PASSES = math.ceil(THROUGH / CUTTING.step_down)  # 4 passes of 4.575 mm
RAMP_ANGLE = 5.0
SLOPE = math.tan(math.radians(RAMP_ANGLE))


def toolpaths(part: Part, **changes):
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    options = {"entry": "ramp", "ramp_angle": RAMP_ANGLE, "tab_height": 0.0, **changes}
    return sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, **options), name="entry")


def cutting_moves(result):
    return [m for m in moves(result.program.steps) if not m.is_rapid and None not in m.start]


def xy_length(move) -> float:
    return math.sqrt(max(move.length() ** 2 - (move.end[2] - move.start[2]) ** 2, 0.0))


def descents_into_material(result):
    return descents(result.program.steps)


def descents(steps):
    """Feed moves that go down while below the top of the sheet: (XY length, drop, move)."""
    found = []
    for m in (m for m in moves(steps) if not m.is_rapid and None not in m.start):
        top = min(m.start[2], 0.0)
        drop = top - m.end[2]
        if drop > 1e-6:
            found.append((xy_length(m), drop, m))
    return found


def test_profiles_ramp_down_along_the_path_never_steeper_than_the_ramp_angle():
    result = toolpaths(Part("panel", box(0, 0, 300, 200)))
    descents = descents_into_material(result)
    assert descents, "the passes must go down somewhere"
    for horizontal, drop, move in descents:
        assert drop <= horizontal * SLOPE + 1e-6, move
    # Each pass goes 4.575 mm down, along 4.575 / tan(5 deg) = 52.3 mm of path.
    ramp_length = (THROUGH / PASSES) / SLOPE
    assert sum(h for h, _, _ in descents) == pytest.approx(PASSES * ramp_length, rel=1e-6)


def test_every_pass_goes_once_around_at_full_depth_after_its_ramp():
    outline = box(0, 0, 300, 200)
    result = toolpaths(Part("panel", outline))
    perimeter = 2 * (306 + 206) - (8 - 2 * math.pi) * 3.0  # tool-centre loop: rounded corners of radius 3
    for k in range(1, PASSES + 1):
        depth = -THROUGH * k / PASSES
        at_depth = sum(xy_length(m) for m in cutting_moves(result)
                       if m.start[2] == pytest.approx(depth) and m.end[2] == pytest.approx(depth))
        assert at_depth == pytest.approx(perimeter, rel=1e-6)


def test_descending_feed_keeps_the_z_speed_under_the_plunge_feed():
    result = toolpaths(Part("panel", box(0, 0, 300, 200)))
    for horizontal, drop, move in descents_into_material(result):
        z_speed = move.step.feed * drop / math.hypot(horizontal, drop)
        assert z_speed <= CUTTING.plunge_feed + 1e-6
    side_feeds = {m.step.feed for m in cutting_moves(result) if m.start[2] == m.end[2]}
    assert side_feeds == {CUTTING.feed}


def test_a_round_hole_is_entered_on_a_helix_around_its_centre():
    hole = Point(150, 100).buffer(20.0, quad_segs=64)
    part = Part("ring", Polygon(box(0, 0, 300, 200).exterior.coords, [hole.exterior.coords]))
    result = toolpaths(part)
    centre = (250.0, 200.0)
    helix = [m for m in cutting_moves(result)
             if isinstance(m.step, ArcCut) and math.dist((m.step.cx, m.step.cy), centre) < 1e-6
             and m.end[2] < m.start[2]]
    assert helix
    for m in helix:
        assert math.dist(m.start[:2], centre) == pytest.approx(17.0, abs=1e-6)
        assert math.dist(m.end[:2], centre) == pytest.approx(17.0, abs=1e-6)
    # The helix of each pass descends 4.575 mm over 4.575 / tan(5 deg) mm of its 2 pi 17 mm circle.
    ramp_xy = sum(xy_length(m) for m in helix)
    assert ramp_xy == pytest.approx(THROUGH / SLOPE, rel=1e-6)


def test_a_small_hole_takes_several_turns_of_helix_to_reach_depth():
    hole = Point(150, 100).buffer(5.0, quad_segs=64)  # tool centre circle of radius 2: 12.6 mm around
    part = Part("ring", Polygon(box(0, 0, 300, 200).exterior.coords, [hole.exterior.coords]))
    result = toolpaths(part)
    centre = (250.0, 200.0)
    helix = [m for m in cutting_moves(result) if isinstance(m.step, ArcCut) and m.end[2] < m.start[2]
             and math.dist((m.step.cx, m.step.cy), centre) < 1e-6]
    first_pass = [m for m in helix if m.end[2] >= -THROUGH / PASSES - 1e-9]
    turns = sum(xy_length(m) for m in first_pass) / (2 * math.pi * 2.0)
    assert turns == pytest.approx((THROUGH / PASSES) / SLOPE / (2 * math.pi * 2.0), rel=1e-6)
    assert turns > 4


def test_ramped_tabs_slope_up_and_down_at_the_tab_angle():
    result = toolpaths(Part("panel", box(0, 0, 600, 300)), tab_height=4.0, tab_width=10.0, tab_angle=45.0,
                       entry="plunge")
    tab_z = -THICKNESS + 4.0
    final = -THROUGH
    rising = [m for m in cutting_moves(result) if m.end[2] > m.start[2] and m.start[2] == pytest.approx(final)]
    falling = [m for m in cutting_moves(result) if m.end[2] < m.start[2] and m.end[2] == pytest.approx(final)
               and m.start[2] == pytest.approx(tab_z)]
    assert len(rising) == len(result.tabs) == len(falling)
    for m in rising + falling:
        assert abs(m.end[2] - m.start[2]) == pytest.approx(xy_length(m), rel=1e-6)  # 45 degrees
    tops = [xy_length(m) for m in cutting_moves(result)
            if m.start[2] == pytest.approx(tab_z) and m.end[2] == pytest.approx(tab_z)]
    assert tops and all(t == pytest.approx(10.0 + TOOL.diameter, abs=1e-6) for t in tops)


def test_a_ramp_never_cuts_into_a_tab():
    # A small part: its tabs are close to wherever the later passes' ramps start.
    result = toolpaths(Part("block", box(0, 0, 120, 60)), tab_height=4.0, tab_spacing=90.0, tab_angle=30.0)
    tab_z = -THICKNESS + 4.0
    tab_points = [Point(t) for t in result.tabs]
    for m in cutting_moves(result):
        for p in (m.start, m.end):
            if min(Point(p[:2]).distance(t) for t in tab_points) < 5.0 - 1e-6:  # over a tab's flat top
                assert p[2] >= tab_z - 1e-6


def test_a_tool_that_is_not_centre_cutting_ramps_everywhere_and_never_plunges():
    hole = Point(150, 100).buffer(20.0, quad_segs=64)
    part = Part("ring", Polygon(box(0, 0, 300, 200).exterior.coords, [hole.exterior.coords]),
                (Feature(Operation.POCKET, box(20, 20, 80, 80), depth=8.0, layer="POCKET"),))
    tool = Tool("em6nc", "6 mm non-centre-cutting", 6.0, centre_cutting=False)
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    result = sheet_toolpaths(layout, CamSettings(tool, CUTTING, ramp_angle=RAMP_ANGLE), name="nc")
    for horizontal, drop, move in descents_into_material(result):
        assert drop <= horizontal * SLOPE + 1e-6, move


@pytest.mark.parametrize("feature", [
    Feature(Operation.DRILL, Point(50, 50), depth=10.0, layer="DRILL"),
    Feature(Operation.ENGRAVE, LineString([(20, 20), (80, 30)]), depth=1.0, layer="ENGRAVE"),
])
def test_a_plunge_with_a_tool_that_is_not_centre_cutting_is_an_input_error_naming_the_part(feature):
    tool = Tool("em6nc", "6 mm non-centre-cutting", 6.0, centre_cutting=False)
    part = Part("lid", box(0, 0, 200, 100), (feature,))
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    with pytest.raises(InputError, match=r"lid: the .* needs a straight plunge, which the tool 'em6nc' cannot do"):
        sheet_toolpaths(layout, CamSettings(tool, CUTTING), name="nc")


def test_the_profile_is_the_highest_of_ramp_and_tabs():
    profile = pass_profile(0.0, 200.0, -10.0, ramp=Ramp(0.0, 50.0), tabs=[(20.0, 30.0), (120.0, 130.0)],
                           tab_z=-6.0, tab_flank=4.0)
    assert z_at(profile, 0.0) == 0.0
    assert z_at(profile, 10.0) == pytest.approx(-2.0)  # on the ramp, above the tab
    assert z_at(profile, 25.0) == pytest.approx(-5.0)  # the ramp is above the tab top here
    assert z_at(profile, 45.0) == pytest.approx(-9.0)
    assert z_at(profile, 100.0) == -10.0
    assert z_at(profile, 118.0) == pytest.approx(-8.0)  # halfway up the flank
    assert z_at(profile, 125.0) == -6.0
    assert z_at(profile, 134.0) == -10.0


def test_tabs_repeat_around_a_closed_loop_past_its_start():
    profile = pass_profile(90.0, 190.0, -10.0, tabs=[(10.0, 20.0)], tab_z=-6.0, tab_flank=1e-4, period=100.0)
    assert z_at(profile, 115.0) == -6.0  # the tab at 10..20 seen again on the second lap
    assert z_at(profile, 150.0) == -10.0
    assert z_at(profile, 95.0) == -10.0


def test_cutting_moves_are_feeds_and_arcs_only():
    result = toolpaths(Part("panel", box(0, 0, 300, 200)))
    assert {type(m.step) for m in cutting_moves(result)} <= {Cut, ArcCut}


def test_an_onion_skin_holds_every_part_until_the_last_shallow_passes():
    parts = (Placement(Part("big", box(0, 0, 300, 200)), 0.0, (50.0, 50.0)),
             Placement(Part("small", box(0, 0, 100, 80)), 0.0, (450.0, 50.0)))
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), parts)
    settings = CamSettings(TOOL, CUTTING, holding="onion-skin", onion_skin=0.4, ramp_angle=RAMP_ANGLE)
    result = sheet_toolpaths(layout, settings, name="skin")
    skin_z = -THICKNESS + 0.4
    assert result.tabs == ()
    comments = [s.text for s in result.program.steps if type(s).__name__ == "Comment"]
    assert comments[-2:] == ["small: onion skin", "big: onion skin"] or comments[-2:] == ["big: onion skin",
                                                                                          "small: onion skin"]
    assert all("onion skin" not in c for c in comments[:-2])
    steps = list(result.program.steps)
    first_skin = steps.index(next(s for s in steps if type(s).__name__ == "Comment" and "onion skin" in s.text))
    before = [m for m in moves(steps[:first_skin]) if not m.is_rapid and None not in m.start]
    assert min(m.end[2] for m in before) == pytest.approx(skin_z)  # nothing goes through before the skins
    skins = [m for m in moves(steps) if not m.is_rapid][-200:]
    assert min(m.end[2] for m in skins) == pytest.approx(-THROUGH)
    # The skin pass goes straight down the cut kerf to the skin, then ramps through the last 0.7 mm.
    skin_moves = [m for m in moves(steps[first_skin:]) if not m.is_rapid and None not in m.start]
    for horizontal, drop, move in descents(steps[first_skin:]):
        if move.end[2] < skin_z - 1e-9:
            assert drop <= horizontal * SLOPE + 1e-6
    assert any(m.start[2] == pytest.approx(1.0) and m.end[2] == pytest.approx(skin_z) for m in skin_moves)


def test_a_finishing_allowance_is_taken_off_by_one_full_depth_pass_that_keeps_the_tabs():
    from gcode.post import get_post
    from gcode.reader import read_gcode
    from gcode.tooling import Machine
    from gcode.verify import CutSpec, verify_cuts

    hole = box(100, 60, 140, 78.4)
    part = Part("side", Polygon(box(0, 0, 300, 200).exterior.coords, [hole.exterior.coords]))
    result = toolpaths(part, finish_allowance=0.5, tab_height=4.0, tab_angle=45.0)
    outline = Polygon(box(100, 100, 400, 300).exterior.coords, [box(200, 160, 240, 178.4).exterior.coords])
    feeds = cutting_moves(result)
    # Depth passes stay 3.5 mm from the drawing (tool radius + allowance), bones aside.
    bones = [Point(b).buffer(2 * TOOL.radius) for b in result.bones]
    by_offset = {}
    for m in feeds:
        if m.start[:2] == m.end[:2] or any(b.contains(Point(m.end[:2])) for b in bones):
            continue
        offset = round(outline.boundary.distance(Point(m.end[:2])), 3)
        by_offset.setdefault(offset, []).append(m)
    assert set(by_offset) == {3.0, 3.5}
    finishing = by_offset[3.0]
    assert min(m.end[2] for m in finishing) == pytest.approx(-THROUGH)
    assert min(m.end[2] for m in by_offset[3.5]) == pytest.approx(-THROUGH)
    for tab in result.tabs:
        assert outline.exterior.distance(Point(tab)) == pytest.approx(3.0, abs=1e-6)
    # The finishing pass rises over every tab: the part stays held.
    lifted = [m for m in finishing if m.start[2] == pytest.approx(-THICKNESS + 4.0)
              and m.end[2] == pytest.approx(-THICKNESS + 4.0)]
    assert len(lifted) == len(result.tabs)
    machine = Machine("router", "Test router", "grbl", (1000.0, 1000.0, 100.0), (5000.0, 5000.0, 1000.0))
    motions = read_gcode(get_post("grbl").render(result.program, machine)).motions
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    spec = CutSpec(TOOL.radius, THICKNESS, 0.3, result.tabs, (10.0 + 6.0) / 2 + 4.3, result.bones)
    assert verify_cuts(motions, layout, spec) == []


def test_the_ordering_knows_where_a_ramped_loop_ends():
    part = Part("tile", box(0, 0, 40, 40), quantity=12)
    placements = tuple(Placement(part, 0.0, (20.0 + 60.0 * (i % 6), 20.0 + 60.0 * (i // 6)), copy=i + 1)
                       for i in range(12))
    layout = Layout(Sheet(1000.0, 400.0, THICKNESS), placements)
    result = sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, tab_height=0.0, ramp_angle=RAMP_ANGLE), name="r")
    rapids = [m for m in moves(result.program.steps) if m.is_rapid and m.end[:2] != m.start[:2]]
    xy = math.hypot(*rapids[0].end[:2]) + sum(math.dist(m.start[:2], m.end[:2]) for m in rapids[1:])
    assert xy == pytest.approx(result.travel.optimised, rel=1e-9)


def test_a_hole_barely_bigger_than_the_tool_is_plunged_not_helixed_for_ever():
    hole = Point(150, 100).buffer(3.01, quad_segs=64)  # tool centre circle of radius 0.01 mm
    part = Part("ring", Polygon(box(0, 0, 300, 200).exterior.coords, [hole.exterior.coords]))
    result = toolpaths(part)
    assert len(result.program.steps) < 200
    nc = Tool("em6nc", "6 mm non-centre-cutting", 6.0, centre_cutting=False)
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    with pytest.raises(InputError, match=r"ring: the hole needs a straight plunge, which the tool 'em6nc' cannot do"):
        sheet_toolpaths(layout, CamSettings(nc, CUTTING), name="nc")


def test_a_tool_that_cannot_plunge_ramps_into_its_finishing_pass():
    nc = Tool("em6nc", "6 mm non-centre-cutting", 6.0, centre_cutting=False)
    part = Part("panel", box(0, 0, 300, 200))
    layout = Layout(Sheet(1000.0, 600.0, THICKNESS), (Placement(part, 0.0, (100.0, 100.0)),))
    result = sheet_toolpaths(layout, CamSettings(nc, CUTTING, finish_allowance=3.0, tab_height=0.0), name="nc")
    for horizontal, drop, move in descents_into_material(result):
        assert drop <= horizontal * SLOPE + 1e-6, move
