"""Thickness adaptation of imported plans: real plans drawn for 18 mm, fitted for the sheet
as measured, equal to the same plans drawn for that sheet; nothing else moves."""

from __future__ import annotations

import json
from pathlib import Path

import ezdxf
import pytest
from shapely.geometry import LineString, Point, Polygon, box
from test_cli import checked_programs
from typer.testing import CliRunner

from nester.catalog.drawing import mortise_corners, with_dogbones
from nester.catalog.registry import FitParameters, write_design_plan
from nester.catalog.stool import StoolParameters, write_plan
from nester.errors import InputError
from nester.plans import load_plan
from nester.thickness import adapt_thickness
from plycut.cli import app

runner = CliRunner()
CHORD = 0.01  # the importer flattens curves to this chord error
STOOL_18 = StoolParameters()


def parts_by_name(path: Path):
    return {part.name: part for part in load_plan(path).parts}


@pytest.fixture(scope="module")
def stools(tmp_path_factory):
    """The stool plan drawn for 18 mm, and drawn directly for sheets of 17.4 and 18.6 mm (same clearance)."""
    folder = tmp_path_factory.mktemp("stools")
    plans = {}
    for name, params in (("18", STOOL_18), ("17.4", StoolParameters(thickness=17.4, nominal_thickness=18.0)),
                         ("18.6", StoolParameters(thickness=18.6, nominal_thickness=18.0))):
        write_plan(folder / f"stool-{name}.dxf", params)
        plans[name] = folder / f"stool-{name}.dxf"
    return plans


def rings(part):
    return [list(part.outline.exterior.coords), *[list(r.coords) for r in part.outline.interiors]]


def assert_same_plan(adapted, direct):
    assert sorted(p.name for p in adapted) == sorted(direct)
    for part in adapted:
        other = direct[part.name]
        assert part.outline.hausdorff_distance(other.outline) <= CHORD, part.name
        assert [len(r) for r in rings(part)] == [len(r) for r in rings(other)], part.name
        assert [f.geometry.wkt for f in part.features] == [f.geometry.wkt for f in other.features]


def test_stool_drawn_for_18_and_adapted_to_17_4_is_the_stool_drawn_for_17_4(stools):
    original = list(parts_by_name(stools["18"]).values())
    adapted, changes = adapt_thickness(original, 18.0, 17.4, "normal")
    assert_same_plan(adapted, parts_by_name(stools["17.4"]))
    assert sorted(line.split(":")[0] for line in changes) == ["leg-a", "leg-b"] + ["seat"] * 4
    assert all(line.endswith("18.20 -> 17.60 mm") for line in changes)
    assert sum("mortise at" in line for line in changes) == 4


def test_widening_for_a_thick_sheet_trims_the_curved_edge_at_the_slot_mouth(stools):
    """Leg B's slot opens into the foot arch: the arch is cut back to the wider slot."""
    original = list(parts_by_name(stools["18"]).values())
    adapted, changes = adapt_thickness(original, 18.0, 18.6, "normal")
    assert_same_plan(adapted, parts_by_name(stools["18.6"]))
    assert all(line.endswith("18.20 -> 18.80 mm") for line in changes)


def joint_zones(part_name: str, x0: float) -> list:
    """Where the stool's joints are, from its parameters (independent of the slot finder)."""
    p, r = STOOL_18, STOOL_18.bone_radius + 1.0
    c, h = x0 + p.leg_width / 2.0, p.leg_height
    if part_name == "seat":
        s, reach = p.seat / 2.0, p.tenon_width / 2.0 + r
        return [box(x - reach, y - reach, x + reach, y + reach)
                for d in (-p.tenon_offset, p.tenon_offset) for x, y in ((s + d, s), (s, s + d))]
    if part_name == "leg-a":
        return [box(c - p.slot / 2 - r, h / 2 - r, c + p.slot / 2 + r, h + 1)]
    return [box(c - p.slot / 2 - r, -1, c + p.slot / 2 + r, h / 2 + r)]


