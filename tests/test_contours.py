import math
import time

import numpy as np
import pytest

from nester.contours import RawShape, build_parts, chain_loops
from nester.errors import InputError
from nester.model import Machining, Operation

CUT = Machining(Operation.CUT)
OUTSIDE = Machining(Operation.CUT_OUTSIDE)
INSIDE = Machining(Operation.CUT_INSIDE)
ENGRAVE = Machining(Operation.ENGRAVE, 1.0)
POCKET = Machining(Operation.POCKET, 6.0)
DRILL = Machining(Operation.DRILL)


def shape(points, machining=CUT, closed=False, layer="L", source="piece"):
    return RawShape(np.array(points, dtype=float), closed, layer, machining, source)


def rect(x0, y0, x1, y1, machining=CUT, layer="L", source="rect"):
    return shape([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], machining, True, layer, source)


def circle(cx, cy, r, machining=DRILL, n=64, layer="D"):
    angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return shape(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]), machining, True, layer)


def parts_of(shapes, name="plan"):
    chained = chain_loops(shapes, file="plan.dxf")
    parts, warnings = build_parts(chained.loops, chained.open_paths, chained.points, name=name, file="plan.dxf")
    return parts, chained.warnings + warnings


def test_loose_reversed_pieces_with_small_gaps_chain_into_one_loop():
    pieces = [
        shape([(0, 0), (100, 0)]),
        shape([(100, 50), (100.005, 0)]),  # reversed, 0.005 mm off
        shape([(100, 50), (0, 50)]),
        shape([(0, 0.004), (0, 50)]),  # reversed direction again
    ]
    chained = chain_loops(pieces, file="plan.dxf")
    assert len(chained.loops) == 1 and not chained.open_paths
    loop = chained.loops[0]
    assert loop.closed and len(loop.points) == 4
    parts, _ = parts_of(pieces)
    assert parts[0].outline.area == pytest.approx(5000, abs=0.5)


def test_gap_larger_than_tolerance_names_layer_and_both_points():
    pieces = [
        shape([(0, 0), (100, 0)], layer="CUT_OUTSIDE"),
        shape([(101, 0), (100, 50)], layer="CUT_OUTSIDE"),
        shape([(100, 50), (0, 0)], layer="CUT_OUTSIDE"),
    ]
    with pytest.raises(InputError) as error:
        chain_loops(pieces, file="plan.dxf")
    assert str(error.value) == (
        "plan.dxf: layer 'CUT_OUTSIDE': open contour, gap of 1.000 mm between (100.000, 0.000) and (101.000, 0.000)"
    )


def test_three_ends_at_one_point_is_a_branch():
    pieces = [shape([(0, 0), (10, 0)]), shape([(10, 0), (10, 10)]), shape([(10, 0), (20, 0)])]
    with pytest.raises(InputError, match=r"layer 'L': 3 line ends meet at \(10.000, 0.000\)"):
        chain_loops(pieces, file="plan.dxf")


def test_duplicated_line_is_refused():
    corners = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    square = [shape(corners[i : i + 2]) for i in range(4)]
    with pytest.raises(InputError, match=r"3 line ends meet at \(0.000, 0.000\)"):
        chain_loops(square + [shape([(0, 0), (10, 0)])], file="plan.dxf")


def test_pieces_chain_per_layer_only():
    pieces = [shape([(0, 0), (10, 0)], layer="A"), shape([(10, 0), (0, 0)], layer="B")]
    with pytest.raises(InputError, match="layer 'A': open contour"):
        chain_loops(pieces, file="plan.dxf")


def test_zero_length_pieces_and_zero_area_loops_are_dropped_with_warnings():
    chained = chain_loops(
        [
            shape([(5, 5), (5, 5)], source="LINE #1"),
            shape([(0, 0), (10, 0), (0, 0)], closed=True, source="LWPOLYLINE #2"),
            rect(0, 0, 10, 10),
        ],
        file="plan.dxf",
    )
    assert len(chained.loops) == 1
    assert any("zero-length LINE #1" in w for w in chained.warnings)
    assert any("zero-area closed contour LWPOLYLINE #2" in w for w in chained.warnings)


def test_consecutive_points_closer_than_a_micron_merge():
    chained = chain_loops([shape([(0, 0), (10, 0), (10, 1e-7), (10, 10), (0, 10), (0, 0)], closed=True)], file="f")
    assert len(chained.loops[0].points) == 4


def test_engraving_joins_where_two_ends_meet_and_may_branch():
    letter_t = [
        shape([(0, 10), (5, 10)], ENGRAVE),
        shape([(5, 10), (10, 10)], ENGRAVE),
        shape([(5, 10), (5, 0)], ENGRAVE),
        shape([(20, 0), (25, 0)], ENGRAVE),
        shape([(25, 0), (30, 5)], ENGRAVE),
    ]
    chained = chain_loops(letter_t, file="f")
    lengths = sorted(len(path.points) for path in chained.open_paths)
    assert lengths == [2, 2, 2, 3]
    assert not chained.loops


