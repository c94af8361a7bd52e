"""The bounding-box bottom-left nester: positions, rotations, sheets, stock and errors."""

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import Point, Polygon, box

from nester.errors import InputError
from nester.model import Part, Sheet, place
from nester.simple_nest import nest_bottom_left
from nester.validate import check_result

SHEET = Sheet(width=1000, height=500, thickness=18, margin=10)


def rectangle(name, width, height, x=0.0, y=0.0, **kwargs):
    return Part(name, box(x, y, x + width, y + height), **kwargs)


def placed_bounds(result):
    """{label: (sheet index, bounds of the placed outline)}."""
    return {
        placement.label(): (index, placement.outline().bounds)
        for index, layout in enumerate(result.layouts)
        for placement in layout.placements
    }


def test_first_box_goes_to_the_margin_corner_and_the_next_to_its_right_plus_spacing():
    big, small = rectangle("big", 400, 200, rotations=(0.0,)), rectangle("small", 300, 200, rotations=(0.0,))

    result = nest_bottom_left([small, big], [SHEET], spacing=6.0)

    bounds = placed_bounds(result)
    assert bounds["big"] == (0, pytest.approx((10, 10, 410, 210)))
    assert bounds["small"] == (0, pytest.approx((416, 10, 716, 210)))
    assert check_result(result, [small, big], 6.0) == []


def test_lowest_spot_wins_over_leftmost():
    sheet = Sheet(width=1000, height=1000, thickness=18, margin=0)
    first = rectangle("first", 600, 300, rotations=(0.0,))
    second = rectangle("second", 500, 300, rotations=(0.0,))  # too wide beside first: goes above it
    third = rectangle("third", 300, 200, rotations=(0.0,))  # fits beside first, lower than above second

    result = nest_bottom_left([first, second, third], [sheet], spacing=0.0)

    bounds = placed_bounds(result)
    assert bounds["second"][1] == pytest.approx((0, 300, 500, 600))
    assert bounds["third"][1] == pytest.approx((600, 0, 900, 200))


def test_parts_keep_their_drawing_coordinates_and_the_box_lands_on_the_spot():
    far_away = Part("far", Polygon([(1000, -500), (1300, -500), (1000, -300)]), rotations=(90.0,))

    result = nest_bottom_left([far_away], [SHEET], spacing=6.0)

    (placement,) = result.layouts[0].placements
    assert placement.rotation == 90.0
    assert place(far_away.outline, placement.rotation, placement.translation).bounds == pytest.approx(
        (10, 10, 210, 310)
    )


def test_a_long_part_is_turned_to_fit_and_a_grain_locked_one_is_refused():
    sheet = Sheet(width=520, height=820, thickness=18, margin=10)  # usable 500 x 800
    rail = rectangle("rail", 700, 100, source="bench.dxf")
    locked = rectangle("rail", 700, 100, grain=True, source="bench.dxf")

    result = nest_bottom_left([rail], [sheet], spacing=6.0)

    (placement,) = result.layouts[0].placements
    assert placement.rotation in (90.0, 270.0)
    x0, y0, x1, y1 = placement.outline().bounds
    assert (x1 - x0, y1 - y0) == pytest.approx((100, 700))
    with pytest.raises(InputError) as error:
        nest_bottom_left([locked], [sheet], spacing=6.0)
    assert str(error.value) == (
        "bench.dxf: part 'rail' (700.0 x 100.0 mm) is larger than every sheet (usable 500.0 x 800.0 mm)"
    )


def test_oversized_part_is_refused_before_anything_is_nested_naming_the_largest_sheet():
    small_sheet = Sheet(width=1000, height=500, thickness=18, margin=10)
    large_sheet = Sheet(width=2500, height=1250, thickness=18, margin=10, quantity=1)
    leg = rectangle("leg", 100, 50, source="stool.dxf")
    seat = rectangle("seat", 2600, 400, source="stool.dxf")

    with pytest.raises(InputError) as error:
        nest_bottom_left([leg, seat], [small_sheet, large_sheet], spacing=6.0)

    assert str(error.value) == (
        "stool.dxf: part 'seat' (2600.0 x 400.0 mm) is larger than every sheet (usable 2480.0 x 1230.0 mm)"
    )


def test_part_that_exactly_fills_the_usable_area_fits():
    panel = rectangle("panel", 980, 480)

    result = nest_bottom_left([panel], [SHEET], spacing=6.0)

    assert placed_bounds(result)["panel"] == (0, pytest.approx((10, 10, 990, 490)))


