import math

import ezdxf
import numpy as np
import pytest
from shapely.geometry import Polygon

from nester.dxf_import import read_dxf
from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import Operation
from nester.plans import load_plan

RULES = LayerRules.default()
CHORD = 0.01  # the default chord tolerance: flattened arcs lose at most ~CHORD x arc length of area


def new_doc(insunits=4, version="R2010"):
    doc = ezdxf.new(version)
    if insunits is not None:
        doc.header["$INSUNITS"] = insunits
    return doc


def save(doc, tmp_path, name="plan.dxf"):
    path = tmp_path / name
    doc.saveas(path)
    return path


def rectangle(msp, x0, y0, x1, y1, layer):
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    if msp.doc.dxfversion == "AC1009":  # R12 has no LWPOLYLINE
        return msp.add_polyline2d(corners, close=True, dxfattribs={"layer": layer})
    return msp.add_lwpolyline(corners, close=True, dxfattribs={"layer": layer})


def segment_area(bulge, chord):
    """Area between a chord and the arc a polyline bulge draws on it."""
    theta = 4 * math.atan(abs(bulge))
    radius = chord / (2 * math.sin(theta / 2))
    return radius**2 / 2 * (theta - math.sin(theta))


def only_part(path, **options):
    plan = load_plan(path, **options)
    assert len(plan.parts) == 1
    return plan.parts[0]


def test_line_chain_makes_a_part_named_after_the_file(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    corners = [(0, 0), (100, 0), (100, 50), (0, 50)]
    for a, b in zip(corners, corners[1:] + corners[:1]):
        msp.add_line(a, b, dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path, "shelf.dxf"))
    assert part.name == "shelf"
    assert part.outline.area == pytest.approx(5000)
    assert part.outline.bounds == (0, 0, 100, 50)


def test_arc_closing_lines_gives_the_analytic_area(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_line((0, 0), (100, 0), dxfattribs={"layer": "CUT"})
    msp.add_arc((100, 25), 25, -90, 90, dxfattribs={"layer": "CUT"})
    msp.add_line((100, 50), (0, 50), dxfattribs={"layer": "CUT"})
    msp.add_line((0, 50), (0, 0), dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path))
    assert part.outline.area == pytest.approx(5000 + math.pi * 25**2 / 2, abs=CHORD * math.pi * 25)
    assert part.outline.bounds[2] == pytest.approx(125)


def test_circle_hole(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT_OUTSIDE")
    msp.add_circle((30, 60), 10, dxfattribs={"layer": "CUT_INSIDE"})
    part = only_part(save(doc, tmp_path))
    (hole,) = part.outline.interiors
    assert Polygon(hole).area == pytest.approx(math.pi * 100, abs=CHORD * 2 * math.pi * 10)
    assert Polygon(hole).centroid.coords[0] == pytest.approx((30, 60), abs=1e-6)
    assert max(math.dist(p, (30, 60)) for p in hole.coords) == pytest.approx(10, abs=1e-6)


BULGED = [(0, 0, 0), (100, 0, 1), (100, 40, 0), (0, 40, -0.5)]
BULGED_AREA = 4000 + segment_area(1, 40) - segment_area(0.5, 40)


def test_lwpolyline_bulge_belongs_to_the_segment_starting_at_its_vertex(tmp_path):
    doc = new_doc()
    doc.modelspace().add_lwpolyline(BULGED, format="xyb", close=True, dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path))
    assert part.outline.area == pytest.approx(BULGED_AREA, abs=CHORD * 120)
    # the +1 bulge on (100,0)->(100,40) is a half circle bulging right; the -0.5 closing bulge cuts in
    x0, _, x1, _ = part.outline.bounds
    assert x1 == pytest.approx(120, abs=1e-6) and x0 == pytest.approx(0, abs=1e-6)


def test_polyline2d_with_bulges(tmp_path):
    doc = new_doc()
    doc.modelspace().add_polyline2d(BULGED, format="xyb", close=True, dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path))
    assert part.outline.area == pytest.approx(BULGED_AREA, abs=CHORD * 120)


