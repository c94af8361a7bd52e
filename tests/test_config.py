"""Machines and profiles: built-in files load, bad user files are named precisely."""

from pathlib import Path

import pytest

from gcode.feeds import cutting_data
from gcode.tooling import TouchPlate
from nester.errors import InputError
from plycut.config import builtin_machines, builtin_profiles, load_machine, load_profile

MACHINE = """
name = "Test router"
dialect = "grbl"
[envelope]
x = 1000.0
y = 600.0
z = 100.0
[axes]
x = { max_feed = 5000.0, acceleration = 400.0 }
y = { max_feed = 5000.0, acceleration = 300.0 }
z = { max_feed = 1000.0, acceleration = 100.0 }
[motion]
safe_z = 8.0
park = [10.0, 500.0]
[spindle]
rpm_min = 8000.0
rpm_max = 20000.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_builtin_machine_and_profile_are_found_and_load():
    assert "generic-grbl-2500x1250" in builtin_machines()
    assert "birch-plywood-18mm" in builtin_profiles()
    machine = load_machine("generic-grbl-2500x1250")
    assert machine.dialect == "grbl" and machine.envelope[:2] == (2500.0, 1250.0)
    profile = load_profile("birch-plywood-18mm")
    assert profile.thickness == 18.0
    assert profile.tools[0].tool.diameter == 6.0


def test_user_machine_file_loads(tmp_path):
    machine = load_machine(str(write(tmp_path, "mine.toml", MACHINE)))
    assert machine.id == "mine" and machine.safe_z == 8.0 and machine.park == (10.0, 500.0)
    assert machine.spindle_rpm == (8000.0, 20000.0)
    assert machine.max_feed == (5000.0, 5000.0, 1000.0) and machine.acceleration == (400.0, 300.0, 100.0)
    assert (machine.units, machine.arcs, machine.tool_changer, machine.vacuum) == ("mm", True, False, None)


def test_machine_options_load(tmp_path):
    text = MACHINE.replace("[spindle]\nrpm_min = 8000.0\nrpm_max = 20000.0", "[spindle]\nmanual = true")
    text = text.replace('dialect = "grbl"', 'dialect = "grblhal"') + """