def test_copies_spill_onto_new_sheets_each_copy_once():
    square = rectangle("square", 450, 450, quantity=5)  # two per sheet: 450 + 6 + 450 <= 980

    result = nest_bottom_left([square], [SHEET], spacing=6.0)

    assert [len(layout.placements) for layout in result.layouts] == [2, 2, 1]
    assert sorted(p.copy for layout in result.layouts for p in layout.placements) == [1, 2, 3, 4, 5]
    assert result.unplaced == ()
    assert check_result(result, [square], 6.0) == []


def test_copies_left_when_the_stock_runs_out_are_reported_unplaced():
    square = rectangle("square", 450, 450, quantity=5)
    limited = Sheet(width=1000, height=500, thickness=18, margin=10, quantity=2)

    result = nest_bottom_left([square], [limited], spacing=6.0)

    assert len(result.layouts) == 2
    assert result.unplaced == ((square, 1),)
    assert check_result(result, [square], 6.0) == []


def test_new_sheets_come_from_the_stock_list_in_order():
    offcut = Sheet(width=1000, height=500, thickness=18, margin=10, quantity=1, name="offcut")
    full = Sheet(width=2500, height=1250, thickness=18, margin=10, name="full")
    square = rectangle("square", 450, 450, quantity=3)
    wide = rectangle("wide", 2400, 1000)  # only fits a full sheet, and leaves no room for a square

    result = nest_bottom_left([square, wide], [offcut, full], spacing=6.0)

    # wide (largest) needs a full sheet; squares 1 and 2 take the one offcut, square 3 a full sheet
    assert [(layout.sheet.name, len(layout.placements)) for layout in result.layouts] == [
        ("full", 1),
        ("offcut", 2),
        ("full", 1),
    ]
    assert check_result(result, [square, wide], 6.0) == []


def test_open_sheets_are_filled_before_a_new_one_is_opened():
    sheet = Sheet(width=1000, height=500, thickness=18, margin=0)
    big = rectangle("big", 800, 500, quantity=2, rotations=(0.0,))
    small = rectangle("small", 200, 500, rotations=(0.0,))

    result = nest_bottom_left([big, small], [sheet], spacing=0.0)

    assert [sorted(p.label() for p in layout.placements) for layout in result.layouts] == [
        ["big#1", "small"],
        ["big#2"],
    ]


def test_rotation_with_the_smallest_content_box_wins_a_tie():
    sheet = Sheet(width=1000, height=1000, thickness=18, margin=0)
    base = rectangle("base", 1000, 100, rotations=(0.0,))
    post = rectangle("post", 100, 300, rotations=(0.0, 90.0))

    result = nest_bottom_left([base, post], [sheet], spacing=0.0)

    post_placement = next(p for p in result.layouts[0].placements if p.part is post)
    assert post_placement.rotation == 90.0
    assert post_placement.outline().bounds == pytest.approx((0, 100, 300, 200))


def test_free_rotation_tries_right_angles_only():
    stick = Part("stick", box(0, 0, 700, 50), rotations=None)
    sheet = Sheet(width=520, height=820, thickness=18, margin=10)

    result = nest_bottom_left([stick], [sheet], spacing=6.0)

    assert [p.rotation for p in result.layouts[0].placements] == [90.0]


def test_part_without_right_angle_rotations_uses_its_first_one_by_its_box():
    diamond = rectangle("diamond", 100, 100, rotations=(45.0, 135.0), source="sign.svg")

    result = nest_bottom_left([diamond], [SHEET], spacing=6.0)

    (placement,) = result.layouts[0].placements
    assert placement.rotation == 45.0
    half_diagonal = 100 / 2**0.5
    assert placement.outline().bounds == pytest.approx((10, 10, 10 + 2 * half_diagonal, 10 + 2 * half_diagonal))
    assert result.notes == (
        "sign.svg: part 'diamond' allows no right-angle rotation; nested at 45 degrees by its bounding box",
    )


def test_largest_box_first_and_ties_keep_part_order():
    tiny = rectangle("tiny", 50, 50, rotations=(0.0,))
    twin_a = rectangle("twin_a", 200, 100, rotations=(0.0,))
    twin_b = rectangle("twin_b", 100, 200, rotations=(0.0,))

    result = nest_bottom_left([tiny, twin_a, twin_b], [SHEET], spacing=0.0)

    assert [p.label() for p in result.layouts[0].placements] == ["twin_a", "twin_b", "tiny"]
    assert placed_bounds(result)["twin_a"][1] == pytest.approx((10, 10, 210, 110))


def test_parts_with_holes_and_concave_outlines_nest_validly():
    frame = Part("frame", box(0, 0, 300, 300).difference(box(50, 50, 250, 250)), quantity=3)
    ell = Part("ell", Polygon([(0, 0), (200, 0), (200, 50), (50, 50), (50, 200), (0, 200)]), quantity=4)
    disc = Part("disc", Point(0, 0).buffer(60), quantity=5, rotations=None)

    result = nest_bottom_left([frame, ell, disc], [SHEET], spacing=8.0)

    assert check_result(result, [frame, ell, disc], 8.0) == []
    assert sum(len(layout.placements) for layout in result.layouts) == 12


