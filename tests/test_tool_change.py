"""A tool changed by hand in mid-program on GRBL and grblHAL: a pause, a probe on the touch plate, Z set anew.

The golden block below is written from GRBL 1.1's own documentation and source (gnea/grbl
gcode.c, doc/markdown/commands.md and jogging.md, doc/csv/alarm_codes_en_US.csv), one
line at a time; see the shared notes, grbl-protocol.md, for the alarms and the EEPROM note.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gcode.check import check_program, rules_for
from gcode.estimate import estimate_time
from gcode.post import get_post
from gcode.programs import read_program
from gcode.tooling import Tool, TouchPlate
from gcode.toolpath import Cut, Dwell, Rapid, SpindleOff, SpindleOn, ToolChange, ToolpathProgram
from plycut.config import load_machine

UPCUT = Tool(id="em6", name="6 mm up-cut", diameter=6.0)
VBIT = Tool(id="v90", name="90° V-bit", diameter=6.0, kind="vbit", number=5, angle=90.0)
SHEET = (2500.0, 1250.0, 18.0)
PLATE = TouchPlate(thickness=20.0, travel=60.0, feed=100.0)  # the shipped GRBL machine's


def machines_changing_by_hand():
    """The shipped GRBL machine (it has a plate), and the shipped grblHAL one without its changer, with one."""
    grbl = load_machine("generic-grbl-2500x1250")
    grblhal = replace(load_machine("grblhal-atc-2500x1250"), tool_changer=False, tool_change_probe=PLATE,
                      tool_change_position=(100.0, 1100.0), safe_z=5.0)  # fmt: skip
    return [pytest.param(grbl, id="grbl"), pytest.param(grblhal, id="grblhal")]


def two_tools(safe_z: float = 5.0) -> list:
    """An up-cut plunge and line, then a V-bit line, each tool started and stopped by the toolpath."""
    return [
        ToolChange(UPCUT), Rapid(z=safe_z), SpindleOn(18000), Dwell(5.5),
        Rapid(x=10.0, y=10.0), Rapid(z=1.0), Cut(10.0, 10.0, -3.0, 600.0), Cut(40.0, 10.0, -3.0, 1500.0),
        Rapid(z=safe_z), SpindleOff(),
        ToolChange(VBIT), Rapid(z=safe_z), SpindleOn(16000), Dwell(5.5),
        Rapid(x=60.0, y=30.0), Rapid(z=1.0), Cut(60.0, 30.0, -1.5, 400.0), Cut(90.0, 30.0, -1.5, 1500.0),
        Rapid(z=safe_z), SpindleOff(),
    ]  # fmt: skip


def render(machine, steps=None) -> str:
    program = ToolpathProgram(name="sheet-01", tool=UPCUT, safe_z=5.0, steps=tuple(steps or two_tools()))
    return get_post(machine.dialect).render(program, machine)


# From the first tool's last retract to the second tool's spindle start.
GOLDEN_CHANGE = [
    "G0 Z5", "M5",  # the toolpath's retract and SpindleOff
    # M0 is a feed hold (gcode.c: PROGRAM_FLOW_PAUSED -> EXEC_FEED_HOLD) that leaves the spindle
    # turning: M5 again, whatever the toolpath did, before the operator's hands reach the collet.
    "M5",
    # In Hold the operator cannot jog ($J= only in Idle or Jog, commands.md), so the program
    # puts the head where the plate fits under the bit: the plate's 60 mm travel above the sheet
    # (with the plate forgotten, a tool as long as the old one then stops at the sheet's top)...
    "G0 Z60",
    "G0 X100 Y1100",  # ...over the sheet at [tool_change] position, where the plate lies
    # GRBL displays no comment ("MSG's NOT SUPPORTED", gcode.c): the operator reads them in the sender.
    "(tool change: load tool 5: 90 V-bit, D6)",
    "(lay the 20 mm touch plate on the sheet under the bit, then resume)",
    "M0",  # program pause; cycle start (~) resumes
    # Probe toward the plate, 60 mm at most from wherever the new tip is: G38.2's target is in work
    # coordinates (gcode.c adds the work offset in G90, the current position in G91), and the old
    # tool's work Z says nothing of the new tool, so G91. No contact within it: ALARM:5, the program stops.
    "G91 G38.2 Z-60 F100",
    "G90",  # absolute again
    # The tip touches the plate's top, 20 mm above the sheet's top (work Z0). L20 moves the frame's
    # offset so that the current position reads Z20; P0 is the active frame ("Index P0 as the
    # active coordinate system", gcode.c), G54 from the preamble. A settings write (EEPROM).
    "G10 L20 P0 Z20",
    "G0 Z60",  # in the new tool's coordinates now: up, clear of the plate
    "(remove the touch plate, then resume)",
    "M0",
    "G0 Z5",  # the toolpath again: Z first, since the post forgot where the change left the tool
    "M3 S16000",  # the toolpath's SpindleOn and Dwell restart the spindle
]


@pytest.mark.parametrize("machine", machines_changing_by_hand())
def test_the_change_is_a_pause_a_probe_on_the_plate_and_z_set_anew(machine):
    lines = render(machine).splitlines()
    start = lines.index("G0 Z5", lines.index("G1 X40 F1500"))
    assert lines[start:start + len(GOLDEN_CHANGE)] == GOLDEN_CHANGE
    assert not any(word == "M6" for line in lines for word in line.split())  # GRBL: error:20
    assert lines.count("M0") == 2


@pytest.mark.parametrize("machine", machines_changing_by_hand())
def test_the_change_reads_back_with_z_known_again_and_every_later_move_tracked_and_checked(machine):
    text = render(machine)
    lines = text.splitlines()
    program = read_program(text, machine.dialect)
    assert program.errors == []
    probe_line = lines.index("G91 G38.2 Z-60 F100") + 1
    zero_line = lines.index("G10 L20 P0 Z20") + 1
    # The probe is the one move the reader cannot place once the first ones have set X, Y and Z.
    (probe,) = [move for move in program.untracked_moves if move.line > lines.index("G1 Z-3 F600")]
    assert (probe.line, probe.kind, probe.start_z, probe.end_z, probe.feed, probe.probe_drop) == (
        probe_line, "probe", 60.0, None, 100.0, 60.0)
    # From G10 on, the position is known: the retract off the plate starts from the plate's top.
    after = [(m.line, m.kind, m.start, m.end) for m in program.motions if m.line > zero_line]
    assert after[0] == (zero_line + 1, "rapid", (100.0, 1100.0, 20.0), (100.0, 1100.0, 60.0))
    assert [(m.kind, m.end) for m in program.motions if m.line > zero_line and m.kind == "feed"] == [
        ("feed", (60.0, 30.0, -1.5)), ("feed", (90.0, 30.0, -1.5))]
    assert check_program(program, rules=rules_for(machine.dialect, machine, SHEET)) == []


def test_the_estimate_counts_two_pauses_and_times_the_probe_as_its_whole_travel():
    machine = load_machine("generic-grbl-2500x1250")
    program = read_program(render(machine), "grbl")
    with_change = estimate_time(program, machine)
    one_tool = estimate_time(read_program(render(machine, two_tools()[:10]), "grbl"), machine)
    assert (with_change.pauses, with_change.tool_changes) == (2, 0)  # no M6: two pauses for the operator
    # 60 mm at 100 mm/min: 36 s at most; it stops at the plate, which depends on the new tool.
    probe_s = PLATE.travel / PLATE.feed * 60.0
    assert with_change.other_s == pytest.approx(one_tool.other_s + 5.5 + probe_s)
    assert with_change.untimed_moves == one_tool.untimed_moves  # the probe is timed, not left out


def test_an_inch_machine_gets_the_block_in_inches():
    machine = replace(load_machine("generic-grbl-2500x1250"), units="in")
    lines = render(machine).splitlines()
    block = lines[lines.index("M0") + 1:][:3]
    assert block == ["G91 G38.2 Z-2.3622 F3.937", "G90", "G10 L20 P0 Z0.7874"]  # 60 mm, 100 mm/min, 20 mm
    assert "G0 Z2.3622" in lines and "G0 X3.937 Y43.3071" in lines  # the wait height, the change position
    program = read_program("\n".join(lines) + "\n", "grbl")
    assert program.errors == []
    assert check_program(program, rules=rules_for("grbl", machine, SHEET)) == []


def test_line_numbers_number_the_blocks_of_the_change_too():
    machine = replace(load_machine("generic-grbl-2500x1250"), line_numbers=True)
    lines = render(machine).splitlines()
    probe = next(line for line in lines if "G38.2" in line)
    assert probe.split()[0].startswith("N") and probe.split()[1:] == ["G91", "G38.2", "Z-60", "F100"]
    assert check_program(read_program("\n".join(lines) + "\n", "grbl"),
                         rules=rules_for("grbl", machine, SHEET)) == []  # fmt: skip


def test_the_head_waits_at_safe_z_when_that_is_higher_than_the_plates_travel():
    machine = replace(load_machine("generic-grbl-2500x1250"), safe_z=70.0)
    lines = render(machine, two_tools(safe_z=70.0)).splitlines()
    change = lines.index("(tool change: load tool 5: 90 V-bit, D6)")
    assert lines[change - 2:change] == ["G0 Z70", "G0 X100 Y1100"]


def test_the_change_position_defaults_to_the_park_position():
    machine = replace(load_machine("generic-grbl-2500x1250"), tool_change_position=None)
    lines = render(machine).splitlines()
    assert lines[lines.index("G0 Z60") + 1] == "G0 X0 Y1200"  # the machine's park


@pytest.mark.parametrize("dialect_machine", ["generic-grbl-2500x1250", "grblhal-atc-2500x1250"])
def test_without_a_touch_plate_a_second_tool_is_still_refused_and_the_message_says_what_to_do(dialect_machine):
    machine = replace(load_machine(dialect_machine), tool_changer=False, tool_change_probe=None)
    with pytest.raises(ValueError) as refused:
        render(machine)
    message = str(refused.value)
    assert "change to tool 5 mid-program refused (it has no tool changer and no touch plate)" in message
    assert "add [tool_change] probe = { thickness, travel, feed } to the machine file" in message
    assert "or one program per tool, each started with Z zeroed anew" in message


def test_a_grbl_machine_claiming_a_changer_is_refused_even_with_a_plate():
    # GRBL cannot command a changer (no M6): the file contradicts itself, so nothing is guessed.
    machine = replace(load_machine("generic-grbl-2500x1250"), tool_changer=True)
    with pytest.raises(ValueError, match=r"refused \(grbl has no M6 to run one\)"):
        render(machine)


def test_the_feed_after_the_probe_is_written_again():
    # The probe leaves F100 modal: a cut at the feed the toolpath last wrote must say its F again.
    steps = two_tools()
    second_cut = steps.index(Cut(60.0, 30.0, -1.5, 400.0))
    steps[second_cut] = Cut(60.0, 30.0, -1.5, 1500.0)  # the feed of the first tool's last cut
    lines = render(load_machine("generic-grbl-2500x1250"), steps).splitlines()
    assert "G1 Z-1.5 F1500" in lines
    plunge = next(m for m in read_program("\n".join(lines) + "\n", "grbl").motions if m.end == (60.0, 30.0, -1.5))
    assert plunge.feed == 1500.0