def test_engraving_pieces_forming_a_ring_close():
    pieces = [shape([(0, 0), (10, 0)], ENGRAVE), shape([(10, 0), (5, 8)], ENGRAVE), shape([(5, 8), (0, 0)], ENGRAVE)]
    chained = chain_loops(pieces, file="f")
    assert len(chained.loops) == 1 and chained.loops[0].closed


def test_points_kept_on_drill_layers_only():
    chained = chain_loops([shape([(1, 1)], DRILL), shape([(2, 2)], CUT, source="POINT #7")], file="f")
    assert len(chained.points) == 1
    assert any("POINT #7" in w for w in chained.warnings)


def test_many_pieces_chain_quickly():
    angles = np.linspace(0, 2 * math.pi, 20001)
    ring = np.column_stack([500 * np.cos(angles), 500 * np.sin(angles)])
    pieces = [shape(ring[i : i + 2]) for i in range(20000)]
    pieces.reverse()
    start = time.perf_counter()
    chained = chain_loops(pieces, file="f")
    assert time.perf_counter() - start < 5.0
    assert len(chained.loops) == 1 and len(chained.loops[0].points) == 20000


def test_cut_loops_alternate_outline_hole_by_depth_and_island_becomes_a_part():
    parts, _ = parts_of([rect(0, 0, 100, 100), rect(10, 10, 90, 90), rect(20, 20, 80, 80), rect(30, 30, 70, 70)])
    assert [p.name for p in parts] == ["plan-1", "plan-2"]
    outer, island = parts
    assert outer.outline.area == pytest.approx(100 * 100 - 80 * 80)
    assert island.outline.area == pytest.approx(60 * 60 - 40 * 40)
    assert len(outer.outline.interiors) == 1 and len(island.outline.interiors) == 1


def test_outline_is_ccw_and_holes_cw_whatever_the_drawing_direction():
    clockwise = shape([(0, 0), (0, 50), (80, 50), (80, 0)], OUTSIDE, True)
    ccw_hole = rect(10, 10, 20, 20, INSIDE)
    parts, _ = parts_of([clockwise, ccw_hole])
    outline = parts[0].outline
    assert outline.exterior.is_ccw
    assert not outline.interiors[0].is_ccw


def test_cut_inside_goes_to_smallest_outline_and_keeps_drawn_coordinates():
    parts, _ = parts_of(
        [
            rect(0, 0, 100, 100, CUT),
            rect(10, 10, 90, 90, CUT),
            rect(20, 20, 80, 80, OUTSIDE),
            rect(40, 40, 50, 50, INSIDE),
        ]
    )
    inner = next(p for p in parts if p.outline.bounds == (20, 20, 80, 80))
    assert inner.outline.interiors[0].bounds == (40, 40, 50, 50)


def test_hole_outside_every_outline_is_refused():
    message = r"hole rect on layer 'L' at \(200.000, 0.000\)..\(210.000, 10.000\) is not inside any outline"
    with pytest.raises(InputError, match=message):
        parts_of([rect(0, 0, 100, 100, OUTSIDE), rect(200, 0, 210, 10, INSIDE)])


def test_outline_inside_solid_of_another_is_refused():
    with pytest.raises(InputError, match=r"lies inside the solid of outline .*\(0.000, 0.000\)..\(100.000, 100.000\)"):
        parts_of([rect(0, 0, 100, 100, OUTSIDE), rect(10, 10, 20, 20, OUTSIDE)])


def test_overlapping_outlines_are_refused():
    with pytest.raises(InputError, match="contours overlap"):
        parts_of([rect(0, 0, 100, 100, OUTSIDE), rect(50, 50, 150, 150, OUTSIDE)])


def test_touching_outlines_are_two_parts():
    parts, _ = parts_of([rect(0, 0, 100, 100, OUTSIDE), rect(100, 0, 200, 100, OUTSIDE)])
    assert len(parts) == 2


def test_duplicated_contour_is_refused():
    with pytest.raises(InputError, match="duplicate contour"):
        parts_of([rect(0, 0, 100, 100, OUTSIDE), rect(0, 0, 100, 100, OUTSIDE)])


def test_self_intersecting_loop_names_the_crossing():
    bow_tie = shape([(0, 0), (10, 10), (10, 0), (0, 10)], CUT, True, source="LWPOLYLINE #9")
    with pytest.raises(InputError, match=r"LWPOLYLINE #9: invalid contour \(self-intersection at \(5.000, 5.000\)\)"):
        parts_of([bow_tie])