@pytest.mark.parametrize("measured", [17.4, 18.6])
def test_nothing_but_the_slots_moves(stools, measured):
    original = parts_by_name(stools["18"])
    adapted, _ = adapt_thickness(list(original.values()), 18.0, measured, "normal")
    for part in adapted:
        before = original[part.name]
        assert part.features == before.features and part.quantity == before.quantity
        zones = joint_zones(part.name, before.outline.bounds[0])
        kept = {point for ring in rings(part) for point in ring}
        for ring in rings(before):
            for point in ring:
                if not any(zone.contains(Point(point)) for zone in zones):
                    assert point in kept, (part.name, point)  # the very same coordinates


def test_a_catalog_design_adapted_is_the_design_drawn_for_the_sheet(tmp_path):
    nominal = write_design_plan("porte", tmp_path / "porte-18.dxf", FitParameters(18.0))
    direct = write_design_plan("porte", tmp_path / "porte-17.4.dxf", FitParameters(17.4, nominal_thickness=18.0))
    adapted, changes = adapt_thickness(list(parts_by_name(nominal).values()), 18.0, 17.4)
    assert_same_plan(adapted, parts_by_name(direct))
    assert len(changes) == 18  # 8 mortises in the sides, 8 in the top, the two half-lap slots


def write_test_plan(path: Path, holes: list[tuple[float, float, float, float]], notches=()) -> Path:
    """A 300 x 120 board with boned rectangular holes (x, y, width, height) and square notches
    cut down from its top edge (x centre, width, depth)."""
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    msp = doc.modelspace()
    top = [(300.0, 120.0, 0.0)]
    for x, width, depth in notches:
        top += [(x + width / 2, 120.0, 0.0), (x + width / 2, 120.0 - depth, 0.0),
                (x - width / 2, 120.0 - depth, 0.0), (x - width / 2, 120.0, 0.0)]
    outline = [(0.0, 0.0, 0.0), (300.0, 0.0, 0.0), *top, (0.0, 120.0, 0.0)]
    msp.add_lwpolyline(outline, format="xyb", close=True, dxfattribs={"layer": "CUT_OUTSIDE"})
    for x, y, width, height in holes:
        msp.add_lwpolyline(with_dogbones(mortise_corners((x, y), (width, height)), 3.2), format="xyb", close=True,
                           dxfattribs={"layer": "CUT_INSIDE"})
    msp.add_text("board", height=10, dxfattribs={"layer": "NOTES", "insert": (20.0, 20.0)})
    doc.saveas(path)
    return path


def test_only_slots_within_the_tolerance_of_the_nominal_thickness_are_resized(tmp_path):
    # 17.6 is under 18 - 0.3; 17.75 and 18.75 (drawn with 0.75 of clearance) are within; 18.9 is over 18 + 0.8.
    plan = write_test_plan(tmp_path / "board.dxf", [(50, 60, 17.6, 60), (110, 60, 17.75, 60), (170, 60, 18.75, 60),
                                                   (230, 60, 18.9, 60)], notches=[(150, 18.0, 20.0)])
    board = load_plan(plan).parts
    _, changes = adapt_thickness(board, 18.0, 17.4, "tight")
    assert sorted(line.split(" at ")[0] + line.split(")")[1] for line in changes) == [
        "board: mortise 17.75 -> 17.40 mm", "board: mortise 18.75 -> 17.40 mm", "board: slot 18.00 -> 17.40 mm"]
    unchanged, none = adapt_thickness(board, 15.0, 15.2)
    assert none == [] and unchanged[0] is board[0]  # the very same part when nothing fits


