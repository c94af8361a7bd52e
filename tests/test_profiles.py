"""The shipped material profiles: sourced cutting data that loads, fits every machine and cuts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcode.check import check_program, rules_for
from gcode.feeds import cutting_data
from gcode.jobs import pass_depths
from gcode.reader import read_gcode
from plycut.cli import app
from plycut.config import builtin_machines, builtin_profiles, load_machine, load_profile
from plycut.job import CamOptions

SHIPPED = ("birch-plywood-15mm", "birch-plywood-18mm", "poplar-plywood-15mm", "osb-18mm", "mdf-18mm")
# The tool table every shipped profile shares: T number -> tool id.
TOOL_TABLE = {1: "endmill-6mm-2f-upcut", 2: "compression-6mm-2f", 3: "endmill-8mm-2f-upcut",
              4: "oflute-3mm-1f-upcut", 5: "vbit-6mm-90deg"}
PROFILES = {name: load_profile(name) for name in sorted(builtin_profiles())}
RECIPES = [(name, recipe) for name, profile in PROFILES.items() for recipe in profile.tools]


def recipe_id(item) -> str:
    name, recipe = item
    return f"{name}:{recipe.tool.id}"


def test_every_material_is_shipped_with_the_whole_tool_table():
    assert set(SHIPPED) <= set(PROFILES)
    for name in SHIPPED:
        profile = PROFILES[name]
        assert {r.tool.number: r.tool.id for r in profile.tools} == TOOL_TABLE, name
        assert profile.density is not None and 300 < profile.density < 1000, name
        assert profile.sheet_cost > 0, name
        assert profile.sheet[0] <= 2500 and profile.sheet[1] <= 1250, f"{name}: a sheet bigger than the usual bed"


@pytest.mark.parametrize("item", RECIPES, ids=recipe_id)
def test_the_chosen_chip_load_lies_in_the_chart_range_it_comes_from(item):
    _, recipe = item
    assert recipe.chip_load_range is not None
    low, high = recipe.chip_load_range
    assert 0 < low <= recipe.chip_load <= high


@pytest.mark.parametrize("item", RECIPES, ids=recipe_id)
def test_plunge_is_the_ramp_down_feed_and_passes_are_at_most_the_charts_depth(item):
    _, recipe = item
    feed = recipe.rpm * recipe.tool.flutes * recipe.chip_load
    # Amana's ramp-down rule: feed / flutes.
    assert recipe.plunge_feed == pytest.approx(feed / recipe.tool.flutes)
    assert recipe.step_over <= recipe.tool.diameter / 2
    if recipe.tool.upcut_length is None:
        assert recipe.step_down <= recipe.tool.diameter  # the charts are for a depth of 1 x D


def test_each_tool_number_is_the_same_tool_in_every_profile():
    by_number: dict[int, set] = {}
    for _, recipe in RECIPES:
        t = recipe.tool
        by_number.setdefault(t.number, set()).add((t.id, t.name, t.diameter, t.flutes, t.kind, t.angle,
                                                   t.upcut_length))
    for number, tools in by_number.items():
        assert len(tools) == 1, f"T{number} is several tools: {tools}"


def test_the_v_bit_has_its_angle_and_flat_tools_have_none():
    for _, recipe in RECIPES:
        if recipe.tool.kind == "vbit":
            assert recipe.tool.angle == 90.0 and recipe.tool.upcut_length is None
        else:
            assert recipe.tool.angle is None


@pytest.mark.parametrize("name", SHIPPED)
def test_every_compression_pass_goes_past_the_up_cut_flutes(name):
    """On a sheet anywhere in the EN 315 sanded tolerance (-0.9/+0.7 mm for 18 mm, -0.8/+0.6 for
    15 mm), through cuts with the default overcut never leave the top face to the up-cut flutes."""
    profile = PROFILES[name]
    compression = [r for r in profile.tools if r.tool.upcut_length is not None]
    assert compression
    for recipe in compression:
        for measured in (profile.thickness - 0.9, profile.thickness, profile.thickness + 0.7):
            depths = pass_depths(measured + CamOptions().overcut, recipe.step_down)
            assert -depths[0] > recipe.tool.upcut_length, f"{measured} mm: first pass {depths[0]:g}"


@pytest.mark.parametrize("machine_name", sorted(builtin_machines()))
@pytest.mark.parametrize("item", RECIPES, ids=recipe_id)
def test_feed_is_rpm_times_flutes_times_chip_load_fitted_to_every_builtin_machine(item, machine_name):
    _, recipe = item
    machine = load_machine(machine_name)
    data, warnings = cutting_data(recipe, machine)
    low, high = machine.spindle_rpm
    rpm = recipe.rpm if machine.manual_spindle else min(max(recipe.rpm, low), high)
    wanted = rpm * recipe.tool.flutes * recipe.chip_load
    assert data.rpm == rpm
    assert data.feed <= machine.max_feed_xy and data.plunge_feed <= machine.max_feed_z
    clamped = [w for w in warnings if "above the machine maximum" in w]
    if wanted > machine.max_feed_xy:
        assert data.feed == machine.max_feed_xy and clamped
    else:
        assert data.feed == pytest.approx(wanted) and not clamped


def test_plycut_profiles_lists_every_material_and_tool():
    result = CliRunner().invoke(app, ["profiles"])
    assert result.exit_code == 0, result.output
    for name, profile in PROFILES.items():
        assert name in result.output
        for recipe in profile.tools:
            assert recipe.tool.id in result.output
            low, high = recipe.chip_load_range
            assert f"{low:g}-{high:g}" in result.output


def test_a_compression_cut_in_poplar_is_written_with_the_profiles_data(tmp_path: Path):
    """End to end: the profile's rpm and feed reach the program, and no pass is shallower than
    the up-cut flutes."""
    plan = tmp_path / "panel.svg"
    plan.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300mm" height="200mm" viewBox="0 0 300 200">'
        '<rect x="10" y="10" width="280" height="180" fill="none" stroke="#ff0000"/>'
        '<circle cx="150" cy="100" r="30" fill="none" stroke="#0000ff"/></svg>'
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(plan), "--profile", "poplar-plywood-15mm",
                                      "--tool", "compression-6mm-2f", "-o", str(out)])
    assert result.exit_code == 0, result.output
    recipe = PROFILES["poplar-plywood-15mm"].recipe("compression-6mm-2f")
    machine = load_machine("generic-grbl-2500x1250")
    [path] = sorted(out.glob("sheet-*.nc"))
    program = read_gcode(path.read_text(), source=path.name)
    assert program.errors == []
    assert check_program(program, rules=rules_for("grbl", machine, (2500.0, 1250.0, 15.0))) == []

    cuts = [m for m in program.motions if m.kind != "rapid" and min(m.start[2], m.end[2]) < 0]
    assert {m.spindle_rpm for m in cuts} == {recipe.rpm}
    side_feed = recipe.rpm * recipe.tool.flutes * recipe.chip_load  # 3360 mm/min, under the 10 m/min limit
    levels = {round(m.end[2], 3) for m in cuts if m.start[2] == m.end[2]}
    assert sorted({m.feed for m in cuts if m.start[2] == m.end[2]}) == pytest.approx([side_feed])
    assert min(levels) == pytest.approx(-15.3)  # the 15 mm sheet plus the 0.3 mm overcut
    assert max(levels) < -recipe.tool.upcut_length
