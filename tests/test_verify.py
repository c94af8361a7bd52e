"""The back-plot against the parts: it passes what plycut cuts and names what is cut wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shapely.geometry import Point, Polygon, box

from gcode.cam import CamSettings, sheet_toolpaths
from gcode.post import get_post
from gcode.reader import read_gcode
from gcode.tooling import CuttingData, Machine, Tool
from gcode.verify import CutSpec, verify_cuts
from nester.model import Feature, Layout, Operation, Part, Placement, Sheet

CUTTING = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
MACHINE = Machine("router", "Test router", "grbl", (1000.0, 1000.0, 100.0), (5000.0, 5000.0, 1000.0))
THICKNESS = 18.0


def panel() -> Part:
    slot = box(100, 60, 140, 78.4)
    round_hole = Point(220, 120).buffer(15.0, quad_segs=64)
    outline = Polygon(box(0, 0, 300, 200).exterior.coords, [slot.exterior.coords, round_hole.exterior.coords])
    return Part("side", outline, (Feature(Operation.POCKET, box(20, 120, 80, 170), depth=9.0, layer="POCKET_9MM"),
                                  Feature(Operation.DRILL, Point(40, 40), depth=10.0, layer="DRILL")))


def layout_of(part: Part) -> Layout:
    return Layout(Sheet(800.0, 500.0, THICKNESS), (Placement(part, 90.0, (400.0, 50.0)),))


def cut(layout: Layout, diameter: float = 6.0, **changes):
    settings = CamSettings(Tool("em", "end mill", diameter), CUTTING, **changes)
    toolpaths = sheet_toolpaths(layout, settings, name="v")
    motions = read_gcode(get_post("grbl").render(toolpaths.program, MACHINE)).motions
    spec = CutSpec(tool_radius=3.0, thickness=THICKNESS, overcut=settings.overcut, tabs=toolpaths.tabs,
                   tab_reach=(settings.tab_width + diameter) / 2.0 + settings.tab_height + settings.overcut,
                   bones=toolpaths.bones)
    return motions, spec


def test_a_program_plycut_writes_passes_with_tabs_bones_ramps_pocket_and_drill():
    layout = layout_of(panel())
    motions, spec = cut(layout)
    assert spec.tabs and spec.bones
    assert verify_cuts(motions, layout, spec) == []


def test_a_tool_smaller_than_declared_cuts_into_the_part():
    layout = layout_of(panel())
    motions, spec = cut(layout, diameter=5.0)  # paths one 2.5 mm radius out, swept with the 3 mm tool
    problems = verify_cuts(motions, layout, spec)
    assert any("side: a through cut reaches" in p and "into the part" in p for p in problems)


def test_a_tool_larger_than_declared_does_not_cut_the_outline_free():
    layout = layout_of(panel())
    motions, spec = cut(layout, diameter=7.0)
    problems = verify_cuts(motions, layout, spec)
    assert any(p.startswith("side: its outline is not cut through near") for p in problems)
    assert any(p.startswith("side: its hole is not cut through near") for p in problems)


def test_tabs_are_the_only_uncut_places_and_only_where_the_cam_put_them():
    layout = layout_of(panel())
    motions, spec = cut(layout)
    problems = verify_cuts(motions, layout, replace(spec, tabs=()))
    assert len(problems) == 1 and "its outline is not cut through" in problems[0]


def test_bones_reach_into_the_part_only_where_the_cam_put_them():
    layout = layout_of(panel())
    motions, spec = cut(layout)
    problems = verify_cuts(motions, layout, replace(spec, bones=()))
    assert problems and all("a through cut reaches" in p for p in problems)


def test_a_missing_last_pass_leaves_every_part_attached():
    layout = layout_of(panel())
    motions, spec = cut(layout, tab_height=0.0)
    shallow = [m for m in motions if min(m.start[2], m.end[2]) > -THICKNESS - 0.2]
    problems = verify_cuts(shallow, layout, spec)
    assert any("its outline is not cut through" in p for p in problems)


def test_features_must_reach_their_depth_and_no_deeper():
    part = panel()
    motions, spec = cut(layout_of(part))
    deeper = Part("side", part.outline, (replace(part.features[0], depth=12.0), part.features[1]))
    problems = verify_cuts(motions, layout_of(deeper), spec)
    assert problems == ["side: the pocket on layer 'POCKET_9MM' should be 12 mm deep, it is cut 9.000 mm"]
    shallower = Part("side", part.outline, (replace(part.features[0], depth=6.0), part.features[1]))
    problems = verify_cuts(motions, layout_of(shallower), spec)
    assert problems == ["side: the pocket on layer 'POCKET_9MM' should be 6 mm deep, it is cut 9.000 mm"]
    moved_drill = Part("side", part.outline, (part.features[0], replace(part.features[1], geometry=Point(60, 40))))
    problems = verify_cuts(motions, layout_of(moved_drill), spec)
    assert problems == ["side: the drill on layer 'DRILL' should be 10 mm deep, it is cut nowhere"]


def verified(part: Part, **changes) -> list[str]:
    layout = layout_of(part)
    motions, spec = cut(layout, **changes)
    return verify_cuts(motions, layout, spec)


def test_corners_left_round_on_purpose_and_through_drills_are_not_problems():
    ell = Part("ell", Polygon([(0, 0), (200, 0), (200, 90), (92, 90), (92, 160), (0, 160)]))
    assert verified(ell, dogbones="off") == []
    chamfered = Part("notch", box(0, 0, 200, 100).difference(Polygon([(80, 101), (120, 101), (110, 80), (90, 80)])))
    assert verified(chamfered) == []  # blunt 116 degree corners get no bones, and that is no missed cut
    drilled = Part("plate", box(0, 0, 200, 100), (Feature(Operation.DRILL, Point(50, 50), diameter=10.0,
                                                          layer="DRILL_10MM"),))
    assert verified(drilled) == []


def test_a_shallow_notch_beside_a_shoulder_still_gets_its_bones():
    from gcode.cam import CamSettings, sheet_toolpaths

    notched = box(0, 0, 200, 100).difference(box(90, 95, 102.2, 101))  # 12.2 wide, 5 mm deep
    layout = layout_of(Part("rail", notched))
    result = sheet_toolpaths(layout, CamSettings(Tool("em", "end mill", 6.0), CUTTING), name="v")
    assert len(result.bones) == 2
    assert verified(Part("rail", notched)) == []


def test_square_tabs_on_a_round_part_post_and_verify():
    for radius in (23.0, 37.0, 51.0):
        disc = Part("disc", Point(0, 0).buffer(radius, quad_segs=64))
        layout = Layout(Sheet(800.0, 500.0, THICKNESS), (Placement(disc, 0.0, (200.3 + radius / 7, 200.1)),))
        motions, spec = cut(layout, tab_angle=90.0, min_tabs=3)
        assert verify_cuts(motions, layout, spec) == []


def test_a_plunge_or_a_ramp_through_a_part_is_caught():
    from gcode.reader import read_gcode as read

    layout = layout_of(panel())
    motions, spec = cut(layout)
    # Inside the placed part (rotated 90 degrees about the origin, then moved to x = 400).
    intruder = read("G21 G90\nG0 Z5\nM3 S18000\nG4 P3\nG0 X300 Y150\nG1 Z-18.3 F600\nG0 Z5\n"
                    "G0 X320 Y100\nG1 Z-9 F600\nG1 X340 Y100 Z-18.3 F600\nG0 Z5\nM5\nM2\n").motions
    problems = verify_cuts(list(motions) + list(intruder), layout, spec)
    assert len(problems) == 1 and problems[0].startswith("side: a through cut reaches")
