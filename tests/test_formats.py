"""Instance readers and solution writers: real public files, hand-made bad inputs, round trips."""

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box

from nester.errors import InputError
from nester.formats import (
    nest_result_from_solution,
    problem_from_parts,
    read_instance,
    read_solution,
    solution_document,
    solution_svg,
    terashima_optimum,
    write_solution,
    write_solution_svg,
)
from nester.formats.packingsolver_shapes import ARC_TOLERANCE
from nester.model import RIGHT_ANGLES, Part, Sheet
from nester.problem import BinLayout, PlacedItem, Solution
from nester.validate import check_result

DATA = Path(__file__).parent / "data" / "nesting"
INCH = 25.4


def one_of_each(problem):
    """One copy of every item, 10 units apart along x (what matters here is the file, not the nest)."""
    placed = tuple(PlacedItem(item.id, 90.0 * (k % 2), (10.0 * k, 0.5 * k)) for k, item in enumerate(problem.items))
    unplaced = {item.id: item.demand - 1 for item in problem.items if item.demand > 1}
    return Solution(problem, (BinLayout(0, placed),), strip_length=10.0 * len(placed),
                    unplaced=unplaced, run_time_s=3.0)


# --- jagua-rs / sparrow JSON -------------------------------------------------------------


def test_jakobs1_strip_instance_is_read_with_its_rotations_and_known_area():
    problem = read_instance(DATA / "jakobs1.json")

    assert problem.is_strip and problem.strip_height == pytest.approx(40.004)
    assert (len(problem.items), problem.total_demand) == (25, 25)
    assert problem.item_area == pytest.approx(392.0)  # esicup/reference_results.csv
    assert {item.rotations for item in problem.items} == {(0.0, 90.0, 180.0, 270.0)}
    assert [item.id for item in problem.items] == list(range(25))
    assert problem.document == json.loads((DATA / "jakobs1.json").read_text())
    assert problem.warnings == ()


def test_jagua_bins_keep_holes_zones_stock_cost_and_free_rotation():
    problem = read_instance(DATA / "hides_mini.json")

    assert not problem.is_strip
    assert [(item.demand, item.rotations) for item in problem.items] == [(3, None), (2, (0.0, 90.0)), (1, None)]
    assert problem.item_area == pytest.approx(3 * 20000 + 2 * 22500 + 20000)
    assert len(problem.items[2].shape.interiors) == 1
    hide, offcut = problem.bins
    assert (hide.stock, hide.cost, len(hide.shape.interiors), len(hide.zones)) == (1, 3.0, 1, 1)
    assert hide.area == pytest.approx(Polygon([(0, 0), (1000, 0), (1200, 400), (1000, 800), (0, 800),
                                               (-100, 400)]).area - 100 * 100)
    assert offcut.zones[0].equals(box(500, 400, 550, 450))  # a rectangle zone
    assert (offcut.stock, offcut.cost) == (2, 1.0)


def test_rings_come_out_oriented_and_without_the_closing_point():
    problem = read_instance(DATA / "hides_mini.json")
    framed = problem.items[2].shape

    assert framed.exterior.is_ccw and not framed.interiors[0].is_ccw
    # The file repeats the first point of item 0; the polygon has 4 distinct corners.
    assert len(problem.items[0].shape.exterior.coords) == 5


# --- PackingSolver JSON ------------------------------------------------------------------


def raw_area_in_square_inches(shape):
    outer = Polygon([(v["x"], v["y"]) for v in shape["vertices"]]).area
    return outer - sum(Polygon([(v["x"], v["y"]) for v in hole["vertices"]]).area for hole in shape.get("holes", []))


def test_stool_in_inches_is_converted_to_millimetres():
    raw = json.loads((DATA / "stool_x10.json").read_text())
    problem = read_instance(DATA / "stool_x10.json")

    (sheet,) = problem.bins
    x0, y0, x1, y1 = sheet.shape.bounds
    assert (x1 - x0, y1 - y0) == (pytest.approx(96.06299213 * INCH), pytest.approx(48.03149606 * INCH))
    assert x1 - x0 == pytest.approx(2440.0, abs=0.01)
    assert sheet.stock == 25
    assert (len(problem.items), problem.total_demand) == (2, 50)
    assert {item.rotations for item in problem.items} == {(0.0, 180.0)}
    assert sum(len(item.shape.interiors) for item in problem.items) == 4
    for item, raw_item in zip(problem.items, raw["item_types"]):
        assert item.area == pytest.approx(raw_area_in_square_inches(raw_item["shapes"][0]) * INCH**2)
    assert problem.warnings == ()


def test_an_explicit_unit_overrides_the_guess():
    assert read_instance(DATA / "stool_x10.json", unit="mm").bins[0].shape.bounds[2] == pytest.approx(96.06299213)
    with pytest.raises(InputError, match="stool_x10.json: unknown unit 'furlong'"):
        read_instance(DATA / "stool_x10.json", unit="furlong")