def test_features_go_to_the_smallest_covering_part():
    parts, _ = parts_of(
        [
            rect(0, 0, 100, 100),
            rect(10, 10, 90, 90),
            rect(20, 20, 80, 80),
            rect(30, 30, 40, 40, POCKET, layer="P"),
            rect(2, 2, 8, 8, POCKET, layer="P"),
            shape([(50, 50)], Machining(Operation.DRILL, None, 8.0)),
            shape([(22, 75), (60, 75)], ENGRAVE),
        ]
    )
    outer = next(p for p in parts if p.outline.bounds == (0, 0, 100, 100))
    inner = next(p for p in parts if p.outline.bounds == (20, 20, 80, 80))
    assert [f.geometry.bounds for f in outer.features] == [(2, 2, 8, 8)]
    kinds = sorted((f.operation.value, f.geometry.geom_type) for f in inner.features)
    assert kinds == [("drill", "Point"), ("engrave", "LineString"), ("pocket", "Polygon")]
    drill = next(f for f in inner.features if f.operation is Operation.DRILL)
    assert drill.diameter == 8.0 and drill.depth is None
    pocket = next(f for f in inner.features if f.operation is Operation.POCKET)
    assert pocket.depth == 6.0 and pocket.layer == "P"


def test_feature_on_the_edge_within_tolerance_is_inside():
    parts, _ = parts_of([rect(0, 0, 100, 100), shape([(0, 50), (100.005, 50)], ENGRAVE)])
    assert len(parts[0].features) == 1


def test_feature_outside_every_part_is_refused():
    message = r"layer 'P': pocket rect at \(150.000, 0.000\)..\(160.000, 10.000\) is outside every part"
    with pytest.raises(InputError, match=message):
        parts_of([rect(0, 0, 100, 100), rect(150, 0, 160, 10, POCKET, layer="P")])


def test_feature_in_a_hole_is_outside_the_part():
    with pytest.raises(InputError, match="outside every part"):
        parts_of([rect(0, 0, 100, 100), rect(10, 10, 50, 50), shape([(30, 30)], DRILL)])


def test_drill_circle_becomes_centre_and_diameter():
    parts, _ = parts_of([rect(0, 0, 100, 100), circle(30, 40, 4)])
    (drill,) = parts[0].features
    assert drill.geometry.x == pytest.approx(30) and drill.geometry.y == pytest.approx(40)
    assert drill.diameter == pytest.approx(8, abs=1e-9)


def test_drill_loop_that_is_not_a_circle_is_refused():
    with pytest.raises(InputError, match="layer 'D': .* is on a drill layer but is not a circle"):
        parts_of([rect(0, 0, 100, 100), rect(10, 10, 30, 12, DRILL, layer="D")])


def test_drill_circle_size_differing_from_layer_diameter_warns():
    _, warnings = parts_of([rect(0, 0, 100, 100), circle(30, 40, 4, Machining(Operation.DRILL, None, 6.0))])
    assert any("8.000 mm across but the layer names a 6 mm drill" in w for w in warnings)


def test_closed_engraving_is_a_ring():
    parts, _ = parts_of([rect(0, 0, 100, 100), rect(10, 10, 20, 20, ENGRAVE)])
    assert parts[0].features[0].geometry.geom_type == "LinearRing"


def test_parts_named_in_reading_order_top_to_bottom_then_left_to_right():
    parts, _ = parts_of([rect(200, 0, 300, 50), rect(0, 100, 100, 150), rect(0, 0, 100, 50), rect(200, 100, 250, 150)])
    named = {p.name: p.outline.bounds[:2] for p in parts}
    assert named == {"plan-1": (0, 100), "plan-2": (200, 100), "plan-3": (0, 0), "plan-4": (200, 0)}


def test_single_part_takes_the_stem_and_options():
    chained = chain_loops([rect(0, 0, 10, 10)], file="f")
    parts, _ = build_parts(
        chained.loops, [], [], name="side", file="side.dxf", quantity=3, rotations=(0.0, 180.0), grain=True
    )
    (part,) = parts
    assert (part.name, part.quantity, part.rotations, part.grain) == ("side", 3, (0.0, 180.0), True)
    assert part.source == "side.dxf"


def test_no_through_cut_lists_layers_seen():
    shapes = [rect(0, 0, 10, 10, POCKET, layer="POCKET_6MM"), shape([(0, 0), (5, 5)], ENGRAVE, layer="ENGRAVE")]
    chained = chain_loops(shapes, file="f")
    with pytest.raises(InputError, match=r"^plan.dxf: no closed outline to cut \(layers seen: ENGRAVE, POCKET_6MM\)$"):
        build_parts(chained.loops, chained.open_paths, chained.points, name="p", file="plan.dxf")