def test_closed_rational_spline_is_an_exact_circle(tmp_path):
    doc = new_doc()
    w = math.sqrt(2) / 2
    r = 200
    control = [(r, 0), (r, r), (0, r), (-r, r), (-r, 0), (-r, -r), (0, -r), (r, -r), (r, 0)]
    doc.modelspace().add_rational_spline(
        control,
        [1, w, 1, w, 1, w, 1, w, 1],
        degree=2,
        knots=[0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4],
        dxfattribs={"layer": "CUT"},
    )
    part = only_part(save(doc, tmp_path))
    radii = [math.hypot(x, y) for x, y in part.outline.exterior.coords]
    assert min(radii) == pytest.approx(r, abs=1e-6) and max(radii) == pytest.approx(r, abs=1e-6)
    assert part.outline.area == pytest.approx(math.pi * r * r, abs=CHORD * 2 * math.pi * r)


def test_open_spline_joined_with_lines(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    spline = msp.add_spline([(0, 0), (30, -10), (70, -10), (100, 0)], dxfattribs={"layer": "CUT"})
    msp.add_line((100, 0), (100, 50), dxfattribs={"layer": "CUT"})
    msp.add_line((100, 50), (0, 50), dxfattribs={"layer": "CUT"})
    msp.add_line((0, 50), (0, 0), dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path))
    curve = np.array([(v.x, v.y) for v in spline.construction_tool().approximate(2000)])
    expected = Polygon(np.vstack([curve, [(100, 50), (0, 50)]])).area
    assert part.outline.area == pytest.approx(expected, abs=CHORD * 110)
    assert part.outline.bounds[1] < -9


def test_ellipse_hole(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 60, "CUT")
    msp.add_ellipse((50, 30), major_axis=(0, 20), ratio=0.5, dxfattribs={"layer": "CUT"})
    part = only_part(save(doc, tmp_path))
    hole = Polygon(part.outline.interiors[0])
    assert hole.area == pytest.approx(math.pi * 20 * 10, abs=CHORD * 100)
    assert hole.bounds == pytest.approx((40, 10, 60, 50), abs=1e-6)


def test_nested_insert_with_rotation_scale_and_mirror(tmp_path):
    doc = new_doc()
    leg = doc.blocks.new("LEG")
    l_shape = [(0, 0), (20, 0), (20, 5), (5, 5), (5, 10), (0, 10)]
    leg.add_lwpolyline(l_shape, close=True, dxfattribs={"layer": "0"})
    leg.add_circle((14, 2.5), 1.5, dxfattribs={"layer": "0"})
    frame = doc.blocks.new("FRAME_ASSEMBLY")
    frame.add_blockref("LEG", (5, 0), dxfattribs={"layer": "0", "rotation": 90})
    doc.modelspace().add_blockref("FRAME_ASSEMBLY", (500, 0), dxfattribs={"layer": "CUT", "xscale": -2, "yscale": 1})

    def transform(x, y):
        x, y = -y + 5, x  # inner: rotate 90 degrees, then move by (5, 0)
        return -2 * x + 500, y  # outer: mirror and stretch x by -2, then move by (500, 0)

    part = only_part(save(doc, tmp_path))
    drawn = {tuple(np.round(p, 6)) for p in part.outline.exterior.coords}
    assert drawn == {transform(x, y) for x, y in l_shape}
    hole = Polygon(part.outline.interiors[0])
    assert hole.centroid.coords[0] == pytest.approx(transform(14, 2.5), abs=1e-6)
    assert hole.area == pytest.approx(math.pi * 1.5 * 1.5 * 2, abs=CHORD * 20)
    assert part.outline.area == pytest.approx(2 * 125 - hole.area)


