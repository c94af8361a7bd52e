"""The engraving font: glyph geometry, legibility proxies, and fitting labels inside parts."""

from __future__ import annotations

from itertools import combinations, pairwise

import pytest
import shapely
from shapely.geometry import MultiLineString, Point, Polygon, box

from gcode.stroke_font import (
    CAP_UNITS,
    GLYPH_WIDTH,
    advance,
    fit_text,
    supported_characters,
    text_strokes,
    text_width,
)

LABELS = ["LEG#3", "SEAT", "CHARIOT-SIDE_L 2/4", "shelf (a) 1/2", "X=12+3:4.5"]
SMALL_BY_DESIGN = set("-_.:=+")
MARGIN = 2.0
L_SHAPE = Polygon([(0, 0), (300, 0), (300, 80), (80, 80), (80, 300), (0, 300)])


def points(strokes):
    return [point for stroke in strokes for point in stroke]


def bounds(strokes):
    return MultiLineString(strokes).bounds


def assert_inside_with_margin(strokes, region, margin=MARGIN):
    assert strokes, "expected a label"
    for stroke in strokes:
        assert len(stroke) >= 2
    assert region.contains(MultiLineString(strokes).buffer(margin))


def reads_horizontally(strokes) -> bool:
    min_x, min_y, max_x, max_y = bounds(strokes)
    return max_x - min_x > max_y - min_y


# --- glyphs ------------------------------------------------------------------


def test_the_character_set_is_the_promised_one():
    expected = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.#/:()+=")
    assert set(supported_characters()) == expected


@pytest.mark.parametrize("char", list(supported_characters()))
def test_every_glyph_stays_in_its_cell_and_leaves_the_letter_gap(char):
    height = 12.0
    strokes = text_strokes(char, height)
    if char == " ":
        assert strokes == []
        return
    assert len(strokes) >= 1
    ink_width = height * GLYPH_WIDTH / CAP_UNITS
    for x, y in points(strokes):
        assert 0.0 <= x <= ink_width < advance(height)
        assert 0.0 <= y <= height


@pytest.mark.parametrize("char", list(supported_characters()))
def test_every_stroke_is_a_real_polyline(char):
    for stroke in text_strokes(char, 10.0):
        assert len(stroke) >= 2
        for before, after in pairwise(stroke):
            assert before != after


def test_no_consecutive_duplicates_in_a_whole_label():
    for label in LABELS:
        for stroke in text_strokes(label, 17.3):
            assert len(stroke) >= 2
            assert all(a != b for a, b in pairwise(stroke))


@pytest.mark.parametrize("char", [c for c in supported_characters() if c != " " and c not in SMALL_BY_DESIGN])
def test_glyphs_span_at_least_half_the_cap_height(char):
    height = 20.0
    ys = [y for _, y in points(text_strokes(char, height))]
    assert max(ys) - min(ys) >= 0.5 * height


def test_letters_reach_both_baseline_and_cap_height():
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        ys = [y for _, y in points(text_strokes(char, 6.0))]
        assert min(ys) == 0.0 and max(ys) == 6.0, char


def test_lower_case_is_drawn_as_upper_case():
    assert text_strokes("chariot-side_l", 10.0) == text_strokes("CHARIOT-SIDE_L", 10.0)


def drawing(char: str, height: float = 6.0):
    """A glyph as geometry with points every 0.1 mm, so Hausdorff distance sees whole strokes."""
    return shapely.segmentize(MultiLineString(text_strokes(char, height)), 0.1)


def test_no_two_characters_share_a_drawing():
    signatures = {}
    for char in supported_characters():
        segments = frozenset(frozenset((a, b)) for stroke in text_strokes(char, 6.0) for a, b in pairwise(stroke))
        assert segments not in signatures, f"{char!r} is drawn like {signatures.get(segments)!r}"
        signatures[segments] = char


@pytest.mark.parametrize(
    "first, second", [("O", "0"), ("I", "1"), ("S", "5"), ("B", "8"), ("Z", "2"), ("D", "O"), ("G", "6")]
)
def test_look_alike_pairs_differ_visibly(first, second):
    # A tenth of the cap height is about the width of the groove a suitably
    # sized tool leaves, so a smaller difference would vanish in the cut.
    assert drawing(first).hausdorff_distance(drawing(second)) >= 0.1 * 6.0