def test_a_rounded_slot_end_is_reported_and_left_alone(tmp_path):
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    slot_end = [(109.0, 60.0, -1.0), (91.0, 60.0, 0.0)]  # a half circle between the slot's walls
    outline = [(0, 0, 0), (200, 0, 0), (200, 100, 0), (109, 100, 0), *slot_end, (91, 100, 0), (0, 100, 0)]
    doc.modelspace().add_lwpolyline(outline, format="xyb", close=True, dxfattribs={"layer": "CUT_OUTSIDE"})
    doc.saveas(tmp_path / "round.dxf")
    part = load_plan(tmp_path / "round.dxf").parts[0]
    adapted, changes = adapt_thickness([part], 18.0, 17.4)
    assert adapted[0] is part
    assert changes == ["round: slot at (100.0, 80.0) has a rounded end: left as drawn"]


@pytest.mark.parametrize("holes, what", [
    ([(150, 120 - 1.5 - 9.1, 60, 18.2)], "a mortise 1.5 mm under the edge (less its bones' reach)"),
    ([(150, 60, 18.2, 60), (150 + 18.2 + 3.0, 60, 18.2, 60)], "two mortises 3 mm apart"),
])
def test_a_sheet_that_makes_a_part_impossible_is_one_line_naming_it(tmp_path, holes, what):
    board = load_plan(write_test_plan(tmp_path / "board.dxf", holes)).parts
    adapt_thickness(board, 18.0, 18.4)  # a little wider still fits
    with pytest.raises(InputError, match=r"board\.dxf: part board: a 19\.6 mm sheet does not fit") as caught:
        adapt_thickness(board, 18.0, 19.6)
    assert "\n" not in str(caught.value), what


def test_bad_thickness_options_are_one_line_errors():
    with pytest.raises(InputError, match="fit 'snug'"):
        adapt_thickness([], 18.0, 17.4, "snug")
    with pytest.raises(InputError, match="more than 20% off the nominal 18 mm"):
        adapt_thickness([], 18.0, 1.74)


def test_run_resizes_the_slots_of_plan_files_and_cuts_the_measured_sheet(tmp_path, stools):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(stools["18"]), "--nominal-thickness", "18", "--measured-thickness",
                                 "17.4", "--time-limit", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    readings = checked_programs(out, sheet=(2440.0, 1220.0, 17.4))
    assert min(min(m.start[2], m.end[2]) for r in readings for m in r.motions) == pytest.approx(-17.7, abs=1e-3)
    summary = json.loads((out / "summary.json").read_text())
    resized = [w for w in summary["warnings"] if w.startswith("thickness 18 -> 17.4 mm:")]
    assert len(resized) == 6 and all(w.endswith("18.20 -> 17.60 mm") for w in resized)
    # The layout's seat has 17.6 mm mortises.
    document = json.loads((out / "layout.json").read_text())
    seat = next(item for item in document["instance"]["items"] if summary["items"][item["id"]]["name"] == "seat")
    widths = []
    for hole in seat["shape"]["data"]["inner"]:
        ring = Polygon(hole)
        (x, y), (x0, y0, x1, y1) = ring.centroid.coords[0], ring.bounds
        across = [ring.intersection(LineString(line)).length for line in (((x0, y), (x1, y)), ((x, y0), (x, y1)))]
        widths.append(round(min(across), 3))
    assert sorted(widths) == [17.6] * 4 + [30.0]  # the four mortises, and the hand hole


def test_job_file_thickness_table_and_bad_keys(tmp_path, stools):
    job = tmp_path / "job.toml"
    job.write_text(f'[[plans]]\nfile = "{stools["18"]}"\n[thickness]\nnominal = 18\nmeasured = 17.4\nfit = "loose"\n')
    result = runner.invoke(app, ["nest", str(job), "--time-limit", "0.5", "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).count("18.20 -> 17.80 mm") == 6
    job.write_text(f'[[plans]]\nfile = "{stools["18"]}"\n[thickness]\nnominal = 18\nmeasured = 17.4\nfit = "snug"\n')
    result = runner.invoke(app, ["nest", str(job), "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and "thickness.fit" in result.output and len(result.output.splitlines()) == 1
    result = runner.invoke(app, ["run", str(stools["18"]), "--measured-thickness", "17.4", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--nominal-thickness and --measured-thickness go together" in result.output
