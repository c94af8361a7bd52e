"""Machines and profiles: built-in files load, bad user files are named precisely."""

from pathlib import Path

import pytest

from gcode.feeds import cutting_data
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
    text = MACHINE.replace("[spindle]\nrpm_min = 8000.0\nrpm_max = 20000.0", "[spindle]\nmanual = true") + """
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
    # The profile's 18000 rpm is within 8000-20000, so only the feed warning appears.
    assert len(warnings) == 1 and "above the machine maximum" in warnings[0]


def test_rpm_outside_spindle_range_is_brought_in_and_feed_follows(tmp_path):
    recipe = load_profile("birch-plywood-18mm").tools[0]
    narrow = load_machine(str(write(tmp_path, "n.toml", MACHINE.replace("rpm_max = 20000.0", "rpm_max = 12000.0"))))
    data, warnings = cutting_data(recipe, narrow)
    assert data.rpm == 12000.0
    assert data.feed == pytest.approx(12000.0 * recipe.tool.flutes * recipe.chip_load)
    assert any("outside" in w for w in warnings)
