"""Backplot: moves, lengths and preview polylines read back from toolpath steps."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point, box

from gcode.backplot import program_lengths, program_polylines
from gcode.cam import CamSettings, sheet_toolpaths
from gcode.tooling import CuttingData, Tool
from gcode.toolpath import ArcCut, Comment, Cut, Dwell, Rapid, SpindleOff, SpindleOn
from nester.model import Layout, Part, Placement, Sheet

# Written by hand: lift, travel, plunge, a straight cut, a half circle to the left
# of x = 10 going counter-clockwise, back out, travel, and a feed move in the air.
STEPS = (
    Rapid(z=5.0),
    SpindleOn(12000.0),
    Dwell(2.0),
    Rapid(x=0.0, y=0.0),
    Rapid(z=1.0),
    Cut(0.0, 0.0, -2.0, 300.0),
    Cut(10.0, 0.0, -2.0, 1000.0),
    ArcCut(10.0, 10.0, -2.0, 10.0, 5.0, False, 1000.0),
    Cut(10.0, 10.0, 1.0, 300.0),
    Comment("next"),
    Rapid(z=5.0),
    Rapid(x=50.0, y=50.0),
    Rapid(z=1.0),
    Cut(50.0, 50.0, 0.5, 300.0),
    Cut(60.0, 50.0, 0.5, 1000.0),
    Rapid(z=5.0),
    SpindleOff(),
)


def polyline_length(line):
    return sum(math.dist(a, b) for a, b in zip(line, line[1:]))


def test_feed_moves_below_the_top_are_cut_with_arcs_sampled_within_a_tenth():
    lines = program_polylines(STEPS)
    assert len(lines["cut"]) == 1
    cut = lines["cut"][0]
    assert cut[:2] == [(0.0, 0.0), (10.0, 0.0)] and cut[-1] == (10.0, 10.0)
    arc = cut[1:]
    for p in arc:
        assert math.dist(p, (10.0, 5.0)) == pytest.approx(5.0)
        assert p[0] >= 10.0 - 1e-9  # counter-clockwise from (10, 0) to (10, 10) passes x = 15
    for a, b in zip(arc, arc[1:]):
        middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        assert 5.0 - math.dist(middle, (10.0, 5.0)) <= 0.1
    # chords are shorter than their arcs: sagitta 0.1 on a 5 mm radius shortens by about 0.6 %
    assert 0.99 * (10.0 + 5.0 * math.pi) < polyline_length(cut) <= 10.0 + 5.0 * math.pi


def test_rapids_and_feeds_in_the_air_are_kept_apart():
    lines = program_polylines(STEPS)
    assert lines["rapid"] == [[(10.0, 10.0), (50.0, 50.0)]]  # the first travel starts from an unknown place
    assert lines["air"] == [[(50.0, 50.0), (60.0, 50.0)]]


def test_clockwise_arcs_are_sampled_on_their_own_side():
    steps = (Rapid(z=5.0), Rapid(x=0.0, y=0.0), Cut(0.0, 0.0, -1.0, 100.0),
             ArcCut(10.0, 0.0, -1.0, 5.0, 0.0, True, 100.0))
    (cut,) = program_polylines(steps)["cut"]
    assert all(y >= -1e-9 for _, y in cut)  # clockwise from the left end passes over the top
    assert max(y for _, y in cut) == pytest.approx(5.0, abs=0.1)


def test_lengths_add_xy_and_z_and_skip_what_starts_unknown():
    feed, rapid = program_lengths(STEPS)
    assert feed == pytest.approx(3.0 + 10.0 + 5.0 * math.pi + 3.0 + 0.5 + 10.0)
    assert rapid == pytest.approx(4.0 + 4.0 + math.hypot(40.0, 40.0) + 4.0 + 4.5)


def test_a_helical_arc_counts_its_climb():
    steps = (Rapid(z=5.0), Rapid(x=10.0, y=0.0), Rapid(z=1.0), Cut(10.0, 0.0, 0.0, 100.0),
             ArcCut(-10.0, 0.0, -3.0, 0.0, 0.0, False, 100.0))
    feed, _ = program_lengths(steps)
    assert feed == pytest.approx(1.0 + math.hypot(10.0 * math.pi, 3.0))


def test_the_preview_of_a_real_program_covers_its_cut():
    tool = Tool("em6", "6 mm end mill", 6.0)
    cutting = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
    round_hole = Point(60, 40).buffer(15, quad_segs=64)
    outline = box(0, 0, 120, 80).difference(round_hole)
    layout = Layout(Sheet(600.0, 400.0, 18.0), (Placement(Part("lid", outline), 0.0, (50.0, 50.0)),))
    result = sheet_toolpaths(layout, CamSettings(tool, cutting, tab_height=0.0, entry="plunge"), name="lid")
    lines = program_polylines(result.program.steps)

    passes = math.ceil(18.3 / 6.0)
    outline_path = 2 * (120 + 80) + 2 * math.pi * 3.0
    hole_path = 2 * math.pi * (15.0 - 3.0)
    cut_xy = sum(polyline_length(line) for line in lines["cut"])
    assert cut_xy == pytest.approx(passes * (outline_path + hole_path), rel=1e-3)

    hole_ring = LineString([p for line in lines["cut"] for p in line if math.dist(p, (110, 90)) < 20])
    assert hole_ring.hausdorff_distance(Point(110, 90).buffer(12.0, quad_segs=256).exterior) < 0.1
    # every travel but the first (from an unknown place) ends where a cut begins
    assert [line[-1] for line in lines["rapid"]] == [line[0] for line in lines["cut"]][1:]
