"""layout.json in sparrow's format: written, read back, and re-applied to the item shapes."""

import itertools
import json

import pytest
import shapely
from shapely import affinity
from shapely.geometry import Point, Polygon, box

from nester.errors import InputError
from nester.layout_json import layout_document, read_layout_document
from nester.model import Part, Sheet
from nester.simple_nest import nest_bottom_left

SPACING = 6.0


def furniture():
    frame = Part("frame", box(0, 0, 400, 300).difference(box(80, 60, 320, 240)), quantity=2, source="shelf.dxf")
    door = Part("door", box(100, 100, 500, 700), grain=True, source="shelf.dxf")
    knob = Part("knob", Point(0, 0).buffer(40), quantity=3, rotations=None, source="shelf.dxf")
    return [frame, door, knob]


@pytest.fixture
def written(tmp_path):
    parts = furniture()
    stock = [
        Sheet(width=800, height=800, thickness=18, quantity=1, cost=20.0, name="offcut"),
        Sheet(width=1000, height=800, thickness=18, cost=35.0, name="half"),
    ]
    result = nest_bottom_left(parts, stock, spacing=SPACING)
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(layout_document(result, parts, name="shelf", stock=stock)))
    return result, parts, stock, json.loads(path.read_text())


def item_polygon(item):
    data = item["shape"]["data"]
    return Polygon(data["outer"], data["inner"])


def test_instance_lists_stock_sheets_as_bins_and_parts_as_items(written):
    result, parts, stock, doc = written
    instance = doc["instance"]

    assert instance["name"] == "shelf"
    used_half_sheets = sum(layout.sheet.name == "half" for layout in result.layouts)
    assert [(b["id"], b["stock"], b["cost"]) for b in instance["bins"]] == [
        (0, 1, 20.0),
        (1, used_half_sheets, 35.0),
    ]
    assert instance["bins"][1]["shape"] == {
        "type": "simple_polygon",
        "data": [[0, 0], [1000, 0], [1000, 800], [0, 800]],
    }
    assert [(i["id"], i["demand"]) for i in instance["items"]] == [(0, 2), (1, 1), (2, 3)]
    assert instance["items"][1]["allowed_orientations"] == [0.0, 180.0]
    assert "allowed_orientations" not in instance["items"][2]  # free rotation


def test_item_shapes_are_the_imported_outlines_without_repeated_points(written):
    _, parts, _, doc = written
    frame = doc["instance"]["items"][0]["shape"]

    assert frame["type"] == "polygon"
    assert len(frame["data"]["outer"]) == 4 and len(frame["data"]["inner"]) == 1
    assert len(frame["data"]["inner"][0]) == 4
    for item, part in zip(doc["instance"]["items"], parts):
        assert item_polygon(item).equals_exact(part.outline, 1e-12)


def test_reapplied_transformations_give_the_layout_outlines_without_overlap(written):
    result, _, stock, doc = written
    items = {item["id"]: item_polygon(item) for item in doc["instance"]["items"]}

    layouts = read_layout_document(doc)

    assert len(layouts) == len(result.layouts)
    for (container_id, placed_items), layout in zip(layouts, result.layouts):
        assert stock[container_id] == layout.sheet
        placed = [
            affinity.translate(affinity.rotate(items[item_id], rotation, origin=(0, 0)), *translation)
            for item_id, rotation, translation in placed_items
        ]
        expected = [p.outline() for p in layout.placements]
        assert len(placed) == len(expected)
        for mine, theirs in zip(placed, expected):
            assert shapely.equals_exact(mine, theirs, tolerance=1e-9)
        for a, b in itertools.combinations(placed, 2):
            assert a.distance(b) >= SPACING - 1e-6


def test_densities_are_fractions_of_the_full_sheet(written):
    result, _, stock, doc = written
    items = {item["id"]: item_polygon(item).area for item in doc["instance"]["items"]}
    solution = doc["solution"]

    for layout in solution["layouts"]:
        bin_shape = Polygon(doc["instance"]["bins"][layout["container_id"]]["shape"]["data"])
        placed_area = sum(items[p["item_id"]] for p in layout["placed_items"])
        assert layout["density"] == pytest.approx(placed_area / bin_shape.area)
        assert 0 < layout["density"] <= 1
    assert solution["density"] == pytest.approx(result.density)
    assert solution["run_time_sec"] == result.run_time_s


def test_without_a_stock_list_bins_are_the_sheets_used():
    parts = furniture()
    sheet = Sheet(width=700, height=700, thickness=18)
    result = nest_bottom_left(parts, [sheet], spacing=SPACING)

    doc = layout_document(result, parts, name="shelf")

    assert [(b["id"], b["stock"]) for b in doc["instance"]["bins"]] == [(0, len(result.layouts))]
    assert len(result.layouts) > 1
    assert {layout["container_id"] for layout in doc["solution"]["layouts"]} == {0}


def test_malformed_documents_name_the_file_and_key(tmp_path):
    good = {"solution": {"layouts": [{"container_id": 0, "placed_items": [
        {"item_id": 1, "transformation": {"rotation": 90, "translation": [10, 20.5]}}]}]}}
    assert read_layout_document(good) == [(0, [(1, 90.0, (10.0, 20.5))])]

    missing = json.loads(json.dumps(good))
    del missing["solution"]["layouts"][0]["placed_items"][0]["transformation"]["rotation"]
    with pytest.raises(InputError) as error:
        read_layout_document(missing, source="nest.json")
    assert str(error.value) == (
        "nest.json: solution.layouts[0].placed_items[0].transformation: missing key 'rotation'"
    )

    fractional = json.loads(json.dumps(good))
    fractional["solution"]["layouts"][0]["container_id"] = 0.5
    with pytest.raises(InputError, match=r"solution.layouts\[0\].container_id: expected an integer"):
        read_layout_document(fractional)

    with pytest.raises(InputError, match="document: missing key 'solution'"):
        read_layout_document({"instance": {}})


def test_parts_missing_from_the_parts_list_are_a_bug_not_a_silent_skip():
    parts = furniture()
    result = nest_bottom_left(parts, [Sheet(width=1000, height=800, thickness=18)], spacing=SPACING)

    with pytest.raises(ValueError, match="not in the parts list"):
        layout_document(result, parts[:1], name="shelf")