def test_nesting_is_deterministic():
    rng = random.Random(7)
    parts = [
        rectangle(f"p{i}", rng.uniform(20, 300), rng.uniform(20, 200), quantity=rng.randint(1, 3)) for i in range(40)
    ]

    first = nest_bottom_left(parts, [SHEET], spacing=6.0)
    second = nest_bottom_left(parts, [SHEET], spacing=6.0)

    assert [[(p.label(), p.rotation, p.translation) for p in lay.placements] for lay in first.layouts] == [
        [(p.label(), p.rotation, p.translation) for p in lay.placements] for lay in second.layouts
    ]


def test_bad_spacing_and_missing_stock_are_input_errors():
    leg = rectangle("leg", 100, 50)
    with pytest.raises(InputError, match="spacing"):
        nest_bottom_left([leg], [SHEET], spacing=-1.0)
    with pytest.raises(InputError, match="no stock sheets"):
        nest_bottom_left([leg], [Sheet(1000, 500, 18, quantity=0)], spacing=6.0)


def test_zero_quantity_parts_are_skipped():
    ghost = rectangle("ghost", 5000, 5000, quantity=0)
    leg = rectangle("leg", 100, 50)

    result = nest_bottom_left([ghost, leg], [SHEET], spacing=6.0)

    assert [p.part for lay in result.layouts for p in lay.placements] == [leg]
    assert check_result(result, [ghost, leg], 6.0) == []


def random_parts(count, seed):
    rng = random.Random(seed)
    return [
        rectangle(f"p{i}", rng.uniform(20, 400), rng.uniform(20, 300), quantity=rng.randint(1, 3))
        for i in range(count)
    ]


def test_a_few_hundred_parts_nest_well_under_a_second():
    parts = random_parts(150, seed=1)
    stock = [Sheet(width=2500, height=1250, thickness=18)]

    started = time.perf_counter()
    result = nest_bottom_left(parts, stock, spacing=6.0)

    assert time.perf_counter() - started < 1.0
    assert sum(len(layout.placements) for layout in result.layouts) == sum(p.quantity for p in parts)


def test_two_thousand_parts_nest_in_seconds():
    rng = random.Random(3)
    parts = [rectangle(f"p{i}", rng.uniform(5, 120), rng.uniform(5, 120)) for i in range(2000)]
    stock = [Sheet(width=2500, height=1250, thickness=18)]

    started = time.perf_counter()
    result = nest_bottom_left(parts, stock, spacing=6.0)

    assert time.perf_counter() - started < 5.0
    assert sum(len(layout.placements) for layout in result.layouts) == 2000


shapes = st.one_of(
    st.tuples(st.floats(5, 300), st.floats(5, 300)).map(lambda wh: box(0, 0, *wh)),
    st.tuples(st.floats(20, 300), st.floats(20, 300), st.floats(0.1, 0.9)).map(
        lambda args: Polygon(
            [(0, 0), (args[0], 0), (args[0], args[1] * args[2]), (args[0] * args[2], args[1] * args[2]),
             (args[0] * args[2], args[1]), (0, args[1])]
        )
    ),
)
rotation_sets = st.sampled_from([(0.0,), (0.0, 180.0), (0.0, 90.0, 180.0, 270.0), None, (30.0,)])


@settings(max_examples=40, deadline=None)
@given(
    outlines=st.lists(st.tuples(shapes, st.integers(0, 4), rotation_sets, st.booleans()), min_size=1, max_size=12),
    spacing=st.sampled_from([0.0, 0.5, 6.0, 12.7]),
    margin=st.sampled_from([0.0, 10.0]),
    sheet_quantity=st.sampled_from([None, 1, 2]),
    offset=st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000)),
)
def test_every_nest_is_valid_and_accounts_for_every_copy(outlines, spacing, margin, sheet_quantity, offset):
    parts = [
        Part(f"p{i}", affinity.translate(outline, *offset), quantity=quantity, rotations=rotations, grain=grain)
        for i, (outline, quantity, rotations, grain) in enumerate(outlines)
    ]
    stock = [Sheet(width=700, height=500, thickness=18, margin=margin, quantity=sheet_quantity)]

    result = nest_bottom_left(parts, stock, spacing=spacing)

    assert check_result(result, parts, spacing) == []
    if sheet_quantity is not None:
        assert len(result.layouts) <= sheet_quantity
    if result.unplaced:
        assert sheet_quantity is not None and len(result.layouts) == sheet_quantity
