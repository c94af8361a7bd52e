"""The sheet preview SVG: parsed back with ElementTree and compared with the layout."""

import re
import xml.etree.ElementTree as ET

import pytest
from shapely.geometry import LineString, Point, Polygon, box

from nester.model import Feature, Layout, Operation, Part, Placement, Sheet
from nester.preview import Overlay, sheet_svg

SVG = "{http://www.w3.org/2000/svg}"
SHEET = Sheet(width=1220, height=610, thickness=18, margin=10)


def cabinet_layout():
    side = Part(
        "side <left> & right",
        box(0, 0, 500, 300).difference(box(100, 100, 200, 200)),
        quantity=2,
        features=(
            Feature(Operation.POCKET, box(300, 50, 450, 150), depth=6.0),
            Feature(Operation.ENGRAVE, LineString([(20, 280), (480, 280)]), depth=0.5),
            Feature(Operation.DRILL, Point(400, 250), depth=12.0, diameter=8.0),
        ),
    )
    shelf = Part("shelf", box(0, 0, 300, 200))
    return Layout(
        SHEET,
        (
            Placement(side, 0.0, (10, 10), copy=1),
            Placement(side, 90.0, (816, 10), copy=2),
            Placement(shelf, 0.0, (10, 316)),
        ),
    )


def parse(svg):
    root = ET.fromstring(svg)
    parents = {child: parent for parent in root.iter() for child in parent}
    return root, parents


def by_class(root, css_class):
    return [e for e in root.iter() if css_class in (e.get("class") or "").split()]


def path_rings(d):
    """Path data 'M x,y L x,y ... Z M ...' as lists of points."""
    return [
        [tuple(float(v) for v in pair.split(",")) for pair in re.findall(r"-?[\d.]+,-?[\d.]+", ring)]
        for ring in d.split("M")[1:]
    ]


def test_document_is_sized_in_millimetres_with_y_flipped():
    root, _ = parse(sheet_svg(cabinet_layout()))

    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("1220mm", "610mm", "0 0 1220 610")
    frame = next(e for e in root.iter(f"{SVG}g") if e.get("transform"))
    assert frame.get("transform") == "matrix(1 0 0 -1 0 610)"
    margin = by_class(root, "margin")[0]
    assert [float(margin.get(k)) for k in ("x", "y", "width", "height")] == [10, 10, 1200, 590]


def test_each_part_is_one_evenodd_path_with_its_holes_at_the_placed_position():
    layout = cabinet_layout()
    root, _ = parse(sheet_svg(layout))

    part_paths = by_class(root, "part")

    assert len(part_paths) == len(layout.placements)
    for path, placement in zip(part_paths, layout.placements):
        assert path.get("fill-rule") == "evenodd"
        rings = path_rings(path.get("d"))
        drawn = Polygon(rings[0], rings[1:])
        assert len(rings) == 1 + len(placement.part.outline.interiors)
        assert drawn.symmetric_difference(placement.outline()).area == pytest.approx(0, abs=1e-3)


def test_labels_are_escaped_upright_and_inside_their_parts():
    layout = cabinet_layout()
    svg = sheet_svg(layout)
    root, parents = parse(svg)

    labels = by_class(root, "label")

    assert [t.text for t in labels] == [p.label() for p in layout.placements]
    assert "side &lt;left&gt; &amp; right#1" in svg
    for text, placement in zip(labels, layout.placements):
        ancestor = parents[text]
        while ancestor is not root:
            assert not ancestor.get("transform")  # the y flip would mirror the text
            ancestor = parents[ancestor]
        x, y_down = float(text.get("x")), float(text.get("y"))
        assert placement.outline().contains(Point(x, SHEET.height - y_down))
        assert float(text.get("font-size")) >= max(SHEET.width, SHEET.height) / 150


def test_features_are_drawn_on_the_placed_parts():
    layout = cabinet_layout()
    root, _ = parse(sheet_svg(layout))

    pockets, engraves, drills = by_class(root, "pocket"), by_class(root, "engrave"), by_class(root, "drill")

    assert len(pockets) == len(engraves) == len(drills) == 2
    assert [float(drills[0].get(k)) for k in ("cx", "cy", "r")] == [410, 260, 4]
    # The second side is rotated 90 degrees: its drill at (400, 250) maps to (816 - 250, 10 + 400).
    assert [float(drills[1].get(k)) for k in ("cx", "cy")] == [566, 410]
    assert engraves[0].get("points") == "30,290 490,290"


def test_overlays_get_their_own_classes_and_styles():
    overlays = [
        Overlay("cut", [[(5, 5), (100, 5), (100, 50)]]),
        Overlay("rapid", [[(100, 50), (300, 300)], [(300, 300), (0, 0)]]),
        Overlay("tab", [[(50, 5)], [(100, 20), (100, 30)]]),
        Overlay('lead-in "x"', [[(1, 1), (2, 2)]], style="stroke: #ff00ff"),
    ]
    svg = sheet_svg(cabinet_layout(), overlays=overlays, title="Cabinet <A> & B")
    root, _ = parse(svg)

    assert [e.get("points") for e in by_class(root, "cut") if e.tag == f"{SVG}polyline"] == ["5,5 100,5 100,50"]
    assert len(by_class(root, "rapid")) == 2
    tabs = by_class(root, "tab")
    assert [e.tag for e in tabs] == [f"{SVG}circle", f"{SVG}polyline"]
    assert (tabs[0].get("cx"), tabs[0].get("cy")) == ("50", "5")
    custom = [e for e in root.iter() if e.get("class") == 'lead-in "x"']
    assert len(custom) == 1 and custom[0].get("style") == "stroke: #ff00ff"
    assert root.find(f"{SVG}title").text == "Cabinet <A> & B"
    style = root.find(f"{SVG}style").text
    rules = {name: re.search(r"\." + name + r" \{([^}]*)\}", style).group(1) for name in ("cut", "rapid", "tab")}
    assert "stroke-dasharray" in rules["rapid"] and "stroke-dasharray" not in rules["cut"]
    assert len(set(rules.values())) == 3


def test_empty_layout_still_shows_the_sheet():
    root, _ = parse(sheet_svg(Layout(Sheet(width=2500, height=1250, thickness=18, margin=0))))

    assert len(by_class(root, "sheet")) == 1
    assert by_class(root, "part") == [] and by_class(root, "margin") == []
