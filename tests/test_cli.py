"""The command line end to end: real plans in, programs out, read back and checked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import ezdxf
import pytest
from shapely.geometry import Polygon, box
from typer.testing import CliRunner

from gcode.check import check_program, rules_for
from gcode.estimate import estimate_time, format_duration
from gcode.programs import read_program
from gcode.reader import read_gcode
from nester.layout_json import read_layout_document
from nester.model import place
from plycut import __version__
from plycut.cli import app
from plycut.config import load_machine

runner = CliRunner()
MACHINE = load_machine("generic-grbl-2500x1250")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def checked_programs(out: Path, sheet=(2500.0, 1250.0, 18.0)):
    """Every sheet program in ``out`` read back by our reader and checked; returns the readings."""
    programs = sorted(out.glob("sheet-*.nc"))
    assert programs, f"no program in {out}"
    readings = []
    for path in programs:
        program = read_gcode(path.read_text(), source=path.name)
        assert program.errors == []
        assert check_program(program, rules=rules_for("grbl", MACHINE, sheet)) == []
        readings.append(program)
    return readings


def placed_outlines(out: Path) -> list[list[Polygon]]:
    """Re-apply layout.json's transformations to its item shapes, sheet by sheet."""
    document = json.loads((out / "layout.json").read_text())
    shapes = {}
    for item in document["instance"]["items"]:
        data = item["shape"]["data"]
        shapes[item["id"]] = Polygon(data["outer"], data["inner"])
    sheets = []
    for _container, placed in read_layout_document(document):
        sheets.append([place(shapes[item], rotation, translation) for item, rotation, translation in placed])
    return sheets


