"""The exact layout check: hand-built layouts, each with one known defect."""

import pytest
from shapely.geometry import Point, Polygon, box

from nester.model import Layout, NestResult, Part, Placement, Sheet
from nester.validate import assert_valid, check_layout, check_result, layout_problems

SHEET = Sheet(width=1000, height=500, thickness=18, margin=10)


def rectangle(name, width, height, **kwargs):
    return Part(name, box(0, 0, width, height), **kwargs)


def test_well_spaced_layout_has_no_problems():
    shelf, side = rectangle("shelf", 300, 200), rectangle("side", 200, 100)
    layout = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (316, 10))))

    assert layout_problems(layout, spacing=6.0) == []
    check_layout(layout, spacing=6.0)


def test_overlapping_parts_are_reported_with_both_labels_and_the_overlap_area():
    shelf, side = rectangle("shelf", 300, 200), rectangle("side", 200, 100)
    layout = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (300, 10))))

    problems = layout_problems(layout, spacing=0.0, sheet_number=2)

    assert problems == ["sheet 2 (1000x500x18): 'shelf' overlaps 'side' (1000.000 mm²)"]


def test_parts_closer_than_the_spacing_are_reported_with_the_gap():
    shelf, side = rectangle("shelf", 300, 200), rectangle("side", 200, 100)
    layout = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (313, 10))))

    problems = layout_problems(layout, spacing=6.0)

    assert len(problems) == 1
    assert "'shelf' and 'side' are 3.000 mm apart" in problems[0]
    assert "6.000 mm" in problems[0]


def test_diagonal_gap_is_measured_between_outlines_not_boxes():
    # Two triangles whose boxes overlap but whose hypotenuses are 10 mm apart.
    lower = Part("lower", Polygon([(0, 0), (100, 0), (0, 100)]))
    upper = Part("upper", Polygon([(100, 0), (100, 100), (0, 100)]))
    offset = 10 / 2**0.5
    layout = Layout(SHEET, (Placement(lower, 0.0, (10, 10)), Placement(upper, 0.0, (10 + offset, 10 + offset))))

    assert layout_problems(layout, spacing=10.0 - 1e-3) == []
    assert len(layout_problems(layout, spacing=10.5)) == 1


def test_part_inside_the_margin_is_reported():
    shelf = rectangle("shelf", 300, 200)
    layout = Layout(SHEET, (Placement(shelf, 0.0, (5, 10)),))

    problems = layout_problems(layout, spacing=6.0)

    assert problems == ["sheet 1 (1000x500x18): 'shelf' extends 5.000 mm beyond the usable area (10 mm margin)"]


def test_part_past_the_far_edge_is_reported():
    shelf = rectangle("shelf", 300, 200)
    layout = Layout(SHEET, (Placement(shelf, 90.0, (500, 300)),))  # rotated: x 300..500, y 300..600

    problems = layout_problems(layout, spacing=6.0)

    assert len(problems) == 1 and "110.000 mm beyond the usable area" in problems[0]


def test_disallowed_rotation_is_reported():
    door = rectangle("door", 300, 200, grain=True)
    layout = Layout(SHEET, (Placement(door, 90.0, (310, 10)),))

    problems = layout_problems(layout, spacing=6.0)

    assert problems == ["sheet 1 (1000x500x18): 'door' is rotated 90 degrees, allowed rotations are 0, 180"]


def test_rotations_are_compared_modulo_360_and_free_parts_take_any_angle():
    door = rectangle("door", 100, 100, grain=True)
    wheel = Part("wheel", Point(0, 0).buffer(50), rotations=None)
    layout = Layout(SHEET, (Placement(door, -180.0, (210, 110)), Placement(wheel, 37.5, (400, 200))))

    assert layout_problems(layout, spacing=6.0) == []


def test_touching_parts_are_fine_with_zero_spacing_but_not_with_spacing():
    shelf, side = rectangle("shelf", 300, 200), rectangle("side", 200, 100)
    layout = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (310, 10))))

    assert layout_problems(layout, spacing=0.0) == []
    problems = layout_problems(layout, spacing=6.0)
    assert len(problems) == 1 and "0.000 mm apart" in problems[0]