def test_older_packingsolver_form_in_millimetres_without_bin_copies():
    problem = read_instance(DATA / "knight_body.json")

    assert (len(problem.items), problem.total_demand) == (23, 53)
    assert problem.bins[0].shape.bounds == (0.0, 0.0, 2800.0, 2070.0)
    assert problem.bins[0].stock is None  # no "copies": as many as needed
    assert {item.rotations for item in problem.items} == {(0.0,)}  # no allowed_rotations: 0 only
    assert problem.warnings == ()  # 2800 x 2070 is a known metric sheet


def test_general_shapes_chain_segments_flatten_arcs_and_read_ranges():
    problem = read_instance(DATA / "general_mini.json")
    d_shape, square, disc = problem.items

    assert (problem.spacing, problem.margin) == (pytest.approx(0.25 * INCH), pytest.approx(0.5 * INCH))
    assert problem.bins[0].shape.bounds == pytest.approx((0, 0, 96 * INCH, 48 * INCH))
    exact = (10 * 4 + math.pi * 2**2 / 2 - 1) * INCH**2
    perimeter = (math.pi * 2 + 20) * INCH
    assert exact - ARC_TOLERANCE * perimeter <= d_shape.area <= exact
    assert len(d_shape.shape.interiors) == 1
    assert square.area == pytest.approx(25 * INCH**2)  # its elements are listed out of order
    assert disc.area == pytest.approx(math.pi * (1.5 * INCH) ** 2, rel=1e-3)
    assert (d_shape.rotations, square.rotations, disc.rotations) == (None, (0.0, 90.0), None)
    assert any("item 2.allowed_rotations[0]: the range 0-90 degrees is read as any angle" in w
               for w in problem.warnings)


# --- terashima ---------------------------------------------------------------------------


def test_terashima_instance_and_its_optimum():
    problem = read_instance(DATA / "TA001C5.txt")

    assert (len(problem.items), problem.total_demand) == (35, 35)
    assert {item.rotations for item in problem.items} == {RIGHT_ANGLES}
    (bin_type,) = problem.bins
    assert bin_type.shape.equals(box(0, 0, 1000, 1000)) and bin_type.stock is None
    assert terashima_optimum(DATA / "OpTA001C5.txt") == 3
    assert problem.item_area == pytest.approx(3 * 1000 * 1000)  # cut from 3 full bins


def test_terashima_file_cut_short_names_the_piece(tmp_path):
    path = tmp_path / "T.txt"
    path.write_text("2 1000 1000 3 0 0 10 0 0 10 4 0 0 10")
    with pytest.raises(InputError, match=r"T.txt: the file ends where piece 2 vertex 2 y should be"):
        read_instance(path)


# --- detection and bad input -------------------------------------------------------------


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def jagua(items, **extra):
    return {"name": "t", "strip_height": 10.0, "items": items, **extra}


def square_item(item_id=0, demand=1, data=None):
    return {"id": item_id, "demand": demand,
            "shape": {"type": "simple_polygon", "data": data or [[0, 0], [1, 0], [1, 1], [0, 1]]}}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", "hello world", r"notes.txt: unknown format"),
        ("list.json", "[1, 2]", r"list.json: unknown format"),
        ("other.json", {"shapes": []}, r"other.json: unknown format \(keys: shapes\)"),
        ("broken.json", '{"items": [', r"broken.json: line 1: invalid JSON"),
        ("empty.json", jagua([]), r"empty.json: items: the instance has no items"),
        ("zero.json", jagua([square_item(0), square_item(1, demand=0)]), r"zero.json: item 1.demand: must be at least 1"),
        ("noshape.json", jagua([{"id": 0, "demand": 1}]), r"noshape.json: item 0: missing key 'shape'"),
        ("text.json", jagua([square_item(data=[[0, 0], [1, "a"], [1, 1]])]),
         r"text.json: item 0.shape.data\[1\]: expected a number, got 'a'"),
        ("bowtie.json", jagua([square_item(data=[[0, 0], [10, 10], [10, 0], [0, 10]])]),
         r"bowtie.json: item 0: invalid polygon \(Self-intersection.*\) that no repair keeps as one piece"),
        ("flat.json", jagua([square_item(data=[[0, 0], [1, 1], [2, 2]])]), r"flat.json: item 0: .*no area"),
        ("nokind.json", {"name": "t", "items": [square_item()]}, r"nokind.json: instance: missing key 'strip_height'"),
        ("ps.json", {"bin_types": [{"type": "rectangle", "width": 10, "height": 10}],
                     "item_types": [{"type": "rectangle", "width": 1, "height": 1, "copies": 0}]},
         r"ps.json: item 0.copies: must be at least 1, got 0"),
        ("open.json", {"bin_types": [{"type": "rectangle", "width": 10, "height": 10}],
                       "item_types": [{"type": "general", "elements": [
                           {"type": "LineSegment", "start": {"x": 0, "y": 0}, "end": {"x": 1, "y": 0}},
                           {"type": "LineSegment", "start": {"x": 1, "y": 0}, "end": {"x": 1, "y": 1}}]}]},
         r"open.json: item 0: open contour"),
        ("noitems.json", {"bin_types": [{"type": "rectangle", "width": 10, "height": 10}], "item_types": []},
         r"noitems.json: item_types: the instance has no items"),
    ],
)
def test_bad_input_is_one_line_naming_the_file_and_the_item(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message) as error:
        read_instance(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_a_small_self_intersection_is_repaired_with_a_warning_naming_the_item(tmp_path):
    # A square whose last edge makes a tiny loop past the first corner.
    spiked = [[0, 0], [100, 0], [100, 100], [0, 100], [0.001, -0.001], [-0.001, 0.001]]
    path = write(tmp_path, "spike.json", jagua([square_item(0, data=spiked)]))

    problem = read_instance(path)

    assert problem.items[0].area == pytest.approx(100 * 100, rel=1e-5)
    assert len(problem.warnings) == 1 and "spike.json: item 0: invalid polygon" in problem.warnings[0]


def test_a_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="nothing.json: cannot read"):
        read_instance(tmp_path / "nothing.json")


