"""Arc fitting: fewer segments, never further than the tolerance from the chords they replace."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from gcode.arc_fit import ARC_TOLERANCE, fit_segments
from gcode.arcs import arc_sweep, sample_arc
from gcode.paths import Arc, Line, Path2D, loop_path


SAMPLING = 0.0002  # mm: the fitted arcs are compared as chords this close to them


def polyline_of(path: Path2D) -> LineString:
    return LineString(path.points(SAMPLING))


def assert_within_tolerance(points, segments, tolerance=ARC_TOLERANCE):
    original = LineString(points).segmentize(0.05)
    fitted = polyline_of(Path2D(tuple(points[0]), segments))
    assert fitted.hausdorff_distance(original) <= tolerance + SAMPLING + 1e-6
    # Every vertex of the original still lies on the fitted path, within tolerance.
    assert max(fitted.distance(Point(p)) for p in points) <= tolerance + SAMPLING + 1e-6


def flattened_arc(centre, radius, a0, a1, chord_error=0.01):
    start = (centre[0] + radius * math.cos(a0), centre[1] + radius * math.sin(a0))
    end = (centre[0] + radius * math.cos(a1), centre[1] + radius * math.sin(a1))
    return [start, *sample_arc(start, end, centre, a1 < a0, chord_error)]


def test_a_flattened_quarter_circle_becomes_one_arc_with_its_centre():
    points = flattened_arc((10.0, 20.0), 50.0, 0.0, math.pi / 2)
    assert len(points) > 20
    segments = fit_segments(points)
    assert len(segments) == 1 and isinstance(segments[0], Arc)
    assert segments[0].centre == (pytest.approx(10.0, abs=0.01), pytest.approx(20.0, abs=0.01))
    assert segments[0].clockwise is False
    assert segments[0].end == points[-1]
    assert_within_tolerance(points, segments)


def test_arcs_longer_than_a_half_turn_are_split_into_half_turns_at_most():
    points = flattened_arc((0.0, 0.0), 30.0, 0.0, -1.6 * math.pi)  # clockwise, 288 degrees
    segments = fit_segments(points)
    assert all(isinstance(s, Arc) and s.clockwise for s in segments) and len(segments) == 2
    position = points[0]
    for seg in segments:
        assert arc_sweep(position, seg.end, seg.centre, seg.clockwise) <= math.pi + 1e-9
        position = seg.end
    assert_within_tolerance(points, segments)


def test_straight_lines_and_zigzags_stay_lines():
    zigzag = [(float(i), float(i % 2)) for i in range(20)]
    assert all(isinstance(s, Line) for s in fit_segments(zigzag))
    straight = [(float(i), 0.0) for i in range(20)]
    assert all(isinstance(s, Line) for s in fit_segments(straight))


def test_an_s_curve_is_two_arcs_turning_opposite_ways():
    first = flattened_arc((0.0, 0.0), 20.0, math.pi, 0.0)  # clockwise over the top
    second = flattened_arc((40.0, 0.0), 20.0, math.pi, 2 * math.pi)  # counter-clockwise under
    points = first + second[1:]
    segments = fit_segments(points)
    arcs = [s for s in segments if isinstance(s, Arc)]
    assert [a.clockwise for a in arcs] == [True, False]
    assert_within_tolerance(points, segments)


def test_a_corner_between_two_arcs_is_not_smoothed_over():
    # Two quarter circles meeting at a sharp corner: the corner vertex must stay a segment end.
    first = flattened_arc((0.0, 0.0), 20.0, 0.0, math.pi / 2)
    second = flattened_arc((0.0, 40.0), 20.0, -math.pi / 2, 0.0)
    points = first + second[1:]
    segments = fit_segments(points)
    assert (0.0, 20.0) in [tuple(map(lambda v: round(v, 9), s.end)) for s in segments]
    assert_within_tolerance(points, segments)


def test_an_offset_outline_keeps_its_straight_edges_and_gets_arcs_at_its_corners():
    ring = box(0, 0, 400, 200).buffer(3.0, quad_segs=24).exterior.coords
    path = loop_path(ring, clockwise=True)
    arcs = [s for s in path.segments if isinstance(s, Arc)]
    lines = [s for s in path.segments if isinstance(s, Line)]
    assert len(arcs) == 4 and len(lines) == 5  # the start splits one edge in two
    assert all(math.dist(a.end, a.centre) == pytest.approx(3.0, abs=0.01) for a in arcs)
    assert len(path.segments) < len(ring) / 5


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 200), st.floats(0, 200)), min_size=3, max_size=8),
    st.floats(0.5, 12.0),
)
def test_offsets_of_random_shapes_are_fitted_within_tolerance(corners, radius):
    shape = Polygon(corners).convex_hull.buffer(0)
    if not isinstance(shape, Polygon) or shape.area < 1.0:
        return
    grown = shape.buffer(radius, quad_segs=32)
    points = [tuple(p) for p in grown.exterior.coords]
    segments = fit_segments(points)
    assert len(segments) <= len(points) - 1
    assert_within_tolerance(points, segments)