def test_floating_point_noise_is_not_an_overlap_but_a_real_sliver_is():
    shelf, side = rectangle("shelf", 300, 200), rectangle("side", 200, 100)
    noisy = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (310 - 1e-9, 10))))
    sliver = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (310 - 0.01, 10))))

    assert layout_problems(noisy, spacing=0.0) == []
    assert [p for p in layout_problems(sliver, spacing=0.0) if "overlaps" in p]


def test_small_part_in_a_big_parts_hole_is_fine_while_the_spacing_holds():
    frame = Part("frame", box(0, 0, 400, 400).difference(box(100, 100, 300, 300)))
    block = rectangle("block", 100, 100)
    inside = Layout(SHEET, (Placement(frame, 0.0, (10, 10)), Placement(block, 0.0, (160, 160))))
    too_close = Layout(SHEET, (Placement(frame, 0.0, (10, 10)), Placement(block, 0.0, (113, 160))))

    assert layout_problems(inside, spacing=6.0) == []
    problems = layout_problems(too_close, spacing=6.0)
    assert len(problems) == 1 and "3.000 mm apart" in problems[0]


def test_small_part_on_the_solid_of_a_big_part_overlaps():
    frame = Part("frame", box(0, 0, 400, 400).difference(box(100, 100, 300, 300)))
    block = rectangle("block", 50, 50)
    layout = Layout(SHEET, (Placement(frame, 0.0, (10, 10)), Placement(block, 0.0, (30, 30))))

    problems = layout_problems(layout, spacing=0.0)

    assert problems == ["sheet 1 (1000x500x18): 'frame' overlaps 'block' (2500.000 mm²)"]


def test_complete_result_has_no_problems_and_counts_unplaced_copies():
    leg = rectangle("leg", 100, 50, quantity=3)
    result = NestResult(
        layouts=(Layout(SHEET, (Placement(leg, 0.0, (10, 10), copy=1), Placement(leg, 0.0, (116, 10), copy=3))),),
        unplaced=((leg, 1),),
    )

    assert check_result(result, [leg], spacing=6.0) == []
    assert_valid(result, [leg], spacing=6.0)


def test_missing_copy_is_reported():
    leg = rectangle("leg", 100, 50, quantity=3)
    result = NestResult(
        layouts=(Layout(SHEET, (Placement(leg, 0.0, (10, 10), copy=1), Placement(leg, 0.0, (116, 10), copy=2))),),
    )

    problems = check_result(result, [leg], spacing=6.0)

    assert problems == ["part 'leg': 2 of 3 copies placed and 0 reported unplaced (not placed: copy 3)"]


def test_duplicate_copy_is_reported():
    leg = rectangle("leg", 100, 50, quantity=2)
    result = NestResult(
        layouts=(
            Layout(SHEET, (Placement(leg, 0.0, (10, 10), copy=1),)),
            Layout(SHEET, (Placement(leg, 0.0, (10, 10), copy=1),)),
        ),
    )

    problems = check_result(result, [leg], spacing=6.0)

    assert "part 'leg': copy 1 placed more than once" in problems
    assert any("1 of 2 copies placed" in p for p in problems)


def test_undemanded_copies_and_strangers_are_reported():
    leg = rectangle("leg", 100, 50, quantity=1)
    stranger = rectangle("stranger", 100, 50)
    result = NestResult(
        layouts=(
            Layout(
                SHEET,
                (
                    Placement(leg, 0.0, (10, 10), copy=1),
                    Placement(leg, 0.0, (116, 10), copy=2),
                    Placement(stranger, 0.0, (222, 10)),
                ),
            ),
        ),
        unplaced=((stranger, 1),),
    )

    problems = check_result(result, [leg], spacing=6.0)

    assert "part 'leg': copy 2 placed but only 1 demanded" in problems
    assert "sheet 1: 'stranger' is not one of the parts to nest" in problems
    assert "unplaced part 'stranger' is not one of the parts to nest" in problems


def test_layout_problems_make_the_result_invalid_and_assertions_list_them():
    shelf = rectangle("shelf", 300, 200)
    side = rectangle("side", 200, 100)
    overlapping = Layout(SHEET, (Placement(shelf, 0.0, (10, 10)), Placement(side, 0.0, (300, 10))))
    result = NestResult(layouts=(overlapping,))

    with pytest.raises(AssertionError, match="'shelf' overlaps 'side'"):
        assert_valid(result, [shelf, side], spacing=0.0)
    with pytest.raises(AssertionError, match="'shelf' overlaps 'side'"):
        check_layout(result.layouts[0], spacing=0.0)