def test_every_pair_of_glyphs_differs_by_a_tenth_of_the_cap_height():
    drawings = {char: drawing(char) for char in supported_characters() if char != " "}
    pairs = list(combinations(drawings, 2))
    distances = shapely.hausdorff_distance([drawings[a] for a, _ in pairs], [drawings[b] for _, b in pairs])
    too_close = [pair for pair, distance in zip(pairs, distances) if distance < 0.1 * 6.0]
    assert too_close == []


# --- text layout ---------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_strokes_scale_linearly_with_height(label):
    small, large = text_strokes(label, 10.0), text_strokes(label, 25.0)
    assert len(small) == len(large)
    for short_stroke, long_stroke in zip(small, large):
        assert len(short_stroke) == len(long_stroke)
        for (x, y), (big_x, big_y) in zip(short_stroke, long_stroke):
            assert big_x == pytest.approx(2.5 * x) and big_y == pytest.approx(2.5 * y)


def test_each_character_sits_in_its_own_cell_at_a_fixed_advance():
    height = 15.0
    label = "AB3"
    expected = []
    for index, char in enumerate(label):
        shift = index * advance(height)
        expected += [[(x + shift, y) for x, y in stroke] for stroke in text_strokes(char, height)]
    actual = text_strokes(label, height)
    assert [len(stroke) for stroke in actual] == [len(stroke) for stroke in expected]
    assert [c for point in points(actual) for c in point] == pytest.approx(
        [c for point in points(expected) for c in point]
    )


def test_the_label_starts_at_the_origin_on_the_baseline():
    min_x, min_y, _, max_y = bounds(text_strokes("LEG#3", 10.0))
    assert (min_x, min_y, max_y) == (0.0, 0.0, 10.0)


def test_text_grows_wider_with_its_length():
    widths = [bounds(text_strokes("E" * n, 10.0))[2] for n in range(1, 6)]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    assert [text_width("E" * n, 10.0) for n in range(1, 6)] == pytest.approx(widths)
    assert text_width("SEAT ", 10.0) - text_width("SEAT", 10.0) == pytest.approx(advance(10.0))


def test_a_blank_label_has_no_strokes():
    assert text_strokes("", 10.0) == []
    assert text_strokes("   ", 10.0) == []


@pytest.mark.parametrize("bad", ["§", "é", "*", "\t", "ß"])
def test_an_unknown_character_is_named_in_the_error(bad):
    with pytest.raises(ValueError, match=repr(bad).replace("\\", "\\\\")):
        text_strokes(f"LEG{bad}3", 10.0)


@pytest.mark.parametrize("height", [0.0, -5.0])
def test_a_non_positive_height_is_refused(height):
    with pytest.raises(ValueError):
        text_strokes("SEAT", height)


# --- fitting a label inside a part ------------------------------------------


def fit(label, region, max_height=30.0, min_height=6.0, margin=MARGIN):
    return fit_text(label, region, max_height=max_height, min_height=min_height, margin=margin)


@pytest.mark.parametrize("label", LABELS)
def test_a_wide_part_gets_a_horizontal_label_inside_its_margin(label):
    region = box(0, 0, 300, 80)
    strokes = fit(label, region)
    assert_inside_with_margin(strokes, region)
    assert reads_horizontally(strokes)


@pytest.mark.parametrize("label", LABELS)
def test_a_tall_part_gets_a_vertical_label_reading_upwards(label):
    region = box(0, 0, 80, 300)
    strokes = fit(label, region)
    assert_inside_with_margin(strokes, region)
    assert not reads_horizontally(strokes)
    first_character, last_character = text_strokes(label[0], 1.0), text_strokes(label[-1], 1.0)
    first_y = min(y for stroke in strokes[: len(first_character)] for _, y in stroke)
    last_y = min(y for stroke in strokes[-len(last_character) :] for _, y in stroke)
    assert first_y < last_y


def test_the_tall_label_is_the_same_size_as_the_wide_one_turned():
    wide = fit("LEG#3", box(0, 0, 300, 80))
    tall = fit("LEG#3", box(0, 0, 80, 300))
    wide_x0, wide_y0, wide_x1, wide_y1 = bounds(wide)
    tall_x0, tall_y0, tall_x1, tall_y1 = bounds(tall)
    assert (tall_x1 - tall_x0, tall_y1 - tall_y0) == pytest.approx((wide_y1 - wide_y0, wide_x1 - wide_x0))


