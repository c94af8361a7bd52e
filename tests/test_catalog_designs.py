"""The campaign designs: plans that load into named parts, joints that fit the parts they
receive (measured on the imported outlines), assemblies without interpenetration, and
the whole pipeline on each plan."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from tempfile import mkdtemp

import pytest
from shapely import affinity
from shapely.geometry import LineString, Point
from shapely.ops import unary_union
from test_cli import checked_programs
from typer.testing import CliRunner

from nester.catalog.assembly import Placement3D, contacts, footprints, interpenetrations, solid
from nester.catalog.flat_part import FlatPart
from nester.catalog.joinery import boned_outline, rect
from nester.catalog.plan_sheet import draw_plan
from nester.catalog.registry import FitParameters, design_assembly, write_design_plan
from nester.errors import InputError
from nester.model import Operation
from nester.plans import load_plan
from nester.thickness import adapt_thickness
from plycut.cli import app

DESIGNS = ("maisonnette", "chariot", "porte")
NOMINAL = 18.0
THIN = 17.1  # a sanded 18 mm sheet measures 17.1-18.7 mm (EN 315)
THICK = 18.7
USABLE_SHEET = (2480.0, 1230.0)  # 2500 x 1250 less a 10 mm margin
_FOLDER = Path(mkdtemp(prefix="plycut-catalog-"))


@cache
def plan(name: str, thickness: float):
    """(fit, DXF path, imported parts by name) of a design drawn for NOMINAL, fitted for thickness."""
    fit = FitParameters(thickness=thickness, nominal_thickness=NOMINAL)
    path = write_design_plan(name, _FOLDER / f"{name}-{thickness:g}.dxf", fit)
    return fit, path, {part.name: part for part in load_plan(path).parts}


@cache
def placements(name: str, thickness: float):
    return design_assembly(name, plan(name, thickness)[0])


def assembled(name: str, thickness: float, extruded: float | None = None):
    """The design's parts as solids: imported outlines placed by its assembly model."""
    fit, _, parts = plan(name, thickness)
    return [solid(part, parts[part].outline, placement, extruded or fit.thickness)
            for part, placement in placements(name, thickness)]


@pytest.mark.parametrize("name", DESIGNS)
def test_plan_loads_into_the_named_parts_of_its_assembly(name):
    _, _, parts = plan(name, THIN)
    assert sorted(parts) == sorted(part for part, _ in placements(name, THIN))
    assert 10 <= len(parts) <= 30
    for part in parts.values():
        x0, y0, x1, y1 = part.outline.bounds
        size = sorted((x1 - x0, y1 - y0))
        assert size[1] <= USABLE_SHEET[0] and size[0] <= USABLE_SHEET[1], part.name
    operations = {feature.operation for part in parts.values() for feature in part.features}
    assert {Operation.DRILL, Operation.POCKET, Operation.ENGRAVE} <= operations
    assert all(part.outline.interiors for part in parts.values() if part.name.startswith("side"))


def free_run(section, centre, axis: int, reach: float) -> float | None:
    """Length of the empty stretch through ``centre`` along ``axis`` (0 or 1) of the section's plane;
    None when it is open (it runs out of the ``reach`` either way, e.g. off the part's edge)."""
    a, b = list(centre), list(centre)
    a[axis] -= reach
    b[axis] += reach
    line = LineString([a, b])
    free = line.difference(section)
    for piece in getattr(free, "geoms", [free]):
        if piece.distance(Point(centre)) < 1e-9:
            ends = [Point(piece.coords[0]), Point(piece.coords[-1])]
            if any(end.distance(Point(a)) < 1e-9 or end.distance(Point(b)) < 1e-9 for end in ends):
                return None
            return piece.length
    return 0.0  # the centre is in the material: the part in the joint has no room at all


def joint_measurements(name: str, thickness: float):
    """For every place a part passes through another's thickness: (receiver, inserted, across, along)
    where across is the free width of the receiver across the inserted part's thickness and along
    the free width the other way, each with what it must be, or None where the receiver is open."""
    fit, _, _ = plan(name, thickness)
    solids = assembled(name, thickness)
    found = []
    for receiver in solids:
        for inserted in solids:
            for rectangle in footprints(receiver, inserted):
                thick_axis = receiver.section_axes.index(inserted.normal)
                x0, y0, x1, y1 = rectangle.bounds
                extent = (y1 - y0) if thick_axis == 0 else (x1 - x0)
                centre = rectangle.centroid.coords[0]
                across = free_run(receiver.section, centre, thick_axis, fit.thickness + 5.0)
                along = free_run(receiver.section, centre, 1 - thick_axis, extent / 2.0 + 5.0)
                found.append((receiver.name, inserted.name, across, along, extent))
    return found


@pytest.mark.parametrize("name", DESIGNS)
def test_every_slot_and_mortise_is_the_thickness_of_the_part_it_takes_plus_clearance(name):
    fit, _, parts = plan(name, THIN)
    measured = joint_measurements(name, THIN)
    slots = [m for m in measured if m[2] is not None]
    for receiver, inserted, across, along, extent in slots:
        assert across == pytest.approx(fit.thickness + fit.clearance, abs=0.01), (receiver, inserted)
    for receiver, inserted, across, along, extent in measured:
        if along is not None:  # mortise ends and finger gaps: what goes in, plus the clearance
            assert along == pytest.approx(extent + fit.clearance, abs=0.01), (receiver, inserted)
    # Every slot the plan holds takes a part, and every part through another sits in a slot: the
    # slots found on the outlines alone (the thickness adaptation's finder) are the joints measured.
    _, changes = adapt_thickness(list(parts.values()), THIN, THIN - 0.3)
    assert len(slots) == len(changes) > 10