[controller]
arcs = false
arc_tolerance = 0.02
line_numbers = true
[tool_change]
automatic = true
seconds = 12
[outputs]
vacuum = { on = "M64 P0", off = "M65 P0" }
dust_extraction = { on = "M8", off = "M9" }
"""
    machine = load_machine(str(write(tmp_path, "atc.toml", text)))
    assert machine.manual_spindle and machine.spindle_rpm == (0.0, 0.0)
    assert (machine.arcs, machine.arc_tolerance, machine.line_numbers) == (False, 0.02, True)
    assert (machine.tool_changer, machine.tool_change_s) == (True, 12.0)
    assert (machine.vacuum.on, machine.vacuum.off, machine.dust_extraction.on) == ("M64 P0", "M65 P0", "M8")


@pytest.mark.parametrize(
    "change, message",
    [
        (("z = { max_feed = 1000.0,", "z = { max_feed = 1000.0, max_fed = 3,"), "unknown key 'max_fed' in [axes.z]"),
        (("z = { max_feed = 1000.0,", "z = {"), "missing key 'axes.z.max_feed'"),
        (("acceleration = 300.0", "acceleration = 0"), "key 'axes.y.acceleration': must be greater than 0"),
        (("[spindle]", "[spindle]\nmanual = true"), "unknown key 'rpm_min' in [spindle]"),
        (('dialect = "grbl"', 'dialect = "grbl"\nunits = "furlong"'), "key 'units': expected one of mm, in"),
        (('dialect = "grbl"', 'dialect = "haas"'), "key 'dialect': expected one of"),
        (("x = 1000.0", 'x = "wide"'), "key 'envelope.x': expected a number"),
        (("y = 600.0", "y = -600.0"), "key 'envelope.y': must be greater than 0"),
        (("park = [10.0, 500.0]", "park = [10.0, 5000.0]"), "key 'motion.park'"),
        (("[envelope]", "[envelop]"), "missing key 'envelope'"),
        (("x = 1000.0", "x = 1000.0 ="), "not valid TOML"),
    ],
)
def test_bad_machine_file_names_file_and_key(tmp_path, change, message):
    path = write(tmp_path, "bad.toml", MACHINE.replace(*change))
    with pytest.raises(InputError) as err:
        load_machine(str(path))
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


TOOL_CHANGE = """
[tool_change]
position = [100.0, 550.0]
probe = { thickness = 20.0, travel = 60.0, feed = 100.0 }
"""


def test_a_touch_plate_and_where_the_head_waits_for_a_change_by_hand_load(tmp_path):
    machine = load_machine(str(write(tmp_path, "plate.toml", MACHINE + TOOL_CHANGE)))
    assert machine.tool_change_probe == TouchPlate(thickness=20.0, travel=60.0, feed=100.0)
    assert machine.tool_change_xy == (100.0, 550.0)
    for dialect in ("grblhal", "shopbot"):  # the other dialects that change tools on a plate
        other = MACHINE.replace('"grbl"', f'"{dialect}"') + TOOL_CHANGE
        assert load_machine(str(write(tmp_path, f"{dialect}.toml", other))).tool_change_probe == machine.tool_change_probe
    without = load_machine(str(write(tmp_path, "plain.toml", MACHINE)))
    assert without.tool_change_probe is None and without.tool_change_xy == without.park == (10.0, 500.0)
    # The shipped GRBL router assumes a 20 mm plate (its file says so, and how to remove it).
    shipped = load_machine("generic-grbl-2500x1250")
    assert shipped.tool_change_probe == TouchPlate(20.0, 60.0, 100.0) and shipped.tool_change_xy == (100.0, 1100.0)


@pytest.mark.parametrize(
    "change, message",
    [
        (("thickness = 20.0", "thickness = 0.0"), "key 'tool_change.probe.thickness': must be greater than 0"),
        (("travel = 60.0", "travel = 20.0"),
         "key 'tool_change.probe.travel': 20 mm must be more than the plate's thickness (20 mm)"),
        (("feed = 100.0", "feed = 2000.0"),
         "key 'tool_change.probe.feed': 2000 mm/min is faster than the Z axis can go (1000 mm/min)"),
        ((", feed = 100.0", ""), "missing key 'tool_change.probe.feed'"),
        (("feed = 100.0", "feed = 100.0, fed = 1"), "unknown key 'fed' in [tool_change.probe]"),
        (("[100.0, 550.0]", "[100.0, 650.0]"), "key 'tool_change.position': (100, 650) is outside the envelope"),
        (("[100.0, 550.0]", "[100.0]"), "key 'tool_change.position': expected 2 numbers, got 1"),
    ],
)
def test_bad_touch_plate_or_change_position_names_file_and_key(tmp_path, change, message):
    path = write(tmp_path, "bad.toml", MACHINE + TOOL_CHANGE.replace(*change))
    with pytest.raises(InputError) as err:
        load_machine(str(path))
    assert message in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize("dialect", ["linuxcnc", "mach3", "fanuc", "marlin"])
def test_a_touch_plate_is_refused_where_the_dialect_would_ignore_it(tmp_path, dialect):
    # LinuxCNC, Mach3 and Fanuc change tools with M6; Marlin refuses a second tool: no plate is used.
    path = write(tmp_path, "other.toml", MACHINE.replace('"grbl"', f'"{dialect}"') + TOOL_CHANGE)
    with pytest.raises(InputError, match=f"key 'tool_change.probe': {dialect} does not change tools by hand"):
        load_machine(str(path))


def test_unknown_machine_and_profile_list_the_builtins():
    with pytest.raises(InputError, match="unknown machine 'nope'.*generic-grbl-2500x1250"):
        load_machine("nope")
    with pytest.raises(InputError, match="unknown profile 'nope'.*birch-plywood-18mm"):
        load_profile("nope")


def test_feed_is_rpm_times_flutes_times_chip_load_and_clamped(tmp_path):
    profile = load_profile("birch-plywood-18mm")
    recipe = profile.tools[0]
    machine = load_machine("generic-grbl-2500x1250")
    data, warnings = cutting_data(recipe, machine)
    assert data.feed == pytest.approx(recipe.rpm * recipe.tool.flutes * recipe.chip_load)
    assert warnings == []
    slow_text = MACHINE.replace("x = { max_feed = 5000.0", "x = { max_feed = 1500.0")
    slow = load_machine(str(write(tmp_path, "slow.toml", slow_text)))
    data, warnings = cutting_data(recipe, slow)
    assert data.feed == 1500.0
    # The profile's 12000 rpm is within 8000-20000, so no rpm warning appears; the feed one says
    # the chip is now thinner than the chart's and which rpm would keep it (1500 / (2 x 0.13)).
    assert not any("rpm is outside" in w for w in warnings)
    [clamped] = [w for w in warnings if "above the machine maximum" in w]
    assert "0.062 mm/tooth, thinner than the chart's 0.127-0.178 mm: 5769 rpm would keep the 0.13 mm chip" in clamped


def test_rpm_outside_spindle_range_is_brought_in_and_feed_follows(tmp_path):
    recipe = load_profile("birch-plywood-18mm").tools[0]
    narrow = load_machine(str(write(tmp_path, "n.toml", MACHINE.replace("rpm_max = 20000.0", "rpm_max = 10000.0"))))
    data, warnings = cutting_data(recipe, narrow)
    assert recipe.rpm > 10000.0 and data.rpm == 10000.0
    assert data.feed == pytest.approx(10000.0 * recipe.tool.flutes * recipe.chip_load)
    assert any("outside" in w for w in warnings)


PROFILE = """
[material]
name = "Test ply"
thickness = 12.0
[[tools]]
id = "flat"
name = "6 mm flat"
diameter = 6.0
flutes = 2
rpm = 12000.0
chip_load_range = [0.127, 0.178]
chip_load = 0.13
plunge_feed = 1560.0
step_down = 6.0
step_over = 2.7
[[tools]]
id = "vee"
name = "V-bit"
kind = "vbit"
angle = 60.0
diameter = 6.0
flutes = 2
rpm = 18000.0
chip_load = 0.04
plunge_feed = 720.0
step_down = 1.5
step_over = 1.5
"""


def test_user_profile_tool_numbers_default_to_their_place_and_optional_keys_stay_empty(tmp_path):
    profile = load_profile(str(write(tmp_path, "mine.toml", PROFILE)))
    flat, vee = profile.tools
    assert (flat.tool.number, vee.tool.number) == (1, 2)
    assert (flat.tool.kind, flat.tool.angle, flat.tool.upcut_length) == ("flat", None, None)
    assert (vee.tool.kind, vee.tool.angle, vee.chip_load_range) == ("vbit", 60.0, None)
    assert flat.chip_load_range == (0.127, 0.178)
    assert profile.density is None


def test_user_profile_with_numbers_compression_and_density(tmp_path):
    text = (PROFILE.replace('id = "flat"', 'id = "flat"\nnumber = 7\nupcut_length = 5.1')
            .replace('id = "vee"', 'id = "vee"\nnumber = 3')
            .replace("thickness = 12.0", "thickness = 12.0\ndensity = 540.0"))
    profile = load_profile(str(write(tmp_path, "numbered.toml", text)))
    assert [r.tool.number for r in profile.tools] == [7, 3]
    assert profile.tools[0].tool.upcut_length == 5.1 and profile.density == 540.0


@pytest.mark.parametrize(
    "change, message",
    [
        (("chip_load = 0.13", "chip_load = 0.2"),
         "key 'tools[0].chip_load': 0.2 mm is outside its chip_load_range 0.127-0.178 mm"),
        (("chip_load = 0.13", "chip_load = 0.1"), "key 'tools[0].chip_load': 0.1 mm is outside"),
        (("[0.127, 0.178]", "[0.178, 0.127]"), "key 'tools[0].chip_load_range': expected [min, max]"),
        (("[0.127, 0.178]", "[0.127]"), "key 'tools[0].chip_load_range': expected 2 numbers"),
        (("[0.127, 0.178]", "[0, 0.178]"), "key 'tools[0].chip_load_range': expected [min, max] with 0 < min"),
        (('name = "6 mm flat"', 'name = "6 mm flat"\nangle = 90.0'), "key 'tools[0].angle': only a V-bit has an angle"),
        (("angle = 60.0\n", ""), "missing key 'tools[1].angle'"),
        (("angle = 60.0", "angle = 180.0"), "key 'tools[1].angle': must be at most 179"),
        (("angle = 60.0", "angle = 0.5"), "key 'tools[1].angle': must be at least 1"),
        (('id = "flat"', 'id = "flat"\nnumber = 1.5'), "key 'tools[0].number': expected a whole number, got 1.5"),
        (('id = "flat"', 'id = "flat"\nnumber = "T1"'), "key 'tools[0].number': expected a whole number"),
        (('id = "flat"', 'id = "flat"\nnumber = 0'), "key 'tools[0].number': must be at least 1"),
        (('id = "vee"', 'id = "vee"\nnumber = 1'), "key 'tools[1].number': tool number 1 is already taken by 'flat'"),
        (('id = "vee"', 'id = "vee"\nupcut_length = 2.0'), "key 'tools[1].upcut_length': only a flat"),
        (('id = "flat"', 'id = "flat"\nupcut_length = 6.0'),
         "key 'tools[0].step_down': 6 mm is not deeper than upcut_length 6 mm"),
        (('id = "flat"', 'id = "flat"\nupcut_length = -1.0'), "key 'tools[0].upcut_length': must be greater than 0"),
        (("thickness = 12.0", "thickness = 12.0\ndensity = 0"), "key 'material.density': must be greater than 0"),
    ],
)
def test_bad_profile_file_names_file_and_key(tmp_path, change, message):
    assert change[0] in PROFILE
    path = write(tmp_path, "bad.toml", PROFILE.replace(*change, 1))
    with pytest.raises(InputError) as err:
        load_profile(str(path))
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "dialect, outputs, message",
    [
        ("grbl", 'vacuum = { on = "M64 P0", off = "M65 P0" }', "key 'outputs.vacuum.on': 'M64 P0': M64 is not supported by grbl"),
        ("grbl", 'dust_extraction = { on = "M8", off = "G0 X10" }', "key 'outputs.dust_extraction.off': 'G0 X10' moves"),
        ("grbl", 'dust_extraction = { on = "M8 Q", off = "M9" }', "key 'outputs.dust_extraction.on': 'M8 Q'"),
        ("grblhal", 'vacuum = { on = "M64 P0", off = "M65 P0" }', None),
    ],
)
def test_output_commands_are_read_in_the_machine_dialect_when_it_loads(tmp_path, dialect, outputs, message):
    text = MACHINE.replace('dialect = "grbl"', f'dialect = "{dialect}"') + f"\n[outputs]\n{outputs}\n"
    path = write(tmp_path, "outputs.toml", text)
    if message is None:
        assert load_machine(str(path)).vacuum.on == "M64 P0"
        return
    with pytest.raises(InputError) as err:
        load_machine(str(path))
    assert str(err.value).startswith(f"{path}: {message}")


def test_line_numbers_on_a_dialect_without_them_name_the_file(tmp_path):
    text = MACHINE.replace('dialect = "grbl"', 'dialect = "marlin"') + "\n[controller]\nline_numbers = true\n"
    path = write(tmp_path, "marlin.toml", text)
    with pytest.raises(InputError, match=f"{path}: key 'controller.line_numbers': marlin takes no line numbers"):
        load_machine(str(path))