def test_demo_end_to_end(tmp_path):
    out = tmp_path / "out"
    result = invoke("demo", "--copies", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["parts_placed"] == 6
    assert sorted(item["name"] for item in summary["items"]) == ["leg-a", "leg-b", "seat"]
    readings = checked_programs(out)

    # Every through cut reaches the sheet thickness plus the 0.3 mm overcut, and no deeper.
    deepest = min(min(m.end[2], m.start[2]) for r in readings for m in r.motions)
    assert deepest == pytest.approx(-18.3, abs=1e-3)
    # The spindle is on before the first move into the wood, and off at the end.
    first_cut = next(m for m in readings[0].motions if min(m.start[2], m.end[2]) < 0)
    assert first_cut.spindle_on
    assert readings[0].motions[-1].spindle_rpm == 0 or "M5" in (out / "sheet-01.nc").read_text()
    # Circular holes come out as true arcs, and every line fits GRBL's buffer.
    assert any(m.kind == "arc" for m in readings[0].motions)
    text = (out / "sheet-01.nc").read_text()
    assert max(len(line) for line in text.splitlines()) <= 80

    # layout.json, read independently: parts inside the sheet margin, at least the spacing apart.
    sheets = placed_outlines(out)
    assert sum(len(s) for s in sheets) == 6
    usable = box(10, 10, 2490, 1240)
    for outlines in sheets:
        for i, a in enumerate(outlines):
            assert usable.buffer(1e-6).contains(a)
            for b in outlines[i + 1:]:
                assert a.distance(b) >= summary["spacing_mm"] - 1e-6

    # The preview is an SVG in mm with one labelled shape per part, and the tabs drawn.
    svg = ElementTree.parse(out / "sheet-01.svg").getroot()
    assert svg.get("width") == "2500mm"
    labels = "".join(svg.itertext())
    for name in ("seat#1", "leg-a#2", "leg-b#1"):
        assert name in labels
    assert summary["sheets"][0]["tabs"] >= 2 * 6


def test_demo_twice_into_the_same_folder_keeps_it_consistent(tmp_path):
    out = tmp_path / "out"
    assert invoke("demo", "--copies", "8", "-o", str(out)).exit_code == 0
    many = sorted(p.name for p in out.glob("sheet-*"))
    assert len(many) >= 4  # at least two sheets, program + preview each
    assert invoke("demo", "--copies", "1", "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in out.glob("sheet-*")) == ["sheet-01.nc", "sheet-01.svg"]
    assert json.loads((out / "summary.json").read_text())["totals"]["sheets"] == 1


WIKIHOUSE_LAYERS = {
    "4_ANYTOOL_CUTTHROUGH_OUTSI": 5,
    "3_ANYTOOL_CUTTHROUGH_INSID": 4,
    "5_ANYTOOL_HALF_MILL_9MM_IN": 3,
    "1_ANYTOOL_1MMDEEP_LABELS_S": 2,
    "DONOTCUT": 7,
}


def wikihouse_part(path: Path, width: float, height: float, *, with_details: bool) -> None:
    """A WikiHouse Skylark-style per-part file: R12, truncated layer names, a sheet border not to cut."""
    doc = ezdxf.new("R12")
    doc.header["$INSUNITS"] = 4
    for name, colour in WIKIHOUSE_LAYERS.items():
        doc.layers.add(name, color=colour)
    msp = doc.modelspace()
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    for a, b in zip(corners, corners[1:] + corners[:1]):  # loose LINEs, as R12 exports write them
        msp.add_line(a, b, dxfattribs={"layer": "4_ANYTOOL_CUTTHROUGH_OUTSI"})
    msp.add_polyline2d([(-50, -50), (width + 50, -50), (width + 50, height + 50), (-50, height + 50)],
                       close=True, dxfattribs={"layer": "DONOTCUT"})
    if with_details:
        msp.add_polyline2d([(100, 100), (200, 100), (200, 160), (100, 160)], close=True,
                           dxfattribs={"layer": "3_ANYTOOL_CUTTHROUGH_INSID"})
        msp.add_polyline2d([(300, 100), (400, 100), (400, 140), (300, 140)], close=True,
                           dxfattribs={"layer": "5_ANYTOOL_HALF_MILL_9MM_IN"})
        msp.add_polyline2d([(100, 300), (130, 340), (160, 300)], dxfattribs={"layer": "1_ANYTOOL_1MMDEEP_LABELS_S"})
    doc.saveas(path)


def test_run_on_wikihouse_part_files_with_production_list(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    wikihouse_part(plans / "SKYLARK250_WALL-A.dxf", 600, 1100, with_details=True)
    wikihouse_part(plans / "SKYLARK250_CLIP.dxf", 150, 60, with_details=False)
    (plans / "SKYLARK250_production.csv").write_text("Label,Quantity\nSKYLARK250_WALL-A,2\nSKYLARK250_CLIP,6\n")
    job = tmp_path / "skylark.toml"
    job.write_text(
        'name = "skylark-test"\n'
        "[[plans]]\n"
        'file = "plans/SKYLARK250_*.dxf"\n'
        'production = "plans/SKYLARK250_production.csv"\n'
        "[[sheets]]\nwidth = 2440\nheight = 1220\nthickness = 17.6\n"
    )
    out = tmp_path / "out"
    result = invoke("run", str(job), "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["parts_placed"] == 8
    assert {i["name"]: i["quantity"] for i in summary["items"]} == {"SKYLARK250_CLIP": 6, "SKYLARK250_WALL-A": 2}
    readings = checked_programs(out, sheet=(2440.0, 1220.0, 17.6))
    depths = sorted({round(min(m.start[2], m.end[2]), 3) for r in readings for m in r.motions if m.kind != "rapid"})
    assert depths[0] == pytest.approx(-17.9)  # measured thickness + overcut
    assert -9.0 in depths  # the half-mill pocket
    assert -1.0 in depths  # the engraved label
    assert min(depths) > -18.0  # nothing cut to the nominal 18 mm


def test_run_on_plan_files_with_options(tmp_path):
    plan = tmp_path / "panel.svg"
    plan.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300mm" height="200mm" viewBox="0 0 300 200">'
        '<rect x="10" y="10" width="280" height="180" fill="none" stroke="#ff0000"/>'
        '<circle cx="150" cy="100" r="30" fill="none" stroke="#0000ff"/></svg>'
    )
    out = tmp_path / "out"
    result = invoke("run", str(plan), "--quantity", "3", "--sheet", "1000x600x15", "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["parts_placed"] == 3
    assert summary["sheets"][0]["stock"] == "1000x600x15"
    readings = checked_programs(out, sheet=(1000.0, 600.0, 15.0))
    deepest = min(min(m.start[2], m.end[2]) for r in readings for m in r.motions)
    assert deepest == pytest.approx(-15.3)
    # The 60 mm hole is cut as arcs of radius 30 - 3 (tool radius) around its placed centre.
    # The other arcs are the outlines' rounded corners, at the 3 mm tool radius.
    arcs = [m for r in readings for m in r.motions if m.kind == "arc"]
    hole_arcs = [m for m in arcs if m.radius_start > 10.0]
    assert len(hole_arcs) >= 3 * 2 * 3  # 3 parts, two half circles, 3 passes, and the helical ramps
    assert all(m.radius_start == pytest.approx(27.0, abs=1e-3) for m in hole_arcs)
    assert all(m.radius_start == pytest.approx(3.0, abs=1e-3) for m in arcs if m not in hole_arcs)


def write_dxf(path: Path, build) -> Path:
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    build(doc.modelspace())
    doc.saveas(path)
    return path


def square(msp, size=100.0, layer="CUT_OUTSIDE"):
    msp.add_lwpolyline([(0, 0), (size, 0), (size, size), (0, size)], close=True, dxfattribs={"layer": layer})


BAD_INPUTS = {
    "missing file": (lambda d: d / "nowhere.dxf", "no such file"),
    "not a dxf": (lambda d: _text(d / "fake.dxf", "this is not a drawing"), "not a readable DXF"),
    "empty drawing": (lambda d: write_dxf(d / "empty.dxf", lambda msp: None), "empty drawing"),
    "open contour": (
        lambda d: write_dxf(d / "open.dxf", lambda msp: [
            msp.add_line((0, 0), (100, 0), dxfattribs={"layer": "CUT_OUTSIDE"}),
            msp.add_line((100, 0), (100, 100), dxfattribs={"layer": "CUT_OUTSIDE"}),
            msp.add_line((100, 100), (0, 100), dxfattribs={"layer": "CUT_OUTSIDE"}),
            msp.add_line((0, 100), (0, 1), dxfattribs={"layer": "CUT_OUTSIDE"}),
        ]),
        "gap of 1.000 mm",
    ),
    "part larger than every sheet": (lambda d: write_dxf(d / "huge.dxf", lambda msp: square(msp, 3000.0)),
                                     "larger than every sheet"),
    "unknown layer": (lambda d: write_dxf(d / "layer.dxf", lambda msp: square(msp, layer="MYSTERY")),
                      "unknown layer(s) 'MYSTERY'"),
}


def _text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_plan_is_one_line_exit_2_and_no_output(tmp_path, case):
    make, message = BAD_INPUTS[case]
    plan = make(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", str(plan), "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plycut: error: ")
    assert message in lines[0] and plan.name in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--machine", "no-such-machine"], "unknown machine 'no-such-machine'"),
        (["--profile", "unobtainium"], "unknown profile 'unobtainium'"),
        (["--sheet", "big"], "--sheet 'big'"),
        (["--tool", "spoon"], "has no tool 'spoon'"),
    ],
)
def test_bad_option_is_one_line_exit_2(tmp_path, options, message):
    plan = write_dxf(tmp_path / "part.dxf", square)
    result = invoke("run", str(plan), *options, "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_bad_job_key_names_file_and_key(tmp_path):
    plan = write_dxf(tmp_path / "part.dxf", square)
    job = tmp_path / "job.toml"
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\nquantity = 2\n[cam]\nclearence = 3\n')
    result = invoke("run", str(job), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip() == f"plycut: error: {job}: unknown key 'clearence' in [cam]"
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\nquantity = "two"\n')
    result = invoke("run", str(job), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "key 'plans[0].quantity': expected a whole number" in result.output


def test_job_layer_rule_maps_a_custom_layer(tmp_path):
    plan = write_dxf(tmp_path / "part.dxf", lambda msp: square(msp, layer="DECOUPE"))
    job = tmp_path / "job.toml"
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\n[[layers]]\npattern = "^DECOUPE$"\noperation = "cut_outside"\n')
    out = tmp_path / "out"
    result = invoke("run", str(job), "-o", str(out))
    assert result.exit_code == 0, result.output
    checked_programs(out)


def test_machines_profiles_version():
    assert __version__ in invoke("--version").output
    listing = invoke("machines").output
    assert "generic-grbl-2500x1250" in listing and "grbl" in listing
    assert "birch-plywood-18mm" in invoke("profiles").output


def test_check_command_accepts_our_program_and_names_bad_lines(tmp_path):
    out = tmp_path / "out"
    assert invoke("demo", "--copies", "1", "-o", str(out)).exit_code == 0
    good = invoke("check", str(out / "sheet-01.nc"), "--sheet", "2500x1250x18")
    assert good.exit_code == 0 and "OK" in good.output
    bad = tmp_path / "bad.nc"
    bad.write_text("G21 G90\nG0 Z5\nG0 X10 Y10\nG1 Z-2 F500\nM3 S12000\nG0 X50\nM6 T2\nM2\n")
    result = invoke("check", str(bad))
    assert result.exit_code == 1
    assert "bad.nc:4:" in result.output  # cutting into the wood with the spindle off
    assert "bad.nc:6:" in result.output  # XY rapid below safe height
    assert "bad.nc:7:" in result.output  # M6 is not GRBL


def test_installed_console_script_runs():
    script = Path(sys.executable).with_name("plycut")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"plycut {__version__}"


def test_job_overcut_sets_the_depth_the_check_allows(tmp_path):
    plan = write_dxf(tmp_path / "part.dxf", square)
    job = tmp_path / "job.toml"
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\n[cam]\novercut = 1.5\n')
    out = tmp_path / "out"
    result = invoke("run", str(job), "-o", str(out))
    assert result.exit_code == 0, result.output
    program = read_gcode((out / "sheet-01.nc").read_text())
    assert min(m.end[2] for m in program.motions) == pytest.approx(-19.5)
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\n[cam]\novercut = 5\n')
    result = invoke("run", str(job), "-o", str(tmp_path / "out2"))
    assert result.exit_code == 2 and "key 'cam.overcut': must be at most 2" in result.output


def test_check_overcut_option_sets_the_depth_floor(tmp_path):
    deep = tmp_path / "deep.nc"
    deep.write_text("G21 G90\nG0 Z5\nM3 S18000\nG4 P3\nG0 X100 Y100\nG0 Z1\nG1 Z-19 F500\nG0 Z5\nM5\nM2\n")
    loose = invoke("check", str(deep), "--sheet", "2500x1250x18")
    assert loose.exit_code == 0, loose.output  # 1 mm below an 18 mm sheet by default
    strict = invoke("check", str(deep), "--sheet", "2500x1250x18", "--overcut", "0.3")
    assert strict.exit_code == 1 and "deep.nc:7:" in strict.output


def test_estimate_time_and_backplot_of_the_demo(tmp_path):
    out = tmp_path / "out"
    assert invoke("demo", "--copies", "1", "-o", str(out)).exit_code == 0
    program = out / "sheet-01.nc"
    text = program.read_text()
    estimate = estimate_time(read_program(text, "grbl"), MACHINE)
    # The header states the run time of the very program it heads, and summary.json agrees.
    assert f"(estimated time: {format_duration(estimate.total_s)})" in text.splitlines()[:15]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sheets"][0]["machine_time_s"] == pytest.approx(estimate.total_s, abs=0.05)
    assert summary["totals"]["machine_time_h"] == pytest.approx(estimate.total_s / 3600.0, abs=5e-4)
    # Never faster than cutting everything at the cutting feed; the G4 after M3 is the only other time.
    assert estimate.cutting_s >= estimate.cut_length_mm / (summary["cutting"]["feed_mm_min"] / 60.0)
    assert estimate.other_s == pytest.approx(MACHINE.spindle_spinup_s)

    result = invoke("estimate-time", str(program))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{program} on {MACHINE.name}: {format_duration(estimate.total_s)} ({estimate.total_s:.0f} s)"
    assert f"{estimate.cut_length_mm / 1000:.2f} m" in result.output
    assert "tool changes: 0, pauses: 0" in result.output

    result = invoke("backplot", str(program), "--sheet", "2500x1250x18")
    assert result.exit_code == 0, result.output
    svg = ElementTree.parse(out / "sheet-01.backplot.svg").getroot()  # the default name, beside the program
    assert svg.get("width").endswith("mm")
    ids = {element.get("id") for element in svg.iter()}
    assert {"envelope", "sheet", "rapids", "depth-0", "legend"} <= ids
    assert (out / "sheet-01.svg").exists()  # the preview is not overwritten
    chosen = tmp_path / "plot.svg"
    assert invoke("backplot", str(program), "-o", str(chosen)).exit_code == 0
    assert ElementTree.parse(chosen).getroot().find("{http://www.w3.org/2000/svg}title").text.startswith(
        "sheet-01.nc")


def test_estimate_time_and_backplot_refuse_bad_files_in_one_line(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_text("G21 G90\nG0 Z5\nG0 X0 Y0\nG1 X10 F500\nG1 X20 E7\nM2\n")
    empty = tmp_path / "empty.nc"
    empty.write_text("(nothing but a comment)\n")
    cases = [
        (["estimate-time", str(tmp_path / "missing.nc")], "missing.nc: cannot read"),
        (["estimate-time", str(bad)], f"{bad}:5: unknown word E7"),
        (["estimate-time", str(empty)], f"{empty}: no moves"),
        (["backplot", str(empty)], f"{empty}: no moves"),
        (["backplot", str(bad), "-o", str(bad)], "is the program itself"),
        (["backplot", str(bad), "-o", str(tmp_path / "no" / "such" / "dir.svg")], "cannot write"),
        (["backplot", str(bad), "--sheet", "big"], "--sheet 'big'"),
        (["estimate-time", str(bad), "--machine", "no-such-machine"], "unknown machine 'no-such-machine'"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("plycut: error: ") and message in lines[0], args
    assert bad.read_text().startswith("G21")


def test_backplot_draws_what_it_can_of_a_program_with_errors(tmp_path):
    program = tmp_path / "odd.nc"
    program.write_text("G21 G90\nG0 Z5\nG0 X10 Y10\nG1 Z-2 F500\nG1 X50 E1\nG1 X50 Y40\nM2\n")
    result = invoke("backplot", str(program))
    assert result.exit_code == 0, result.output
    assert "line 5: unknown word E1" in result.output
    svg = ElementTree.parse(tmp_path / "odd.backplot.svg").getroot()
    cut = next(e for e in svg.iter("{http://www.w3.org/2000/svg}path") if e.get("id").startswith("depth-"))
    assert cut.get("d") == "M10 10 L50 40"  # line 5 was rejected: the cut goes straight to (50, 40)


def slotted_panel(msp, layer="0"):
    msp.add_lwpolyline([(0, 0), (300, 0), (300, 200), (0, 200)], close=True, dxfattribs={"layer": layer})
    msp.add_lwpolyline([(100, 60), (140, 60), (140, 78.4), (100, 78.4)], close=True, dxfattribs={"layer": layer})


def test_job_cam_keys_choose_holding_entry_and_bones(tmp_path):
    plan = write_dxf(tmp_path / "panel.dxf", slotted_panel)
    job = tmp_path / "job.toml"
    job.write_text(
        f'[[plans]]\nfile = "{plan.name}"\nquantity = 2\n'
        '[cam]\nholding = "onion-skin"\nonion_skin = 0.5\nentry = "plunge"\ndogbones = "tbone"\n'
        'finish_allowance = 0.3\nlabels = true\n'
    )
    out = tmp_path / "out"
    result = invoke("run", str(job), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "sheet-01.nc").read_text()
    assert text.count("onion skin") == 2
    assert text.count(": label") >= 2 * 5  # PANEL on both copies, a stroke or more per letter
    (reading,) = checked_programs(out)
    feeds = [m for m in reading.motions if m.kind != "rapid"]
    # Plunge entry: every descent below the top is vertical; the skin is 0.5 mm.
    assert all(m.start[:2] == m.end[:2] for m in feeds if m.end[2] < m.start[2] and m.end[2] < 0)
    assert sorted({round(m.end[2], 3) for m in feeds})[:2] == [-18.3, -17.5]

    job.write_text(f'[[plans]]\nfile = "{plan.name}"\n[cam]\ndogbones = "round"\n')
    result = invoke("run", str(job), "-o", str(tmp_path / "out2"))
    assert result.exit_code == 2 and "key 'cam.dogbones'" in result.output and "round" in result.output
    job.write_text(f'[[plans]]\nfile = "{plan.name}"\n[cam.part_dogbones]\npanel = "sideways"\n')
    result = invoke("run", str(job), "-o", str(tmp_path / "out3"))
    assert result.exit_code == 2 and "cam.part_dogbones.panel" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_check_with_the_layout_back_plots_the_program_against_its_parts(tmp_path):
    out = tmp_path / "out"
    assert invoke("demo", "--copies", "1", "-o", str(out)).exit_code == 0
    layout = out / "layout.json"
    good = invoke("check", str(out / "sheet-01.nc"), "--layout", str(layout))
    assert good.exit_code == 0, good.output
    assert "OK" in good.output
    # Without its last pass the program leaves every part attached to the sheet.
    text = (out / "sheet-01.nc").read_text().splitlines()
    deepest = min(float(m) for line in text for m in re.findall(r"Z(-\d+\.\d+)", line))
    shallow = tmp_path / "sheet-01.nc"
    shallow.write_text("\n".join(line for line in text if f"Z{deepest:.3f}" not in line
                                 and f"Z{deepest:g}" not in line) + "\n")
    bad = invoke("check", str(shallow), "--layout", str(layout))
    assert bad.exit_code == 1
    assert "its outline is not cut through near" in bad.output
    # A layout without the program's sheet, or not plycut's, is bad input.
    other = tmp_path / "sheet-07.nc"
    other.write_text(shallow.read_text())
    result = invoke("check", str(other), "--layout", str(layout))
    assert result.exit_code == 2 and "no sheet with the program 'sheet-07.nc'" in result.output
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"instance": {}, "solution": {}}')
    result = invoke("check", str(out / "sheet-01.nc"), "--layout", str(foreign))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "missing 'plycut'" in result.output