@pytest.mark.parametrize("name", DESIGNS)
def test_changing_the_thickness_changes_the_slots_and_nothing_else(name):
    thick_fit, _, thick = plan(name, NOMINAL)
    _, _, thin = plan(name, THIN)
    assert sorted(thick) == sorted(thin)
    solids = {s.name: s for s in assembled(name, NOMINAL)}
    placed = dict(placements(name, NOMINAL))
    changed = set()
    for part_name, part in thick.items():
        other = thin[part_name]
        assert [(f.operation, f.geometry.wkt) for f in part.features] == \
               [(f.operation, f.geometry.wkt) for f in other.features]
        difference = part.outline.symmetric_difference(other.outline)
        if difference.area < 1e-9:
            continue
        changed.add(part_name)
        # Each wall moved by half the change of thickness: the changes are slivers that thin...
        assert difference.buffer(-(NOMINAL - THIN) / 4.0 - 0.01).is_empty, part_name
        # ...all of them at the joints: where another part passes through this one.
        receiver = solids[part_name]
        joints = unary_union([f for inserted in solids.values() for f in footprints(receiver, inserted)])
        u, v = [axis for axis in range(3) if axis != receiver.normal]
        origin = placed[part_name].origin
        in_plane = affinity.translate(difference, origin[u], origin[v])
        outside = in_plane.difference(joints.buffer(thick_fit.bone_radius + 1.0))
        assert outside.area < 1e-6, part_name
    assert changed == {receiver for receiver, _, across, _, _ in joint_measurements(name, NOMINAL)
                       if across is not None}


@pytest.mark.parametrize("thickness", [THIN, NOMINAL, THICK])
@pytest.mark.parametrize("name", DESIGNS)
def test_assembled_parts_do_not_interpenetrate_and_hold_together(name, thickness):
    solids = assembled(name, thickness)
    assert interpenetrations(solids) == []
    # Every part holds to the piece: through its joints, or a hinge's gap away.
    groups = {s.name: {s.name} for s in solids}
    for a, b in contacts(solids, gap=2.5):
        merged = groups[a] | groups[b]
        for member in merged:
            groups[member] = merged
    assert len({frozenset(g) for g in groups.values()}) == 1


def test_the_overlap_check_sees_a_slot_too_narrow_or_a_part_out_of_place():
    # Parts thicker than the slots (18.3 mm in 18.2 mm slots): every joint binds.
    binding = set(interpenetrations(assembled("maisonnette", NOMINAL, extruded=NOMINAL + 0.3)))
    assert {("upper-shelf", "divider-left"), ("side-left", "desk"), ("roof", "gable")} <= binding
    # A divider 0.5 mm off its slot's centre line, when the slot leaves 0.1 mm each side.
    solids = assembled("maisonnette", NOMINAL)
    moved = []
    for s in solids:
        if s.name == "divider-left":
            s = type(s)(s.name, s.normal, s.low + 0.5, s.high + 0.5, s.section)
        moved.append(s)
    assert ("upper-shelf", "divider-left") in interpenetrations(moved)
    assert Placement3D("XY", (0.0, 0.0, 1.0)).world(2.0, 3.0, 4.0) == (2.0, 3.0, 5.0)


@pytest.mark.parametrize("name", DESIGNS)
def test_each_design_goes_through_the_whole_pipeline(name, tmp_path):
    _, path, parts = plan(name, THIN)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--sheet", f"2500x1250x{THIN:g}", "--time-limit", "1",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    checked_programs(out, sheet=(2500.0, 1250.0, THIN))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["parts_placed"] == len(parts) and summary["unplaced"] == []
    assert sorted(item["name"] for item in summary["items"]) == sorted(parts)


def test_bad_dimensions_and_parts_too_big_for_a_sheet_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="unknown dimension 'colour'"):
        write_design_plan("chariot", tmp_path / "c.dxf", dimensions={"colour": 1})
    with pytest.raises(InputError, match=r"^row 4: maisonnette: .*width"):
        write_design_plan("maisonnette", tmp_path / "m.dxf", dimensions={"width": 3000}, where="row 4")
    with pytest.raises(InputError, match=r"^porte: arch_height must be 1500 to 3500 mm, got 3600$"):
        write_design_plan("porte", tmp_path / "p.dxf", dimensions={"arch_height": 3600})
    assert not list(tmp_path.iterdir())
    # The sizes' ranges keep every part within a sheet; the plan checks it all the same.
    giant = FlatPart("giant", Placement3D("XY", (0.0, 0.0, 0.0)), boned_outline(rect(0, 0, 2490, 100), 3.2))
    with pytest.raises(ValueError, match="part giant is 2490 x 100 mm: larger than a 2500 x 1250 sheet"):
        draw_plan([giant])


def test_a_plan_is_written_from_the_command_line(tmp_path, capsys):
    from nester.catalog.__main__ import main

    plan_file = tmp_path / "chariot.dxf"
    assert main(["chariot", "-o", str(plan_file), "--thickness", "17.4", "--nominal-thickness", "18",
                 "--size", "length=1000"]) == 0
    top = next(part for part in load_plan(plan_file).parts if part.name == "top")
    assert top.outline.bounds[2] - top.outline.bounds[0] == pytest.approx(1000.0)
    assert main(["porte", "-o", str(tmp_path / "porte.dxf"), "--size", "width=5"]) == 2
    assert "porte: width must be 700 to 1200 mm, got 5" in capsys.readouterr().err
