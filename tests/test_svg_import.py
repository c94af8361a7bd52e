import math

import numpy as np
import pytest
from shapely.geometry import Polygon

from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import Machining, Operation
from nester.plans import load_plan
from nester.svg_import import parse_colour, read_svg

MM_200x100 = 'width="200mm" height="100mm" viewBox="0 0 200 100"'
CHORD = 0.01


def svg(tmp_path, body, size=MM_200x100, name="plan.svg"):
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        f"{size}>{body}</svg>"
    )
    return path


def only_part(path, **options):
    plan = load_plan(path, **options)
    assert len(plan.parts) == 1, plan.parts
    return plan.parts[0]


def cubic_points(p0, p1, p2, p3, n=100_000):
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2, p3 = (np.array(p, dtype=float) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def test_path_with_arc_segment(tmp_path):
    # the arc bulges to the right of the 100 x 40 rectangle (clockwise on screen, sweep 1)
    path = svg(tmp_path, '<path d="M 10 10 L 110 10 A 20 20 0 0 1 110 50 L 10 50 Z" stroke="black" fill="none"/>')
    part = only_part(path)
    assert part.outline.area == pytest.approx(100 * 40 + math.pi * 400 / 2, abs=CHORD * math.pi * 20)
    assert part.outline.bounds == pytest.approx((10, 50, 130, 90), abs=1e-6)


def test_path_with_cubic_segment(tmp_path):
    path = svg(tmp_path, '<path d="M 0 50 L 100 50 C 100 10 0 10 0 50 Z" stroke="#000"/>')
    part = only_part(path)
    curve = cubic_points((100, 50), (100, 10), (0, 10), (0, 50))
    expected = Polygon(np.column_stack([curve[:, 0], 100 - curve[:, 1]])).area
    assert part.outline.area == pytest.approx(expected, abs=CHORD * 200)
    assert part.outline.bounds[3] == pytest.approx(100 - 20, abs=1e-6)  # the curve peaks at y = 20 (SVG)


def test_relative_and_quadratic_commands(tmp_path):
    path = svg(tmp_path, '<path d="m 10 10 h 50 v 20 q -25 20 -50 0 z" stroke="black"/>')
    part = only_part(path)
    # a quadratic's segment between chord and curve is 2/3 of the control triangle: 2/3 * (50 * 20 / 2)
    assert part.outline.area == pytest.approx(50 * 20 + 2 / 3 * 500, abs=CHORD * 70)


def test_rect_with_rounded_corners(tmp_path):
    part = only_part(svg(tmp_path, '<rect x="10" y="10" width="100" height="50" rx="8" stroke="black" fill="none"/>'))
    assert part.outline.area == pytest.approx(100 * 50 - (4 - math.pi) * 64, abs=CHORD * 2 * math.pi * 8)
    assert part.outline.bounds == pytest.approx((10, 40, 110, 90), abs=1e-6)


def test_rect_corner_radius_is_clamped_to_half_the_side(tmp_path):
    part = only_part(svg(tmp_path, '<rect x="0" y="0" width="40" height="20" rx="30" stroke="black"/>'))
    # clamped to rx = 20, ry = 10: the rect is a full ellipse
    assert part.outline.area == pytest.approx(math.pi * 20 * 10, abs=CHORD * 100)


def test_circle_and_ellipse(tmp_path):
    body = (
        '<ellipse cx="100" cy="50" rx="80" ry="40" stroke="red" fill="none"/>'
        '<circle cx="60" cy="40" r="10" stroke="blue" fill="none"/>'
    )
    part = only_part(svg(tmp_path, body))
    assert part.outline.bounds == pytest.approx((20, 10, 180, 90), abs=1e-6)
    hole = Polygon(part.outline.interiors[0])
    assert hole.area == pytest.approx(math.pi * 100, abs=CHORD * 63)
    assert hole.centroid.coords[0] == pytest.approx((60, 60), abs=1e-6)
    assert Polygon(part.outline.exterior).area == pytest.approx(math.pi * 80 * 40, abs=CHORD * 400)


def test_line_polyline_and_polygon(tmp_path):
    body = (
        '<polygon points="0,0 150,0 150,80 0,80" stroke="black" fill="none"/>'
        '<line x1="10" y1="20" x2="90" y2="20" stroke="#00ff00"/>'
        '<polyline points="10,40 50,60 90,40" stroke="#00ff00" fill="none"/>'
    )
    part = only_part(svg(tmp_path, body))
    assert part.outline.bounds == (0, 20, 150, 100)
    engravings = sorted((list(f.geometry.coords) for f in part.features), key=len)
    assert all(f.operation is Operation.ENGRAVE and f.depth == 1.0 for f in part.features)
    assert engravings == [[(10, 80), (90, 80)], [(10, 60), (50, 40), (90, 60)]]


def test_asymmetric_part_is_not_mirrored(tmp_path):
    # an L whose long arm runs along the top of the drawing, as seen on screen
    body = '<polygon points="0,0 40,0 40,10 10,10 10,30 0,30" stroke="black"/>'
    part = only_part(svg(tmp_path, body, size='width="100mm" height="100mm" viewBox="0 0 100 100"'))
    vertices = {tuple(np.round(p, 6)) for p in part.outline.exterior.coords}
    assert vertices == {(0, 100), (40, 100), (40, 90), (10, 90), (10, 70), (0, 70)}
    assert part.outline.exterior.is_ccw


def test_nested_group_transforms(tmp_path):
    body = (
        '<g transform="translate(100,50)"><g transform="rotate(90)">'
        '<rect x="0" y="0" width="20" height="10" transform="scale(2,1)" stroke="black"/>'
        "</g></g>"
    )
    part = only_part(svg(tmp_path, body))
    # scale -> 40 x 10; rotate 90 -> x in [-10, 0], y in [0, 40]; translate -> x 90..100, y 50..90; flip y
    assert part.outline.bounds == pytest.approx((90, 10, 100, 50), abs=1e-9)


def test_matrix_transform(tmp_path):
    body = '<g transform="matrix(0,1,-1,0,100,0)"><polygon points="0,0 30,0 30,10" stroke="black"/></g>'
    part = only_part(svg(tmp_path, body))
    # (x, y) -> (100 - y, x): (100, 0), (100, 30), (90, 30), then y flips to 100 - y
    vertices = {tuple(np.round(p, 9)) for p in part.outline.exterior.coords}
    assert vertices == {(100, 100), (100, 70), (90, 70)}


def test_viewbox_in_px_scales_to_mm(tmp_path):
    body = '<rect x="0" y="0" width="100" height="50" stroke="black"/>'
    # 800 px wide for 200 user units: 4 px per unit = 4 * 25.4 / 96 mm
    part = only_part(svg(tmp_path, body, size='width="800" height="400" viewBox="0 0 200 100"'))
    unit = 4 * 25.4 / 96
    assert part.outline.bounds == pytest.approx((0, 50 * unit, 100 * unit, 100 * unit))


def test_unitless_svg_without_viewbox_is_96_dpi(tmp_path):
    body = '<rect x="0" y="0" width="96" height="48" stroke="black"/>'
    part = only_part(svg(tmp_path, body, size='width="960" height="480"'))
    assert part.outline.bounds == pytest.approx((0, (480 - 48) * 25.4 / 96, 25.4, 480 * 25.4 / 96))


@pytest.mark.parametrize(
    "size, mm_per_unit",
    [
        ('width="20cm" height="10cm" viewBox="0 0 200 100"', 1.0),
        ('width="4in" height="2in" viewBox="0 0 200 100"', 25.4 * 4 / 200),
        ('width="400mm" height="200mm" viewBox="0 0 200 100"', 2.0),
    ],
)
def test_root_units(tmp_path, size, mm_per_unit):
    part = only_part(svg(tmp_path, '<rect x="10" y="10" width="50" height="20" stroke="black"/>', size=size))
    x0, y0, x1, y1 = part.outline.bounds
    assert (x1 - x0, y1 - y0) == pytest.approx((50 * mm_per_unit, 20 * mm_per_unit))


def test_viewbox_offset_and_aspect_mismatch_warning(tmp_path):
    body = '<rect x="10" y="20" width="50" height="20" stroke="black"/>'
    plan = load_plan(svg(tmp_path, body, size='width="100mm" height="100mm" viewBox="10 20 100 50"'))
    # xMidYMid meet: 1 mm per unit (the smaller scale), the 50-unit-high box centred on the page.
    assert plan.parts[0].outline.bounds == pytest.approx((0, 55, 50, 75))
    assert any("different aspect ratios" in w for w in plan.warnings)


@pytest.mark.parametrize(
    "aspect, bounds",
    [
        ("none", (0, 60, 50, 100)),  # stretched: 1 mm per unit across, 2 mm per unit down
        ("xMinYMin slice", (0, 60, 100, 100)),  # the larger scale, 2 mm per unit, from the top left
        ("xMaxYMax meet", (0, 30, 50, 50)),  # 1 mm per unit, the box at the bottom of the page
    ],
)
def test_preserve_aspect_ratio_places_the_viewbox_like_a_browser(tmp_path, aspect, bounds):
    body = '<rect x="10" y="20" width="50" height="20" stroke="black"/>'
    size = f'width="100mm" height="100mm" viewBox="10 20 100 50" preserveAspectRatio="{aspect}"'
    assert load_plan(svg(tmp_path, body, size=size)).parts[0].outline.bounds == pytest.approx(bounds)


def test_bad_preserve_aspect_ratio_is_named(tmp_path):
    size = 'width="100mm" height="100mm" viewBox="0 0 100 50" preserveAspectRatio="centre"'
    with pytest.raises(InputError, match="preserveAspectRatio 'centre'"):
        load_plan(svg(tmp_path, '<rect width="5" height="5" stroke="black"/>', size=size))


def test_inkscape_layer_names_decide_before_colour(tmp_path):
    body = (
        '<g inkscape:groupmode="layer" inkscape:label="Layer 1">'
        '<rect x="0" y="0" width="150" height="80" stroke="#ff0000" fill="none"/></g>'
        '<g inkscape:groupmode="layer" inkscape:label="CUT_INSIDE">'
        '<circle cx="30" cy="30" r="10" stroke="#000000" fill="none"/></g>'
        '<g inkscape:groupmode="layer" inkscape:label="POCKET_6MM">'
        '<rect x="80" y="20" width="40" height="40" stroke="#000000" fill="none"/></g>'
    )
    part = only_part(svg(tmp_path, body))
    assert len(part.outline.interiors) == 1
    (pocket,) = part.features
    assert (pocket.operation, pocket.depth, pocket.layer) == (Operation.POCKET, 6.0, "POCKET_6MM")


def test_layer_rule_that_cannot_guess_is_an_error(tmp_path):
    body = '<g inkscape:groupmode="layer" inkscape:label="POCKET"><rect width="10" height="10" stroke="black"/></g>'
    with pytest.raises(InputError, match="layer 'POCKET': the machining cannot be guessed"):
        load_plan(svg(tmp_path, body))


def test_stroke_colours_inherited_and_in_every_syntax(tmp_path):
    body = (
        '<rect x="0" y="0" width="190" height="90" style="fill:none;stroke:rgb(255,0,0)"/>'
        '<g stroke="#00f" fill="none"><circle cx="20" cy="20" r="5"/>'
        '<g><circle cx="50" cy="20" r="5"/></g>'
        '<circle cx="80" cy="20" r="5" style="stroke:inherit"/></g>'
        '<circle cx="110" cy="20" r="5" stroke="blue" fill="none"/>'
        '<path d="M 10 70 L 60 70" stroke="lime"/>'
    )
    part = only_part(svg(tmp_path, body))
    assert len(part.outline.interiors) == 4
    (line,) = part.features
    assert line.operation is Operation.ENGRAVE


def test_fill_decides_when_there_is_no_stroke(tmp_path):
    body = '<rect width="50" height="50" fill="#ff0000"/><circle cx="25" cy="25" r="5" fill="blue"/>'
    part = only_part(svg(tmp_path, body))
    assert len(part.outline.interiors) == 1


def test_css_class_rules(tmp_path):
    body = (
        "<style>.outline{fill:none;stroke:#FF0000} .hole, .other{stroke:#0000FF;fill:none}</style>"
        '<rect class="outline" width="50" height="50"/><circle class="hole" cx="25" cy="25" r="5"/>'
    )
    part = only_part(svg(tmp_path, body))
    assert len(part.outline.interiors) == 1


def test_unknown_colour_names_the_element(tmp_path):
    body = (
        '<rect width="100" height="50" stroke="black"/>'
        '<rect id="shelf" x="10" y="10" width="5" height="5" style="stroke:#123456"/>'
    )
    with pytest.raises(InputError, match=r"plan.svg: rect id='shelf': colour #123456 is not in the colour table"):
        load_plan(svg(tmp_path, body))
    anonymous = '<rect width="100" height="50" stroke="black"/><circle cx="5" cy="5" r="2" stroke="orange"/>'
    with pytest.raises(InputError, match=r"circle #1: colour #ffa500"):
        load_plan(svg(tmp_path, anonymous))


def test_user_colours_win(tmp_path):
    body = '<rect width="100" height="50" stroke="black"/><rect x="10" y="10" width="20" height="20" stroke="#123456"/>'
    part = only_part(svg(tmp_path, body), svg_colours={"#123456": Machining(Operation.POCKET, 3.0)})
    assert part.features[0].operation is Operation.POCKET and part.features[0].depth == 3.0
    plain = svg(tmp_path, '<rect width="100" height="50" stroke="black"/>')
    override = only_part(plain, svg_colours={"black": Machining(Operation.CUT_OUTSIDE)})
    assert override.area == 5000


def test_hidden_defs_and_text_are_skipped(tmp_path):
    body = (
        '<defs><rect id="template" width="500" height="500" stroke="black"/></defs>'
        '<rect width="100" height="50" stroke="black"/>'
        '<rect x="150" width="10" height="10" stroke="black" style="display:none"/>'
        '<g display="none"><rect x="170" width="10" height="10" stroke="black"/></g>'
        '<text x="10" y="10">label</text>'
    )
    plan = load_plan(svg(tmp_path, body))
    assert [p.outline.bounds for p in plan.parts] == [(0, 50, 100, 100)]
    assert any("skipped 1 <text> element(s) (text is not cut" in w for w in plan.warnings)


def test_not_an_svg_file(tmp_path):
    path = tmp_path / "plan.svg"
    path.write_text("<svg><g></svg>")
    with pytest.raises(InputError, match="plan.svg: not a readable SVG file"):
        read_svg(path, rules=LayerRules.default())
    path.write_text("<html></html>")
    with pytest.raises(InputError, match="plan.svg: not a readable SVG file"):
        read_svg(path, rules=LayerRules.default())


def test_empty_svg(tmp_path):
    with pytest.raises(InputError, match="empty drawing"):
        load_plan(svg(tmp_path, "<text>only words</text>"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("#F00", "#ff0000"),
        ("#00Ff00", "#00ff00"),
        ("rgb(0, 0, 255)", "#0000ff"),
        ("rgb(100%,0%,0%)", "#ff0000"),
        ("Green", "#008000"),
        ("none", None),
    ],
)
def test_parse_colour(text, expected):
    assert parse_colour(text) == expected


def test_parse_colour_rejects_gradients():
    with pytest.raises(ValueError):
        parse_colour("url(#gradient1)")


def test_percentage_shape_sizes_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"rect #1: width '50%' is a percentage"):
        load_plan(svg(tmp_path, '<rect width="50%" height="10" stroke="black"/>'))
