"""`plycut estimate`: an order made for real (nest, programs, read back), reported in
JSON, CSV and a self-contained HTML page whose figures are the JSON's; bad input is one
line, exit 2, and no report."""

from __future__ import annotations

import csv
import json
import math
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from nester.catalog import registry
from nester.catalog.stool import SHIPPED_PLAN
from nester.model import Layout, Part, Placement, Sheet
from plycut.cli import app
from plycut.costs import CostSettings, group_costs, order_costs
from plycut.offcuts import area, kept_offcut

runner = CliRunner()
FAST = ("--time-limit", "0.2")  # the engine stops sooner once it reaches the area bound
SVG = "{http://www.w3.org/2000/svg}"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_line_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plycut: error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


class _Page(HTMLParser):
    """data-field figures, the inline SVG documents (as text) and figure captions of a report."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.figures: list[dict] = []
        self.feed(text)
        self.svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-field" in attrs:
            self.fields[attrs["data-field"]] = attrs["data-value"]
        if tag == "figure":
            self.figures.append(attrs)


@pytest.fixture(scope="module")
def order_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("order")
    order = folder / "order.toml"
    order.write_text(
        'name = "town hall"\nprofile = "birch-plywood-18mm"\nthickness = 17.6\nclearance = 0.3\n'
        "min_offcut = [300, 200]\n"
        '[[items]]\nitem = "stool"\nquantity = 2\n'
        '[[items]]\nitem = "stool"\nquantity = 1\nname = "low stool"\ndimensions = { height = 380 }\n'
        "[costs]\nsheet_price = 100\nmachine_rate = 40\noperator_rate = 50\noperator_share = 0.5\n"
        "setup_minutes_per_sheet = 12\njob_fee = 30\n"
        "[nest]\ntime_limit = 0.2\n")
    out = folder / "out"
    result = invoke("estimate", str(order), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "estimate.json").read_text()), result.output


def test_estimate_figures_add_up(order_report):
    _, doc, output = order_report
    totals = doc["totals"]
    (material,) = doc["materials"]
    assert material["thickness_mm"] == 17.6 and material["sheet_price_eur"] == 100
    assert totals["units"] == 3 and totals["parts"] == 9
    assert totals["sheets"] >= totals["sheets_lower_bound"] >= 1
    sheet_area = material["sheet_area_m2"]
    assert sheet_area == pytest.approx(totals["sheets"] * 2.44 * 1.22, abs=1e-3)
    assert totals["yield"] == pytest.approx(totals["parts_area_m2"] / sheet_area, abs=1e-4)
    # every square metre of the sheets is a part, a kept offcut or waste
    parts_offcut_waste = totals["parts_area_m2"] + totals["offcut_area_m2"] + totals["waste_area_m2"]
    assert parts_offcut_waste == pytest.approx(sheet_area, abs=3e-3)
    for sheet in material["sheet_details"]:
        if sheet["offcut_mm"]:
            x0, y0, x1, y1 = sheet["offcut_mm"]
            short, long = sorted((x1 - x0, y1 - y0))
            assert short >= 200 and long >= 300
    costs = totals["costs_eur"]
    machine_h = material["machine_time_s"] / 3600
    assert costs["material"] == pytest.approx(100 * totals["sheets"])
    assert costs["machine"] == pytest.approx(40 * machine_h, abs=0.01)
    operator_h = 0.5 * machine_h + totals["sheets"] * 12 / 60
    assert totals["operator_time_h"] == pytest.approx(operator_h, abs=2e-3)
    assert costs["operator"] == pytest.approx(50 * operator_h, abs=0.02)
    assert costs["job_fee"] == 30
    assert costs["total"] == pytest.approx(sum(costs[k] for k in ("material", "machine", "operator", "job_fee")))
    assert totals["cost_per_unit_eur"] == pytest.approx(costs["total"] / 3, abs=0.01)
    # items: labelled apart, parts per unit, shares that add up to the order
    stool, low = doc["items"]
    assert (stool["item"], low["item"], low["dimensions_mm"]) == ("stool", "low stool", {"height": 380.0})
    assert [(p["part"], p["count"]) for p in stool["parts_per_unit"]] == [("leg-a", 1), ("leg-b", 1), ("seat", 1)]
    assert max(p["height_mm"] for p in low["parts_per_unit"]) < max(p["height_mm"] for p in stool["parts_per_unit"])
    assert stool["cost_eur"] + low["cost_eur"] == pytest.approx(costs["total"], abs=0.02)
    assert stool["cost_per_unit_eur"] == pytest.approx(stool["cost_eur"] / 2, abs=0.01)
    assert "town hall" in output and "per unit" in output


def test_estimate_csv_is_the_json(order_report):
    out, doc, _ = order_report
    rows = list(csv.DictReader((out / "estimate.csv").open()))
    assert [r["material"] for r in rows] == [doc["materials"][0]["material"], "total"]
    total = rows[-1]
    t = doc["totals"]
    assert int(total["sheets"]) == t["sheets"] and float(total["total_eur"]) == t["costs_eur"]["total"]
    assert float(total["eur_per_unit"]) == t["cost_per_unit_eur"] and int(total["units"]) == 3
    assert float(total["machine_time_h"]) == t["machine_time_h"]


def test_estimate_html_is_self_contained_and_shows_the_json(order_report):
    out, doc, _ = order_report
    text = (out / "estimate.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", text), "nothing outside the file"
    assert "<script" not in text
    page = _Page(text)
    totals = doc["totals"]
    for key in ("units", "sheets", "yield", "cut_length_m", "machine_time_h", "cost_per_unit_eur"):
        assert float(page.fields[f"totals.{key}"]) == pytest.approx(totals[key]), key
    assert float(page.fields["totals.costs_eur.total"]) == totals["costs_eur"]["total"]
    for item in doc["items"]:
        assert float(page.fields[f"items.{item['item']}.cost_per_unit_eur"]) == item["cost_per_unit_eur"]
    # one well-formed SVG per sheet, drawn in mm, its labels the sheet's parts
    (material,) = doc["materials"]
    assert len(page.svgs) == len(page.figures) == totals["sheets"]
    for svg, sheet in zip(page.svgs, material["sheet_details"]):
        root = ElementTree.fromstring(svg)
        assert root.tag == SVG + "svg" and root.get("viewBox") == "0 0 2440 1220" and root.get("width") is None
        labels = sorted(t.text for t in root.iter(SVG + "text"))
        assert labels == sorted(sheet["parts"])
        assert all(label.split(":")[0] in ("stool", "low stool") for label in labels)
        offcuts = [e for e in root.iter(SVG + "polyline") if e.get("class") == "offcut"]
        assert len(offcuts) == (1 if sheet["offcut_mm"] else 0)
    assert "leg-a" in text and "Parts" in text


def test_offcut_is_the_larger_strip_beside_the_parts():
    sheet = Sheet(1000, 500, 18, margin=10)
    part = Part("p", box(0, 0, 300, 200))
    layout = Layout(sheet, (Placement(part, 0.0, (10.0, 10.0)),))
    # right of the part: 310 + 8 .. 990 (672 x 480); above it: 218 .. 490 (980 x 272)
    assert kept_offcut(layout, 8.0, (200, 200)) == (318.0, 10.0, 990.0, 490.0)
    assert area(kept_offcut(layout, 8.0, (200, 200))) == pytest.approx(672 * 480)
    assert kept_offcut(layout, 8.0, (700, 490)) is None
    assert kept_offcut(layout, 8.0, (900, 250)) == (10.0, 218.0, 990.0, 490.0)


def test_costs_add_the_job_fee_once():
    settings = CostSettings(machine_rate=30, operator_rate=40, operator_share=1.0, setup_minutes_per_sheet=6)
    group = group_costs(settings, sheets=2, sheet_price=90, machine_h=1.5)
    assert group == {"material": 180, "machine": 45, "operator": 40 * (1.5 + 0.2), "total": 180 + 45 + 68}
    assert order_costs([group, group], 20)["total"] == pytest.approx(2 * 293 + 20)
    assert settings.price_of_sheet("mdf-18mm", "birch-plywood-18mm", 55.0) == 55.0
    priced = CostSettings(sheet_price=99, sheet_prices=(("mdf-18mm", 40.0),))
    assert priced.price_of_sheet("birch-plywood-18mm", "birch-plywood-18mm", 120) == 99
    assert priced.price_of_sheet("mdf-18mm", "birch-plywood-18mm", 55) == 40


def test_items_and_plan_files_in_one_estimate(tmp_path):
    out = tmp_path / "out"
    result = invoke("estimate", str(SHIPPED_PLAN), "--quantity", "1", "--item", "stool=1", "--sheet-price", "80",
                    "-o", str(out), *FAST)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "estimate.json").read_text())
    assert [(i["item"], i["design"], i["quantity"]) for i in doc["items"]] == [("stool", "stool", 1),
                                                                            ("stool-2", None, 1)]
    assert doc["items"][1]["plans"] == [str(SHIPPED_PLAN)]
    assert doc["totals"]["parts"] == 6 and doc["totals"]["costs_eur"]["material"] == 80 * doc["totals"]["sheets"]


@pytest.mark.parametrize("args, fragments", [
    (("--item", "chaise=2"), ("--item 'chaise=2'", "unknown item 'chaise'", "stool")),
    (("--item", "stool=0"), ("--item 'stool=0'", "at least 1, got 0")),
    (("--item", "stool=-3"), ("--item 'stool=-3'", "at least 1, got -3")),
    (("--item", "stool"), ("--item 'stool'", "NAME=QUANTITY")),
    (("--item", "stool=2", "--measured-thickness", "40"), ("40 mm is far from the 18 mm", "birch-plywood-18mm")),
    (("--item", "stool=2", "--measured-thickness", "0"), ("--measured-thickness 0",)),
    (("--item", "stool=2", "--profile", "plywood"), ("unknown profile 'plywood'",)),
    ((str(SHIPPED_PLAN), "--quantity", "0"), ("--quantity 0", "at least 1")),
    ((), ("nothing to estimate",)),
])
def test_bad_estimate_options_are_one_line(tmp_path, args, fragments):
    out = tmp_path / "out"
    one_line_error(invoke("estimate", *args, "-o", str(out)), *fragments)
    assert not out.exists()


@pytest.mark.parametrize("body, fragments", [
    ('[[items]]\nitem = "chariote"\nquantity = 1\n', ("key 'items[0].item'", "unknown item 'chariote'")),
    ('[[items]]\nitem = "stool"\nquantity = 0\n', ("key 'items[0].quantity'", "at least 1, got 0")),
    ('[[items]]\nitem = "stool"\nquantity = -2\n', ("key 'items[0].quantity'", "got -2")),
    ('[[items]]\nitem = "stool"\n', ("missing key 'items[0].quantity'",)),
    ('[[items]]\nitem = "stool"\nquantity = 1\ndimensions = { heigth = 400 }\n', ("unknown dimension 'heigth'",)),
    ('[[items]]\nitem = "stool"\nquantity = 1\ndimensions = { height = -4 }\n', ("'height' must be a number",)),
    ('[[items]]\nitem = "stool"\nplan = "x.dxf"\nquantity = 1\n', ("items[0]", "either item")),
    ('[[items]]\nitem = "stool"\nquantity = 1\n[costs]\nmachine_rat = 3\n', ("unknown key 'machine_rat'",)),
    ('thickness = 25\n[[items]]\nitem = "stool"\nquantity = 1\n', ("25 mm is far from",)),
    ('name = "empty"\n', ("no [[items]]",)),
])
def test_bad_order_files_name_the_key(tmp_path, body, fragments):
    order = tmp_path / "order.toml"
    order.write_text(body)
    out = tmp_path / "out"
    line = one_line_error(invoke("estimate", str(order), "-o", str(out)), *fragments)
    assert str(order) in line
    assert not out.exists()


def test_a_design_drawn_impossible_is_one_line(tmp_path):
    order = tmp_path / "order.toml"
    order.write_text('[[items]]\nitem = "stool"\nquantity = 1\ndimensions = { tenon_width = 500 }\n')
    line = one_line_error(invoke("estimate", str(order), "-o", str(tmp_path / "out"), *FAST),
                          "key 'items[0].item'", "stool drawn for 18 mm", "invalid contour")
    assert "plycut-estimate-" not in line, "no temporary path in the message"


def test_a_design_that_raises_is_one_line(tmp_path, monkeypatch):
    def broken(path, fit, dimensions):
        raise ValueError("math domain error")

    monkeypatch.setitem(registry.DESIGNS, "broken", registry.Design("broken", "breaks", broken, {}))
    line = one_line_error(invoke("estimate", "--item", "broken=2", "--measured-thickness", "17", "-o",
                                 str(tmp_path / "out")), "--item 'broken=2'", "broken cannot be drawn for a 17 mm")
    assert "ValueError: math domain error" in line


def test_no_partial_report_when_a_later_material_fails(tmp_path):
    """The first material is nested and programmed, the second is bad: nothing is written,
    and an earlier complete report in the folder is left as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "estimate.json").write_text("{}")
    order = tmp_path / "order.toml"
    order.write_text('[[items]]\nitem = "stool"\nquantity = 1\n'
                     '[[items]]\nplan = "missing.dxf"\nquantity = 1\nprofile = "birch-plywood-15mm"\n'
                     "[nest]\ntime_limit = 0.1\n")
    one_line_error(invoke("estimate", str(order), "-o", str(out)), "missing.dxf", "no such file")
    assert sorted(p.name for p in out.iterdir()) == ["estimate.json"]
    assert (out / "estimate.json").read_text() == "{}"