def test_a_roomy_square_part_keeps_the_label_horizontal():
    strokes = fit("SEAT", box(0, 0, 400, 400))
    assert reads_horizontally(strokes)


def test_a_roomy_part_gets_the_largest_allowed_height_centred():
    strokes = fit("SEAT", box(0, 0, 400, 400), max_height=25.0)
    min_x, min_y, max_x, max_y = bounds(strokes)
    assert max_y - min_y == pytest.approx(25.0)
    assert ((min_x + max_x) / 2, (min_y + max_y) / 2) == pytest.approx((200.0, 200.0), abs=1.0)


def test_a_long_label_grows_until_it_nearly_touches_the_margin():
    region = box(0, 0, 300, 80)
    strokes = fit("CHARIOT-SIDE_L 2/4", region)
    min_x, min_y, max_x, max_y = bounds(strokes)
    assert 300 - 2 * MARGIN - 5.0 < max_x - min_x <= 300 - 2 * MARGIN
    assert 6.0 <= max_y - min_y < 30.0


@pytest.mark.parametrize("label", LABELS)
def test_an_l_shaped_part_keeps_the_label_in_its_arms(label):
    strokes = fit(label, L_SHAPE)
    assert_inside_with_margin(strokes, L_SHAPE)
    assert not MultiLineString(strokes).intersects(box(80, 80, 300, 300))


def test_a_long_label_in_an_l_shape_finds_the_long_arm():
    # The plain pole of inaccessibility is near the corner, where this label is
    # tiny; the label must still come out well above the minimum.
    strokes = fit("CHARIOT-SIDE_L 2/4", L_SHAPE)
    assert_inside_with_margin(strokes, L_SHAPE)
    _, min_y, _, max_y = bounds(strokes)
    assert max_y - min_y > 12.0


@pytest.mark.parametrize("label", LABELS)
def test_the_label_avoids_a_large_hole(label):
    hole = box(50, 50, 250, 150)
    region = box(0, 0, 300, 200).difference(hole)
    strokes = fit(label, region)
    assert_inside_with_margin(strokes, region)
    assert MultiLineString(strokes).buffer(MARGIN).intersection(hole).area == pytest.approx(0.0, abs=1e-9)


def test_the_label_threads_between_many_holes():
    region = box(0, 0, 600, 400)
    for i in range(20):
        region = region.difference(Point(40 + (i % 5) * 120, 60 + (i // 5) * 90).buffer(12))
    assert len(region.interiors) == 20
    for label in ["LEG#3", "CHARIOT-SIDE_L 2/4"]:
        strokes = fit(label, region)
        assert strokes is not None
        assert_inside_with_margin(strokes, region)


def test_a_tiny_part_gets_no_label():
    assert fit("LEG#3", box(0, 0, 5, 5)) is None
    assert fit("A", box(0, 0, 5, 5), min_height=3.0, margin=1.5) is None


def test_a_label_too_long_for_the_minimum_height_does_not_fit():
    assert fit("CHARIOT-SIDE_L 2/4", box(0, 0, 100, 100), min_height=10.0) is None


def test_a_larger_margin_never_gives_a_larger_label():
    region = box(0, 0, 200, 30)
    heights = []
    for margin in [0.5, 2.0, 5.0, 10.0]:
        strokes = fit("SEAT", region, margin=margin)
        assert_inside_with_margin(strokes, region, margin)
        _, min_y, _, max_y = bounds(strokes)
        heights.append(max_y - min_y)
    assert heights == sorted(heights, reverse=True)
    assert heights[0] > heights[-1]


def test_fitting_is_deterministic():
    assert fit("CHARIOT-SIDE_L 2/4", L_SHAPE) == fit("CHARIOT-SIDE_L 2/4", L_SHAPE)


def test_a_blank_label_fits_as_nothing():
    assert fit("  ", box(0, 0, 100, 100)) == []


def test_fit_text_refuses_bad_arguments():
    with pytest.raises(ValueError, match="'§'"):
        fit("LEG§3", box(0, 0, 300, 80))
    with pytest.raises(ValueError):
        fit("SEAT", box(0, 0, 300, 80), max_height=5.0, min_height=10.0)
    with pytest.raises(ValueError):
        fit("SEAT", box(0, 0, 300, 80), margin=-1.0)