# --- plycut's own parts ------------------------------------------------------------------


def test_parts_and_sheets_become_items_and_containers_and_back():
    shelf = Part("shelf", box(0, 0, 600, 300), quantity=2, grain=True)
    knob = Part("knob", box(0, 0, 50, 50), quantity=3, rotations=None)
    sheets = [Sheet(1000, 500, 18, quantity=1, margin=10), Sheet(2500, 1250, 18, margin=15)]

    problem = problem_from_parts([shelf, knob], sheets, spacing=6.0)

    assert [(i.name, i.demand, i.rotations) for i in problem.items] == [("shelf", 2, (0.0, 180.0)), ("knob", 3, None)]
    assert [(c.stock, c.shape.bounds) for c in problem.bins] == [(1, (0, 0, 1000, 500)), (None, (0, 0, 2500, 1250))]
    assert [c.cost for c in problem.bins] == [pytest.approx(0.5), pytest.approx(3.125)]  # m², no prices given
    assert (problem.spacing, problem.margin) == (6.0, 15.0)

    solution = Solution(problem, (
        BinLayout(0, (PlacedItem(0, 0.0, (15, 15)), PlacedItem(1, 0.0, (700, 15)))),
        BinLayout(1, (PlacedItem(0, 180.0, (615, 315)), PlacedItem(1, 90.0, (700, 15)))),
    ), unplaced={1: 1})
    result = nest_result_from_solution(solution, [shelf, knob], sheets)

    assert [(p.part.name, p.copy) for lay in result.layouts for p in lay.placements] == [
        ("shelf", 1), ("knob", 1), ("shelf", 2), ("knob", 2)]
    assert [lay.sheet for lay in result.layouts] == sheets
    assert result.unplaced == ((knob, 1),)
    assert check_result(result, [shelf, knob], spacing=6.0) == []


def test_no_parts_is_input_error():
    with pytest.raises(InputError, match="plycut: no parts to nest"):
        problem_from_parts([], [Sheet(1000, 500, 18)], spacing=6.0)


# --- solution documents ------------------------------------------------------------------


def bins_solution(problem):
    layout = BinLayout(1, (PlacedItem(0, 0.0, (10.0, 10.0)), PlacedItem(0, 90.0, (330.0, 10.0)),
                           PlacedItem(2, 0.0, (10.0, 200.0))))
    return Solution(problem, (layout,), unplaced={0: 1, 1: 2}, run_time_s=7.0)


def test_strip_solution_document_has_sparrow_keys_and_reads_back_equal(tmp_path):
    problem = read_instance(DATA / "jakobs1.json")
    solution = one_of_each(problem)

    doc = json.loads(json.dumps(solution_document(solution)))

    assert doc["instance"] == problem.document
    assert set(doc["solution"]) == {"strip_width", "layout", "density", "run_time_sec"}
    assert doc["solution"]["layout"]["container_id"] == 0
    assert doc["solution"]["layout"]["placed_items"][1] == {
        "item_id": 1, "transformation": {"rotation": 90.0, "translation": [10.0, 0.5]}}
    assert doc["solution"]["density"] == pytest.approx(392.0 / (250.0 * 40.004))
    assert read_solution(doc, problem) == solution
    write_solution(tmp_path / "solution.json", solution)
    assert read_solution(tmp_path / "solution.json", problem) == solution