def test_mirrored_block_flips_its_arcs(tmp_path):
    doc = new_doc()
    block = doc.blocks.new("D")
    block.add_line((0, 0), (0, 40))
    block.add_arc((0, 20), 20, -90, 90)  # bulges towards +x in the block
    doc.modelspace().add_blockref("D", (100, 0), dxfattribs={"layer": "CUT", "xscale": -1})
    part = only_part(save(doc, tmp_path))
    assert part.outline.bounds == pytest.approx((80, 0, 100, 40), abs=1e-6)
    assert part.outline.area == pytest.approx(math.pi * 400 / 2, abs=CHORD * math.pi * 20)


def test_minsert_grid_places_every_copy(tmp_path):
    doc = new_doc()
    block = doc.blocks.new("SQUARE")
    block.add_lwpolyline([(0, 0), (10, 0), (10, 10), (0, 10)], close=True)
    grid = doc.modelspace().add_blockref("SQUARE", (0, 0), dxfattribs={"layer": "CUT"})
    grid.grid(size=(1, 3), spacing=(0, 20))
    plan = load_plan(save(doc, tmp_path))
    assert sorted(p.outline.bounds for p in plan.parts) == [(0, 0, 10, 10), (20, 0, 30, 10), (40, 0, 50, 10)]


def test_block_that_contains_itself_is_refused(tmp_path):
    doc = new_doc()
    doc.blocks.new("A").add_blockref("B", (0, 0))
    doc.blocks.new("B").add_blockref("A", (10, 0))
    doc.modelspace().add_blockref("A", (0, 0), dxfattribs={"layer": "CUT"})
    with pytest.raises(InputError, match=r"block 'A' contains itself \(A > B > A\)"):
        load_plan(save(doc, tmp_path))


def test_block_content_on_layer_zero_takes_the_insert_layer_and_byblock_colour(tmp_path):
    doc = new_doc()
    block = doc.blocks.new("SIDE")
    block.add_lwpolyline([(0, 0), (80, 0), (80, 40), (0, 40)], close=True, dxfattribs={"layer": "0"})
    block.add_circle((20, 20), 5, dxfattribs={"layer": "CUT_INSIDE"})
    block.add_line((50, 20), (70, 20), dxfattribs={"layer": "Furniture", "color": 0})  # BYBLOCK
    doc.layers.add("Furniture", color=7)
    doc.modelspace().add_blockref("SIDE", (0, 0), dxfattribs={"layer": "CUT_OUTSIDE", "color": 2})
    part = only_part(save(doc, tmp_path))
    assert len(part.outline.interiors) == 1
    (engraving,) = part.features
    assert engraving.operation is Operation.ENGRAVE and engraving.layer == "Furniture"


def test_layer_colour_fallback_when_bylayer(tmp_path):
    doc = new_doc()
    doc.layers.add("Parts", color=5)
    doc.layers.add("Openings", color=4)
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 50, 50, "Parts")
    msp.add_circle((25, 25), 5, dxfattribs={"layer": "Openings"})
    part = only_part(save(doc, tmp_path))
    assert len(part.outline.interiors) == 1