def test_lower_bound_is_the_area_bound(order_report):
    _, doc, _ = order_report
    (material,) = doc["materials"]
    usable = (2440 - 20) * (1220 - 20) / 1e6
    assert material["sheets_lower_bound"] == math.ceil(material["parts_area_m2"] / usable - 1e-6)


def test_a_design_refusing_its_dimensions_is_named_by_the_order_key(tmp_path, monkeypatch):
    def picky(path, fit, dimensions):
        raise registry.InputError("picky: height must be 300 to 900 mm, got 2000")

    monkeypatch.setitem(registry.DESIGNS, "picky", registry.Design("picky", "refuses", picky, {"height": 500.0}))
    order = tmp_path / "order.toml"
    order.write_text('[[items]]\nitem = "picky"\nquantity = 1\ndimensions = { height = 2000 }\n')
    line = one_line_error(invoke("estimate", str(order), "-o", str(tmp_path / "out")))
    assert line == f"plycut: error: {order}: key 'items[0].item': picky: height must be 300 to 900 mm, got 2000"


def _rectangle_part(path, width, height):
    import ezdxf

    doc = ezdxf.new("R12")
    doc.header["$INSUNITS"] = 4
    doc.layers.add("4_ANYTOOL_CUTTHROUGH_OUTSI", color=5)
    doc.modelspace().add_polyline2d([(0, 0), (width, 0), (width, height), (0, height)], close=True,
                                    dxfattribs={"layer": "4_ANYTOOL_CUTTHROUGH_OUTSI"})
    doc.saveas(path)