def test_bin_solution_document_round_trip_and_sparrow_flat_form():
    problem = read_instance(DATA / "hides_mini.json")
    solution = bins_solution(problem)

    doc = json.loads(json.dumps(solution_document(solution)))
    flat = json.loads(json.dumps(solution_document(solution, flat=True)))

    assert doc["solution"]["cost"] == 1.0
    assert [layout["container_id"] for layout in doc["solution"]["layouts"]] == [1]
    assert doc["solution"]["unplaced"] == [{"item_id": 0, "count": 1}, {"item_id": 1, "count": 2}]
    assert "layouts" in flat["solution"] and flat["bins"] == doc["instance"]["bins"]
    assert read_solution(doc, problem) == solution
    assert read_solution(flat, problem) == solution


def test_solution_read_without_the_problem_rebuilds_it_from_the_embedded_instance():
    problem = read_instance(DATA / "stool_x10.json")  # inches in the file, millimetres in the document
    solution = one_of_each(problem)

    doc = json.loads(json.dumps(solution_document(solution)))
    again = read_solution(doc)

    assert max(x for x, _ in doc["instance"]["bins"][0]["shape"]["data"]) == pytest.approx(2440.0, abs=0.01)
    assert (again.layouts, again.unplaced) == (solution.layouts, solution.unplaced)
    assert [item.shape.equals_exact(other.shape, 0.0) for item, other in zip(again.problem.items, problem.items)] == [
        True, True]
    assert again.problem.bins[0].shape.equals_exact(problem.bins[0].shape, 0.0)


def test_solution_with_an_unknown_item_id_is_input_error():
    problem = read_instance(DATA / "hides_mini.json")
    doc = solution_document(bins_solution(problem))
    doc["solution"]["layouts"][0]["placed_items"][0]["item_id"] = 9
    with pytest.raises(InputError, match=r"solution.layouts\[0\]: no item has id 9"):
        read_solution(doc, problem)


# --- SVG ---------------------------------------------------------------------------------


def test_svg_is_well_formed_with_items_zones_and_density(tmp_path):
    problem = read_instance(DATA / "hides_mini.json")
    solution = bins_solution(problem)
    solution = Solution(problem, solution.layouts + (BinLayout(0, (PlacedItem(2, 0.0, (0.0, 0.0)),)),))

    write_solution_svg(tmp_path / "layouts.svg", solution)
    root = ET.parse(tmp_path / "layouts.svg").getroot()

    ns = "{http://www.w3.org/2000/svg}"
    paths = list(root.iter(f"{ns}path"))
    assert sum(p.get("class") == "item" for p in paths) == 4
    assert sum(p.get("class") == "zone" for p in paths) == 2
    assert sum(p.get("class") == "container" for p in paths) == 2
    assert "density" in root.find(f"{ns}title").text
    assert [t.text for t in root.iter(f"{ns}text")][0].startswith("bin 1: 3 items, density")


def test_strip_svg_parses():
    problem = read_instance(DATA / "jakobs1.json")
    root = ET.fromstring(solution_svg(one_of_each(problem)))
    assert root.tag.endswith("svg") and "strip" in "".join(root.itertext())


def test_file_ids_that_are_not_positions_are_kept_in_written_solutions(tmp_path):
    path = write(tmp_path, "ids.json", jagua([square_item(9), square_item(5)]))
    problem = read_instance(path)
    solution = Solution(problem, (BinLayout(0, (PlacedItem(0, 0.0, (0, 0)), PlacedItem(1, 0.0, (1, 0)))),),
                        strip_length=2.0)

    doc = json.loads(json.dumps(solution_document(solution)))

    assert [item.label() for item in problem.items] == ["item 9", "item 5"]
    assert [p["item_id"] for p in doc["solution"]["layout"]["placed_items"]] == [9, 5]
    assert read_solution(doc, problem) == solution
    write_solution(tmp_path / "out.json", solution)
    assert read_instance(tmp_path / "out.json").total_demand == 2  # a solution file is an instance too


def test_packingsolver_unit_key_and_unknown_sheet(tmp_path):
    doc = {"bin_types": [{"type": "rectangle", "width": 300, "height": 200}],
           "item_types": [{"type": "rectangle", "width": 10, "height": 10}]}
    stated = read_instance(write(tmp_path, "cm.json", {**doc, "parameters": {"unit": "cm"}}))
    guessed = read_instance(write(tmp_path, "plain.json", doc))

    assert stated.bins[0].shape.bounds == (0, 0, 3000, 2000) and stated.warnings == ()
    assert guessed.bins[0].shape.bounds == (0, 0, 300, 200)
    assert guessed.warnings == (f"{tmp_path / 'plain.json'}: no unit given and no known inch sheet: "
                                "read as millimetres (give unit='in' if not)",)