def test_ocs_extrusion_mirrors_arc_and_circle(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    down = {"layer": "CUT", "extrusion": (0, 0, -1)}
    msp.add_arc((50, 0), 50, 0, 180, dxfattribs=down)  # OCS (100,0)->(0,0) over the top: WCS x mirrored
    msp.add_line((-100, 0), (0, 0), dxfattribs={"layer": "CUT"})
    msp.add_circle((50, 20), 5, dxfattribs=down)
    part = only_part(save(doc, tmp_path))
    assert part.outline.bounds == pytest.approx((-100, 0, 0, 50), abs=1e-6)
    hole = Polygon(part.outline.interiors[0])
    assert hole.centroid.coords[0] == pytest.approx((-50, 20), abs=1e-6)


def test_entity_outside_the_xy_plane_is_refused(tmp_path):
    doc = new_doc()
    doc.modelspace().add_circle((0, 0), 5, dxfattribs={"layer": "CUT", "extrusion": (1, 0, 0)})
    with pytest.raises(InputError, match="CIRCLE #.* is not drawn in the XY plane"):
        load_plan(save(doc, tmp_path))


@pytest.mark.parametrize("insunits, mm", [(1, 25.4), (5, 10.0), (6, 1000.0), (4, 1.0), (2, 304.8)])
def test_insunits_convert_to_mm(tmp_path, insunits, mm):
    doc = new_doc(insunits)
    rectangle(doc.modelspace(), 0, 0, 2, 1, "CUT")
    part = only_part(save(doc, tmp_path))
    assert part.outline.bounds == pytest.approx((0, 0, 2 * mm, mm))


def test_explicit_units_win_over_insunits(tmp_path):
    doc = new_doc(4)
    rectangle(doc.modelspace(), 0, 0, 10, 5, "CUT")
    part = only_part(save(doc, tmp_path), units="in")
    assert part.outline.bounds == pytest.approx((0, 0, 254, 127))


def test_missing_insunits_assumes_mm_and_says_so(tmp_path):
    doc = new_doc(0)
    rectangle(doc.modelspace(), 0, 0, 400, 300, "CUT")
    plan = load_plan(save(doc, tmp_path))
    assert plan.parts[0].outline.bounds == (0, 0, 400, 300)
    (note,) = [w for w in plan.warnings if "$INSUNITS" in w]
    assert "assuming millimetres" in note and "400.0 x 300.0 mm" in note and "inches" not in note


def test_small_drawing_without_units_looks_like_inches(tmp_path):
    doc = new_doc(version="R12", insunits=None)  # R12 files carry no $INSUNITS at all
    rectangle(doc.modelspace(), 0, 0, 24, 12, "CUT")
    plan = load_plan(save(doc, tmp_path))
    assert any("assuming millimetres" in w and "looks like inches" in w for w in plan.warnings)


def test_unsupported_insunits_is_refused(tmp_path):
    doc = new_doc(3)  # miles
    rectangle(doc.modelspace(), 0, 0, 2, 1, "CUT")
    with pytest.raises(InputError, match=r"plan.dxf: \$INSUNITS = 3 is not supported"):
        load_plan(save(doc, tmp_path))


def test_bad_explicit_units(tmp_path):
    doc = new_doc()
    rectangle(doc.modelspace(), 0, 0, 2, 1, "CUT")
    with pytest.raises(InputError, match="unknown units 'furlong'"):
        load_plan(save(doc, tmp_path), units="furlong")


def square_of_lines(msp, gap, layer="CUT_OUTSIDE"):
    msp.add_line((0, 0), (100, 0), dxfattribs={"layer": layer})
    msp.add_line((100 + gap, 0), (100, 50), dxfattribs={"layer": layer})
    msp.add_line((100, 50), (0, 50), dxfattribs={"layer": layer})
    msp.add_line((0, 50), (0, 0), dxfattribs={"layer": layer})


def test_small_gap_chains(tmp_path):
    doc = new_doc()
    square_of_lines(doc.modelspace(), 0.005)
    assert only_part(save(doc, tmp_path)).outline.area == pytest.approx(5000, abs=0.2)


def test_large_gap_is_an_error_with_coordinates(tmp_path):
    doc = new_doc()
    square_of_lines(doc.modelspace(), 1.0)
    path = save(doc, tmp_path)
    with pytest.raises(InputError) as error:
        load_plan(path)
    assert str(error.value) == (
        f"{path}: layer 'CUT_OUTSIDE': open contour, gap of 1.000 mm between (100.000, 0.000) and (101.000, 0.000)"
    )


def test_branch_is_an_error(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    square_of_lines(msp, 0)
    msp.add_line((100, 0), (150, 0), dxfattribs={"layer": "CUT_OUTSIDE"})
    with pytest.raises(InputError, match=r"layer 'CUT_OUTSIDE': 3 line ends meet at \(100.000, 0.000\)"):
        load_plan(save(doc, tmp_path))


def test_wikihouse_r12_file_with_truncated_layer_names(tmp_path):
    doc = new_doc(version="R12", insunits=None)
    for name, colour in [
        ("1_ANYTOOL_1MMDEEP_LABELS_S", 2),
        ("2_ANYTOOL_2MMCUTTHROUGH_SC", 1),
        ("3_ANYTOOL_CUTTHROUGH_INSID", 4),
        ("4_ANYTOOL_CUTTHROUGH_OUTSI", 5),
        ("5_ANYTOOL_HALF_MILL_9MM_IN", 3),
    ]:
        doc.layers.add(name, color=colour)
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 600, 300, "4_ANYTOOL_CUTTHROUGH_OUTSI")
    rectangle(msp, 50, 50, 150, 80, "3_ANYTOOL_CUTTHROUGH_INSID")
    rectangle(msp, 300, 50, 400, 250, "5_ANYTOOL_HALF_MILL_9MM_IN")
    msp.add_polyline2d([(50, 200), (60, 220), (70, 200)], dxfattribs={"layer": "1_ANYTOOL_1MMDEEP_LABELS_S"})
    msp.add_line((52, 210), (68, 210), dxfattribs={"layer": "1_ANYTOOL_1MMDEEP_LABELS_S"})
    for x in (500, 550):
        msp.add_circle((x, 150), 2.5, dxfattribs={"layer": "2_ANYTOOL_2MMCUTTHROUGH_SC"})
    rectangle(msp, -10, -10, 2450, 1230, "0_SHEET_SPRUCEPLY_2440X1220X18")
    msp.add_line((0, -50), (600, -50), dxfattribs={"layer": "DONOTCUT"})
    plan = load_plan(save(doc, tmp_path, "F-S-J.dxf"))
    (part,) = plan.parts
    assert part.name == "F-S-J"
    assert part.outline.area == pytest.approx(600 * 300 - 100 * 30)
    features = {}
    for feature in part.features:
        features.setdefault(feature.operation, []).append(feature)
    (pocket,) = features[Operation.POCKET]
    assert pocket.depth == 9.0 and pocket.geometry.area == pytest.approx(100 * 200)
    assert {f.depth for f in features[Operation.ENGRAVE]} == {1.0}
    assert sorted(f.geometry.geom_type for f in features[Operation.ENGRAVE]) == ["LineString", "LineString"]
    drills = sorted(features[Operation.DRILL], key=lambda f: f.geometry.x)
    assert [(round(f.geometry.x, 6), round(f.geometry.y, 6)) for f in drills] == [(500, 150), (550, 150)]
    assert all(f.diameter == pytest.approx(5, abs=1e-6) and f.depth is None for f in drills)
    assert any("not machined" in w and "0_SHEET_SPRUCEPLY_2440X1220X18" in w and "DONOTCUT" in w for w in plan.warnings)


def test_opendesk_layer_names(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 400, 200, "TOP-CUT-OUTSIDE-18.0MM")
    rectangle(msp, 20, 20, 60, 60, "CUT-INSIDE-18.0MM")
    rectangle(msp, 100, 20, 200, 100, "POCKET-6.0MM")
    msp.add_point((300, 100), dxfattribs={"layer": "HOLE"})
    part = only_part(save(doc, tmp_path))
    assert len(part.outline.interiors) == 1
    by_operation = {f.operation: f for f in part.features}
    assert by_operation[Operation.POCKET].depth == 6.0
    drill = by_operation[Operation.DRILL]
    assert drill.geometry.coords[0] == (300, 100) and drill.diameter is None


def test_point_on_named_drill_layer_takes_the_diameter(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT")
    msp.add_point((40, 40), dxfattribs={"layer": "DRILL_8MM"})
    (drill,) = only_part(save(doc, tmp_path)).features
    assert drill.diameter == 8.0


def test_unknown_layers_are_listed(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "FOO")
    msp.add_line((0, 0), (10, 10), dxfattribs={"layer": "BAR"})
    rectangle(msp, 0, 0, 100, 100, "CUT")
    path = save(doc, tmp_path)
    with pytest.raises(InputError) as error:
        load_plan(path)
    assert str(error.value) == f"{path}: unknown layer(s) 'FOO', 'BAR': add a [[layers]] rule to the job or rename them"


def test_user_rule_maps_an_unknown_layer(tmp_path):
    doc = new_doc()
    rectangle(doc.modelspace(), 0, 0, 100, 100, "FOO")
    rules = LayerRules.with_user_rules([("^FOO$", "cut_outside", None, None)])
    assert only_part(save(doc, tmp_path), rules=rules).outline.area == 10000


def test_text_is_skipped_with_one_warning_per_layer_and_type(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT")
    for i in range(3):
        msp.add_text(f"A{i}", dxfattribs={"layer": "LABELS"})
    msp.add_text("note", dxfattribs={"layer": "NOTES"})
    plan = load_plan(save(doc, tmp_path))
    assert plan.warnings == [
        f"{tmp_path / 'plan.dxf'}: skipped 3 TEXT entities on layer 'LABELS' (text is not cut; convert it to curves)"
    ]


def test_hidden_layers_are_skipped_with_a_warning(tmp_path):
    doc = new_doc()
    doc.layers.add("CUT_INSIDE").off()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT_OUTSIDE")
    rectangle(msp, 10, 10, 20, 20, "CUT_INSIDE")
    plan = load_plan(save(doc, tmp_path))
    assert not plan.parts[0].outline.interiors
    assert any("hidden layer 'CUT_INSIDE'" in w for w in plan.warnings)


def test_insert_on_a_frozen_layer_hides_its_whole_block(tmp_path):
    doc = new_doc()
    doc.layers.add("OLD_VERSION").freeze()
    block = doc.blocks.new("SPARE")
    rectangle(block, 0, 0, 50, 50, "CUT_OUTSIDE")  # its own layer, not layer 0
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT_OUTSIDE")
    msp.add_blockref("SPARE", (300, 0), dxfattribs={"layer": "OLD_VERSION"})
    plan = load_plan(save(doc, tmp_path))
    assert len(plan.parts) == 1
    assert any("hidden layer 'OLD_VERSION'" in w for w in plan.warnings)


def test_empty_drawing(tmp_path):
    doc = new_doc()
    doc.modelspace().add_text("only words", dxfattribs={"layer": "NOTES"})
    with pytest.raises(InputError, match="plan.dxf: empty drawing"):
        load_plan(save(doc, tmp_path))


def test_not_a_dxf_file(tmp_path):
    path = tmp_path / "plan.dxf"
    path.write_text("this is a shopping list\n")
    with pytest.raises(InputError, match=r"plan.dxf: not a readable DXF file"):
        read_dxf(path, rules=RULES)


def test_feature_outside_any_part(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 100, "CUT")
    rectangle(msp, 200, 0, 220, 20, "POCKET_3MM")
    message = (
        r"layer 'POCKET_3MM': pocket LWPOLYLINE #\w+ at \(200.000, 0.000\)..\(220.000, 20.000\) "
        "is outside every part"
    )
    with pytest.raises(InputError, match=message):
        load_plan(save(doc, tmp_path))


def test_part_inside_another_parts_hole(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 300, 200, "CUT_OUTSIDE")
    rectangle(msp, 50, 50, 250, 150, "CUT_INSIDE")
    rectangle(msp, 100, 75, 200, 125, "CUT_OUTSIDE")
    plan = load_plan(save(doc, tmp_path, "tray.dxf"))
    assert [(p.name, p.outline.area) for p in plan.parts] == [("tray-1", 300 * 200 - 200 * 100), ("tray-2", 100 * 50)]


def test_load_plan_errors(tmp_path):
    with pytest.raises(InputError, match="missing.dxf: no such file"):
        load_plan(tmp_path / "missing.dxf")
    other = tmp_path / "plan.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"plan.pdf: unsupported plan type \(expected .dxf or .svg\)"):
        load_plan(other)


def test_upper_case_suffix_and_load_options(tmp_path):
    doc = new_doc()
    rectangle(doc.modelspace(), 0, 0, 100, 100, "CUT")
    part = only_part(save(doc, tmp_path, "SIDE.DXF"), quantity=4, rotations=None, grain=True)
    assert (part.name, part.quantity, part.rotations, part.grain) == ("SIDE", 4, None, True)
