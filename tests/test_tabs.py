"""Tab placement along tool paths, and how the CAM lifts over tabs."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point, Polygon, box

from gcode.arcs import Circle
from gcode.cam import CamSettings, sheet_toolpaths
from gcode.paths import Arc, Line, Path2D, circle_path, loop_path
from gcode.tabs import fit_span, place_tabs, tab_count
from gcode.tooling import CuttingData, Tool
from gcode.toolpath import Cut, Rapid
from nester.model import Layout, Part, Placement, Sheet

TOOL = Tool("em6", "6 mm end mill", 6.0)
CUTTING = CuttingData(rpm=18000.0, feed=3000.0, plunge_feed=600.0, step_down=6.0, step_over=2.7)
SPAN = 10.0 + TOOL.diameter
TAB_Z = -18.0 + 4.0


def straightness(path: Path2D) -> float:
    """Largest distance of a path's points from the chord between its ends."""
    chord = LineString([path.start, path.end])
    return max(chord.distance(Point(p)) for p in path.points(0.001))


def test_one_tab_per_spacing_and_never_fewer_than_the_minimum():
    assert tab_count(180.0, 400.0, 2) == 2
    assert tab_count(2100.0, 400.0, 2) == 5
    assert tab_count(2100.0, 400.0, 8) == 8
    assert tab_count(2100.0, 400.0, 0) == 5


def test_the_span_shrinks_so_tabs_take_at_most_half_a_small_perimeter():
    assert fit_span(1000.0, 2, SPAN) == SPAN
    assert fit_span(40.0, 2, SPAN) == pytest.approx(10.0)
    assert fit_span(40.0, 0, SPAN) == 0.0


def test_tabs_aimed_at_corners_move_to_the_nearest_straight_place():
    # A 100 mm square starting mid-edge: the four slot middles fall exactly on the corners.
    path = loop_path(box(0, 0, 100, 100).exterior.coords, clockwise=True)
    corners = [50.0, 150.0, 250.0, 350.0]
    intervals = place_tabs(path, 4, SPAN)
    assert len(intervals) == 4
    for (begin, end), corner in zip(intervals, corners):
        assert end - begin == pytest.approx(SPAN)
        assert abs(abs((begin + end) / 2 - corner) - SPAN / 2) <= 0.25  # just clear of the corner
        assert straightness(path.sub_path(begin, end)) < 1e-9


def test_tabs_stay_in_their_slots_spread_evenly_and_disjoint():
    path = loop_path(Polygon(box(0, 0, 700, 300).exterior).buffer(3.0, quad_segs=10).exterior.coords,
                     clockwise=True)
    slot = path.length / 5
    intervals = place_tabs(path, 5, SPAN)
    for i, (begin, end) in enumerate(intervals):
        assert i * slot <= begin < end <= (i + 1) * slot
        assert straightness(path.sub_path(begin, end)) < 1e-6  # off the rounded corners


def test_a_circle_has_no_straight_place_so_its_tabs_stay_evenly_spaced():
    path = circle_path(Circle((0.0, 0.0), 50.0), clockwise=True)
    perimeter = 2 * math.pi * 50.0
    intervals = place_tabs(path, 3, SPAN)
    centres = [(a + b) / 2 for a, b in intervals]
    assert centres == pytest.approx([perimeter / 6, perimeter / 2, 5 * perimeter / 6], abs=0.25)


def test_split_cuts_a_path_with_arcs_into_pieces_that_lift_exactly_over_the_intervals():
    stadium = Path2D((0.0, 0.0), (
        Line((100.0, 0.0)),
        Arc((100.0, 40.0), (100.0, 20.0), clockwise=False),
        Line((0.0, 40.0)),
        Arc((0.0, 0.0), (0.0, 20.0), clockwise=False),
    ))
    assert stadium.length == pytest.approx(200.0 + 2 * math.pi * 20.0)
    pieces = stadium.split([(50.0, 66.0), (110.0, 140.0)])
    assert [lifted for _, lifted in pieces] == [False, True, False, True, False]
    assert pieces[0][0].start == stadium.start and pieces[-1][0].end == pytest.approx(stadium.end)
    for (a, _), (b, _) in zip(pieces, pieces[1:]):
        assert a.end == b.start
    assert sum(p.length for p, _ in pieces) == pytest.approx(stadium.length)
    assert [p.length for p, lifted in pieces if lifted] == pytest.approx([16.0, 30.0])
    on_arc = pieces[3][0]
    assert all(isinstance(s, Arc) and s.centre == (100.0, 20.0) for s in on_arc.segments)
    assert all(math.dist(p, (100.0, 20.0)) == pytest.approx(20.0) for p in on_arc.points(0.01))


# -- through the CAM ----------------------------------------------------------


def run(part: Part, **changes):
    layout = Layout(Sheet(1000.0, 600.0, 18.0), (Placement(part, 0.0, (100.0, 100.0)),))
    changes = {"entry": "plunge", "tab_angle": 90.0, "dogbones": "off", **changes}  # square tabs: ramped ones have their own tests
    return sheet_toolpaths(layout, CamSettings(TOOL, CUTTING, **changes), name="tabs")


def lifted_lengths(steps):
    """XY lengths of the runs of feed moves at tab-top Z: one run per tab crossed."""
    x = y = None
    runs = []
    at_tab = False
    for step in steps:
        if isinstance(step, (Rapid, Cut)):
            lifted = isinstance(step, Cut) and step.z == pytest.approx(TAB_Z)
            if lifted:
                if not at_tab:
                    runs.append(0.0)
                runs[-1] += math.hypot(step.x - x, step.y - y)
            at_tab = lifted
            x = x if step.x is None else step.x
            y = y if step.y is None else step.y
    return runs


def test_a_small_part_still_gets_its_tabs_only_narrower_and_says_so():
    result = run(Part("peg", box(0, 0, 8, 8)))
    assert len(result.tabs) == 2
    assert any("part 'peg' is small: its 2 tabs are" in w for w in result.warnings)
    lengths = lifted_lengths(result.program.steps)
    assert len(lengths) == 2
    assert all(TOOL.diameter < length < SPAN for length in lengths)  # some material is left, less than asked


def test_a_part_too_small_for_any_tab_is_cut_loose_with_a_warning():
    result = run(Part("crumb", box(0, 0, 1, 1)))
    assert result.tabs == ()
    assert result.warnings == ("part 'crumb' is too small to hold with tabs: it comes loose on the last pass",)
    assert lifted_lengths(result.program.steps) == []


def test_tab_height_zero_means_no_tabs():
    result = run(Part("panel", box(0, 0, 300, 200)), tab_height=0.0)
    assert result.tabs == () and result.warnings == ()


def test_only_outside_profiles_get_tabs():
    frame = Polygon(box(0, 0, 400, 400).exterior.coords, [box(50, 50, 350, 350).exterior.coords])
    result = run(Part("frame", frame))
    placed_outline = box(100, 100, 500, 500)
    assert len(result.tabs) == round((4 * 400 + 2 * math.pi * 3.0) / 400.0)
    for tab in result.tabs:
        assert placed_outline.exterior.distance(Point(tab)) == pytest.approx(3.0, abs=0.01)
    assert len(lifted_lengths(result.program.steps)) == len(result.tabs)
    assert all(length == pytest.approx(SPAN, abs=1e-3) for length in lifted_lengths(result.program.steps))