def test_per_part_files_with_a_production_list_per_unit(tmp_path):
    """WikiHouse-style files: the production list is one unit's, --quantity multiplies it."""
    plans = tmp_path / "plans"
    plans.mkdir()
    _rectangle_part(plans / "BOX_SIDE.dxf", 400, 300)
    _rectangle_part(plans / "BOX_CLIP.dxf", 80, 40)
    (plans / "BOX_production.csv").write_text("Label,Quantity\nBOX_SIDE,2\nBOX_CLIP,4\n")
    out = tmp_path / "out"
    result = invoke("estimate", str(plans / "BOX_SIDE.dxf"), str(plans / "BOX_CLIP.dxf"), "--production",
                    str(plans / "BOX_production.csv"), "--quantity", "3", "-o", str(out), *FAST)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "estimate.json").read_text())
    (item,) = doc["items"]
    assert (item["item"], item["quantity"]) == ("plans", 3)
    assert {p["part"]: p["count"] for p in item["parts_per_unit"]} == {"BOX_SIDE": 2, "BOX_CLIP": 4}
    assert doc["totals"]["parts"] == 18 and doc["totals"]["sheets"] == 1


def test_plan_files_drawn_for_another_thickness_are_resized_in_the_estimate(tmp_path):
    out = tmp_path / "out"
    result = invoke("estimate", str(SHIPPED_PLAN), "--nominal-thickness", "18", "--measured-thickness", "17.4",
                    "--fit", "tight", "-o", str(out), *FAST)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "estimate.json").read_text())
    changes = [w for w in json.dumps(doc).split('"') if w.startswith("thickness 18 -> 17.4 mm")]
    assert changes and all("-> 17.40 mm" in change for change in changes)  # tight: measured + 0


@pytest.mark.parametrize("args, fragments", [
    (("--nominal-thickness", "18"), ("--nominal-thickness needs --measured-thickness",)),
    (("--fit", "loose"), ("--fit goes with --nominal-thickness",)),
    (("--nominal-thickness", "18", "--measured-thickness", "17.4", "--fit", "snug"), ("fit 'snug'",)),
])
def test_bad_thickness_options_of_estimate_are_one_line(tmp_path, args, fragments):
    out = tmp_path / "out"
    one_line_error(invoke("estimate", str(SHIPPED_PLAN), *args, "-o", str(out), *FAST), *fragments)
    assert not out.exists()
